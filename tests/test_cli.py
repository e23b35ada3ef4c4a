"""The commands as a student or instructor runs them: output and exit codes."""
import json
import re
import shutil

import pytest

from conftest import ROOT, run_tutor, tutor
from grader.course.catalog import Course

TOTAL = len(Course(ROOT).exercises)  # no test hard-codes the size of the course


@pytest.fixture
def course_copy(tmp_path):
    """A private copy of the course, so workspace files and state stay out of the repo."""
    for name in ("exercises", "solutions"):
        shutil.copytree(ROOT / name, tmp_path / name)
    return tmp_path


def test_list_shows_every_exercise_without_importing_torch(course_copy):
    code = ("import sys; sys.argv = ['tutor', 'list']; import cli\n"
            "try:\n    cli.app()\nexcept SystemExit:\n    pass\n"
            "assert 'torch' not in sys.modules, 'tutor list imported torch'")
    import subprocess, sys, os
    proc = subprocess.run([sys.executable, "-c", code], cwd=course_copy, capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(ROOT), "COLUMNS": "200"})
    assert proc.returncode == 0, proc.stderr
    assert "2.5.3" in proc.stdout and "detach" in proc.stdout and "not started" in proc.stdout
    assert "0/" in proc.stdout and " passed" in proc.stdout


def test_show_by_slug_creates_the_file_to_edit(course_copy):
    proc = run_tutor("show", "detach", cwd=course_copy)
    assert proc.returncode == 0, proc.stderr
    assert "detached_grad(x: Tensor) -> tuple[Tensor, Tensor]" in proc.stdout
    assert (course_copy / "workspace" / "2.5.3-detach.py").is_file()
    assert "tutor check 2.5.3" in proc.stdout


def test_show_in_chinese(course_copy):
    proc = tutor("show", "2.5.3", "--lang", "zh", cwd=course_copy)
    assert "分离计算" in proc.stdout


def test_unknown_exercise_is_a_usage_error(course_copy):
    proc = tutor("check", "9.9.9", cwd=course_copy)
    assert proc.returncode == 2 and "no exercise '9.9.9'" in proc.stderr


def test_missing_file_is_a_usage_error(course_copy):
    proc = tutor("check", "2.5.3", "--file", "nowhere.py", cwd=course_copy)
    assert proc.returncode == 2 and "no such file" in proc.stderr


def test_broken_exercise_file_is_named(course_copy):
    bad = course_copy / "exercises" / "2.5.3-detach.yaml"
    bad.write_text(bad.read_text(encoding="utf-8").replace("checks: [value, grad]", "checks: [value, gard]"),
                   encoding="utf-8")
    proc = tutor("list", cwd=course_copy)
    assert proc.returncode == 2
    assert "2.5.3-detach.yaml:" in proc.stderr and "unknown check kind 'gard'" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert "2.5.1" in proc.stdout  # the other exercises are still listed
    # ...and still graded, with the broken file named on the way.
    proc = tutor("check", "2.5.1", "--file", "solutions/2.5.1-scalar-backward.py", cwd=course_copy)
    assert proc.returncode == 0 and "unknown check kind 'gard'" in proc.stderr


def test_check_starter_fails_then_solution_passes_and_progress_is_recorded(course_copy):
    proc = run_tutor("check", "detach", "--seed", "1", cwd=course_copy)
    assert proc.returncode == 1
    assert "raised NotImplementedError: detached_grad" in proc.stdout  # the function's name: one starter for both languages
    assert "replay with --seed 1" in proc.stdout
    shutil.copy(course_copy / "solutions" / "2.5.3-detach.py", course_copy / "workspace" / "2.5.3-detach.py")
    proc = run_tutor("check", "2.5.3", cwd=course_copy)
    assert proc.returncode == 0, proc.stdout
    assert "checks passed" in proc.stdout
    listing = run_tutor("list", cwd=course_copy).stdout
    assert "passed" in listing.split("2.5.3")[1].splitlines()[0]


