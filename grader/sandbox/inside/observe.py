"""Call one function on one case and record everything the checks need, as plain data.

The same code observes the student (in a child inside the jail) and the reference and
known mistakes (in the grader), so both sides are described in the same terms. An
Outcome holds no live object of the code under test: tensors are detached dense copies,
anything else becomes an `Opaque` description. Nothing the code under test returns or
raises can make observing it fail: an unreadable value is described, not sent.
"""
from __future__ import annotations

import contextlib
import hashlib
import io
import json
import math
import sys
import time
import types
from dataclasses import dataclass, field
from typing import Any, Callable

import torch

from . import recipes
from .recipes import Call

OUTPUT_KEEP = 8 * 1024  # characters of a call's printed output kept for the report
OUTPUT_LIMIT = 64 * 1024  # printing more than this in one call fails the case
MAX_TENSOR_BYTES = 4 << 20  # one returned tensor; the course's are a few hundred bytes
MAX_ITEMS = 10_000  # elements of a returned list or tuple, and nodes in all
MAX_DEPTH = 16  # nesting of returned lists and tuples
MAX_TEXT = 10_000  # characters of a returned str
# What a tensor may hold to be sent as data (safetensors' dtypes; no quantized ones).
SENDABLE = {torch.bool, torch.uint8, torch.int8, torch.int16, torch.int32, torch.int64, torch.float16,
            torch.bfloat16, torch.float32, torch.float64, torch.complex64}


@dataclass(frozen=True)
class Opaque:
    """An object we do not compare by value: its type and a short repr."""

    type: str
    text: str


# The column dtypes a DataFrame may have to be sent as data: each is rebuilt from its values.
FRAME_DTYPES = {"bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64", "float32",
                "float64", "object", "str", "string"}
_SCALARS = (type(None), bool, int, float, str)


@dataclass(frozen=True)
class Frame:
    """A pandas DataFrame as plain data: column names and dtypes, each column's values as
    Python scalars, and the index. Rebuilt into a DataFrame only to be compared."""

    columns: tuple
    dtypes: tuple[str, ...]
    data: tuple[tuple, ...]  # by column
    index: tuple
    index_dtype: str

    @property
    def shape(self) -> tuple[int, int]:
        return len(self.index), len(self.columns)

    def same_as(self, other: "Frame") -> bool:
        """Equal in every part, NaN where NaN: what pandas would find, at a hundredth of its cost."""
        same = lambda a, b: a == b or (type(a) is float and type(b) is float and a != a and b != b)
        return (self.columns == other.columns and self.dtypes == other.dtypes and self.index == other.index
                and self.index_dtype == other.index_dtype
                and all(len(a) == len(b) and all(map(same, a, b)) for a, b in zip(self.data, other.data)))

    def to_pandas(self):
        import pandas as pd

        df = pd.DataFrame({i: pd.Series(list(values), dtype=dtype, index=range(len(self.index)))
                           for i, (values, dtype) in enumerate(zip(self.data, self.dtypes))},
                          index=range(len(self.index)))
        df.columns = pd.Index(list(self.columns), dtype=object if self.columns else None)
        df.index = pd.Index(list(self.index), dtype=self.index_dtype)
        return df


def frame_of(value) -> Frame | Opaque:
    """A DataFrame (exactly, no subclass) as a Frame, or an Opaque saying why it cannot be one."""
    index = value.index
    if value.shape[0] * (value.shape[1] + 1) > MAX_ITEMS:
        return _opaque(value, f"a DataFrame of shape {value.shape}, too large to send")
    dtypes = tuple(str(d) for d in value.dtypes)
    if any(d not in FRAME_DTYPES for d in dtypes) or str(index.dtype) not in FRAME_DTYPES:
        return _opaque(value, f"a DataFrame with dtypes {', '.join(sorted(set(dtypes)))[:120]}")
    columns = tuple(value.columns.tolist())
    data = tuple(tuple(value.iloc[:, j].tolist()) for j in range(value.shape[1]))
    labels = tuple(index.tolist())
    # type(), not isinstance: an object column may hold anything, and only plain scalars are data.
    if any(type(v) not in _SCALARS for part in (columns, labels, *data) for v in part):
        return _opaque(value, "a DataFrame holding values other than numbers, text and None")
    return Frame(columns, dtypes, data, labels, str(index.dtype))


def _is_frame(value) -> bool:
    kind = type(value)
    return kind.__name__ == "DataFrame" and kind.__module__ in ("pandas", "pandas.core.frame")


