"""`max_product`: no matrix product larger than `elements` is attempted."""
from __future__ import annotations

from ...messages.feedback import said
from .base import Check, Option, Problem


class MaxProduct(Check):
    name = "max_product"
    description = ("no matrix product whose result exceeds `elements` elements is attempted: a watch stops it "
                   "before it takes the memory (also when a known mistake runs in the grader)")
    options = {"elements": Option(int, required=True)}
    by_verdict = True
    explains_errors = True  # the watch stops the call by raising

    def probes(self, options):
        return [f"max_product:{options['elements']}"]

    def judge(self, spec, ctx):
        largest = ctx.student.probes.get("largest product")
        if isinstance(largest, list) and len(largest) == 3 and largest[0] * largest[2] > spec.options["elements"]:
            m, n, p = largest
            return Problem(said("product too large", m=m, n=n, p=p, size=m * p), signature="product")
        return None
