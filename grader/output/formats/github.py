"""GitHub Actions: error annotations on the student's lines, and the step summary's table."""
from __future__ import annotations

import math
import os
from pathlib import Path
from typing import TYPE_CHECKING

from ..safe_text import clean
from .common import ANNOTATION_CAP, ANNOTATIONS, Status, _failure, _file, _overall, _total, _why

if TYPE_CHECKING:
    from ...grading.results import ExerciseResult


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


def github_annotations(results: list[ExerciseResult], lang: str = "en", workspace: Path | None = None) -> str:
    """Workflow commands: one ::error per failing function (its first failing check, with how
    many more fail), at its file and line; the functions that lose the most points first, at
    most ANNOTATIONS of them (GitHub drops the rest), the last saying how many were left out."""
    workspace = workspace or Path(os.environ.get("GITHUB_WORKSPACE") or os.getcwd())
    found = []  # (points lost, could not run, order, location, title, message)
    for r in results:
        file = _workspace_path(_file(r), workspace)
        failing = [t for t in r.results if t.status != Status.PASS]
        if r.status == Status.ERROR and all(t.status == Status.ERROR for t in r.results):
            # Nothing ran (the file does not import): one annotation says why, for the exercise.
            line = next((t.line for t in r.results if t.line), None)
            # An exercise file that does not load could be worth anything: it comes first.
            lost = r.max_score - r.score if r.loaded else math.inf
            found.append((lost, True, len(found), (file, line), f"{r.id} {r.slug}",
                          _why(r, lang) or "error"))
            continue
        by_function: dict[str, list] = {}
        for t in failing:
            by_function.setdefault(t.function, []).append(t)
        for function, tests in by_function.items():
            first = tests[0]
            more = f"\n(and {len(tests) - 1} more failing checks of {function})" if len(tests) > 1 else ""
            message = clean(_failure(first, lang) or first.status, ANNOTATION_CAP) + more
            found.append((sum(t.max_score for t in tests), any(t.status == Status.ERROR for t in tests), len(found),
                          (file, first.line), first.name, message))
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


def github_summary(results: list[ExerciseResult]) -> str:
    """A Markdown summary for $GITHUB_STEP_SUMMARY: a row per exercise, and the total."""
    score, max_score = _total(results)
    out = [f"## tutor: {score:g}/{max_score:g} points", "", "| exercise | status | points | failing checks |",
           "|---|---|---|---|"]
    for r in results:
        failing = [t.name.split(" ", 1)[1] for t in r.results if t.status != Status.PASS]
        shown = ", ".join(failing[:5]) + (f" and {len(failing) - 5} more" if len(failing) > 5 else "")
        mark = {Status.PASS: "✅ pass", Status.FAIL: "❌ fail", Status.ERROR: "⚠️ error"}[r.status]
        out.append(f"| {_cell(f'{r.id} {r.slug}')} | {mark} | {r.score:g}/{r.max_score:g} | {_cell(shown)} |")
    out.append(f"| **total** | {'✅ pass' if _overall(results) == 'pass' else '❌ fail'} | "
               f"**{score:g}/{max_score:g}** | |")
    return "\n".join(out) + "\n"
