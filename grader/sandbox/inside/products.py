"""A watch on the shapes of matrix products: one whose result would exceed a number of
elements is stopped before its memory is taken (a 65536 × 65536 float32 product is
16 GiB). Used wherever a watched function runs: in the jail's child, and for the known
mistakes run in the grader, which must never attempt such a product either."""
from __future__ import annotations

import torch
from torch.utils._python_dispatch import TorchDispatchMode

_PRODUCTS = {"mm", "addmm", "bmm", "baddbmm", "matmul", "_mm_out", "mv", "addmv"}


class ProductWatch(TorchDispatchMode):
    @classmethod
    def _should_skip_dynamo(cls) -> bool:
        return False  # as in monitor._DispatchNet: no torch._dynamo import for a watch

    def __init__(self, limit: int):
        super().__init__()
        self.limit, self.largest = limit, None

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        name = func.overloadpacket.__name__
        if name in _PRODUCTS:
            mats = [a for a in args if isinstance(a, torch.Tensor) and a.dim() >= 2][-2:]
            if len(mats) == 2:
                m, n, p = mats[0].shape[-2], mats[0].shape[-1], mats[1].shape[-1]
                if self.largest is None or m * p > self.largest[0] * self.largest[2]:
                    self.largest = (int(m), int(n), int(p))
                if m * p > self.limit:
                    # A plain RuntimeError: its name is the same in the jail's child as here.
                    raise RuntimeError(f"tutor stopped a product of a {m} × {n} matrix by a {n} × {p} one: "
                                       f"its result would hold {m * p:,} elements")
        return func(*args, **(kwargs or {}))
