"""Grade a generated class with `tutor grade`; report throughput and peak memory.

    python bench/class_grading.py [--sizes 10,25,50] [--jobs N]

Submissions are generated from the course itself: each student has, per exercise, the
reference solution, the starter, or a known mistake, chosen at random (seeded). The
baseline is what grading one exercise costs with a fresh interpreter per exercise
(`TUTOR_RUNNER=subprocess tutor check ID --file F`), measured on a few exercises and
scaled to the whole class.
"""
from __future__ import annotations

import argparse
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from grader.catalog import Course  # noqa: E402
from grader.validate import mistake_source  # noqa: E402


def make_class(course: Course, size: int, into: Path) -> list[Path]:
    rng = random.Random(size)
    students = []
    for n in range(size):
        folder = into / f"student{n:03d}"
        folder.mkdir(parents=True)
        for ex in course.exercises:
            kind = rng.choice(["solution", "solution", "starter", "mistake"])
            if kind == "solution":
                text = course.solution_file(ex).read_text(encoding="utf-8")
            elif kind == "mistake" and ex.mistakes:
                text = mistake_source(course, ex, rng.randrange(len(ex.mistakes)))
            else:
                text = ex.starter
            (folder / f"{ex.file_stem}.py").write_text(text, encoding="utf-8")
        students.append(folder)
    return students


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="10,25,50")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args()
    course = Course(ROOT)
    tutor = [sys.executable, str(ROOT / "cli.py")]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}

    # Baseline: a fresh interpreter per exercise, on three exercises.
    sample = course.exercises[:3]
    start = time.perf_counter()
    for ex in sample:
        subprocess.run(tutor + ["check", ex.id, "--file", str(course.solution_file(ex)), "--seed", "1"],
                       env={**env, "TUTOR_RUNNER": "subprocess"}, stdout=subprocess.DEVNULL, cwd=ROOT)
    per_exercise = (time.perf_counter() - start) / len(sample)

    print(f"baseline: {per_exercise:.2f} s per exercise with a fresh interpreter; jobs={args.jobs}")
    print(f"{'students':>8} {'seconds':>8} {'exercises/s':>12} {'vs baseline':>12} {'peak MB':>8}")
    for size in (int(s) for s in args.sizes.split(",")):
        with tempfile.TemporaryDirectory() as tmp:
            students = make_class(course, size, Path(tmp) / "class")
            out = Path(tmp) / "out"
            peak_file = Path(tmp) / "peak"
            start = time.perf_counter()
            # GNU time's %M: the largest resident set among tutor, its workers and their sandboxes.
            proc = subprocess.run(["/usr/bin/time", "-f", "%M", "-o", str(peak_file), *tutor, "grade",
                                   *map(str, students), "--out", str(out), "--jobs", str(args.jobs)],
                                  env=env, capture_output=True, text=True, cwd=ROOT)
            seconds = time.perf_counter() - start
            peak_mb = int(peak_file.read_text().split()[-1]) / 1024
            shutil.rmtree(out, ignore_errors=True)
        graded = size * len(course.exercises)
        ratio = per_exercise * graded / seconds
        print(f"{size:>8} {seconds:>8.1f} {graded / seconds:>12.1f} {ratio:>11.1f}x {peak_mb:>8.0f}"
              + ("" if proc.returncode in (0, 1) else f"  (exit {proc.returncode}: {proc.stderr[-200:]})"))


if __name__ == "__main__":
    main()
