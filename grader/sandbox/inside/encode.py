"""An Outcome to bytes: JSON for structure, safetensors for tensor data (never pickle).

The layout: 8 bytes little-endian header size, the JSON header, then a safetensors blob
holding every tensor the header refers to. `grader.sandbox.protocol` reads it back.
"""
from __future__ import annotations

import json
import math
import struct
from dataclasses import asdict

import torch
from safetensors.torch import save as st_save

from .observe import Frame, Opaque, Outcome


class _Encoder:
    def __init__(self):
        self.tensors: dict[str, torch.Tensor] = {}

    def tensor(self, t: torch.Tensor) -> str:
        key = f"t{len(self.tensors)}"
        self.tensors[key] = t.contiguous()
        return key

    def node(self, v):
        kind = type(v)
        if kind is torch.Tensor:
            return {"k": "tensor", "ref": self.tensor(v)}
        if kind.__module__ == "numpy" and kind.__name__ == "ndarray":
            return {"k": "ndarray", "ref": self.tensor(torch.from_numpy(v.copy()))}
        if v is None or kind in (bool, int, str):
            return {"k": kind.__name__, "v": v}
        if kind is float:
            return {"k": "float", "v": v if math.isfinite(v) else repr(v)}
        if kind is complex:
            return {"k": "complex", "v": [repr(v.real), repr(v.imag)]}
        if kind in (tuple, list):
            return {"k": kind.__name__, "items": [self.node(x) for x in v]}
        if kind is Opaque:
            return {"k": "opaque", "type": v.type, "text": v.text}
        if kind is Frame:
            return {"k": "frame", "columns": [self.node(x) for x in v.columns], "dtypes": list(v.dtypes),
                    "data": [[self.node(x) for x in column] for column in v.data],
                    "index": [self.node(x) for x in v.index], "index_dtype": v.index_dtype}
        raise TypeError(f"cannot encode {kind.__name__}")

    def value_list(self, values):
        return [None if v is None else self.node(v) for v in values]


def encode(out: Outcome) -> bytes:
    enc = _Encoder()
    # "again" holds a result, of any kind; the other probes are tensors or JSON.
    probes = {k: enc.node(v) if type(v) in (torch.Tensor, Opaque) or k == "again"
              else {"k": "json", "v": v}
              for k, v in out.probes.items()}
    header = {
        "result": enc.node(out.result),
        "error": asdict(out.error) if out.error else None,
        "failure": out.failure,
        "missing": out.missing,
        "facts": {k: asdict(v) for k, v in out.facts.items()},
        "args": enc.value_list(out.args),
        "grads": enc.value_list(out.grads),
        "bumped": out.bumped,
        "forbidden": out.forbidden,
        "output": out.output,
        "output_size": out.output_size,
        "probes": probes,
        "seconds": out.seconds,
    }
    head = json.dumps(header).encode()
    body = st_save(enc.tensors) if enc.tensors else b""
    return struct.pack("<Q", len(head)) + head + body
