"""Exercism's results.json (version 3): one status, a message when nothing could run, a test per check."""
from __future__ import annotations

import json
from typing import TYPE_CHECKING

from ..safe_text import clean
from .common import (CODE_CAP, EXERCISM_MESSAGE_CAP, Status, _code, _failure, _file, _message, _overall, _printed,
                     _total, _why)

if TYPE_CHECKING:
    from ...grading.results import ExerciseResult


def exercism_json(results: list[ExerciseResult], lang: str = "en") -> str:
    """The Exercism test-runner interface, version 3, plus a score per exercise and in total
    (top-level keys of our own, which readers of the interface ignore)."""
    status = _overall(results)
    errors = [f"{r.id} {r.slug}: {_why(r, lang) or 'error'}" for r in results if r.status == Status.ERROR]
    score, max_score = _total(results)
    tests = []
    for r in results:
        for t in r.results:
            test = {"name": t.name, "status": t.status, "message": _message(_failure(t, lang)),
                    "test_code": clean(_code(t, lang), CODE_CAP), "task_id": t.task_id}
            printed = _printed(t)
            if printed:
                test["output"] = printed
            tests.append(test)
    doc = {
        "version": 3,
        "status": status,
        "message": clean("\n".join(errors), EXERCISM_MESSAGE_CAP) if status == Status.ERROR else None,
        "tests": tests,
        "score": score,
        "max_score": max_score,
        "exercises": [{"id": r.id, "slug": r.slug, "file": _file(r), "status": r.status, "message": _why(r, lang),
                       "score": r.score, "max_score": r.max_score, "seed": r.seed, "sandbox": r.isolation.en}
                      for r in results],
    }
    return json.dumps(doc, ensure_ascii=False, indent=2) + "\n"
