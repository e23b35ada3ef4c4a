"""The check kinds named in `grader.model.CHECK_KINDS`, as functions.

A case check looks at one call: the student's Outcome against the reference's (or,
when looking for a known mistake, against that mistake's). It returns None when the
check passes, else a Problem saying what is wrong in the student's terms. A function
check looks at all of a function's calls and its source.
"""
from __future__ import annotations

import ast
import math
import re
from dataclasses import dataclass, field
from typing import Any, Callable

import torch

from .compare import Mismatch, compare, kind_of
from ..messages.feedback import said
from ..sandbox.inside.observe import Frame, Outcome
from ..course.model import CheckSpec, Function
from ..messages.text import Text


@dataclass
class Problem:
    text: Text  # what is wrong, in every language
    details: list[Text] = field(default_factory=list)
    hints: list[Text] = field(default_factory=list)
    kind: str = ""
    line: int | None = None  # the line of the student's file it points at, when known
    signature: str | None = None  # how a check judged by verdict failed: a known mistake failing alike is named
    tensors: tuple | None = None  # (expected, actual) tensors whose values differ

    @property
    def message(self) -> str:
        return self.text.en

    def says(self, lang: str) -> str:
        return self.text.get(lang)

    def details_in(self, lang: str) -> list[str]:
        return [d.get(lang) for d in self.details]


@dataclass
class CaseContext:
    fn: Function
    student: Outcome
    reference: Outcome
    strict_errors: bool = False  # matching a known mistake: the same error message, and NaN where it has NaN
    case: Any = None  # the grading.Case, whose inputs `relation` and `statistic` may read
    _inputs: list | None = None

    @property
    def inputs(self) -> list:
        """The case's arguments as the grader makes them (never the student's copies)."""
        if self._inputs is None:
            self._inputs = self.case.make()[0] if self.case is not None else []
        return self._inputs

    def param(self, i: int) -> str:
        return self.fn.params[i] if i < len(self.fn.params) else f"argument {i + 1}"


def _where(path: str) -> Text:
    return said("result at", path=path)


def _mismatch(m: Mismatch, what: Text | str | None = None) -> Problem:
    what = said("result") if what is None else what
    return Problem(said("located", what=what, path=m.path, message=m.text), m.details, tensors=m.tensors)


def describe_error(out: Outcome) -> Text:
    e = out.error
    at = said("at line", line=e.line) if e.line else ""
    return said("raised", type=e.type, message=e.message, at=at) if e.message else said("raised bare", type=e.type, at=at)


def check_value(spec: CheckSpec, ctx: CaseContext) -> Problem | None:
    ref, got, opts = ctx.reference, ctx.student, spec.options
    if ref.error:
        if got.error is None:
            return Problem(said("expected raise", type=ref.error.type, got=kind_of(got.result)))
        if got.error.type != ref.error.type:
            key = "expected exactly" if ref.error.type in got.error.bases else "expected error"
            return Problem(said(key, type=ref.error.type, what=describe_error(got)))
        pattern = opts.get("message")
        if ctx.strict_errors and got.error.message != ref.error.message:
            return Problem(said("different message"))
        if pattern and not re.search(pattern, got.error.message):
            return Problem(said("should mention", type=got.error.type, pattern=pattern, message=got.error.message))
        return None
    if got.error:
        return Problem(said("your code", what=describe_error(got)), line=got.error.line)
    for path, facts in got.facts.items():
        if facts.subclass:
            return Problem(said("subclass", where=_where(path), cls=facts.subclass))
    found = compare(ref.result, got.result, rtol=opts.get("rtol"), atol=opts.get("atol"),
                    equal_nan=opts.get("equal_nan", False) or ctx.strict_errors, dtype=opts.get("dtype", True))
    return _mismatch(found) if found else None


def _tensor_lists(spec: CheckSpec, ctx: CaseContext, expected: list, actual: list, what: str):
    for i, (e, a) in enumerate(zip(expected, actual)):
        if e is None and a is None:
            continue
        name = ctx.param(i)
        if e is None:
            return Problem(said("should be none", name=name, what=what))
        if a is None:
            if what == "grad":
                return Problem(said("grad none", name=name))
            return Problem(said("missing after", name=name))
        found = compare(e, a, rtol=spec.options.get("rtol"), atol=spec.options.get("atol"))
        if found:
            return _mismatch(found, f"{name}.{what}" if what else name)
    return None


def check_grad(spec, ctx):
    return _tensor_lists(spec, ctx, ctx.reference.grads, ctx.student.grads, "grad")