def test_check_a_named_file_shows_the_known_mistake(course_copy, tmp_path):
    answer = tmp_path / "answer.py"
    answer.write_text("import torch\n"
                      "def detached_grad(x):\n    y = x * x\n    u = y.detach()\n    z = u * x\n"
                      "    z.backward()\n    return x.grad, u\n", encoding="utf-8")
    proc = tutor("check", "2.5.3", "--file", str(answer), "--seed", "2", cwd=course_copy)
    assert proc.returncode == 1
    assert "grad can be implicitly created only for scalar outputs" in proc.stdout
    assert "hint:" in proc.stdout and "z.sum().backward()" in proc.stdout
    assert "your file defines no function `full_grad`" in proc.stdout
    assert "Traceback" not in proc.stdout + proc.stderr


def test_hint_advances(course_copy):
    first = run_tutor("hint", "detach", cwd=course_copy).stdout
    second = run_tutor("hint", "detach", cwd=course_copy).stdout
    assert "Hint 1/" in first and "Hint 2/" in second


def test_reset_restores_the_starter(course_copy):
    tutor("show", "detach", cwd=course_copy)
    path = course_copy / "workspace" / "2.5.3-detach.py"
    path.write_text("# my work\n", encoding="utf-8")
    assert run_tutor("reset", "detach", cwd=course_copy, input="n\n").returncode == 1
    assert path.read_text(encoding="utf-8") == "# my work\n"
    assert tutor("reset", "detach", "--yes", cwd=course_copy).returncode == 0
    assert "raise NotImplementedError" in path.read_text(encoding="utf-8")


def test_check_needs_an_exercise_or_all(course_copy):
    assert tutor("check", cwd=course_copy).returncode == 2


def test_a_bug_in_tutor_is_reported_as_ours_without_a_traceback(course_copy, monkeypatch):
    import grader.grading.judge

    def broken(*args, **kwargs):
        raise ValueError("boom")

    monkeypatch.setattr(grader.grading.judge, "judge", broken)
    result = tutor("check", "2.5.3", "--file", str(course_copy / "solutions" / "2.5.3-detach.py"),
                   env={"TUTOR_ROOT": str(course_copy)})
    output = result.stdout + result.stderr
    assert result.returncode == 2
    assert "a bug in tutor, not in your code" in output and "ValueError: boom" in output
    assert "Traceback" not in output
    saved = output.split("details in ")[1].split()[0]
    assert "ValueError: boom" in open(saved, encoding="utf-8").read()


def test_strict_grades_when_the_sandbox_is_complete(course_copy):
    proc = tutor("check", "2.5.3", "--strict", "--file", "solutions/2.5.3-detach.py", cwd=course_copy)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "syscall allow-list" in " ".join(proc.stdout.split())  # wherever the line wraps


def test_strict_refuses_when_a_layer_is_missing(course_copy):
    # The process tier: the same server and filter, but no jail around them.
    proc = tutor("check", "2.5.3", "--strict", cwd=course_copy, env={"TUTOR_SANDBOX": "process"})
    assert proc.returncode == 2
    said = " ".join(proc.stderr.split())  # unwrap the terminal's line breaks
    assert "refusing to grade" in said and "no bubblewrap jail" in said and "network reachable" in said
    assert not (course_copy / "workspace" / ".tutor-state.json").exists()  # nothing was graded


