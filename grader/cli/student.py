"""The students' commands: where they are, the exercises, checking their files, hints."""
from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer
from rich.markup import escape
from rich.table import Table
from rich.text import Text as RichText

from ..course import workspace
from ..course.catalog import Course, find_root, section_of
from ..messages.text import Text
from ..messages.ui import say, section_title
from ..output.safe_text import clean

from .base import (USAGE_ERROR, Lang, Solutions, _course, _course_and_sandbox, _exercise, _judging,
                   _require_references, _runner, _sandbox_ended_on_failure, _shown, _version, _voice, _Voice, app,
                   console, err, exercise_argument)


@app.callback(invoke_without_command=True)
def welcome(ctx: typer.Context, lang: Optional[str] = Lang,
            version: bool = typer.Option(False, "--version", callback=_version, is_eager=True)):
    # With no command: where you are, and what to do next. (Every help text: messages/help.py.)
    if ctx.invoked_subcommand is not None:
        return
    from ..course.catalog import BUNDLED

    v = _voice(lang)
    lang = v.lang
    course = _course(v)
    if course.root == BUNDLED and not Path.cwd().resolve().is_relative_to(BUNDLED):
        console.print(v("no course here", root=escape(str(course.root))))
    state = workspace.load_state(course)
    statuses = [workspace.status(course, ex, state) for ex in course.exercises]
    upcoming = next((ex for ex, s in zip(course.exercises, statuses) if s != "passed"), None)
    console.print(say("exercises passed", lang, passed=statuses.count("passed"), total=len(statuses)))
    if upcoming is None:
        console.print(say("all done", lang))
    else:
        console.print(escape(say("next", lang, id=upcoming.id, title=upcoming.title.get(lang))))
    console.print(say("more", lang))


@app.command()
def init(target: Path = typer.Argument(Path(".")),
         lang: Optional[str] = Lang):
    import shutil

    v = _voice(lang)
    course = _course(v)
    if (target / "exercises").exists() or (target / "workspace").exists():
        v.fail(escape(v("has a course", target=target)))
    target.mkdir(parents=True, exist_ok=True)
    # No references: grading here uses the ones tutor came with (`Course.solution_file`), and
    # `tutor solution` shows one once the student's answer passes.
    shutil.copytree(course.exercises_dir, target / "exercises")
    fresh = Course(target)
    for ex in fresh.exercises:
        workspace.ensure_file(fresh, ex)
    go = "" if target.resolve() == Path.cwd().resolve() else f"cd {target} && "
    console.print(escape(v("laid out", count=len(fresh.exercises), folder=_shown(target.resolve() / "workspace"),
                              go=go, id=fresh.exercises[0].id)))


@app.command("list")
def list_(lang: Optional[str] = Lang):
    from ..course import index

    v = _voice(lang)
    lang = v.lang
    course = Course(find_root())
    exercises = index.cached(course)  # no YAML parsing while no exercise file changed
    broken = False
    if exercises is None:
        course = _course(v)
        exercises, broken = course.exercises, bool(course.errors)
        index.save(course)
    state = workspace.load_state(course)
    table = Table(show_edge=False, pad_edge=False)
    for col in ("id", "slug", "title", "status"):
        col = say(col, lang)
        table.add_column(col)
    statuses = [workspace.status(course, ex, state) for ex in exercises]
    upcoming = next((i for i, s in enumerate(statuses) if s != "passed"), None)
    sections: dict[str, list[int]] = {}  # in curriculum order: by d2l section, each with its progress
    for i, ex in enumerate(exercises):
        sections.setdefault(section_of(ex.id), []).append(i)
    for section, members in sections.items():
        if table.rows:
            table.add_section()
        passed = sum(statuses[i] == "passed" for i in members)
        table.add_row(f"[bold]{section}[/bold]", "", f"[bold]{escape(section_title(section, lang))}[/bold]",
                      say("passed count", lang, passed=passed, total=len(members)))
        for i in members:
            table.add_row(*_exercise_row(exercises[i], statuses[i], lang, next_one=i == upcoming))
    console.print(table)
    passed = statuses.count("passed")
    from rich.progress_bar import ProgressBar

    bar = Table.grid(padding=(0, 1))
    bar.add_row(ProgressBar(total=len(statuses), completed=passed, width=40),
                say("passed count", lang, passed=passed, total=len(statuses)))
    console.print(bar)
    if broken:
        raise typer.Exit(USAGE_ERROR)


