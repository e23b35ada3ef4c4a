"""The kernel's side of `%tutor`: commands, their arguments, and what the notebook shows.

`check` takes the exercise's program from the cell history (`cells.program`) and asks the
grading process (`worker`) for its verdict; the kernel imports no torch for it and holds no
reference. `hint`, `show` and `solution` read the course here (YAML, no torch).
"""
from __future__ import annotations

import html
import json
import os
import shlex
import subprocess
import sys
from pathlib import Path

from ..course.catalog import Course, UnknownExercise, find_root
from ..grading import recorded
from ..messages.ui import say
from . import cells as cell_code

COMMANDS = ("check", "hint", "show", "solution")


class Shown:
    """What a command shows: HTML in a notebook, the same text elsewhere (IPython's rich display)."""

    def __init__(self, text: str, html_text: str | None = None, passed: bool | None = None):
        self.text, self.passed = text, passed
        self.html = html_text if html_text is not None else f"<pre>{html.escape(text)}</pre>"

    def _repr_html_(self) -> str:
        return self.html

    def _repr_markdown_(self) -> str | None:
        return None  # HTML or text, never both as markup

    def __repr__(self) -> str:
        return self.text


class Markdown(Shown):
    """Course text (a prompt, a hint, a solution): Markdown where the notebook renders it."""

    def _repr_markdown_(self) -> str:
        return self.text

    def _repr_html_(self) -> None:
        return None


class UsageError(ValueError):
    pass


_courses: dict[Path, Course] = {}


def _course() -> Course:
    """The course of the kernel's working folder (as on the command line), loaded once."""
    root = find_root()
    if root not in _courses:
        _courses[root] = Course(root)
    return _courses[root]


def _language(value: str | None) -> str:
    from ..messages.ui import chosen_language  # the command line's rule: --lang, then TUTOR_LANG, then the locale

    lang = chosen_language(value)
    if lang not in ("en", "zh"):
        raise UsageError(f"unknown language {lang!r}: use en or zh")
    return lang


def _exercise(course: Course, key: str, lang: str):
    try:
        return course.get(key)
    except UnknownExercise as exc:
        raise UsageError(exc.says(lang)) from None


class Worker:
    """The grading process of this kernel, started on first use (or ahead, by `start`) and
    again should it stop. It runs in a session of its own: interrupting the kernel does not
    interrupt it, and it ends when the kernel does (its stdin closes)."""

    def __init__(self):
        self.proc: subprocess.Popen | None = None
        self.root: Path | None = None

    def start(self, root: Path) -> None:
        if self.proc is not None and self.proc.poll() is None and self.root == root:
            return
        self.close()
        package = Path(__file__).resolve().parents[2]  # the folder holding this package, for the worker's imports
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(package), os.environ.get("PYTHONPATH")]))}
        self.proc = subprocess.Popen([sys.executable, "-m", f"{__package__}.worker", str(root)],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env, text=True,
                                     encoding="utf-8", start_new_session=True)
        self.root, self.ready = root, False

    def ask(self, root: Path, request: dict) -> dict:
        self.start(root)
        try:
            if not self.ready:
                self.ready = bool(self._read())
            self.proc.stdin.write(json.dumps(request) + "\n")
            self.proc.stdin.flush()
            return self._read()
        except BaseException as exc:  # interrupted, or the process stopped: start afresh next time
            self.close()
            if isinstance(exc, (OSError, ValueError)):
                return {"error": say("nb stopped", request.get("lang", "en"), how=f"{type(exc).__name__}: {exc}")}
            raise

    def _read(self) -> dict:
        line = self.proc.stdout.readline()
        if not line:
            code = self.proc.wait()
            raise OSError(f"exit code {code}")
        return json.loads(line)

    def close(self) -> None:
        if self.proc is not None:
            self.proc.kill()
            self.proc.wait()
            self.proc = None


WORKER = Worker()


def _history() -> list[tuple[int, str]]:
    """The cells this kernel ran, as (In[] number, raw text): the history's text, not `In`,
    which the notebook's own code can rebind."""
    try:
        from IPython import get_ipython
    except ImportError:
        get_ipython = lambda: None  # noqa: E731
    shell = get_ipython()
    if shell is None:
        raise UsageError(say("nb no kernel", _language(None)))
    return list(enumerate(shell.history_manager.input_hist_raw))[1:]


