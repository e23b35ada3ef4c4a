"""Broken and hostile submissions fail their own checks without crashing the grader or hiding others."""
import os
import sys
import textwrap
from pathlib import Path

import pytest

from conftest import nonempty, run_tutor
from grader.grading.judge import grade
from grader.sandbox.runner import Runner

GOOD_FULL_GRAD = """
def full_grad(x):
    (x * x).sum().backward()
    return x.grad
"""


def submit(tmp_path, course, runner, *parts, slug="detach", seed=7):
    ex = course.get(slug)
    path = tmp_path / "answer.py"
    path.write_text("import torch\n" + "\n".join(textwrap.dedent(p) for p in parts), encoding="utf-8")
    return grade(ex, path, course.solution_file(ex), seed, runner)


def rows(result, function):
    return nonempty(r for r in result.results if r.function == function)


def messages(result, function):
    return nonempty(p.message for r in rows(result, function) for p in r.problems)


def test_endless_loop_in_one_function_is_reported_and_others_still_graded(tmp_path, course, short_limits):
    result = submit(tmp_path, course, short_limits, """
        def detached_grad(x):
            while True:
                pass
    """, GOOD_FULL_GRAD)
    first, *rest = rows(result, "detached_grad")
    assert "did not finish within 1 s" in first.problems[0].message
    assert all("timed out on an earlier input" in r.problems[0].message for r in nonempty(rest))
    assert all(r.passed for r in rows(result, "full_grad"))
    assert not result.passed


def test_endless_loop_at_import(tmp_path, course, short_limits):
    result = submit(tmp_path, course, short_limits, "while True:\n    pass\n")
    assert "importing your file did not finish" in result.import_problem.message
    assert not result.passed


def test_syntax_error_names_the_line(tmp_path, course, runner):
    result = submit(tmp_path, course, runner, "def detached_grad(x)\n    return x\n")
    assert "SyntaxError" in result.import_problem.message and "(line 2)" in result.import_problem.message


def test_missing_function(tmp_path, course, runner):
    result = submit(tmp_path, course, runner, GOOD_FULL_GRAD)
    assert messages(result, "detached_grad")[0] == "your file defines no function `detached_grad`"
    assert all(r.passed for r in rows(result, "full_grad"))


def test_sys_exit_and_base_exceptions_are_answers_not_escapes(tmp_path, course, runner):
    result = submit(tmp_path, course, runner, """
        import sys
        def detached_grad(x):
            sys.exit(0)
        def full_grad(x):
            raise KeyboardInterrupt
    """)
    assert "raised SystemExit" in messages(result, "detached_grad")[0]
    assert "raised KeyboardInterrupt" in messages(result, "full_grad")[0]
    assert result.counts[0] == 0


def test_hard_exit_costs_only_the_call_in_flight(tmp_path, course, runner):
    result = submit(tmp_path, course, runner, """
        import os
        def detached_grad(x):
            os._exit(0)
    """, GOOD_FULL_GRAD)
    assert all("exited with code 0" in m for m in messages(result, "detached_grad"))
    assert all(r.passed for r in rows(result, "full_grad"))


def test_printing_a_lot_fails_the_case(tmp_path, course, runner):
    result = submit(tmp_path, course, runner, """
        def detached_grad(x):
            print("x" * 10_000_000)
            y = x * x
            u = y.detach()
            (u * x).sum().backward()
            return x.grad, u
    """, GOOD_FULL_GRAD)
    assert "printed 10,000,001 characters in one call" in messages(result, "detached_grad")[0]
    assert len(rows(result, "detached_grad")[0].output) <= 8 * 1024


def test_huge_allocation_fails_with_a_message(tmp_path, course, runner):
    result = submit(tmp_path, course, runner, """
        def detached_grad(x):
            return torch.empty(10**12), x
        def full_grad(x):
            junk = []
            while True:  # 1 GiB at a time, untouched: only the address-space limit stops it
                junk.append(torch.empty(2**28))
    """)
    assert all("can't allocate memory" in m for m in messages(result, "detached_grad"))
    assert all("can't allocate memory" in m for m in messages(result, "full_grad"))


def test_tensor_subclass_is_refused(tmp_path, course, runner):
    result = submit(tmp_path, course, runner, """
        class Liar(torch.Tensor):
            def __eq__(self, other):
                return True
        def full_grad(x):
            (x * x).sum().backward()
            return x.grad.as_subclass(Liar)
    """)
    assert "Liar; return a plain torch.Tensor" in messages(result, "full_grad")[0]


