"""`source`: the function's source never uses any of `names`."""
from __future__ import annotations

import ast

from ...messages.feedback import said
from ...messages.text import Text
from .base import Check, Option, Problem, definition, missing


class Source(Check):
    name = "source"
    scope = "function"
    description = ("the function's syntax tree never uses any of `names` (directly, by attribute, or through an "
                   "import alias)")
    options = {"names": Option(list, required=True), "message": Option(Text, required=True)}
    covers = said("checks source")

    def judge(self, spec, ctx):
        tree, node = definition(ctx)
        if node is None:
            return missing(ctx)
        banned = set(spec.options["names"])
        aliases = _aliases(tree)
        for sub in ast.walk(node):
            names = []
            if isinstance(sub, ast.Name):
                names = [sub.id, *aliases.get(sub.id, "").split(".")]
            elif isinstance(sub, ast.Attribute):
                names = [sub.attr]
            elif isinstance(sub, (ast.Import, ast.ImportFrom)):
                names = [part for a in sub.names for part in a.name.split(".")] \
                    + (getattr(sub, "module", None) or "").split(".")
            hit = banned.intersection(names)
            if hit:
                return Problem(spec.options["message"], [said("uses", line=sub.lineno, name=sorted(hit)[0])])
        return None


def _aliases(tree: ast.Module) -> dict[str, str]:
    """Names bound by imports, mapped to every dotted part they stand for."""
    out = {}
    for node in ast.walk(tree):
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            for alias in node.names:
                out[alias.asname or alias.name.split(".")[0]] = \
                    f"{node.module or ''}.{alias.name}" if isinstance(node, ast.ImportFrom) else alias.name
    return out