_STYLES = {"passed": "green", "failing": "red", "changed": "yellow", "not started": "dim"}


def _exercise_row(ex, status: str, lang: str, next_one: bool = False, note: str = "") -> tuple[str, ...]:
    marker = f"  [bold]{say('next marker', lang)}[/bold]" if next_one else ""
    return (ex.id, ex.slug, escape(ex.title.get(lang)) + (f"  [dim]{escape(note)}[/dim]" if note else ""),
            f"[{_STYLES[status]}]{say(status, lang)}[/]{marker}")


def _show_section(course: Course, section: str, lang: str) -> None:
    """A d2l section's exercises: its own, then those numbered elsewhere that cover it too."""
    own = [ex for ex in course.exercises if section_of(ex.id) == section]
    others = [ex for ex in course.exercises if section in ex.covers and ex not in own]
    state = workspace.load_state(course)
    console.rule(f"{section} — {escape(section_title(section, lang))}".rstrip(" —"))
    console.print(say("section exercises", lang, section=section))
    table = Table(show_edge=False, pad_edge=False)
    for col in ("id", "slug", "title", "status"):
        table.add_column(say(col, lang))
    for ex in own + others:
        note = say("notes numbering", lang) if ex in others else ""
        table.add_row(*_exercise_row(ex, workspace.status(course, ex, state), lang, note=note))
    console.print(table)
    console.print(say("start one", lang))


@app.command()
def show(exercise: str = exercise_argument(), lang: Optional[str] = Lang):
    v = _voice(lang)
    lang = v.lang
    course = _course(v)
    if not any(exercise in (ex.id, ex.slug) for ex in course.exercises) and any(
            section_of(ex.id) == exercise or exercise in ex.covers for ex in course.exercises):
        return _show_section(course, exercise, lang)
    ex = _exercise(v, course, exercise)
    path, created = workspace.ensure_file(course, ex)
    from ..output.wrap import print_markdown  # only here and in hint: `tutor list` stays lean

    console.rule(f"{ex.id} {ex.slug} — {ex.title.get(lang)}")
    print_markdown(console, ex.prompt.get(lang), lang)
    console.print(f"\n[bold]{say('write', lang)}[/bold]")
    for fn in ex.functions:
        console.print(f"  def {escape(fn.signature)}")
    console.print(f"\n[bold]{say('edit', lang)}[/bold] {_shown(path)}"
                  + (f"  [dim]{say('created', lang)}[/dim]" if created else ""))
    console.print(f"[bold]{say('then run', lang)}[/bold] tutor check {ex.id}")


def _require_full_sandbox(v: _Voice, runner, course: Course) -> None:
    from ..sandbox.runner import GraderError

    try:
        gaps = runner.gaps(hide=course.protected)
    except GraderError as exc:
        v.fail(escape(v("strict no start", error=str(exc))))
    if gaps:
        v.fail(escape(v("strict incomplete", gaps=Text.joined(gaps, "; "))))


def _save_traceback() -> str:
    import tempfile
    import traceback

    with tempfile.NamedTemporaryFile("w", prefix="tutor-error-", suffix=".txt", delete=False) as f:
        traceback.print_exc(file=f)
    return f.name


