"""The instructors' and authors' commands: validating a course, publishing it, grading a class."""
from __future__ import annotations

import os
from pathlib import Path
from typing import Optional

import typer
from rich.markup import escape

from ..output.safe_text import clean

from .base import (Lang, Solutions, _course, _exercise, _require_references, _runner, _seed, _shown, _voice, _Voice,
                   app, console, err)


@app.command()
def validate(exercises: Optional[list[str]] = typer.Argument(None),
             seed: Optional[int] = typer.Option(None, "--seed"),
             solutions: Optional[Path] = Solutions, lang: Optional[str] = Lang):
    v = _voice(lang)
    course = _course(v, solutions)
    targets = [_exercise(v, course, key) for key in exercises] if exercises else course.exercises
    _require_references(v, course, targets)
    run_seed = _seed(v, seed)
    runner = _runner(v, targets, course, many_runs=True)  # each starter, reference and known mistake
    from ..instructor.validate import validate_course

    ok = validate_course(course, targets, runner, run_seed, console)
    ok &= not course.errors
    raise typer.Exit(0 if ok else 1)


@app.command("export-student")
def export_student(target: Path = typer.Argument(...), lang: Optional[str] = Lang):
    v = _voice(lang)
    course = _course(v)
    if target.exists() and any(target.iterdir()):
        v.fail(escape(v("not empty", target=target)))
    _require_references(v, course, course.exercises)  # their outcomes on the visible cases are recorded
    from ..instructor.export import ToolNotFound, export_student as export
    from ..sandbox.runner import GraderError

    try:
        written = export(course, target)
    except (ToolNotFound, GraderError) as exc:
        v.fail(escape(str(exc)))
    console.print(escape(v("exported", count=written, folder=_shown(target))))


@app.command()
def grade(
    submissions: list[Path] = typer.Argument(...),
    out: Path = typer.Option(..., "--out"),
    jobs: int = typer.Option(os.cpu_count() or 1, "--jobs", "-j", min=1),
    seed: int = typer.Option(1, "--seed"),
    shard_spec: Optional[str] = typer.Option(
        None, "--shard", metavar="K/N|auto"),
    solutions: Optional[Path] = Solutions,
    report: Optional[Path] = typer.Option(None, "--report", metavar="FILE.html"),
    lang: Optional[str] = Lang,
):
    from rich.progress import Progress

    from ..instructor import bulk

    v = _voice(lang)
    lang = v.lang
    course = _course(v, solutions)
    if course.errors:  # a gradebook without an exercise's column would look complete
        v.fail(v("class needs every exercise", count=len(course.errors)))
    _require_references(v, course, course.exercises)
    try:
        which = bulk.parse_shard(shard_spec)
        subs = bulk.shard(bulk.discover(submissions), which)
    except ValueError as exc:
        v.fail(escape(str(exc)))
    with Progress(console=err, transient=True) as progress:
        task = progress.add_task(v("grading"), total=None)
        rows, graded = bulk.grade_class(
            subs, course, out, seed, jobs,
            on_start=lambda count: progress.update(task, total=count, description=v("grading count", count=count,
                                                                                      total=len(subs))),
            on_done=lambda row: progress.advance(task))
    if which:
        bulk.record_shard(out, which, seed)
    shard_said = v("shard", k=which[0], n=which[1]) if which else ""
    console.print(escape(v("graded", shard=shard_said, count=len(subs), unchanged=len(subs) - graded,
                              file=_shown(out / "grades.csv"))))
    _write_pages(v, [out], report, partial=bool(which))
    failed = [r for r in rows if r.get("error")]
    for row in failed:
        err.print(f"[red]{v('error')}[/red] {escape(row['student'])}: {escape(clean(row['error'], 2000))}")
    raise typer.Exit(1 if failed else 0)


def _write_pages(v: _Voice, parts: list[Path], report: Optional[Path], partial: bool) -> None:
    """Each student's feedback page, and the class report when asked for."""
    from ..instructor.class_report import write

    try:
        count, missing = write(parts, v.lang, report, partial)
    except (ValueError, KeyError, OSError) as exc:
        v.fail(escape(str(exc)))
    if report is None:  # the students' pages only
        console.print(escape(v("wrote pages", folder=_shown(parts[0] / "students"))))
        return
    console.print(escape(v("wrote report", file=_shown(report), count=count)))
    if missing:
        err.print(escape(v("shards missing", shards=", ".join(missing))))


@app.command("report")
def report_(grades: list[Path] = typer.Argument(...),
            output: Path = typer.Option(Path("report.html"), "--output", "-o"),
            partial: bool = typer.Option(False, "--partial"),
            lang: Optional[str] = Lang):
    v = _voice(lang)
    lang = v.lang
    for folder in grades:
        if not (folder / "grades.csv").is_file():
            v.fail(escape(v("no such file", file=folder / "grades.csv")))
    _write_pages(v, grades, output, partial)


gradebook_app = typer.Typer(no_args_is_help=True)
app.add_typer(gradebook_app, name="gradebook")


@gradebook_app.command("merge")
def gradebook_merge(parts: list[Path] = typer.Argument(...),
                    out: Path = typer.Option(Path("grades.csv"), "--out"),
                    partial: bool = typer.Option(False, "--partial"), lang: Optional[str] = Lang):
    from ..instructor.bulk import merge_gradebooks

    v = _voice(lang)
    for part in parts:
        if not part.is_file():
            v.fail(escape(v("no such file", file=part)))
    try:
        count, missing = merge_gradebooks(parts, out, partial)
    except (ValueError, KeyError) as exc:
        v.fail(escape(str(exc)))
    console.print(escape(v("merged", count=count, file=_shown(out))))
    if missing:
        err.print(escape(v("merge missing", s="s" if len(missing) > 1 else "", shards=", ".join(missing))))


gradescope_app = typer.Typer(no_args_is_help=True)
app.add_typer(gradescope_app, name="gradescope")


@gradescope_app.command("build")
def gradescope_build(target: Path = typer.Argument(...),
                     solutions: Optional[Path] = Solutions, lang: Optional[str] = Lang):
    from ..instructor.export import ToolNotFound
    from ..instructor.gradescope import build

    v = _voice(lang)
    course = _course(v, solutions)
    _require_references(v, course, course.exercises)
    if target.exists() and any(target.iterdir()):
        v.fail(escape(v("not empty", target=target)))
    try:
        archive = build(course, target)
    except ToolNotFound as exc:
        v.fail(escape(str(exc)))
    console.print(escape(v("upload", file=_shown(archive))))
