"""Where a course lives on disk, and finding its exercises by id or slug (no torch)."""
from __future__ import annotations

import os
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the model is loaded only when exercises are (`tutor list` may not need it)
    from .model import Exercise, ExerciseFileError

BUNDLED = Path(__file__).resolve().parent.parent  # the course that comes with tutor itself


class UnknownExercise(LookupError):
    def __init__(self, key: str, known: list[str], broken: int):
        self.key, self.known, self.broken = key, known, broken
        super().__init__(key)


def _id_key(ident: str) -> tuple[int, ...]:
    return tuple(int(p) for p in ident.split("."))


def section_of(ident: str) -> str:
    """The d2l section an exercise id belongs to: its first two parts (2.3.6 is in 2.3)."""
    return ".".join(ident.split(".")[:2])


def find_root(start: Path | None = None) -> Path:
    """The course folder: $TUTOR_ROOT, else the nearest parent holding exercises/, else ours."""
    if os.environ.get("TUTOR_ROOT"):
        return Path(os.environ["TUTOR_ROOT"]).resolve()
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / "exercises").is_dir() and any((folder / "exercises").glob("*.yaml")):
            return folder
    return BUNDLED


@dataclass
class Course:
    root: Path
    solutions: Path | None = None  # the instructor's references, when they live elsewhere

    def __post_init__(self):
        self.root = Path(self.root).resolve()  # children run in their own directory
        if self.solutions is None and os.environ.get("TUTOR_SOLUTIONS"):
            self.solutions = Path(os.environ["TUTOR_SOLUTIONS"])
        if self.solutions is not None:
            self.solutions = Path(self.solutions).resolve()

    @property
    def exercises_dir(self) -> Path:
        return self.root / "exercises"

    @property
    def solutions_dir(self) -> Path:
        return self.solutions or self.root / "solutions"

    @property
    def workspace_dir(self) -> Path:
        return self.root / "workspace"

    @property
    def protected(self) -> list[Path]:
        """What a student's code must never reach: the references (also when they live apart
        from the course), the exercises, and the course's git history, which holds both."""
        return list(dict.fromkeys([self.solutions_dir, self.exercises_dir, self.root / ".git", self.root / "solutions"]))

    @cached_property
    def _loaded(self) -> tuple[list[Exercise], list[ExerciseFileError]]:
        from .model import ExerciseFileError, load_exercise

        # One broken file must not take the other exercises down with it.
        found, errors = [], []
        for path in sorted(self.exercises_dir.glob("*.yaml")):
            try:
                found.append(load_exercise(path))
            except ExerciseFileError as exc:
                errors.append(exc)
        seen: dict[str, Path] = {}
        kept = []
        for ex in found:
            clash = next((key for key in (ex.id, ex.slug) if key in seen), None)
            if clash:
                errors.append(ExerciseFileError(ex.path, 1, "id" if clash == ex.id else "slug",
                                                f"{clash!r} is already used by {seen[clash].name}"))
                continue
            seen.update({ex.id: ex.path, ex.slug: ex.path})
            kept.append(ex)
        return sorted(kept, key=lambda ex: _id_key(ex.id)), errors

    @property
    def exercises(self) -> list[Exercise]:
        """Every loadable exercise, in curriculum order."""
        return self._loaded[0]

    @property
    def errors(self) -> list[ExerciseFileError]:
        """The exercise files that could not be loaded, each located by file, line and field."""
        return self._loaded[1]

    def get(self, key: str) -> Exercise:
        for ex in self.exercises:
            if key in (ex.id, ex.slug):
                return ex
        raise UnknownExercise(key, [ex.id for ex in self.exercises], len(self.errors))

    def solution_file(self, ex: Exercise) -> Path:
        return self.solutions_dir / f"{ex.file_stem}.py"

    def workspace_file(self, ex: Exercise) -> Path:
        return self.workspace_dir / f"{ex.file_stem}.py"
