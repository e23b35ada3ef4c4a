"""What the class got wrong: one self-contained HTML page, from the folders `tutor grade` wrote.

The gradebooks (grades.csv, shards merged as `gradebook merge` merges them) say who is in
the class and their points; each student's record (feedback.json, see `feedback_page`) says
what their failures were, which known mistakes they matched and what could not run. The
report counts those across the class, draws its figures in plain HTML and CSS, and links each
student's row to their feedback page, which it (re)writes in the report's language. No torch,
no course: everything it names is in the records.
"""
from __future__ import annotations

import csv
import json
import os
import re
import statistics
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

from ..output import feedback_page
from .bulk import merge_gradebooks, student_dir
from ..output.html_page import esc, number, page, prose, said

UNEXPLAINED_SHOWN = 10  # kinds of unexplained failure listed per exercise; the rest are counted
CAUSES = ("timeout", "crash", "missing", "import", "grading")  # why something could not be graded


def _csv(path: Path) -> tuple[list[str], list[dict]]:
    with open(path, newline="", encoding="utf-8-sig") as f:
        reader = csv.DictReader(f)
        return list(reader.fieldnames or []), list(reader)


def _number(cell: str) -> float:
    try:
        return float(cell)
    except ValueError:
        return 0.0


@dataclass
class Student:
    name: str
    total: float
    scores: dict[str, float]
    error: str  # why grading could not finish ("" when it did)
    page: Path  # their feedback.html
    record: dict | None = None  # their feedback.json, when grading finished


@dataclass
class Exercise:
    id: str
    title: str = ""
    max_score: float = 0.0
    passed: int = 0
    mistakes: dict[int, dict] = field(default_factory=dict)  # index -> its function, hint and students
    unexplained: dict[str, dict] = field(default_factory=dict)  # failure's shape -> an example and students


