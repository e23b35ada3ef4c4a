"""For authors (`tutor validate`, and CI): the course is consistent end to end.

Like rustlings' `dev check`: every reference solution passes all its checks when graded
as a student's file through the sandbox, every untouched starter fails and scores 0, and every
known mistake fails with its own hint.
"""
from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path

from rich.console import Console
from rich.markup import escape

from ..course.catalog import Course
from ..grading.judge import ExerciseResult, judge, run_student
from ..course.model import Exercise
from ..output.results import score
from ..sandbox.runner import GraderError


@dataclass
class Finding:
    exercise: str
    what: str
    ok: bool
    detail: str = ""


def mistake_source(course: Course, ex: Exercise, index: int) -> str:
    """A submission that is the reference except for one known mistake."""
    return course.solution_file(ex).read_text(encoding="utf-8") + "\n\n" + ex.mistakes[index].code


def _first_problem(result: ExerciseResult) -> str:
    if result.import_problem:
        return result.import_problem.message
    for row in result.results:
        if row.problems:
            return f"{row.function} ({row.label.en}): {row.problems[0].message}"
    return ""


def validate_exercise(course: Course, ex: Exercise, runner, seed: int) -> list[Finding]:
    findings = []
    solution = course.solution_file(ex)
    references: dict = {}  # the reference's outcomes, computed once for all the files graded here

    def grade(path: Path) -> ExerciseResult:
        run = run_student(ex, path, seed, runner, hide=course.protected)
        return judge(ex, path, solution, seed, run, references=references)

    try:
        result = grade(solution)
        findings.append(Finding(ex.id, "solution passes", result.passed, _first_problem(result)))
        with tempfile.TemporaryDirectory(prefix="tutor-validate-") as tmp:
            starter = Path(tmp) / f"{ex.file_stem}.py"
            starter.write_text(ex.starter, encoding="utf-8")
            result = grade(starter)
            earned = score(result)
            findings.append(Finding(ex.id, "starter fails and scores 0", not result.passed and earned == 0,
                                    f"the starter scores {earned:g}/{ex.points:g}"))
            for index, mistake in enumerate(ex.mistakes):
                wrong = Path(tmp) / f"{ex.file_stem}-mistake{index}.py"
                wrong.write_text(mistake_source(course, ex, index), encoding="utf-8")
                result = grade(wrong)
                hinted = any(mistake.hint in p.hints for row in result.results for p in row.problems)
                findings.append(Finding(ex.id, f"mistake {index + 1} ({mistake.function}) is named",
                                        not result.passed and hinted,
                                        "passes" if result.passed else f"fails without its hint: {_first_problem(result)}"))
    except GraderError as exc:
        findings.append(Finding(ex.id, "grades at all", False, str(exc)))
    return findings


def validate_course(course: Course, exercises: list[Exercise], runner, seed: int, console: Console) -> bool:
    ok = True
    for ex in exercises:
        for f in validate_exercise(course, ex, runner, seed):
            ok &= f.ok
            mark = "[green]✓[/green]" if f.ok else "[red]✗[/red]"
            console.print(f"{mark} {f.exercise} {escape(f.what)}" + ("" if f.ok else f"  [dim]{escape(f.detail)}[/dim]"))
    console.print(f"{len(exercises)} exercises; seed {seed}; {'all good' if ok else 'problems above'}")
    return ok