def test_check_a_notebook(course_copy, tmp_path):
    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("%load_ext autoreload\n!echo hi\nimport torch"),
                nbformat.v4.new_markdown_cell("my answer"),
                nbformat.v4.new_code_cell((ROOT / "solutions" / "2.5.3-detach.py").read_text()),
                # exploration left behind: it raises, and is not part of the exercise's program
                nbformat.v4.new_code_cell("x = torch.ones(3)\nprint(detached_grad(x), not_defined_anywhere)")]
    path = tmp_path / "answer.ipynb"
    nbformat.write(nb, str(path))
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    proc = tutor("check", "2.5.3", "--file", str(path), cwd=course_copy, env={"TMPDIR": str(scratch)})
    assert proc.returncode == 0, proc.stdout
    # the notebook, not the .py made from it, and the cell graded (the exploration after it is not,
    # which the student is told)
    assert "answer.ipynb (cell 3)" in proc.stdout.splitlines()[0]
    assert "answer.ipynb: cell 4 holds code outside your functions; it is not run when grading." in proc.stderr
    assert not list(scratch.glob("tutor-nb-*"))  # nothing left behind
    (tmp_path / "junk.ipynb").write_text("not a notebook", encoding="utf-8")
    bad = tutor("check", "2.5.3", "--file", str(tmp_path / "junk.ipynb"), cwd=course_copy)
    assert bad.returncode == 2 and "not a readable notebook" in bad.stderr


def test_language_follows_the_locale(course_copy):
    unset = {"LC_ALL": "", "LC_MESSAGES": "", "TUTOR_LANG": ""}  # empty counts as unset
    assert "分离计算" in tutor("show", "2.5.3", cwd=course_copy, env={**unset, "LANG": "zh_CN.UTF-8"}).stdout
    assert "Detaching" in tutor("show", "2.5.3", cwd=course_copy, env={**unset, "LANG": "en_US.UTF-8"}).stdout
    assert "Detaching" in tutor("show", "2.5.3", cwd=course_copy,
                                    env={**unset, "LANG": "zh_CN.UTF-8", "TUTOR_LANG": "en"}).stdout


def test_solution_is_shown_only_after_a_pass_and_list_marks_the_next(course_copy):
    assert run_tutor("solution", "detach", cwd=course_copy).returncode == 1
    listing = tutor("list", cwd=course_copy).stdout
    assert "← next" in listing.split("2.1.1")[1].splitlines()[0]
    (course_copy / "workspace").mkdir(exist_ok=True)
    shutil.copy(course_copy / "solutions" / "2.1.1-tensor-init.py", course_copy / "workspace" / "2.1.1-tensor-init.py")
    checked = tutor("check", "2.1.1", cwd=course_copy)
    assert checked.returncode == 0 and "tutor solution 2.1.1" in checked.stdout
    shown = tutor("solution", "2.1.1", cwd=course_copy)
    assert shown.returncode == 0 and "def standard_normal" in shown.stdout
    listing = tutor("list", cwd=course_copy).stdout
    assert "← next" in listing.split("2.1.2")[1].splitlines()[0] and f"1/{TOTAL} passed" in listing
    state = json.loads((course_copy / "workspace" / ".tutor-state.json").read_text())
    assert state["2.1.1"]["passed_at"] == state["2.1.1"]["checked_at"]


def test_first_run_explains_and_init_lays_out_a_workspace(tmp_path):
    empty = tmp_path / "new"
    empty.mkdir()
    hello = run_tutor(cwd=empty)
    assert hello.returncode == 0 and "tutor init ." in hello.stdout and "Next: tutor show 2.1.1" in hello.stdout
    made = tutor("init", cwd=empty)
    assert made.returncode == 0 and "Start with: tutor show 2.1.1" in made.stdout
    assert len(list((empty / "workspace").glob("*.py"))) == TOTAL
    assert not (empty / "solutions").exists()  # the references stay with tutor
    assert "tutor init" not in tutor(cwd=empty).stdout  # now a course of its own
    assert tutor("check", "2.5.3", cwd=empty).returncode == 1  # the starter, graded here
    assert tutor("solution", "2.5.3", cwd=empty).returncode != 0  # not before it passes
    shutil.copy(ROOT / "solutions" / "2.5.3-detach.py", empty / "workspace" / "2.5.3-detach.py")
    assert tutor("check", "2.5.3", cwd=empty).returncode == 0
    assert "def detached_grad" in tutor("solution", "2.5.3", cwd=empty).stdout
    # An exercise changed here is not the one the shipped reference answers.
    exercise = empty / "exercises" / "2.5.3-detach.yaml"
    exercise.write_text(exercise.read_text() + "\n")
    refused = tutor("check", "2.5.3", cwd=empty)
    assert refused.returncode == 2 and "no reference solution for 2.5.3" in refused.stderr
    assert tutor("init", cwd=empty).returncode == 2  # nothing overwritten


