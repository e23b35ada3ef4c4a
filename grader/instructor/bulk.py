"""Grading a class: many students' submissions, side by side, into a gradebook.

A submission is a folder, a .zip or a Jupyter notebook, one per student, named by its
file or folder name; a name that could reach outside --out is refused. One process grades
the class: torch imported once, each reference outcome computed once per exercise and
seed, and each student's code run in a jail of that student's own (its own fork server,
whose one warm child runs their exercises one after another), `--jobs` students at a time;
a student whose grading fails costs only that student's row. Results land in
OUT/students/<student>/ (results.json, gradescope.json, junit.xml, report.txt), apart
from the gradebook, OUT/grades.csv, which is rebuilt from them. A student whose files
have not changed since the last run (same files at the same paths, seed, exercises,
references, tutor and torch) is not graded again.
"""
from __future__ import annotations

import csv
import functools
import hashlib
import json
import os
import re
import shutil
import tempfile
import zipfile
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from ..course.catalog import Course
from ..output.safe_text import clean, spreadsheet_cell

MAX_UNZIPPED = 64 << 20  # a submission larger than this unpacked is refused
MAX_ENTRIES = 10_000  # nor one of more files than this
STUDENTS = "students"  # OUT/students/<name>/: never a name the gradebook or a shard's note can take
SHARD_NOTE = "shard.json"  # beside a shard's grades.csv: which shard it is, for `gradebook merge`
UNZIPPED, NOTEBOOKS = "unzipped", "notebooks"  # inside a student's temporary folder

# A student's name is a file or folder name: a letter or digit first (no "..", no hidden
# file), then letters, digits, spaces and . _ - @ + ' only (no separator, no control character).
NAME = re.compile(r"\w[\w .@+'-]{0,99}")


@dataclass(frozen=True)
class Submission:
    student: str
    path: Path


def discover(paths: list[Path]) -> list[Submission]:
    """One submission per argument: a folder, a .zip or an .ipynb, named by its stem."""
    found: dict[str, Submission] = {}
    for path in paths:
        if not path.exists():
            raise ValueError(f"{clean(path, 300)}: no such file or folder")
        if not (path.is_dir() or path.suffix in (".zip", ".ipynb")):
            raise ValueError(f"{path}: a submission is a folder, a .zip or an .ipynb notebook")
        name = path.stem if path.is_file() else path.name
        if not NAME.fullmatch(name) or name != name.strip():
            raise ValueError(f"{clean(path, 300)}: {clean(name, 100)!r} cannot name a student: a name starts with a "
                             "letter or digit and has only letters, digits, spaces and . _ - @ + ' (100 at most)")
        key = name.casefold()  # alice and Alice would share a folder where names ignore case
        if key in found:
            raise ValueError(f"two submissions are named {name!r}: {found[key].path} and {path}")
        found[key] = Submission(name, path)
    return sorted(found.values(), key=lambda s: s.student)


def student_dir(out: Path, student: str) -> Path:
    """OUT/students/<student>: one student's files, never outside OUT (not even by a symlink)."""
    folder = out / STUDENTS / student
    if not NAME.fullmatch(student) or not folder.resolve().is_relative_to(out.resolve()):
        raise ValueError(f"{clean(student, 100)!r}: its folder would be outside {out}")
    return folder


SHARD_INDEX = (  # where `--shard auto` finds this runner's index, 0-based, first found
    "TUTOR_SHARD_INDEX",  # set it yourself on any other engine
    "JOB_COMPLETION_INDEX",  # a Kubernetes Indexed Job
    "SLURM_ARRAY_TASK_ID",  # a Slurm job array (less SLURM_ARRAY_TASK_MIN)
)
SHARD_COUNT = ("TUTOR_SHARD_COUNT", "SLURM_ARRAY_TASK_COUNT")


