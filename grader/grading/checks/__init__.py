"""The check kinds, one class a module, collected by name.

`course.model` asks this registry to validate a check's options (without torch); grading
asks it what each check needs observed in the child, and how it judges.
"""
from __future__ import annotations

from .base import Check, Option
from .control_flow import ControlFlow
from .distribution import Distribution
from .forbidden import Forbidden
from .generator import Generator
from .grad import Grad
from .gradcheck import Gradcheck
from .inputs import Inputs
from .max_product import MaxProduct
from .memory import Memory
from .numeric_grad import NumericGrad
from .relation import Relation
from .requires_grad import RequiresGrad
from .source import Source
from .statistic import Statistic
from .uses import Uses
from .value import Value

KINDS: dict[str, Check] = {c.name: c() for c in (
    Value, Grad, Inputs, Memory, RequiresGrad, Relation, Distribution, Forbidden, Uses, Gradcheck, NumericGrad,
    Generator, Statistic, MaxProduct, Source, ControlFlow)}  # in the order the authoring docs list them


def table() -> str:
    """The authoring docs' table of check kinds, from the classes."""
    rows = ["| kind | scope | passes when | options |", "|---|---|---|---|"]
    for check in KINDS.values():
        options = ", ".join(f"`{name}`" + (f" ({o.note})" if o.note else "") for name, o in check.options.items())
        rows.append(f"| `{check.name}` | {check.scope} | {check.description} | {options or '—'} |")
    return "\n".join(rows) + "\n"


__all__ = ["KINDS", "Check", "Option", "table"]
