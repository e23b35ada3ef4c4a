"""What the rest of chapter 2 needs from the grader, as general capabilities: DataFrames as
validated data across the jail's boundary, case helpers (CSV files, house tables, seeded
generators), randomness judged by verdict, a watch on matrix-product sizes, and the course
grouped by d2l section."""
import json
import struct
import textwrap

import pandas as pd
import pytest
import torch

from conftest import ROOT, tutor
from grader.grading.compare import compare
from grader.grading.judge import grade
from grader.sandbox import protocol
from grader.sandbox.inside import recipes
from grader.sandbox.inside.encode import encode
from grader.sandbox.inside.observe import Frame, Opaque, Outcome, relation_probe, run_call, snapshot, verdict_key
from grader.sandbox.inside.recipes import Call

TINY = recipes.HOUSE_TINY


def frame(text=TINY):
    return recipes.make({"args": [f"read_csv({text!r})"], "seed": 1})[0][0]


def submit(tmp_path, course, runner, slug, source, seed=11):
    ex = course.get(slug)
    path = tmp_path / f"{slug}.py"
    path.write_text(textwrap.dedent(source), encoding="utf-8")
    return grade(ex, path, course.solution_file(ex), seed, runner)


def problems(result, function=None):
    return [p for r in result.results if function in (None, r.function) for p in r.problems]


# --- DataFrames as data -------------------------------------------------------------------

def test_a_frame_crosses_the_boundary_as_data_and_comes_back_equal():
    df = frame()
    sent = snapshot(df, [])
    assert isinstance(sent, Frame) and sent.dtypes[0] == "float64" and sent.columns == ("NumRooms", "Alley", "Price")
    back = protocol.outcome(encode(Outcome(result=(sent, 1), args=[sent], grads=[None], bumped=[None])), 1)
    assert back.result[1] == 1 and compare(sent, back.result[0], rtol=0.0, atol=0.0) is None
    assert compare(sent, back.args[0], rtol=0.0, atol=0.0) is None  # NaN where NaN: equal, yet NaN != NaN
    pd.testing.assert_frame_equal(back.result[0].to_pandas(), df, check_column_type=False)


def _forged(node):
    head = json.dumps({"result": node, "error": None, "failure": None, "missing": False, "facts": {}, "args": [],
                       "grads": [], "bumped": [], "forbidden": [], "output": "", "output_size": 0, "probes": {},
                       "seconds": 0.0}).encode()
    return struct.pack("<Q", len(head)) + head


@pytest.mark.parametrize("change", [
    {"dtypes": ["category"]},  # a dtype tutor does not rebuild
    {"data": [[{"k": "int", "v": 1}, {"k": "int", "v": 2}]]},  # a column longer than the index
    {"data": [[{"k": "list", "items": []}]]},  # a value that is no scalar
    {"index_dtype": "object; rm -rf"},
])
def test_a_forged_frame_is_malformed_never_rebuilt(change):
    honest = {"k": "frame", "columns": [{"k": "str", "v": "a"}], "dtypes": ["int64"],
              "data": [[{"k": "int", "v": 1}]], "index": [{"k": "int", "v": 0}], "index_dtype": "int64"}
    assert isinstance(protocol.outcome(_forged(honest), 0).result, Frame)
    with pytest.raises(protocol.Malformed):
        protocol.outcome(_forged({**honest, **change}), 0)


def test_a_frame_holding_objects_is_described_not_sent():
    class Sneaky:
        def __eq__(self, other):
            return True

    df = pd.DataFrame({"a": [Sneaky(), 1]}, dtype=object)
    assert isinstance(snapshot(df, []), Opaque)
    assert isinstance(snapshot(pd.DataFrame({"c": pd.Categorical(["x", "y"])}), []), Opaque)


def test_frames_are_compared_by_pandas_and_differences_said_in_both_languages():
    df = frame()
    same = compare(snapshot(df, []), snapshot(df.copy(), []))
    dropped = compare(snapshot(df, []), snapshot(df.drop(columns="Alley"), []))
    retyped = compare(snapshot(df, []), snapshot(df.astype({"Price": "float64"}), []))
    assert same is None
    assert "DataFrames differ" in dropped.message and "DataFrame 不同" in dropped.text.zh
    assert [d.en for d in retyped.details][1:] == ["expected: int64", "got: float64"]
    assert compare(snapshot(df, []), 3).message.startswith("expected a DataFrame of 4 rows and 3 columns")


