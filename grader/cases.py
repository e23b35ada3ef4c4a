"""Turn a function's case specs into concrete inputs, reproducibly.

Each case gets its own seed derived from the run's seed, the function and the case
index, so the grader and the sandboxed child build equal inputs independently, and
adding a case to one function does not change the inputs of another.
"""
from __future__ import annotations

import functools
import hashlib
import importlib
import math
import random as _random
from dataclasses import dataclass

import torch

from .feedback import said
from .model import CaseSpec, Exercise, Function
from .text import Text


@dataclass(frozen=True)
class Case:
    function: str
    index: int
    spec: CaseSpec
    label: str
    seed: int

    def make(self) -> tuple[list, dict]:
        """Fresh arguments (every call mutates its own copy)."""
        ns = _namespace(self.seed, self.spec)
        for name, expr in self.spec.let.items():
            ns[name] = eval(_compiled(expr), ns)  # exercise YAML is trusted author input
        args = [eval(_compiled(expr), ns) for expr in self.spec.args]
        kwargs = {k: eval(_compiled(expr), ns) for k, expr in self.spec.kwargs.items()}
        return args, kwargs


@functools.lru_cache(maxsize=None)
def _compiled(expr: str):
    """An input expression compiled once: random cases make the same expressions many times."""
    return compile(expr, "<string>", "eval")


def _case_seed(run_seed: int, function: str, index: int) -> int:
    digest = hashlib.blake2b(f"{run_seed}/{function}/{index}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "little") & (2**63 - 1)


def expand(fn: Function, run_seed: int) -> list[Case]:
    out: list[Case] = []
    for spec in fn.cases:
        count = spec.random or 1
        for k in range(count):
            if spec.random:
                label = f"{spec.label or 'random'} #{k + 1}"
            else:
                label = spec.label or f"case {len(out) + 1}"
            out.append(Case(fn.name, len(out), spec, label, _case_seed(run_seed, fn.name, len(out))))
    return out


def expand_all(ex: Exercise, run_seed: int) -> dict[str, list[Case]]:
    return {fn.name: expand(fn, run_seed) for fn in ex.functions}


def _namespace(seed: int, spec: CaseSpec) -> dict:
    gen = torch.Generator().manual_seed(seed)
    rng = _random.Random(seed)

    def randn(*shape, dtype=torch.float32):
        return torch.randn(shape, generator=gen, dtype=dtype)

    def rand(*shape, dtype=torch.float32):
        return torch.rand(shape, generator=gen, dtype=dtype)

    def randint(low, high, *shape, dtype=torch.int64):
        return torch.randint(low, high, shape, generator=gen, dtype=dtype)

    def shape(min_rank=1, max_rank=3, min_size=1, max_size=5):
        return tuple(rng.randint(min_size, max_size) for _ in range(rng.randint(min_rank, max_rank)))

    def broadcast_pair(max_rank=4, max_size=4):
        """Two shapes, most of them broadcastable, with sizes 0 and 1 well represented."""
        sizes = [0, 1, 1, 2, 3, max_size]
        a = tuple(rng.choice(sizes) for _ in range(rng.randint(0, max_rank)))
        if rng.random() < 0.3:
            return a, tuple(rng.choice(sizes) for _ in range(rng.randint(0, max_rank)))
        rank = rng.randint(0, max_rank)
        b = []
        for i in range(1, rank + 1):
            if i > len(a):
                b.append(rng.choice(sizes))
            else:
                # Mirror a's size, use 1, or (where a has 1) anything.
                b.append(rng.choice([a[-i], 1] + ([rng.choice(sizes)] if a[-i] == 1 else [])))
        return a, tuple(reversed(b))

    def noncontig(t):
        """A non-contiguous view holding the same values as t."""
        if t.dim() == 0:
            return t
        wide = torch.zeros(*t.shape[:-1], t.shape[-1] * 2, dtype=t.dtype)
        wide[..., ::2] = t
        return wide[..., ::2]

    def leaf(t, dtype=None):
        """A fresh leaf tensor that requires grad (ints become float32)."""
        t = t.detach().clone()
        if dtype is not None or not t.is_floating_point():
            t = t.to(dtype or torch.float32)
        return t.requires_grad_(True)

    def frame(rows=4, kinds="if", nan=False):
        """A pandas DataFrame with int ('i') and float ('f') columns."""
        import pandas as pd

        columns = {}
        for j, kind in enumerate(kinds):
            if kind == "i":
                columns[f"c{j}"] = [rng.randint(-5, 9) for _ in range(rows)]
            else:
                values = [round(rng.uniform(-3, 3), 2) for _ in range(rows)]
                if nan:
                    values[rng.randrange(rows)] = float("nan")
                columns[f"c{j}"] = values
        return pd.DataFrame(columns)

    ns = {
        "torch": torch, "math": math,
        "randn": randn, "rand": rand, "randint": randint, "shape": shape,
        "broadcast_pair": broadcast_pair, "noncontig": noncontig, "leaf": leaf, "frame": frame,
        "uniform": rng.uniform, "integer": rng.randint, "choice": rng.choice,
    }
    ns.update({alias: importlib.import_module(module) for alias, module in _named_modules(spec).items()})
    return ns


_ALIASES = {"np": "numpy", "pd": "pandas"}  # what a case may name without importing it


def _exprs(spec: CaseSpec):
    yield from spec.args
    yield from spec.kwargs.values()
    yield from spec.let.values()


def _named_modules(spec: CaseSpec) -> dict[str, str]:
    """The modules a case names by their aliases, by alias."""
    exprs = list(_exprs(spec))
    return {alias: module for alias, module in _ALIASES.items() if any(f"{alias}." in e for e in exprs)}


def input_modules(exercises) -> set[str]:
    """The modules that making these exercises' inputs imports (pandas: a third of a second)."""
    found = set()
    for spec in (spec for ex in exercises for fn in ex.functions for spec in fn.cases):
        found |= set(_named_modules(spec).values())
        if any("frame(" in e for e in _exprs(spec)):  # the helper builds a DataFrame
            found.add("pandas")
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
    if isinstance(value, torch.Tensor):
        t = value.detach()
        dtype = str(t.dtype).replace("torch.", "")
        flags = ["requires_grad=True"] if value.requires_grad else []
        if t.numel() <= limit:
            flags += ["non-contiguous"] if t.dim() and not t.is_contiguous() else []
            return Text.same(f"tensor({_short(t.tolist())}, dtype={dtype}" + "".join(f", {f}" for f in flags) + ")")
        if t.dim() and not t.is_contiguous():
            flags.append(said("non-contiguous"))
        return said("a large tensor", dtype=dtype, shape=tuple(t.shape),
                    flags=said("flags", flags=Text.joined(flags)) if flags else "")
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
