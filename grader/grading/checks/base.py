"""What every check kind is made of, and the helpers they share.

A kind is one class: the options its YAML takes, what it needs observed in the child
(probes, and calls for the child's monitor), whether it is judged against the reference,
and how it judges. A case check looks at one call: the student's Outcome against the
reference's (or, when looking for a known mistake, against that mistake's), and returns
None when it passes, else a Problem saying what is wrong in the student's terms. A
function check looks at all of a function's calls and its source.

Importable without torch: `tutor list` and `show` validate exercises through these
classes. A judge that needs torch (or `compare`, which imports it) imports it inside.
"""
from __future__ import annotations

import ast
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

from ...messages.feedback import said
from ...messages.text import Text

if TYPE_CHECKING:
    from ...course.model import CheckSpec, Function
    from ...sandbox.inside.observe import Outcome
    from ..compare import Mismatch


@dataclass(frozen=True)
class Option:
    """One option a kind accepts in YAML: its type, whether it must be given, whether it is
    a Python expression (parsed at load), and what the authoring docs add about it."""

    type: type
    required: bool = False
    expr: bool = False
    note: str = ""


TOLERANCES = {"rtol": Option(float), "atol": Option(float)}


class Check:
    """A check kind. Subclasses set the class attributes and override what they need."""

    name: ClassVar[str]
    scope: ClassVar[str] = "case"  # "case": run on every case; "function": once per function
    description: ClassVar[str]  # the authoring docs' "passes when"
    options: ClassVar[dict[str, Option]] = {}
    # Judged against the reference: a known mistake is recognised by passing it against the mistake's outcome.
    comparative: ClassVar[bool] = False
    # Judged by a verdict (a random result): a known mistake is recognised by failing alike (Problem.signature).
    by_verdict: ClassVar[bool] = False
    judges_writes: ClassVar[bool] = False  # it judges writes to the inputs, so the default `untouched` does not
    explains_errors: ClassVar[bool] = False  # its watch may be why a call raised: asked first when one does
    covers: ClassVar[Text | None] = None  # a function check: what its row of the report checks
    # Modules its probe imports in the child on first use: the sandbox's server imports them
    # once instead (see cases.child_modules).
    imports: ClassVar[tuple[str, ...]] = ()

    def functions_named(self, options: dict) -> list[tuple[tuple, str]]:
        """The exercise's functions this check's options name, each with where it is named
        (the path below the check's options, for the YAML line of an error)."""
        return []

    def probes(self, options: dict) -> list[str]:
        """What the child must observe beyond the call itself (see observe.run_call)."""
        return []

    def monitor(self, options: dict) -> dict[str, list]:
        """What the child's monitor watches for this check: {"calls", "allow", "uses"} lists."""
        return {}

    def expects_error(self, options: dict) -> bool:
        """Whether the reference may raise on the cases this check judges."""
        return False

    def judge(self, spec: CheckSpec, ctx) -> Problem | None:
        raise NotImplementedError


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
    case: Any = None  # the grading.Case, whose inputs `statistic` may read
    _inputs: list | None = None

    @property
    def inputs(self) -> list:
        """The case's arguments as the grader makes them (never the student's copies)."""
        if self._inputs is None:
            self._inputs = self.case.make()[0] if self.case is not None else []
        return self._inputs

    def param(self, i: int) -> str:
        return self.fn.params[i] if i < len(self.fn.params) else f"argument {i + 1}"


@dataclass
class FunctionContext:
    fn: Function
    source: str
    outcomes: list[Outcome]


def where(path: str) -> Text:
    return said("result at", path=path)


def mismatch(m: Mismatch, what: Text | str | None = None) -> Problem:
    what = said("result") if what is None else what
    return Problem(said("located", what=what, path=m.path, message=m.text), m.details, tensors=m.tensors)


def describe_error(out: Outcome) -> Text:
    e = out.error
    at = said("at cell", cell=e.cell, line=e.line) if e.cell else said("at line", line=e.line) if e.line else ""
    return said("raised", type=e.type, message=e.message, at=at) if e.message else said("raised bare", type=e.type, at=at)


def raised(out: Outcome) -> Problem:
    """The call raised where the reference did not: nothing else about it can be judged."""
    return Problem(said("your code", what=describe_error(out)), line=out.error.line)


def returned(probe):
    """What a call made for a probe returned; None if it raised or was not made."""
    return probe[1] if isinstance(probe, tuple) and len(probe) == 2 and probe[0] == "returned" else None


def not_checkable(message: Text, error: str, signature: str | None = None) -> Problem:
    return Problem(message, [said("not checkable", error=error)], signature=signature)


def tensor_lists(spec: CheckSpec, ctx: CaseContext, expected: list, actual: list, what: str) -> Problem | None:
    """Per argument, the reference's tensor (its .grad, or its value after the call) against the student's."""
    from ..compare import compare

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
            return mismatch(found, f"{name}.{what}" if what else name)
    return None


def definition(ctx: FunctionContext):
    """The module's syntax tree, and the function's top-level `def` in it (None if absent)."""
    tree = ast.parse(ctx.source)
    node = next((n for n in tree.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))
                 and n.name == ctx.fn.name), None)
    return tree, node


def missing(ctx: FunctionContext) -> Problem:
    # A function defined some other way (assigned, imported) cannot be checked from its source.
    return Problem(said("no def", name=ctx.fn.name))
