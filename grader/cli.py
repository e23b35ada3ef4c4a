"""tutor: exercises and an autograder for the PyTorch preliminaries (Typer app; thin by design).

`list`, `show`, `hint` and `reset` never import torch; `check` and `validate` import it
lazily, once.
"""
from __future__ import annotations

import gc
import os
import shutil
import sys
from contextlib import contextmanager
from pathlib import Path
from typing import Optional

import typer
from typer.core import TyperGroup
from rich.console import Console
from rich.markup import escape
from rich.table import Table
from rich.text import Text as RichText

from .course.catalog import Course, UnknownExercise, find_root, section_of
from .course import workspace
from .output.safe_text import clean
from .messages.help import FRAME, help_text
from .messages.text import Text
from .messages.ui import WORDS, chosen_language, say, section_title


class _Localized(TyperGroup):
    """The app's command tree, its help in the language asked for. `--help` is answered while
    the arguments are parsed, before any command runs, so the language is read from them
    (and TUTOR_LANG, the locale) first, and the help texts and Typer's own words set from
    messages/help.py."""

    def main(self, args=None, *rest, **options):
        argv = list(sys.argv[1:] if args is None else args)
        asked = next((a.split("=", 1)[1] for a in argv if a.startswith("--lang=")), None) or next(
            (argv[i + 1] for i, a in enumerate(argv[:-1]) if a == "--lang"), None)
        lang = chosen_language(asked)
        _localize(self, "zh" if lang == "zh" else "en")
        return super().main(argv, *rest, **options)


def _localize(command, lang: str) -> None:
    from typer import rich_utils
    from typer._click.formatting import HelpFormatter

    from .output.wrap import line_breaks

    for name, key in (("ARGUMENTS_PANEL_TITLE", "arguments"), ("OPTIONS_PANEL_TITLE", "options"),
                      ("COMMANDS_PANEL_TITLE", "commands"), ("DEFAULT_STRING", "default"),
                      ("ENVVAR_STRING", "env var"), ("REQUIRED_LONG_STRING", "required"),
                      ("ERRORS_PANEL_TITLE", "error"), ("ABORTED_TEXT", "aborted"), ("RICH_HELP", "try help")):
        setattr(rich_utils, name, FRAME[key].get(lang))
    usage = FRAME["usage"].get(lang)

    class Formatter(HelpFormatter):
        def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
            super().write_usage(prog, args, usage if prefix is None else prefix)

    def walk(command, path: str) -> None:
        class Context(command.context_class):
            formatter_class = Formatter

            def get_help(self) -> str:
                with line_breaks(lang):  # Rich breaks lines only at spaces, and Chinese has none
                    return super().get_help()

        command.context_class = Context
        command.help, command.short_help = help_text(path).get(lang), None
        command.options_metavar = FRAME["options metavar"].get(lang)
        if hasattr(command, "commands"):
            command.subcommand_metavar = FRAME["command metavar"].get(lang)
        for param in [*command.params, command.get_help_option(command.context_class(command))]:
            if param is not None:
                param.help = help_text(path, param.name).get(lang)
        for name, sub in getattr(command, "commands", {}).items():
            walk(sub, f"{path} {name}".strip())

    walk(command, "")


app = typer.Typer(cls=_Localized, pretty_exceptions_enable=False)
# Piped or redirected, a line is not broken at 80 columns mid-phrase: whatever reads it wraps it.
console = Console(highlight=False, soft_wrap=not sys.stdout.isatty())
err = Console(stderr=True, highlight=False, soft_wrap=not sys.stderr.isatty())

USAGE_ERROR = 2
Lang = typer.Option(None, "--lang")


_language = "en"  # the command's language, for the messages it gives


def _lang(value: Optional[str]) -> str:
    global _language
    lang = chosen_language(value)
    if lang not in ("en", "zh"):
        _fail(escape(_say("unknown language", lang=lang)))
    _language = lang
    return lang


def _say(word: str, **values) -> str:
    return say(word, _language, **values)


