"""tutor inside Jupyter and Colab: `%load_ext <this package>`, then `%tutor check 2.5.3`.

The same commands without magics: `from <this package> import check; check("2.5.3")`.
`cells` takes an exercise's program from the kernel's cell history, `worker` grades it in
a process of its own through the sandbox, `kernel` holds the commands, and `sections`
writes a notebook per section of the course.
"""
from __future__ import annotations

EXTENSION = __name__  # what a notebook loads: `%load_ext grader.notebook`, wherever the package moves


def load_ipython_extension(shell) -> None:
    """Register `%tutor`, and start the grading process now, so that it imports torch and
    its sandbox while the student reads."""
    from IPython.display import display

    from .kernel import WORKER, _course, run_line

    def tutor(line: str) -> None:
        display(run_line(line))

    shell.register_magic_function(tutor, "line", "tutor")
    WORKER.start(_course().root)


def check(exercise: str, lang: str | None = None, seed: int | None = None):
    """Grade the functions this notebook's cells define for `exercise` (shown when it is a
    cell's last expression; `.passed` is the verdict)."""
    from .kernel import run

    return run("check", exercise, lang, seed)


def hint(exercise: str, lang: str | None = None):
    """The exercise's next hint."""
    from .kernel import run

    return run("hint", exercise, lang)


def show(exercise: str, lang: str | None = None):
    """The exercise's prompt and the functions to write."""
    from .kernel import run

    return run("show", exercise, lang)


def solution(exercise: str, lang: str | None = None):
    """The reference solution, once the exercise has passed."""
    from .kernel import run

    return run("solution", exercise, lang)