@dataclass
class ErrorInfo:
    type: str  # qualified name, e.g. "RuntimeError" or "torch.OutOfMemoryError"
    bases: list[str]  # the qualified names of its classes, most derived first
    message: str
    line: int | None = None  # line in the student's file where it surfaced, if known
    cell: int | None = None  # a notebook's cell that line is in (set by the grader; `line` is then the cell's)


@dataclass
class TensorFacts:
    requires_grad: bool = False
    shares: tuple[int, ...] = ()  # arguments whose storage this result shares
    same_memory: int | None = None  # argument whose very memory (pointer and shape) this is
    same_object: int | None = None  # argument this result is (the very tensor object, not a view of it)
    subclass: str | None = None  # a tensor subclass's name, if one came back


@dataclass
class Outcome:
    result: Any = None
    error: ErrorInfo | None = None
    failure: str | None = None  # the call could not be made or finish: missing function, timeout, crash
    missing: bool = False  # the failure is a function the file does not define (a wrong answer, not a crash)
    failure_text: Any = None  # the failure in every language, when the grader's side saw it
    facts: dict[str, TensorFacts] = field(default_factory=dict)  # by result path
    args: list = field(default_factory=list)  # argument values after the call
    grads: list = field(default_factory=list)  # .grad of each argument after the call
    bumped: list = field(default_factory=list)  # per argument: written in place?
    forbidden: list[str] = field(default_factory=list)
    output: str = ""
    output_size: int = 0
    probes: dict = field(default_factory=dict)
    seconds: float = 0.0


def load_module(path, name: str, source: bytes | None = None):
    """Run a Python file as module `name` (registered, so dataclasses and pickle inside it
    work); from `source` when given, else from the file at `path`."""
    module = types.ModuleType(name)
    module.__file__ = str(path)
    sys.modules[name] = module
    if source is None:
        with open(path, "rb") as f:
            source = f.read()
    exec(compile(source, str(path), "exec"), module.__dict__)
    return module


def qualname(cls: type) -> str:
    mod = getattr(cls, "__module__", "?")
    name = getattr(cls, "__qualname__", "?")
    text = name if mod == "builtins" else f"{mod}.{name}"
    return str(text)[:200]


def error_info(exc: BaseException, filename: str | None) -> ErrorInfo:
    line = None
    tb = exc.__traceback__
    while tb is not None:  # innermost frame in the student's file
        if filename and tb.tb_frame.f_code.co_filename == filename:
            line = tb.tb_lineno
        tb = tb.tb_next
    try:
        message = exc.msg if isinstance(exc, SyntaxError) else str(exc)
        message = message if type(message) is str else "<the exception's message is not text>"
    except BaseException:  # a hostile __str__
        message = "<the exception's message could not be read>"
    if isinstance(exc, SyntaxError) and filename and exc.filename == filename:
        line = exc.lineno
    return ErrorInfo(qualname(type(exc)), [qualname(c) for c in type(exc).__mro__][:20], message[:2000],
                     line if type(line) is int else None)


class _CappedWriter(io.TextIOBase):
    def __init__(self):
        self.kept, self.size = [], 0

    def write(self, s):
        s = str(s)
        if self.size < OUTPUT_KEEP:
            self.kept.append(s[: OUTPUT_KEEP - self.size])
        self.size += len(s)
        return len(s)

    def text(self) -> str:
        return "".join(self.kept)


class _Budget:
    """How many more nodes one snapshot may describe."""

    def __init__(self):
        self.left = MAX_ITEMS


def _opaque(value, why: str | None = None) -> Opaque:
    if why is None:
        try:
            why = repr(value)
            why = why[:200] if type(why) is str else "<unprintable>"
        except BaseException:
            why = "<unprintable>"
    return Opaque(qualname(type(value)), why)


def _plain_tensor(value: torch.Tensor) -> torch.Tensor | Opaque:
    """A detached, dense, contiguous copy, or what kind of tensor this is when it cannot be sent."""
    plain = torch.Tensor.as_subclass(value, torch.Tensor).detach()
    if plain.is_nested:
        return _opaque(value, "a nested tensor")
    if plain.layout != torch.strided:
        return _opaque(value, f"a {str(plain.layout).replace('torch.', '')} tensor")
    if plain.device.type != "cpu":
        return _opaque(value, f"a tensor on the {plain.device.type} device")
    if plain.dtype not in SENDABLE:
        return _opaque(value, f"a tensor of dtype {str(plain.dtype).replace('torch.', '')}")
    if plain.numel() * plain.element_size() > MAX_TENSOR_BYTES:
        return _opaque(value, f"a tensor of shape {tuple(plain.shape)}, too large to send")
    return plain.resolve_conj().resolve_neg().clone(memory_format=torch.contiguous_format)