def test_every_label_of_the_tool_is_in_both_languages():
    import string

    from grader.messages.ui import WORDS

    for key, text in WORDS.items():
        fields = [{f for _, f, _, _ in string.Formatter().parse(getattr(text, lang)) if f} for lang in ("en", "zh")]
        # English alone needs a plural "s".
        assert text.en.strip() and text.zh.strip() and fields[1] <= fields[0] and fields[0] - fields[1] <= {"s"}, key


def test_every_feedback_message_is_in_both_languages():
    import re
    import string

    from grader.messages.feedback import FEEDBACK

    for key, text in FEEDBACK.items():
        fields = [{f for _, f, _, _ in string.Formatter().parse(getattr(text, lang)) if f} for lang in ("en", "zh")]
        # English alone needs its grammar: "a"/"an", and a plural "s".
        assert fields[1] <= fields[0] and fields[0] - fields[1] <= {"a", "s"}, key
        # Words to translate (beyond placeholders, articles and names) need Chinese ones.
        words = set(re.findall(r"[A-Za-z]+", re.sub(r"\{[^}]*\}", "", text.en))) - {"a", "an", "None", "Python"}
        assert text.en.strip() and (not words or re.search(r"[\u4e00-\u9fff]", text.zh)), key


def test_the_sandbox_line_is_said_in_chinese():
    import re

    from test_zh import sandbox_lines

    jail, process, fallback = (line.zh for line in sandbox_lines())
    for zh in (jail, process, fallback):
        assert set(re.findall(r"[A-Za-z_]+", zh)) <= {"bubblewrap", "uid", "IPC", "CPU", "MiB", "no_new_privs", "c",
                                                      "solutions", "OSError", "no", "libseccomp", "bwrap", "No",
                                                      "permissions", "to", "create", "a", "new", "namespace"}, zh
    assert jail.startswith("bubblewrap 沙箱；独立的用户命名空间，uid 65534，无任何权能；") and "资源限制" in jail
    assert "文件可触及（/c/solutions）" in process and "无系统调用过滤（OSError: no libseccomp）" in process
    assert "无内存限制；无 CPU 时间限制；无文件大小限制" in process
    # what bwrap said is data, kept as it came; "no syscall filter" on Linux without the child's reason
    assert fallback.startswith("独立进程（无法建立沙箱：bwrap: No permissions to create a new namespace）；")
    assert "主机的磁盘" in fallback and "无系统调用过滤（此处不支持）" in fallback


def test_check_explains_a_wrong_answer_in_chinese(tmp_path):
    answer = tmp_path / "a.py"
    answer.write_text("import torch\n\ndef matmul(A, B):\n    C = torch.mm(A, B)\n    C[0, -1] += 1.0\n    return C\n"
                      "\ndef dot(x, y):\n    return x * y\n", encoding="utf-8")
    out = tutor("check", "2.1.8.2.1", "--file", str(answer), "--lang", "zh").stdout
    for said in ("结果：数值不同", "第一处不同在索引 (0, 2)", "最大绝对误差", "你的文件没有定义函数 `matvec`", "期望", "你的结果"):
        assert said in out, said
    for english in ("values differ", "first difference", "defines no function", "Greatest"):
        assert english not in out, english


def test_command_errors_speak_chinese(course_copy):
    proc = tutor("check", "9.9", "--lang", "zh", cwd=course_copy)
    assert proc.returncode == 2 and "错误：" in proc.stderr and "没有练习 '9.9'" in proc.stderr
    proc = tutor("check", "2.5.3", "--file", "nope.py", "--lang", "zh", cwd=course_copy)
    assert proc.returncode == 2 and "没有这个文件：nope.py" in proc.stderr
    proc = tutor("reset", "2.5.3", "--yes", cwd=course_copy, env={"TUTOR_LANG": "zh"})
    assert proc.returncode == 0 and "已恢复" in proc.stdout


