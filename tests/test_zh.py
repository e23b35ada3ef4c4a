"""The Chinese a student reads: the book's terms (docs/glossary-zh.yaml) and Chinese typography,
in every zh text of the course and of the grader's message catalogs."""
import re

import pytest
import yaml

from conftest import ROOT
from grader.catalog import Course
from grader.feedback import FEEDBACK, LABELS, SANDBOX
from grader.text import Text
from grader.ui import WORDS

GLOSSARY = yaml.safe_load((ROOT / "docs" / "glossary-zh.yaml").read_text(encoding="utf-8"))


def exercise_texts(ex):
    """(where, Text) for every bilingual text of an exercise, the prompt first."""
    yield f"{ex.id} title", ex.title
    yield f"{ex.id} prompt", ex.prompt
    for fn in ex.functions:
        for check in fn.all_checks():
            for key, value in check.options.items():
                if isinstance(value, Text):
                    yield f"{ex.id} {fn.name} {check.kind}.{key}", value
    for i, hint in enumerate(ex.hints):
        yield f"{ex.id} hints[{i}]", hint
    for i, mistake in enumerate(ex.mistakes):
        yield f"{ex.id} mistakes[{i}] ({mistake.function})", mistake.hint
    if ex.plot is not None:
        yield f"{ex.id} plot.title", ex.plot.title
        for i, curve in enumerate(ex.plot.curves):
            yield f"{ex.id} plot.curves[{i}]", curve.label


def zh_texts():
    """(where, zh text) for everything a student reads in Chinese that is ours, in course order."""
    out = []
    for ex in Course(ROOT).exercises:
        out += [(where, text.zh) for where, text in exercise_texts(ex)]
    out += [(f"feedback {key!r}", text.zh) for key, text in FEEDBACK.items()]
    out += [(f"ui {key!r}", text.zh) for key, text in WORDS.items()]
    out += [(f"sandbox {key!r}", zh) for key, zh in SANDBOX.items()]
    out += [(f"label {key!r}", zh) for key, zh in LABELS.items()]
    return out


TEXTS = zh_texts()


def test_the_texts_scanned_include_every_kind():
    # Guards the scans below against silently reading nothing.
    kinds = {where.split()[1] if where[0].isdigit() else where.split()[0] for where, _ in TEXTS}
    assert {"title", "prompt", "feedback", "ui", "sandbox", "label"} <= kinds
    assert sum(where.endswith("prompt") for where, _ in TEXTS) == len(Course(ROOT).exercises) >= 20


def _replaced(entry):
    """A regular expression matching every term the entry replaces."""
    parts = [re.escape(t) for t in entry.get("replaces") or []]
    if entry.get("pattern"):
        parts.append(entry["pattern"])
    return re.compile("|".join(parts)) if parts else None


@pytest.mark.parametrize("entry", GLOSSARY, ids=lambda e: e["en"])
def test_no_zh_text_uses_a_term_the_glossary_replaces(entry):
    replaced = _replaced(entry)
    if replaced is None:
        return
    found = [f"{where}: …{text[max(0, m.start() - 12):m.end() + 12]}…"
             for where, text in TEXTS for m in replaced.finditer(text)]
    assert not found, f"use {entry['zh']}:\n" + "\n".join(found)


@pytest.mark.parametrize("entry", GLOSSARY, ids=lambda e: e["en"])
def test_the_glossary_terms_are_the_ones_used(entry):
    # A term the course never uses is a stale entry; a replaced term the book also uses
    # would make the rule above contradict the book.
    assert any(entry["zh"] in text for _, text in TEXTS), entry["zh"]
    replaced = _replaced(entry)
    assert replaced is None or not replaced.search(entry["zh"])


@pytest.mark.parametrize("entry", [e for e in GLOSSARY if e.get("gloss")], ids=lambda e: e["en"])
def test_a_term_the_book_does_not_define_is_glossed_on_first_use(entry):
    first = next(text[text.index(entry["zh"]):] for _, text in TEXTS if entry["zh"] in text)
    assert first.startswith(f"{entry['zh']}（{entry['gloss']}"), first[:60]


def test_every_case_label_of_the_course_has_its_own_chinese():
    # Labels are shown in Chinese from a catalog of whole labels, never word by word.
    labels = {spec.label for ex in Course(ROOT).exercises for fn in ex.functions for spec in fn.cases if spec.label}
    assert len(labels) > 40
    assert not sorted(labels - set(LABELS)), "add these to grader/feedback.py LABELS"