def check_inputs(spec, ctx):
    found = _tensor_lists(spec, ctx, ctx.reference.args, ctx.student.args, "")
    if found:
        found.text = said("after the call", problem=found.text)
    return found


def check_memory(spec, ctx):
    ref, got = ctx.reference, ctx.student
    for path, want in ref.facts.items():
        have = got.facts.get(path)
        if have is None:
            continue  # the value check reports a result of the wrong shape
        where = _where(path)
        written = want.same_memory is not None and ref.bumped[want.same_memory]
        if written and have.same_memory != want.same_memory:  # else a whole-tensor view: judged below
            name = ctx.param(want.same_memory)
            return Problem(said("should be itself", where=where, name=name))
        for i in want.shares:
            if i not in have.shares:
                name = ctx.param(i)
                return Problem(said("should share", where=where, name=name))
        if not want.shares and have.shares:
            name = ctx.param(have.shares[0])
            return Problem(said("shares", where=where, name=name))
        if have.same_object is not None and want.same_object is None:
            return Problem(said("is the argument", where=where, name=ctx.param(have.same_object)))
        if want.same_memory is not None and have.same_memory != want.same_memory:  # a view, laid out otherwise
            return Problem(said("other layout", where=where, name=ctx.param(want.same_memory)))
    for i, (want, have) in enumerate(zip(ref.bumped, got.bumped)):
        if want and not have:
            return Problem(said("not written", name=ctx.param(i)))
        if have and not want:
            return Problem(said("modified", name=ctx.param(i)))
    return None


def check_untouched(ctx: CaseContext) -> Problem | None:
    """The default for a case whose checks do not judge writes to the inputs (`inputs`,
    `memory`): no tensor argument the reference leaves alone is written, by its version
    counter or by its values (a write through `.data` or numpy counts no version)."""
    for i, written in enumerate(ctx.reference.bumped):
        want, have = ctx.reference.args[i], ctx.student.args[i]
        if written or want is None:
            continue
        if ctx.student.bumped[i] or (have is not None and compare(want, have, rtol=0.0, atol=0.0, equal_nan=True)):
            return Problem(said("modified frame" if isinstance(want, Frame) else "modified input", name=ctx.param(i)),
                           signature=f"modified {i}")
    return None


def check_requires_grad(spec, ctx):
    for path, want in ctx.reference.facts.items():
        have = ctx.student.facts.get(path)
        if have is not None and have.requires_grad != want.requires_grad:
            key = "should require grad" if want.requires_grad else "should not require grad"
            return Problem(said(key, where=_where(path)))
    return None


def check_relation(spec, ctx):
    got, opts = ctx.student, spec.options

    def close(a, b):
        return compare(torch.as_tensor(b), torch.as_tensor(a), rtol=opts.get("rtol"), atol=opts.get("atol"),
                       dtype=False) is None

    names = {"result": got.result, "args": got.args, "grads": got.grads, "torch": torch, "math": math,
             "close": close, "requires_grad": {p: f.requires_grad for p, f in got.facts.items()},
             "inputs": ctx.inputs if "inputs" in opts["expr"] else None,
             "also": {name: _returned(got.probes.get(f"also:{name}")) for name in opts.get("also", [])}}
    try:
        holds = bool(eval(opts["expr"], names))
    except Exception as exc:
        return Problem(opts["message"], [said("not checkable", error=f"{type(exc).__name__}: {exc}")])
    return None if holds else Problem(opts["message"])


def check_distribution(spec, ctx):
    ref, got, opts = ctx.reference.result, ctx.student.result, spec.options
    if not isinstance(got, torch.Tensor) or got.shape != ref.shape or got.dtype != ref.dtype:
        return Problem(said("expected got", expected=kind_of(ref), got=kind_of(got)))
    tol = opts.get("tol", 0.05)
    want_mean = opts.get("mean", ref.double().mean().item())
    want_std = opts.get("std", ref.double().std().item())
    mean, std = got.double().mean().item(), got.double().std().item()
    if abs(mean - want_mean) > tol or abs(std - want_std) > tol or math.isnan(mean + std):
        return Problem(said("samples", mean=mean, std=std, want_mean=want_mean, want_std=want_std, tol=tol))
    return None


def _returned(probe):
    """What a call made for a probe returned; None if it raised or was not made."""
    return probe[1] if isinstance(probe, tuple) and len(probe) == 2 and probe[0] == "returned" else None


