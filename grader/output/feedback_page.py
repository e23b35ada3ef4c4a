"""A student's feedback page: what the terminal report says, as HTML that can be returned as it is.

`tutor grade` keeps each student's results as a record (OUT/students/<student>/feedback.json):
what the terminal report shows, in every language, with the small tensor diffs as tables of
numbers and the known mistakes each failure matched, by their place in the exercise's
catalogue. The page (feedback.html) and the class report are drawn from records, without
torch and in either language. A record holds the student's text cleaned and capped, as every
other format does; hidden cases keep only their names and verdicts.
"""
from __future__ import annotations

import json
from typing import TYPE_CHECKING

from ..messages.feedback import FEEDBACK
from .formats import MESSAGE_CAP
from .html_page import esc, number, page, prose, said
from ..grading.results import Status
from .safe_text import clean
from ..messages.text import Text

if TYPE_CHECKING:
    from ..grading.results import ExerciseResult

RECORD = "feedback.json"  # beside results.json in a student's folder
PAGE = "feedback.html"
VERSION = 1

# Why a check could not run, told apart by the grader's own templates' opening words.
_TIMEOUTS = tuple(FEEDBACK[key].en.split("{")[0] for key in ("timed out", "after a timeout", "import timed out"))
_NOT_IMPORTED = FEEDBACK["does not import"].en.split("{")[0]


def _texts(text: Text) -> dict:
    from .terminal import TEXT_CAP  # the record holds what the terminal report shows

    return {"en": clean(text.en, TEXT_CAP), "zh": clean(text.zh, TEXT_CAP)}


def _cause_of_failure(text: Text) -> str:
    return "timeout" if text.en.startswith(_TIMEOUTS) else "crash"


def _problem(problem, mistakes: list) -> dict:
    from .terminal import diff_cells

    cells = diff_cells(*problem.tensors) if problem.tensors is not None else None
    return {"says": _texts(problem.text), "details": [_texts(d) for d in problem.details],
            "hints": [_texts(h) for h in problem.hints],
            # which of the exercise's known mistakes this failure behaves like
            "mistakes": [i for i, m in enumerate(mistakes) if m.hint in problem.hints],
            "cause": _cause_of_failure(problem.text) if problem.kind == "failure" else None,
            "diff": None if cells is None else dict(zip(("expected", "got", "differs", "worst"), cells))}


def _rows(result: ExerciseResult) -> list[dict]:
    from .terminal import PRINTED_CAP, grouped, row_label

    rows = []
    for row, count in grouped(result.results):
        shown = {"function": row.function, "label": {lang: row_label(row, count, lang) for lang in ("en", "zh")},
                 "passed": row.passed, "hidden": bool(row.hidden)}
        if not row.hidden:
            hinted = []  # two checks failing the same way name the same mistake once, as in the terminal
            problems = []
            for problem in row.problems:
                entry = _problem(problem, result.exercise.mistakes)
                entry["hints"] = [h for h in entry["hints"] if h not in hinted]
                hinted += entry["hints"]
                problems.append(entry)
            shown.update(
                inputs=_texts(row.inputs) if row.inputs.en and (count == 1 or not row.passed) else None,
                problems=problems,
                output=clean(row.output, PRINTED_CAP, "…").rstrip() if not row.passed and row.output else None)
        rows.append(shown)
    return rows


def record(student: str, results: list[ExerciseResult]) -> str:
    """The record of one student's grading, as JSON: what was graded (a file the submission
    lacks is an error) and what every check found."""
    exercises = []
    for result in results:
        ex = result.exercise
        problem, details, cause = None, [], None
        if result.import_problem:
            problem, details = result.import_problem.text, result.import_problem.details
            cause = ("import" if problem.en.startswith(_NOT_IMPORTED) else _cause_of_failure(problem))
        elif result.status == Status.ERROR:  # the submission has no file for it
            problem, cause = result.message, "missing"
        passed, checks = result.counts
        rows = [] if cause else _rows(result)
        named = sorted({i for row in rows if not row["hidden"] for p in row["problems"] for i in p["mistakes"]})
        exercises.append({
            "id": ex.id, "slug": ex.slug, "title": _texts(ex.title), "file": clean(result.file, 200),
            "status": result.status, "score": result.score, "max_score": result.max_score,
            "passed_checks": passed, "checks": checks, "seed": result.seed,
            "problem": _texts(problem) if problem else None, "details": [_texts(d) for d in details], "cause": cause,
            # the known mistakes its failures matched, so that a class report needs no course to name them
            "mistakes": {str(i): {"function": ex.mistakes[i].function, "hint": _texts(ex.mistakes[i].hint)}
                         for i in named},
            "rows": rows})
    # One sandbox line for the student: every exercise ran in their one jail.
    sandbox = _texts(results[0].isolation) if results else {"en": "", "zh": ""}
    return json.dumps({"version": VERSION, "student": student, "sandbox": sandbox, "exercises": exercises},
                      ensure_ascii=False, separators=(",", ":"))


