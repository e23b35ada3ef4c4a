"""Grader side: what a child sends, validated and decoded. All of it is untrusted.

A child runs the student's code in its own process, so every byte after its first frame
may have been written by that code: frames are size-capped by kind, every field is checked
for type and size, strings are made valid Unicode and capped, tensors are rebuilt from
safetensors data (never unpickled). Anything that fails becomes `Malformed`, which the
runner turns into a failed check for that student, never an error of tutor's.
"""
from __future__ import annotations

import json
import math
import re
import struct

from safetensors.torch import load as st_load

from .inside.frames import MAX_FRAME
from .inside.observe import (FRAME_DTYPES, MAX_DEPTH, MAX_ITEMS, OUTPUT_KEEP, SENDABLE, ErrorInfo, Frame, Opaque,
                             Outcome, TensorFacts)

MAX_ARGS = 64
MAX_TEXT = 10_000
_SURROGATES = re.compile("[\ud800-\udfff]")


class Malformed(ValueError):
    """What a child sent cannot be read as what the protocol says."""


def text(value, limit: int = MAX_TEXT) -> str:
    """A string from the child: a str, valid Unicode (lone surrogates replaced), capped."""
    if type(value) is not str:
        raise Malformed(f"expected text, got {type(value).__name__}")
    return _SURROGATES.sub("\ufffd", value[:limit])


def _int(value, low: int = -(1 << 63), high: int = 1 << 63) -> int:
    if type(value) is not int or not low <= value < high:
        raise Malformed("expected a bounded int")
    return value


def _list(value, limit: int) -> list:
    if type(value) is not list or len(value) > limit:
        raise Malformed("expected a short list")
    return value


def _dict(value, keys: set | None = None) -> dict:
    if type(value) is not dict or (keys is not None and set(value) != keys):
        raise Malformed("expected an object with the protocol's fields")
    return value


def json_payload(payload: bytes):
    try:
        return json.loads(payload)
    except (ValueError, RecursionError):
        raise Malformed("not JSON") from None


def begin(payload: bytes) -> tuple[str, int]:
    data = _list(json_payload(payload), 2)
    if len(data) != 2:
        raise Malformed("a call is named by function and index")
    return text(data[0], 200), _int(data[1], 0, 1 << 20)


def imported(payload: bytes) -> str:
    return text(_dict(json_payload(payload), {"output"})["output"], OUTPUT_KEEP)


def import_error(payload: bytes) -> tuple[ErrorInfo, str]:
    data = _dict(json_payload(payload), {"type", "bases", "message", "line", "output"})
    return _error(data), text(data["output"], OUTPUT_KEEP)


def _error(data) -> ErrorInfo:
    data = _dict(data)
    line = data.get("line")
    return ErrorInfo(text(data.get("type"), 200), [text(b, 200) for b in _list(data.get("bases"), 20)],
                     text(data.get("message"), 2000), None if line is None else _int(line, 0, 1 << 31))


class _Nodes:
    """Rebuilds values from nodes, counting them: a deep or wide tree is refused, not walked."""

    def __init__(self, tensors: dict):
        self.tensors, self.left = tensors, 4 * MAX_ITEMS

    def value(self, n, depth: int = 0):
        self.left -= 1
        if self.left < 0 or depth > MAX_DEPTH + 2:
            raise Malformed("a value nested too deep or too wide")
        n = _dict(n)
        k = n.get("k")
        if k == "NoneType":
            return None
        if k == "bool" and type(n.get("v")) is bool:
            return n["v"]
        if k == "int":
            return _int(n.get("v"))
        if k == "str":
            return text(n.get("v"))
        if k == "float":
            v = n.get("v")
            if type(v) in (int, float):
                return float(v)
            if v in ("nan", "inf", "-inf"):
                return float(v)
            raise Malformed("a float that is not a number")
        if k == "complex":
            parts = _list(n.get("v"), 2)
            try:
                return complex(float(text(parts[0], 40)), float(text(parts[1], 40)))
            except (ValueError, IndexError):
                raise Malformed("a complex that is not a number") from None
        if k in ("tensor", "ndarray"):
            ref = n.get("ref")
            if type(ref) is not str or ref not in self.tensors:
                raise Malformed("a tensor that was not sent")
            t = self.tensors[ref]
            return t if k == "tensor" else t.numpy()
        if k in ("tuple", "list"):
            items = [self.value(x, depth + 1) for x in _list(n.get("items"), MAX_ITEMS)]
            return tuple(items) if k == "tuple" else items
        if k == "opaque":
            return Opaque(text(n.get("type"), 200), text(n.get("text"), 200))
        if k == "frame":
            return self.frame(n, depth)
        raise Malformed("an unknown kind of value")

    def scalars(self, nodes, depth: int) -> tuple:
        values = tuple(self.value(x, depth + 1) for x in _list(nodes, MAX_ITEMS))
        if any(type(v) not in (type(None), bool, int, float, str) for v in values):
            raise Malformed("a DataFrame value that is not a number, text or None")
        return values

    def frame(self, n: dict, depth: int) -> Frame:
        columns = self.scalars(n.get("columns"), depth)
        index = self.scalars(n.get("index"), depth)
        dtypes = tuple(text(d, 20) for d in _list(n.get("dtypes"), MAX_ITEMS))
        data = tuple(self.scalars(column, depth) for column in _list(n.get("data"), MAX_ITEMS))
        index_dtype = text(n.get("index_dtype"), 20)
        if not set(dtypes) | {index_dtype} <= FRAME_DTYPES:
            raise Malformed("a DataFrame dtype tutor does not rebuild")
        if not len(columns) == len(dtypes) == len(data) or any(len(c) != len(index) for c in data):
            raise Malformed("a DataFrame whose parts disagree in size")
        return Frame(columns, dtypes, data, index, index_dtype)


