"""Render grading results for a person at a terminal (Rich)."""
from __future__ import annotations

import re

import torch
from rich.console import Console
from rich.padding import Padding
from rich.table import Table
from rich.markup import escape
from rich.text import Text as RichText

from ..grading.results import CheckResult, ExerciseResult
from .safe_text import clean
from ..messages.ui import say
from .wrap import inline, line_breaks

MAX_FAILURES_SHOWN = 4  # distinct failures per function; the rest are counted
TEXT_CAP = 2000  # characters of one message from the student's process (an error, a value)
PRINTED_CAP = 400  # characters of what a case printed


DIFF_MAX_ELEMENTS = 48  # larger tensors are described by the numbers above, not drawn


def diff_cells(expected, actual):
    """A small 1-D or 2-D tensor's values as text, for drawing expected above got: (expected
    rows, got rows, which cells differ, the worst cell). None when the tensor is too large or
    of another rank. The terminal and the HTML feedback page draw it."""
    if expected.dim() not in (1, 2) or expected.numel() > DIFF_MAX_ELEMENTS or expected.shape != actual.shape:
        return None
    e2, a2 = (t.reshape(1, -1) if t.dim() == 1 else t for t in (expected, actual))
    dtype = torch.promote_types(e2.dtype, a2.dtype)
    e, a = e2.to(dtype), a2.to(dtype)
    if dtype.is_floating_point:
        gap = (a.double() - e.double()).abs().nan_to_num(nan=float("inf"))
        bad = ~torch.isclose(a, e, equal_nan=True)
    else:
        gap = (a != e).double()
        bad = a != e
    worst = divmod(int(torch.where(bad, gap, torch.full_like(gap, -1.0)).argmax()), e.shape[1])

    def fmt(value) -> str:
        return f"{value:.4g}" if isinstance(value, float) else str(value)

    return ([[fmt(v) for v in row] for row in e2.tolist()], [[fmt(v) for v in row] for row in a2.tolist()],
            bad.tolist(), worst)


def tensor_diff(expected, actual, lang: str = "en"):
    """Expected and got side by side for a small 1-D or 2-D tensor: differing elements in red,
    the worst one marked. None when the tensor is too large or of another rank."""
    cells = diff_cells(expected, actual)
    if cells is None:
        return None
    want, got, bad, worst = cells
    grid = Table.grid(padding=(0, 1))
    grid.add_column(style="dim")
    for _ in range(len(want[0])):
        grid.add_column(justify="right")
    for label, rows in (("expected", want), ("got", got)):
        for i, row in enumerate(rows):
            shown = [f"[bold red]{escape(text)}{'◀' if (i, j) == worst else ''}[/]" if rows is got and bad[i][j]
                     else text for j, text in enumerate(row)]
            grid.add_row(say(label, lang) if i == 0 else "", *shown)
    return grid


def _shape_of_failure(row: CheckResult):
    """Failures alike but for the numbers in them (shapes, values) are shown once."""
    return [(re.sub(r"\d+", "#", p.message), p.hints) for p in row.problems]


def grouped(rows: list[CheckResult]):
    """Per function: its passing cases as one row, then runs of cases failing the same way
    as one row each; a hidden case keeps a row of its own (it shows only its name)."""
    out: list[tuple[CheckResult, int]] = []
    passing: dict[str, int] = {}  # function -> index of its passing row in out
    for row in rows:
        if row.passed and not row.hidden:
            if row.function in passing:
                first, count = out[passing[row.function]]
                out[passing[row.function]] = (first, count + 1)
                continue
            passing[row.function] = len(out)
        elif out and not row.hidden and not out[-1][0].hidden:
            last, count = out[-1]
            if not last.passed and last.function == row.function and _shape_of_failure(row) == _shape_of_failure(last):
                out[-1] = (last, count + 1)
                continue
        out.append((row, 1))
    return out


def render(console: Console, result: ExerciseResult, lang: str = "en", show_path: str | None = None,
           verbose: bool = False) -> None:
    """One exercise's report. The sandbox's line only when asked (`verbose`) or when it gave
    something up. An exercise file that does not load: named with its line, in one line."""
    if not result.loaded:
        console.print(f"[red]✗[/red] {escape(result.message.get(lang))}")
        return
    with line_breaks(lang):  # Chinese breaks between characters, not only at spaces
        _render(console, result, lang, show_path, verbose)