@app.command()
def check(
    ctx: typer.Context,
    exercise: Optional[str] = exercise_argument(None),
    file: Optional[Path] = typer.Option(None, "--file", "-f"),
    all_: bool = typer.Option(False, "--all"),
    seed: Optional[int] = typer.Option(None, "--seed"),
    strict: bool = typer.Option(False, "--strict", envvar="TUTOR_STRICT"),
    solutions: Optional[Path] = Solutions,
    format_: str = typer.Option("text", "--format"),
    outputs: Optional[list[str]] = typer.Option(None, "--output", "-o", metavar="FORMAT=PATH"),
    plot: Optional[Path] = typer.Option(None, "--plot", metavar="FILE.png"),
    verbose: bool = typer.Option(False, "--verbose", "-v"),
    lang: Optional[str] = Lang,
):
    from ..output.formats import FORMATS

    v = _voice(lang)
    lang = v.lang
    writes = _parse_outputs(v, outputs or [])
    if format_ not in FORMATS:
        v.fail(escape(v("unknown format", format=format_, formats=Text.joined(list(FORMATS)))))
    if all_ == (exercise is not None):
        v.fail(v("one or all"))
    if file is not None and all_:
        v.fail(v("file needs one"))
    if file is not None and not file.is_file():
        v.fail(escape(v("is a directory" if file.is_dir() else "no such file", file=file)))
    if plot is not None and all_:
        v.fail(v("plot needs one"))
    # check --all reports a broken exercise file in its text report, not beside it
    course, server = _course_and_sandbox(v, solutions, quiet=all_ and format_ == "text", workspace=file is None)
    from ..grading import recorded  # a student copy checks its visible cases from recorded outcomes

    with _sandbox_ended_on_failure(server):
        targets = course.exercises if all_ else [_exercise(v, course, exercise)]
        run_seed = _judging(v, course, targets, seed)
    runner = _runner(v, targets, course, server=server)  # torch is imported here, and only here
    from ..grading.judge import grade_many
    from ..grading.results import unloadable
    from ..output.terminal import render
    from ..sandbox.runner import GraderError

    if strict:
        _require_full_sandbox(v, runner, course)
    all_passed = True
    results = []
    files = [_as_python(v, ctx, file, ex) if file else (path := workspace.ensure_file(course, ex)[0], _shown(path))
             for ex in targets]
    paths = [path for path, _ in files]
    graded = grade_many([(ex, path, recorded.reference_path(course, ex)) for ex, path in zip(targets, paths)],
                        run_seed, runner, hide=course.protected)
    from_recordings = any(recorded.from_recording(course, ex) for ex in targets)
    for ex, (path, shown) in zip(targets, files):
        try:
            result = next(graded)
        except GraderError as exc:
            v.fail(escape(v("cannot grade", id=ex.id, error=exc)))
        except Exception as exc:  # a bug in tutor: say so, keep the traceback for the report
            v.fail(escape(v("tutor bug", id=ex.id, error=clean(f"{type(exc).__name__}: {exc}", 2000),
                              file=_save_traceback())))
        if format_ == "text":
            render(console, result, lang, shown, verbose or strict)  # --strict shows what held
        results.append(result)
        if file is None:
            workspace.record_check(course, ex, path, result.passed)
            if result.passed and format_ == "text" and not from_recordings:  # a copy has no solution to show
                console.print(f"  [dim]{say('compare', lang, id=ex.id)}[/dim]")
        all_passed &= result.passed
    # An exercise that could not be loaded was not checked: the run fails as a broken file does.
    broken = [unloadable(error, run_seed) for error in course.errors] if all_ else []
    if format_ == "text":
        for result in broken:
            render(console, result, lang)
        if all_:
            _total(v, results)
        if from_recordings:
            console.print(say("hidden on submission", lang))
    _emit(v, results + broken, format_, writes)
    if plot is not None:
        _draw(v, results[0], plot)
    raise typer.Exit(USAGE_ERROR if broken else 0 if all_passed else 1)