def _fail(message: str, code: int = USAGE_ERROR):
    err.print(f"[red]{_say('error')}[/red] {message}", markup=True)
    raise typer.Exit(code)


Solutions = typer.Option(None, "--solutions", envvar="TUTOR_SOLUTIONS")


@contextmanager
def _importing_torch():
    """Import torch (and what uses it) with the cyclic garbage collector paused: the import
    makes about a million objects that live as long as the process, and the collections it
    would trigger (a quarter of a second of every check) find nothing to free. Frozen after,
    so that later collections look only at what the command itself makes."""
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        gc.enable()


def _runner(exercises, course: Course):
    """The sandbox's runner. Its server is started first, so that it imports torch (and what
    these exercises' inputs need, once for all its children) while this process imports its own."""
    from .grading.cases import input_modules
    from .sandbox.jail import start_server

    server = start_server(input_modules(exercises), masks=[course.root, *course.protected])
    with _importing_torch():
        from .sandbox.runner import GraderError, Runner
        from .grading import judge  # noqa: F401  (torch, here and only here)
    try:
        return Runner(server=server)
    except GraderError as exc:  # a setting of the run's own, such as TUTOR_TIME_SCALE
        server.close()
        _fail(escape(str(exc)))


def _course(solutions: Optional[Path] = None, quiet: bool = False, workspace: bool = False) -> Course:
    """The course; its broken exercise files are named on stderr unless `quiet` (the caller
    reports them itself). A command that reads or writes the student's files (`workspace`)
    needs a folder of the student's own, not the course inside the installed package."""
    course = Course(find_root(), solutions)
    if workspace and course.packaged:
        _fail(_say("no course here", root=escape(str(course.root))))
    for problem in [] if quiet else course.errors:
        err.print(f"[red]{_say('error')}[/red] {escape(str(problem))}")
    if not course.exercises and not course.errors:
        _fail(escape(_say("no exercises", folder=course.exercises_dir)))
    return course


def _seed(given: Optional[int]) -> int:
    from .grading.seed import run_seed

    try:
        return run_seed(given)
    except ValueError as exc:
        _fail(escape(str(exc)))


def _complete_exercise(incomplete: str) -> list[tuple[str, str]]:
    """Shell completion of an exercise: ids and slugs from the course's file names (no YAML read)."""
    stems = [path.stem.split("-", 1) for path in sorted(Course(find_root()).exercises_dir.glob("*.yaml"))]
    return [(key, other) for ident, slug in (s for s in stems if len(s) == 2)
            for key, other in ((ident, slug), (slug, ident)) if key.startswith(incomplete)]


def exercise_argument(default=...):
    return typer.Argument(default, autocompletion=_complete_exercise)


def _exercise(course: Course, key: str):
    try:
        return course.get(key)
    except UnknownExercise as exc:
        _fail(escape(exc.says(_language)))


def _version(shown: bool) -> None:
    if shown:
        from . import __version__

        console.print(f"tutor {__version__} (Python {sys.version.split()[0]})")
        raise typer.Exit()


@app.callback(invoke_without_command=True)
def welcome(ctx: typer.Context, lang: Optional[str] = Lang,
            version: bool = typer.Option(False, "--version", callback=_version, is_eager=True)):
    # With no command: where you are, and what to do next. (Every help text: messages/help.py.)
    if ctx.invoked_subcommand is not None:
        return
    from .course.catalog import BUNDLED

    lang = _lang(lang)
    course = _course()
    if course.root == BUNDLED and not Path.cwd().resolve().is_relative_to(BUNDLED):
        console.print(_say("no course here", root=escape(str(course.root))))
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

    _lang(lang)
    course = _course()
    if (target / "exercises").exists() or (target / "workspace").exists():
        _fail(escape(_say("has a course", target=target)))
    target.mkdir(parents=True, exist_ok=True)
    # No references: grading here uses the ones tutor came with (`Course.solution_file`), and
    # `tutor solution` shows one once the student's answer passes.
    shutil.copytree(course.exercises_dir, target / "exercises")
    fresh = Course(target)
    for ex in fresh.exercises:
        workspace.ensure_file(fresh, ex)
    go = "" if target.resolve() == Path.cwd().resolve() else f"cd {target} && "
    console.print(escape(_say("laid out", count=len(fresh.exercises), folder=_shown(target.resolve() / "workspace"),
                              go=go, id=fresh.exercises[0].id)))


