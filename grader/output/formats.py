"""Machine-readable renderings of grading results: Exercism JSON, Gradescope, JUnit, GitHub.

Every renderer takes the reports of one run (one exercise, or all) and returns text;
tests stay in exercise order, then file order, and every format carries the total. Each
is valid against its published specification (the schemas in tests/schemas/) whatever
the submission did: every string that came from the student's process goes through
`safe_text.clean`, capped, so a document's size is bounded by the course's number of
checks, not by what a submission prints, raises or returns.
"""
from __future__ import annotations

import json
import math
import os
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import TYPE_CHECKING

from .safe_text import clean

from .results import Status

if TYPE_CHECKING:
    from .results import ExerciseReport, TestResult

FORMATS = ("text", "json", "junit", "gradescope", "github")

MESSAGE_CAP = 2000  # characters of one check's failure text, or of one exercise's import error
OUTPUT_CAP = 500  # characters of one check's printed output, notice included (as Exercism asks)
TRUNCATED = "... Output was truncated. Please limit to 500 chars"
FILE_CAP = 200  # characters of a file name: a submission names its own files
CODE_CAP = 1000  # characters of a test's code (the call, with its inputs)
EXERCISM_MESSAGE_CAP = 65535  # Exercism's limit for the top-level message
ANNOTATIONS = 10  # GitHub shows 10 error annotations per step; more are dropped
ANNOTATION_CAP = 1000  # characters of one annotation's message


def _message(text) -> str | None:
    return clean(text, MESSAGE_CAP) if text else None


def _printed(text) -> str | None:
    return clean(text, OUTPUT_CAP, TRUNCATED) if text else None


def _file(report: ExerciseReport) -> str:
    return clean(report.file, FILE_CAP)


def _overall(reports: list[ExerciseReport]) -> str:
    """pass, fail, or error only when nothing could run: every test errored."""
    statuses = [t.status for r in reports for t in r.tests] or [r.status for r in reports]
    if statuses and all(s == Status.ERROR for s in statuses):
        return Status.ERROR
    return Status.PASS if all(s == Status.PASS for s in statuses) else Status.FAIL


def _total(reports):
    return round(sum(r.score for r in reports), 6), round(sum(r.max_score for r in reports), 6)


def exercism_json(reports: list[ExerciseReport]) -> str:
    """The Exercism test-runner interface, version 3, plus a score per exercise and in total
    (top-level keys of our own, which readers of the interface ignore)."""
    status = _overall(reports)
    errors = [f"{r.id} {r.slug}: {_message(r.message) or 'error'}" for r in reports if r.status == Status.ERROR]
    score, max_score = _total(reports)
    tests = []
    for r in reports:
        for t in r.tests:
            test = {"name": t.name, "status": t.status, "message": _message(t.message),
                    "test_code": clean(t.test_code, CODE_CAP), "task_id": t.task_id}
            if t.output:
                test["output"] = _printed(t.output)
            tests.append(test)
    doc = {
        "version": 3,
        "status": status,
        "message": clean("\n".join(errors), EXERCISM_MESSAGE_CAP) if status == Status.ERROR else None,
        "tests": tests,
        "score": score,
        "max_score": max_score,
        "exercises": [{"id": r.id, "slug": r.slug, "file": _file(r), "status": r.status, "message": _message(r.message),
                       "score": r.score, "max_score": r.max_score, "seed": r.seed, "sandbox": r.isolation}
                      for r in reports],
    }
    return json.dumps(doc, ensure_ascii=False, indent=2) + "\n"


def _visibility(test: TestResult) -> str:
    """A hidden case as the YAML hides it: for good, or until a date (Gradescope's due date)."""
    if test.hidden is True:
        return "hidden"
    return "after_due_date" if test.hidden else "visible"


def gradescope(reports: list[ExerciseReport]) -> str:
    """Gradescope's results.json: points per test, and the total. Only the specification's
    fields; every text shown as plain text (Gradescope renders the top-level output as HTML
    unless told otherwise)."""
    score, _ = _total(reports)
    tests = []
    for r in reports:
        for i, t in enumerate(r.tests):
            printed = _printed(t.output)
            tests.append({"name": t.name, "number": f"{r.id}.{i + 1}", "score": t.score, "max_score": t.max_score,
                          "status": "passed" if t.status == Status.PASS else "failed",
                          "output": "\n\n".join(x for x in (_message(t.message), printed and f"printed:\n{printed}") if x),
                          "visibility": _visibility(t)})
    doc = {
        "score": score,
        "execution_time": math.ceil(sum(t.seconds for r in reports for t in r.tests)),
        "output": "\n".join(f"{r.id} {r.slug}: {r.score:g}/{r.max_score:g}"
                            + (f" ({_message(r.message)})" if r.message else "") for r in reports),
        "output_format": "text",
        "test_output_format": "text",
        "test_name_format": "text",
        "visibility": "visible",
        "tests": tests,
    }
    return json.dumps(doc, ensure_ascii=False, indent=2) + "\n"


def _seconds(value: float) -> str:
    return f"{value:.3f}"