def _total(v: _Voice, results) -> None:
    passed = sum(r.passed for r in results)
    words = say("check total", v.lang, passed=passed, count=len(results), score=f"{sum(r.score for r in results):.3g}",
                max=f"{sum(r.max_score for r in results):g}")
    console.print(f"[bold {'green' if passed == len(results) else 'red'}]{words}[/]")


def _draw(v: _Voice, result, path: Optional[Path]) -> None:
    """Draw a result's picture to a PNG file, or in the terminal when no file is named."""
    from ..output.plot import PlotError, draw, render

    try:
        if path is None:
            console.print(RichText.from_ansi(render(result, v.lang, console.width, console.is_terminal)))
        else:
            note = draw(result, path, v.lang)
            err.print(escape(v("drew", file=_shown(path)) + (f" ({note.get(v.lang)})" if note else "")))
    except PlotError as exc:
        v.fail(escape(exc.text.get(v.lang)), 1)
    except OSError as exc:
        v.fail(escape(str(exc)), 1)


@app.command()
def plot(
    ctx: typer.Context,
    exercise: str = exercise_argument(),
    file: Optional[Path] = typer.Option(None, "--file", "-f"),
    output: Optional[Path] = typer.Option(None, "--output", "-o", metavar="FILE.png"),
    seed: Optional[int] = typer.Option(None, "--seed"),
    solutions: Optional[Path] = Solutions,
    lang: Optional[str] = Lang,
):
    v = _voice(lang)
    lang = v.lang
    course = _course(v, solutions, workspace=file is None)
    ex = _exercise(v, course, exercise)
    if file is not None and not file.is_file():
        v.fail(escape(v("is a directory" if file.is_dir() else "no such file", file=file)))
    run_seed = _judging(v, course, [ex], seed)
    runner = _runner(v, [ex], course)
    from ..grading.judge import grade_many
    from ..grading.recorded import reference_path
    from ..sandbox.runner import GraderError

    path = _as_python(v, ctx, file, ex)[0] if file else workspace.ensure_file(course, ex)[0]
    try:
        result = next(grade_many([(ex, path, reference_path(course, ex))], run_seed, runner,
                                 hide=course.protected))
    except GraderError as exc:
        v.fail(escape(v("cannot grade", id=ex.id, error=exc)))
    if result.passed and ex.plot is None:  # no figure, and no difference to draw: nothing is wrong
        from ..messages.feedback import said

        console.print(escape(said("nothing to draw", more="").get(lang)))
        raise typer.Exit(0)
    _draw(v, result, output)


def _as_python(v: _Voice, ctx: typer.Context, file: Path, exercise) -> tuple[Path, str]:
    """The file to grade, and how the report names it: of a notebook, the exercise's program
    from its code cells, as a .py in a folder of this command's (removed when it ends), named
    with the cells it came from."""
    if file.suffix != ".ipynb":
        return file.resolve(), _shown(file)
    import tempfile

    from ..notebook.files import program_file

    folder = Path(ctx.with_resource(tempfile.TemporaryDirectory(prefix="tutor-nb-")))
    try:
        path, program = program_file(file, exercise, folder)
    except Exception as exc:  # not JSON, or not a notebook
        v.fail(escape(v("not a notebook", file=file, error=exc)))
    if program.loose:  # a cell that would have raised, say, no longer counts: the student is told it is left out
        loose = v("nb loose" if len(program.loose) > 1 else "nb loose one", file=_shown(file),
                  cells=Text.joined([str(n) for n in program.loose]))
        err.print(f"[yellow]![/yellow] {escape(loose)}")
    cells = program.cells
    named = v("nb cells" if len(cells) > 1 else "nb cell", cells=Text.joined([str(n) for n in cells])) \
        if cells else v("nb no cells")
    return path, f"{_shown(file)} ({named})"


def _parse_outputs(v: _Voice, specs: list[str]) -> list[tuple[str, Path]]:
    from ..output.emit import OutputSpecError, parse_outputs
    from ..output.formats import FORMATS

    try:
        return parse_outputs(specs)
    except OutputSpecError as exc:
        v.fail(escape(v("output spec", formats=Text.joined(list(FORMATS)), spec=str(exc))))


