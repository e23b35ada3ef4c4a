"""What every format shares: the caps on what a student's process wrote, a check's texts in
the language asked for, and the overall status and total of a run's results."""
from __future__ import annotations

from typing import TYPE_CHECKING

from ..safe_text import clean
from ...grading.results import Status
from ...messages.ui import say

if TYPE_CHECKING:
    from ...grading.results import CheckResult, ExerciseResult

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


def _failure(test: CheckResult, lang: str) -> str | None:
    """What a check found wrong: each problem with its details and hints (of a hidden check,
    only that it failed); None when it passed."""
    if test.passed:
        return None
    if test.hidden:
        return "hidden check"
    lines = []
    for problem in test.problems:
        lines.append(problem.says(lang))
        lines += [f"  {d}" for d in problem.details_in(lang)]
        lines += [f"  {say('hint', lang)}{h.get(lang).strip()}" for h in problem.hints]
    return "\n".join(lines)


def _printed(test: CheckResult) -> str | None:
    """What a check's call printed, capped (nothing of a hidden check)."""
    return clean(test.output, OUTPUT_CAP, TRUNCATED) if test.output and not test.hidden else None


def _code(test: CheckResult, lang: str) -> str:
    """The call a check makes (of a hidden check, only the function's name)."""
    return test.function if test.hidden else test.test_code(lang)


def _why(result: ExerciseResult, lang: str) -> str | None:
    """Why nothing of an exercise could be checked, capped."""
    return _message(result.message.get(lang)) if result.message else None


def _file(result: ExerciseResult) -> str:
    return clean(result.file, FILE_CAP)


def _overall(results: list[ExerciseResult]) -> str:
    """pass, fail, or error only when nothing could run: every test errored."""
    statuses = [t.status for r in results for t in r.results] or [r.status for r in results]
    if statuses and all(s == Status.ERROR for s in statuses):
        return Status.ERROR
    return Status.PASS if all(s == Status.PASS for s in statuses) else Status.FAIL


def _total(results):
    return round(sum(r.score for r in results), 6), round(sum(r.max_score for r in results), 6)
