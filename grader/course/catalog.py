"""Where a course lives on disk, and finding its exercises by id or slug (no torch)."""
from __future__ import annotations

import os
from importlib import resources
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the model is loaded only when exercises are (`tutor list` may not need it)
    from .model import Exercise, ExerciseFileError

ENGINE = Path(__file__).resolve().parents[1]  # grader/ in a checkout; the installed package otherwise


def _bundled() -> Path:
    """The course that comes with tutor: package data in an installed wheel (`data/`), the
    checkout holding the engine otherwise (a clone, or an editable install)."""
    data = Path(str(resources.files(__package__.partition(".")[0]) / "data"))
    return data if (data / "exercises").is_dir() else ENGINE.parent


BUNDLED = _bundled()


class UnknownExercise(LookupError):
    def __init__(self, key: str, known: list[tuple[str, str]], broken: list[str]):
        """`known`: every (id, slug) of the course; `broken`: the files that did not load."""
        self.key, self.known, self.broken = key, [ident for ident, _ in known], len(broken)
        # "2.1.9" or "norms" for a broken 2.1.9-norms.yaml: that file, not a typo
        self.unloaded = next((f for f in broken if key in Path(f).stem.split("-", 1) or Path(f).stem == key), None)
        self.suggestions = [] if self.unloaded else _close(key, known)
        super().__init__(key)

    def says(self, lang: str) -> str:
        from ..messages.ui import say

        if self.unloaded:
            return say("exercise unloaded", lang, key=self.key, file=self.unloaded)
        broken = say("broken files", lang, count=self.broken) if self.broken else ""
        if self.suggestions:
            return say("did you mean", lang, key=self.key, options=", ".join(self.suggestions), broken=broken)
        return say("unknown exercise", lang, key=self.key, known=", ".join(self.known), broken=broken)


def _close(key: str, known: list[tuple[str, str]]) -> list[str]:
    """Exercises a mistyped key most likely meant: a slug holding it ("tensor" in
    tensor-init), else ids and slugs spelled alike."""
    import difflib

    lowered = key.lower()
    found = [f"{slug} ({ident})" for ident, slug in known if lowered and lowered in slug]
    if not found:
        names = {name: f"{slug} ({ident})" for ident, slug in known for name in (ident, slug)}
        found = list(dict.fromkeys(names[n] for n in difflib.get_close_matches(lowered, names, n=3, cutoff=0.6)))
    return found[:3]


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
    def packaged(self) -> bool:
        """The course inside an installed wheel: read it, but keep no student's files there
        (`tutor init` lays out a folder of one's own)."""
        return self.root == BUNDLED and BUNDLED != ENGINE.parent

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
        return list(dict.fromkeys([self.solutions_dir, self.exercises_dir, self.root / ".git", self.root / "solutions",
                                   BUNDLED / "solutions", BUNDLED / "exercises", BUNDLED / ".git"]))

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
        raise UnknownExercise(key, [(ex.id, ex.slug) for ex in self.exercises], [e.file for e in self.errors])

    def solution_file(self, ex: Exercise) -> Path:
        """The reference for `ex`: the course's own (or --solutions'); in a folder `tutor init`
        laid out, which holds no references, the one that came with tutor, as long as the
        exercise file is the one it came with (an edited exercise has no reference)."""
        own = self.solutions_dir / f"{ex.file_stem}.py"
        if own.is_file() or self.solutions is not None or self.root == BUNDLED:
            return own
        shipped, original = BUNDLED / "solutions" / own.name, BUNDLED / "exercises" / ex.path.name
        if shipped.is_file() and original.is_file() and original.read_bytes() == ex.path.read_bytes():
            return shipped
        return own

    def workspace_file(self, ex: Exercise) -> Path:
        return self.workspace_dir / f"{ex.file_stem}.py"
