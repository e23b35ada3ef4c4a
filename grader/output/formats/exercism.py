"""Exercism's results.json (version 3): one status, a message when nothing could run, a test per check."""
from __future__ import annotations

import json
from typing import TYPE_CHECKING

from ..safe_text import clean
from .common import CODE_CAP, EXERCISM_MESSAGE_CAP, Status, _file, _message, _overall, _printed, _total

if TYPE_CHECKING:
    from ..results import ExerciseReport


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
