"""Grading results as data for machines: one model, scored, that every format renders.

Points: an exercise is worth its YAML `points` (default 1), shared among its functions
by their `points` (default 1 each); a function's share is split among its rows (each
input case, by the case's `points`, default 1; and the whole-function checks, weight 1,
when it has any). A row scores when it passes: partial credit per exercise, function
and case.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from .ui import say

if TYPE_CHECKING:
    from .grading import CaseResult, ExerciseResult

OUTPUT_CAP = 500  # characters of a test's printed output, as the Exercism interface asks
TRUNCATED = "... Output was truncated. Please limit to 500 chars"


@dataclass
class TestResult:
    name: str
    function: str
    status: str  # pass, fail, or error (the sandbox could not run it: timeout, crash)
    message: str | None
    output: str | None
    test_code: str
    task_id: int
    score: float
    max_score: float
    line: int | None = None  # in the student's file, where the failure has one


@dataclass
class ExerciseReport:
    id: str
    slug: str
    file: str
    status: str  # pass, fail, or error (nothing could run: the file does not import)
    message: str | None
    score: float
    max_score: float
    isolation: str
    seed: int
    tests: list[TestResult] = field(default_factory=list)


def _message(row: CaseResult, lang: str) -> str | None:
    if row.passed:
        return None
    lines = []
    for problem in row.problems:
        lines.append(problem.says(lang))
        lines += [f"  {d}" for d in problem.details_in(lang)]
        lines += [f"  {say('hint', lang)} {h.get(lang).strip()}" for h in problem.hints]
    return "\n".join(lines)


def _output(text: str) -> str | None:
    if not text:
        return None
    return text if len(text) <= OUTPUT_CAP else text[:OUTPUT_CAP] + TRUNCATED


def _shares(result: ExerciseResult):
    """Each row with its share of the exercise's points."""
    ex = result.exercise
    weights = {fn.name: fn.points for fn in ex.functions}
    total_weight = sum(weights.values()) or 1.0
    row_weights = {fn.name: sum(r.weight for r in result.results if r.function == fn.name) for fn in ex.functions}
    for row in result.results:
        yield row, ex.points * weights[row.function] / total_weight * row.weight / (row_weights[row.function] or 1.0)


def score(result: ExerciseResult) -> float:
    """The points a result earns (of `result.exercise.points`), as `build` counts them."""
    return round(sum(share for row, share in _shares(result) if row.passed), 6)


def build(result: ExerciseResult, lang: str = "en") -> ExerciseReport:
    ex = result.exercise
    task = {fn.name: i + 1 for i, fn in enumerate(ex.functions)}
    report = ExerciseReport(
        id=ex.id, slug=ex.slug, file=str(result.file),
        status="error" if result.import_problem else ("pass" if result.passed else "fail"),
        message=result.import_problem.says(lang) if result.import_problem else None,
        score=score(result), max_score=ex.points, isolation=result.isolation, seed=result.seed)
    for row, share in _shares(result):
        failed_to_run = result.import_problem is not None or any(p.kind == "failure" for p in row.problems)
        status = "pass" if row.passed else ("error" if failed_to_run else "fail")
        earned = share if row.passed else 0.0
        hidden = row.hidden
        report.tests.append(TestResult(
            name=f"{ex.id} {row.function} ({row.label})", function=row.function, status=status,
            message=("hidden check" if not row.passed else None) if hidden else _message(row, lang),
            output=None if hidden else _output(row.output),
            test_code=row.function if hidden or not row.inputs.en else f"{row.function}({row.inputs.get(lang)})",
            task_id=task[row.function], score=earned, max_score=share,
            line=None if hidden else next((p.line for p in row.problems if p.line), None)))
    return report
