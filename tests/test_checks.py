"""The check kinds as classes: their registry, the docs' table rendered from them, load-time
validation through them, and the kinds `uses` and `relation` judged from what the child saw."""
import subprocess
import sys
import textwrap

import pytest

from conftest import ROOT
from grader.course.model import ExerciseFileError, load_exercise
from grader.grading.checks import KINDS, table
from grader.grading.judge import grade, monitor_spec, probes_for

# A fixture exercise, not a course one: the curriculum lets 2.5.6.1 use `.backward()` instead.
USES = """\
id: "9.9.1"
slug: second-derivative-by-grad
title: {en: By autograd.grad, zh: 用 autograd.grad}
prompt: {en: "fn''(x) with torch.autograd.grad", zh: "用 torch.autograd.grad 求 fn''(x)"}
functions:
  - name: second_derivative
    signature: "second_derivative(fn, x)"
    cases:
      - {label: sin, args: ["torch.sin", "leaf(torch.arange(4.0, dtype=torch.float64))"]}
    checks:
      - value
      - uses: {calls: [torch.autograd.grad]}
starter: |
  def second_derivative(fn, x):
      raise NotImplementedError
"""
BY_GRAD = """\
import torch


def second_derivative(fn, x):
    (dy,) = torch.autograd.grad(fn(x).sum(), x, create_graph=True)
    return torch.autograd.grad(dy.sum(), x)[0]
"""
IMPORTED_GRAD = """\
from torch.autograd import grad


def second_derivative(fn, x):
    (dy,) = grad(fn(x).sum(), x, create_graph=True)
    return grad(dy.sum(), x)[0]
"""
ANALYTIC = """\
import torch


def second_derivative(fn, x):
    return -torch.sin(x.detach())  # right for the case's sin, without differentiating anything
"""

CONTIGUOUS = """\
id: "9.9.2"
slug: transposed-copy
title: {en: A transposed copy, zh: 转置的副本}
prompt: {en: "a contiguous transpose", zh: "连续的转置"}
functions:
  - name: transposed
    signature: "transposed(x)"
    cases:
      - {label: seed, args: ["randn(2, 3)"]}
    checks:
      - value
      - relation:
          expr: "result.is_contiguous() and result is not args[0]"
          message: {en: "return a contiguous copy", zh: "请返回连续的副本"}
starter: |
  def transposed(x):
      raise NotImplementedError
"""


def _exercise(tmp_path, yaml_text, reference):
    path = tmp_path / "exercises" / "9.9-fixture.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml_text, encoding="utf-8")
    solution = tmp_path / "reference.py"
    solution.write_text(reference, encoding="utf-8")
    return load_exercise(path), solution


def _grade(tmp_path, runner, yaml_text, reference, student):
    ex, solution = _exercise(tmp_path, yaml_text, reference)
    file = tmp_path / "student.py"
    file.write_text(textwrap.dedent(student), encoding="utf-8")
    result = grade(ex, file, solution, 3, runner)
    return result, [p for r in result.results for p in r.problems]


def _doc_table() -> str:
    doc = (ROOT / "docs" / "authoring.md").read_text(encoding="utf-8")
    start = doc.index("<!-- check kinds:")
    start = doc.index("\n", start) + 1
    return doc[start:doc.index("<!-- end of check kinds -->")]


def test_the_authoring_docs_table_is_what_the_classes_render():
    assert _doc_table() == table(), "paste grader.grading.checks.table() into docs/authoring.md"
    assert all(f"| `{name}` |" in table() for name in KINDS) and len(KINDS) == 16


def test_every_kind_module_imports_and_validates_an_exercise_without_torch():
    code = ("import sys, pathlib; import grader.grading.checks as c; from grader.course.model import load_exercise\n"
            "for path in sorted(pathlib.Path('exercises').glob('*.yaml')): load_exercise(path)\n"
            "assert 'torch' not in sys.modules, 'torch imported'; print(len(c.KINDS))")
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == str(len(KINDS))


def _load_error(tmp_path, text: str) -> ExerciseFileError:
    path = tmp_path / "9.9-fixture.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ExerciseFileError) as raised:
        load_exercise(path)
    return raised.value


def test_a_check_missing_a_required_option_is_named_with_its_line(tmp_path):
    e = _load_error(tmp_path, USES.replace("uses: {calls: [torch.autograd.grad]}", "uses: {call: [torch.autograd.grad]}"))
    assert e.line == 12 and "unknown field" in e.message and "calls" in e.message
    e = _load_error(tmp_path, USES.replace("uses: {calls: [torch.autograd.grad]}", "uses: {}"))
    assert e.field == "functions[0].checks[1].uses.calls" and "missing" in e.message


