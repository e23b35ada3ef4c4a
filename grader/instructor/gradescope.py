"""A Gradescope autograder for the course: `tutor gradescope build DIR`.

Gradescope unpacks the uploaded zip into /autograder/source, runs setup.sh once to
build the image, then run_autograder for each submission, which must leave
/autograder/results/results.json. The autograder holds the reference solutions; the
student's files arrive in /autograder/submission (a folder, as `tutor grade` takes it).
"""
from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

from ..course.catalog import Course
from .export import require_source, tool_files

SETUP = """#!/usr/bin/env bash
# Gradescope runs this once, as root, when it builds the autograder image (Ubuntu).
set -euo pipefail
ROOT="${AUTOGRADER_ROOT:-/autograder}"
APT_GET="${APT_GET:-apt-get}"
PIP_INSTALL="${PIP_INSTALL:-python3 -m pip install}"
# The image is the autograder's alone: let pip install where Ubuntu 24.04's pip would refuse to.
export PIP_BREAK_SYSTEM_PACKAGES=1
# Python's pip, and bubblewrap for the sandbox the students' code runs in.
$APT_GET update
$APT_GET install -y python3-pip bubblewrap
# torch's CPU build: the default Linux wheel pulls several GB of CUDA libraries a grader never uses.
$PIP_INSTALL torch==2.13.0 --index-url https://download.pytorch.org/whl/cpu
$PIP_INSTALL -e "$ROOT/source"
"""

RUN = """#!/usr/bin/env bash
# Gradescope runs this for every submission; it must write results/results.json.
set -uo pipefail
ROOT="${AUTOGRADER_ROOT:-/autograder}"
cd "$ROOT/source"
rm -rf "$ROOT/work"
tutor grade "$ROOT/submission" --out "$ROOT/work" --solutions "$ROOT/source/solutions" --seed 1 --jobs 1
mkdir -p "$ROOT/results"
if [ -f "$ROOT/work/students/submission/gradescope.json" ]; then
  cp "$ROOT/work/students/submission/gradescope.json" "$ROOT/results/results.json"
else  # the submission could not be graded at all: say why, with no points
  { cat "$ROOT/work/students/submission/error.txt" 2>/dev/null || echo "tutor could not grade the submission"; } |
    python3 -c 'import json, sys; from grader.output.safe_text import clean
print(json.dumps({"score": 0, "output": clean(sys.stdin.read(), 5000), "output_format": "text"}))' \\
    > "$ROOT/results/results.json"
fi
"""


def build(course: Course, target: Path) -> Path:
    """Write the autograder's files to `target` and zip them as target/autograder.zip."""
    require_source()
    target.mkdir(parents=True, exist_ok=True)
    tool_files(target)
    for name in ("exercises",):
        shutil.copytree(course.exercises_dir, target / name)
    shutil.copytree(course.solutions_dir, target / "solutions", ignore=shutil.ignore_patterns("__pycache__"))
    for name, text in (("setup.sh", SETUP), ("run_autograder", RUN)):
        (target / name).write_text(text, encoding="utf-8")
        (target / name).chmod(0o755)
    archive = target / "autograder.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as z:
        for path in sorted(target.rglob("*")):
            if path.is_file() and path != archive:
                info = zipfile.ZipInfo.from_file(path, path.relative_to(target).as_posix())
                z.writestr(info, path.read_bytes())  # keeps the executable bits
    return archive
