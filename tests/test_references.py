"""References students cannot see: solutions elsewhere, hidden cases, the student template."""
import datetime
import json
import shutil

import pytest

from conftest import ROOT, nonempty, tutor
from grader.course.catalog import Course
from grader.grading.judge import judge, run_student
from grader.course.model import load_exercise
from grader.output import formats


@pytest.fixture
def course_with_hidden(tmp_path):
    """The course, with 2.5.3's random cases of full_grad hidden until a date, and one hidden for good."""
    shutil.copytree(ROOT / "exercises", tmp_path / "exercises")
    shutil.copytree(ROOT / "solutions", tmp_path / "solutions")
    path = tmp_path / "exercises" / "2.5.3-detach.yaml"
    text = path.read_text(encoding="utf-8")
    marker = '''    checks: [value, grad]'''
    head, tail = text.split("  - name: full_grad", 1)
    tail = tail.replace('      - {random: 5, args: ["leaf(randn(*shape(1, 3)))"]}',
                        '      - {random: 5, args: ["leaf(randn(*shape(1, 3)))"], hidden: 2030-01-01}\n'
                        '      - {label: secret, args: ["leaf(torch.ones(3))"], hidden: true}', 1)
    assert marker in tail
    path.write_text(head + "  - name: full_grad" + tail, encoding="utf-8")
    return tmp_path


def grade_at(course, answer, today, runner):
    ex = course.get("detach")
    run = run_student(ex, answer, 5, runner, hide=[course.solutions_dir])
    return judge(ex, answer, course.solution_file(ex), 5, run, today=today)


def test_hidden_cases_count_but_show_only_their_name(course_with_hidden, tmp_path, runner):
    course = Course(course_with_hidden)
    answer = tmp_path / "wrong.py"
    answer.write_text("def full_grad(x):\n    return x.detach() * 3\n", encoding="utf-8")
    result = grade_at(course, answer, datetime.date(2029, 12, 31), runner)
    hidden = [r for r in result.results if r.hidden]
    assert len(hidden) == 6 and not any(r.passed for r in hidden)
    tests = json.loads(formats.exercism_json([result]))["tests"]
    secret = next(t for t in tests if "(secret)" in t["name"])
    assert secret["message"] == "hidden check" and secret["test_code"] == "full_grad" and secret["status"] == "fail"
    assert result.max_score == 1.0 and len(tests) == 13
    # After the date the dated ones are shown in full; the other stays hidden for good.
    later = json.loads(formats.exercism_json([grade_at(course, answer, datetime.date(2030, 1, 1), runner)]))["tests"]
    shown = [t for t in later if "full_grad (random" in t["name"]]
    assert all("values differ" in t["message"] for t in nonempty(shown))
    assert next(t for t in later if "(secret)" in t["name"])["message"] == "hidden check"


def test_hidden_check_in_text_output(course_with_hidden):
    answer = course_with_hidden / "wrong.py"
    answer.write_text("def full_grad(x):\n    return x.detach() * 3\n", encoding="utf-8")
    proc = tutor("check", "detach", "--file", str(answer), "--seed", "1", cwd=course_with_hidden)
    assert proc.returncode == 1
    secret = [line for line in proc.stdout.splitlines() if "secret" in line]
    assert secret and "(hidden check)" in secret[0] and "ones" not in secret[0]


def test_unknown_hidden_value_is_a_file_error(course_with_hidden):
    path = course_with_hidden / "exercises" / "2.5.3-detach.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("hidden: true", "hidden: someday"), encoding="utf-8")
    with pytest.raises(Exception) as info:
        load_exercise(path)
    assert "hidden" in str(info.value) and "2026-12-15" in str(info.value)


def test_export_student_leaves_out_solutions_and_hidden_cases(course_with_hidden, tmp_path):
    target = tmp_path / "student"
    proc = tutor("export-student", str(target), cwd=course_with_hidden)
    assert proc.returncode == 0, proc.stderr
    assert not (target / "solutions").exists() and (target / "cli.py").is_file()
    exported = Course(target)
    full_grad = exported.get("detach").function("full_grad")
    assert [c.label.en for c in full_grad.cases] == ["the example"]
    assert (target / "exercises" / "2.1.1-tensor-init.yaml").read_bytes() == \
        (course_with_hidden / "exercises" / "2.1.1-tensor-init.yaml").read_bytes()
    assert tutor("export-student", str(target), cwd=course_with_hidden).returncode == 2  # nothing overwritten


def test_solutions_elsewhere(tmp_path):
    shutil.copytree(ROOT / "exercises", tmp_path / "exercises")
    # An instructor's own course: not byte for byte the one tutor ships (whose references a
    # folder `tutor init` laid out grades with), so its references must be given.
    with open(tmp_path / "exercises" / "2.5.3-detach.yaml", "a", encoding="utf-8") as f:
        f.write("# our course\n")
    answer = str(ROOT / "solutions" / "2.5.3-detach.py")
    refused = tutor("check", "2.5.3", "--file", answer, cwd=tmp_path)
    assert refused.returncode == 2 and "no reference solution for 2.5.3" in refused.stderr
    assert "--solutions" in refused.stderr
    by_flag = tutor("check", "2.5.3", "--file", answer, "--solutions", str(ROOT / "solutions"),
                        "--format", "json", cwd=tmp_path)
    assert by_flag.returncode == 0 and json.loads(by_flag.stdout)["status"] == "pass"
    by_env = tutor("check", "2.5.3", "--file", answer, cwd=tmp_path, env={"TUTOR_SOLUTIONS": str(ROOT / "solutions")})
    assert by_env.returncode == 0
