"""`statistic`: a statistic of a random result lies within a stated tolerance of its expected value."""
from __future__ import annotations

import math

from ...messages.feedback import said
from ...messages.text import Text
from .base import Check, Option, Problem, not_checkable, raised


class Statistic(Check):
    name = "statistic"
    description = ("a random result has the reference's form (types, tensor shapes and dtypes; never its values), "
                   "and `of` lies within `within` standard errors `se` (plus `rtol` of `expected`) of `expected`; "
                   "names: `result`, `inputs` (the case's arguments as the grader makes them), `torch`, `math`")
    options = {"of": Option(str, required=True, expr=True), "expected": Option(str, required=True, expr=True),
               "se": Option(str, expr=True), "within": Option(float), "rtol": Option(float),
               "message": Option(Text, required=True)}
    by_verdict = True

    def judge(self, spec, ctx):
        import torch

        from ..compare import kind_of

        got, opts = ctx.student, spec.options
        if got.error:
            return raised(got)
        if _form(ctx.reference.result) != _form(got.result):
            return Problem(said("expected got", expected=kind_of(ctx.reference.result), got=kind_of(got.result)),
                           signature=f"form {_form(got.result)}")
        names = {"result": got.result, "inputs": ctx.inputs, "torch": torch, "math": math}
        try:
            value = float(eval(opts["of"], dict(names)))
            expected = float(eval(opts["expected"], dict(names)))
            allowed = opts.get("within", 0.0) * float(eval(opts.get("se", "0"), dict(names))) \
                + opts.get("rtol", 0.0) * abs(expected)
        except Exception as exc:
            return not_checkable(opts["message"], f"{type(exc).__name__}: {exc}", signature="error")
        if math.isnan(value) or abs(value - expected) > allowed:
            return Problem(said("statistic", what=opts["message"], value=value, expected=expected, allowed=allowed),
                           signature=f"{opts['of']} {'high' if value > expected else 'low'}")
        return None


def _form(v):
    """What a result is, without its values: types, and tensors' shapes and dtypes."""
    import torch

    if isinstance(v, torch.Tensor):
        return ("tensor", str(v.dtype), tuple(v.shape))
    if isinstance(v, (tuple, list)):
        return (type(v).__name__, tuple(_form(x) for x in v))
    return type(v).__name__
