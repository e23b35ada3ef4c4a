"""`forbidden`: none of the listed calls happens while the function runs."""
from __future__ import annotations

from ...messages.feedback import said
from .base import Check, Option, Problem


class Forbidden(Check):
    name = "forbidden"
    description = ("none of `calls` happens while the function runs. `torch.NAME` (torch function or Tensor "
                   "method; `torch.*` any), `aten.NAME` (any route to the operator; `aten.*` any), `math.`, "
                   "`cmath.`, `numpy.NAME` (wrapped before import, so `from math import cos` is caught); aten "
                   "calls made by autograd's backward of a node in `allow_in_backward` (e.g. `SinBackward0`) "
                   "are allowed")
    options = {"calls": Option(list, required=True), "allow_in_backward": Option(list)}

    def monitor(self, options):
        return {"calls": list(options["calls"]), "allow": list(options.get("allow_in_backward", []))}

    def judge(self, spec, ctx):
        calls = ctx.student.forbidden
        if calls:
            return Problem(said("forbidden", listed=", ".join(f"`{c}`" for c in calls)))
        return None