def snapshot(value, arg_tensors: list, path: str = "", facts: dict | None = None, budget: _Budget | None = None,
             depth: int = 0):
    """Copy `value` into plain data, recording facts about each returned tensor. Types are
    read with type(), which an object cannot fake (isinstance asks its __class__)."""
    facts = {} if facts is None else facts
    budget = budget or _Budget()
    budget.left -= 1
    kind = type(value)
    if budget.left < 0 or depth > MAX_DEPTH:
        return Opaque(qualname(kind), "nested too deep or too many items to send")
    if issubclass(kind, torch.Tensor):
        plain = torch.Tensor.as_subclass(value, torch.Tensor)
        info = TensorFacts(requires_grad=bool(plain.requires_grad))
        if kind is not torch.Tensor and kind is not torch.nn.Parameter:
            info.subclass = qualname(kind)
        copy = _plain_tensor(value)
        if type(copy) is torch.Tensor and plain.layout == torch.strided:
            ptr = plain.untyped_storage().data_ptr()
            info.shares = tuple(i for i, a in arg_tensors if ptr and a.untyped_storage().data_ptr() == ptr)
            info.same_memory = next((i for i, a in arg_tensors
                                     if a.data_ptr() == plain.data_ptr() and a.shape == plain.shape
                                     and a.stride() == plain.stride()), None)
            info.same_object = next((i for i, a in arg_tensors if a is value), None)
        facts[path] = info
        return copy
    if kind.__module__ == "numpy" and kind.__name__ == "ndarray":
        import numpy as np

        if value.dtype.kind not in "biufc" or value.nbytes > MAX_TENSOR_BYTES:
            return _opaque(value, f"a numpy array of dtype {value.dtype} and shape {value.shape}")
        facts[path] = TensorFacts(shares=tuple(
            i for i, a in arg_tensors if np.shares_memory(value, a.detach().numpy())))
        return np.array(value, copy=True)
    if _is_frame(value):
        return frame_of(value)
    if value is None or kind in (bool, float, complex):
        return value
    if kind is int:
        return value if -(1 << 63) <= value < (1 << 63) else Opaque("int", f"an int of {value.bit_length()} bits")
    if kind is str:
        return value if len(value) <= MAX_TEXT else Opaque("str", f"a str of {len(value):,} characters")
    if issubclass(kind, tuple):  # torch.Size and namedtuples count as tuples; read as tuples, not as they say
        size = tuple.__len__(value)
        if size > budget.left:
            return Opaque(qualname(kind), f"a tuple of {size:,} items, too many to send")
        return tuple(snapshot(tuple.__getitem__(value, i), arg_tensors, f"{path}[{i}]", facts, budget, depth + 1)
                     for i in range(size))
    if kind is list:
        if len(value) > budget.left:
            return Opaque("list", f"a list of {len(value):,} items, too many to send")
        return [snapshot(v, arg_tensors, f"{path}[{i}]", facts, budget, depth + 1) for i, v in enumerate(list(value))]
    return _opaque(value)


def _safe_snapshot(value, arg_tensors: list, facts: dict):
    try:
        return snapshot(value, arg_tensors, "", facts)
    except BaseException as exc:  # a value built to break copying is described, not sent
        facts.clear()
        return Opaque(qualname(type(value)), f"could not be read ({type(exc).__name__})")


def _tensor_args(args: list) -> list[tuple[int, torch.Tensor]]:
    return [(i, a) for i, a in enumerate(args) if type(a) is torch.Tensor]


class _PathTracer:
    """Records the bytecode a function executes, to see which way its conditions went: its
    own, and that of every function of the same file it calls (a condition may sit in a
    helper). Each step is the code object's number, in order of first use, and the offset.

    Opcodes, not lines: both branches of `x if cond else y` sit on one line.
    """

    def __init__(self, func, filename: str | None):
        code = getattr(func, "__code__", None)
        self.ours = (lambda c: c.co_filename == filename) if filename else (lambda c: c is code)
        self.codes: dict = {}
        self.lines: list[int] = []

    def __call__(self, frame, event, arg):
        if not self.ours(frame.f_code):
            return None
        frame.f_trace_opcodes = True
        if event == "opcode":
            number = self.codes.setdefault(frame.f_code, len(self.codes))
            self.lines.append((number << 20 | frame.f_lasti) & 0x7FFFFFFF)
        return self


