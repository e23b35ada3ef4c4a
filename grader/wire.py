"""Outcomes to bytes and back: JSON for structure, safetensors for tensor data.

Nothing the sandbox sends is unpickled: the grader rebuilds plain tensors, numpy
arrays and Python scalars from data, and refuses payloads over a size cap.
"""
from __future__ import annotations

import json
import math
import struct
from dataclasses import asdict

import torch
from safetensors.torch import load as st_load, save as st_save

from .harness import ErrorInfo, Opaque, Outcome, TensorFacts

MAX_PAYLOAD = 256 * 1024 * 1024


class WireError(ValueError):
    pass


class _Encoder:
    def __init__(self):
        self.tensors: dict[str, torch.Tensor] = {}

    def tensor(self, t: torch.Tensor) -> str:
        key = f"t{len(self.tensors)}"
        self.tensors[key] = t.contiguous()
        return key

    def node(self, v):
        if isinstance(v, torch.Tensor):
            return {"k": "tensor", "ref": self.tensor(v)}
        if type(v).__module__ == "numpy" and type(v).__name__ == "ndarray":
            if v.dtype.kind not in "biufc":  # object or string arrays carry no tensor data
                return {"k": "opaque", "type": f"numpy.ndarray[{v.dtype}]", "text": repr(v)[:200]}
            return {"k": "ndarray", "ref": self.tensor(torch.from_numpy(v.copy()))}
        if v is None or type(v) in (bool, int, str):
            return {"k": type(v).__name__, "v": v}
        if type(v) is float:
            return {"k": "float", "v": v if math.isfinite(v) else repr(v)}
        if type(v) is complex:
            return {"k": "complex", "v": [repr(v.real), repr(v.imag)]}
        if isinstance(v, (tuple, list)):
            return {"k": type(v).__name__, "items": [self.node(x) for x in v]}
        if isinstance(v, Opaque):
            return {"k": "opaque", "type": v.type, "text": v.text}
        raise WireError(f"cannot encode {type(v).__name__}")

    def value_list(self, values):
        return [None if v is None else self.node(v) for v in values]


def encode(out: Outcome) -> bytes:
    enc = _Encoder()
    probes = {k: enc.node(v) if isinstance(v, torch.Tensor) else {"k": "json", "v": v}
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


def _decode_node(n, tensors):
    k = n["k"]
    if k in ("NoneType", "bool", "int", "str"):
        return n["v"]
    if k == "float":
        return float(n["v"])
    if k == "complex":
        return complex(float(n["v"][0]), float(n["v"][1]))
    if k == "tensor":
        return tensors[n["ref"]].clone()
    if k == "ndarray":
        return tensors[n["ref"]].numpy().copy()
    if k in ("tuple", "list"):
        items = [_decode_node(x, tensors) for x in n["items"]]
        return tuple(items) if k == "tuple" else items
    if k == "opaque":
        return Opaque(str(n["type"]), str(n["text"]))
    if k == "json":
        return n["v"]
    raise WireError(f"unknown node kind {k!r}")


def decode(data: bytes) -> Outcome:
    if len(data) > MAX_PAYLOAD:
        raise WireError(f"the result is too large ({len(data)} bytes)")
    try:
        (size,) = struct.unpack_from("<Q", data)
        header = json.loads(data[8:8 + size])
        body = data[8 + size:]
        tensors = st_load(body) if body else {}
        values = lambda xs: [None if x is None else _decode_node(x, tensors) for x in xs]
        return Outcome(
            result=_decode_node(header["result"], tensors),
            error=ErrorInfo(**header["error"]) if header["error"] else None,
            failure=header["failure"],
            missing=bool(header["missing"]),
            facts={k: TensorFacts(**{**v, "shares": tuple(v["shares"])}) for k, v in header["facts"].items()},
            args=values(header["args"]),
            grads=values(header["grads"]),
            bumped=list(header["bumped"]),
            forbidden=[str(x) for x in header["forbidden"]],
            output=str(header["output"]),
            output_size=int(header["output_size"]),
            probes={k: _decode_node(v, tensors) for k, v in header["probes"].items()},
            seconds=float(header["seconds"]),
        )
    except WireError:
        raise
    except Exception as exc:  # malformed data from the sandbox is a sandbox failure, not our crash
        raise WireError(f"malformed result: {type(exc).__name__}: {exc}") from None
