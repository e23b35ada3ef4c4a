"""Compare an expected value with an actual one and say precisely how they differ.

Values are judged by `torch.testing.assert_close` (dtype-aware default tolerances);
what we add is the structure around it (tuples, Python scalars, numpy arrays) and
student-facing details: the shape and dtype, the first differing element, and the
greatest differences torch itself reports.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

import torch
from torch.testing import _comparison  # the machinery behind assert_close, and its tolerance table
from torch.testing._comparison import default_tolerances

from ..messages.feedback import said
from ..sandbox.inside.observe import Frame, Opaque
from ..messages.text import Text


@dataclass
class Mismatch:
    path: str
    text: Text
    details: list[Text] = field(default_factory=list)
    tensors: tuple | None = None  # (expected, actual) when values differ, for a picture of where

    @property
    def message(self) -> str:
        return self.text.en


def kind_of(v) -> Text:
    if isinstance(v, torch.Tensor):
        dtype = str(v.dtype).replace("torch.", "")
        return said("a tensor", a="an" if dtype[0] in "aeiou" else "a", dtype=dtype, shape=tuple(v.shape))
    if _is_ndarray(v):
        return said("an array", dtype=v.dtype, shape=v.shape)
    if isinstance(v, (tuple, list)):
        if len(v) <= 6 and all(x is None or type(x) in (bool, int, float) for x in v):
            return said("a short sequence", type=type(v).__name__, value=v)  # short enough to show in full
        return said("a sequence", type=type(v).__name__, n=len(v), s="s" * (len(v) != 1))
    if isinstance(v, Opaque):
        return said("an opaque", type=v.type, text=v.text)
    if isinstance(v, Frame):
        return said("a frame", rows=v.shape[0], cols=v.shape[1], columns=", ".join(map(str, v.columns[:6]))
                    + (", …" if len(v.columns) > 6 else ""))
    if v is None:
        return said("none")
    return said("a python value", type=type(v).__name__, value=v)


def footprint(v, depth: int = 0) -> int:
    """Bytes of data a value holds (tensors, arrays, DataFrame cells, text), counted the same
    way for the reference's result and a student's."""
    if isinstance(v, torch.Tensor):
        return v.numel() * v.element_size()
    if _is_ndarray(v):
        return int(v.nbytes)
    if isinstance(v, Frame):
        return 8 * sum(len(column) for column in v.data)
    if isinstance(v, str):
        return len(v)
    if isinstance(v, (tuple, list)) and depth < 100:  # nesting is bounded where it was decoded
        return sum(footprint(x, depth + 1) for x in v)
    return 8


def _is_ndarray(v) -> bool:
    return type(v).__module__ == "numpy" and type(v).__name__ == "ndarray"


def _kinds_differ(expected, actual, path: str) -> Mismatch:
    """A value of another kind, with words for the beginner's two usual causes."""
    if actual is None:
        return Mismatch(path, said("got none", expected=kind_of(expected)))
    if isinstance(expected, torch.Tensor) and (isinstance(actual, (list, tuple, int, float)) or _is_ndarray(actual)):
        return Mismatch(path, said("got no tensor", expected=kind_of(expected), got=kind_of(actual)))
    return Mismatch(path, said("expected got", expected=kind_of(expected), got=kind_of(actual)))


def compare(expected, actual, *, rtol=None, atol=None, equal_nan=False, dtype=True, path="") -> Mismatch | None:
    """None when equal; else the first mismatch, located by its path inside the result."""
    if isinstance(expected, torch.Tensor) or _is_ndarray(expected):
        want_array = _is_ndarray(expected)
        if want_array != _is_ndarray(actual) or not (want_array or isinstance(actual, torch.Tensor)):
            return _kinds_differ(expected, actual, path)
        if want_array:
            expected, actual = torch.from_numpy(expected), torch.from_numpy(actual)
        return _compare_tensors(expected, actual, rtol, atol, equal_nan, dtype, path)
    if isinstance(expected, Frame):
        if not isinstance(actual, Frame):
            return Mismatch(path, said("expected got", expected=kind_of(expected), got=kind_of(actual)))
        return _compare_frames(expected, actual, rtol, atol, path)
    if isinstance(expected, (tuple, list)):
        if type(actual) is not type(expected):
            return _kinds_differ(expected, actual, path)
        if len(actual) != len(expected):
            return Mismatch(path, said("expected length", expected=kind_of(expected), n=len(actual)))
        for i, (e, a) in enumerate(zip(expected, actual)):
            found = compare(e, a, rtol=rtol, atol=atol, equal_nan=equal_nan, dtype=dtype, path=f"{path}[{i}]")
            if found:
                return found
        return None
    if type(actual) is not type(expected):
        return _kinds_differ(expected, actual, path)
    if isinstance(expected, float):
        if math.isnan(expected) and math.isnan(actual):
            return None
        if math.isclose(actual, expected, rel_tol=1.3e-6 if rtol is None else rtol, abs_tol=1e-5 if atol is None else atol):
            return None
    elif expected == actual:
        return None
    return Mismatch(path, said("expected value", expected=expected, got=actual))