def check_generator(spec, ctx):
    """The rules for a function that samples from the generator it is given: the global
    generator's state is untouched, and a second call with an equally seeded generator
    (the global one reseeded differently in between) returns an equal result."""
    got = ctx.student
    if got.error:
        return Problem(said("your code", what=describe_error(got)), line=got.error.line)
    if got.probes.get("rng") != "same":
        return Problem(said("global rng"), signature="global")
    again = got.probes.get("again")
    if _returned(again) is None and got.result is not None:
        why = str(again[1]) if isinstance(again, tuple) and len(again) == 2 else "no second call"
        return Problem(said("not reproducible"), [said("not checkable", error=why)], signature="again")
    found = compare(got.result, _returned(again), rtol=0.0, atol=0.0, equal_nan=True)
    if found:
        return Problem(said("not reproducible"), [found.text, *found.details], signature="again")
    return None


def check_statistic(spec, ctx):
    """A statistical relation of a random result, within a stated tolerance: `of` (over the
    result and the case's inputs) within `within` standard errors `se` (and/or `rtol` of
    `expected`) of `expected`. The result must first be of the reference's kind (type,
    shape, dtype): its values are never compared draw by draw."""
    got, opts = ctx.student, spec.options
    if got.error:
        return Problem(said("your code", what=describe_error(got)), line=got.error.line)
    if _form(ctx.reference.result) != _form(got.result):
        return Problem(said("expected got", expected=kind_of(ctx.reference.result), got=kind_of(got.result)),
                       signature=f"form {_form(got.result)}")
    names = {"result": got.result, "inputs": ctx.inputs, "torch": torch, "math": math}
    try:
        value = float(eval(opts["of"], dict(names)))
        expected = float(eval(opts["expected"], dict(names)))
        allowed = opts.get("within", 0.0) * float(eval(opts.get("se", "0"), dict(names))) \
            + opts.get("rtol", 0.0) * abs(expected)
    except Exception as exc:
        return Problem(opts["message"], [said("not checkable", error=f"{type(exc).__name__}: {exc}")], signature="error")
    if math.isnan(value) or abs(value - expected) > allowed:
        return Problem(said("statistic", what=opts["message"], value=value, expected=expected, allowed=allowed),
                       signature=f"{opts['of']} {'high' if value > expected else 'low'}")
    return None


def _form(v):
    """What a result is, without its values: types, and tensors' shapes and dtypes."""
    if isinstance(v, torch.Tensor):
        return ("tensor", str(v.dtype), tuple(v.shape))
    if isinstance(v, (tuple, list)):
        return (type(v).__name__, tuple(_form(x) for x in v))
    return type(v).__name__


def check_max_product(spec, ctx):
    """No matrix product whose result has more than `elements` elements was attempted (the
    watch stops it before its memory is taken)."""
    largest = ctx.student.probes.get("largest product")
    if isinstance(largest, list) and len(largest) == 3 and largest[0] * largest[2] > spec.options["elements"]:
        m, n, p = largest
        return Problem(said("product too large", m=m, n=n, p=p, size=m * p), signature="product")
    return None


def check_forbidden(spec, ctx):
    calls = ctx.student.forbidden
    if calls:
        listed = ", ".join(f"`{c}`" for c in calls)
        return Problem(said("forbidden", listed=listed))
    return None


def check_gradcheck(spec, ctx):
    verdict = ctx.student.probes.get("gradcheck")
    if verdict != "ok":
        return Problem(said("gradcheck"), [Text.same(str(verdict)[:500])])
    return None


def check_numeric_grad(spec, ctx):
    of = spec.options["of"]
    numeric = ctx.student.probes.get(f"numeric_grad:{of}")
    if not isinstance(numeric, torch.Tensor):
        return Problem(said("no numeric grad", of=of), [Text.same(str(numeric))])
    if ctx.student.error:
        return Problem(said("your code", what=describe_error(ctx.student)))
    found = compare(numeric, ctx.student.result, rtol=spec.options.get("rtol", 1e-4),
                    atol=spec.options.get("atol", 1e-5), dtype=False)
    if found:
        return _mismatch(found, said("against numeric", of=of))
    return None


CASE_CHECKS: dict[str, Callable[[CheckSpec, CaseContext], Problem | None]] = {
    "value": check_value,
    "grad": check_grad,
    "inputs": check_inputs,
    "memory": check_memory,
    "requires_grad": check_requires_grad,
    "relation": check_relation,
    "distribution": check_distribution,
    "forbidden": check_forbidden,
    "gradcheck": check_gradcheck,
    "numeric_grad": check_numeric_grad,
    "generator": check_generator,
    "statistic": check_statistic,
    "max_product": check_max_product,
}
# Checks judged against a reference; a known mistake can be recognised by passing one against it.
COMPARATIVE = {"value", "grad", "inputs", "memory", "requires_grad", "distribution"}
# Checks judged by a verdict, not against one outcome (a random result): a known mistake is
# recognised by failing the check the same way (the same Problem.signature).
BY_VERDICT = {"generator", "statistic", "max_product"}