def _render(console: Console, result: ExerciseResult, lang: str, show_path: str | None, verbose: bool) -> None:
    ex = result.exercise
    where = clean(show_path or str(result.file), 200)
    console.print(f"[bold]{ex.id} {ex.slug}[/bold] — {escape(ex.title.get(lang))}  [dim]{escape(where)}[/dim]")
    if result.import_problem:
        console.print(f"  [red]✗[/red] {escape(clean(result.import_problem.says(lang), TEXT_CAP))}")
        for line in result.import_problem.details_in(lang):
            console.print(f"      [dim]{escape(clean(line, TEXT_CAP))}[/dim]")
    else:
        # Show each function's first few kinds of failure; count the rest in one line.
        shown: dict[str, int] = {}
        hidden: dict[str, int] = {}
        hinted: list = []  # a hint said once for the exercise, however many cases it explains
        for row, count in grouped(result.results):
            if not row.passed and not row.hidden:
                if shown.get(row.function, 0) >= MAX_FAILURES_SHOWN:
                    hidden[row.function] = hidden.get(row.function, 0) + count
                    continue
                shown[row.function] = shown.get(row.function, 0) + 1
            _render_row(console, row, count, lang, hinted)
        for function, count in hidden.items():
            console.print(f"  [red]✗[/red] [bold]{function}[/bold]  [cyan]{say('more failing', lang, count=count)}[/cyan]"
                          f"[dim]{say('fix first', lang)}[/dim]")
    passed, total = result.counts
    colour = "green" if result.passed else "red"
    summary = say("summary", lang, passed=passed, total=total, score=f"{result.score:.3g}", max=f"{result.max_score:g}")
    replay = say('replay', lang, seed=result.seed) if not result.passed else ""
    sandbox = f" · {say('sandbox', lang)}{escape(result.isolation.get(lang))}" \
        if verbose or not result.confined else ""
    console.print(f"  [{colour}]{summary}[/{colour}][dim] · {say('seed', lang, seed=result.seed)}{replay}{sandbox}[/dim]")


def row_label(row: CheckResult, count: int, lang: str) -> str:
    """A row's case, or the run of cases it stands for ("seed and 5 more like it")."""
    label = row.label.get(lang)
    if count > 1:
        label = say("cases", lang, count=count) if row.passed else say("more like it", lang, label=label,
                                                                       count=count - 1)
    return label


def _render_row(console: Console, row: CheckResult, count: int, lang: str, hinted: list) -> None:
    label = row_label(row, count, lang)
    line = RichText("  ")
    line.append("✓ " if row.passed else "✗ ", style="green" if row.passed else "red")
    line.append(f"{row.function}", style="bold")
    line.append(f"  {label}", style="cyan")
    if row.hidden:  # the name and the verdict only, as the instructor chose
        line.append(f"  {say('hidden', lang)}", style="dim")
        console.print(line)
        return
    if row.inputs.en and (count == 1 or not row.passed):
        line.append(f"  {row.inputs.get(lang)}", style="dim")
    console.print(line)
    for problem in row.problems:
        console.print(f"      {escape(clean(problem.says(lang), TEXT_CAP))}")
        for detail in problem.details_in(lang):
            console.print(f"        [dim]{escape(clean(detail, TEXT_CAP))}[/dim]")
        if problem.tensors is not None:
            picture = tensor_diff(*problem.tensors, lang)
            if picture is not None:
                console.print(Padding(picture, (0, 0, 0, 8)))
        # One hint per failure, the most specific (a named mistake comes before the check's own
        # hint), and none said twice in one exercise's report.
        for hint in [h for h in problem.hints if h not in hinted][:1]:
            hinted.append(hint)
            console.print(RichText("      ").append(say("hint", lang), style="yellow").append(inline(hint.get(lang).strip())))
    if not row.passed and row.output:
        shown = clean(row.output, PRINTED_CAP, "…")
        console.print(f"      [dim]{say('printed', lang)}{escape(shown.rstrip())}[/dim]")
