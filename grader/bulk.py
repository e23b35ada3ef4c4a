"""Grading a class: many students' submissions, side by side, into a gradebook.

A submission is a folder, a .zip or a Jupyter notebook, one per student. Each student
is graded by a worker process of its own (`python -m grader.bulk`), which forks every
child for that student's files before it loads any reference; workers run in parallel,
and one that hangs or dies costs only its own student. Results land in
OUT/<student>/ (results.json, gradescope.json, junit.xml, report.txt); grades.csv is
rebuilt from them. A student whose files have not changed since the last run (same
content hash, seed and references) is not graded again.
"""
from __future__ import annotations

import csv
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

from .catalog import Course

MAX_UNZIPPED = 64 << 20  # a submission larger than this unpacked is refused
WORKER_TIMEOUT = 600.0


@dataclass(frozen=True)
class Submission:
    student: str
    path: Path


def discover(paths: list[Path]) -> list[Submission]:
    """One submission per argument: a folder, a .zip or an .ipynb, named by its stem."""
    found = {}
    for path in paths:
        if not (path.is_dir() or path.suffix in (".zip", ".ipynb")):
            raise ValueError(f"{path}: a submission is a folder, a .zip or an .ipynb notebook")
        name = path.stem if path.is_file() else path.name
        if name in found:
            raise ValueError(f"two submissions are named {name!r}: {found[name].path} and {path}")
        found[name] = Submission(name, path)
    return sorted(found.values(), key=lambda s: s.student)


def shard(subs: list[Submission], spec: str | None) -> list[Submission]:
    """The K-th of N deterministic shares ("K/N"), by student name."""
    if not spec:
        return subs
    k, n = (int(x) for x in spec.split("/"))
    if not 1 <= k <= n:
        raise ValueError(f"--shard {spec}: K must be between 1 and N")
    return [s for s in subs if int(hashlib.sha256(s.student.encode()).hexdigest(), 16) % n == k - 1]


def content_hash(sub: Submission, course: Course, seed: int) -> str:
    """Changes when the student's files, the seed, the exercises or the references change."""
    h = hashlib.sha256(f"{seed}\n".encode())
    files = sorted(p for p in sub.path.rglob("*") if p.is_file()) if sub.path.is_dir() else [sub.path]
    for group in (files, sorted(course.exercises_dir.glob("*.yaml")), sorted(course.solutions_dir.glob("*.py"))):
        for p in group:
            h.update(p.name.encode() + b"\0" + p.read_bytes() + b"\0")
    return h.hexdigest()


# ---- inside a worker ----------------------------------------------------------------------

def notebook_source(path: Path) -> str:
    """The code cells of a notebook, in order, without IPython magics and shell lines."""
    import nbformat

    nb = nbformat.read(str(path), as_version=4)
    lines = []
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        lines += [line for line in cell.source.splitlines() if not line.lstrip().startswith(("%", "!"))]
        lines.append("")
    return "\n".join(lines)


def _unzip(path: Path, into: Path) -> Path:
    with zipfile.ZipFile(path) as z:
        if sum(i.file_size for i in z.infolist()) > MAX_UNZIPPED:
            raise ValueError(f"{path.name} unpacks to more than {MAX_UNZIPPED >> 20} MiB")
        for info in z.infolist():
            target = (into / info.filename).resolve()
            if not target.is_relative_to(into.resolve()):
                raise ValueError(f"{path.name} holds a path outside itself: {info.filename}")
        z.extractall(into)
    return into


def student_files(sub: Submission, course: Course, work: Path) -> dict[str, Path]:
    """Exercise id -> the .py file to grade for it (notebooks converted to .py)."""
    if sub.path.suffix == ".ipynb":  # one notebook defines the functions of every exercise
        code = work / "notebook.py"
        code.write_text(notebook_source(sub.path), encoding="utf-8")
        return {ex.id: code for ex in course.exercises}
    folder = _unzip(sub.path, work / "unzipped") if sub.path.suffix == ".zip" else sub.path
    files = {}
    for ex in course.exercises:
        # The shortest path wins: workspace/2.5.3-detach.py over a copy in a subfolder.
        candidates = sorted(folder.rglob(f"{ex.file_stem}.py"), key=lambda p: len(p.parts))
        notebooks = sorted(folder.rglob(f"{ex.file_stem}.ipynb"), key=lambda p: len(p.parts))
        if candidates:
            files[ex.id] = candidates[0]
        elif notebooks:
            code = work / f"{ex.file_stem}.py"
            code.write_text(notebook_source(notebooks[0]), encoding="utf-8")
            files[ex.id] = code
    return files