def load(parts: list[Path], lang: str, partial: bool = False) -> tuple[list[str], list[Student], list[str]]:
    """The exercises' ids (course order), every student of the gradebooks, and the missing shards.
    A graded student without a readable record is an error (`lang`: in which language)."""
    with tempfile.TemporaryDirectory(prefix="tutor-report-") as tmp:
        merged = Path(tmp) / "grades.csv"
        _, missing = merge_gradebooks([part / "grades.csv" for part in parts], merged, partial)
        fields, rows = _csv(merged)
    home = {row["student"]: part for part in parts for row in _csv(part / "grades.csv")[1]}
    ids = [name for name in fields if name not in ("student", "total", "error")]
    students = []
    for row in rows:
        folder = student_dir(home[row["student"]], row["student"])
        student = Student(row["student"], _number(row.get("total", "")), {i: _number(row.get(i, "")) for i in ids},
                          row.get("error") or "", folder / feedback_page.PAGE)
        if not student.error:
            record = folder / feedback_page.RECORD
            try:
                student.record = json.loads(record.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                student.record = {}
            if student.record.get("version") != feedback_page.VERSION:  # graded before records, or by another tutor
                raise ValueError(said("no record", lang, file=record))
        students.append(student)
    return ids, students, missing


def write_pages(students: list[Student], lang: str) -> None:
    """Each student's feedback page, in `lang`."""
    for s in students:
        text = (feedback_page.render_error(s.name, s.error, lang) if s.error
                else feedback_page.render(s.record, lang))
        s.page.parent.mkdir(parents=True, exist_ok=True)
        s.page.write_text(text, encoding="utf-8")


# ---- counting ---------------------------------------------------------------------------------

def _shape(text: str) -> str:
    """Failures alike but for their numbers are one kind (as the terminal groups them)."""
    return re.sub(r"\d+", "#", text.splitlines()[0] if text else "")


def count(ids: list[str], students: list[Student], lang: str) -> tuple[dict[str, Exercise], dict[str, dict]]:
    """Per exercise: pass count, named mistakes and unexplained failures with their students;
    per cause of not being graded: the students and the (student, exercise) pairs."""
    exercises = {i: Exercise(i) for i in ids}
    causes = {cause: {"students": set(), "pairs": 0} for cause in CAUSES}
    for s in students:
        if s.error:  # none of their exercises was graded
            causes["grading"]["students"].add(s.name)
            causes["grading"]["pairs"] += len(ids)
            continue
        for ex in s.record["exercises"]:
            stats = exercises.get(ex["id"])
            if stats is None:
                continue
            stats.title = stats.title or f"{ex['id']} {ex['slug']} — {ex['title'][lang]}"
            stats.max_score = ex["max_score"]
            stats.passed += ex["status"] == "pass"
            for index, mistake in ex["mistakes"].items():
                stats.mistakes.setdefault(int(index), {**mistake, "students": set()})["students"].add(s.name)
            found = {ex["cause"]} if ex["cause"] else set()
            for row in ex["rows"]:
                problems = [] if row["hidden"] else row["problems"]
                ran = not any(p["cause"] for p in problems)
                found |= {p["cause"] for p in problems if p["cause"]}
                # A failing row is explained when any of its problems matched a known mistake
                # (its other problems are then the same mistake seen by another check).
                if problems and ran and not any(p["mistakes"] for p in problems):
                    first = problems[0]["says"]
                    stats.unexplained.setdefault(_shape(first["en"]), {"example": first, "students": set()}
                                                 )["students"].add(s.name)
            for cause in found:
                causes[cause]["students"].add(s.name)
                causes[cause]["pairs"] += 1
    return exercises, causes


# ---- drawing ----------------------------------------------------------------------------------

def _histogram(totals: list[float], top: float, lang: str) -> str:
    """Totals by point (or by twentieths of the top score when it is large), as CSS bars."""
    bins = int(top) + 1 if 0 < top <= 30 else 20
    width = 1.0 if 0 < top <= 30 else (top or 1.0) / (bins - 1)
    counts = [0] * bins
    for total in totals:
        counts[min(bins - 1, max(0, int(total / width)))] += 1
    tallest = max(counts) or 1
    cells, labels = [], []
    for k, n in enumerate(counts):
        low = k * width
        tip = esc(f"{number(low)}: {n}")
        cells.append(f'<div class="bin" title="{tip}"><span>{n or ""}</span>'
                     f'<div class="bar" style="height:{100 * n / tallest:.1f}%"></div></div>')
        labels.append(f"<span>{esc(number(low))}</span>")
    return (f'<div class="histogram" role="img" aria-label="{esc(said("totals", lang))}">{"".join(cells)}</div>'
            f'<div class="axis">{"".join(labels)}</div>')


def _glance(students: list[Student], graded: list[Student], top: float, causes: dict, missing: list[str],
            lang: str) -> str:
    parts = [f"<p>{esc(said('students graded', lang, graded=len(graded), count=len(students)))}</p>"]
    if missing:
        parts.append(f'<p class="error">{esc(said("shards missing", lang, shards=", ".join(missing)))}</p>')
    totals = sorted(s.total for s in graded)
    if totals:
        q1, median, q3 = statistics.quantiles(totals, n=4, method="inclusive") if len(totals) > 1 else totals * 3
        parts.append(f"<p>{esc(said('quartiles', lang, median=number(median), q1=number(q1), q3=number(q3), max=number(top)))}</p>")
    parts.append(f"<h3>{esc(said('totals', lang))}</h3>" + _histogram(totals, top, lang))
    parts.append(f"<h3>{esc(said('could not run', lang))}</h3>")
    rows = [f'<tr><td>{esc(said("cause " + cause, lang))}</td><td class="num">{len(c["students"])}</td>'
            f'<td class="num">{c["pairs"]}</td></tr>' for cause, c in causes.items() if c["students"]]
    head = (f'<tr><th></th><th class="num">{esc(said("students", lang))}</th>'
            f'<th class="num">{esc(said("exercises", lang))}</th></tr>')
    parts.append(f'<table class="causes">{head}{"".join(rows)}</table>' if rows
                 else f"<p>{esc(said('everything ran', lang))}</p>")
    return "".join(parts)


def _per_exercise(exercises: dict[str, Exercise], graded: list[Student], lang: str) -> str:
    rows = []
    for ex in exercises.values():
        rate = ex.passed / len(graded) if graded else 0.0
        mean = statistics.fmean(s.scores[ex.id] for s in graded) if graded else 0.0
        line = f"{said('pass rate', lang, rate=f'{rate:.0%}')} · {said('mean points', lang, mean=number(mean), max=number(ex.max_score))}"
        rows.append(f'<tr><td><a href="#mistakes-{esc(ex.id)}">{esc(ex.id)}</a></td>'
                    f'<td><div class="track"><div class="fill" style="width:{100 * rate:.1f}%"></div></div></td>'
                    f"<td>{esc(line)}</td></tr>")
    return f'<table class="chart">{"".join(rows)}</table>'


def _mistakes(exercises: dict[str, Exercise], graded: int, lang: str) -> str:
    parts = []
    for ex in exercises.values():
        items = []
        for index, m in sorted(ex.mistakes.items(), key=lambda kv: (-len(kv[1]["students"]), kv[0])):
            n = len(m["students"])
            items.append(f'<li class="mistake"><code>{esc(m["function"])}</code>: {prose(m["hint"][lang].strip())} — '
                         f'<b class="count">{esc(said("of students", lang, count=n, total=graded))}</b>'
                         f'{esc(said("share", lang, share=f"{n / max(graded, 1):.0%}"))} '
                         f'<span class="share" style="width:{10 * n / max(graded, 1):.2f}em"></span></li>')
        body = f'<ul>{"".join(items)}</ul>' if items else f'<p class="dim">{esc(said("no named mistake", lang))}</p>'
        kinds = sorted(ex.unexplained.values(), key=lambda k: (-len(k["students"]), k["example"]["en"]))
        if kinds:
            rows = [f'<tr><td><pre>{esc(k["example"][lang])}</pre></td>'
                    f'<td class="num">{esc(said("of students", lang, count=len(k["students"]), total=graded))}</td></tr>'
                    for k in kinds[:UNEXPLAINED_SHOWN]]
            more = len(kinds) - UNEXPLAINED_SHOWN
            body += (f'<p class="dim">{esc(said("unexplained", lang))}</p><table class="unexplained">{"".join(rows)}</table>'
                     + (f'<p class="dim">{esc(said("more kinds", lang, count=more))}</p>' if more > 0 else ""))
        parts.append(f'<section id="mistakes-{esc(ex.id)}"><h3>{esc(ex.title or ex.id)}</h3>{body}</section>')
    return "".join(parts)


def _link(s: Student, report: Path) -> str:
    href = quote(os.path.relpath(s.page.resolve(), report.resolve().parent).replace(os.sep, "/"))
    return f'<a href="{esc(href)}">{esc(s.name)}</a>'


def _per_student(ids: list[str], students: list[Student], report: Path, lang: str) -> str:
    head = (f"<tr><th>{esc(said('student', lang))}</th><th class=\"num\">{esc(said('total', lang))}</th>"
            + "".join(f'<th class="num">{esc(i)}</th>' for i in ids) + "</tr>")
    rows = []
    for s in students:
        if s.error:
            cells = f'<td class="error" colspan="{len(ids)}">{esc(said("cause grading", lang))}: {esc(s.error)}</td>'
            total = "—"
        else:
            status = {ex["id"]: ex["status"] for ex in s.record["exercises"]}
            cells = "".join(f'<td class="num {esc(status.get(i, ""))}">{esc(number(s.scores[i]))}</td>' for i in ids)
            total = number(s.total)
        rows.append(f'<tr><td>{_link(s, report)}</td><td class="num">{esc(total)}</td>{cells}</tr>')
    return f'<table class="students">{head}{"".join(rows)}</table>'


def render(ids: list[str], students: list[Student], missing: list[str], report: Path, lang: str) -> str:
    """The class report, linking to the students' pages relative to where it is written."""
    exercises, causes = count(ids, students, lang)
    graded = [s for s in students if not s.error]
    top = sum(ex.max_score for ex in exercises.values()) or max((s.total for s in graded), default=0.0)
    title = said("class report", lang)
    body = (f"<h1>{esc(title)}</h1>"
            f"<h2>{esc(said('at a glance', lang))}</h2>{_glance(students, graded, top, causes, missing, lang)}"
            f"<h2>{esc(said('per exercise', lang))}</h2>{_per_exercise(exercises, graded, lang)}"
            f"<h2>{esc(said('named mistakes', lang))}</h2>{_mistakes(exercises, len(graded), lang)}"
            f"<h2>{esc(said('per student', lang))}</h2>{_per_student(ids, students, report, lang)}")
    return page(title, body, lang)


def write(parts: list[Path], lang: str, report: Path | None = None, partial: bool = False) -> tuple[int, list[str]]:
    """Every student's feedback page, and the class report when `report` is given; how many
    students, and which shards are missing (an error unless `partial`, as for a merge)."""
    ids, students, missing = load(parts, lang, partial)
    write_pages(students, lang)
    if report is not None:
        report.parent.mkdir(parents=True, exist_ok=True)
        report.write_text(render(ids, students, missing, report, lang), encoding="utf-8")
    return len(students), missing
