"""`gradcheck`: torch.autograd.gradcheck passes for the function on the case's inputs."""
from __future__ import annotations

from ...messages.feedback import said
from ...messages.text import Text
from .base import Check, Problem


class Gradcheck(Check):
    name = "gradcheck"
    description = "`torch.autograd.gradcheck` passes on the function with the case's inputs in float64"
    imports = ("torch.fx.experimental.symbolic_shapes",)  # gradcheck's first call imports it, and sympy

    def probes(self, options):
        return ["gradcheck"]

    def judge(self, spec, ctx):
        verdict = ctx.student.probes.get("gradcheck")
        if verdict != "ok":
            return Problem(said("gradcheck"), [Text.same(str(verdict)[:500])])
        return None