# ---- the page ---------------------------------------------------------------------------------

def _diff(diff: dict, lang: str) -> str:
    rows = []
    for label, values in (("expected", diff["expected"]), ("got", diff["got"])):
        for i, line in enumerate(values):
            cells = []
            for j, text in enumerate(line):
                differs = label == "got" and diff["differs"][i][j]
                worst = differs and [i, j] == list(diff["worst"])
                cells.append(f'<td class="differs">{esc(text)}{" ◀" if worst else ""}</td>' if differs
                             else f"<td>{esc(text)}</td>")
            head = esc(said(label, lang)) if i == 0 else ""
            rows.append(f'<tr><th class="dim">{head}</th>{"".join(cells)}</tr>')
    return f'<table class="diff">{"".join(rows)}</table>'


def _row(row: dict, lang: str) -> str:
    mark = '<span class="pass">✓</span>' if row["passed"] else '<span class="fail">✗</span>'
    head = f'{mark} <b>{esc(row["function"])}</b> <span class="label">{esc(row["label"][lang])}</span>'
    if row["hidden"]:
        return f'<div class="row">{head} <span class="dim">{esc(said("hidden", lang))}</span></div>'
    if row["inputs"]:
        head += f' <span class="dim mono">{esc(row["inputs"][lang])}</span>'
    parts = [head]
    for problem in row["problems"]:
        inner = [f"<pre>{prose(problem['says'][lang])}</pre>"]
        inner += [f'<pre class="dim">{esc(d[lang])}</pre>' for d in problem["details"]]
        if problem["diff"]:
            inner.append(_diff(problem["diff"], lang))
        inner += [f'<p class="hint">{esc(said("hint", lang))}{prose(h[lang].strip())}</p>' for h in problem["hints"]]
        parts.append(f'<div class="problem">{"".join(inner)}</div>')
    if row["output"]:
        parts.append(f'<div class="problem"><pre class="dim">{esc(said("printed", lang))}{esc(row["output"])}</pre></div>')
    return f'<div class="row">{"".join(parts)}</div>'


def _exercise(ex: dict, sandbox: str, lang: str) -> str:
    parts = [f'<h2>{esc(ex["id"])} {esc(ex["slug"])} — {esc(ex["title"][lang])}</h2>',
             f'<p class="dim">{esc(said("file", lang))}<span class="mono">{esc(ex["file"])}</span></p>']
    if ex["problem"]:
        parts.append(f'<p class="fail">✗ {prose(ex["problem"][lang])}</p>')
        parts += [f'<pre class="dim">{esc(d[lang])}</pre>' for d in ex["details"]]
    parts += [_row(row, lang) for row in ex["rows"]]
    summary = said("summary", lang, passed=ex["passed_checks"], total=ex["checks"], score=number(ex["score"]),
                  max=number(ex["max_score"]))
    seed = said("seed", lang, seed=ex["seed"]) + ("" if ex["status"] == "pass" else said("replay", lang, seed=ex["seed"]))
    parts.append(f'<p><span class="{"pass" if ex["status"] == "pass" else "fail"}">{esc(summary)}</span>'
                 f'<span class="dim"> · {esc(seed)} · {esc(said("sandbox", lang))}{esc(sandbox)}</span></p>')
    return f'<section class="exercise" id="ex-{esc(ex["id"])}">{"".join(parts)}</section>'


def render(doc: dict, lang: str) -> str:
    """A student's feedback page from their record."""
    student, exercises = doc["student"], doc["exercises"]
    score = sum(ex["score"] for ex in exercises)
    max_score = sum(ex["max_score"] for ex in exercises)
    title = said("feedback page", lang, student=student)
    body = (f"<h1>{esc(title)}</h1><p><b>{esc(said('points of', lang, score=number(score), max=number(max_score)))}</b></p>"
            + "".join(_exercise(ex, doc["sandbox"][lang], lang) for ex in exercises))
    return page(title, body, lang)


def render_error(student: str, error: str, lang: str) -> str:
    """The page of a student whose grading could not finish: why, as the gradebook says."""
    title = said("feedback page", lang, student=student)
    why = said("not graded", lang, student=student, error=clean(error, MESSAGE_CAP))
    return page(title, f'<h1>{esc(title)}</h1><p class="error">{esc(why)}</p>', lang)