def grade_student(sub: Submission, course: Course, out: Path, seed: int) -> dict:
    """Grade one student's files for every exercise; write their result files; return the row."""
    from rich.console import Console

    from . import formats
    from .grading import grade_many
    from .report import render
    from .results import build
    from .cases import input_modules
    from .sandbox.runner import default_runner

    out.mkdir(parents=True, exist_ok=True)
    # This student's own jail: nothing another student's code did can reach it.
    runner = default_runner(input_modules(course.exercises), masks=[course.root, *course.protected])
    with tempfile.TemporaryDirectory(prefix="tutor-grade-") as tmp:
        work = Path(tmp)
        files = student_files(sub, course, work)
        missing = work / "missing.py"
        missing.write_text("", encoding="utf-8")
        targets = [(ex, files.get(ex.id, missing)) for ex in course.exercises]
        results = list(grade_many([(ex, path, course.solution_file(ex)) for ex, path in targets], seed, runner,
                                  hide=course.protected))
    runner.close()
    reports = [build(r) for r in results]
    for (ex, path), report in zip(targets, reports):
        report.file = str(files[ex.id].relative_to(sub.path) if ex.id in files and sub.path.is_dir() else sub.path.name)
        if ex.id not in files:
            report.status, report.message = "error", f"the submission has no {ex.file_stem}.py"
    (out / "results.json").write_text(formats.exercism_json(reports), encoding="utf-8")
    (out / "gradescope.json").write_text(formats.gradescope(reports), encoding="utf-8")
    (out / "junit.xml").write_text(formats.junit(reports), encoding="utf-8")
    text = Console(record=True, width=100, file=open(os.devnull, "w"), highlight=False)
    for result in results:
        render(text, result)
    (out / "report.txt").write_text(text.export_text(), encoding="utf-8")
    return {"student": sub.student, **{r.id: r.score for r in reports},
            "total": round(sum(r.score for r in reports), 6)}


def worker_main(argv: list[str]) -> None:
    student, path, out, seed, root, solutions = argv
    course = Course(Path(root), Path(solutions))
    row = grade_student(Submission(student, Path(path)), course, Path(out), int(seed))
    print(json.dumps(row))


# ---- in the coordinating process --------------------------------------------------------------

def run_worker(sub: Submission, course: Course, out: Path, seed: int) -> dict:
    """Grade one student in a worker process; a failure becomes an error row, never a crash."""
    # Isolated mode (-I): no PYTHONPATH, no user site, not the current folder: nothing a
    # submission could have written is imported by a worker.
    package_root = str(Path(__file__).resolve().parent.parent)
    cmd = [sys.executable, "-I", "-c", f"import sys; sys.path.insert(0, {package_root!r}); "
           "from grader.bulk import worker_main; worker_main(sys.argv[1:])",
           sub.student, str(sub.path.resolve()), str(out.resolve()), str(seed), str(course.root), str(course.solutions_dir)]
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=WORKER_TIMEOUT, env=env,
                              start_new_session=(os.name == "posix"))
        if proc.returncode == 0:
            return json.loads(proc.stdout.strip().splitlines()[-1])
        error = (proc.stderr.strip().splitlines() or [f"exit code {proc.returncode}"])[-1]
    except subprocess.TimeoutExpired:
        error = f"grading took longer than {WORKER_TIMEOUT:g} s"
    except (ValueError, IndexError) as exc:
        error = f"the worker's answer could not be read: {exc}"
    out.mkdir(parents=True, exist_ok=True)
    (out / "error.txt").write_text(error + "\n", encoding="utf-8")
    return {"student": sub.student, "total": 0.0, "error": error}


def write_gradebook(rows: list[dict], course: Course, path: Path) -> None:
    ids = [ex.id for ex in course.exercises]
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=["student", *ids, "total", "error"], extrasaction="ignore")
        writer.writeheader()
        for row in sorted(rows, key=lambda r: r["student"]):
            writer.writerow({**{i: 0 for i in ids}, "error": "", **row})


def merge_gradebooks(parts: list[Path], path: Path) -> int:
    """Join shards' gradebooks: one row per student; a student in two shards is an error."""
    rows, fields = {}, None
    for part in parts:
        with open(part, newline="", encoding="utf-8") as f:
            reader = csv.DictReader(f)
            if fields is None:
                fields = reader.fieldnames
            elif reader.fieldnames != fields:
                raise ValueError(f"{part}: its columns differ from {parts[0]}'s")
            for row in reader:
                if row["student"] in rows:
                    raise ValueError(f"{row['student']} appears in more than one gradebook")
                rows[row["student"]] = row
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=fields or ["student"])
        writer.writeheader()
        writer.writerows(rows[name] for name in sorted(rows))
    return len(rows)


def grade_class(subs: list[Submission], course: Course, out: Path, seed: int, jobs: int,
                on_start=lambda count: None, on_done=lambda row: None) -> tuple[list[dict], int]:
    """Every submission's row (graded now, or from the last run when unchanged), and how many
    were graded now. Workers run `jobs` at a time; one that fails becomes an error row."""
    from concurrent.futures import ThreadPoolExecutor, as_completed

    rows, todo = [], []
    for sub in subs:
        digest = content_hash(sub, course, seed)
        row = _cached_row(out / sub.student, digest)
        if row is None:
            todo.append((sub, digest))
        else:
            rows.append(row)
    on_start(len(todo))
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        futures = {}
        for sub, digest in todo:
            shutil.rmtree(out / sub.student, ignore_errors=True)  # no stale file survives a re-grade
            futures[pool.submit(run_worker, sub, course, out / sub.student, seed)] = (sub, digest)
        for future in as_completed(futures):
            sub, digest = futures[future]
            row = future.result()
            if "error" not in row:
                _save_row(out / sub.student, digest, row)
            rows.append(row)
            on_done(row)
    out.mkdir(parents=True, exist_ok=True)
    write_gradebook(rows, course, out / "grades.csv")
    return rows, len(todo)


def _cached_row(out: Path, digest: str) -> dict | None:
    """The previous run's row for a student whose inputs have not changed."""
    try:
        saved = json.loads((out / "grade.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return saved["row"] if saved.get("hash") == digest else None


def _save_row(out: Path, digest: str, row: dict) -> None:
    out.mkdir(parents=True, exist_ok=True)
    (out / "grade.json").write_text(json.dumps({"hash": digest, "row": row}), encoding="utf-8")


if __name__ == "__main__":
    worker_main(sys.argv[1:])
