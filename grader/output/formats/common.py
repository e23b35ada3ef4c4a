"""What every format shares: the caps on what a student's process wrote, and the overall
status and total of a run's reports."""
from __future__ import annotations

from typing import TYPE_CHECKING

from ..safe_text import clean
from ..results import Status

if TYPE_CHECKING:
    from ..results import ExerciseReport

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