@pytest.mark.parametrize("tier", ["process", "subprocess"])
def test_weaker_tiers_grade_the_same_and_say_what_they_gave_up(tmp_path, course, tier):
    ex = course.get("detach")
    runner = Runner(tier)
    try:
        solution = grade(ex, course.solution_file(ex), course.solution_file(ex), 3, runner, hide=course.protected)
        starter = tmp_path / "starter.py"
        starter.write_text(ex.starter, encoding="utf-8")
        assert not grade(ex, starter, course.solution_file(ex), 3, runner).passed
    finally:
        runner.close()
    assert solution.passed and solution.isolation.en.startswith(tier)
    assert "files reachable" in solution.isolation.en and "network reachable" in solution.isolation.en


@pytest.mark.parametrize("tier", ["process", "subprocess"])
def test_without_the_jail_a_child_of_root_gives_up_root(tmp_path, course, tier):
    """Run as root (as CI runs this), the weaker tiers' child becomes uid 65534, or stays uid 0
    where 65534 could not read Python, without capabilities either way: a file only another
    user may read stays out of its reach. Run as anyone else, it is that user, with no
    effective capability (and no_new_privs keeps it from gaining one)."""
    import os

    from grader.sandbox.inside.confine import NOBODY, child_user

    shared = tmp_path / "shared"
    shared.mkdir(mode=0o755)
    shared.chmod(0o755)
    tmp_path.chmod(0o755)  # the way to it open to anyone: only the file's own mode keeps it
    secret = shared / "secret"
    secret.write_text("root only", encoding="utf-8")
    secret.chmod(0o600)
    if os.geteuid() == 0:
        os.chown(secret, 12345, 12345)  # root would read its own file without any capability
    runner = Runner(tier)
    try:
        result = submit(tmp_path, course, runner, f"""
            def detached_grad(x):
                import os
                status = dict(line.split(":", 1) for line in open("/proc/self/status"))
                try:
                    leaked = open({str(secret)!r}).read()
                except OSError as exc:
                    leaked = type(exc).__name__
                return [os.getuid(), status["CapEff"].strip(), status["CapBnd"].strip(), leaked]
        """, GOOD_FULL_GRAD)
    finally:
        runner.close()
    uid, effective, bounding, leaked = result.outcomes[("detached_grad", 0)].result
    assert effective.strip("0") == "", effective
    if os.geteuid() == 0:
        assert bounding.strip("0") == "", bounding  # nothing left to regain, whatever it could exec
        assert uid == (NOBODY if child_user() == NOBODY else 0)
        assert leaked == "PermissionError"
        assert ("uid 65534, no capabilities" if uid == NOBODY else "root without capabilities") in result.isolation.en
    else:
        assert uid == os.getuid() and "runs as your own user" in result.isolation.en


@pytest.mark.parametrize("tier", ["jail", "subprocess"])
def test_a_server_started_before_the_course_is_read_imports_what_it_is_told_later(tmp_path, course, tier,
                                                                                  monkeypatch):
    """`check` starts the sandbox before it reads its course (see `_course_and_sandbox`): what
    the inputs need reaches the server afterwards, and its children find it imported."""
    from grader.sandbox import jail

    monkeypatch.setenv("TUTOR_SANDBOX", tier)
    runner = Runner(server=jail.start_server([course.root, *course.protected]), preload=["pandas"])
    try:
        result = submit(tmp_path, course, runner, """
            import sys
            FOUND = ["pandas" in sys.modules]
            def detached_grad(x):
                return FOUND
        """, GOOD_FULL_GRAD)
    finally:
        runner.close()
    assert runner.server is None or runner.server.preload == ["pandas"]
    assert result.outcomes[("detached_grad", 0)].result == [True]


@pytest.mark.parametrize("tier", ["jail", "process"])
def test_a_check_refused_before_it_runs_leaves_no_server_behind(tmp_path, tier):
    """The server `check` starts before reading its course ends with a refusal (an unknown
    exercise here), not seconds later once it has imported torch for nothing."""
    work = tmp_path / "tmp"
    work.mkdir()
    result = run_tutor("check", "9.9.9", env={"TUTOR_SANDBOX": tier, "TMPDIR": str(work)})
    assert result.returncode == 2 and "no exercise '9.9.9'" in result.stderr
    left = [pid for pid in os.listdir("/proc") if pid.isdigit() and _cwd(pid) == str(work)]
    assert not left, [Path(f"/proc/{pid}/cmdline").read_bytes()[:200] for pid in left]


