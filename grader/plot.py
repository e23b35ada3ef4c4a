"""Draw what an exercise's `plot:` asks, from the student's own seed case (matplotlib)."""
from __future__ import annotations

import math
from pathlib import Path

import torch

from .checks import describe_error
from .grading import ExerciseResult


class PlotError(Exception):
    pass


def draw(result: ExerciseResult, path: Path, lang: str = "en") -> None:
    spec = result.exercise.plot
    outcome = result.outcomes.get((spec.function, 0))
    if outcome is None or outcome.failure or outcome.error:
        why = "it did not run" if outcome is None else (outcome.failure or describe_error(outcome))
        raise PlotError(f"nothing to plot: your {spec.function} on the seed input failed ({why})")
    names = {"result": outcome.result, "args": outcome.args, "grads": outcome.grads, "torch": torch, "math": math}

    def values(expr: str):
        try:
            value = eval(expr, dict(names))  # exercise YAML is trusted; the data is plain tensors
            return torch.as_tensor(value).detach().double().reshape(-1).numpy()
        except Exception as exc:
            raise PlotError(f"nothing to plot: {expr} could not be computed from your result ({exc})") from None

    import matplotlib

    matplotlib.use("Agg")  # files only: no display needed
    import matplotlib.pyplot as plt

    x = values(spec.x)
    fig, ax = plt.subplots(figsize=(7, 4.5))
    for curve in spec.curves:
        y = values(curve.y)
        if y.shape != x.shape:
            raise PlotError(f"nothing to plot: {curve.label.get(lang)} has {y.size} values for {x.size} x values")
        ax.plot(x, y, curve.style, label=curve.label.get(lang))
    ax.set_title(spec.title.get(lang))
    ax.set_xlabel("x")
    ax.grid(True, alpha=0.3)
    ax.legend()
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
