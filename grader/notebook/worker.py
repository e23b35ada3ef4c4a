"""The grading process a notebook's kernel asks for verdicts (run as `python -m <package>.worker ROOT`).

The kernel runs the student's cells, so nothing of the grader lives there: this process
imports torch and the references itself, keeps the sandbox's fork server (the same one
`tutor check --file` uses) and the references warm between checks, and answers each request
with the report already rendered. It never sees the kernel's objects, only the program
text the kernel took from its cell history.

One JSON object a line each way: requests on stdin; answers on the descriptor that was
stdout (fd 1 is pointed at stderr, so that nothing a library prints reaches the channel).
"""
from __future__ import annotations

import base64
import json
import os
import shutil
import sys
import tempfile
import traceback
import warnings
from pathlib import Path

# The report as HTML in a notebook: Rich's recording, styles inline, in a <pre> of its own.
PRE = ('<pre style="white-space:pre-wrap;line-height:1.3;font-family:Menlo,\'DejaVu Sans Mono\','
       'consolas,\'Courier New\',monospace">{code}</pre>')
WIDTH = 100


class Grader:
    """A course's references, exercises and sandbox, started once for the kernel's life."""

    def __init__(self, root: Path):
        from ..course.catalog import Course
        from ..grading.cases import child_modules
        from ..sandbox.jail import start_server

        self.course = Course(root)
        # The server imports torch in its jail while this process reads the course and imports its own.
        server = start_server([self.course.root, *self.course.protected])
        preload = child_modules(self.course.exercises, many_runs=True)
        from ..sandbox.runner import Runner
        from ..grading import judge  # noqa: F401  (torch)

        self.runner = Runner(server=server, preload=preload)
        self.references: dict = {}
        self.scratch = Path(tempfile.mkdtemp(prefix="tutor-notebook-"))

    def check(self, request: dict) -> dict:
        from rich.console import Console
        from rich.markup import escape

        from ..course import workspace
        from ..grading import recorded
        from ..grading.judge import grade_many
        from ..output.terminal import render
        from ..messages.text import Text
        from ..messages.ui import say

        lang = request["lang"]
        ex = self.course.get(request["exercise"])
        path = self.scratch / f"{ex.file_stem}.py"
        path.write_text(request["source"], encoding="utf-8")
        result = next(grade_many([(ex, path, recorded.reference_path(self.course, ex))], request["seed"], self.runner,
                                 hide=self.course.protected, references=self.references))
        console = Console(record=True, width=WIDTH, file=open(os.devnull, "w"), highlight=False,
                          color_system="truecolor")
        cells = Text.joined([f"In[{n}]" for n in request["cells"]])
        render(console, result, lang, say("nb cells", lang, cells=cells) if request["cells"] else say("nb no cells", lang))
        for name, users in request["missing"].items():
            console.print(f"  [yellow]![/yellow] {escape(say('nb missing', lang, name=name, users=Text.joined(users)))}",
                          overflow="fold")
        page = console.export_html(inline_styles=True, code_format=PRE, clear=False)
        answer = {"passed": result.passed, "text": console.export_text(), "html": page}
        if ex.plot is not None:
            answer["png"] = self._figure(result, lang)
        workspace.record_check(self.course, ex, path, result.passed, notebook=True)
        return answer

    def _figure(self, result, lang: str) -> str | None:
        """The exercise's figure drawn from the student's result, as base64 PNG; None when
        their code gave nothing to draw (the report says why)."""
        from ..output.plot import PlotError, draw

        png = self.scratch / "figure.png"
        try:
            draw(result, png, lang)
        except PlotError:
            return None
        return base64.b64encode(png.read_bytes()).decode("ascii")


def answer(grader: Grader, request: dict) -> dict:
    from ..course.catalog import UnknownExercise
    from ..sandbox.runner import GraderError
    from ..messages.ui import say

    lang = request.get("lang", "en")
    try:
        return grader.check(request)
    except UnknownExercise as exc:
        return {"error": exc.says(lang)}
    except GraderError as exc:
        return {"error": say("cannot grade", lang, id=request["exercise"], error=str(exc))}
    except Exception as exc:  # a bug in tutor: say so, and keep the traceback
        with tempfile.NamedTemporaryFile("w", prefix="tutor-error-", suffix=".txt", delete=False) as f:
            traceback.print_exc(file=f)
        return {"error": say("tutor bug", lang, id=request["exercise"], error=f"{type(exc).__name__}: {exc}",
                             file=f.name)}


def main(root: str) -> None:
    from ..sandbox.runner import GraderError
    from ..messages.ui import say

    channel = os.fdopen(os.dup(1), "w", encoding="utf-8")
    os.dup2(2, 1)
    # Our stderr reaches the notebook (ipykernel forwards its descriptors): torch's warnings
    # about the references (create_graph=True in 2.5.6.1) are not the student's to read.
    warnings.simplefilter("ignore")
    try:
        grader, failed = Grader(Path(root)), None
    except GraderError as exc:  # the sandbox cannot start here: every check says so
        grader, failed = None, exc
    channel.write(json.dumps({"ready": True}) + "\n")
    channel.flush()
    for line in sys.stdin:
        request = json.loads(line)
        reply = answer(grader, request) if grader else \
            {"error": say("cannot grade", request["lang"], id=request["exercise"], error=str(failed))}
        channel.write(json.dumps(reply) + "\n")
        channel.flush()
    if grader:  # the kernel has gone (our stdin closed)
        grader.runner.close()
        shutil.rmtree(grader.scratch, ignore_errors=True)


if __name__ == "__main__":
    main(sys.argv[1])