@app.command("list")
def list_(lang: Optional[str] = Lang):
    from .course import index

    lang = _lang(lang)
    course = Course(find_root())
    exercises = index.cached(course)  # no YAML parsing while no exercise file changed
    broken = False
    if exercises is None:
        course = _course()
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
    lang = _lang(lang)
    course = _course()
    if not any(exercise in (ex.id, ex.slug) for ex in course.exercises) and any(
            section_of(ex.id) == exercise or exercise in ex.covers for ex in course.exercises):
        return _show_section(course, exercise, lang)
    ex = _exercise(course, exercise)
    path, created = workspace.ensure_file(course, ex)
    from .output.wrap import print_markdown  # only here and in hint: `tutor list` stays lean

    console.rule(f"{ex.id} {ex.slug} — {ex.title.get(lang)}")
    print_markdown(console, ex.prompt.get(lang), lang)
    console.print(f"\n[bold]{say('write', lang)}[/bold]")
    for fn in ex.functions:
        console.print(f"  def {escape(fn.signature)}")
    console.print(f"\n[bold]{say('edit', lang)}[/bold] {_shown(path)}"
                  + (f"  [dim]{say('created', lang)}[/dim]" if created else ""))
    console.print(f"[bold]{say('then run', lang)}[/bold] tutor check {ex.id}")


def _require_references(course: Course, targets) -> None:
    """Refuse before running anything when a reference solution cannot be reached."""
    missing = [ex.id for ex in targets if not course.solution_file(ex).is_file()]
    if missing:
        _fail(escape(_say("no references", ids=", ".join(missing), folder=course.solutions_dir)))


def _require_full_sandbox(runner, course: Course) -> None:
    from .sandbox.runner import GraderError

    try:
        notes = runner.probe(hide=course.protected)
    except GraderError as exc:
        _fail(escape(_say("strict no start", error=str(exc))))
    gaps = [note.text for note in notes if not note.ok]
    if runner.kind != "jail":
        gaps.insert(0, WORDS["strict no jail"].format(tier=runner.tier))
    if gaps:
        _fail(escape(_say("strict incomplete", gaps=Text.joined(gaps, "; "))))


def _save_traceback() -> str:
    import tempfile
    import traceback

    with tempfile.NamedTemporaryFile("w", prefix="tutor-error-", suffix=".txt", delete=False) as f:
        traceback.print_exc(file=f)
    return f.name


def _shown(path: Path) -> str:
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