def parse_shard(spec: str | None, environ=os.environ) -> tuple[int, int] | None:
    """(K, N) from "K/N", or from the job engine for "auto" or "auto/N"; None for no sharding."""
    if not spec:
        return None
    head, _, count = spec.partition("/")
    try:
        if head != "auto":
            k, n = int(head), int(count)
        else:
            name = next((v for v in SHARD_INDEX if environ.get(v, "").strip()), None)
            if name is None:
                raise ValueError(f"--shard auto: none of {', '.join(SHARD_INDEX)} is set")
            index = int(environ[name]) - (int(environ.get("SLURM_ARRAY_TASK_MIN", 0)) if name.startswith("SLURM") else 0)
            total = count or next((environ[v] for v in SHARD_COUNT if environ.get(v, "").strip()), None)
            if total is None:
                raise ValueError(f"--shard auto: give the number of shards (--shard auto/N) or set {SHARD_COUNT[0]}")
            k, n = index + 1, int(total)
    except ValueError as exc:
        raise ValueError(str(exc) if "--shard" in str(exc) else f"--shard {spec}: expected K/N, auto or auto/N") from None
    if not 1 <= k <= n:
        raise ValueError(f"--shard {spec}: shard {k} of {n} does not exist (K runs from 1 to N)")
    return k, n


def shard(subs: list[Submission], which: tuple[int, int] | None) -> list[Submission]:
    """The K-th of N deterministic shares, by student name."""
    if which is None:
        return subs
    k, n = which
    return [s for s in subs if int(hashlib.sha256(s.student.encode()).hexdigest(), 16) % n == k - 1]