def test_a_function_named_by_a_check_must_exist(tmp_path):
    e = _load_error(tmp_path, CONTIGUOUS.replace('message: {en: "return', 'also: [transposd]\n          message: {en: "return'))
    assert e.field == "functions[0].checks[1].relation.also[0]"
    assert "no function 'transposd' in this exercise" in e.message


def test_what_a_function_needs_observed_comes_from_its_checks_classes(tmp_path):
    ex, _ = _exercise(tmp_path, USES, BY_GRAD)
    fn = ex.functions[0]
    assert monitor_spec(fn) == {"calls": [], "allow": [], "uses": ["torch.autograd.grad"]}
    assert probes_for(fn) == ()
    ex, _ = _exercise(tmp_path, CONTIGUOUS, "")
    (probe,) = probes_for(ex.functions[0])
    assert probe.startswith("relation:") and "is_contiguous" in probe
    assert probes_for(ex.functions[0], by_verdict=True) == ()  # a known mistake is not judged by a relation


def test_uses_passes_a_function_that_calls_autograd_grad_however_imported(tmp_path, runner):
    for source in (BY_GRAD, IMPORTED_GRAD):
        result, found = _grade(tmp_path, runner, USES, BY_GRAD, source)
        assert result.passed, [p.message for p in found]


def test_uses_fails_an_analytic_answer_and_names_the_call_not_made(tmp_path, runner):
    result, found = _grade(tmp_path, runner, USES, BY_GRAD, ANALYTIC)
    assert [p.kind for p in found] == ["uses"]  # its values are right: only the rule is broken
    assert "did not call `torch.autograd.grad`" in found[0].says("en")
    assert "`torch.autograd.grad`" in found[0].says("zh") and "没有调用" in found[0].says("zh")


def test_uses_fails_a_function_that_differentiates_another_way(tmp_path, runner):
    backward = """\
    def second_derivative(fn, x):
        fn(x).sum().backward(create_graph=True)
        first = x.grad
        x.grad = None
        first.sum().backward()
        return x.grad
    """
    result, found = _grade(tmp_path, runner, USES, BY_GRAD, backward)
    assert [p.kind for p in found] == ["uses"]


def test_a_relation_is_judged_on_the_returned_object_itself(tmp_path, runner):
    reference = "def transposed(x):\n    return x.t().contiguous()\n"
    result, found = _grade(tmp_path, runner, CONTIGUOUS, reference, reference)
    assert result.passed, [p.message for p in found]
    # Equal values, but a strided view: the values sent back are a contiguous copy, the object was not.
    result, found = _grade(tmp_path, runner, CONTIGUOUS, reference, "def transposed(x):\n    return x.t()\n")
    assert [(p.kind, p.says("en")) for p in found] == [("relation", "return a contiguous copy")]
    assert found[0].says("zh") == "请返回连续的副本"


def test_a_relation_that_cannot_be_evaluated_says_why(tmp_path, runner):
    reference = "def transposed(x):\n    return x.t().contiguous()\n"
    result, found = _grade(tmp_path, runner, CONTIGUOUS, reference, "def transposed(x):\n    return x.t().tolist()\n")
    relation = [p for p in found if p.kind == "relation"]
    assert relation and "AttributeError" in relation[0].details_in("en")[0]


def test_the_monitor_records_required_calls_as_written_and_forbidden_ones_as_made():
    import numpy as np
    import torch

    from grader.sandbox.inside.monitor import Monitor

    monitor = Monitor(calls=["torch.cos"], uses=["torch.Tensor.backward", "aten.mul", "np.linalg.norm",
                                                 "torch.autograd.grad"])
    monitor.install()  # wraps torch.cos, np.linalg.norm and torch.autograd.grad in this process: restored below
    try:
        x = torch.ones(3, requires_grad=True)
        with monitor.watching():
            (x * 2).cos().sum().backward()
            np.linalg.norm(np.ones(3))
        assert monitor.take_used() == ["aten.mul", "torch.Tensor.backward", "np.linalg.norm"]
        assert monitor.take() == ["torch.cos"]
        torch.autograd.grad((x * x).sum(), x)  # not watching: not recorded
        assert monitor.take_used() == []
    finally:
        torch.cos = torch.cos.__wrapped__
        np.linalg.norm = np.linalg.norm.__wrapped__
        torch.autograd.grad = torch.autograd.grad.__wrapped__
