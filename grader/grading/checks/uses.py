"""`uses`: the function calls each named callable while it runs (an API the exercise is about)."""
from __future__ import annotations

from ...messages.text import Text
from .base import Check, Option, Problem

# Said when a required call was not made; `listed`: the calls, each in backquotes.
NOT_CALLED = Text("did not call {listed} while running; this exercise asks you to compute it that way",
                  "运行时没有调用 {listed}；这个练习要求你用它来计算")


class Uses(Check):
    name = "uses"
    description = ("each of `calls` is called while the function runs, so an answer that returns the right "
                   "values some other way fails. Names as for `forbidden` (`torch.NAME`, `aten.NAME`, `math.NAME`, "
                   "`numpy.NAME`), and functions of their submodules, wrapped before import (`torch.autograd.grad`)")
    options = {"calls": Option(list, required=True)}

    def monitor(self, options):
        return {"uses": list(options["calls"])}

    def judge(self, spec, ctx):
        used = ctx.student.probes.get("used")
        used = used if isinstance(used, list) else []
        absent = [call for call in spec.options["calls"] if call not in used]
        if absent:
            return Problem(NOT_CALLED.format(listed=Text.joined([f"`{c}`" for c in absent])))
        return None
