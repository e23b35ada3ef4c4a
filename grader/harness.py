"""Call one function on one case and record everything the checks need, as plain data.

The same code observes the student (inside the sandboxed child) and the reference and
known mistakes (in the grader), so both sides are described in the same terms. An
Outcome holds no live objects of the code under test: tensors are detached copies,
other objects become an `Opaque` description.
"""
from __future__ import annotations

import contextlib
import importlib.util
import io
import sys
import time
import types
from dataclasses import dataclass, field
from typing import Any, Callable

import torch

from .cases import Case
from .model import Function
from .text import Text

OUTPUT_KEEP = 8 * 1024  # characters of a call's printed output kept for the report
OUTPUT_LIMIT = 64 * 1024  # printing more than this in one call fails the case


@dataclass(frozen=True)
class Opaque:
    """An object we do not compare by value: its type and a short repr."""

    type: str
    text: str


@dataclass
class ErrorInfo:
    type: str  # qualified name, e.g. "RuntimeError" or "torch.OutOfMemoryError"
    bases: list[str]  # the qualified names of its classes, most derived first
    message: str
    line: int | None = None  # line in the student's file where it surfaced, if known


@dataclass
class TensorFacts:
    requires_grad: bool = False
    shares: tuple[int, ...] = ()  # arguments whose storage this result shares
    same_memory: int | None = None  # argument whose very memory (pointer and shape) this is
    subclass: str | None = None  # a tensor subclass's name, if one came back


@dataclass
class Outcome:
    result: Any = None
    error: ErrorInfo | None = None
    failure: str | None = None  # the call could not be made or finish: missing function, timeout, crash
    missing: bool = False  # the failure is a function the file does not define (a wrong answer, not a crash)
    failure_text: Text | None = None  # the failure in every language, when the grader's side saw it
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
    """Import a Python file as module `name` (registered, so dataclasses and pickle inside it
    work); from `source` when given, the file's text read earlier."""
    if source is None:
        spec = importlib.util.spec_from_file_location(name, path)
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
        return module
    module = types.ModuleType(name)
    module.__file__ = str(path)
    sys.modules[name] = module
    exec(compile(source, str(path), "exec"), module.__dict__)
    return module


def qualname(cls: type) -> str:
    mod = cls.__module__
    return cls.__qualname__ if mod == "builtins" else f"{mod}.{cls.__qualname__}"


def error_info(exc: BaseException, filename: str | None) -> ErrorInfo:
    line = None
    tb = exc.__traceback__
    while tb is not None:  # innermost frame in the student's file
        if filename and tb.tb_frame.f_code.co_filename == filename:
            line = tb.tb_lineno
        tb = tb.tb_next
    try:
        message = exc.msg if isinstance(exc, SyntaxError) else str(exc)
    except BaseException:  # a hostile __str__
        message = "<the exception's message could not be read>"
    if isinstance(exc, SyntaxError) and filename and exc.filename == filename:
        line = exc.lineno
    return ErrorInfo(qualname(type(exc)), [qualname(c) for c in type(exc).__mro__], message[:2000], line)


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


def _storage_ptr(t: torch.Tensor) -> int:
    return t.untyped_storage().data_ptr()


def snapshot(value, arg_tensors: list, path: str = "", facts: dict | None = None):
    """Copy `value` into plain data, recording facts about each returned tensor."""
    facts = {} if facts is None else facts
    if isinstance(value, torch.Tensor):
        plain = torch.Tensor.as_subclass(value, torch.Tensor).detach()
        info = TensorFacts(requires_grad=bool(value.requires_grad))
        if type(value) is not torch.Tensor and type(value) is not torch.nn.Parameter:
            info.subclass = qualname(type(value))
        if plain.layout == torch.strided and plain.device.type == "cpu":
            ptr = _storage_ptr(plain)
            info.shares = tuple(i for i, a in arg_tensors if ptr and _storage_ptr(a) == ptr)
            info.same_memory = next((i for i, a in arg_tensors
                                     if a.data_ptr() == plain.data_ptr() and a.shape == plain.shape
                                     and a.stride() == plain.stride()), None)
        facts[path] = info
        return plain.clone().contiguous()
    if type(value).__module__ == "numpy" and type(value).__name__ == "ndarray":
        import numpy as np

        facts[path] = TensorFacts(shares=tuple(
            i for i, a in arg_tensors if np.shares_memory(value, a.detach().numpy())))
        return np.array(value, copy=True)
    if value is None or type(value) in (bool, int, float, complex, str):
        return value
    if isinstance(value, tuple):  # torch.Size and namedtuples count as tuples
        return tuple(snapshot(v, arg_tensors, f"{path}[{i}]", facts) for i, v in enumerate(value))
    if type(value) is list:
        return [snapshot(v, arg_tensors, f"{path}[{i}]", facts) for i, v in enumerate(value)]
    try:
        text = repr(value)[:200]
    except BaseException:
        text = "<unprintable>"
    return Opaque(qualname(type(value)), text)


