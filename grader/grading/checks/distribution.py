"""`distribution`: a random tensor has the reference's shape and dtype, and a given mean and std."""
from __future__ import annotations

import math

from ...messages.feedback import said
from .base import Check, Option, Problem


class Distribution(Check):
    name = "distribution"
    description = ("a random tensor has the reference's shape and dtype and the reference's (or the given) mean "
                   "and std within `tol`")
    options = {"mean": Option(float), "std": Option(float), "tol": Option(float, note="0.05")}
    comparative = True

    def judge(self, spec, ctx):
        import torch

        from ..compare import kind_of

        ref, got, opts = ctx.reference.result, ctx.student.result, spec.options
        if not isinstance(got, torch.Tensor) or got.shape != ref.shape or got.dtype != ref.dtype:
            return Problem(said("expected got", expected=kind_of(ref), got=kind_of(got)))
        tol = opts.get("tol", 0.05)
        want_mean = opts.get("mean", ref.double().mean().item())
        want_std = opts.get("std", ref.double().std().item())
        mean, std = got.double().mean().item(), got.double().std().item()
        if abs(mean - want_mean) > tol or abs(std - want_std) > tol or math.isnan(mean + std):
            return Problem(said("samples", mean=mean, std=std, want_mean=want_mean, want_std=want_std, tol=tol))
        return None
