"""Comparison messages say where and how a result differs."""
import math

import numpy as np
import torch

from grader.grading.compare import compare


def test_equal_values_pass():
    assert compare(torch.arange(4.0), torch.arange(4.0)) is None
    assert compare((1, 2.0), (1, 2.0 + 1e-9)) is None


def test_dtype_is_checked_exactly():
    m = compare(torch.tensor([1, 2]), torch.tensor([1.0, 2.0]))
    assert m.message == "dtype: expected torch.int64, got torch.float32"


def test_shape_mismatch():
    m = compare(torch.zeros(3, 4), torch.zeros(3))
    assert m.message == "shape: expected (3, 4), got (3,)"


def test_value_mismatch_names_first_element_and_greatest_difference():
    m = compare(torch.tensor([1.0, 2.0, 3.0]), torch.tensor([1.0, 2.5, 4.0]))
    assert m.message == "values differ"
    assert m.details[0].en == "first difference at index (1,): expected 2.0, got 2.5"
    assert any("Greatest absolute difference: 1.0" in d.en for d in m.details)
    assert any("Mismatched elements: 2 / 3" in d.en for d in m.details)
    # torch's own lines, recognised and said in Chinese too
    assert any(d.zh.startswith("最大绝对误差：1.0") for d in m.details)
    assert any(d.zh.startswith("不一致的元素：2 / 3") for d in m.details)


def test_path_inside_tuple():
    m = compare((torch.zeros(2), torch.ones(2)), (torch.zeros(2), torch.zeros(2)))
    assert m.path == "[1]"


def test_python_types_exact():
    assert compare(3, 3.0).message == "expected a Python int (3), got a Python float (3.0)"
    assert "expected a tuple" in compare((3, 4), [3, 4]).message
    assert "tensor" in compare(torch.tensor(3), 3).message


def test_nan_only_equal_when_asked():
    a, b = torch.tensor([1.0, math.nan]), torch.tensor([1.0, math.nan])
    assert compare(a, b) is not None
    assert compare(a, b, equal_nan=True) is None


def test_tolerance_override():
    assert compare(torch.tensor([1.0]), torch.tensor([1.01])) is not None
    assert compare(torch.tensor([1.0]), torch.tensor([1.01]), rtol=0.1, atol=0.0) is None


def test_numpy_arrays_compare_as_arrays():
    assert compare(np.arange(3), np.arange(3)) is None
    assert "numpy array" in compare(np.arange(3), torch.arange(3)).message


def test_bool_tensors():
    m = compare(torch.tensor([True, False]), torch.tensor([True, True]))
    assert m.details[0].en.startswith("first difference at index (1,)")


def test_small_tensors_are_drawn_with_the_worst_difference_marked():
    from rich.console import Console

    from grader.output.terminal import tensor_diff

    console = Console(record=True, width=80)
    console.print(tensor_diff(torch.tensor([[1.0, 2.0], [3.0, 4.0]]), torch.tensor([[1.0, 2.5], [3.0, 9.0]])))
    lines = console.export_text().splitlines()
    assert lines[0].split() == ["expected", "1", "2"] and lines[2].split() == ["got", "1", "2.5"]
    assert lines[3].split() == ["3", "9◀"]  # the greatest difference
    assert tensor_diff(torch.zeros(100), torch.ones(100)) is None  # too large to draw
    assert tensor_diff(torch.zeros(2, 2, 2), torch.ones(2, 2, 2)) is None


def test_first_difference_is_rounded_for_reading():
    m = compare(torch.tensor([0.123456789], dtype=torch.float64), torch.tensor([0.5], dtype=torch.float64))
    assert m.details[0].en == "first difference at index (0,): expected 0.123457, got 0.5"
