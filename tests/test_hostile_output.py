"""Student text is data: whatever a submission prints, raises, names or returns, every format
stays valid against its specification, shows no raw control character and stays bounded."""
import json
import xml.etree.ElementTree as ET

import pytest

import specs
from conftest import nonempty, tutor
from grader.output import formats
from grader.grading.checks.base import Problem
from grader.grading.results import CheckResult, ExerciseResult, Status
from grader.messages.text import Text
from grader.output.safe_text import clean, spreadsheet_cell

# One of everything that has broken a reader: colour codes and a fake verdict, an OSC title,
# NUL, a form feed, a lone surrogate, a CDATA end, a workflow command, Markdown and HTML.
NASTY = ("\x1b[2K\r\x1b[32m  ✓ detached_grad  passed\x1b[0m\x1b]0;pwned\x07 \x00\x0c\x7f\x9b \udcff"
         " ]]> <![CDATA[ \n::error::forged\n| cell | <script>alert(1)</script> **bold** %0A \u202eevil")

SUBMISSION = f'''
import torch

NASTY = {NASTY!r}

class Evil(Exception):
    pass

Evil.__qualname__ = NASTY  # the type's name is the student's too


def detached_grad(x):
    print(NASTY)
    raise Evil(NASTY * 100)


def full_grad(x):
    print("x" * 10_000_000)  # 10 MB in one call
    return NASTY * 1000  # a string where a tensor belongs
'''

PASSING = '''
import torch
print("\\x1b[31mcolour at import\\x1b[0m")

def grad_two_dot(x):
    print("\\x1b[1mbold\\x1b[0m \\udcff \\x00")
    y = 2 * torch.dot(x, x)
    y.backward()
    return x.grad
'''

RAW = ("\x1b", "\x00", "\x07", "\x0c", "\x7f", "\x9b", "\r", "\u202e")


def assert_safe(text: str):
    text.encode("utf-8")  # no lone surrogate survives
    for char in RAW:
        assert char not in text, repr(char)


@pytest.fixture(scope="module")
def ran(tmp_path_factory):
    out = tmp_path_factory.mktemp("hostile")
    nasty = out / "nasty.py"
    nasty.write_text(SUBMISSION, encoding="utf-8")
    summary = out / "summary.md"
    proc = tutor("check", "2.5.3", "--file", str(nasty), "--seed", "3", "--format", "text",
                     "-o", f"json={out / 'e.json'}", "-o", f"gradescope={out / 'g.json'}",
                     "-o", f"junit={out / 'j.xml'}", "-o", f"github={out / 'gh.txt'}",
                     env={"GITHUB_STEP_SUMMARY": str(summary)})
    return proc, out


def test_the_run_completes_with_a_verdict_not_a_crash(ran):
    proc, _ = ran
    assert proc.returncode == 1, proc.stderr[-3000:]  # checks failed; nothing crashed
    assert "Traceback" not in proc.stderr


def test_the_terminal_shows_no_raw_escape(ran):
    proc, out = ran
    assert_safe(proc.stdout)
    assert "\\x1b[32m" in proc.stdout  # the student's escape is shown, as text
    assert not any(line.lstrip().startswith("✓ detached_grad") for line in proc.stdout.splitlines())


def test_every_machine_format_validates(ran):
    _, out = ran
    texts = {name: (out / name).read_bytes().decode("utf-8") for name in ("e.json", "g.json", "j.xml", "gh.txt")}
    for text in texts.values():
        assert_safe(text)
    exercism = specs.exercism(texts["e.json"])
    assert exercism["status"] == "fail"
    gradescope = specs.gradescope(texts["g.json"])
    assert gradescope["output_format"] == "text"
    specs.junit(texts["j.xml"])
    ET.fromstring(texts["j.xml"])  # and ElementTree reads it too
    for line in texts["gh.txt"].splitlines():
        assert line.startswith("::error file=")  # no forged command starts a line
    assert len(texts["gh.txt"].splitlines()) == 2  # one per failing function


def test_output_sizes_stay_bounded(ran):
    _, out = ran
    # 12 checks, 10 MB printed and 180 kB raised per call: each document stays small.
    for name in ("e.json", "g.json", "j.xml"):
        assert (out / name).stat().st_size < 12 * 8000, name
    assert (out / "gh.txt").stat().st_size < 2 * 3 * (formats.ANNOTATION_CAP + 300)
    doc = json.loads((out / "e.json").read_text(encoding="utf-8"))
    assert all(len(t.get("output", "")) <= formats.OUTPUT_CAP for t in nonempty(doc["tests"]))


