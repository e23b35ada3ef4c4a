"""`generator`: a function that samples from the generator it is given, and only from it."""
from __future__ import annotations

from ...messages.feedback import said
from .base import Check, Problem, not_checkable, raised, returned


class Generator(Check):
    name = "generator"
    description = ("a function that samples from the `generator` it is given: the global generator's state "
                   "(`torch.get_rng_state()`) is the same after the call, and a second call with an equally seeded "
                   "generator, the global one reseeded differently first, returns an equal result")
    by_verdict = True

    def probes(self, options):
        return ["rng", "again"]

    def judge(self, spec, ctx):
        from ..compare import compare

        got = ctx.student
        if got.error:
            return raised(got)
        if got.probes.get("rng") != "same":
            return Problem(said("global rng"), signature="global")
        again = got.probes.get("again")
        if returned(again) is None and got.result is not None:
            why = str(again[1]) if isinstance(again, tuple) and len(again) == 2 else "no second call"
            return not_checkable(said("not reproducible"), why, signature="again")
        found = compare(got.result, returned(again), rtol=0.0, atol=0.0, equal_nan=True)
        if found:
            return Problem(said("not reproducible"), [found.text, *found.details], signature="again")
        return None
