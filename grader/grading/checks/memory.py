"""`memory`: storage sharing matches the reference's."""
from __future__ import annotations

from ...messages.feedback import said
from .base import Check, Problem, where


class Memory(Check):
    name = "memory"
    description = ("storage matches the reference: results that are views of an argument, results that *are* an "
                   "argument's memory (in place), arguments written in place (version counter) or untouched, numpy "
                   "arrays sharing memory")
    comparative = True
    judges_writes = True

    def judge(self, spec, ctx):
        ref, got = ctx.reference, ctx.student
        for path, want in ref.facts.items():
            have = got.facts.get(path)
            if have is None:
                continue  # the value check reports a result of the wrong shape
            at = where(path)
            written = want.same_memory is not None and ref.bumped[want.same_memory]
            if written and have.same_memory != want.same_memory:  # else a whole-tensor view: judged below
                return Problem(said("should be itself", where=at, name=ctx.param(want.same_memory)))
            for i in want.shares:
                if i not in have.shares:
                    return Problem(said("should share", where=at, name=ctx.param(i)))
            if not want.shares and have.shares:
                return Problem(said("shares", where=at, name=ctx.param(have.shares[0])))
            if have.same_object is not None and want.same_object is None:
                return Problem(said("is the argument", where=at, name=ctx.param(have.same_object)))
            if want.same_memory is not None and have.same_memory != want.same_memory:  # a view, laid out otherwise
                return Problem(said("other layout", where=at, name=ctx.param(want.same_memory)))
        for i, (want, have) in enumerate(zip(ref.bumped, got.bumped)):
            if want and not have:
                return Problem(said("not written", name=ctx.param(i)))
            if have and not want:
                return Problem(said("modified", name=ctx.param(i)))
        return None
