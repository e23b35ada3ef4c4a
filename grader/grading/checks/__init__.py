"""The check kinds, one class a module, collected by name from the modules of this package
(adding a kind is adding its module).

`course.model` asks this registry to validate a check's options (without torch); grading
asks it what each check needs observed in the child, and how it judges.
"""
from __future__ import annotations

import importlib
import pkgutil

from .base import Check, Option


def _collect() -> dict[str, Check]:
    kinds = []
    for module in pkgutil.iter_modules(__path__):
        found = importlib.import_module(f"{__name__}.{module.name}")
        kinds += [c for c in vars(found).values()
                  if isinstance(c, type) and issubclass(c, Check) and c is not Check and c.__module__ == found.__name__]
    kinds.sort(key=lambda c: (c.scope != "case", c.name != "value", c.name))  # as the docs list them
    return {c.name: c() for c in kinds}


KINDS: dict[str, Check] = _collect()


def table() -> str:
    """The authoring docs' table of check kinds, from the classes."""
    rows = ["| kind | scope | passes when | options |", "|---|---|---|---|"]
    for check in KINDS.values():
        options = ", ".join(f"`{name}`" + (f" ({o.note})" if o.note else "") for name, o in check.options.items())
        rows.append(f"| `{check.name}` | {check.scope} | {check.description} | {options or '—'} |")
    return "\n".join(rows) + "\n"


__all__ = ["KINDS", "Check", "Option", "table"]
