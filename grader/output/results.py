"""Grading results as data for machines: one model, scored, that every format renders.

Points: an exercise is worth its YAML `points` (default 1), shared among its functions
by their `points` (default 1 each); a function's share is split among its rows (each
input case, by the case's `points`, default 1; and the whole-function checks, weight 1,
when it has any). A row scores when it passes: partial credit per exercise, function
and case.
"""
from __future__ import annotations

import ast
import datetime
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING

from ..grading.cases import expand_all
from ..messages.ui import say

if TYPE_CHECKING:
    from ..grading.judge import CaseResult, ExerciseResult
    from ..course.loader import ExerciseFileError


class Status(str, Enum):
    """A check's or an exercise's outcome, as every format names it."""
    PASS = "pass"
    FAIL = "fail"
    ERROR = "error"  # could not be checked: the sandbox could not run it (timeout, crash), or nothing could run

    __str__ = str.__str__  # the plain value wherever it is written, on every Python
    __format__ = str.__format__


@dataclass
class TestResult:
    """One check. Its strings are as the grader got them: the formats clean and cap them."""
    name: str  # unique within its exercise
    function: str
    status: Status
    message: str | None
    output: str | None
    test_code: str
    task_id: int  # the function's place in the exercise: the prompt's tasks are its functions
    score: float
    max_score: float
    line: int | None = None  # in the student's file: where it failed, else the function's def
    seconds: float = 0.0  # how long the student's call ran
    hidden: bool | datetime.date = False  # a hidden check: always (True), or until a date


@dataclass
class ExerciseReport:
    id: str
    slug: str
    file: str
    status: Status  # error: nothing could run (the file does not import)
    message: str | None
    score: float
    max_score: float
    isolation: str
    seed: int
    tests: list[TestResult] = field(default_factory=list)
    loaded: bool = True  # False: its exercise file does not load, so what it is worth is unknown


def _message(row: CaseResult, lang: str) -> str | None:
    if row.passed:
        return None
    lines = []
    for problem in row.problems:
        lines.append(problem.says(lang))
        lines += [f"  {d}" for d in problem.details_in(lang)]
        lines += [f"  {say('hint', lang)}{h.get(lang).strip()}" for h in problem.hints]
    return "\n".join(lines)


def _def_lines(path: Path) -> dict[str, int]:
    """Where each top-level function of the student's file is defined (the last definition
    wins, as when Python runs the file); nothing when it does not parse."""
    try:
        tree = ast.parse(path.read_text(encoding="utf-8", errors="replace"))
    except (OSError, SyntaxError, ValueError):
        return {}
    return {node.name: node.lineno for node in tree.body if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))}


def _rows_cases(result: ExerciseResult):
    """Each row's case (None for a whole-function row), in the order `judge` made the rows."""
    cases = expand_all(result.exercise, result.seed)
    for fn in result.exercise.functions:
        yield from cases[fn.name]
        if any(c.scope == "function" for c in fn.checks):
            yield None


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
        status=Status.ERROR if result.import_problem else (Status.PASS if result.passed else Status.FAIL),
        message=result.import_problem.says(lang) if result.import_problem else None,
        score=score(result), max_score=ex.points, isolation=result.isolation.en, seed=result.seed)
    defs = _def_lines(Path(result.file))
    names: set[str] = set()
    for (row, share), case in zip(_shares(result), _rows_cases(result), strict=True):
        failed_to_run = result.import_problem is not None or any(p.kind == "failure" for p in row.problems)
        status = Status.PASS if row.passed else (Status.ERROR if failed_to_run else Status.FAIL)
        earned = share if row.passed else 0.0
        hidden = row.hidden
        name, k = f"{ex.id} {row.function} ({row.label.en})", 1
        while name in names:  # two cases with one label ("seed" twice): names must still differ
            k += 1
            name = f"{ex.id} {row.function} ({row.label.en} #{k})"
        names.add(name)
        outcome = result.outcomes.get((row.function, case.index)) if case else None
        failed_at = None if hidden else next((p.line for p in row.problems if p.line), None)
        report.tests.append(TestResult(
            name=name, function=row.function, status=status,
            message=("hidden check" if not row.passed else None) if hidden else _message(row, lang),
            output=None if hidden or not row.output else row.output,
            test_code=row.function if hidden or not row.inputs.en else f"{row.function}({row.inputs.get(lang)})",
            task_id=task[row.function], score=earned, max_score=share,
            line=failed_at or defs.get(row.function), seconds=outcome.seconds if outcome else 0.0,
            hidden=case.spec.hidden if hidden and case else False))
    return report


def unloadable(error: ExerciseFileError, seed: int, lang: str = "en") -> ExerciseReport:
    """An exercise file that does not load, as a report of its own with one check that could
    not run: every format then names it (file and line), and no run over the others is green.
    Its points are unknown (the file cannot be read for them), so it is worth 0 of 0."""
    stem = Path(error.file).stem
    ident, _, slug = stem.partition("-")
    message = say("unloadable", lang, error=str(error))
    test = TestResult(name=f"{ident} {slug or stem} (exercise file)", function="", status=Status.ERROR,
                      message=message, output=None, test_code="", task_id=1, score=0.0, max_score=0.0,
                      line=error.line)
    return ExerciseReport(id=ident, slug=slug or stem, file=error.file, status=Status.ERROR, message=message,
                          score=0.0, max_score=0.0, isolation="", seed=seed, tests=[test], loaded=False)
