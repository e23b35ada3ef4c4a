"""The Exercism test-runner entry point, `bin/run.sh SLUG INPUT_DIR OUTPUT_DIR`.

Finds the solution for exercise SLUG in INPUT_DIR (its .py, its notebook, or one notebook
holding every answer, as `tutor grade` does), grades it with `tutor check --format json`
and writes OUTPUT_DIR/results.json. It exits 0 whatever the tests' status, as the
interface asks; what stops grading (no such exercise, no solution file, no references)
is a results.json with status `error` and a message, never a missing file.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from .bulk import Submission, shown_name, student_files
from ..course.catalog import BUNDLED, ENGINE, Course, UnknownExercise, find_root
from ..output.safe_text import clean

def _error(message: str) -> str:
    return json.dumps({"version": 3, "status": "error", "message": clean(message, 65535), "tests": []}, indent=2) + "\n"


def results(slug: str, input_dir: Path) -> str:
    course = Course(find_root(BUNDLED))
    try:
        ex = course.get(slug)
    except UnknownExercise:
        return _error(f"tutor has no exercise {slug!r}")
    sub = Submission(slug, input_dir)
    with tempfile.TemporaryDirectory(prefix="tutor-exercism-") as tmp:
        work = Path(tmp)
        try:
            file = student_files(sub, course, work).get(ex.id)
        except Exception as exc:  # a notebook that is not one
            return _error(f"the solution could not be read: {type(exc).__name__}: {exc}")
        if file is None:
            return _error(f"the solution has no {ex.file_stem}.py (nor {ex.file_stem}.ipynb)")
        seed = os.environ.get("TUTOR_SEED", "1")  # the same cases on every run
        proc = subprocess.run([sys.executable, "-m", ENGINE.name, "check", ex.id, "--file", str(file),
                               "--format", "json", "--seed", seed], cwd=ENGINE.parent, capture_output=True, text=True,
                              errors="replace")
        if proc.returncode not in (0, 1):  # not a verdict: a usage or configuration error
            return _error(proc.stderr.strip() or f"tutor check exited with {proc.returncode}")
        try:
            doc = json.loads(proc.stdout)
        except ValueError:
            return _error(f"tutor check gave no results: {proc.stderr.strip()}")
        for exercise in doc["exercises"]:
            exercise["file"] = shown_name(sub, file, work)  # <solution-dir>/relative, as the interface asks
        return json.dumps(doc, ensure_ascii=False, indent=2) + "\n"


def main(argv: list[str]) -> int:
    if len(argv) != 3:
        print("usage: bin/run.sh SLUG INPUT_DIR OUTPUT_DIR", file=sys.stderr)
        return 2
    slug, input_dir, output_dir = argv
    out = Path(output_dir)
    out.mkdir(parents=True, exist_ok=True)
    (out / "results.json").write_text(results(slug, Path(input_dir)), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