def _emit(v: _Voice, results, format_: str, writes: list[tuple[str, Path]]) -> None:
    from ..output.emit import WriteError, emit

    try:
        emit(results, format_, writes, v.lang)
    except WriteError as exc:
        v.fail(escape(v("cannot write", format=exc.fmt, file=exc.path, error=str(exc.error))))


@app.command()
def solution(exercise: str = exercise_argument(),
             solutions: Optional[Path] = Solutions, lang: Optional[str] = Lang):
    from rich.syntax import Syntax

    v = _voice(lang)
    lang = v.lang
    course = _course(v, solutions, workspace=True)
    ex = _exercise(v, course, exercise)
    if workspace.status(course, ex, workspace.load_state(course)) != "passed":
        err.print(escape(say("pass first", lang, id=ex.id)))
        raise typer.Exit(1)
    _require_references(v, course, [ex])
    console.print(Syntax(course.solution_file(ex).read_text(encoding="utf-8"), "python", line_numbers=True))


@app.command()
def notebooks(folder: Path = typer.Argument(...), lang: Optional[str] = Lang):
    from ..notebook.sections import write_notebooks

    v = _voice(lang)
    lang = v.lang
    course = _course(v)
    try:
        written = write_notebooks(course, folder, lang)
    except FileExistsError as exc:
        v.fail(escape(v("nb exists", file=_shown(Path(str(exc))))))
    console.print(escape(v("nb wrote", count=len(written), folder=_shown(folder))))


@app.command()
def watch(exercise: Optional[str] = exercise_argument(None),
          seed: Optional[int] = typer.Option(None, "--seed"),
          lang: Optional[str] = Lang, solutions: Optional[Path] = Solutions):
    v = _voice(lang)
    lang = v.lang
    course = _course(v, solutions, workspace=True)
    start = _exercise(v, course, exercise) if exercise else None
    run_seed = _judging(v, course, [start] if start else course.exercises, seed)
    runner = _runner(v, course.exercises, course, many_runs=True)
    from ..watch import watch as watch_files

    try:
        watch_files(course, start, runner, console, lang, run_seed)
    except KeyboardInterrupt:
        pass


@app.command()
def hint(exercise: str = exercise_argument(),
         number: Optional[int] = typer.Argument(None, min=1),
         all_: bool = typer.Option(False, "--all"),
         lang: Optional[str] = Lang):
    v = _voice(lang)
    lang = v.lang
    course = _course(v, workspace=True)
    ex = _exercise(v, course, exercise)
    if not ex.hints:
        console.print(say("no hints", lang))
        return
    if number is not None and number > len(ex.hints):
        v.fail(v("no such hint", n=number, total=len(ex.hints)))
    from ..output.wrap import print_markdown

    if all_:
        shown = range(len(ex.hints))
    elif number is not None:
        shown = [number - 1]
    else:
        shown = [workspace.next_hint(course, ex)]
    for index in shown:
        console.print(f"[bold]{say('hint header', lang, n=index + 1, total=len(ex.hints))}[/bold]")
        print_markdown(console, ex.hints[index].get(lang), lang)
    if not all_ and number is None and shown[0] == len(ex.hints) - 1 and len(ex.hints) > 1:
        console.print(f"[dim]{say('last hint', lang, id=ex.id)}[/dim]")


@app.command()
def reset(exercise: str = exercise_argument(),
          yes: bool = typer.Option(False, "--yes", "-y"), lang: Optional[str] = Lang):
    v = _voice(lang)
    course = _course(v, workspace=True)
    ex = _exercise(v, course, exercise)
    path = course.workspace_file(ex)
    if path.exists() and not yes and not typer.confirm(v("overwrite", file=_shown(path))):
        raise typer.Exit(1)
    workspace.reset(course, ex)
    console.print(escape(v("restored", file=_shown(path))))