def _tensor_args(args: list) -> list[tuple[int, torch.Tensor]]:
    return [(i, a) for i, a in enumerate(args) if isinstance(a, torch.Tensor)]


class _PathTracer:
    """Records the bytecode a function executes, to see which way its conditions went.

    Opcodes, not lines: both branches of `x if cond else y` sit on one line.
    """

    def __init__(self, code):
        self.code, self.lines = code, []

    def __call__(self, frame, event, arg):
        if frame.f_code is not self.code:
            return None
        frame.f_trace_opcodes = True
        if event == "opcode":
            self.lines.append(frame.f_lasti)
        return self


def run_call(namespace, fn: Function, case: Case, *, monitor=None, filename: str | None = None,
             probes: tuple = (), made: tuple[list, dict] | None = None) -> Outcome:
    """Call `fn` from `namespace` on `case` (on `made`, its inputs, when the caller has made
    them already); never raises for anything the code under test does."""
    func = getattr(namespace, fn.name, None)
    if not callable(func):
        return Outcome(failure=f"your file defines no function `{fn.name}`", missing=True)
    args, kwargs = made or case.make()
    tensors = _tensor_args(args)
    versions = [a._version for _, a in tensors]
    out = Outcome()
    writer = _CappedWriter()
    saved = sys.stdout, sys.stderr
    tracer = _PathTracer(getattr(func, "__code__", None)) if "path" in probes else None
    results = []
    start = time.perf_counter()
    sys.stdout = sys.stderr = writer
    try:
        if tracer:
            sys.settrace(tracer)
        with monitor.watching() if monitor else contextlib.nullcontext():
            for _ in range(case.spec.repeat):
                results.append(func(*args, **kwargs))
    except BaseException as exc:  # SystemExit and KeyboardInterrupt are answers too
        out.error = error_info(exc, filename)
    finally:
        if tracer:
            sys.settrace(None)
        sys.stdout, sys.stderr = saved
    out.seconds = time.perf_counter() - start
    out.output, out.output_size = writer.text(), writer.size
    if monitor:
        out.forbidden = monitor.take()
    if tracer:
        out.probes["path"] = tracer.lines
    if out.error is None:
        value = results[0] if case.spec.repeat == 1 else tuple(results)
        out.result = snapshot(value, tensors, "", out.facts)
    out.args = [snapshot(a, []) if isinstance(a, torch.Tensor) else None for a in args]
    out.grads = [snapshot(a.grad, []) if isinstance(a, torch.Tensor) and a.grad is not None else None
                 for a in args]
    bumped = {i: a._version != v for (i, a), v in zip(tensors, versions)}
    out.bumped = [bumped.get(i) for i in range(len(args))]
    for name in probes:
        if name != "path":
            out.probes[name] = _run_probe(name, namespace, func, case)
    return out


def _probe_gradcheck(namespace, func: Callable, case: Case):
    args, _ = case.make()
    args = [a.detach().double().requires_grad_(True) if isinstance(a, torch.Tensor) else a for a in args]
    try:
        torch.autograd.gradcheck(func, tuple(args), eps=1e-6, atol=1e-4, raise_exception=True)
        return "ok"
    except BaseException as exc:
        return f"{type(exc).__name__}: {exc}"[:1000]


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


def _probe_numeric_grad(namespace, func, case: Case, of: str):
    other = getattr(namespace, of, None)
    if not callable(other):
        return f"your file defines no function `{of}`"
    args, _ = case.make()
    try:
        return numeric_grad(other, args[0])
    except BaseException as exc:
        return f"{type(exc).__name__}: {exc}"[:1000]


def _run_probe(name: str, namespace, func: Callable, case: Case):
    kind, _, of = name.partition(":")
    if kind == "gradcheck":
        return _probe_gradcheck(namespace, func, case)
    return _probe_numeric_grad(namespace, func, case, of)


def probes_for(fn: Function) -> tuple[str, ...]:
    """What extra observations a function's checks need beyond the call itself."""
    names = []
    for check in fn.all_checks():
        if check.kind == "gradcheck":
            names.append("gradcheck")
        elif check.kind == "numeric_grad":
            names.append(f"numeric_grad:{check.options['of']}")
        elif check.kind == "control_flow":
            names.append("path")
    return tuple(dict.fromkeys(names))
