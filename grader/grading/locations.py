"""Where a line of a graded program came from, when it is not the student's own file: a
notebook's program (`notebook.cells.program`) marks each piece of a cell it took (no torch)."""
from __future__ import annotations

import re

MARKER = "# cell {cell}, line {line}"  # the line above a piece of a notebook cell
_MARKED = re.compile(r"# cell (\d+), line (\d+)")


def cell_line(source: str, line: int) -> tuple[int, int] | None:
    """(cell, line in that cell) of the program's `line`, or None when no marker precedes it."""
    lines = source.splitlines()
    for index in range(min(line, len(lines) + 1) - 2, -1, -1):  # the lines above `line`
        found = _MARKED.fullmatch(lines[index])
        if found:
            return int(found[1]), int(found[2]) + line - (index + 2)
    return None
