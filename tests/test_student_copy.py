"""A copy made by `tutor export-student` checks its visible cases on its own, from recorded
outcomes: never the reference code, never a hidden case."""
import ast
import re
import json
import os
import pickle
import shutil
import subprocess
import sys

import pytest

from conftest import nonempty, run_tutor, tutor
from grader.course.catalog import Course
from grader.grading.judge import judge, run_student
from grader.grading.recorded import SEED, recorded_file
from grader.instructor.validate import mistake_source

HIDDEN = "zebra-hidden-case"  # a label no file of tutor's holds: found in the copy, it leaked


@pytest.fixture(scope="module")
def full(small_course, tmp_path_factory):
    """The small course with a hidden case, last of 2.5.3's full_grad (the visible cases keep their inputs)."""
    root = tmp_path_factory.mktemp("full")
    shutil.copytree(small_course, root, dirs_exist_ok=True)
    path = root / "exercises" / "2.5.3-detach.yaml"
    last = '      - {random: 5, args: ["leaf(randn(*shape(1, 3)))"]}\n    checks: [value, grad]\n'
    text = path.read_text(encoding="utf-8")
    assert last in text
    hidden = f'      - {{label: {HIDDEN}, args: ["leaf(torch.full((3,), 7.25))"], hidden: true}}\n'
    path.write_text(text.replace(last, last.replace("    checks", hidden + "    checks")), encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def copy(full, tmp_path_factory):
    target = tmp_path_factory.mktemp("student") / "course"
    proc = run_tutor("export-student", str(target), cwd=full)
    assert proc.returncode == 0, proc.stderr
    assert not (target / "solutions").exists()
    return target


def tutor_in(folder, *args, env=None):
    """The copy's own tutor, as its student runs it (tutor's checkout would lend it its references)."""
    return subprocess.run([sys.executable, str(folder / "cli.py"), *args], cwd=folder, capture_output=True, text=True,
                          env={**os.environ, "COLUMNS": "200", **(env or {})}, timeout=600)


def _tests_of(proc) -> list[tuple]:
    return [(t["name"], t["status"], t["message"]) for t in json.loads(proc.stdout)["tests"]]


def test_a_starter_fails_as_in_the_full_course(full, copy, tmp_path):
    shutil.copytree(full, tmp_path / "full")  # its workspace is laid out by the check
    there = tutor("check", "--all", "--format", "json", "--seed", str(SEED), cwd=tmp_path / "full")
    here = tutor_in(copy, "check", "--all", "--format", "json")
    assert (there.returncode, here.returncode) == (1, 1), here.stderr
    expected = [t for t in _tests_of(there) if HIDDEN not in t[0]]
    assert len(expected) == len(_tests_of(there)) - 1  # the hidden case, and only it, is left out
    assert _tests_of(here) == nonempty(expected)
    assert all(status == "fail" for _, status, _ in expected)


def test_bare_tutor_and_list_point_at_a_check_that_runs(copy):
    welcome = tutor_in(copy)
    assert welcome.returncode == 0 and "tutor check 2.1.1" in welcome.stdout
    listed = tutor_in(copy, "list")
    assert listed.returncode == 0 and "2.5.3" in listed.stdout


def test_the_references_pass_and_the_report_says_where_hidden_checks_run(full, copy, tmp_path):
    student = tmp_path / "student"
    shutil.copytree(copy, student)
    shutil.copytree(full / "solutions", student / "workspace", dirs_exist_ok=True)
    proc = tutor_in(student, "check", "--all")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout.count("hidden checks run when your work is submitted") == 1
    assert "tutor solution" not in proc.stdout  # the copy has none to show
    zh = tutor_in(student, "check", "2.1.2", "--lang", "zh")
    assert zh.returncode == 0 and "隐藏的检查在提交作业后运行" in zh.stdout


def _hints(result) -> list[str]:
    return [h.en for r in result.results for p in r.problems for h in p.hints]


def test_each_known_mistake_gets_the_hint_it_gets_with_the_references(full, copy, runner, tmp_path):
    course, student = Course(full), Course(copy)
    checked = []
    for ex in student.exercises:
        for index, mistake in enumerate(ex.mistakes):
            path = tmp_path / f"{ex.file_stem}-{index}.py"
            path.write_text(mistake_source(course, course.get(ex.id), index), encoding="utf-8")
            run = run_student(ex, path, SEED, runner, hide=[course.solutions_dir])
            recorded = judge(ex, path, recorded_file(student, ex), SEED, run)
            assert not recorded.passed and mistake.hint.en in _hints(recorded), (ex.id, index)
            if ex.id != "2.5.3":  # the same cases in both (2.5.3's hidden one is not in the copy)
                with_references = judge(course.get(ex.id), path, course.solution_file(ex), SEED, run)
                assert _hints(recorded) == _hints(with_references), (ex.id, index)
            checked.append((ex.id, index))
    assert len(nonempty(checked)) >= 5


def test_another_seed_is_refused(copy):
    for args, env in ((["--seed", "7"], None), ([], {"TUTOR_SEED": "7"})):
        proc = tutor_in(copy, "check", "2.1.2", *args, env=env)
        assert proc.returncode == 2 and f"recorded at seed {SEED}, not 7" in proc.stderr, proc.stderr
        assert "Traceback" not in proc.stderr
    zh = tutor_in(copy, "check", "2.1.2", "--seed", "7", "--lang", "zh")
    assert zh.returncode == 2 and f"随机种子 {SEED} 下记录的期望值" in zh.stderr
    assert tutor_in(copy, "check", "2.1.2", "--seed", str(SEED)).returncode == 1  # the starter, checked


def _functions(source: str) -> list[str]:
    """Each function of a reference, its `def` line and body, as lines without their indentation
    (a known mistake, shipped in the exercise file, is the reference with a line changed or added)."""
    lines = source.splitlines()
    return ["\n".join(line.strip() for line in lines[node.lineno - 1:node.end_lineno])
            for node in ast.walk(ast.parse(source)) if isinstance(node, ast.FunctionDef)]


def test_no_file_of_the_copy_holds_reference_code_or_a_hidden_case(full, copy):
    functions = nonempty(f for path in sorted((full / "solutions").glob("*.py"))
                         for f in _functions(path.read_text(encoding="utf-8")))
    files = nonempty(p for p in copy.rglob("*") if p.is_file())
    assert nonempty(copy.glob("expected/*.outcomes"))
    for path in files:
        data = path.read_bytes()
        assert HIDDEN.encode() not in data, path
        flat = "\n".join(line.strip() for line in data.decode("utf-8", errors="replace").splitlines())
        for function in functions:
            assert function not in flat, (path, function)


def test_the_recording_holds_only_visible_cases(copy):
    data = recorded_file(Course(copy), Course(copy).get("2.5.3")).read_bytes()
    size = int.from_bytes(data[:8], "little")
    header = json.loads(data[8:8 + size])
    labels = {(e["function"], e["label"]) for e in header["entries"]}
    assert ("full_grad", "the example") in labels and header["seed"] == SEED
    assert not any(HIDDEN in label for _, label in labels)


class _Planted:
    """Unpickled, it would leave a file behind."""

    def __init__(self, path):
        self.path = path

    def __reduce__(self):
        return (open, (str(self.path), "w"))


@pytest.mark.parametrize("tamper", ["pickle", "header", "body", "exercise changed"])
def test_a_tampered_recording_is_a_clear_error(copy, tmp_path, tamper):
    student = tmp_path / "student"
    shutil.copytree(copy, student)
    course = Course(student)
    ex = course.get("2.1.2")
    path = recorded_file(course, ex)
    data = path.read_bytes()
    size = int.from_bytes(data[:8], "little")
    planted = tmp_path / "unpickled"
    if tamper == "pickle":
        path.write_bytes(pickle.dumps(_Planted(planted)))
    elif tamper == "header":
        path.write_bytes(data[:8] + data[8:8 + size].replace(b'"entries"', b'"entrees"') + data[8 + size:])
    elif tamper == "body":  # an outcome's own header no longer says where its tensors are
        path.write_bytes(data[:8 + size] + data[8 + size:].replace(b'"ref": "t0"', b'"ref": "t9"', 1))
    else:
        with open(ex.path, "a", encoding="utf-8") as f:
            f.write("# edited\n")
    proc = tutor_in(student, "check", "2.1.2")
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stderr and not planted.exists()
    said = "another version of 2.1.2-elementwise.yaml" if tamper == "exercise changed" else "cannot be read"
    assert said in proc.stderr, proc.stderr
    assert ex.id in proc.stderr


def test_watch_and_plot_work_in_the_copy_from_the_recordings(copy, tmp_path):
    import re
    import time

    drawn = tutor_in(copy, "plot", "2.5.3")  # the starter fails: its first difference is drawn
    assert "no reference solution" not in drawn.stderr and drawn.returncode in (0, 1), drawn.stderr
    assert "recorded at seed 1, not 7" in tutor_in(copy, "plot", "2.5.3", "--seed", "7").stderr  # the recorded seed only
    log = tmp_path / "watch.log"
    with open(log, "w") as out:
        proc = subprocess.Popen([sys.executable, str(copy / "cli.py"), "watch", "2.5.3"], cwd=copy,
                                stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
                                env={**os.environ, "COLUMNS": "200"})
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline and not re.search(r"\d+/\d+ checks passed", log.read_text()):
            time.sleep(0.2)
        assert re.search(rf"0/\d+ checks passed.*seed {SEED}\b", log.read_text()), log.read_text()
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_a_notebook_checks_in_the_copy_from_the_recordings(full, copy, monkeypatch):
    from test_notebook import Kernel

    monkeypatch.setenv("PYTHONPATH", str(copy))  # the copy's own engine, as its student has it
    monkeypatch.setenv("TUTOR_ROOT", str(copy))
    monkeypatch.setenv("TUTOR_LANG", "en")
    monkeypatch.delenv("TUTOR_SEED", raising=False)
    kernel = Kernel(copy)
    try:
        assert kernel.run("%load_ext grader.notebook")["error"] == ""
        assert kernel.run((full / "solutions" / "2.5.3-detach.py").read_text(encoding="utf-8"))["error"] == ""
        shown = kernel.run("%tutor check 2.5.3")
        assert "no reference solution" not in shown["text"] + shown["error"]
        assert re.search(r"(\d+)/\1 checks passed", shown["text"]), shown
        refused = kernel.run("%tutor check 2.5.3 --seed 7")
        assert "recorded at seed 1, not 7" in refused["text"] + refused["error"] + refused["stream"], refused
    finally:
        kernel.close()