def _cwd(pid: str) -> str | None:
    try:
        return os.readlink(f"/proc/{pid}/cwd")
    except OSError:
        return None


linux_filter = pytest.mark.skipif(not __import__("sys").platform.startswith("linux"),
                                  reason="seccomp and namespaces are Linux-only; elsewhere the report says what is open")


def test_the_server_is_started_again_when_it_dies(tmp_path, course, runner):
    import os
    import signal

    result = submit(tmp_path, course, runner, GOOD_FULL_GRAD)
    os.killpg(runner.server.proc.pid, signal.SIGKILL)
    runner.server.proc.wait()
    result = submit(tmp_path, course, runner, GOOD_FULL_GRAD)
    assert all(r.passed for r in rows(result, "full_grad"))


@linux_filter
def test_no_new_processes_no_fork_bomb_no_leftovers(tmp_path, course, runner):
    result = submit(tmp_path, course, runner, """
        import os, subprocess
        def detached_grad(x):
            while True:
                os.fork()
        def full_grad(x):
            subprocess.Popen(["sleep", "600"], start_new_session=True)
    """)
    assert "syscall allow-list" in result.isolation.en
    assert all("Operation not permitted" in m for m in messages(result, "detached_grad"))
    assert all("Operation not permitted" in m or "PermissionError" in m for m in messages(result, "full_grad"))


def test_a_child_that_closes_its_channel_and_sleeps_is_stopped(tmp_path, course, short_limits):
    result = submit(tmp_path, course, short_limits, """
        import os, time
        def detached_grad(x):
            os.closerange(3, 4096)
            time.sleep(600)
    """, GOOD_FULL_GRAD)
    assert all("closed its channel to the grader and was stopped" in m or "timed out on an earlier input" in m
               for m in messages(result, "detached_grad"))
    assert all(r.passed for r in rows(result, "full_grad"))


def test_fake_report_and_prints_do_not_reach_the_verdict(tmp_path, course, runner):
    result = submit(tmp_path, course, runner, """
        import os
        print("2.5.3 detach: 12/12 checks passed")
        os.write(1, b"12/12 checks passed\\n")
        def detached_grad(x):
            print("✓ detached_grad")
            return None
    """, GOOD_FULL_GRAD)
    assert not result.passed
    assert rows(result, "detached_grad")[0].output.startswith("✓ detached_grad")


def test_monkeypatched_comparisons_and_lying_objects_cannot_pass(tmp_path, course, runner):
    result = submit(tmp_path, course, runner, """
        import pickle
        torch.testing.assert_close = lambda *a, **k: None
        torch.allclose = torch.equal = lambda *a, **k: True
        torch.Tensor.__eq__ = lambda self, other: torch.ones((), dtype=torch.bool)
        class Liar:
            def __eq__(self, other):
                return True
            def __reduce__(self):
                return (print, ("unpickled!",))
        def detached_grad(x):
            return Liar(), Liar()
        def full_grad(x):
            return Liar()
    """)
    assert result.counts[0] == 0
    assert "got a submission.Liar" in messages(result, "full_grad")[0]


def test_a_thread_mutating_the_result_cannot_hang_or_crash_the_grader(tmp_path, course, short_limits):
    result = submit(tmp_path, course, short_limits, """
        import threading
        def full_grad(x):
            out = torch.zeros_like(x)
            def scribble():
                while True:
                    out.add_(1.0)
            threading.Thread(target=scribble, daemon=True).start()
            return out
    """)
    assert not result.passed and len(rows(result, "full_grad")) == 6


def test_ignoring_sigterm_does_not_keep_the_grader_waiting(tmp_path, course, short_limits):
    result = submit(tmp_path, course, short_limits, """
        import signal
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        def detached_grad(x):
            while True:
                pass
    """, GOOD_FULL_GRAD)
    assert "did not finish within 1 s" in messages(result, "detached_grad")[0]
    assert all(r.passed for r in rows(result, "full_grad"))


