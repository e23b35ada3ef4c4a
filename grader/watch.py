"""`tutor watch`: re-check the current exercise on every save, and move on when it passes.

One process stays warm (torch imported once, the sandbox's server started once) and judges
each check itself: the student's code runs in children of a server that was exec'd apart
from this process, so the references this process loads are never within their reach.
Keys, when there is a terminal: h hint, l list, c check again, q quit.
"""
from __future__ import annotations

import os
import queue
import sys
import threading

from rich.console import Console
from rich.markup import escape

from .course import workspace
from .course.catalog import Course
from .course.model import Exercise
from .messages.ui import say

def _keys(events: queue.Queue) -> None:
    """Single keypresses from the terminal, without waiting for Enter (POSIX and Windows)."""
    if os.name == "nt":
        import msvcrt

        while True:
            events.put(msvcrt.getwch())
    import termios
    import tty

    fd = sys.stdin.fileno()
    saved = termios.tcgetattr(fd)
    try:
        tty.setcbreak(fd)
        while True:
            char = sys.stdin.read(1)
            if not char:
                return
            events.put(char)
    finally:
        termios.tcsetattr(fd, termios.TCSADRAIN, saved)


def _check(course: Course, ex: Exercise, runner, console: Console, lang: str, seed: int) -> bool:
    from .grading.judge import grade
    from .output.terminal import render
    from .sandbox.runner import GraderError

    path, _ = workspace.ensure_file(course, ex)
    try:
        result = grade(ex, path, course.solution_file(ex), seed, runner, hide=course.protected)
    except GraderError as exc:  # shown, and the watch goes on: the next save tries again
        console.print(f"[red]error:[/red] {exc}", markup=False)
        return False
    render(console, result, lang)
    workspace.record_check(course, ex, path, result.passed)
    return result.passed


def _next_unfinished(course: Course, after: Exercise | None) -> Exercise | None:
    state = workspace.load_state(course)
    order = course.exercises
    start = order.index(after) + 1 if after in order else 0
    for ex in order[start:] + order[:start]:
        if workspace.status(course, ex, state) != "passed":
            return ex
    return None


def watch(course: Course, ex: Exercise | None, runner, console: Console, lang: str, seed: int) -> None:
    from watchfiles import watch as changes

    current = ex or _next_unfinished(course, None)
    if current is None:
        console.print(say("every passed", lang))
        return
    events: queue.Queue = queue.Queue()
    keys = sys.stdin is not None and sys.stdin.isatty()  # without a terminal (CI): saves only
    if keys:
        threading.Thread(target=_keys, args=(events,), daemon=True).start()
    course.workspace_dir.mkdir(parents=True, exist_ok=True)

    def announce(exercise: Exercise) -> None:
        path, _ = workspace.ensure_file(course, exercise)
        console.rule(f"{exercise.id} {exercise.slug} — {exercise.title.get(lang)}")
        console.print(escape(say("watching", lang, file=path)) + (f" [dim]{say('keys', lang)}[/dim]" if keys else ""))

    def contents(exercise: Exercise) -> str:
        try:
            return course.workspace_file(exercise).read_text(encoding="utf-8", errors="replace")
        except OSError:
            return ""

    announce(current)
    checked = contents(current)
    passed = _check(course, current, runner, console, lang, seed)
    for batch in changes(course.workspace_dir, debounce=100, step=50, rust_timeout=200, yield_on_timeout=True):
        # Only a real edit: writing the starter, or saving unchanged text, is no reason to check.
        again = (any(os.path.basename(p) == f"{current.file_stem}.py" for _, p in batch)
                 and contents(current) != checked)
        while not events.empty():
            key = events.get().lower()
            if key == "q":
                return
            if key == "c":
                again = True
            elif key == "l":
                for other in course.exercises:
                    mark = "→" if other is current else " "
                    status = workspace.status(course, other, workspace.load_state(course))
                    console.print(f" {mark} {other.id:10} {say(status, lang)}")
            elif key == "h" and current.hints:
                index = workspace.next_hint(course, current)
                header = say("watch hint", lang, n=index + 1, total=len(current.hints))
                console.print(f"[yellow]{header}[/yellow] {escape(current.hints[index].get(lang))}")
        if passed and not again:
            following = _next_unfinished(course, current)
            if following is None:
                console.print(f"[green]{say('every passed', lang)}[/green]")
                return
            current = following
            announce(current)
            checked = contents(current)
            passed = _check(course, current, runner, console, lang, seed)
            continue
        if again:
            checked = contents(current)
            passed = _check(course, current, runner, console, lang, seed)
