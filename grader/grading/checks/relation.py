"""`relation`: a Python expression over the student's own outcome holds.

It is judged in the child, on the objects the call returned (so `result.is_contiguous()`
or `result is args[0]` mean what they say); only the verdict comes back, as data.
"""
from __future__ import annotations

from ...messages.text import Text
from .base import TOLERANCES, Check, Option, Problem, not_checkable


class Relation(Check):
    name = "relation"
    description = ("`expr` is true of the student's own outcome, judged in the sandbox on the objects themselves "
                   "(so `result.is_contiguous()` or `result is args[0]` can fail); names: `result`, `args` (after "
                   "the call), `grads`, `requires_grad` (by result path, e.g. `\"[1]\"`), `inputs` (the case's "
                   "arguments, made afresh), `also` (by name, what each function listed in `also` of the student's "
                   "file returns on the same inputs, None if it raised), `close(a, b)`, `torch`, `math`")
    options = {"expr": Option(str, required=True, expr=True), "message": Option(Text, required=True),
               **TOLERANCES, "also": Option(list)}

    def functions_named(self, options):
        return [(("also", n), name) for n, name in enumerate(options.get("also", []))]

    def probes(self, options):
        return [_probe(options)]

    def judge(self, spec, ctx):
        from ...sandbox.inside.observe import verdict_key

        message = spec.options["message"]
        verdict = ctx.student.probes.get(verdict_key(_probe(spec.options)))
        if verdict == "holds":
            return None
        if verdict == "fails":
            return Problem(message)
        if isinstance(verdict, str) and verdict.startswith("cannot: "):
            return not_checkable(message, verdict[len("cannot: "):])
        return not_checkable(message, "no verdict was sent")


def _probe(options: dict) -> str:
    from ...sandbox.inside.observe import relation_probe

    return relation_probe(options["expr"], options.get("rtol"), options.get("atol"), options.get("also", []))
