"""Grading a class: folders, zips and notebooks, in parallel, cached, sharded, merged."""
import csv
import json
import shutil
import tempfile
import zipfile
from pathlib import Path

import nbformat
import pytest

from conftest import ROOT, SHORT, nonempty, run_tutor, tutor
from grader.instructor import bulk

SOLUTION_2_5_1 = "def grad_two_dot(x):\n    y = 2 * torch.dot(x, x)\n    y.backward()\n    return x.grad\n"


def rows(path):
    with open(path, newline="", encoding="utf-8-sig") as f:
        return {row["student"]: row for row in csv.DictReader(f)}


def notebook(path, *cells):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(code) for code in cells]
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, str(path))


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
    # A notebook per exercise, with Jupyter's checkpoint copy beside it (never graded)
    notebook(root / "frank" / "2.5.1-scalar-backward.ipynb", "import torch", SOLUTION_2_5_1)
    notebook(root / "frank" / ".ipynb_checkpoints" / "answers-checkpoint.ipynb", "raise SystemExit")
    # One notebook holding the answers to several exercises, and a Chinese name
    detach = (ROOT / "solutions" / "2.5.3-detach.py").read_text(encoding="utf-8")
    notebook(root / "张三" / "answers.ipynb", "import torch", SOLUTION_2_5_1, detach)
    return root


@pytest.fixture(scope="module")
def graded(klass, small_course, tmp_path_factory):
    out = tmp_path_factory.mktemp("out")
    subs = [str(klass / n) for n in ("alice", "bob", "carol.zip", "dave.ipynb", "eve.zip", "frank", "张三")]
    proc = tutor("grade", *subs, "--out", str(out), "--jobs", "2", cwd=small_course, env=SHORT)  # bob hangs
    return proc, out, subs


def test_every_kind_of_submission_is_graded_into_the_gradebook(graded):
    proc, out, _ = graded
    book = rows(out / "grades.csv")
    assert set(book) == {"alice", "bob", "carol", "dave", "eve", "frank", "张三"}
    assert float(book["alice"]["2.5.3"]) == 1.0 and float(book["alice"]["2.1.1"]) == 1.0
    assert float(book["alice"]["total"]) == 2.0
    assert float(book["carol"]["2.1.9"]) == 1.0 and float(book["carol"]["total"]) == 1.0
    assert float(book["dave"]["2.5.1"]) == 1.0  # the notebook's code cells, magics skipped
    for name in ("results.json", "gradescope.json", "junit.xml", "report.txt"):
        assert (out / "students" / "alice" / name).is_file()
    files = {e["id"]: e["file"] for e in json.loads((out / "students" / "carol" / "results.json").read_text())["exercises"]}
    assert files["2.1.9"] == "carol.zip/carol/2.1.9-norms.py"  # named inside the submission, never a temp path
    report = (out / "students" / "carol" / "report.txt").read_text(encoding="utf-8")
    assert "carol.zip/carol/2.1.9-norms.py" in report and "tutor-grade-" not in report  # the text report too


def test_notebooks_per_exercise_and_one_for_all_are_graded(graded):
    _, out, _ = graded
    book = rows(out / "grades.csv")
    assert float(book["frank"]["2.5.1"]) == 1.0 and float(book["frank"]["total"]) == 1.0
    assert float(book["张三"]["2.5.1"]) == 1.0 and float(book["张三"]["2.5.3"]) == 1.0
    assert float(book["张三"]["total"]) == 2.0
    files = {e["id"]: e["file"] for e in json.loads((out / "students" / "frank" / "results.json").read_text())["exercises"]}
    assert files["2.5.1"] == "2.5.1-scalar-backward.ipynb"


def test_the_gradebook_is_safe_to_open_in_a_spreadsheet(graded):
    _, out, _ = graded
    data = (out / "grades.csv").read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")  # UTF-8 with a BOM: Excel keeps 张三
    numbers = [cell for row in rows(out / "grades.csv").values() for key, cell in row.items()
               if key not in ("student", "error")]
    assert all(cell == repr(float(cell)) for cell in nonempty(numbers))  # 1.0 and 0.0, never 1 or 0


def test_a_hostile_file_costs_only_its_own_checks(graded):
    proc, out, _ = graded
    book = rows(out / "grades.csv")
    assert float(book["bob"]["2.5.3"]) == 1.0 and float(book["bob"]["2.1.1"]) == 0.0
    assert "importing your file did not finish" in (out / "students" / "bob" / "report.txt").read_text()


def test_a_bad_zip_is_an_error_row_not_a_crash(graded):
    proc, out, _ = graded
    assert proc.returncode == 1  # a student could not be graded
    assert "eve" in proc.stderr and "outside itself" in proc.stderr
    assert rows(out / "grades.csv")["eve"]["total"] == "0.0"


