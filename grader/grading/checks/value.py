"""`value`: the result equals the reference's, or raises as it does."""
from __future__ import annotations

import re

from ...messages.feedback import said
from .base import TOLERANCES, Check, Option, Problem, describe_error as describe, mismatch, raised, where


class Value(Check):
    name = "value"
    description = ("the result equals the reference's: Python types exactly (`int` vs `float`, `tuple` vs `list`, "
                   "numpy array vs tensor), tensor shape and dtype exactly, values by `torch.testing.assert_close`. "
                   "When the reference raises, the student must raise the same type exactly, with `message` "
                   "(a regex) in its text")
    options = {**TOLERANCES, "equal_nan": Option(bool), "dtype": Option(bool, note="false: values only"),
               "message": Option(str)}
    comparative = True

    def expects_error(self, options):
        return "message" in options

    def judge(self, spec, ctx):
        from ..compare import compare, kind_of

        ref, got, opts = ctx.reference, ctx.student, spec.options
        if ref.error:
            if got.error is None:
                return Problem(said("expected raise", type=ref.error.type, got=kind_of(got.result)))
            if got.error.type != ref.error.type:
                key = "expected exactly" if ref.error.type in got.error.bases else "expected error"
                return Problem(said(key, type=ref.error.type, what=describe(got)))
            pattern = opts.get("message")
            if ctx.strict_errors and got.error.message != ref.error.message:
                return Problem(said("different message"))
            if pattern and not re.search(pattern, got.error.message):
                return Problem(said("should mention", type=got.error.type, pattern=pattern, message=got.error.message))
            return None
        if got.error:
            return raised(got)
        for path, facts in got.facts.items():
            if facts.subclass:
                return Problem(said("subclass", where=where(path), cls=facts.subclass))
        found = compare(ref.result, got.result, rtol=opts.get("rtol"), atol=opts.get("atol"),
                        equal_nan=opts.get("equal_nan", False) or ctx.strict_errors, dtype=opts.get("dtype", True))
        return mismatch(found) if found else None
