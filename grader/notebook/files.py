"""A notebook file's program for one exercise, as `tutor check --file` and `tutor grade` take
it (no torch): the same program `%tutor check` takes from the cells a kernel ran."""
from __future__ import annotations

from pathlib import Path


def notebook_source(path: Path, exercise):
    """An exercise's program from a notebook file, as the kernel's `%tutor check` takes it from
    the cells it ran (`notebook.cells.program`): the latest definitions of its functions and
    what they use, loose code (prints, experiments, a cell that raises) left out. Cells are
    read up to the exercise's check cell (`%tutor check 2.5.4`) when the notebook has one:
    what a kernel running the notebook from the top holds there (2.5.4 and 2.5.6.3 each ask
    for an `f` in the 2.5 notebook; each is graded with its own)."""
    import nbformat

    from ..grading.locations import MARKER
    from .cells import loose_cells, program
    from .sections import checks

    nb = nbformat.read(str(path), as_version=4)
    cells = []
    for number, cell in enumerate(nb.cells, 1):  # numbered as Jupyter shows them, markdown included
        if cell.cell_type != "code":
            continue
        if checks(cell.source, exercise):
            break
        cells.append((number, cell.source))
    found = program(cells, [fn.name for fn in exercise.functions], marker=MARKER)
    found.loose = loose_cells(cells)
    return found


def program_file(notebook: Path, exercise, folder: Path):
    """The exercise's program from `notebook`, written as a .py in `folder`: its path, and the
    program (the cells it came from, those left out)."""
    program = notebook_source(notebook, exercise)
    target = folder / (notebook.stem + ".py")
    target.write_text(program.source, encoding="utf-8")
    return target, program
