"""`grad`: the .grad left on each tensor argument equals the reference's."""
from __future__ import annotations

from .base import TOLERANCES, Check, tensor_lists


class Grad(Check):
    name = "grad"
    description = "each tensor argument's `.grad` equals the reference's (None where it is None)"
    options = dict(TOLERANCES)
    comparative = True

    def judge(self, spec, ctx):
        return tensor_lists(spec, ctx, ctx.reference.grads, ctx.student.grads, "grad")
