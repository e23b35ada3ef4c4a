"""Grade a generated class with `tutor grade`, against checking each student on their own.

    python bench/class_grading.py [--sizes 20] [--jobs 2] [--notes]

Submissions are generated from the course itself: each student has, per exercise, the
reference solution, the starter, or a known mistake, chosen at random (seeded). The
baseline is what a course without `tutor grade` would run: `tutor check --all` in each
student's own copy of the course, `--jobs` students at a time. Peak memory is the largest
process's resident set (GNU time's %M). `--notes`: over the study notes' 20 exercises only,
the course the 3x target was set with (as bench/speed.py does for `check --all`).
"""
from __future__ import annotations

import argparse
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from grader.course.catalog import Course  # noqa: E402
from grader.instructor.validate import mistake_source  # noqa: E402
from speed import NOTES  # noqa: E402


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


def _cpu() -> float:
    """CPU seconds the machine has been busy so far (every core, from /proc/stat): the jail's
    processes are not this process's waited-for children, so its own accounts miss them. It
    counts other work on the machine too: run it on a quiet one. Elsewhere, this process's
    finished children's."""
    try:
        with open("/proc/stat") as f:
            user, nice, system, idle, iowait, irq, softirq = map(int, f.readline().split()[1:8])
        return (user + nice + system + irq + softirq) / os.sysconf("SC_CLK_TCK")
    except OSError:
        used = resource.getrusage(resource.RUSAGE_CHILDREN)
        return used.ru_utime + used.ru_stime


def _timed(cmds: list[tuple[list[str], Path]], jobs: int, env: dict) -> tuple[float, float]:
    """Wall and CPU seconds to run every (command, folder), `jobs` at a time."""
    from concurrent.futures import ThreadPoolExecutor

    start, cpu = time.perf_counter(), _cpu()
    with ThreadPoolExecutor(jobs) as pool:
        list(pool.map(lambda c: subprocess.run(c[0], cwd=c[1], env=env, capture_output=True), cmds))
    return time.perf_counter() - start, _cpu() - cpu


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="20")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--notes", action="store_true", help="the study notes' 20 exercises only")
    args = parser.parse_args()
    tutor = [sys.executable, str(ROOT / "cli.py")]
    env = {**os.environ, "PYTHONPATH": str(ROOT), "TUTOR_SEED": "1"}
    with tempfile.TemporaryDirectory() as course_tmp:
        root = ROOT
        if args.notes:
            root = Path(course_tmp)
            for name in ("exercises", "solutions"):
                (root / name).mkdir()
                for path in (ROOT / name).iterdir():
                    if path.name.split("-")[0] in NOTES:
                        shutil.copy(path, root / name / path.name)
        _bench(Course(root), args, tutor, {**env, "TUTOR_ROOT": str(root)})


def _bench(course: Course, args, tutor: list[str], env: dict) -> None:
    print(f"jobs={args.jobs}")
    # Busy CPU seconds too: what each way costs the machine, whatever else slows the clock.
    print(f"{'students':>8} {'grade s':>8} {'loop s':>8} {'speed-up':>9} {'grade cpu':>9} {'loop cpu':>9} "
          f"{'cpu ratio':>9} {'peak MB':>8}")
    for size in (int(s) for s in args.sizes.split(",")):
        with tempfile.TemporaryDirectory() as tmp:
            students = make_class(course, size, Path(tmp) / "class")
            copies = []
            for folder in students:  # each student's own course, their files as its workspace
                copy = Path(tmp) / "courses" / folder.name
                copy.mkdir(parents=True)
                for name in ("exercises", "solutions"):
                    (copy / name).symlink_to(course.root / name)
                (copy / "workspace").symlink_to(folder)
                copies.append(copy)
            loop, loop_cpu = _timed([(tutor + ["check", "--all", "--format", "json"], c) for c in copies], args.jobs,
                                    {k: v for k, v in env.items() if k != "TUTOR_ROOT"})  # each finds its copy
            out = Path(tmp) / "out"
            peak_file = Path(tmp) / "peak"
            start, cpu = time.perf_counter(), _cpu()
            proc = subprocess.run(["/usr/bin/time", "-f", "%M", "-o", str(peak_file), *tutor, "grade",
                                   *map(str, students), "--out", str(out), "--jobs", str(args.jobs)],
                                  env=env, capture_output=True, text=True, cwd=course.root)
            seconds, grade_cpu = time.perf_counter() - start, _cpu() - cpu
            peak_mb = int(peak_file.read_text().split()[-1]) / 1024
        print(f"{size:>8} {seconds:>8.1f} {loop:>8.1f} {loop / seconds:>8.2f}x {grade_cpu:>9.1f} {loop_cpu:>9.1f} "
              f"{loop_cpu / grade_cpu:>8.2f}x {peak_mb:>8.0f}"
              + ("" if proc.returncode in (0, 1) else f"  (exit {proc.returncode}: {proc.stderr[-200:]})"))


if __name__ == "__main__":
    main()