def run_call(namespace, call: Call, *, monitor=None, filename: str | None = None,
             made: tuple[list, dict] | None = None) -> Outcome:
    """Call `call.function` from `namespace` on its inputs (on `made`, when the caller has
    made them already); never raises for anything the code under test does."""
    func = getattr(namespace, call.function, None)
    if not callable(func):
        return Outcome(failure=f"your file defines no function `{call.function}`", missing=True)
    args, kwargs = made or recipes.make(call.recipe)
    tensors = _tensor_args(args)
    versions = [a._version for _, a in tensors]
    out = Outcome()
    writer = _CappedWriter()
    saved = sys.stdout, sys.stderr
    tracer = _PathTracer(func, filename) if "path" in call.probes else None
    results = []
    watch = _product_watch(call.probes)
    rng_before = torch.get_rng_state() if "rng" in call.probes else None
    start = time.perf_counter()
    sys.stdout = sys.stderr = writer
    try:
        if tracer:
            sys.settrace(tracer)
        with monitor.watching() if monitor else contextlib.nullcontext(), watch or contextlib.nullcontext():
            for _ in range(call.repeat):
                results.append(func(*args, **kwargs))
    except BaseException as exc:  # SystemExit and KeyboardInterrupt are answers too
        out.error = error_info(exc, filename)
    finally:
        if tracer:
            sys.settrace(None)
        sys.stdout, sys.stderr = saved
    if rng_before is not None:
        out.probes["rng"] = "same" if torch.equal(rng_before, torch.get_rng_state()) else "changed"
    if watch is not None and watch.largest is not None:
        out.probes["largest product"] = list(watch.largest)
    out.seconds = time.perf_counter() - start
    out.output, out.output_size = writer.text(), writer.size
    if monitor:
        out.forbidden = monitor.take()
        if monitor.uses:
            out.probes["used"] = monitor.take_used()
    if tracer:
        out.probes["path"] = tracer.lines[:100_000]
    if out.error is None:
        out.result = _safe_snapshot(results[0] if call.repeat == 1 else tuple(results), tensors, out.facts)
    out.args = [_safe_snapshot(a, [], {}) if type(a) is torch.Tensor or _is_frame(a) else None for a in args]
    out.grads = [_safe_snapshot(a.grad, [], {}) if type(a) is torch.Tensor and a.grad is not None else None
                 for a in args]
    bumped = {i: a._version != v for (i, a), v in zip(tensors, versions)}
    out.bumped = [bumped.get(i) for i in range(len(args))]
    for name in call.probes:
        if name == "again" and out.error is None:
            out.probes[name] = _call_fresh(func, call)
        elif name.startswith("relation:"):  # also when the call raised: `result is None or ...`
            live = None if out.error else results[0] if call.repeat == 1 else tuple(results)
            out.probes[verdict_key(name)] = _relation(name, namespace if out.error is None else None, call, live,
                                                      args, out.facts)
        elif name.split(":")[0] in ("gradcheck", "numeric_grad"):
            out.probes[name] = _run_probe(name, namespace, func, call)
    return out


def _product_watch(probes):
    from .products import ProductWatch

    limit = next((int(p.split(":")[1]) for p in probes if p.startswith("max_product:")), None)
    return None if limit is None else ProductWatch(limit)


def _call_fresh(func: Callable, call: Call, live: bool = False):
    """A function (the one called, again, or another of the file) called on fresh inputs
    from the same recipe (an equally seeded generator), the global generator reseeded
    differently first and restored after: ("returned", value) or ("raised", what). The
    value is sent as data, or kept as the object itself (`live`) for a relation to read."""
    state = torch.get_rng_state()
    try:
        torch.default_generator.manual_seed(call.recipe["seed"] ^ 0xA6A1)
        args, kwargs = recipes.make(call.recipe)
        saved = sys.stdout, sys.stderr
        sys.stdout = sys.stderr = _CappedWriter()
        try:
            value = func(*args, **kwargs)
        finally:
            sys.stdout, sys.stderr = saved
        return ("returned", value if live else _safe_snapshot(value, [], {}))
    except BaseException as exc:
        return ("raised", _said(exc))
    finally:
        torch.set_rng_state(state)


