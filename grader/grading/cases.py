"""Turn a function's case specs into concrete inputs, reproducibly.

Each case gets its own seed derived from the run's seed, the function and the case
index, so the grader and the sandboxed child build equal inputs independently, and
adding a case to one function does not change the inputs of another.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass

from ..messages.feedback import said
from ..course.model import CaseSpec, Exercise, Function
from ..sandbox.inside import recipes
from ..sandbox.inside.recipes import Call
from ..messages.text import Text


@dataclass(frozen=True)
class Case:
    function: str
    index: int
    spec: CaseSpec
    label: Text
    seed: int

    @property
    def recipe(self) -> dict:
        """Its inputs as data, for the sandbox to make them alike."""
        return {"args": list(self.spec.args), "kwargs": dict(self.spec.kwargs), "let": dict(self.spec.let),
                "seed": self.seed}

    def make(self) -> tuple[list, dict]:
        """Fresh arguments (every call mutates its own copy)."""
        return recipes.make(self.recipe)

    def call(self, probes: tuple[str, ...] = ()) -> Call:
        return Call(self.function, self.recipe, self.spec.repeat, probes)


def _case_seed(run_seed: int, function: str, index: int) -> int:
    digest = hashlib.blake2b(f"{run_seed}/{function}/{index}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "little") & (2**63 - 1)


def expand(fn: Function, run_seed: int) -> list[Case]:
    out: list[Case] = []
    for spec in fn.cases:
        count = spec.random or 1
        for k in range(count):
            if spec.random:
                label = said("numbered", label=spec.label or said("random"), n=k + 1)
            else:
                label = spec.label or said("case n", n=len(out) + 1)
            out.append(Case(fn.name, len(out), spec, label, _case_seed(run_seed, fn.name, len(out))))
    return out


def expand_all(ex: Exercise, run_seed: int) -> dict[str, list[Case]]:
    """Every function's cases for a run's seed: made once per exercise object and seed (the
    judge asks for them per student, and their labels cost more than the judging itself)."""
    key = (id(ex), run_seed)
    held = _EXPANDED.get(key)
    if held is None or held[0] is not ex:  # an id is reused only once its exercise is gone
        if len(_EXPANDED) >= _KEPT:  # a long session reloads the course: the oldest go
            del _EXPANDED[next(iter(_EXPANDED))]
        held = _EXPANDED[key] = (ex, {fn.name: expand(fn, run_seed) for fn in ex.functions})
    return held[1]


# (exercise, cases) by (id(exercise), seed): an exercise model is a frozen dataclass holding
# dicts, so it cannot be hashed; it is kept here with its cases, so its id stays its own.
_KEPT = 256
_EXPANDED: dict[tuple[int, int], tuple[Exercise, dict[str, list[Case]]]] = {}


def _exprs(spec: CaseSpec):
    yield from spec.args
    yield from spec.kwargs.values()
    yield from spec.let.values()


def child_modules(exercises, many_runs: bool = False) -> set[str]:
    """The modules these exercises' children import, for the sandbox's server to import once
    for all of them: what making the inputs imports (pandas: a third of a second in every
    child that makes a DataFrame) and, for a server that runs each exercise many times (a
    class's, `watch`'s, a notebook's), what the checks' probes import (gradcheck's: half a
    second, once per exercise; in a single `check --all` it would cost every other child's
    fork more than it saves)."""
    from .checks import KINDS

    found = set()
    for fn in (fn for ex in exercises for fn in ex.functions):
        for spec in fn.cases:
            found |= set(recipes.named_modules(_exprs(spec)).values())
            if any(helper in e for e in _exprs(spec) for helper in recipes.FRAME_HELPERS):
                found.add("pandas")
        if many_runs:
            found.update(module for check in fn.all_checks() for module in KINDS[check.kind].imports)
    return found


def _short(v) -> str:
    """Nested lists with floats at 4 significant digits, as people read them."""
    if isinstance(v, list):
        return "[" + ", ".join(_short(x) for x in v) + "]"
    if isinstance(v, float):
        text = f"{v:.4g}"
        return text if any(c in text for c in ".eninf") else text + "."
    return repr(v)


def describe(value, limit: int = 8) -> Text:
    """A short, student-facing rendering of an input or output value."""
    import torch

    if isinstance(value, torch.Tensor):
        t = value.detach()
        dtype = str(t.dtype).replace("torch.", "")
        flags = ["requires_grad=True"] if value.requires_grad else []
        if t.numel() <= limit:
            shown = f"tensor({_short(t.tolist())}, dtype={dtype}" + "".join(f", {f}" for f in flags) + ")"
            if t.dim() and not t.is_contiguous():  # said in words: it is no argument of tensor()
                return Text.joined([shown, said("non-contiguous")], " ")
            return Text.same(shown)
        if t.dim() and not t.is_contiguous():
            flags.append(said("non-contiguous"))
        return said("a large tensor", dtype=dtype, shape=tuple(t.shape),
                    flags=said("flags", flags=Text.joined(flags)) if flags else "")
    if isinstance(value, torch.Generator):
        return said("a generator")
    if isinstance(value, str) and (made := recipes.case_file_header(value)):  # its path is a temporary name
        header, rows = made
        return said("a csv file", header=header[:80], rows=rows)
    if isinstance(value, (tuple, list)) and len(value) > limit:
        return said("a long sequence", type=type(value).__name__, n=len(value))
    if type(value).__name__ == "DataFrame":
        cols = ", ".join(f"{name} {dtype}" for name, dtype in list(value.dtypes.items())[:4])
        more = ", …" if value.shape[1] > 4 else ""
        return Text.same(f"DataFrame {value.shape[0]}×{value.shape[1]} ({cols}{more})")
    if callable(value) and hasattr(value, "__name__"):
        return Text.same(value.__name__) if value.__name__ != "<lambda>" else said("a lambda")
    text = repr(value)
    return Text.same(text if len(text) <= 120 else text[:117] + "...")
