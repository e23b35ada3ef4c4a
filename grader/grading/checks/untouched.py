"""The default for a case whose checks do not judge writes to the inputs: not a kind a
course names, so not in the registry."""
from __future__ import annotations

from ...messages.feedback import said
from .base import CaseContext, Problem


def untouched(ctx: CaseContext) -> Problem | None:
    """No tensor argument the reference leaves alone is written, by its version counter or by
    its values (a write through `.data` or numpy counts no version)."""
    from ...sandbox.inside.observe import Frame
    from ..compare import compare

    for i, written in enumerate(ctx.reference.bumped):
        want, have = ctx.reference.args[i], ctx.student.args[i]
        if written or want is None:
            continue
        if ctx.student.bumped[i] or (have is not None and compare(want, have, rtol=0.0, atol=0.0, equal_nan=True)):
            return Problem(said("modified frame" if isinstance(want, Frame) else "modified input", name=ctx.param(i)),
                           signature=f"modified {i}")
    return None