def relation_probe(expr: str, rtol=None, atol=None, also=()) -> str:
    """The probe that has the child judge a course's relation on the objects themselves."""
    return "relation:" + json.dumps({"expr": expr, "rtol": rtol, "atol": atol, "also": list(also)}, sort_keys=True)


def verdict_key(probe: str) -> str:
    """Where a relation's verdict is sent: a short name, whatever the expression's length."""
    return "relation " + hashlib.blake2b(probe.encode(), digest_size=8).hexdigest()


def _relation(probe: str, namespace, call: Call, result, args: list, facts: dict) -> str:
    """A relation over the call's own objects (the result as returned: its strides, its
    identity): "holds", "fails", or "cannot: <why>". The expression is the course's.
    `namespace` None: the call raised, and no other function is called for `also`."""
    spec = json.loads(probe[len("relation:"):])
    expr = spec["expr"]

    def close(a, b):
        a, b = torch.as_tensor(a), torch.as_tensor(b)
        if a.shape != b.shape:
            return False
        from torch.testing._comparison import default_tolerances

        rtol, atol = spec["rtol"], spec["atol"]
        if rtol is None or atol is None:  # as the value check does: torch's defaults for the dtypes
            default_rtol, default_atol = default_tolerances(a, b)
            rtol, atol = default_rtol if rtol is None else rtol, default_atol if atol is None else atol
        dtype = torch.promote_types(a.dtype, b.dtype)
        if not (dtype.is_floating_point or dtype.is_complex):
            return torch.equal(a.to(dtype), b.to(dtype))
        return bool(torch.isclose(a.to(dtype), b.to(dtype), rtol=rtol, atol=atol).all())

    def also(name):
        other = getattr(namespace, name, None) if namespace is not None else None
        made = _call_fresh(other, call, live=True) if callable(other) else ("raised", "no such function")
        return made[1] if made[0] == "returned" else None

    saved = sys.stdout, sys.stderr
    sys.stdout = sys.stderr = _CappedWriter()  # what the student's code prints meanwhile goes nowhere
    try:
        names = {"result": result, "args": args, "torch": torch, "math": math, "close": close,
                 "grads": [a.grad if isinstance(a, torch.Tensor) else None for a in args],
                 "requires_grad": {path: f.requires_grad for path, f in facts.items()},
                 "inputs": recipes.make(call.recipe)[0] if "inputs" in expr else None,
                 "also": {name: also(name) for name in spec["also"]}}
        return "holds" if eval(expr, names) else "fails"
    except BaseException as exc:
        return "cannot: " + _said(exc)
    finally:
        sys.stdout, sys.stderr = saved


def _probe_gradcheck(namespace, func: Callable, call: Call):
    args, _ = recipes.make(call.recipe)
    args = [a.detach().double().requires_grad_(True) if isinstance(a, torch.Tensor) else a for a in args]
    try:
        torch.autograd.gradcheck(func, tuple(args), eps=1e-6, atol=1e-4, raise_exception=True)
        return "ok"
    except BaseException as exc:
        return _said(exc)


def numeric_grad(func: Callable, a: torch.Tensor, eps: float = 1e-6) -> torch.Tensor:
    """Central-difference derivative of sum(func(a)) with respect to every element of a."""
    a = a.detach().double()
    grad = torch.zeros_like(a)
    flat = grad.view(-1)
    with torch.no_grad():
        for i in range(a.numel()):
            step = torch.zeros_like(a).view(-1)
            step[i] = eps
            step = step.view_as(a)
            flat[i] = (func(a + step).sum() - func(a - step).sum()) / (2 * eps)
    return grad


def _probe_numeric_grad(namespace, func, call: Call, of: str):
    other = getattr(namespace, of, None)
    if not callable(other):
        return f"your file defines no function `{of}`"
    args, _ = recipes.make(call.recipe)
    try:
        return _safe_snapshot(numeric_grad(other, args[0]), [], {})
    except BaseException as exc:
        return _said(exc)


def _said(exc: BaseException) -> str:
    info = error_info(exc, None)
    return f"{info.type}: {info.message}"[:1000]


def _run_probe(name: str, namespace, func: Callable, call: Call):
    kind, _, of = name.partition(":")
    if kind == "gradcheck":
        return _probe_gradcheck(namespace, func, call)
    return _probe_numeric_grad(namespace, func, call, of)