def _compare_frames(expected: Frame, actual: Frame, rtol, atol, path) -> Mismatch | None:
    """pandas' own judgement (column names and order, dtypes, index, values, NaN where NaN);
    its report's lines as details, with its [left] and [right] named."""
    if expected.same_as(actual):
        return None
    from pandas.testing import assert_frame_equal

    exact = rtol == 0 and atol == 0
    try:
        assert_frame_equal(expected.to_pandas(), actual.to_pandas(), check_exact=exact,
                           **({} if exact else {"rtol": 1e-9 if rtol is None else rtol,
                                                "atol": 1e-12 if atol is None else atol}))
        return None
    except AssertionError as exc:
        lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    details = []
    for line in lines[1:6]:
        side = re.match(r"\[(left|right)\]:\s*(.*)", line)
        details.append(said("expected side" if side[1] == "left" else "got side", text=side[2][:300]) if side
                       else Text.same(line[:300]))
    return Mismatch(path, said("frames differ", what=lines[0][:300] if lines else ""), details)


def _compare_tensors(expected, actual, rtol, atol, equal_nan, check_dtype, path) -> Mismatch | None:
    if actual.shape != expected.shape:
        return Mismatch(path, said("shape", expected=tuple(expected.shape), got=tuple(actual.shape)))
    if check_dtype and actual.dtype != expected.dtype:
        return Mismatch(path, said("dtype", expected=expected.dtype, got=actual.dtype))
    if expected.numel() == 0:
        return None
    if actual.dtype == expected.dtype and torch.equal(actual, expected):
        return None  # identical (NaN never is): assert_close could only agree, at 30 times the cost
    if (rtol is None) != (atol is None):  # assert_close wants both or neither
        default_rtol, default_atol = default_tolerances(actual, expected)
        rtol = default_rtol if rtol is None else rtol
        atol = default_atol if atol is None else atol
    try:
        _assert_close(actual, expected, rtol=rtol, atol=atol, equal_nan=equal_nan)
        return None
    except AssertionError as exc:
        report = str(exc)
    details = [_translated(line.strip()) for line in report.splitlines() if line.startswith(("Mismatched", "Greatest"))]
    first = _first_difference(expected, actual, rtol, atol, equal_nan)
    if first is not None:
        index, e, a = first
        details.insert(0, said("first difference", index=index, expected=_readable(e), got=_readable(a)))
    return Mismatch(path, said("values differ"), details, (expected, actual))


_TORCH_LINES = (
    (re.compile(r"Mismatched elements: (?P<count>.+)"), "mismatched"),
    (re.compile(r"Greatest (?P<kind>absolute|relative) difference: (?P<value>\S+) at index (?P<index>.+) "
                r"\(up to (?P<allowed>\S+) allowed\)"), "greatest"),
)


def _translated(line: str) -> Text:
    """One of the lines of assert_close's own message, in every language (as it is, if its
    wording is one this version of torch does not use)."""
    for pattern, key in _TORCH_LINES:
        found = pattern.fullmatch(line)
        if found:
            values = found.groupdict()
            if "kind" in values:
                values["kind"] = said(values["kind"])
            return said(key, **values)
    return Text.same(line)


def _assert_close(actual, expected, **options):
    """torch.testing.assert_close for plain tensors.

    assert_close first checks for DTensors, which imports torch.distributed.tensor: 1.7 s,
    on every `tutor check`, for tensors that are never distributed here. The function it
    then delegates to, with the same pair types, gives the same verdicts and messages.
    """
    options.update(check_dtype=False, check_stride=False)
    if not hasattr(_comparison, "not_close_error_metas"):  # pragma: no cover - other torch versions
        return torch.testing.assert_close(actual, expected, **options)
    metas = _comparison.not_close_error_metas(
        actual, expected,
        pair_types=(_comparison.NonePair, _comparison.BooleanPair, _comparison.NumberPair,
                    _comparison.TensorLikePair),
        allow_subclasses=True, check_device=True, check_layout=True, **options)
    if metas:
        raise metas[0].to_error()


def _readable(v) -> str:
    """6 significant digits, still recognisably a float (2.0, not 2)."""
    if not isinstance(v, float):
        return repr(v)
    text = f"{v:.6g}"
    return text if any(c in text for c in ".eninf") else text + ".0"


def _first_difference(expected, actual, rtol, atol, equal_nan):
    if rtol is None:
        rtol, atol = default_tolerances(actual, expected)
    dtype = torch.promote_types(actual.dtype, expected.dtype)
    e, a = expected.to(dtype), actual.to(dtype)
    if dtype.is_floating_point or dtype.is_complex:
        bad = ~torch.isclose(a, e, rtol=rtol, atol=atol, equal_nan=equal_nan)
    else:
        bad = a != e
    where = bad.nonzero()
    if not len(where):
        return None
    index = tuple(where[0].tolist())
    return index, expected[index].item(), actual[index].item()