def _facts(data) -> TensorFacts:
    data = _dict(data, {"requires_grad", "shares", "same_memory", "subclass", "same_object"})
    if type(data["requires_grad"]) is not bool:
        raise Malformed("requires_grad is not a bool")
    same, identical = data["same_memory"], data["same_object"]
    return TensorFacts(requires_grad=data["requires_grad"],
                       shares=tuple(_int(i, 0, MAX_ARGS) for i in _list(data["shares"], MAX_ARGS)),
                       same_memory=None if same is None else _int(same, 0, MAX_ARGS),
                       same_object=None if identical is None else _int(identical, 0, MAX_ARGS),
                       subclass=None if data["subclass"] is None else text(data["subclass"], 200))


def _probe(name: str, node, nodes: _Nodes):
    if node.get("k") == "json":
        v = node.get("v")
        if name == "path":
            return [_int(i, 0, 1 << 31) for i in _list(v, 100_000)]
        if name == "largest product":
            return [_int(i, 0) for i in _list(v, 3)]
        if name == "used":  # the calls a `uses` check requires that were made, by name
            return [text(x, 200) for x in _list(v, 64)]
        return text(v, 1000)
    return nodes.value(node)


def outcome(data: bytes, n_args: int) -> Outcome:
    """An OUTCOME frame's payload as an Outcome of a call with `n_args` arguments, or Malformed."""
    if len(data) < 8:
        raise Malformed("a result too short to hold its header")
    (size,) = struct.unpack_from("<Q", data)
    if size > len(data) - 8:
        raise Malformed("a result whose header runs past its end")
    header = _dict(json_payload(data[8:8 + size]),
                   {"result", "error", "failure", "missing", "facts", "args", "grads", "bumped", "forbidden",
                    "output", "output_size", "probes", "seconds"})
    body = data[8 + size:]
    try:
        tensors = st_load(body) if body else {}
    except Exception:
        raise Malformed("tensor data that safetensors cannot read") from None
    if any(t.dtype not in SENDABLE for t in tensors.values()):
        raise Malformed("a tensor of a dtype tutor does not compare")
    nodes = _Nodes(tensors)
    values = lambda xs: [None if x is None else nodes.value(x) for x in _list(xs, MAX_ARGS)]
    probes = {text(k, 200): _probe(k, _dict(v), nodes) for k, v in _dict(header["probes"]).items()}
    if type(header["missing"]) is not bool:
        raise Malformed("missing is not a bool")
    seconds = header["seconds"]
    if type(seconds) not in (int, float) or not math.isfinite(seconds) or seconds < 0:
        raise Malformed("a duration that is not one")
    out = Outcome(
        result=nodes.value(header["result"]),
        error=None if header["error"] is None else _error(header["error"]),
        # The child's own words are not shown: a function it lacks is said in ours (missing),
        # any other failure it reports means it could not send its result.
        failure=None if header["failure"] is None else (
            "missing" if header["missing"] else "the submission's process could not send its result"),
        missing=header["missing"],
        facts={text(k, 200): _facts(v) for k, v in _dict(header["facts"]).items()},
        args=values(header["args"]),
        grads=values(header["grads"]),
        bumped=[None if b is None else bool(b) if type(b) is bool else _raise() for b in _list(header["bumped"], MAX_ARGS)],
        forbidden=[text(x, 200) for x in _list(header["forbidden"], 64)],
        output=text(header["output"], OUTPUT_KEEP),
        output_size=_int(header["output_size"], 0),
        probes=probes,
        seconds=float(seconds),
    )
    if len(out.facts) > MAX_ITEMS:
        raise Malformed("facts about more tensors than were returned")
    # One entry per argument, as the checks index them; none for a call that could not be made.
    if out.failure is None and not len(out.args) == len(out.grads) == len(out.bumped) == n_args:
        raise Malformed("not one entry per argument")
    return out


def _raise():
    raise Malformed("bumped is not a bool")


def frame_cap(kind: int) -> int | None:
    """The most a frame of this kind may hold; None for a kind the protocol does not have."""
    return MAX_FRAME.get(kind)