def test_show_and_list_speak_chinese(course_copy):
    shown = tutor("show", "2.5.3", "--lang", "zh", cwd=course_copy).stdout
    assert "编写这些函数" in shown and "然后运行" in shown
    listing = tutor("list", "--lang", "zh", cwd=course_copy).stdout
    assert "未开始" in listing and "← 下一个" in listing and f"已通过 0/{TOTAL}" in listing
    header = [w for w in listing.splitlines()[0].split() if w != "┃"]
    assert header == ["编号", "短名", "标题", "状态"], header  # no English column names in Chinese


def test_list_uses_its_index_until_an_exercise_file_changes(course_copy):
    import os
    import subprocess
    import sys

    assert tutor("list", cwd=course_copy).returncode == 0  # writes the index
    assert (course_copy / "workspace" / ".tutor-index.json").is_file()
    code = ("import sys; sys.argv = ['tutor', 'list']; import cli\n"
            "try:\n    cli.app()\nexcept SystemExit:\n    pass\n"
            "print('MODEL LOADED' if 'grader.course.model' in sys.modules else 'INDEX ONLY')")
    env = {**os.environ, "PYTHONPATH": str(ROOT), "COLUMNS": "200"}
    cached = subprocess.run([sys.executable, "-c", code], cwd=course_copy, capture_output=True, text=True, env=env)
    assert "INDEX ONLY" in cached.stdout and "Detaching computation" in cached.stdout
    path = course_copy / "exercises" / "2.5.3-detach.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("en: Detaching computation", "en: Detaching, renamed"),
                    encoding="utf-8")
    fresh = subprocess.run([sys.executable, "-c", code], cwd=course_copy, capture_output=True, text=True, env=env)
    assert "MODEL LOADED" in fresh.stdout and "Detaching, renamed" in fresh.stdout


def test_check_all_with_a_broken_exercise_file_fails_and_names_it_in_every_format(small_course, tmp_path):
    course_copy = tmp_path / "course"
    shutil.copytree(small_course, course_copy)
    bad = course_copy / "exercises" / "2.1.9-norms.yaml"
    lines = bad.read_text(encoding="utf-8").splitlines(keepends=True)
    at = next(i for i, line in enumerate(lines) if line.strip() == "checks: [value]")
    lines[at] = lines[at].replace("[value]", "[valu]")
    bad.write_text("".join(lines), encoding="utf-8")
    where = f"2.1.9-norms.yaml:{at + 1}"
    out = {fmt: course_copy / f"out.{fmt}" for fmt in ("text", "junit", "gradescope", "github")}
    proc = tutor("check", "--all", "--seed", "1", "--format", "json",
                     *(f"-o{fmt}={path}" for fmt, path in out.items()), cwd=course_copy,
                     env={"GITHUB_STEP_SUMMARY": ""})
    assert proc.returncode == 2, proc.stderr  # not a run over the others, green or not
    doc = json.loads(proc.stdout)
    assert doc["status"] != "pass" and any(where in (t["message"] or "") for t in doc["tests"])
    for fmt, path in out.items():
        assert where in path.read_text(encoding="utf-8"), fmt
    assert "::error file=exercises/2.1.9-norms.yaml,line=" in out["github"].read_text(encoding="utf-8")
    proc = tutor("check", "--all", "--seed", "1", cwd=course_copy)
    assert proc.returncode == 2 and where in proc.stdout and "unknown check kind 'valu'" in proc.stdout
    assert "Total: 0/" in proc.stdout  # check --all ends with the total of what it could check


