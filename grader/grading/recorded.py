"""Expected outcomes recorded as data: how a student copy checks its visible cases without
the reference code.

`tutor export-student` runs each reference (and each known mistake) here, on the copy's
visible cases at one seed, and writes what came back to `expected/<exercise file>.outcomes`
with the sandbox's own codec (`sandbox/inside/encode.py`: JSON and safetensors, never
pickle). In the copy, `RecordedReference` reads them back through `sandbox.protocol`, as
untrusted as a child's frames, and answers the judge as `judge.Reference` does. A file
the copy cannot read, or one made for another version of the exercise, stops grading
with a clear error, never a traceback.

The file: 8 bytes little-endian header size, a JSON header (the exercise, a digest of its
file, the seed, and one entry per outcome with its size), then the encoded outcomes in
the entries' order.
"""
from __future__ import annotations

import hashlib
import json
import struct
from pathlib import Path

from typing import TYPE_CHECKING

from ..course.catalog import Course
from ..course.model import Exercise, Function
from ..messages.text import Text
from ..messages.ui import WORDS
from ..sandbox.inside.frames import MAX_FRAME, OUTCOME
from . import seed as seeds
from .cases import Case, expand_all

if TYPE_CHECKING:  # choosing what to judge against, and the seed, happens before torch is imported
    from ..sandbox.inside.observe import Outcome

FOLDER = "expected"
SUFFIX = ".outcomes"
SEED = 1  # the seed of every recording: `tutor grade`'s default, the cases a class is graded on
FORMAT = 1
_MAX_ENTRIES = 100_000
_MAX_FILE = 256 << 20


class Unreadable(ValueError):
    """A recording's header is not what `record` writes."""


class RecordingRefused(ValueError):
    """What stops a check from recordings before it starts (another seed than theirs, a
    recording that cannot be read), in every language."""

    def __init__(self, text: Text):
        self.text = text
        super().__init__(text.en)


def recorded_file(course: Course, ex: Exercise) -> Path:
    return course.root / FOLDER / f"{ex.file_stem}{SUFFIX}"


def from_recording(course: Course, ex: Exercise) -> bool:
    """Whether `ex` is judged from recorded outcomes: the course has no reference for it, and a recording."""
    return not course.solution_file(ex).is_file() and recorded_file(course, ex).is_file()


def reference_path(course: Course, ex: Exercise) -> Path:
    """What `ex` is judged against: its reference solution, else its recorded outcomes, else
    the reference's path (whose absence is then the error)."""
    return recorded_file(course, ex) if from_recording(course, ex) else course.solution_file(ex)


def run_seed(course: Course, targets, given: int | None = None) -> int:
    """The run's seed (see `seed.run_seed`); where a target is judged from recorded
    outcomes, the recorded seed, and any other is refused."""
    recorded = [ex for ex in targets if from_recording(course, ex)]
    if not recorded:
        return seeds.run_seed(given)
    fixed = _seed_of(recorded_file(course, recorded[0]))
    chosen = seeds.run_seed(given, default=fixed)
    if chosen != fixed:
        raise RecordingRefused(WORDS["recorded seed"].format(seed=chosen, recorded=fixed))
    return chosen


def _digest(ex: Exercise) -> str:
    return hashlib.sha256(ex.path.read_bytes()).hexdigest()


def record(ex: Exercise, reference, target: Path, seed: int = SEED) -> None:
    """Write what `reference` (a judge.Reference) returns on `ex`'s cases at `seed`, and
    what each known mistake returns, to `target`. `ex` is the exercise as the copy has it:
    its hidden cases already removed, so that none is run, let alone recorded."""
    import torch

    from ..sandbox.inside.encode import encode

    entries, blobs = [], []

    def add(fn: Function, case: Case, mistake: int | None, out: Outcome) -> None:
        blob = encode(out)
        entries.append({"function": fn.name, "index": case.index, "label": case.label.en, "seed": case.seed,
                        "mistake": mistake, "args": len(case.spec.args), "size": len(blob)})
        blobs.append(blob)

    cases = expand_all(ex, seed)
    torch.default_generator.manual_seed(seed)  # as the judge seeds it, and in its order: fn by fn, case by case
    for fn in ex.functions:
        for case in cases[fn.name]:
            add(fn, case, None, reference.outcome(fn, case, case.make()))
    for fn in ex.functions:
        for index, mistake in enumerate(ex.mistakes):
            if mistake.function == fn.name:
                for case in cases[fn.name]:
                    add(fn, case, index, reference.mistake_outcome(index, fn, case))
    head = json.dumps({"format": FORMAT, "exercise": ex.id, "digest": _digest(ex), "seed": seed,
                       "entries": entries}).encode()
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(struct.pack("<Q", len(head)) + head + b"".join(blobs))


