"""A cached summary of the course for `tutor list`: no YAML parsing while nothing changed.

The summary (id, slug, titles, the starter's digest) is kept in the workspace beside the
state file, with each exercise file's size and modification time; any difference, and
the course is loaded in full again.
"""
from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path

INDEX_FILE = ".tutor-index.json"


@dataclass(frozen=True)
class Summary:
    id: str
    slug: str
    title: dict  # language -> text; .get(lang) as on model.Text
    file_stem: str
    starter_digest: str


def _fingerprint(exercises_dir: Path) -> list:
    return [[p.name, p.stat().st_mtime_ns, p.stat().st_size] for p in sorted(exercises_dir.glob("*.yaml"))]


def cached(course) -> list[Summary] | None:
    try:
        data = json.loads((course.workspace_dir / INDEX_FILE).read_text(encoding="utf-8"))
        if data["files"] != _fingerprint(course.exercises_dir):
            return None
        return [Summary(**row) for row in data["exercises"]]
    except (OSError, ValueError, KeyError, TypeError):
        return None


def save(course) -> None:
    """Remember the loaded course's summary; only a course that loaded without errors."""
    if course.errors or course.packaged:
        return
    rows = [asdict(Summary(ex.id, ex.slug, {"en": ex.title.en, "zh": ex.title.zh}, ex.file_stem, ex.starter_digest))
            for ex in course.exercises]
    try:
        course.workspace_dir.mkdir(parents=True, exist_ok=True)
        (course.workspace_dir / INDEX_FILE).write_text(
            json.dumps({"files": _fingerprint(course.exercises_dir), "exercises": rows}), encoding="utf-8")
    except OSError:
        pass  # a read-only workspace only costs speed
