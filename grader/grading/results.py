"""Grading results: one model, built once by the judge, scored, that every output renders.

Each row keeps its problems as bilingual data, as the checks made them: the terminal, the
HTML pages and each machine format render the one model in the language asked of them.
It lives in grading, beside the judge that builds it, so that output/ reads grading and
grading never imports output; no torch here (the machine formats import it).

Points: an exercise is worth its YAML `points` (default 1), shared among its functions
by their `points` (default 1 each); a function's share is split among its rows (each
input case, by the case's `points`, default 1; and the whole-function checks, weight 1,
when it has any). A row scores when it passes: partial credit per exercise, function
and case.
"""
from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING

from .checks.base import Problem
from ..messages.text import Text
from ..messages.ui import WORDS

if TYPE_CHECKING:
    from ..course.loader import ExerciseFileError
    from ..course.model import Exercise


class Status(str, Enum):
    """A check's or an exercise's outcome, as every format names it."""
    PASS = "pass"
    FAIL = "fail"
    ERROR = "error"  # could not be checked: the sandbox could not run it (timeout, crash), or nothing could run

    __str__ = str.__str__  # the plain value wherever it is written, on every Python
    __format__ = str.__format__


@dataclass
class CheckResult:
    """One row of an exercise's report: a case of a function, or its whole-function checks."""
    name: str  # unique within its exercise
    function: str
    label: Text
    inputs: Text
    status: Status
    problems: list[Problem] = field(default_factory=list)
    output: str = ""  # what the student's call printed
    task_id: int = 1  # the function's place in the exercise: the prompt's tasks are its functions
    line: int | None = None  # in the student's file: where it failed, else the function's def
    seconds: float = 0.0  # how long the student's call ran
    hidden: bool | datetime.date = False  # only its name and verdict shown: for good (True), or until a date
    weight: float = 1.0  # its share of the function's points, relative to the function's other rows
    score: float = 0.0  # of max_score, its share of the exercise's points (`share_points`)
    max_score: float = 0.0

    @property
    def passed(self) -> bool:
        return self.status == Status.PASS

    def test_code(self, lang: str) -> str:
        """The call it checks, as code, in one language (its inputs may be megabytes of a
        student's text: no copy is made for another)."""
        inputs = self.inputs.get(lang)
        return f"{self.function}({inputs})" if inputs else self.function


@dataclass
class ExerciseResult:
    id: str
    slug: str
    file: Path | str  # the file graded, as reports name it
    seed: int
    isolation: Text  # the sandbox line
    exercise: Exercise | None = None  # None: its exercise file does not load (`unloadable`)
    results: list[CheckResult] = field(default_factory=list)
    status: Status = Status.PASS  # error: nothing could be checked (the file does not import)
    message: Text | None = None  # why nothing could be checked: the import problem, or a file the submission lacks
    score: float = 0.0
    max_score: float = 0.0
    confined: bool = False  # the sandbox held every property (its line is then only shown on request)
    import_problem: Problem | None = None
    outcomes: dict = field(default_factory=dict)  # the student's, by (function, case index)

    @property
    def passed(self) -> bool:
        return self.status == Status.PASS

    @property
    def loaded(self) -> bool:
        """False: its exercise file does not load, so what it is worth is unknown."""
        return self.exercise is not None

    @property
    def counts(self) -> tuple[int, int]:
        return sum(r.passed for r in self.results), len(self.results)


def share_points(result: ExerciseResult) -> None:
    """Each row's share of the exercise's points, what it earns, and the exercise's score."""
    ex = result.exercise
    weights = {fn.name: fn.points for fn in ex.functions}
    total_weight = sum(weights.values()) or 1.0
    row_weights = {fn.name: sum(r.weight for r in result.results if r.function == fn.name) for fn in ex.functions}
    for row in result.results:
        row.max_score = ex.points * weights[row.function] / total_weight * row.weight / (row_weights[row.function] or 1.0)
        row.score = row.max_score if row.passed else 0.0
    result.score = round(sum(row.max_score for row in result.results if row.passed), 6)
    result.max_score = ex.points


def unloadable(error: ExerciseFileError, seed: int) -> ExerciseResult:
    """An exercise file that does not load, as a result of its own with one check that could
    not run: every format then names it (file and line), and no run over the others is green.
    Its points are unknown (the file cannot be read for them), so it is worth 0 of 0."""
    stem = Path(error.file).stem
    ident, _, slug = stem.partition("-")
    message = WORDS["unloadable"].format(error=str(error))
    check = CheckResult(f"{ident} {slug or stem} (exercise file)", "", Text.same(""), Text.same(""), Status.ERROR,
                        [Problem(message)], line=error.line)
    return ExerciseResult(ident, slug or stem, error.file, seed, Text.same(""), results=[check], status=Status.ERROR,
                          message=message)