def test_a_frame_changed_in_place_fails_and_names_the_mistake(tmp_path, course, runner):
    result = submit(tmp_path, course, runner, "drop-most-missing", """
        def most_missing_column(df):
            counts = df.isna().sum()
            return None if counts.max() == 0 else counts.idxmax()

        def drop_most_missing(df):
            name = most_missing_column(df)
            if name is not None:
                df.drop(columns=name, inplace=True)
            return df
    """)
    found = problems(result, "drop_most_missing")
    assert found and all(p.kind == "untouched" for p in found)
    assert "modified its input DataFrame `df`" in found[0].message
    assert any("`inplace=True` deletes the column" in h.en for h in found[0].hints)
    assert not problems(result, "most_missing_column")


# --- case helpers -------------------------------------------------------------------------

def test_case_helpers_make_equal_inputs_from_equal_recipes(tmp_path, monkeypatch):
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    monkeypatch.setattr(recipes, "_scratch", [])  # as in a fresh child: its folder is made on first use
    recipe = {"args": ["csv_file(t[0])", "t[1]", "generator()"], "let": {"t": "house_table()"}, "seed": 5}
    (path, target, gen), _ = recipes.make(recipe)
    (again, target_again, gen_again), _ = recipes.make(recipe)
    assert path != again and open(path).read() == open(again).read() and target == target_again
    assert path.startswith(str(tmp_path))  # in the child, that is its scratch space
    assert torch.equal(torch.rand(3, generator=gen), torch.rand(3, generator=gen_again))
    table = pd.read_csv(path)
    numeric = table.drop(columns=target).select_dtypes("number")
    assert table[target].notna().all() and len(numeric.columns) >= 1
    assert len(table.columns) - 1 - len(numeric.columns) >= 1  # a categorical column too
    assert not numeric.isna().all().any()  # no numeric input entirely missing


def test_house_tables_differ_by_seed_and_put_the_target_anywhere():
    made = [recipes.make({"args": ["house_table()"], "seed": s})[0][0] for s in range(40)]
    places = {text.splitlines()[0].split(",").index(target) for text, target in made}
    assert len({text for text, _ in made}) == 40 and len(places) >= 4


# --- randomness ---------------------------------------------------------------------------

def test_a_sampler_drawing_elsewhere_from_the_generator_passes(tmp_path, course, runner):
    # Counts from uniform draws and bucketing: other numbers than the reference's draw, same law.
    result = submit(tmp_path, course, runner, "die-rolls", """
        import math
        import torch

        def roll_counts(probs, n, m, generator):
            edges = (probs / probs.sum()).double().cumsum(0)
            u = torch.rand(m, n, generator=generator, dtype=torch.float64)
            faces = torch.searchsorted(edges, u, right=True).clamp(max=len(probs) - 1)
            return torch.stack([(faces == k).sum(1) for k in range(len(probs))], dim=1).to(probs.dtype)

        def running_estimates(counts):
            cum = counts.cumsum(0)
            return cum / cum.sum(1, keepdim=True)

        def estimate_std(p, n, m):
            return math.sqrt(p * (1 - p) / (n * m))
    """)
    assert result.passed, problems(result)


def test_the_global_generator_and_reproducibility_are_judged_with_the_mistake_named(tmp_path, course, runner):
    result = submit(tmp_path, course, runner, "coin-variance", """
        import torch

        def head_frequencies(p, n, trials, generator):
            return (torch.rand(trials, n, dtype=torch.float64) < p).double().mean(dim=1)
    """)
    found = problems(result, "head_frequencies")
    assert found and all(p.kind == "generator" for p in found)
    assert "drew from torch's global random generator" in found[0].message
    assert any("`torch.rand` without `generator=generator`" in h.en for h in found[0].hints)


def test_a_statistic_off_by_far_fails_and_says_how_far(tmp_path, course, runner):
    result = submit(tmp_path, course, runner, "coin-variance", """
        import torch

        def head_frequencies(p, n, trials, generator):
            return torch.rand(trials, generator=generator, dtype=torch.float64)
    """)
    means = [p for p in problems(result, "head_frequencies") if "the mean of your frequencies" in p.message]
    assert means and "expected 0.5 (±" in means[0].message and "期望 0.5（±" in means[0].text.zh