# ---- whole-function checks -------------------------------------------------------------

@dataclass
class FunctionContext:
    fn: Function
    source: str
    outcomes: list[Outcome]


def _missing(ctx: FunctionContext) -> Problem:
    # A function defined some other way (assigned, imported) cannot be checked from its source.
    return Problem(said("no def", name=ctx.fn.name))


def _definition(ctx: FunctionContext):
    """The module's syntax tree, and the function's top-level `def` in it (None if absent)."""
    tree = ast.parse(ctx.source)
    node = next((n for n in tree.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))
                 and n.name == ctx.fn.name), None)
    return tree, node


def _aliases(tree: ast.Module) -> dict[str, str]:
    """Names bound by imports, mapped to every dotted part they stand for."""
    out = {}
    for node in ast.walk(tree):
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            for alias in node.names:
                out[alias.asname or alias.name.split(".")[0]] = f"{node.module or ''}.{alias.name}" if isinstance(node, ast.ImportFrom) else alias.name
    return out


def check_source(spec, ctx: FunctionContext):
    tree, node = _definition(ctx)
    if node is None:
        return _missing(ctx)
    banned = set(spec.options["names"])
    aliases = _aliases(tree)
    for sub in ast.walk(node):
        names = []
        if isinstance(sub, ast.Name):
            names = [sub.id, *aliases.get(sub.id, "").split(".")]
        elif isinstance(sub, ast.Attribute):
            names = [sub.attr]
        elif isinstance(sub, (ast.Import, ast.ImportFrom)):
            names = [part for a in sub.names for part in a.name.split(".")] + (getattr(sub, "module", None) or "").split(".")
        hit = banned.intersection(names)
        if hit:
            return Problem(spec.options["message"], [said("uses", line=sub.lineno, name=sorted(hit)[0])])
    return None


_SHAPE_ONLY = {"shape", "ndim", "dim", "size", "numel", "len", "dtype", "device", "requires_grad", "is_leaf",
               "range", "isinstance", "type"}


def _reads_values(test: ast.AST) -> bool:
    """Whether a condition can depend on tensor values, not only on shapes and constants."""
    for sub in ast.walk(test):
        if isinstance(sub, ast.Attribute) and sub.attr not in _SHAPE_ONLY:
            return True
        if isinstance(sub, ast.Call) and isinstance(sub.func, ast.Name) and sub.func.id not in _SHAPE_ONLY:
            return True
        if isinstance(sub, ast.Subscript) and not (  # a[0] > 0 reads a value; a.shape[0] does not
                isinstance(sub.value, ast.Attribute) and sub.value.attr in _SHAPE_ONLY):
            return True
        if isinstance(sub, ast.Compare) and any(isinstance(x, ast.Name) for x in [sub.left, *sub.comparators]):
            return True
    return False


def _called_here(tree: ast.Module, node: ast.AST) -> list[ast.AST]:
    """The function and every top-level function of the same file it calls, transitively
    (`def g(a): return helper(a, a.sum())` keeps its condition in `helper`)."""
    defs = {n.name: n for n in tree.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))}
    found, todo = [], [node]
    while todo:
        current = todo.pop()
        if current in found:
            continue
        found.append(current)
        todo += [defs[c.func.id] for c in ast.walk(current)
                 if isinstance(c, ast.Call) and isinstance(c.func, ast.Name) and c.func.id in defs]
    return found


def check_control_flow(spec, ctx: FunctionContext):
    tree, node = _definition(ctx)
    if node is None:
        return _missing(ctx)
    body = [n for f in _called_here(tree, node) for n in ast.walk(f)]
    conditions = [n for n in body if isinstance(n, (ast.If, ast.While, ast.IfExp)) and _reads_values(n.test)]
    conditions += [n for n in body if isinstance(n, ast.For) and _reads_values(n.iter)]
    if not conditions:
        return Problem(said("no condition", name=ctx.fn.name))
    paths = {tuple(o.probes.get("path", ())) for o in ctx.outcomes if o.error is None and o.failure is None}
    if len(paths) < 2:
        return Problem(said("same path", name=ctx.fn.name))
    return None


FUNCTION_CHECKS: dict[str, Callable[[CheckSpec, FunctionContext], Problem | None]] = {
    "source": check_source,
    "control_flow": check_control_flow,
}
