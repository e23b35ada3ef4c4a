"""Where a course lives on disk, and finding its exercises by id or slug (no torch)."""
from __future__ import annotations

import os
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from .model import Exercise, ExerciseFileError, load_exercise

_HERE = Path(__file__).resolve().parent.parent


class UnknownExercise(LookupError):
    pass


def _id_key(ident: str) -> tuple[int, ...]:
    return tuple(int(p) for p in ident.split("."))


def find_root(start: Path | None = None) -> Path:
    """The course folder: $TUTOR_ROOT, else the nearest parent holding exercises/, else ours."""
    if os.environ.get("TUTOR_ROOT"):
        return Path(os.environ["TUTOR_ROOT"]).resolve()
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / "exercises").is_dir() and any((folder / "exercises").glob("*.yaml")):
            return folder
    return _HERE


@dataclass
class Course:
    root: Path

    @property
    def exercises_dir(self) -> Path:
        return self.root / "exercises"

    @property
    def solutions_dir(self) -> Path:
        return self.root / "solutions"

    @property
    def workspace_dir(self) -> Path:
        return self.root / "workspace"

    @cached_property
    def exercises(self) -> list[Exercise]:
        """Every exercise in curriculum order; the first broken file raises ExerciseFileError."""
        found = [load_exercise(p) for p in sorted(self.exercises_dir.glob("*.yaml"))]
        seen: dict[str, Path] = {}
        for ex in found:
            for key in (ex.id, ex.slug):
                if key in seen:
                    raise ExerciseFileError(ex.path, 1, "id" if key == ex.id else "slug",
                                            f"{key!r} is already used by {seen[key].name}")
                seen[key] = ex.path
        return sorted(found, key=lambda ex: _id_key(ex.id))

    def get(self, key: str) -> Exercise:
        for ex in self.exercises:
            if key in (ex.id, ex.slug):
                return ex
        known = ", ".join(ex.id for ex in self.exercises)
        raise UnknownExercise(f"no exercise {key!r} (known ids: {known}; slugs work too)")

    def solution_file(self, ex: Exercise) -> Path:
        return self.solutions_dir / f"{ex.file_stem}.py"

    def workspace_file(self, ex: Exercise) -> Path:
        return self.workspace_dir / f"{ex.file_stem}.py"
