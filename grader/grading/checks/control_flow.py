"""`control_flow`: a condition on tensor values, taking different paths across the cases."""
from __future__ import annotations

import ast

from ...messages.feedback import said
from .base import Check, Problem, definition, missing

_SHAPE_ONLY = {"shape", "ndim", "dim", "size", "numel", "len", "dtype", "device", "requires_grad", "is_leaf",
               "range", "isinstance", "type"}


class ControlFlow(Check):
    name = "control_flow"
    scope = "function"
    description = ("the function has an `if`/`while`/`for` whose condition reads tensor values, and its executed "
                   "path differs across the cases")
    covers = said("checks control_flow")

    def probes(self, options):
        return ["path"]

    def judge(self, spec, ctx):
        tree, node = definition(ctx)
        if node is None:
            return missing(ctx)
        body = [n for f in _called_here(tree, node) for n in ast.walk(f)]
        conditions = [n for n in body if isinstance(n, (ast.If, ast.While, ast.IfExp)) and _reads_values(n.test)]
        conditions += [n for n in body if isinstance(n, ast.For) and _reads_values(n.iter)]
        if not conditions:
            return Problem(said("no condition", name=ctx.fn.name))
        paths = {tuple(o.probes.get("path", ())) for o in ctx.outcomes if o.error is None and o.failure is None}
        if len(paths) < 2:
            return Problem(said("same path", name=ctx.fn.name))
        return None


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