def test_one_wrong_rule_reads_in_one_glance(course_copy):
    """A broadcast_shape that forgets one rule: passing cases collapsed per function, one hint
    per failure, no hint twice, no sandbox line while the jail held, in 25 lines at most."""
    answer = course_copy / "workspace" / "2.1.3-broadcasting.py"
    answer.parent.mkdir(exist_ok=True)
    answer.write_text((course_copy / "solutions" / "2.1.3-broadcasting.py").read_text(encoding="utf-8")
                      .replace("if x == y or y == 1:", "if x == y:"), encoding="utf-8")
    proc = tutor("check", "2.1.3", cwd=course_copy, env={"TUTOR_SEED": "1"})
    lines = proc.stdout.splitlines()
    assert proc.returncode == 1 and 5 < len(lines) <= 25, proc.stdout
    assert sum(line.lstrip().startswith("✓ broadcast_shape") for line in lines) == 1
    hints = [line for line in lines if line.lstrip().startswith("hint:")]
    assert hints and len(hints) == len(set(hints))
    assert "sandbox:" not in proc.stdout
    assert "sandbox: jail" in tutor("check", "2.1.3", "-v", cwd=course_copy, env={"TUTOR_SEED": "1"}).stdout


def test_a_mistyped_exercise_or_path_says_what_was_meant(course_copy):
    said = tutor("show", "tensor", cwd=course_copy)
    assert said.returncode == 2 and "did you mean tensor-init (2.1.1)" in said.stderr, said.stderr
    assert "did you mean detach (2.5.3)?" in tutor("check", "detatch", cwd=course_copy).stderr
    assert "known ids: 2.1.1" in tutor("show", "zzz", cwd=course_copy).stderr  # nothing alike: the list
    folder = tutor("check", "2.1.1", "--file", "exercises", cwd=course_copy)
    assert folder.returncode == 2 and "exercises is a folder" in folder.stderr, folder.stderr
    missing = tutor("grade", "no-such-student", "--out", "out", cwd=course_copy)
    assert missing.returncode == 2 and "no-such-student: no such file or folder" in missing.stderr, missing.stderr


def _commands(command, path=()):
    yield path
    for name, sub in getattr(command, "commands", {}).items():
        yield from _commands(sub, path + (name,))


def test_every_option_of_every_command_is_described():
    # In both languages, from messages/help.py: the table the app's help is set from.
    import typer.main

    import cli
    from grader.messages.help import help_text

    root = typer.main.get_command(cli.app)
    undescribed, seen = [], 0
    for path in _commands(root):
        command = root
        for name in path:
            command = command.commands[name]
        key = " ".join(path)
        for text, what in [(help_text(key), key)] + [(help_text(key, p.name), f"{key} {p.name}") for p in command.params]:
            seen += 1
            if text is None or not text.en or not re.search(r"[\u4e00-\u9fff]", text.zh):
                undescribed.append(what)
        if not hasattr(command, "commands"):  # the language of its messages and help, as everywhere
            assert "lang" in [p.name for p in command.params], key
    assert seen > 60 and not undescribed, undescribed


def test_hints_go_forward_and_any_one_can_be_read_again(course_copy):
    first = tutor("hint", "2.5.3", cwd=course_copy).stdout
    last = tutor("hint", "2.5.3", cwd=course_copy).stdout
    assert "Hint 1/2" in first and "Hint 2/2" in last and "tutor hint 2.5.3 --all" in last
    assert "Hint 1/2" in tutor("hint", "2.5.3", "1", cwd=course_copy).stdout
    every = tutor("hint", "2.5.3", "--all", cwd=course_copy).stdout
    assert "Hint 1/2" in every and "Hint 2/2" in every
    beyond = tutor("hint", "2.5.3", "3", cwd=course_copy)
    assert beyond.returncode == 2 and "there is no hint 3" in beyond.stderr


def test_an_exercise_whose_file_is_broken_is_named_as_such(course_copy):
    bad = course_copy / "exercises" / "2.1.9-norms.yaml"
    bad.write_text(bad.read_text(encoding="utf-8").replace("checks: [value]", "checks: [valu]", 1), encoding="utf-8")
    proc = run_tutor("validate", "2.1.9", cwd=course_copy)
    assert proc.returncode == 2 and "2.1.9-norms.yaml:" in proc.stderr, proc.stderr
    assert "which does not load" in proc.stderr and "no exercise" not in proc.stderr


