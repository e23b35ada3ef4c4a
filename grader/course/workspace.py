"""The student's files and progress: starter copies, resets, and the state file (no torch)."""
from __future__ import annotations

import datetime
import json
import os
import tempfile
from pathlib import Path

from typing import TYPE_CHECKING

from .catalog import Course
from ..sandbox.submission import SubmissionError, read_submission
from ..messages.text import digest

if TYPE_CHECKING:
    from .model import Exercise

STATE_FILE = ".tutor-state.json"


def ensure_file(course: Course, ex: Exercise) -> tuple[Path, bool]:
    """The student's file for `ex`, created from the starter if absent; never overwrites."""
    path = course.workspace_file(ex)
    if path.exists():
        return path, False
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(ex.starter, encoding="utf-8")
    return path, True


def reset(course: Course, ex: Exercise) -> Path:
    path = course.workspace_file(ex)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(ex.starter, encoding="utf-8")
    state = load_state(course)
    state.pop(ex.id, None)
    save_state(course, state)
    return path


def load_state(course: Course) -> dict:
    try:
        return json.loads((course.workspace_dir / STATE_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def save_state(course: Course, state: dict) -> None:
    # Write-then-rename: an interrupted save never leaves a half-written state file.
    course.workspace_dir.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=course.workspace_dir, prefix=".state-")
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(json.dumps(state, indent=1, sort_keys=True))  # one write, not json.dump's one per token
    os.replace(tmp, course.workspace_dir / STATE_FILE)


def record_check(course: Course, ex: Exercise, file: Path, passed: bool, notebook: bool = False) -> None:
    """`notebook`: `file` is the code a notebook's cells gave (see grader.notebook), not the
    workspace file, whose later edits then do not change the status."""
    state = load_state(course)
    entry = state.setdefault(ex.id, {})
    entry["status"] = "passed" if passed else "failing"
    entry["hash"] = digest(_text(file))
    if notebook:
        entry["notebook"] = True
    else:
        entry.pop("notebook", None)
    entry["checked_at"] = datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")
    if passed:
        entry["passed_at"] = entry["checked_at"]
    save_state(course, state)


def next_hint(course: Course, ex: Exercise) -> int:
    """Index of the hint to show now (advancing, then staying on the last)."""
    state = load_state(course)
    entry = state.setdefault(ex.id, {})
    index = min(entry.get("hints_shown", 0), len(ex.hints) - 1)
    entry["hints_shown"] = index + 1
    save_state(course, state)
    return index


def status(course: Course, ex: Exercise, state: dict) -> str:
    """not started / failing / passed / changed (edited since the last check). `ex` may be
    an Exercise or an index.Summary: both have id, file_stem and starter_digest."""
    entry = state.get(ex.id, {})
    if entry.get("notebook"):  # last checked in a notebook: its status stands until a file is checked
        return entry["status"]
    path = course.workspace_file(ex)
    if not path.is_symlink() and not path.exists():
        return "not started"
    seen = digest(_text(path))
    if entry.get("hash") == seen:
        return entry["status"]
    return "not started" if seen == ex.starter_digest else "changed"


def _text(path: Path) -> str:
    """The file's text as grading reads it: a symlink or an oversized file reads as its refusal."""
    try:
        return read_submission(path).decode("utf-8", errors="replace")
    except SubmissionError as exc:
        return str(exc)