def _header(path: Path) -> tuple[dict, bytes]:
    """A recording's header, checked, and the bytes of its outcomes (read without torch)."""
    if path.stat().st_size > _MAX_FILE:
        raise Unreadable("larger than any recording")
    data = path.read_bytes()
    if len(data) < 8:
        raise Unreadable("too short to hold its header")
    (size,) = struct.unpack_from("<Q", data)
    if size > len(data) - 8:
        raise Unreadable("a header that runs past the end")
    try:
        header = json.loads(data[8:8 + size])
    except (ValueError, RecursionError):
        raise Unreadable("a header that is not JSON") from None
    if type(header) is not dict or set(header) != {"format", "exercise", "digest", "seed", "entries"}:
        raise Unreadable("a header without the fields of a recording")
    if header["format"] != FORMAT:
        raise Unreadable(f"format {str(header['format'])[:20]!r}, where this tutor reads {FORMAT}")
    if type(header["seed"]) is not int or type(header["digest"]) is not str or type(header["entries"]) is not list:
        raise Unreadable("a header whose seed, digest or entries are not one")
    return header, data[8 + size:]


def _seed_of(path: Path) -> int:
    try:
        return _header(path)[0]["seed"]
    except (OSError, Unreadable) as exc:
        raise RecordingRefused(WORDS["recording unreadable"].format(file=str(path), error=str(exc))) from None


class RecordedReference:
    """The judge's reference for an exercise, from its recorded outcomes (see module doc):
    `outcome` and `mistake_outcome` as `judge.Reference` gives them, for the recorded cases."""

    def __init__(self, exercise: Exercise, path: Path):
        from ..sandbox.protocol import Malformed
        from ..sandbox.runner import GraderError

        self.exercise, self.path = exercise, path
        self.expected: dict = {}  # as judge.Reference's
        try:
            header, body = _header(path)
            self.seed = header["seed"]
            self._outcomes = self._load(header, body)
        except (OSError, Unreadable, Malformed) as exc:
            raise GraderError(f"the recorded outcomes of {exercise.id} in {path} cannot be read: {exc}") from None
        if header["digest"] != _digest(exercise):
            raise GraderError(f"the recorded outcomes of {exercise.id} in {path} were made for another version of "
                              f"{exercise.path.name}: restore the file as it came, or check against the instructor's "
                              "solutions (--solutions)")

    def _load(self, header: dict, data: bytes) -> dict:
        from ..sandbox import protocol

        if header["exercise"] != self.exercise.id:
            raise Unreadable(f"outcomes of exercise {str(header['exercise'])[:50]!r}")
        entries = protocol._list(header["entries"], _MAX_ENTRIES)
        outcomes, offset = {}, 0
        for entry in entries:
            entry = protocol._dict(entry, {"function", "index", "label", "seed", "mistake", "args", "size"})
            size = protocol._int(entry["size"], 0, MAX_FRAME[OUTCOME] + 1)
            if offset + size > len(data):
                raise Unreadable("an outcome that runs past the end")
            mistake = None if entry["mistake"] is None else protocol._int(entry["mistake"], 0, 1 << 16)
            key = (mistake, protocol.text(entry["function"], 200), protocol._int(entry["index"], 0, 1 << 20))
            n_args = protocol._int(entry["args"], 0, protocol.MAX_ARGS)
            outcomes[key] = (protocol.text(entry["label"], 500), protocol._int(entry["seed"]),
                             protocol.outcome(data[offset:offset + size], n_args))
            offset += size
        if offset != len(data):
            raise Unreadable("bytes after the last outcome")
        return outcomes

    def _get(self, mistake: int | None, fn: Function, case: Case) -> Outcome:
        from ..sandbox.runner import GraderError

        found = self._outcomes.get((mistake, fn.name, case.index))
        if found is None or found[:2] != (case.label.en, case.seed):
            raise GraderError(f"no recorded outcome of {self.exercise.id}'s {fn.name} ({case.label.en}) at this seed: "
                              f"the recorded outcomes are for seed {self.seed}")
        return found[2]

    def outcome(self, fn: Function, case: Case, made: tuple[list, dict] | None = None) -> Outcome:
        return self._get(None, fn, case)

    def mistake_outcome(self, index: int, fn: Function, case: Case) -> Outcome:
        return self._get(index, fn, case)
