"""`numeric_grad`: the result equals a finite-difference derivative of the student's own `of`."""
from __future__ import annotations

from ...messages.feedback import said
from ...messages.text import Text
from .base import TOLERANCES, Check, Option, Problem, describe_error, mismatch


class NumericGrad(Check):
    name = "numeric_grad"
    description = ("the result equals the central-difference derivative of `sum(of(a))` computed from the "
                   "student's own function `of`")
    options = {"of": Option(str, required=True), **TOLERANCES}

    def functions_named(self, options):
        return [(("of",), options["of"])]

    def probes(self, options):
        return [f"numeric_grad:{options['of']}"]

    def judge(self, spec, ctx):
        import torch

        from ..compare import compare

        of = spec.options["of"]
        numeric = ctx.student.probes.get(f"numeric_grad:{of}")
        if not isinstance(numeric, torch.Tensor):
            return Problem(said("no numeric grad", of=of), [Text.same(str(numeric))])
        if ctx.student.error:
            return Problem(said("your code", what=describe_error(ctx.student)))
        found = compare(numeric, ctx.student.result, rtol=spec.options.get("rtol", 1e-4),
                        atol=spec.options.get("atol", 1e-5), dtype=False)
        if found:
            return mismatch(found, said("against numeric", of=of))
        return None
