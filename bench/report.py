"""Build the class report of a large class: `tutor report` as an instructor runs it.

    python bench/report.py [--students 500]

The goal: 500 graded students in at most 5 s, the report at most 5 MB. Grading 500
students would take an hour, so their graded folders are made as data: per student and
exercise, as bench/class_grading.py's make_class chooses (the reference, the starter or a
known mistake, seeded), a record like the one `tutor grade` writes (feedback.json: every
function's rows, a failure with its tensor diff, details and hints), a few students with a
failure of their own words, a timeout or a missing file, and the gradebook. The time is
the whole command (its start included), which also writes every student's feedback page.
"""
from __future__ import annotations

import argparse
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from grader.instructor import bulk  # noqa: E402

from grader.output import feedback_page  # noqa: E402
from grader.course.catalog import Course  # noqa: E402

GOAL_SECONDS, GOAL_MB = 5.0, 5.0
SANDBOX = {"en": "jail, own user namespace, uid 65534, no capabilities, own process namespace, no network, own IPC "
                 "and host name, read-only files, course and references out of reach, 64 MiB scratch, syscall filter, "
                 "no_new_privs, memory not readable by other processes, resource limits (memory, CPU time, file size)",
           "zh": "bubblewrap 沙箱：独立的用户命名空间、uid 65534、无任何权能、独立的进程命名空间、无网络、独立的 IPC 和主机名、"
                 "只读文件、无法触及课程和参考答案、64 MiB 临时空间、系统调用过滤、no_new_privs、其他进程无法读取内存、"
                 "资源限制（内存、CPU 时间、文件大小）"}


def _same(text: str) -> dict:
    return {"en": text, "zh": text}


def _failure(says: str, mistake: int | None, ex) -> dict:
    hints = [{"en": ex.mistakes[mistake].hint.en, "zh": ex.mistakes[mistake].hint.zh}] if mistake is not None else []
    return {"says": _same(says), "hints": hints, "mistakes": [] if mistake is None else [mistake], "cause": None,
            "details": [_same("first difference at index (1,): expected 1.0, got 3.0"),
                        _same("Mismatched elements: 3 / 4 (75.0%)"),
                        _same("Greatest absolute difference: 18.0 at index (3,) (up to 1e-05 allowed)")],
            "diff": {"expected": [["0", "1", "4", "9"]], "got": [["0", "3", "12", "27"]],
                     "differs": [[False, True, True, True]], "worst": [0, 3]}}


def _exercise(ex, kind: str, rng: random.Random, student: int) -> dict:
    mistake = rng.randrange(len(ex.mistakes)) if kind == "mistake" and ex.mistakes else None
    rows, cause = [], None
    for fn in ex.functions:
        fails = kind != "solution" and fn.name == ex.functions[0].name
        row = {"function": fn.name, "label": {"en": "seed and 5 more like it", "zh": "笔记示例及另外 5 个同类用例"},
               "passed": not fails, "hidden": False, "inputs": _same("x=tensor([0., 1., 2., 3.], requires_grad=True)"),
               "problems": [], "output": None}
        if fails and kind == "timeout":
            cause = "timeout"
            row["problems"] = [{**_failure("did not finish within 5 s (an endless loop?)", None, ex), "cause": cause}]
        elif fails and kind == "own words":  # every such student fails in words of their own
            row["problems"] = [_failure(f"your code raised ValueError: student {student} was here", None, ex)]
            row["output"] = "debugging output " * 20
        elif fails:
            row["problems"] = [_failure("your code raised NotImplementedError" if mistake is None
                                        else "result: values differ", mistake, ex)]
        rows.append(row)
        if not fails:
            rows.append({**row, "label": {"en": "5 random cases", "zh": "5 个随机用例"}, "inputs": None})
    missing = kind == "missing"
    score = 0.0 if missing else ex.points if kind == "solution" else ex.points / 2
    return {"id": ex.id, "slug": ex.slug, "title": {"en": ex.title.en, "zh": ex.title.zh},
            "file": f"workspace/{ex.file_stem}.py", "status": "error" if missing else "pass" if kind == "solution" else "fail",
            "score": score, "max_score": ex.points, "passed_checks": 6, "checks": 12, "seed": 1,
            "problem": _same(f"the submission has no {ex.file_stem}.py") if missing else None, "details": [],
            "cause": "missing" if missing else None,
            "mistakes": {str(mistake): {"function": ex.mistakes[mistake].function,
                                        "hint": {"en": ex.mistakes[mistake].hint.en, "zh": ex.mistakes[mistake].hint.zh}}}
            if mistake is not None else {},
            "rows": [] if missing else rows}


def make_graded(course: Course, size: int, out: Path) -> None:
    """OUT as `tutor grade` leaves it for `size` students, made as data."""
    rng = random.Random(size)
    rows = []
    for n in range(size):
        name = f"student{n:03d}"
        exercises = []
        for ex in course.exercises:
            kind = rng.choice(["solution", "solution", "starter", "mistake"])
            kind = rng.choices([kind, "timeout", "own words", "missing"], [90, 3, 4, 3])[0]
            exercises.append(_exercise(ex, kind, rng, n))
        folder = bulk.student_dir(out, name)
        folder.mkdir(parents=True)
        doc = {"version": feedback_page.VERSION, "student": name, "sandbox": SANDBOX, "exercises": exercises}
        (folder / feedback_page.RECORD).write_text(json.dumps(doc, ensure_ascii=False, separators=(",", ":")),
                                                   encoding="utf-8")
        row = {"student": name, **{e["id"]: e["score"] for e in exercises}}
        rows.append({**row, "total": sum(e["score"] for e in exercises)})
    rows.append({"student": "student-unreadable", "total": 0.0, "error": "BadZipFile: File is not a zip file"})
    bulk.write_gradebook(rows, course, out / "grades.csv")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--students", type=int, default=500)
    args = parser.parse_args()
    course = Course(ROOT)
    with tempfile.TemporaryDirectory() as tmp:
        out, report = Path(tmp) / "grades", Path(tmp) / "report.html"
        make_graded(course, args.students, out)
        start, cpu = time.perf_counter(), resource.getrusage(resource.RUSAGE_CHILDREN)
        proc = subprocess.run([sys.executable, str(ROOT / "cli.py"), "report", str(out), "-o", str(report)],
                              capture_output=True, text=True, cwd=ROOT)
        seconds = time.perf_counter() - start
        used = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu_seconds = used.ru_utime + used.ru_stime - cpu.ru_utime - cpu.ru_stime
        if proc.returncode != 0:
            sys.exit(f"tutor report failed: {proc.stderr[-2000:]}")
        mb = report.stat().st_size / 1e6
        pages = sorted(out.glob("students/*/feedback.html"))
        largest = max(p.stat().st_size for p in pages) / 1e3
    # CPU time as well: on a shared machine the wall clock measures the neighbours too.
    print(f"{args.students} students: report built in {seconds:.2f} s, {cpu_seconds:.2f} s of CPU (goal {GOAL_SECONDS:g} s), "
          f"{mb:.2f} MB (goal {GOAL_MB:g} MB); {len(pages)} feedback pages, the largest {largest:.0f} kB")
    if seconds > GOAL_SECONDS or mb > GOAL_MB:
        sys.exit("over the goal")


if __name__ == "__main__":
    main()
