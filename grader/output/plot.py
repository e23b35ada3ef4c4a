"""Pictures of a student's result: the exercise's own figure (its YAML `plot:`, drawn from
the student's seed case), or where a failed comparison of 1-D or 2-D tensors differs.
As a PNG file (matplotlib) or in the terminal (plotext).
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import torch

from ..grading.checks.base import describe_error
from ..grading.results import ExerciseResult
from ..messages.feedback import said
from ..messages.text import Text
from ..messages.ui import say


class PlotError(Exception):
    def __init__(self, text: Text):
        self.text = text
        super().__init__(text.en)


@dataclass
class Curves:
    """The exercise's figure: y curves over x."""

    title: str
    x: list
    lines: list[tuple[str, list, str]]  # (label, y, matplotlib style)


@dataclass
class Difference:
    """Where a failed comparison differs."""

    title: str
    expected: torch.Tensor
    actual: torch.Tensor


_DIFF_TITLE = Text("{function} ({case}): {message}", "{function}（{case}）：{message}")


def picture(result: ExerciseResult, lang: str = "en") -> Curves | Difference:
    """What to draw for this result: the exercise's figure if it has one, else the first
    failed comparison of tensors that can be drawn."""
    if result.exercise.plot is not None:
        return _curves(result, lang)
    for row in result.results:
        for problem in row.problems:
            if problem.tensors is not None and all(0 < t.dim() <= 2 for t in problem.tensors) \
                    and problem.tensors[0].shape == problem.tensors[1].shape:
                title = _DIFF_TITLE.get(lang).format(function=row.function, case=row.label.get(lang),
                                                     message=problem.says(lang))
                return Difference(title, *(t.detach().double() for t in problem.tensors))
    raise PlotError(said("nothing to draw", more="" if result.passed else said("see check")))


def _curves(result: ExerciseResult, lang: str) -> Curves:
    spec = result.exercise.plot
    outcome = result.outcomes.get((spec.function, 0))
    if outcome is None or outcome.failure or outcome.error:
        why = said("did not run") if outcome is None else (outcome.failure_text or Text.same(outcome.failure)
                                                           if outcome.failure else describe_error(outcome))
        raise PlotError(said("plot failed run", function=spec.function, why=why))
    names = {"result": outcome.result, "args": outcome.args, "grads": outcome.grads, "torch": torch, "math": math}

    def values(expr: str) -> list:
        try:
            value = eval(expr, dict(names))  # exercise YAML is trusted; the data is plain tensors
            return torch.as_tensor(value).detach().double().reshape(-1).tolist()
        except Exception as exc:
            raise PlotError(said("plot not computable", expr=expr, error=exc)) from None

    x = values(spec.x)
    lines = []
    for curve in spec.curves:
        y = values(curve.y)
        if len(y) != len(x):
            raise PlotError(said("plot sizes", label=curve.label, n=len(y), m=len(x)))
        lines.append((curve.label.get(lang), y, curve.style))
    return Curves(spec.title.get(lang), x, lines)


# Families that cover Chinese on common systems (Linux, Windows, macOS), best first.
_CJK_FONTS = ("Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "WenQuanYi Micro Hei", "WenQuanYi Zen Hei",
              "Microsoft YaHei", "SimHei", "PingFang SC", "Hiragino Sans GB", "Heiti SC", "Arial Unicode MS")


def _font_for(lang: str) -> tuple[str, Text | None]:
    """The language the figure's labels can be drawn in here, and a note when that is not
    `lang`: matplotlib's default font has no Chinese glyphs."""
    if lang != "zh":
        return lang, None
    import matplotlib
    from matplotlib import font_manager

    installed = {font.name for font in font_manager.fontManager.ttflist}
    for family in _CJK_FONTS:
        if family in installed:
            matplotlib.rcParams["font.sans-serif"] = [family, *matplotlib.rcParams["font.sans-serif"]]
            return "zh", None
    return "en", said("no chinese font")


