"""Measure a `%tutor check` re-check in a Jupyter kernel that has already imported torch.

    python bench/notebook.py [--repeat 10] [--exercise 2.5.3]

Target: at most 0.3 s from sending the check cell to the kernel's reply, the median of
`--repeat` re-checks of the reference solution (the first check, which waits for the grading
process and its sandbox to import torch, is reported apart). Needs ipykernel and nbclient
(the `test` extra).
"""
from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET = 0.3


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=10)
    parser.add_argument("--exercise", default="2.5.3")
    args = parser.parse_args()
    import nbformat
    from nbclient import NotebookClient

    sys.path.insert(0, str(ROOT))
    from grader.course.catalog import Course

    course = Course(ROOT)
    ex = course.get(args.exercise)
    with tempfile.TemporaryDirectory(prefix="tutor-bench-") as tmp:
        for name in ("exercises", "solutions"):  # progress is recorded in a copy, not in the checkout
            shutil.copytree(ROOT / name, Path(tmp) / name)
        os.environ.update(PYTHONPATH=str(ROOT), TUTOR_ROOT=tmp)
        nb = nbformat.v4.new_notebook()
        client = NotebookClient(nb, timeout=300, kernel_name="python3", shutdown_kernel="immediate",
                                resources={"metadata": {"path": tmp}})

        def run(source: str) -> float:
            cell = nbformat.v4.new_code_cell(source)
            nb.cells.append(cell)
            start = time.perf_counter()
            client.execute_cell(cell, len(nb.cells) - 1)
            took = time.perf_counter() - start
            if any(out.output_type == "error" for out in cell.outputs):
                raise SystemExit(f"the cell failed: {cell.outputs}")
            return took

        with client.setup_kernel():
            run("import torch\n%load_ext grader.notebook")
            run(course.solution_file(ex).read_text(encoding="utf-8"))
            first = run(f"%tutor check {ex.id}")
            times = [run(f"%tutor check {ex.id}") for _ in range(args.repeat)]
    median = statistics.median(times)
    print(f"first check (grading process and sandbox starting): {first:.2f} s")
    print(f"re-check of {ex.id}, median of {args.repeat}: {median:.3f} s (min {min(times):.3f}, "
          f"max {max(times):.3f}); target {TARGET} s: {'met' if median <= TARGET else 'MISSED'}")


if __name__ == "__main__":
    main()
