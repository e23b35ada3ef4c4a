"""What every command shares: the Typer app, its consoles, the options many take, the voice
a command speaks with (its --lang), finding the course and an exercise, and the sandbox's
runner (torch is imported there, lazily, once)."""
from __future__ import annotations

import gc
import os
import sys
from contextlib import contextmanager
from pathlib import Path
from typing import Optional

import typer
from rich.console import Console
from rich.markup import escape

from ..course.catalog import Course, UnknownExercise, find_root
from ..messages.ui import chosen_language, say
from .localize import _Localized


app = typer.Typer(cls=_Localized, pretty_exceptions_enable=False)
# Piped or redirected, a line is not broken at 80 columns mid-phrase: whatever reads it wraps it.
console = Console(highlight=False, soft_wrap=not sys.stdout.isatty())
err = Console(stderr=True, highlight=False, soft_wrap=not sys.stderr.isatty())

USAGE_ERROR = 2
Lang = typer.Option(None, "--lang")


class _Voice:
    """A command's language, and how it speaks in it: its words, and its failures (one per
    command, passed where it is needed: no global language)."""

    def __init__(self, lang: str):
        self.lang = lang

    def __call__(self, word: str, **values) -> str:
        return say(word, self.lang, **values)

    def fail(self, message: str, code: int = USAGE_ERROR):
        err.print(f"[red]{self('error')}[/red] {message}", markup=True)
        raise typer.Exit(code)


def _voice(value: Optional[str]) -> _Voice:
    """The voice of a command's --lang, else of `tutor --lang zh COMMAND`'s, else of
    TUTOR_LANG and the locale."""
    if value is None:
        from typer._click.globals import get_current_context

        context = get_current_context(silent=True)
        value = context.find_root().params.get("lang") if context is not None else None
    lang = chosen_language(value)
    if lang not in ("en", "zh"):
        _Voice("en").fail(escape(say("unknown language", "en", lang=lang)))
    return _Voice(lang)


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


def _runner(v: _Voice, exercises, course: Course, many_runs: bool = False, server=None):
    """The sandbox's runner. Its server is started first (or was, by `_course_and_sandbox`),
    so that it imports torch (and what these exercises' children need, once for all of them)
    while this process imports its own. `many_runs`: it will run each exercise again and
    again (see `cases.child_modules`)."""
    from ..grading.cases import child_modules

    preload = child_modules(exercises, many_runs)
    if server is None:
        from ..sandbox.jail import start_server

        server = start_server([course.root, *course.protected], preload)
    with _importing_torch():
        from ..sandbox.runner import GraderError, Runner
        from ..grading import judge  # noqa: F401  (torch, here and only here)
    try:
        return Runner(server=server, preload=preload)
    except GraderError as exc:  # a setting of the run's own, such as TUTOR_TIME_SCALE
        server.close()
        v.fail(escape(str(exc)))


def _course(v: _Voice, solutions: Optional[Path] = None, quiet: bool = False, workspace: bool = False) -> Course:
    """The course; its broken exercise files are named on stderr unless `quiet` (the caller
    reports them itself). A command that reads or writes the student's files (`workspace`)
    needs a folder of the student's own, not the course inside the installed package."""
    return _loaded(v, _found(v, solutions, workspace), quiet)


def _course_and_sandbox(v: _Voice, solutions: Optional[Path], quiet: bool, workspace: bool):
    """The course, as `_course`, and the sandbox's server for `_runner`, started before the
    course's files are read (a fifth of a second for 43 exercises), so that its torch import
    overlaps that too; what its children need imported it is told once they are read. The
    caller ends it should it fail before the runner takes it (`_sandbox_ended_on_failure`)."""
    from ..sandbox.jail import start_server

    course = _found(v, solutions, workspace)
    server = start_server([course.root, *course.protected])
    with _sandbox_ended_on_failure(server):
        return _loaded(v, course, quiet), server


@contextmanager
def _sandbox_ended_on_failure(server):
    """A server not yet handed to a runner is killed when the command fails (it would
    otherwise import torch for nothing after the command has ended)."""
    try:
        yield
    except BaseException:
        server.close()
        raise


def _found(v: _Voice, solutions: Optional[Path], workspace: bool) -> Course:
    course = Course(find_root(), solutions)
    if workspace and course.packaged:
        v.fail(v("no course here", root=escape(str(course.root))))
    return course


def _loaded(v: _Voice, course: Course, quiet: bool) -> Course:
    for problem in [] if quiet else course.errors:
        err.print(f"[red]{v('error')}[/red] {escape(str(problem))}")
    if not course.exercises and not course.errors:
        v.fail(escape(v("no exercises", folder=course.exercises_dir)))
    return course


def _judging(v: _Voice, course: Course, targets, seed: Optional[int]) -> int:
    """Refuse before running anything when an exercise has neither its reference nor (in a
    student copy) recorded outcomes; the run's seed, a student copy's the recorded one."""
    from ..grading import recorded

    _require_references(v, course, [ex for ex in targets if not recorded.from_recording(course, ex)])
    try:
        return recorded.run_seed(course, targets, seed)
    except recorded.RecordingRefused as exc:
        v.fail(escape(exc.text.get(v.lang)))
    except ValueError as exc:  # a TUTOR_SEED that is no number
        v.fail(escape(str(exc)))


def _seed(v: _Voice, given: Optional[int]) -> int:
    from ..grading.seed import run_seed

    try:
        return run_seed(given)
    except ValueError as exc:
        v.fail(escape(str(exc)))


def _complete_exercise(incomplete: str) -> list[tuple[str, str]]:
    """Shell completion of an exercise: ids and slugs from the course's file names (no YAML read)."""
    stems = [path.stem.split("-", 1) for path in sorted(Course(find_root()).exercises_dir.glob("*.yaml"))]
    return [(key, other) for ident, slug in (s for s in stems if len(s) == 2)
            for key, other in ((ident, slug), (slug, ident)) if key.startswith(incomplete)]


def exercise_argument(default=...):
    return typer.Argument(default, autocompletion=_complete_exercise)


def _exercise(v: _Voice, course: Course, key: str):
    try:
        return course.get(key)
    except UnknownExercise as exc:
        v.fail(escape(exc.says(v.lang)))


def _version(shown: bool) -> None:
    if shown:
        from .. import __version__

        console.print(f"tutor {__version__} (Python {sys.version.split()[0]})")
        raise typer.Exit()


def _require_references(v: _Voice, course: Course, targets) -> None:
    """Refuse before running anything when a reference solution cannot be reached."""
    missing = [ex.id for ex in targets if not course.solution_file(ex).is_file()]
    if missing:
        v.fail(escape(v("no references", ids=", ".join(missing), folder=course.solutions_dir)))


def _shown(path: Path) -> str:
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


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
    os._exit(code)
