"""For authors (`tutor validate`, and CI): the course is consistent end to end.

Like rustlings' `dev check`: every reference solution passes all its checks when graded
as a student's file through the sandbox, every untouched starter fails and scores 0, and every
known mistake fails with its own hint. Also what the loader cannot know without torch: that
every name a `forbidden` check lists exists (the loader checks only their form).
"""
from __future__ import annotations

import importlib
import tempfile
from dataclasses import dataclass
from pathlib import Path

from rich.console import Console
from rich.markup import escape

from ..course.catalog import Course
from ..grading.judge import judge, run_student
from ..grading.results import ExerciseResult
from ..course.model import Exercise
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


def _exists(call: str) -> bool:
    """Whether a `forbidden` check's PREFIX.NAME names a function of the installed torch (a
    torch function or Tensor method, or an aten operator), numpy or the standard library."""
    import torch

    prefix, _, name = call.rpartition(".")
    if name == "*":
        return True
    if prefix == "aten":
        return hasattr(torch.ops.aten, name)
    if prefix in ("Tensor", "torch.Tensor"):
        return hasattr(torch.Tensor, name)
    if prefix == "torch":
        return hasattr(torch, name) or hasattr(torch.Tensor, name)
    return hasattr(importlib.import_module({"np": "numpy"}.get(prefix, prefix)), name)


def _backward_node_exists(name: str) -> bool:
    import torch

    return name.rpartition("::")[2] in dir(torch._C._functions)  # every autograd node's class


def unknown_forbidden_names(ex: Exercise) -> list[str]:
    """Each name a `forbidden` check lists that does not exist here, with its check's file:line
    (a typo such as torch.tensr would never be seen called, and the check would always pass)."""
    missing = []
    for fn in ex.functions:
        for check in fn.all_checks():
            if check.kind != "forbidden":
                continue
            where = f"{ex.path}:{check.line}"
            missing += [f"{where}: no such call {call!r}" for call in check.options["calls"] if not _exists(call)]
            missing += [f"{where}: no autograd node {node!r}" for node in check.options.get("allow_in_backward", [])
                        if not _backward_node_exists(node)]
    return missing


def validate_exercise(course: Course, ex: Exercise, runner, seed: int) -> list[Finding]:
    findings = []
    if any(c.kind == "forbidden" for fn in ex.functions for c in fn.all_checks()):
        missing = unknown_forbidden_names(ex)
        findings.append(Finding(ex.id, "forbidden calls exist", not missing, "; ".join(missing)))
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
            earned = result.score
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
