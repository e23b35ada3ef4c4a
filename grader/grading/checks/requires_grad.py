"""`requires_grad`: each returned tensor requires grad exactly when the reference's does."""
from __future__ import annotations

from ...messages.feedback import said
from .base import Check, Problem, where


class RequiresGrad(Check):
    name = "requires_grad"
    description = "each returned tensor requires grad exactly when the reference's does"
    comparative = True

    def judge(self, spec, ctx):
        for path, want in ctx.reference.facts.items():
            have = ctx.student.facts.get(path)
            if have is not None and have.requires_grad != want.requires_grad:
                key = "should require grad" if want.requires_grad else "should not require grad"
                return Problem(said(key, where=where(path)))
        return None