def test_help_is_chinese_for_a_chinese_student(monkeypatch):
    # `--help` is answered before any option is read: TUTOR_LANG and `--lang zh` both choose it.
    import re

    import typer.main
    from typer.testing import CliRunner

    import cli

    commands = list(_commands(typer.main.get_command(cli.app)))
    assert len(commands) > 15
    names = {"Jupyter", "Exercism", "Gradescope", "PyTorch", "CI", "GitHub"}  # proper names, kept
    for path in commands:
        for args, env in (([*path, "--help"], {"TUTOR_LANG": "zh"}), ([*path, "--lang", "zh", "--help"], {"TUTOR_LANG": "en"})):
            if args[-3:-1] == ["--lang", "zh"] and path and path[0] in ("gradebook", "gradescope") and len(path) == 1:
                continue  # a group of commands has no --lang of its own
            out = CliRunner().invoke(cli.app, args, env=env, terminal_width=100).output
            assert "用法：" in out and "显示这份帮助并退出" in out, (path, out)
            usage, rest = out.split("用法：", 1)[1].split("\n", 1)  # the command's own path, then the help
            assert "[选项]" in usage, usage
            prose = re.sub(r"`[^`]*`|<[^>]*>|\$\w+|--?[\w-]+|\b[\w.-]+\.(py|ipynb|zip|csv|sh|html|png)\b|"
                           r"\b[A-Z_=/.]{2,}\b|\b\w+/", " ", rest)
            prose = re.sub("|".join(names), " ", prose)
            english = re.findall(r"[A-Za-z]{2,}(?:[ ,]+[A-Za-z]{2,})+", prose)
            assert not english, (path, english)
    english = CliRunner().invoke(cli.app, ["check", "--help"], env={"TUTOR_LANG": "en"}, terminal_width=100).output
    assert "Usage:" in english and "─ Options ─" in english and "Check every exercise." in english


def test_every_command_takes_its_seed_from_one_place(course_copy):
    """--seed, else TUTOR_SEED, in check and validate alike; a TUTOR_SEED that is no number is
    a usage error naming it."""
    checked = tutor("check", "2.5.3", cwd=course_copy, env={"TUTOR_SEED": "4242"})
    assert "seed 4242" in checked.stdout
    validated = tutor("validate", "2.5.3", cwd=course_copy, env={"TUTOR_SEED": "4242"})
    assert validated.returncode == 0 and "seed 4242" in validated.stdout, validated.stdout
    for command in (["check", "2.5.3"], ["validate", "2.5.3"]):
        bad = tutor(*command, cwd=course_copy, env={"TUTOR_SEED": "soon"})
        assert bad.returncode == 2 and "TUTOR_SEED must be a whole number, not 'soon'" in bad.stderr
        assert "Traceback" not in bad.stderr


def test_a_notebooks_errors_are_located_by_cell_and_line(course_copy, tmp_path):
    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("# my answers"),
                nbformat.v4.new_code_cell("%matplotlib inline\nimport torch"),
                nbformat.v4.new_code_cell("def helper(v):\n    return v * 2\n\n\ndef detached_grad(x):\n"
                                          "    y = x * x\n    raise ValueError('oops')\n"),
                nbformat.v4.new_code_cell("def full_grad(x):\n    return helper(x)\n")]
    path = tmp_path / "answer.ipynb"
    nbformat.write(nb, str(path))
    proc = tutor("check", "2.5.3", "--file", str(path), cwd=course_copy)
    assert "raised ValueError: oops (cell 3, line 7 of your notebook)" in proc.stdout, proc.stdout
    nb.cells[3].source = "def full_grad(x):\n    return helper(x)\n  oops"  # does not parse
    nbformat.write(nb, str(path))
    proc = tutor("check", "2.5.3", "--file", str(path), cwd=course_copy)
    assert "IndentationError" in proc.stdout and "(cell 4, line 3)" in proc.stdout, proc.stdout