def draw(result: ExerciseResult, path: Path, lang: str = "en") -> Text | None:
    """The picture as a PNG file; a note when something was given up."""
    import matplotlib

    matplotlib.use("Agg")  # files only: no display needed
    import matplotlib.pyplot as plt

    lang, note = _font_for(lang)
    what = picture(result, lang)

    if isinstance(what, Curves):
        fig, ax = plt.subplots(figsize=(7, 4.5))
        for label, y, style in what.lines:
            ax.plot(what.x, y, style, label=label)
        ax.set_xlabel("x")
        ax.grid(True, alpha=0.3)
        ax.legend()
    elif what.expected.dim() == 1:
        fig, ax = plt.subplots(figsize=(7, 4.5))
        index = range(what.expected.numel())
        ax.plot(index, what.expected.tolist(), "o-", label=say("expected", lang))
        ax.plot(index, what.actual.tolist(), "x--", label=say("got", lang))
        wrong = [i for i in index if not _close(what.expected[i], what.actual[i])]
        ax.plot(wrong, [what.actual[i].item() for i in wrong], "o", mfc="none", mec="red", ms=14)
        ax.set_xlabel("index")
        ax.grid(True, alpha=0.3)
        ax.legend()
    else:
        fig, axes = plt.subplots(1, 3, figsize=(12, 4))
        gap = (what.actual - what.expected).abs().nan_to_num(nan=math.inf)
        for ax, matrix, label in zip(axes, (what.expected, what.actual, gap), ("expected", "got", "gap")):
            image = ax.imshow(matrix.nan_to_num(posinf=0.0, neginf=0.0).numpy(), cmap="viridis")
            ax.set_title(say(label, lang))
            fig.colorbar(image, ax=ax, shrink=0.8)
        rows, cols = torch.nonzero(~_close(what.expected, what.actual), as_tuple=True)
        axes[2].plot(cols.tolist(), rows.tolist(), "s", mfc="none", mec="red", ms=10)
    fig.suptitle(what.title, fontsize=10)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
    return note


# Each series' colour on a terminal, and its marker where there is no colour (piped output).
_SERIES = (("blue", "•", 34), ("red", "+", 31), ("green", "x", 32))


def render(result: ExerciseResult, lang: str = "en", width: int = 80, colour: bool = True) -> str:
    """The picture as text for a terminal: curves as a line chart; a difference as the two
    tensors' values by index (1-D) or row by row (2-D), with the differing points marked. The
    legend is drawn under the chart, not by plotext, which counts a Chinese character as one
    column where a terminal shows two."""
    what = picture(result, lang)
    import plotext as plt

    plt.clear_figure()
    plt.plotsize(min(width, 100), 20)
    plt.title(what.title)
    if isinstance(what, Curves):
        series = [(label, what.x, y) for label, y, _ in what.lines]
    else:
        expected, actual = what.expected.reshape(-1), what.actual.reshape(-1)
        index = list(range(expected.numel()))
        series = [(say("expected", lang), index, expected.tolist()), (say("got", lang), index, actual.tolist())]
        plt.xlabel("index" if what.expected.dim() == 1 else f"row-major index ({what.expected.shape[1]} per row)")
    legend = []
    for (label, x, y), (name, mark, ansi) in zip(series, _SERIES):
        plt.plot(x, y, marker="braille" if colour else mark, color=name)
        legend.append(f"\x1b[{ansi}m{'⣿' if colour else mark}\x1b[0m {label}")
    if not isinstance(what, Curves):
        wrong = [i for i in index if not _close(expected[i], actual[i])]
        plt.scatter(wrong, [actual[i].item() for i in wrong], marker="x", color="red")
    return plt.build() + "\n  " + "   ".join(legend)


def _close(expected: torch.Tensor, actual: torch.Tensor) -> torch.Tensor:
    return torch.isclose(actual, expected, equal_nan=True)