def junit(reports: list[ExerciseReport]) -> str:
    """JUnit XML, valid against the JUnit structure of Jenkins xUnit's junit-10 schema: a testsuite per exercise (with
    the student's file), a testcase per check; <error> for a check that could not run,
    <failure> for a wrong answer, the failing line in its text."""
    def count(tests, status):
        return str(sum(t.status == status for t in tests))

    everything = [t for r in reports for t in r.tests]
    score, max_score = _total(reports)
    root = ET.Element("testsuites", name=f"tutor: {score:g}/{max_score:g} points", tests=str(len(everything)),
                      failures=count(everything, Status.FAIL), errors=count(everything, Status.ERROR),
                      time=_seconds(sum(t.seconds for t in everything)))
    for r in reports:
        file = _file(r)
        suite = ET.SubElement(root, "testsuite", name=f"{r.id} {r.slug}", tests=str(len(r.tests)),
                              failures=count(r.tests, Status.FAIL), errors=count(r.tests, Status.ERROR),
                              time=_seconds(sum(t.seconds for t in r.tests)), file=file)
        properties = ET.SubElement(suite, "properties")
        for name, value in (("score", f"{r.score:g}/{r.max_score:g}"), ("seed", str(r.seed)),
                            ("sandbox", r.isolation)):
            ET.SubElement(properties, "property", name=name, value=value)
        for t in r.tests:
            case = ET.SubElement(suite, "testcase", classname=f"{r.id}.{r.slug}", name=t.name.split(" ", 1)[1],
                                 time=_seconds(t.seconds))
            if t.status != Status.PASS:
                message = _message(t.message) or t.status
                where = f"{file}:{t.line}" if t.line else file
                ET.SubElement(case, "failure" if t.status == Status.FAIL else "error",
                              message=message.splitlines()[0], type=t.status).text = f"{message}\nat {where}"
            if t.output:
                ET.SubElement(case, "system-out").text = _printed(t.output)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def _workspace_path(file: str, workspace: Path) -> str:
    """The file as GitHub places annotations: relative to the workspace when inside it."""
    path = Path(file)
    if path.is_absolute():
        try:
            return path.resolve().relative_to(workspace.resolve()).as_posix()
        except ValueError:
            pass
    return path.as_posix()


def github_annotations(reports: list[ExerciseReport], workspace: Path | None = None) -> str:
    """Workflow commands: one ::error per failing function (its first failing check, with how
    many more fail), at its file and line; the functions that lose the most points first, at
    most ANNOTATIONS of them (GitHub drops the rest), the last saying how many were left out."""
    workspace = workspace or Path(os.environ.get("GITHUB_WORKSPACE") or os.getcwd())
    found = []  # (points lost, could not run, order, location, title, message)
    for r in reports:
        file = _workspace_path(_file(r), workspace)
        failing = [t for t in r.tests if t.status != Status.PASS]
        if r.status == Status.ERROR and all(t.status == Status.ERROR for t in r.tests):
            # Nothing ran (the file does not import): one annotation says why, for the exercise.
            line = next((t.line for t in r.tests if t.line), None)
            # An exercise file that does not load could be worth anything: it comes first.
            lost = r.max_score - r.score if r.loaded else math.inf
            found.append((lost, True, len(found), (file, line), f"{r.id} {r.slug}",
                          _message(r.message) or "error"))
            continue
        by_function: dict[str, list] = {}
        for t in failing:
            by_function.setdefault(t.function, []).append(t)
        for function, tests in by_function.items():
            first = tests[0]
            more = f"\n(and {len(tests) - 1} more failing checks of {function})" if len(tests) > 1 else ""
            found.append((sum(t.max_score for t in tests), any(t.status == Status.ERROR for t in tests), len(found),
                          (file, first.line), first.name, clean(first.message or first.status, ANNOTATION_CAP) + more))
    found.sort(key=lambda f: (-f[0], not f[1], f[2]))
    if len(found) > ANNOTATIONS:
        left_out = len(found) - ANNOTATIONS + 1
        found = found[:ANNOTATIONS - 1] + [(0, False, 0, None, "tutor",
                                             f"{left_out} more failing functions: see the job summary")]
    lines = []
    for *_, location, title, message in found:
        where = ""
        if location:
            file, line = location
            where = f" file={_escape_property(file)}" + (f",line={line}" if line else "") + ","
        lines.append(f"::error{where or ' '}title={_escape_property(title)}::{_escape_data(message)}")
    return "\n".join(lines) + ("\n" if lines else "")


def _cell(text: str) -> str:
    """Text for a Markdown table cell: one line, no column break, no HTML."""
    return (clean(text, 300).replace("\n", " ").replace("|", "\\|")
            .replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;"))


def github_summary(reports: list[ExerciseReport]) -> str:
    """A Markdown summary for $GITHUB_STEP_SUMMARY: a row per exercise, and the total."""
    score, max_score = _total(reports)
    out = [f"## tutor: {score:g}/{max_score:g} points", "", "| exercise | status | points | failing checks |",
           "|---|---|---|---|"]
    for r in reports:
        failing = [t.name.split(" ", 1)[1] for t in r.tests if t.status != Status.PASS]
        shown = ", ".join(failing[:5]) + (f" and {len(failing) - 5} more" if len(failing) > 5 else "")
        mark = {Status.PASS: "✅ pass", Status.FAIL: "❌ fail", Status.ERROR: "⚠️ error"}[r.status]
        out.append(f"| {_cell(f'{r.id} {r.slug}')} | {mark} | {r.score:g}/{r.max_score:g} | {_cell(shown)} |")
    out.append(f"| **total** | {'✅ pass' if _overall(reports) == 'pass' else '❌ fail'} | "
               f"**{score:g}/{max_score:g}** | |")
    return "\n".join(out) + "\n"


RENDERERS = {"json": exercism_json, "gradescope": gradescope, "junit": junit, "github": github_annotations}