def check(exercise: str, lang: str | None = None, seed: int | None = None) -> Shown:
    """Grade the functions the notebook's cells define for `exercise`, in the sandbox."""
    lang = _language(lang)
    course = _course()
    ex = _exercise(course, exercise, lang)
    others = {fn.name for other in course.exercises if other is not ex for fn in other.functions}
    program = cell_code.program(_history(), [fn.name for fn in ex.functions], others)
    try:  # a student copy's exercise: the seed its outcomes were recorded at
        seed = recorded.run_seed(course, [ex], seed)
    except recorded.RecordingRefused as exc:
        raise UsageError(exc.text.get(lang)) from None
    except ValueError as exc:  # a TUTOR_SEED that is no number: said as any bad input is
        raise UsageError(str(exc)) from None
    answer = WORKER.ask(course.root, {"exercise": ex.id, "source": program.source, "cells": program.cells,
                                      "missing": program.missing, "seed": seed, "lang": lang})
    if "error" in answer:
        text = f"{say('error', lang)} {answer['error']}"
        return Shown(text, f'<pre style="color:#c00">{html.escape(text)}</pre>', passed=False)
    page = answer["html"]
    if answer.get("png"):
        page += f'<img alt="{html.escape(ex.plot.title.get(lang))}" src="data:image/png;base64,{answer["png"]}">'
    return Shown(answer["text"], page + _numbered(program.source, lang), passed=answer["passed"])


def _numbered(source: str, lang: str) -> str:
    """The graded program, folded away, numbered as the report's "line N" counts."""
    lines = source.splitlines()
    width = len(str(len(lines)))
    body = "\n".join(f"{i:>{width}}  {line}" for i, line in enumerate(lines, 1))
    return f"<details><summary>{html.escape(say('nb code', lang))}</summary><pre>{html.escape(body)}</pre></details>"


def show(exercise: str, lang: str | None = None) -> Markdown:
    """The exercise's prompt and the functions to write."""
    lang = _language(lang)
    ex = _exercise(_course(), exercise, lang)
    signatures = "\n".join(f"def {fn.signature}" for fn in ex.functions)
    return Markdown(f"### {ex.id} {ex.slug} — {ex.title.get(lang)}\n\n{ex.prompt.get(lang).strip()}\n\n"
                    f"**{say('write', lang)}**\n\n```python\n{signatures}\n```\n\n{say('nb then run', lang, id=ex.id)}")


def hint(exercise: str, lang: str | None = None) -> Markdown:
    """The next hint (as `tutor hint`: each call shows the next, then the last again)."""
    from ..course import workspace

    lang = _language(lang)
    course = _course()
    ex = _exercise(course, exercise, lang)
    if not ex.hints:
        return Markdown(say("no hints", lang))
    index = workspace.next_hint(course, ex)
    return Markdown(f"**{say('hint header', lang, n=index + 1, total=len(ex.hints))}**\n\n{ex.hints[index].get(lang)}")


def solution(exercise: str, lang: str | None = None) -> Markdown:
    """The reference solution, once the exercise has passed (here or with `tutor check`)."""
    from ..course import workspace

    lang = _language(lang)
    course = _course()
    ex = _exercise(course, exercise, lang)
    if workspace.status(course, ex, workspace.load_state(course)) != "passed":
        return Markdown(say("nb pass first", lang, id=ex.id))
    path = course.solution_file(ex)
    if not path.is_file():
        return Markdown(say("cannot grade", lang, id=ex.id, error=f"no reference solution at {path}"))
    return Markdown(f"```python\n{path.read_text(encoding='utf-8').rstrip()}\n```")


def run(command: str, exercise: str, lang: str | None = None, seed: int | None = None) -> Shown:
    """What a command shows; bad input is shown as a message, not raised as a traceback."""
    try:
        if command not in COMMANDS or (seed is not None and command != "check"):
            raise UsageError(say("nb usage", _language(lang)))
        if command == "check":
            return check(exercise, lang, seed)
        return {"hint": hint, "show": show, "solution": solution}[command](exercise, lang)
    except UsageError as exc:
        text = str(exc)
        return Shown(text, f'<pre style="color:#c00">{html.escape(text)}</pre>')


def run_line(line: str) -> Shown:
    """`%tutor COMMAND ID [--lang en|zh] [--seed N]`."""
    try:
        words = shlex.split(line)
    except ValueError:  # an unclosed quote
        words = []
    options = {}
    while len(words) >= 2 and words[-2] in ("--lang", "--seed"):
        options[words[-2][2:]] = words[-1]
        words = words[:-2]
    seed = options.get("seed")
    if len(words) != 2 or (seed is not None and not seed.isdigit()):
        return run("", "", options.get("lang"))  # the usage
    return run(words[0], words[1], options.get("lang"), int(seed) if seed is not None else None)
