"""Case inputs from their recipes: the input expressions of an exercise's YAML, evaluated
with seeded helpers, so that the grader (for the reference) and the jail (for the student)
build equal inputs independently. A recipe is plain data:
{"args": [expr], "kwargs": {name: expr}, "let": {name: expr}, "seed": int}.
torch is imported when inputs are made, not before: the grader reads which modules the
inputs need while the sandbox is still starting.
"""
from __future__ import annotations

import functools
import importlib
import io
import math
import os
import random as _random
import tempfile
from dataclasses import dataclass


@dataclass(frozen=True)
class Call:
    """One call to make: which function, on which inputs, how often, and what else to observe."""

    function: str
    recipe: dict
    repeat: int = 1
    probes: tuple[str, ...] = ()  # "gradcheck", "numeric_grad:<other function>", "path", "rng", "again",
    # "max_product:<elements>", "relation:<expression and options as JSON>" (see observe.relation_probe)


ALIASES = {"np": "numpy", "pd": "pandas"}  # what a case may name without importing it
# What `_namespace` binds (its keys; tests/test_loader.py keeps the two equal), readable
# without torch: the course's loader rejects any other name in an input expression, with
# its YAML line, besides Python's builtins, the aliases and the case's own `let` names.
NAMES = frozenset({
    "torch", "math", "randn", "rand", "randint", "shape", "broadcast_pair", "noncontig", "leaf", "frame",
    "generator", "csv_file", "read_csv", "house_table", "HOUSE_TINY", "HOUSE_LARGER", "uniform", "integer", "choice",
})
FRAME_HELPERS = ("frame(", "read_csv(")  # helpers that build a DataFrame: their cases need pandas

# d2l's house_tiny.csv (the second edition's), and the larger raw table the 2.2 exercises
# ask for ("more rows and columns").
HOUSE_TINY = """NumRooms,Alley,Price
NA,Pave,127500
2,NA,106000
4,NA,178100
NA,NA,140000
"""
HOUSE_LARGER = """NumRooms,Alley,Area,RoofType,YearBuilt,Price
NA,Pave,120.5,Slate,1990,127500
2,NA,NA,NA,NA,106000
4,NA,88.0,Tile,2001,178100
NA,NA,NA,Slate,1975,140000
3,Grvl,101.2,NA,NA,150000
5,NA,NA,NA,2010,210000
"""
_CATEGORIES = {"Alley": ["Pave", "Grvl"], "RoofType": ["Slate", "Tile", "Metal"], "Zone": ["RL", "RM", "FV"],
               "Heating": ["Gas", "Wall", "Floor"]}
_NUMBERS = {"NumRooms": (1, 6, 0), "Area": (50, 200, 1), "YearBuilt": (1950, 2020, 0), "Garage": (0, 3, 0),
            "LotSize": (1000, 9000, 0)}
_TARGETS = ["Price", "SalePrice", "Value", "Rent"]
_scratch: list = []  # the folder of this process's case files, made on first use


def case_file_header(path: str) -> tuple[str, int] | None:
    """(first line, number of lines after it) of a file csv_file made in this process, else None."""
    if not (_scratch and path.startswith(_scratch[0].name + os.sep)):
        return None
    with open(path, encoding="utf-8") as f:
        lines = f.read().splitlines()
    return (lines[0] if lines else ""), max(len(lines) - 1, 0)


def _case_folder() -> str:
    """A fresh folder for one case's files, inside a folder this process removes at exit
    (TMPDIR is read each time: in the jail it is the child's scratch space)."""
    if not _scratch:
        _scratch.append(tempfile.TemporaryDirectory(prefix="tutor-cases-", dir=os.environ.get("TMPDIR")))
    return tempfile.mkdtemp(dir=_scratch[0].name)


def make(recipe: dict) -> tuple[list, dict]:
    """Fresh arguments (every call mutates its own copy)."""
    ns = _namespace(recipe["seed"], named_modules(expressions(recipe)))
    for name, expr in recipe.get("let", {}).items():
        ns[name] = eval(_compiled(expr), ns)  # the course's own expressions, trusted on both sides
    args = [eval(_compiled(expr), ns) for expr in recipe["args"]]
    kwargs = {k: eval(_compiled(expr), ns) for k, expr in recipe.get("kwargs", {}).items()}
    return args, kwargs


def expressions(recipe: dict) -> list[str]:
    return [*recipe["args"], *recipe.get("kwargs", {}).values(), *recipe.get("let", {}).values()]


def named_modules(exprs) -> dict[str, str]:
    """The modules some expressions name by their aliases, by alias."""
    exprs = list(exprs)
    return {alias: module for alias, module in ALIASES.items() if any(f"{alias}." in e for e in exprs)}


@functools.lru_cache(maxsize=None)
def _compiled(expr: str):
    """An input expression compiled once: random cases make the same expressions many times."""
    return compile(expr, "<string>", "eval")


def _namespace(seed: int, modules: dict[str, str]) -> dict:
    import torch

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

    def generator():
        """A torch.Generator seeded from the case's seed: equal for every call made from
        this recipe, so two calls with equally seeded generators can be compared."""
        return torch.Generator().manual_seed(seed ^ 0x5EED)

    def csv_file(text):
        """The path (a str) of a CSV file holding `text`, in a fresh temporary folder."""
        path = os.path.join(_case_folder(), "data.csv")
        with open(path, "w", encoding="utf-8", newline="") as f:
            f.write(text)
        return path

    def read_csv(text):
        """The DataFrame pandas reads from CSV `text` (NA and empty fields become NaN)."""
        import pandas as pd

        return pd.read_csv(io.StringIO(text))

    def house_table(rows=None, inputs=None, target_at=None):
        """A random raw house table as CSV text, and its target column's name: `inputs`
        columns (at least one numeric and one categorical, NA anywhere but in the target),
        the numeric target at a random position (`target_at`: its index, or None)."""
        rows = rows or rng.randint(3, 8)
        inputs = inputs or rng.randint(2, 6)
        names = [rng.choice(list(_NUMBERS)), rng.choice(list(_CATEGORIES))]
        names += rng.sample([n for n in [*_NUMBERS, *_CATEGORIES] if n not in names], inputs - 2)
        rng.shuffle(names)
        target = rng.choice(_TARGETS)
        at = rng.randint(0, len(names)) if target_at is None else target_at
        header = names[:at] + [target] + names[at:]
        columns = {}
        for name in names:
            if name in _NUMBERS:
                low, high, digits = _NUMBERS[name]
                values = [str(round(rng.uniform(low, high), digits)) if digits else str(rng.randint(low, high))
                          for _ in range(rows)]
            else:
                values = [rng.choice(_CATEGORIES[name]) for _ in range(rows)]
            for i in rng.sample(range(rows), rng.randint(0, rows - 1)):  # never a whole column
                values[i] = rng.choice(["NA", ""])
            columns[name] = values
        columns[target] = [str(rng.randint(80, 300) * 1000) for _ in range(rows)]
        lines = [",".join(header)] + [",".join(columns[name][i] for name in header) for i in range(rows)]
        return "\n".join(lines) + "\n", target

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
        "generator": generator, "csv_file": csv_file, "read_csv": read_csv, "house_table": house_table,
        "HOUSE_TINY": HOUSE_TINY, "HOUSE_LARGER": HOUSE_LARGER,
        "uniform": rng.uniform, "integer": rng.randint, "choice": rng.choice,
    }
    ns.update({alias: importlib.import_module(module) for alias, module in modules.items()})
    return ns
