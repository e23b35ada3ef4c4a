"""A run's results in the formats asked for: one printed (`--format`), any written
(`--output FORMAT=PATH`), and GitHub's step summary when GitHub's format is among them."""
from __future__ import annotations

import os
import sys
from pathlib import Path

from rich.console import Console

from . import formats


class OutputSpecError(ValueError):
    """An --output that is not FORMAT=PATH with a known format."""


class WriteError(OSError):
    def __init__(self, fmt: str, path: Path, error: OSError):
        super().__init__(str(error))
        self.fmt, self.path, self.error = fmt, path, error


def parse_outputs(specs: list[str]) -> list[tuple[str, Path]]:
    writes = []
    for spec in specs:
        fmt, sep, path = spec.partition("=")
        if not sep or not path or fmt not in formats.FORMATS:
            raise OutputSpecError(spec)
        writes.append((fmt, Path(path)))
    return writes


def emit(results, format_: str, writes: list[tuple[str, Path]], lang: str) -> None:
    """Print `format_` (unless text, which the caller has shown as it went) and write each of
    `writes`; `results` (grading.results) include the exercise files that did not load, so
    that every format names them."""
    from .terminal import render

    def text(fmt: str) -> str:
        if fmt == "text":
            capture = Console(record=True, width=100, file=open(os.devnull, "w"), highlight=False, soft_wrap=True)
            for result in results:
                render(capture, result, lang)
            return capture.export_text()
        return formats.RENDERERS[fmt](results, lang)

    if format_ != "text":
        sys.stdout.write(text(format_))
    if "github" in [format_] + [fmt for fmt, _ in writes]:
        summary = os.environ.get("GITHUB_STEP_SUMMARY")
        if summary:
            with open(summary, "a", encoding="utf-8") as f:
                f.write(formats.github_summary(results))
        elif format_ == "github":
            sys.stdout.write(formats.github_summary(results))
    for fmt, path in writes:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text(fmt), encoding="utf-8")
        except OSError as exc:
            raise WriteError(fmt, path, exc) from None