def test_unchanged_students_are_not_graded_again(graded, klass, small_course):
    _, out, subs = graded
    # In a process of its own: with nothing to grade, it starts no sandbox and imports no torch.
    again = run_tutor("grade", *subs[:4], "--out", str(out), cwd=small_course, env={"PYTHONPROFILEIMPORTTIME": "1"})
    assert again.returncode == 0 and "(4 unchanged since the last run)" in again.stdout, again.stderr[-2000:]
    imported = nonempty(line.rsplit("|", 1)[1].strip() for line in again.stderr.splitlines()
                        if line.startswith("import time:"))
    assert "torch" not in imported and "grader.sandbox.runner" not in imported
    (klass / "bob" / "2.1.1-tensor-init.py").write_text((ROOT / "solutions" / "2.1.1-tensor-init.py").read_text())
    changed = tutor("grade", *subs[:4], "--out", str(out), cwd=small_course)
    assert "(3 unchanged since the last run)" in changed.stdout
    assert float(rows(out / "grades.csv")["bob"]["2.1.1"]) == 1.0


def test_shards_partition_the_class_and_merge_back(graded, tmp_path, small_course):
    _, out, subs = graded
    subs = subs[:4]
    parts = []
    # The index from the job engine: a Kubernetes Indexed Job, then a Slurm array numbered from 1.
    engines = [{"JOB_COMPLETION_INDEX": "0", "TUTOR_SHARD_COUNT": "2"},
               {"SLURM_ARRAY_TASK_ID": "2", "SLURM_ARRAY_TASK_MIN": "1", "SLURM_ARRAY_TASK_COUNT": "2"}]
    for k, env in zip((1, 2), engines):
        part = tmp_path / f"shard{k}"
        proc = tutor("grade", *subs, "--out", str(part), "--shard", "auto", env=env, cwd=small_course)
        assert proc.returncode == 0 and f"shard {k}/2:" in proc.stdout, proc.stderr
        parts.append(part / "grades.csv")
    students = [set(rows(p)) for p in parts]
    assert not students[0] & students[1] and students[0] | students[1] == {"alice", "bob", "carol", "dave"}
    merged = tmp_path / "all.csv"
    assert tutor("gradebook", "merge", *map(str, parts), "--out", str(merged)).returncode == 0
    assert set(rows(merged)) == {"alice", "bob", "carol", "dave"}
    assert merged.read_bytes().startswith(b"\xef\xbb\xbf")
    clash = tutor("gradebook", "merge", str(parts[0]), str(parts[0]), "--out", str(merged))
    assert clash.returncode == 2 and "both shard 1/2" in clash.stderr
    # A shard's gradebook alone is not the class: the missing shard is named.
    alone = tutor("gradebook", "merge", str(parts[0]), "--out", str(tmp_path / "one.csv"))
    assert alone.returncode == 2 and "shard 2/2 of 2 missing" in alone.stderr
    assert not (tmp_path / "one.csv").exists()
    partial = tutor("gradebook", "merge", str(parts[0]), "--partial", "--out", str(tmp_path / "one.csv"))
    assert partial.returncode == 0 and "without shard 2/2" in partial.stderr
    assert set(rows(tmp_path / "one.csv")) == students[0]
    # The class report merges shards as the gradebook does, and links into each shard's folder.
    report = tutor("report", *(str(p.parent) for p in parts), "-o", str(tmp_path / "report.html"))
    assert report.returncode == 0 and "(4 students)" in report.stdout, report.stderr
    html = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert all(f'href="shard{k}/students/' in html for k in (1, 2)) and html.count('/feedback.html"') == 4
    alone = tutor("report", str(parts[0].parent), "-o", str(tmp_path / "one.html"))
    assert alone.returncode == 2 and "shard 2/2 of 2 missing" in alone.stderr


def test_a_re_run_writes_the_same_gradebook(klass, tmp_path, small_course):
    subs = [str(klass / n) for n in ("dave.ipynb", "eve.zip", "frank")]
    books = []
    for name in ("one", "two"):  # each from scratch: nothing cached
        tutor("grade", *subs, "--out", str(tmp_path / name), "--jobs", "2", cwd=small_course)
        books.append((tmp_path / name / "grades.csv").read_bytes())
    assert books[0] == books[1] and b"tutor-grade-" not in books[0]


def test_hostile_names_write_nothing_outside_out(klass, tmp_path, small_course):
    course = tmp_path / "course"
    out = course / "grades"
    out.mkdir(parents=True)
    (course / "keep.txt").write_text("the course", encoding="utf-8")
    (out / "keep.txt").write_text("earlier grades", encoding="utf-8")
    for name in ("...zip", "..zip"):  # students ".." and "."
        shutil.copy(klass / "carol.zip", tmp_path / name)
        proc = tutor("grade", str(tmp_path / name), "--out", str(out), cwd=small_course)
        assert proc.returncode == 2 and "cannot name a student" in proc.stderr
    assert (course / "keep.txt").read_text() == "the course" and (out / "keep.txt").read_text() == "earlier grades"
    # A student named like the gradebook, or like a shard's note, has a folder of their own.
    for name in ("grades.csv", "shard.json"):
        shutil.copytree(klass / "frank", tmp_path / name)
    proc = tutor("grade", str(tmp_path / "grades.csv"), str(tmp_path / "shard.json"), "--out", str(out),
                     cwd=small_course)
    assert proc.returncode == 0, proc.stderr
    assert set(rows(out / "grades.csv")) == {"grades.csv", "shard.json"}
    assert (out / "students" / "grades.csv" / "results.json").is_file() and not (out / "shard.json").exists()