@functools.lru_cache(maxsize=None)
def _tool_digest() -> str:
    """What grades: tutor's version and its own code (a checkout's version does not move), and torch's."""
    h = hashlib.sha256()
    for package in ("tutor", "torch"):
        try:
            h.update(f"{package} {metadata.version(package)}\n".encode())
        except metadata.PackageNotFoundError:
            h.update(f"{package} none\n".encode())
    from ..course.catalog import ENGINE as engine

    for path in sorted(engine.rglob("*.py")):  # the sandbox and the notebook code grade too
        h.update(path.relative_to(engine).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return h.hexdigest()


def content_hash(sub: Submission, course: Course, seed: int) -> str:
    """Changes when the student's files (or where they are), the seed, the exercises, the
    references, tutor or torch change."""
    h = hashlib.sha256(f"{seed}\n{_tool_digest()}\n".encode())
    if sub.path.is_dir():
        files = [(p, p.relative_to(sub.path).as_posix()) for p in sorted(sub.path.rglob("*"))
                 if p.is_file() or p.is_symlink()]
    else:
        files = [(sub.path, sub.path.name)]
    for group in (files, [(p, f"exercises/{p.name}") for p in sorted(course.exercises_dir.glob("*.yaml"))],
                  [(p, f"solutions/{p.name}") for p in sorted(course.solutions_dir.glob("*.py"))]):
        for path, name in group:
            # A link is graded as nothing (see student_files): its text is what it is.
            data = os.readlink(path).encode() if path.is_symlink() else path.read_bytes()
            h.update(name.encode() + b"\0" + data + b"\0")
    return h.hexdigest()


# ---- one student's files ----------------------------------------------------------------------

def _unzip(path: Path, into: Path) -> Path:
    with zipfile.ZipFile(path) as z:
        infos = z.infolist()
        if len(infos) > MAX_ENTRIES:
            raise ValueError(f"{path.name} holds more than {MAX_ENTRIES} files")
        if sum(i.file_size for i in infos) > MAX_UNZIPPED:
            raise ValueError(f"{path.name} unpacks to more than {MAX_UNZIPPED >> 20} MiB")
        for info in infos:
            target = (into / info.filename).resolve()
            if not target.is_relative_to(into.resolve()):
                raise ValueError(f"{path.name} holds a path outside itself: {clean(info.filename, 200)}")
        z.extractall(into)
    return into


def _answer_files(folder: Path) -> list[Path]:
    """The .py and .ipynb files of a submission's folder, shortest path first. Not a link
    (it could point at the references, or anywhere on the grader's machine), nor anything
    in a folder that tools make beside the answers (.ipynb_checkpoints, .git, __MACOSX)."""
    found = []
    for path in folder.rglob("*"):
        if path.suffix not in (".py", ".ipynb") or path.is_symlink() or not path.is_file():
            continue
        rel = path.relative_to(folder)
        if any(part.startswith((".", "__")) for part in rel.parts[:-1]):
            continue
        if path.resolve().is_relative_to(folder.resolve()):  # no folder on the way was a link
            found.append(path)
    return sorted(found, key=lambda p: (len(p.parts), p.as_posix()))


def _converted(notebook: Path, rel: Path, work: Path, exercise) -> Path:
    """The notebook's code for `exercise` as work/notebooks/<id>/<rel>.py, where `shown_name`
    finds its name again."""
    from ..notebook.files import notebook_source

    code = (work / NOTEBOOKS / exercise.id / rel).with_suffix(".py")
    if not code.exists():
        code.parent.mkdir(parents=True, exist_ok=True)
        code.write_text(notebook_source(notebook, exercise).source, encoding="utf-8")
    return code


def student_files(sub: Submission, course: Course, work: Path) -> dict[str, Path]:
    """Exercise id -> the .py file to grade for it. In a folder or a zip: the exercise's own
    .py (workspace/2.5.3-detach.py), else its own notebook (2.5.3-detach.ipynb), else the
    notebook holding every answer (any other .ipynb, such as answers.ipynb); the shortest
    path wins. A section's notebook (2.5.ipynb, as `tutor notebooks` writes it) holds its
    section's answers. A notebook submission holds every answer. Notebooks become .py files."""
    from ..notebook.sections import notebook_name, section_of

    if sub.path.suffix == ".ipynb":
        return {ex.id: _converted(sub.path, Path(sub.path.name), work, ex) for ex in course.exercises}
    folder = _unzip(sub.path, work / UNZIPPED) if sub.path.suffix == ".zip" else sub.path
    found = _answer_files(folder)
    stems = {ex.file_stem for ex in course.exercises}
    every = next((p for p in found if p.suffix == ".ipynb" and p.stem not in stems), None)
    files = {}
    for ex in course.exercises:
        own = [p for p in found if p.stem == ex.file_stem]
        section = [p for p in found if p.name == notebook_name(section_of(ex.id))]  # from `tutor notebooks`
        chosen = next((p for p in own if p.suffix == ".py"), None) or next(iter(own + section), None) or every
        if chosen is not None:
            files[ex.id] = chosen if chosen.suffix == ".py" else _converted(chosen, chosen.relative_to(folder), work, ex)
    return files


def shown_name(sub: Submission, path: Path | None, work: Path) -> str:
    """How reports name a graded file: by its path in the submission, never a temporary one."""
    if path is None:
        return sub.path.name
    if path.is_relative_to(work / NOTEBOOKS):
        rel = Path(*path.relative_to(work / NOTEBOOKS).parts[1:]).with_suffix(".ipynb").as_posix()
    elif path.is_relative_to(work / UNZIPPED):
        rel = path.relative_to(work / UNZIPPED).as_posix()
    else:
        rel = path.relative_to(sub.path).as_posix()
    return f"{sub.path.name}/{rel}" if sub.path.suffix == ".zip" else rel


def grade_student(sub: Submission, course: Course, out: Path, seed: int, shared: "Shared") -> dict:
    """Grade one student's files for every exercise in a jail of the student's own; write
    their result files; return the row (an error row when grading could not finish)."""
    from rich.console import Console

    from ..output import feedback_page, formats
    from ..grading.judge import grade_many
    from ..grading.results import Status
    from ..messages.ui import WORDS
    from ..output.terminal import render
    from ..sandbox.runner import GraderError, Runner

    out.mkdir(parents=True, exist_ok=True)
    # This student's own jail (no other student's code reaches it), where one child runs their
    # exercises one after another: students, not exercises, run side by side here.
    runner = Runner(server=shared.server(), warm=True)
    try:
        with tempfile.TemporaryDirectory(prefix="tutor-grade-") as tmp:
            work = Path(tmp)
            files = student_files(sub, course, work)
            missing = work / "missing.py"
            missing.write_text("", encoding="utf-8")
            targets = [(ex, files.get(ex.id, missing)) for ex in course.exercises]
            results = list(grade_many([(ex, path, course.solution_file(ex)) for ex, path in targets], seed, runner,
                                      hide=course.protected, references=shared.references, judging=shared.judging))
            for (ex, _), result in zip(targets, results):
                result.file = shown_name(sub, files.get(ex.id), work)
                if ex.id not in files:
                    result.status, result.message = Status.ERROR, WORDS["no file"].format(file=f"{ex.file_stem}.py")
    except (GraderError, ValueError, OSError) as exc:  # this student's row says so; the class goes on
        error = str(exc) if isinstance(exc, GraderError) else f"{type(exc).__name__}: {exc}"
        (out / "error.txt").write_text(error + "\n", encoding="utf-8")
        return {"student": sub.student, "total": 0.0, "error": error}
    finally:
        runner.close()
    (out / "results.json").write_text(formats.exercism_json(results), encoding="utf-8")
    (out / "gradescope.json").write_text(formats.gradescope(results), encoding="utf-8")
    (out / "junit.xml").write_text(formats.junit(results), encoding="utf-8")
    text = Console(record=True, width=100, file=open(os.devnull, "w"), highlight=False, soft_wrap=True)
    for result in results:
        # the record says what the sandbox enforced, and which of the student's files it graded
        # (by the name the other reports give it, not the temporary copy's path)
        render(text, result, show_path=str(result.file), verbose=True)
    (out / "report.txt").write_text(text.export_text(), encoding="utf-8")
    (out / feedback_page.RECORD).write_text(feedback_page.record(sub.student, results), encoding="utf-8")
    return {"student": sub.student, **{r.id: r.score for r in results},
            "total": round(sum(r.score for r in results), 6)}


class Shared:
    """What grading one class shares, all of it made apart from any student's code: the
    references (each outcome computed once per exercise and seed), one judge at a time, and
    the class jail, whose zygote imported torch once and forks each student a fork server in
    namespaces of the student's own. Where those cannot be made (or there is no fork server),
    each student gets a fresh fork server of their own instead, started ahead so that the next
    students' jails import torch while earlier students are judged."""

    def __init__(self, course: Course, students: int, ahead: int):
        import threading

        from ..grading.cases import child_modules
        from ..sandbox.jail import PACKAGE, Zygote, tier

        self.references: dict = {}
        self.judging = threading.Lock()
        self._lock = threading.Lock()
        self._preload, self._masks = child_modules(course.exercises, many_runs=True), [course.root, *course.protected]
        self._left, self._ahead = students, ahead  # fresh servers still to start, and how many ahead
        self._ready: list = []
        kind = tier()
        self.zygote = Zygote(kind, [Path(PACKAGE), *self._masks], sorted(self._preload)) \
            if kind != "subprocess" and students > 1 else None
        self._waited = False  # for the zygote to say it can keep students apart
        if self.zygote is None:
            self._start_ahead()

    def _start_ahead(self) -> None:
        from ..sandbox.jail import start_server

        while self._left > 0 and len(self._ready) < self._ahead:
            self._left -= 1
            self._ready.append(start_server(self._masks, self._preload))

    def server(self):
        """A server for one student: a fork of the class jail's zygote, else a fresh one."""
        from ..sandbox.jail import GraderError

        with self._lock:
            if self.zygote is not None and self._waited is False:
                self._waited, why_not = True, self.zygote.wait_ready()
                if why_not:
                    self.zygote.close()
                    self.zygote = None
            if self.zygote is not None:
                try:
                    return self.zygote.server()
                except GraderError:  # the class jail is gone: fresh servers for the rest
                    self.zygote.close()
                    self.zygote = None
            self._start_ahead()
            server = self._ready.pop(0)
            self._start_ahead()
            return server

    def close(self) -> None:
        if self.zygote is not None:
            self.zygote.close()
        for server in self._ready:
            if server is not None:
                server.close()


_TEMPORARY = re.compile(re.escape(tempfile.gettempdir()) + r"/tutor-grade-\w+")


def _cells(row: dict, fields: list[str]) -> dict:
    """A gradebook row as it is written: names and errors as text a spreadsheet will not run
    as a formula, with no temporary path (a re-run writes the same bytes), every number as
    one kind of decimal (1.0 and 0.0, never 1 and 0.0)."""
    out = {}
    for name in fields:
        value = row.get(name, "")
        if name in ("student", "error"):
            out[name] = spreadsheet_cell(_TEMPORARY.sub("<submission>", str(value)))
        else:
            out[name] = repr(float(value or 0))
    return out


def write_gradebook(rows: list[dict], course: Course, path: Path) -> None:
    fields = ["student", *(ex.id for ex in course.exercises), "total", "error"]
    _write_csv(path, fields, sorted(rows, key=lambda r: r["student"]))


def _write_csv(path: Path, fields: list[str], rows) -> None:
    # UTF-8 with a byte-order mark: Excel reads it as UTF-8 (Chinese names intact), others skip it.
    with open(path, "w", newline="", encoding="utf-8-sig") as f:
        writer = csv.DictWriter(f, fieldnames=fields)
        writer.writeheader()
        writer.writerows(_cells(row, fields) for row in rows)


def record_shard(out: Path, which: tuple[int, int], seed: int) -> None:
    """Note beside a shard's gradebook which shard it is, so that a merge can tell what is missing."""
    (out / SHARD_NOTE).write_text(json.dumps({"shard": list(which), "seed": seed}) + "\n", encoding="utf-8")


def _shard_of(part: Path) -> tuple[int, int, int] | None:
    try:
        note = json.loads((part.parent / SHARD_NOTE).read_text(encoding="utf-8"))
        (k, n), seed = note["shard"], note["seed"]
        return int(k), int(n), int(seed)
    except FileNotFoundError:
        return None  # a whole class's gradebook, not a shard's
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ValueError(f"{part.parent / SHARD_NOTE}: not a shard's note ({exc})") from None


def merge_gradebooks(parts: list[Path], path: Path, partial: bool = False) -> tuple[int, list[str]]:
    """Join shards' gradebooks: one row per student; a student in two shards is an error. When
    the parts are shards (`grade --shard`), every shard of the set must be there, else the
    missing ones are named: an error, or with `partial` what the merged book lacks."""
    rows, fields, shards = {}, None, {}
    for part in parts:
        found = _shard_of(part)
        if found:
            k, n, seed = found
            if (k, n) in shards:
                raise ValueError(f"{part} and {shards[k, n][0]} are both shard {k}/{n}")
            shards[k, n] = (part, seed)
        with open(part, newline="", encoding="utf-8-sig") as f:
            reader = csv.DictReader(f)
            if fields is None:
                fields = reader.fieldnames
            elif reader.fieldnames != fields:
                raise ValueError(f"{part}: its columns differ from {parts[0]}'s")
            for row in reader:
                if row["student"] in rows:
                    raise ValueError(f"{row['student']} appears in more than one gradebook")
                rows[row["student"]] = row
    missing = []
    if shards:
        counts = {n for _, n in shards}
        seeds = {seed for _, seed in shards.values()}
        if len(counts) > 1 or len(seeds) > 1:
            raise ValueError("the shards were not graded as one class: "
                             + ", ".join(f"{p} is {k}/{n} with seed {s}" for (k, n), (p, s) in sorted(shards.items())))
        n = counts.pop()
        missing = [f"{k}/{n}" for k in range(1, n + 1) if (k, n) not in shards]
        if missing and not partial:
            raise ValueError(f"shard{'s' if len(missing) > 1 else ''} {', '.join(missing)} of {n} missing: "
                             "merge them too, or pass --partial for a gradebook without their students")
    _write_csv(path, fields or ["student"], (rows[name] for name in sorted(rows)))
    return len(rows), missing


def grade_class(subs: list[Submission], course: Course, out: Path, seed: int, jobs: int,
                on_start=lambda count: None, on_done=lambda row: None) -> tuple[list[dict], int]:
    """Every submission's row (graded now, or from the last run when unchanged), and how many
    were graded now. `jobs` students at a time, each in a jail of its own; one whose grading
    fails becomes an error row."""
    from concurrent.futures import ThreadPoolExecutor, as_completed

    rows, todo = [], []
    for sub in subs:
        digest = content_hash(sub, course, seed)
        row = _cached_row(student_dir(out, sub.student), digest)
        if row is None:
            todo.append((sub, digest))
        else:
            rows.append(row)
    on_start(len(todo))
    if todo:  # else no sandbox, and no torch: a re-run of an unchanged class, a shard with no one in it
        shared = Shared(course, len(todo), ahead=jobs)
        from ..grading.judge import work_out_ahead  # torch, imported here once while the first jails import theirs
        from ..sandbox.runner import GraderError

        if shared.zygote:
            try:
                work_out_ahead([(ex, course.solution_file(ex)) for ex in course.exercises], seed, shared.references,
                               shared.zygote.starting)
            except (GraderError, ValueError, OSError):
                pass  # each student's row says it, as when the reference is worked out there
        with ThreadPoolExecutor(max_workers=jobs) as pool:
            futures = {}
            for sub, digest in todo:
                shutil.rmtree(student_dir(out, sub.student), ignore_errors=True)  # no stale file survives a re-grade
                futures[pool.submit(grade_student, sub, course, student_dir(out, sub.student), seed, shared)] = \
                    (sub, digest)
            for future in as_completed(futures):
                sub, digest = futures[future]
                row = future.result()
                if "error" not in row:
                    _save_row(student_dir(out, sub.student), digest, row)
                rows.append(row)
                on_done(row)
        shared.close()
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