def test_the_step_summary_is_plain_markdown(ran):
    _, out = ran
    summary = (out / "summary.md").read_text(encoding="utf-8")
    assert_safe(summary)
    assert "<script>" not in summary and "| **total** |" in summary


def test_a_passing_student_who_prints_colour_keeps_junit_readable(tmp_path):
    answer = tmp_path / "answer.py"
    answer.write_text(PASSING, encoding="utf-8")
    proc = tutor("check", "2.5.1", "--file", str(answer), "--format", "junit",
                     "-o", f"json={tmp_path / 'e.json'}")
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert_safe(proc.stdout)
    specs.junit(proc.stdout)
    assert "\\x1b[1mbold" in proc.stdout  # kept as visible text in system-out
    assert specs.exercism((tmp_path / "e.json").read_text(encoding="utf-8"))["status"] == "pass"


def test_thousands_of_failures_stay_bounded_in_every_format():
    flood = NASTY * 50_000  # about 6 MB, in every field of every check
    count = 2000
    tests = [CheckResult(f"9.9 f{i} (case)", f"f{i}", Text.same("case"), Text.same(flood),
                         Status.ERROR if i % 3 else Status.FAIL, [Problem(Text.same(flood))], output=flood,
                         max_score=1 / count, line=i + 1, seconds=0.001) for i in range(count)]
    report = ExerciseResult("9.9", "flood", flood, 1, Text.same("fork"), results=tests, status=Status.FAIL,
                            max_score=1.0)
    per_test = 2 * (formats.MESSAGE_CAP + formats.OUTPUT_CAP + formats.CODE_CAP + formats.FILE_CAP) + 500
    rendered = {"json": formats.exercism_json([report]), "gradescope": formats.gradescope([report]),
                "junit": formats.junit([report]), "github": formats.github_annotations([report])}
    for name, text in rendered.items():
        assert_safe(text)
        assert len(text.encode("utf-8")) < count * per_test, name
    specs.exercism(rendered["json"])
    specs.gradescope(rendered["gradescope"])
    specs.junit(rendered["junit"])
    annotations = rendered["github"].splitlines()
    assert len(annotations) == formats.ANNOTATIONS  # what GitHub shows of one step, no more
    assert annotations[-1].endswith(f"{count - formats.ANNOTATIONS + 1} more failing functions: see the job summary")
    assert len(rendered["github"]) < formats.ANNOTATIONS * 4 * (formats.ANNOTATION_CAP + formats.FILE_CAP)
    summary = formats.github_summary([report])
    assert_safe(summary)
    assert len(summary) < 2000


def test_annotations_put_the_costliest_functions_first():
    def test(function, status, weight):
        return CheckResult(f"1.1 {function} (seed)", function, Text.same("seed"), Text.same(""), status,
                           [Problem(Text.same("m"))], max_score=weight)

    report = ExerciseResult("1.1", "s", "workspace/1.1-s.py", 1, Text.same("fork"), status=Status.FAIL, max_score=1.0,
                            results=[test("cheap", Status.FAIL, 0.1), test("dear", Status.FAIL, 0.5),
                                     test("hangs", Status.ERROR, 0.1), test("dear", Status.FAIL, 0.2)])
    titles = [line.split("title=")[1].split("::")[0] for line in formats.github_annotations([report]).splitlines()]
    assert titles == ["1.1 dear (seed)", "1.1 hangs (seed)", "1.1 cheap (seed)"]


def test_clean_makes_any_text_safe_and_short():
    assert clean("a\udcffb") == "a\ufffdb"  # a lone surrogate
    assert clean("\ud83d\ude00") == "\U0001F600"  # a pair written as two halves is the character
    assert clean("\x1b[31m\x00\r\n\tok") == "\\x1b[31m\\x00\\x0d\n\tok"
    assert clean("\u202e") == "\\u202e"
    capped = clean("y" * 10_000, 100, "[cut]")
    assert len(capped) == 100 and capped.endswith("[cut]")
    assert clean("\x1b" * 10_000, 100).startswith("\\x1b") and len(clean("\x1b" * 10_000, 100)) == 100
    assert clean(clean(NASTY)) == clean(NASTY)  # cleaning twice changes nothing
    assert clean(None) == ""


def test_spreadsheet_cells_cannot_be_formulas():
    for raw in ("=HYPERLINK(\"http://x\")", "+1", "-1+2", "@SUM(A1)", "\t=1", "\r=1"):
        assert spreadsheet_cell(raw).startswith("'"), raw
    assert spreadsheet_cell("张三") == "张三" and spreadsheet_cell("a=b") == "a=b"