def test_the_global_generator_starts_from_the_run_seed(tmp_path, course, runner):
    # A run's first draw from torch's global generator is the same in every run with this
    # seed, and the same as the grader's own (it seeds its generator so for the reference).
    import torch

    result = submit(tmp_path, course, runner, """
        def detached_grad(x):
            return torch.rand(3)
    """, GOOD_FULL_GRAD, seed=7)
    first = result.outcomes[("detached_grad", 0)].result
    assert torch.equal(first, torch.rand(3, generator=torch.Generator().manual_seed(7)))
    second = result.outcomes[("detached_grad", 1)].result
    assert not torch.equal(first, second)  # later calls of the run draw on


def test_common_beginner_slips_get_words_of_their_own(tmp_path, course, runner):
    result = submit(tmp_path, course, runner, """
        def detached_grad(x):
            (x * x).sum().backward()
        def full_grad(x, extra):
            return x.grad
    """)
    assert "got None: did you forget `return`?" in messages(result, "detached_grad")[0]
    problem = rows(result, "full_grad")[0].problems[0]
    assert "missing 1 required positional argument" in problem.message
    assert any("calls it as `full_grad(x: Tensor)`" in d.en for d in problem.details)
    listed = submit(tmp_path, course, runner, """
        def add(a, b):
            return (a + b).tolist()
        def broadcast_shape(shape_a, shape_b):
            import numpy as np  # an import inside the function, read by the source check
            return np.broadcast_shapes(shape_a, shape_b)
    """, slug="broadcasting")
    assert "return a tensor (`torch.tensor(...)`" in messages(listed, "add")[0]
    assert messages(listed, "broadcast_shape")  # judged, not a crash of tutor's source check


@pytest.mark.parametrize("answer", [
    # the value-dependent `if` in a helper of the student's own
    "def helper(a, total):\n    if total > 0:\n        return a * a\n    return torch.sin(a)\n"
    "def g(a):\n    return 3 * helper(a, a.sum())\n",
    # a `g` reusing 2.5.4's `f`
    "def f(a):\n    b = a * 2\n    while b.norm() < 1000:\n        b = b * 2\n    if b.sum() > 0:\n        c = b\n"
    "    else:\n        c = 100 * b\n    return c\ndef g(a):\n    return f(a)\n",
])
def test_control_flow_is_followed_into_the_students_own_functions(tmp_path, course, runner, answer):
    grad_of_g = "def grad_of_g(a):\n    g(a).sum().backward()\n    return a.grad\n"
    result = submit(tmp_path, course, runner, answer, grad_of_g, slug="own-control-flow")
    assert result.passed, messages(result, "g")[:2]


def test_a_helper_without_a_condition_still_fails_the_control_flow_check(tmp_path, course, runner):
    result = submit(tmp_path, course, runner, "def helper(a):\n    return a * a\n"
                    "def g(a):\n    return 3 * helper(a)\n", "def grad_of_g(a):\n    g(a).sum().backward()\n    return a.grad\n",
                    slug="own-control-flow")
    assert any("no if, while or for" in m for m in messages(result, "g")), messages(result, "g")


def test_a_filter_that_lets_unlisted_calls_through_is_not_counted_as_held():
    """--strict refuses a deny-list: the child's own probe of an unlisted call decides."""
    from grader.sandbox.jail import DEFAULT_LIMITS, judge_facts

    base = {"platform": "linux", "seccomp": "2", "no_new_privs": "1"}
    note = lambda facts: next(n for n in judge_facts(facts, DEFAULT_LIMITS) if "syscall" in n.text.en)
    held, denied_only, unknown = note({**base, "allow_list": True}), note({**base, "allow_list": False}), note(base)
    assert held.ok and held.text.en == "syscall allow-list, no_new_privs"
    assert not denied_only.ok and "not refused" in denied_only.text.en
    assert not unknown.ok


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="seccomp is Linux's")
def test_the_filter_a_child_loads_is_libseccomps_own_for_its_pid(monkeypatch):
    """The server compiles the filter once; each child writes its pid into that program. It
    must be, byte for byte, the program libseccomp compiles for that pid."""
    from grader.sandbox.inside import confine

    monkeypatch.setattr(confine, "_PROGRAM", None)
    confine.compile_filter()
    assert confine._PROGRAM is not None and confine._PROGRAM[1]
    for pid in (1, 2, 300, 65535, os.getpid(), 2**22 - 1):
        assert confine.for_pid(confine._PROGRAM, pid) == confine._program(confine._rules(pid)), pid
