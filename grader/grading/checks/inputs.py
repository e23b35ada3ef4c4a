"""`inputs`: the arguments' values after the call equal the reference's (in-place writes)."""
from __future__ import annotations

from ...messages.feedback import said
from .base import TOLERANCES, Check, tensor_lists


class Inputs(Check):
    name = "inputs"
    description = "each tensor argument's values after the call equal the reference's"
    options = dict(TOLERANCES)
    comparative = True
    judges_writes = True

    def judge(self, spec, ctx):
        found = tensor_lists(spec, ctx, ctx.reference.args, ctx.student.args, "")
        if found:
            found.text = said("after the call", problem=found.text)
        return found