@app.command()
def check(
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
    from .output.formats import FORMATS

    lang = _lang(lang)
    writes = _parse_outputs(outputs or [])
    if format_ not in FORMATS:
        _fail(escape(_say("unknown format", format=format_, formats=Text.joined(list(FORMATS)))))
    # check --all reports a broken exercise file in its text report, not beside it
    course = _course(solutions, quiet=all_ and format_ == "text", workspace=file is None)
    if all_ == (exercise is not None):
        _fail(_say("one or all"))
    if file is not None and all_:
        _fail(_say("file needs one"))
    if file is not None and not file.is_file():
        _fail(escape(_say("is a directory" if file.is_dir() else "no such file", file=file)))
    targets = course.exercises if all_ else [_exercise(course, exercise)]
    if plot is not None and all_:
        _fail(_say("plot needs one"))
    from .grading import recorded  # a student copy checks its visible cases from recorded outcomes

    _require_references(course, [ex for ex in targets if not recorded.from_recording(course, ex)])
    try:
        run_seed = recorded.run_seed(course, targets, seed)
    except ValueError as exc:  # a bad TUTOR_SEED, or a seed a student copy has no recordings for
        _fail(escape(exc.text.get(lang) if isinstance(exc, recorded.RecordingRefused) else str(exc)))
    runner = _runner(targets, course)  # torch is imported here, and only here
    from .grading.judge import grade_many
    from .output.terminal import render, render_unloadable
    from .sandbox.runner import GraderError

    if strict:
        _require_full_sandbox(runner, course)
    all_passed = True
    results = []
    files = [_as_python(file, ex) if file else (path := workspace.ensure_file(course, ex)[0], _shown(path))
             for ex in targets]
    paths = [path for path, _ in files]
    graded = grade_many([(ex, path, recorded.reference_path(course, ex)) for ex, path in zip(targets, paths)],
                        run_seed, runner, hide=course.protected)
    from_recordings = any(recorded.from_recording(course, ex) for ex in targets)
    for ex, (path, shown) in zip(targets, files):
        try:
            result = next(graded)
        except GraderError as exc:
            _fail(escape(_say("cannot grade", id=ex.id, error=exc)))
        except Exception as exc:  # a bug in tutor: say so, keep the traceback for the report
            _fail(escape(_say("tutor bug", id=ex.id, error=clean(f"{type(exc).__name__}: {exc}", 2000),
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
    unloadable = course.errors if all_ else []
    if format_ == "text":
        for problem in unloadable:
            render_unloadable(console, problem, lang)
        if all_:
            _total(results, lang)
        if from_recordings:
            console.print(say("hidden on submission", lang))
    _emit(results, format_, writes, lang, unloadable, run_seed)
    if plot is not None:
        _draw(results[0], plot, lang)
    raise typer.Exit(USAGE_ERROR if unloadable else 0 if all_passed else 1)


def _total(results, lang: str) -> None:
    from .output.results import score

    passed = sum(r.passed for r in results)
    words = say("check total", lang, passed=passed, count=len(results), score=f"{sum(score(r) for r in results):.3g}",
                max=f"{sum(r.exercise.points for r in results):g}")
    console.print(f"[bold {'green' if passed == len(results) else 'red'}]{words}[/]")


def _draw(result, path: Optional[Path], lang: str) -> None:
    """Draw a result's picture to a PNG file, or in the terminal when no file is named."""
    from .output.plot import PlotError, draw, render

    try:
        if path is None:
            console.print(RichText.from_ansi(render(result, lang, console.width, console.is_terminal)))
        else:
            note = draw(result, path, lang)
            err.print(escape(_say("drew", file=_shown(path)) + (f" ({note.get(lang)})" if note else "")))
    except PlotError as exc:
        _fail(escape(exc.text.get(lang)), 1)
    except OSError as exc:
        _fail(escape(str(exc)), 1)


@app.command()
def plot(
    exercise: str = exercise_argument(),
    file: Optional[Path] = typer.Option(None, "--file", "-f"),
    output: Optional[Path] = typer.Option(None, "--output", "-o", metavar="FILE.png"),
    seed: Optional[int] = typer.Option(None, "--seed"),
    solutions: Optional[Path] = Solutions,
    lang: Optional[str] = Lang,
):
    lang = _lang(lang)
    course = _course(solutions, workspace=file is None)
    ex = _exercise(course, exercise)
    if file is not None and not file.is_file():
        _fail(escape(_say("is a directory" if file.is_dir() else "no such file", file=file)))
    _require_references(course, [ex])
    run_seed = _seed(seed)
    runner = _runner([ex], course)
    from .grading.judge import grade_many
    from .sandbox.runner import GraderError

    path = _as_python(file, ex)[0] if file else workspace.ensure_file(course, ex)[0]
    try:
        result = next(grade_many([(ex, path, course.solution_file(ex))], run_seed, runner,
                                 hide=course.protected))
    except GraderError as exc:
        _fail(escape(_say("cannot grade", id=ex.id, error=exc)))
    if result.passed and ex.plot is None:  # no figure, and no difference to draw: nothing is wrong
        from .messages.feedback import said

        console.print(escape(said("nothing to draw", more="").get(lang)))
        raise typer.Exit(0)
    _draw(result, output, lang)


_temporary: list[Path] = []  # this run's own folders (a notebook's code as .py), removed when it ends


def _as_python(file: Path, exercise) -> tuple[Path, str]:
    """The file to grade, and how the report names it: of a notebook, the exercise's program
    from its code cells (see `notebook_source`), as a .py, named with the cells it came from."""
    if file.suffix != ".ipynb":
        return file.resolve(), _shown(file)
    import tempfile

    from .instructor.bulk import notebook_source

    try:
        program = notebook_source(file, exercise)
    except Exception as exc:  # not JSON, or not a notebook
        _fail(escape(_say("not a notebook", file=file, error=exc)))
    target = Path(tempfile.mkdtemp(prefix="tutor-nb-")) / (file.stem + ".py")
    _temporary.append(target.parent)
    target.write_text(program.source, encoding="utf-8")
    cells = _say("nb cells" if len(program.cells) > 1 else "nb cell", cells=Text.joined([str(n) for n in program.cells])) \
        if program.cells else _say("nb no cells")
    return target, f"{_shown(file)} ({cells})"


def _parse_outputs(specs: list[str]) -> list[tuple[str, Path]]:
    from .output.formats import FORMATS

    writes = []
    for spec in specs:
        fmt, sep, path = spec.partition("=")
        if not sep or not path or fmt not in FORMATS:
            _fail(escape(_say("output spec", formats=Text.joined(list(FORMATS)), spec=spec)))
        writes.append((fmt, Path(path)))
    return writes


def _emit(results, format_: str, writes: list[tuple[str, Path]], lang: str, unloadable: list, seed: int) -> None:
    """Print the chosen machine format and write the --output files; `unloadable`: the
    exercise files that did not load, named in every format."""
    from .output import formats
    from .output.terminal import render, render_unloadable
    from .output.results import build, unloadable as unloadable_report

    machine = {format_, *(fmt for fmt, _ in writes)} - {"text"}
    reports = ([build(r, lang) for r in results] + [unloadable_report(e, seed, lang) for e in unloadable]
               if machine else [])  # only the machine formats use them

    def text(fmt: str) -> str:
        if fmt == "text":
            capture = Console(record=True, width=100, file=open(os.devnull, "w"), highlight=False, soft_wrap=True)
            for result in results:
                render(capture, result, lang)
            for problem in unloadable:
                render_unloadable(capture, problem, lang)
            return capture.export_text()
        return formats.RENDERERS[fmt](reports)

    if format_ != "text":
        sys.stdout.write(text(format_))
    if "github" in [format_] + [fmt for fmt, _ in writes]:
        summary = os.environ.get("GITHUB_STEP_SUMMARY")
        if summary:
            with open(summary, "a", encoding="utf-8") as f:
                f.write(formats.github_summary(reports))
        elif format_ == "github":
            sys.stdout.write(formats.github_summary(reports))
    for fmt, path in writes:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text(fmt), encoding="utf-8")
        except OSError as exc:
            _fail(escape(_say("cannot write", format=fmt, file=path, error=str(exc))))


@app.command()
def solution(exercise: str = exercise_argument(),
             solutions: Optional[Path] = Solutions, lang: Optional[str] = Lang):
    from rich.syntax import Syntax

    lang = _lang(lang)
    course = _course(solutions, workspace=True)
    ex = _exercise(course, exercise)
    if workspace.status(course, ex, workspace.load_state(course)) != "passed":
        err.print(escape(say("pass first", lang, id=ex.id)))
        raise typer.Exit(1)
    _require_references(course, [ex])
    console.print(Syntax(course.solution_file(ex).read_text(encoding="utf-8"), "python", line_numbers=True))


@app.command()
def notebooks(folder: Path = typer.Argument(...), lang: Optional[str] = Lang):
    from .notebook.sections import write_notebooks

    lang = _lang(lang)
    course = _course()
    try:
        written = write_notebooks(course, folder, lang)
    except FileExistsError as exc:
        _fail(escape(_say("nb exists", file=_shown(Path(str(exc))))))
    console.print(escape(_say("nb wrote", count=len(written), folder=_shown(folder))))


@app.command()
def watch(exercise: Optional[str] = exercise_argument(None),
          seed: Optional[int] = typer.Option(None, "--seed"),
          lang: Optional[str] = Lang, solutions: Optional[Path] = Solutions):
    lang = _lang(lang)
    course = _course(solutions, workspace=True)
    start = _exercise(course, exercise) if exercise else None
    _require_references(course, [start] if start else course.exercises)
    run_seed = _seed(seed)
    runner = _runner(course.exercises, course)
    from .watch import watch as watch_files

    try:
        watch_files(course, start, runner, console, lang, run_seed)
    except KeyboardInterrupt:
        pass


@app.command()
def hint(exercise: str = exercise_argument(),
         number: Optional[int] = typer.Argument(None, min=1),
         all_: bool = typer.Option(False, "--all"),
         lang: Optional[str] = Lang):
    lang = _lang(lang)
    course = _course(workspace=True)
    ex = _exercise(course, exercise)
    if not ex.hints:
        console.print(say("no hints", lang))
        return
    if number is not None and number > len(ex.hints):
        _fail(_say("no such hint", n=number, total=len(ex.hints)))
    from .output.wrap import print_markdown

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
    _lang(lang)
    course = _course(workspace=True)
    ex = _exercise(course, exercise)
    path = course.workspace_file(ex)
    if path.exists() and not yes and not typer.confirm(_say("overwrite", file=_shown(path))):
        raise typer.Exit(1)
    workspace.reset(course, ex)
    console.print(escape(_say("restored", file=_shown(path))))


@app.command()
def validate(exercises: Optional[list[str]] = typer.Argument(None),
             seed: Optional[int] = typer.Option(None, "--seed"),
             solutions: Optional[Path] = Solutions, lang: Optional[str] = Lang):
    _lang(lang)
    course = _course(solutions)
    targets = [_exercise(course, key) for key in exercises] if exercises else course.exercises
    _require_references(course, targets)
    run_seed = _seed(seed)
    runner = _runner(targets, course)
    from .instructor.validate import validate_course

    ok = validate_course(course, targets, runner, run_seed, console)
    ok &= not course.errors
    raise typer.Exit(0 if ok else 1)


@app.command("export-student")
def export_student(target: Path = typer.Argument(...), lang: Optional[str] = Lang):
    _lang(lang)
    course = _course()
    if target.exists() and any(target.iterdir()):
        _fail(escape(_say("not empty", target=target)))
    _require_references(course, course.exercises)  # their outcomes on the visible cases are recorded
    from .instructor.export import ToolNotFound, export_student as export
    from .sandbox.runner import GraderError

    try:
        written = export(course, target)
    except (ToolNotFound, GraderError) as exc:
        _fail(escape(str(exc)))
    console.print(escape(_say("exported", count=written, folder=_shown(target))))


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

    from .instructor import bulk

    lang = _lang(lang)
    course = _course(solutions)
    if course.errors:  # a gradebook without an exercise's column would look complete
        _fail(_say("class needs every exercise", count=len(course.errors)))
    _require_references(course, course.exercises)
    try:
        which = bulk.parse_shard(shard_spec)
        subs = bulk.shard(bulk.discover(submissions), which)
    except ValueError as exc:
        _fail(escape(str(exc)))
    with Progress(console=err, transient=True) as progress:
        task = progress.add_task(_say("grading"), total=None)
        rows, graded = bulk.grade_class(
            subs, course, out, seed, jobs,
            on_start=lambda count: progress.update(task, total=count, description=_say("grading count", count=count,
                                                                                      total=len(subs))),
            on_done=lambda row: progress.advance(task))
    if which:
        bulk.record_shard(out, which, seed)
    shard_said = _say("shard", k=which[0], n=which[1]) if which else ""
    console.print(escape(_say("graded", shard=shard_said, count=len(subs), unchanged=len(subs) - graded,
                              file=_shown(out / "grades.csv"))))
    _write_pages([out], lang, report, partial=bool(which))
    failed = [r for r in rows if r.get("error")]
    for row in failed:
        err.print(f"[red]{_say('error')}[/red] {escape(row['student'])}: {escape(clean(row['error'], 2000))}")
    raise typer.Exit(1 if failed else 0)


def _write_pages(parts: list[Path], lang: str, report: Optional[Path], partial: bool) -> None:
    """Each student's feedback page, and the class report when asked for."""
    from .instructor.class_report import write

    try:
        count, missing = write(parts, lang, report, partial)
    except (ValueError, KeyError, OSError) as exc:
        _fail(escape(str(exc)))
    if report is None:  # the students' pages only
        console.print(escape(_say("wrote pages", folder=_shown(parts[0] / "students"))))
        return
    console.print(escape(_say("wrote report", file=_shown(report), count=count)))
    if missing:
        err.print(escape(_say("shards missing", shards=", ".join(missing))))


@app.command("report")
def report_(grades: list[Path] = typer.Argument(...),
            output: Path = typer.Option(Path("report.html"), "--output", "-o"),
            partial: bool = typer.Option(False, "--partial"),
            lang: Optional[str] = Lang):
    lang = _lang(lang)
    for folder in grades:
        if not (folder / "grades.csv").is_file():
            _fail(escape(_say("no such file", file=folder / "grades.csv")))
    _write_pages(grades, lang, output, partial)


gradebook_app = typer.Typer(no_args_is_help=True)
app.add_typer(gradebook_app, name="gradebook")


@gradebook_app.command("merge")
def gradebook_merge(parts: list[Path] = typer.Argument(...),
                    out: Path = typer.Option(Path("grades.csv"), "--out"),
                    partial: bool = typer.Option(False, "--partial"), lang: Optional[str] = Lang):
    from .instructor.bulk import merge_gradebooks

    _lang(lang)
    for part in parts:
        if not part.is_file():
            _fail(escape(_say("no such file", file=part)))
    try:
        count, missing = merge_gradebooks(parts, out, partial)
    except (ValueError, KeyError) as exc:
        _fail(escape(str(exc)))
    console.print(escape(_say("merged", count=count, file=_shown(out))))
    if missing:
        err.print(escape(_say("merge missing", s="s" if len(missing) > 1 else "", shards=", ".join(missing))))


gradescope_app = typer.Typer(no_args_is_help=True)
app.add_typer(gradescope_app, name="gradescope")


@gradescope_app.command("build")
def gradescope_build(target: Path = typer.Argument(...),
                     solutions: Optional[Path] = Solutions, lang: Optional[str] = Lang):
    from .instructor.export import ToolNotFound
    from .instructor.gradescope import build

    _lang(lang)
    course = _course(solutions)
    _require_references(course, course.exercises)
    if target.exists() and any(target.iterdir()):
        _fail(escape(_say("not empty", target=target)))
    try:
        archive = build(course, target)
    except ToolNotFound as exc:
        _fail(escape(str(exc)))
    console.print(escape(_say("upload", file=_shown(archive))))


def main() -> None:
    """The `tutor` command: the app, then an exit without interpreter teardown.

    Once the app has returned and its output is flushed nothing is left to do, yet
    finalizing the thousands of objects torch loads costs about half a second; every file
    we write is closed when written, and every child process is reaped by then.
    """
    try:
        app()
        code = 0
    except SystemExit as exc:
        code = exc.code
    if not isinstance(code, int):  # sys.exit("message") or None
        if code is not None:
            print(code, file=sys.stderr)
        code = 0 if code is None else 1
    sys.stdout.flush()
    sys.stderr.flush()
    for folder in _temporary:
        shutil.rmtree(folder, ignore_errors=True)
    os._exit(code)


if __name__ == "__main__":
    main()
