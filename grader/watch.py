"""`tutor watch`: re-check the current exercise on every save, and move on when it passes.

One process stays warm (torch imported once, the sandbox's server started once) and judges
each check itself: the student's code runs in children of a server that was exec'd apart
from this process, so the references this process loads are never within their reach.
On a terminal each run redraws the screen, the keys below it: h hint, l list, c check
again, q quit; without one (CI) the runs follow one another.
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
    from .grading.recorded import reference_path
    from .output.terminal import render
    from .sandbox.runner import GraderError

    path, _ = workspace.ensure_file(course, ex)
    try:
        result = grade(ex, path, reference_path(course, ex), seed, runner, hide=course.protected)
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

    def footer() -> None:  # on a terminal, the keys stay in sight below whatever was shown last
        if keys:
            console.print(f"[dim]{say('keys', lang)}[/dim]")

    def check(exercise: Exercise, after: Exercise | None = None) -> tuple[bool, str]:
        """One run on a screen of its own (on a terminal: redrawn, not scrolled): whether it
        passed, and the text it checked. `after`: the exercise that just passed, said at the
        top since its screen is gone."""
        if keys:
            console.clear()
            if after is not None:
                console.print(f"[green]{escape(say('watch moved on', lang, id=after.id))}[/green]")
        path, _ = workspace.ensure_file(course, exercise)  # writing the starter is no edit: read after it
        text = contents(exercise)
        console.rule(f"{exercise.id} {exercise.slug} — {exercise.title.get(lang)}")
        console.print(escape(say("watching", lang, file=path)))
        passed = _check(course, exercise, runner, console, lang, seed)
        footer()
        return passed, text

    def contents(exercise: Exercise) -> str:
        try:
            return course.workspace_file(exercise).read_text(encoding="utf-8", errors="replace")
        except OSError:
            return ""

    passed, checked = check(current)
    for _ in changes(course.workspace_dir, debounce=100, step=50, rust_timeout=200, yield_on_timeout=True):
        # Only a real edit: writing the starter, or saving unchanged text, is no reason to check.
        # The text is compared on every wake-up, not only when the batch names the file: a save
        # made before the watch began, or through a rename, counts too.
        again = contents(current) != checked
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
                footer()
            elif key == "h" and current.hints:
                from .output.wrap import print_markdown

                index = workspace.next_hint(course, current)
                console.print(f"[yellow]{say('watch hint', lang, n=index + 1, total=len(current.hints))}[/yellow]")
                print_markdown(console, current.hints[index].get(lang), lang)
                footer()
        if passed and not again:
            following = _next_unfinished(course, current)
            if following is None:
                console.print(f"[green]{say('every passed', lang)}[/green]")
                return
            current, after = following, current
            passed, checked = check(current, after)
            continue
        if again:
            passed, checked = check(current)