def test_run_call_sees_the_global_generator_and_calls_again_with_an_equal_generator():
    namespace = type("M", (), {"honest": staticmethod(lambda g: torch.rand(2, generator=g)),
                               "sloppy": staticmethod(lambda g: torch.rand(2))})
    recipe = {"args": ["generator()"], "seed": 3}
    honest = run_call(namespace, Call("honest", recipe, probes=("rng", "again")))
    sloppy = run_call(namespace, Call("sloppy", recipe, probes=("rng", "again")))
    assert honest.probes["rng"] == "same" and torch.equal(honest.probes["again"][1], honest.result)
    assert sloppy.probes["rng"] == "changed" and not torch.equal(sloppy.probes["again"][1], sloppy.result)


# --- the watch on matrix products ---------------------------------------------------------

def test_a_product_over_the_limit_is_stopped_before_it_runs():
    namespace = type("M", (), {"chain": staticmethod(lambda a, b, c: a @ b @ c)})
    recipe = {"args": ["randn(30, 1)", "randn(1, 30)", "randn(30, 1)"], "seed": 1}
    out = run_call(namespace, Call("chain", recipe, probes=("max_product:100",)))
    assert out.error.type == "RuntimeError" and "a 30 × 1 matrix by a 1 × 30 one" in out.error.message
    assert out.probes["largest product"] == [30, 1, 30]
    fine = run_call(namespace, Call("chain", recipe, probes=("max_product:1000",)))
    assert fine.error is None and fine.result.shape == (30, 1)


# --- the course by section ----------------------------------------------------------------

def test_list_groups_by_section_with_progress_and_show_lists_a_section(tmp_path):
    import shutil

    for name in ("exercises", "solutions"):
        shutil.copytree(ROOT / name, tmp_path / name)
    listing = tutor("list", cwd=tmp_path).stdout
    sections = [line.split("│") for line in listing.splitlines() if line.split("│")[0].strip() in
                {"2.1", "2.2", "2.3", "2.4", "2.5", "2.6"}]
    assert [s[0].strip() for s in sections] == ["2.1", "2.2", "2.3", "2.4", "2.5", "2.6"]
    assert "Linear algebra" in sections[2][2] and "0/9 passed" in sections[2][3]
    shown = tutor("show", "2.3", "--lang", "zh", cwd=tmp_path)
    assert shown.returncode == 0 and "线性代数" in shown.stdout
    ids = [line.split("│")[0].strip() for line in shown.stdout.splitlines() if "│" in line]
    assert ids[:2] == ["2.3.1", "2.3.2"] and {"2.1.8.1", "2.1.9", "2.3.11"} <= set(ids) and "2.4.1" not in ids
    assert "按课程笔记编号" in shown.stdout.split("2.1.9")[1].splitlines()[0]
    assert not (tmp_path / "workspace" / "2.3.1-transpose-twice.py").exists()  # a list creates no file
    assert tutor("show", "2.9", cwd=tmp_path).returncode == 2


def test_a_relation_can_see_what_another_function_of_the_file_returns_on_the_same_inputs():
    namespace = type("M", (), {"l1": staticmethod(lambda p, q: (p - q).abs().sum()),
                               "l2": staticmethod(lambda p, q: (p - q).norm()),
                               "broken": staticmethod(lambda p, q: 1 / 0)})
    recipe = {"args": ["randn(3)", "randn(3)"], "seed": 2}
    probes = (relation_probe("bool(also['l2'] <= result)", also=["l2"]),
              relation_probe("also['broken'] is None and also['absent'] is None", also=["broken", "absent"]),
              relation_probe("bool(also['l2'] > result)", also=["l2"]))
    out = run_call(namespace, Call("l1", recipe, probes=probes))
    assert [out.probes[verdict_key(p)] for p in probes] == ["holds", "holds", "fails"]
    back = protocol.outcome(encode(out), 2)
    assert [back.probes[verdict_key(p)] for p in probes] == ["holds", "holds", "fails"]
