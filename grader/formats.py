"""Machine-readable renderings of grading results: Exercism JSON, Gradescope, JUnit, GitHub.

Every renderer takes the reports of one run (one exercise, or all) and returns text;
tests stay in exercise order, then file order, and every format carries the total.
"""
from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # cli.py reads FORMATS, and `tutor list` must not import torch
    from .results import ExerciseReport

FORMATS = ("text", "json", "junit", "gradescope", "github")


def _overall(reports: list[ExerciseReport]) -> str:
    if reports and all(r.status == "error" for r in reports):
        return "error"
    return "pass" if all(r.status == "pass" for r in reports) else "fail"


def _total(reports):
    return round(sum(r.score for r in reports), 6), round(sum(r.max_score for r in reports), 6)


def exercism_json(reports: list[ExerciseReport]) -> str:
    """The Exercism test-runner interface, version 3, plus a score per exercise and in total
    (extra keys, which readers of the interface ignore)."""
    status = _overall(reports)
    errors = [f"{r.id} {r.slug}: {r.message}" for r in reports if r.status == "error"]
    score, max_score = _total(reports)
    doc = {
        "version": 3,
        "status": status,
        "message": "\n".join(errors) if status == "error" else None,
        "tests": [{"name": t.name, "status": t.status, "message": t.message, "output": t.output,
                   "test_code": t.test_code, "task_id": t.task_id}
                  for r in reports for t in r.tests],
        "score": score,
        "max_score": max_score,
        "exercises": [{"id": r.id, "slug": r.slug, "file": r.file, "status": r.status, "message": r.message,
                       "score": r.score, "max_score": r.max_score, "seed": r.seed, "sandbox": r.isolation}
                      for r in reports],
    }
    return json.dumps(doc, ensure_ascii=False, indent=2) + "\n"


def gradescope(reports: list[ExerciseReport]) -> str:
    """Gradescope's results.json: points per test, and the total."""
    score, max_score = _total(reports)
    doc = {
        "score": score,
        "max_score": max_score,
        "output": "\n".join(f"{r.id} {r.slug}: {r.score:g}/{r.max_score:g}"
                            + (f" ({r.message})" if r.message else "") for r in reports),
        "visibility": "visible",
        "tests": [{"name": t.name, "number": f"{r.id}.{i + 1}", "score": t.score,
                   "max_score": t.max_score, "status": "passed" if t.status == "pass" else "failed",
                   "output": "\n\n".join(x for x in (t.message, t.output and f"printed:\n{t.output}") if x),
                   "visibility": "visible"}
                  for r in reports for i, t in enumerate(r.tests)],
    }
    return json.dumps(doc, ensure_ascii=False, indent=2) + "\n"


def junit(reports: list[ExerciseReport]) -> str:
    """JUnit XML: a testsuite per exercise, a testcase per check."""
    def count(tests, status):
        return str(sum(t.status == status for t in tests))

    everything = [t for r in reports for t in r.tests]
    score, max_score = _total(reports)
    root = ET.Element("testsuites", name=f"tutor: {score:g}/{max_score:g} points", tests=str(len(everything)),
                      failures=count(everything, "fail"), errors=count(everything, "error"))
    for r in reports:
        suite = ET.SubElement(root, "testsuite", name=f"{r.id} {r.slug}", tests=str(len(r.tests)),
                              failures=count(r.tests, "fail"), errors=count(r.tests, "error"))
        ET.SubElement(ET.SubElement(suite, "properties"), "property", name="score",
                      value=f"{r.score:g}/{r.max_score:g}")
        for t in r.tests:
            case = ET.SubElement(suite, "testcase", classname=f"{r.id}.{r.slug}",
                                 name=t.name.split(" ", 1)[1], file=r.file, **({"line": str(t.line)} if t.line else {}))
            if t.status != "pass":
                tag = "failure" if t.status == "fail" else "error"
                ET.SubElement(case, tag, message=(t.message or "").splitlines()[0] if t.message else "").text = t.message
            if t.output:
                ET.SubElement(case, "system-out").text = t.output
    ET.indent(root)
    return ET.tostring(root, encoding="unicode", xml_declaration=True) + "\n"


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def github_annotations(reports: list[ExerciseReport]) -> str:
    """Workflow commands: an ::error for each failing check, at the file and line when known."""
    lines = []
    for r in reports:
        for t in r.tests:
            if t.status == "pass":
                continue
            where = f"file={_escape_property(r.file)}" + (f",line={t.line}" if t.line else "")
            lines.append(f"::error {where},title={_escape_property(t.name)}::{_escape_data(t.message or t.status)}")
        if r.status == "error" and not r.tests:
            lines.append(f"::error file={_escape_property(r.file)},title={r.id} {r.slug}::{_escape_data(r.message or '')}")
    return "\n".join(lines) + ("\n" if lines else "")


def github_summary(reports: list[ExerciseReport]) -> str:
    """A Markdown summary for $GITHUB_STEP_SUMMARY."""
    score, max_score = _total(reports)
    out = [f"## tutor: {score:g}/{max_score:g} points", "", "| exercise | status | points | failing checks |",
           "|---|---|---|---|"]
    for r in reports:
        failing = [t.name.split(" ", 1)[1] for t in r.tests if t.status != "pass"]
        shown = ", ".join(failing[:5]) + (f" and {len(failing) - 5} more" if len(failing) > 5 else "")
        mark = {"pass": "✅ pass", "fail": "❌ fail", "error": "⚠️ error"}[r.status]
        out.append(f"| {r.id} {r.slug} | {mark} | {r.score:g}/{r.max_score:g} | {shown.replace('|', '/')} |")
    return "\n".join(out) + "\n"


RENDERERS = {"json": exercism_json, "gradescope": gradescope, "junit": junit, "github": github_annotations}
