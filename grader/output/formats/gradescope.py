"""Gradescope's results.json: a score, and a test per check with its visibility."""
from __future__ import annotations

import json
import math
from typing import TYPE_CHECKING

from .common import Status, _failure, _message, _printed, _total, _why

if TYPE_CHECKING:
    from ...grading.results import CheckResult, ExerciseResult


def _visibility(test: CheckResult) -> str:
    """A hidden case as the YAML hides it: for good, or until a date (Gradescope's due date)."""
    if test.hidden is True:
        return "hidden"
    return "after_due_date" if test.hidden else "visible"


def gradescope(results: list[ExerciseResult], lang: str = "en") -> str:
    """Gradescope's results.json: points per test, and the total. Only the specification's
    fields; every text shown as plain text (Gradescope renders the top-level output as HTML
    unless told otherwise)."""
    score, _ = _total(results)
    tests = []
    for r in results:
        for i, t in enumerate(r.results):
            message, printed = _message(_failure(t, lang)), _printed(t)
            tests.append({"name": t.name, "number": f"{r.id}.{i + 1}", "score": t.score, "max_score": t.max_score,
                          "status": "passed" if t.status == Status.PASS else "failed",
                          "output": "\n\n".join(x for x in (message, printed and f"printed:\n{printed}") if x),
                          "visibility": _visibility(t)})
    doc = {
        "score": score,
        "execution_time": math.ceil(sum(t.seconds for r in results for t in r.results)),
        "output": "\n".join(f"{r.id} {r.slug}: {r.score:g}/{r.max_score:g}"
                            + (f" ({_why(r, lang)})" if r.message else "") for r in results),
        "output_format": "text",
        "test_output_format": "text",
        "test_name_format": "text",
        "visibility": "visible",
        "tests": tests,
    }
    return json.dumps(doc, ensure_ascii=False, indent=2) + "\n"
