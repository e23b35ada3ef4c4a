"""Grading a class: folders, zips and notebooks, in parallel, cached, sharded, merged."""
import csv
import shutil
import zipfile

import nbformat
import pytest

from conftest import ROOT, run_tutor


def rows(path):
    with open(path, newline="", encoding="utf-8") as f:
        return {row["student"]: row for row in csv.DictReader(f)}


@pytest.fixture(scope="module")
def klass(tmp_path_factory):
    root = tmp_path_factory.mktemp("class")
    alice = root / "alice" / "workspace"
    alice.mkdir(parents=True)
    for name in ("2.5.3-detach.py", "2.1.1-tensor-init.py"):
        shutil.copy(ROOT / "solutions" / name, alice / name)
    bob = root / "bob"
    bob.mkdir()
    shutil.copy(ROOT / "solutions" / "2.5.3-detach.py", bob / "2.5.3-detach.py")
    (bob / "2.1.1-tensor-init.py").write_text("while True:\n    pass\n", encoding="utf-8")  # hangs on import
    with zipfile.ZipFile(root / "carol.zip", "w") as z:
        z.write(ROOT / "solutions" / "2.1.9-norms.py", "carol/2.1.9-norms.py")
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("my answers"),
                nbformat.v4.new_code_cell("%matplotlib inline\n!pip list\nimport torch"),
                nbformat.v4.new_code_cell("def grad_two_dot(x):\n    y = 2 * torch.dot(x, x)\n    y.backward()\n"
                                          "    return x.grad\n")]
    nbformat.write(nb, str(root / "dave.ipynb"))
    with zipfile.ZipFile(root / "eve.zip", "w") as z:
        z.writestr("../../escape.py", "x = 1\n")
    return root


@pytest.fixture(scope="module")
def graded(klass, tmp_path_factory):
    out = tmp_path_factory.mktemp("out")
    subs = [str(klass / n) for n in ("alice", "bob", "carol.zip", "dave.ipynb", "eve.zip")]
    proc = run_tutor("grade", *subs, "--out", str(out), "--jobs", "2")
    return proc, out, subs


def test_every_kind_of_submission_is_graded_into_the_gradebook(graded):
    proc, out, _ = graded
    book = rows(out / "grades.csv")
    assert set(book) == {"alice", "bob", "carol", "dave", "eve"}
    assert float(book["alice"]["2.5.3"]) == 1.0 and float(book["alice"]["2.1.1"]) == 1.0
    assert float(book["alice"]["total"]) == 2.0
    assert float(book["carol"]["2.1.9"]) == 1.0 and float(book["carol"]["total"]) == 1.0
    assert float(book["dave"]["2.5.1"]) == 1.0  # the notebook's code cells, magics skipped
    for name in ("results.json", "gradescope.json", "junit.xml", "report.txt"):
        assert (out / "alice" / name).is_file()


def test_a_hostile_file_costs_only_its_own_checks(graded):
    proc, out, _ = graded
    book = rows(out / "grades.csv")
    assert float(book["bob"]["2.5.3"]) == 1.0 and float(book["bob"]["2.1.1"]) == 0.0
    assert "importing your file did not finish" in (out / "bob" / "report.txt").read_text()


def test_a_bad_zip_is_an_error_row_not_a_crash(graded):
    proc, out, _ = graded
    assert proc.returncode == 1  # a student could not be graded
    assert "eve" in proc.stderr and "outside itself" in proc.stderr
    assert rows(out / "grades.csv")["eve"]["total"] == "0.0"


def test_unchanged_students_are_not_graded_again(graded, klass):
    _, out, subs = graded
    again = run_tutor("grade", *subs[:4], "--out", str(out))
    assert again.returncode == 0 and "(4 unchanged since the last run)" in again.stdout
    (klass / "bob" / "2.1.1-tensor-init.py").write_text((ROOT / "solutions" / "2.1.1-tensor-init.py").read_text())
    changed = run_tutor("grade", *subs[:4], "--out", str(out))
    assert "(3 unchanged since the last run)" in changed.stdout
    assert float(rows(out / "grades.csv")["bob"]["2.1.1"]) == 1.0


def test_shards_partition_the_class_and_merge_back(graded, tmp_path):
    _, out, subs = graded
    subs = subs[:4]
    parts = []
    for k in (1, 2):
        part = tmp_path / f"shard{k}"
        assert run_tutor("grade", *subs, "--out", str(part), "--shard", f"{k}/2").returncode == 0
        parts.append(part / "grades.csv")
    students = [set(rows(p)) for p in parts]
    assert not students[0] & students[1] and students[0] | students[1] == {"alice", "bob", "carol", "dave"}
    merged = tmp_path / "all.csv"
    assert run_tutor("gradebook", "merge", *map(str, parts), "--out", str(merged)).returncode == 0
    assert set(rows(merged)) == {"alice", "bob", "carol", "dave"}
    clash = run_tutor("gradebook", "merge", str(parts[0]), str(parts[0]), "--out", str(merged))
    assert clash.returncode == 2 and "more than one gradebook" in clash.stderr