@pytest.mark.parametrize("name", ["..", ".", ".hidden", "a\\b", "a:b", "x" * 101, "a\x1bb", "-x", "=cmd", " a", "a "])
def test_names_that_cannot_be_students(tmp_path, name):
    path = tmp_path / f"{name}.ipynb"
    path.write_text("{}", encoding="utf-8")
    assert path.stem == name
    with pytest.raises(ValueError, match="cannot name a student"):
        bulk.discover([path])


def test_names_that_differ_only_in_case_are_one_student(tmp_path):
    for name in ("Alice", "alice"):
        (tmp_path / name).mkdir()
    if len(list(tmp_path.iterdir())) < 2:
        pytest.skip("this file system ignores case")
    with pytest.raises(ValueError, match="two submissions"):
        bulk.discover([tmp_path / "Alice", tmp_path / "alice"])


def test_no_student_folder_outside_out_even_through_a_link(tmp_path):
    out = tmp_path / "out"
    (out / "students").mkdir(parents=True)
    (out / "students" / "mallory").symlink_to(tmp_path)
    with pytest.raises(ValueError, match="outside"):
        bulk.student_dir(out, "mallory")
    assert bulk.student_dir(out, "alice") == out / "students" / "alice"


def test_the_cache_key_sees_paths_and_versions(tmp_path, course, monkeypatch):
    sub = bulk.Submission("alice", tmp_path / "alice")
    (sub.path / "v1").mkdir(parents=True)
    (sub.path / "v1" / "2.5.3-detach.py").write_text("x = 1\n", encoding="utf-8")
    before = bulk.content_hash(sub, course, 1)
    (sub.path / "v1").rename(sub.path / "v2")  # the same bytes, somewhere else: graded differently
    moved = bulk.content_hash(sub, course, 1)
    assert moved != before
    monkeypatch.setattr(bulk.metadata, "version", lambda name: "99.0" if name == "torch" else "0.1.0")
    bulk._tool_digest.cache_clear()
    try:
        assert bulk.content_hash(sub, course, 1) != moved
    finally:
        bulk._tool_digest.cache_clear()


def test_shard_from_the_job_engine():
    assert bulk.parse_shard("2/3", {}) == (2, 3)
    assert bulk.parse_shard("auto", {"JOB_COMPLETION_INDEX": "2", "TUTOR_SHARD_COUNT": "3"}) == (3, 3)
    assert bulk.parse_shard("auto/4", {"SLURM_ARRAY_TASK_ID": "0"}) == (1, 4)
    assert bulk.parse_shard("auto", {"TUTOR_SHARD_INDEX": "1", "JOB_COMPLETION_INDEX": "0",
                                     "TUTOR_SHARD_COUNT": "2"}) == (2, 2)  # the explicit one first
    for spec, env, said in (("auto", {}, "none of"), ("auto", {"JOB_COMPLETION_INDEX": "0"}, "number of shards"),
                            ("auto/2", {"JOB_COMPLETION_INDEX": "2"}, "does not exist"), ("0/2", {}, "does not exist"),
                            ("x", {}, "expected K/N")):
        with pytest.raises(ValueError, match=said):
            bulk.parse_shard(spec, env)


def test_gradebook_cells_are_text_or_numbers(tmp_path, course):
    temporary = Path(tempfile.gettempdir()) / "tutor-grade-ab_12"  # as a worker's folder is named
    rows_in = [{"student": "alice", "total": 1, "2.5.3": 1},
               {"student": "bob", "total": 0.0, "error": "=HYPERLINK(\"http://evil\")"},
               {"student": "carol", "total": 0.0, "error": f"FileNotFoundError: {temporary}/x.py"}]
    bulk.write_gradebook(rows_in, course, tmp_path / "g.csv")
    book = rows(tmp_path / "g.csv")
    assert book["alice"]["total"] == "1.0" and book["alice"]["2.5.3"] == "1.0" and book["alice"]["2.1.1"] == "0.0"
    assert book["bob"]["error"].startswith("'=")
    assert book["carol"]["error"] == "FileNotFoundError: <submission>/x.py"


def test_a_class_is_not_graded_while_an_exercise_file_is_broken(tmp_path):
    course = tmp_path / "course"
    for name in ("exercises", "solutions"):
        shutil.copytree(ROOT / name, course / name)
    bad = course / "exercises" / "2.1.9-norms.yaml"
    bad.write_text(bad.read_text(encoding="utf-8").replace("checks: [value]", "checks: [valu]", 1), encoding="utf-8")
    student = tmp_path / "alice"
    shutil.copytree(ROOT / "solutions", student)
    proc = run_tutor("grade", str(student), "--out", str(tmp_path / "out"), cwd=course)
    assert proc.returncode == 2 and "2.1.9-norms.yaml:" in proc.stderr and "not grading" in proc.stderr
    assert not (tmp_path / "out" / "grades.csv").exists()
