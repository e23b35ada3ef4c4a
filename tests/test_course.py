"""Every exercise in the course is consistent: the contract's ids exist, each reference
solution passes through the sandbox, each starter fails and scores 0, each known mistake is named."""
import dataclasses
import re

import pytest

from conftest import ROOT
from grader.grading.cases import child_modules
from grader.course.catalog import Course
from grader.course.model import LANGS
from grader.instructor.validate import validate_exercise

COURSE = Course(ROOT)
CURRICULUM = ROOT.parent / "shared" / "curriculum.md"
MORE = ROOT.parent / "shared" / "curriculum-ch2-more.md"  # the rest of chapter 2, same form


def contract(path=CURRICULUM):
    """(id, slug, function names) for every exercise a contract names."""
    text = path.read_text(encoding="utf-8")
    out = []
    for match in re.finditer(r"^### ([\d.]+) `([a-z-]+)`.*?$(.*?)(?=^##)", text + "\n##", re.M | re.S):
        names = re.findall(r"^- `([a-z_0-9]+)\(", match.group(3), re.M)
        names += re.findall(r"`([a-z_0-9]+)\([^`]*\) ->", match.group(3))
        out.append((match.group(1), match.group(2), set(names)))
    return out


@pytest.mark.skipif(not CURRICULUM.exists(), reason="the curriculum is not beside this checkout")
@pytest.mark.parametrize("path", [CURRICULUM, MORE], ids=lambda p: p.name)
def test_every_curriculum_exercise_exists_with_its_functions(path):
    for ident, slug, names in contract(path):
        ex = COURSE.get(ident)
        assert ex.slug == slug
        assert names <= {f.name for f in ex.functions}, (ident, names)


@pytest.mark.parametrize("ex", COURSE.exercises, ids=lambda ex: ex.id)
def test_every_text_is_translated(ex):
    texts = [ex.title, ex.prompt, *ex.hints, *(m.hint for m in ex.mistakes)]
    assert all(getattr(t, lang).strip() for t in texts for lang in LANGS)
    assert ex.mistakes, "every exercise names at least one known mistake"


@pytest.mark.parametrize("ex", COURSE.exercises, ids=lambda ex: ex.id)
def test_solution_passes_starter_fails_mistakes_are_named(ex, runner):
    findings = validate_exercise(COURSE, ex, runner, seed=20261127)
    bad = [f"{f.what}: {f.detail}" for f in findings if not f.ok]
    assert not bad, bad


def test_a_starter_that_earns_any_points_is_reported(runner):
    # A starter with one function already written fails, yet would hand out that function's points.
    ex = COURSE.get("2.5.3")
    generous = dataclasses.replace(ex, starter=ex.starter + "\n\ndef full_grad(x):\n    (x * x).sum().backward()\n"
                                   "    return x.grad\n")
    findings = validate_exercise(COURSE, generous, runner, seed=1)
    (starter,) = [f for f in findings if "starter" in f.what]
    assert not starter.ok and starter.detail == "the starter scores 0.5/1"


def test_child_modules_name_what_the_inputs_and_the_checks_import():
    # The fork runner imports these once, before its children exist, instead of in each.
    assert child_modules([COURSE.get("2.1.7")]) == {"pandas"}  # DataFrames
    assert child_modules([COURSE.get("2.5.3")]) == set()
    # gradcheck's, for a server that runs the exercise again and again
    assert child_modules([COURSE.get("2.5.6.4")], many_runs=True) == {"torch.fx.experimental.symbolic_shapes"}
    assert child_modules([COURSE.get("2.5.6.4")]) == set()
    assert child_modules(COURSE.exercises, many_runs=True) >= {"pandas", "torch.fx.experimental.symbolic_shapes"}


def test_what_a_check_says_its_child_imports_is_what_its_probe_imports():
    import subprocess
    import sys

    from grader.grading.checks import KINDS

    probe = ("import sys, torch\n"
             "x = torch.ones(2, dtype=torch.float64, requires_grad=True)\n"
             "torch.autograd.gradcheck(lambda a: (a * a).sum(), (x,))\n"
             "print(' '.join(sorted(sys.modules)))")
    imported = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout.split()
    assert set(KINDS["gradcheck"].imports) <= set(imported)
