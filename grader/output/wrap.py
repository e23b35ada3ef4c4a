"""Markdown in the terminal with lines broken where Chinese can break (no torch).

Rich breaks a line only at spaces, so a run of Chinese characters, which has none, jumps
whole to the next line, and a code span with a space in it (`X[0:1, :] = 12`) is split
mid-expression. While `print_markdown` prints, Rich's line breaker is replaced by one that
may also break between two Chinese characters (never before closing punctuation such as
，。） or after opening punctuation such as （“) and never inside a code span of the text.
"""
from __future__ import annotations

import re
from contextlib import contextmanager

from rich.cells import cell_len, chop_cells

from ..messages.text import CJK

_IDEOGRAPH = re.compile(f"[{CJK}]")
_NO_BREAK_BEFORE = set("，。、；：？！）》」』”’…—·")
_NO_BREAK_AFTER = set("（《「『“‘")
CODE_SPAN = re.compile(r"`([^`\n]+)`")


def _chinese(char: str) -> bool:
    return bool(_IDEOGRAPH.match(char)) or char in _NO_BREAK_BEFORE or char in _NO_BREAK_AFTER


def _may_break(text: str, i: int) -> bool:
    """Whether a line may start at text[i]."""
    before, after = text[i - 1], text[i]
    if after.isspace():
        return False
    if before.isspace():
        return True
    if after in _NO_BREAK_BEFORE or before in _NO_BREAK_AFTER:
        return False
    return _chinese(before) or _chinese(after)


def break_positions(text: str, width: int, keep: tuple[str, ...] = ()) -> list[int]:
    """Offsets at which to break `text` into lines of at most `width` cells: the longest
    line that ends at a break opportunity, except inside any occurrence of a `keep` string
    (a code span); a piece with no opportunity within `width` is folded."""
    kept = [(m.start(), m.end()) for code in keep if cell_len(code) <= width
            for m in re.finditer(re.escape(code), text)]
    candidates = [i for i in range(1, len(text)) if _may_break(text, i)
                  and not any(start < i < end for start, end in kept)] + [len(text)]
    breaks, start, last = [], 0, None
    for i in candidates:
        if cell_len(text[start:i].rstrip()) <= width:
            last = i
            continue
        if last is None or last == start:  # nothing fits: fold the piece
            for piece in chop_cells(text[start:i], width)[:-1]:
                start += len(piece)
                breaks.append(start)
        else:
            breaks.append(last)
            start = last
        last = i if cell_len(text[start:i].rstrip()) <= width else None
    return breaks


@contextmanager
def _chinese_line_breaks(keep: tuple[str, ...]):
    import rich.text

    original = getattr(rich.text, "divide_line", None)
    if original is None:  # another Rich: its own line breaking
        yield
        return
    rich.text.divide_line = lambda text, width, fold=True: break_positions(text, width, keep)
    try:
        yield
    finally:
        rich.text.divide_line = original


@contextmanager
def line_breaks(lang: str, keep: tuple[str, ...] = ()):
    """While printing text in `lang`: in Chinese, lines may also break between characters,
    never inside a `keep` string; elsewhere Rich's own breaking."""
    if lang != "zh":
        yield
        return
    with _chinese_line_breaks(keep):
        yield


def inline(source: str, style: str = ""):
    """One line of Markdown as Rich text: `code` and **bold** styled, the marks dropped."""
    from rich.text import Text

    out = Text(style=style)
    for i, part in enumerate(re.split(r"(`[^`\n]+`|\*\*[^*\n]+\*\*)", source)):
        if i % 2 == 0:
            out.append(part)
        elif part.startswith("`"):
            out.append(part[1:-1], style="markdown.code")
        else:
            out.append(part[2:-2], style="bold")
    return out


def print_markdown(console, source: str, lang: str) -> None:
    """`source` as Markdown; in Chinese with lines broken between characters and code spans kept whole."""
    from rich.markdown import Markdown

    with line_breaks(lang, tuple(CODE_SPAN.findall(source))):
        console.print(Markdown(source))
