"""The warm worker, the runner of platforms without fork (macOS, Windows): tested on Linux
through the same code path, which TUTOR_SANDBOX=subprocess selects; and the warm child, a
fork server's child that `tutor grade` runs a student's exercises in. One process runs a
student's exercises one after another; nothing one leaves behind may change the next one's
verdict, and a hang, a crash or an exit costs only its own exercise."""
import textwrap

import pytest

from conftest import SHORT, nonempty
from grader.grading.judge import grade
from grader.sandbox.runner import Runner


@pytest.fixture(scope="module", params=["warm worker", "warm child"])
def warm(request):
    runner = Runner(kind="subprocess") if request.param == "warm worker" else Runner(warm=True)
    runner.time_scale = float(SHORT["TUTOR_TIME_SCALE"])  # the hang below waits 1 s
    yield runner
    runner.close()


def _grade(runner, course, tmp_path, slug, source=None):
    ex = course.get(slug)
    path = course.solution_file(ex)
    if source is not None:
        path = tmp_path / f"{slug}.py"
        path.write_text(textwrap.dedent(source), encoding="utf-8")
    return grade(ex, path, course.solution_file(ex), 3, runner)


def test_one_worker_runs_exercise_after_exercise(warm, course, tmp_path):
    assert not warm.parallel
    first = _grade(warm, course, tmp_path, "detach")
    pid = warm.worker.pid
    second = _grade(warm, course, tmp_path, "reductions")
    assert first.passed and second.passed
    assert warm.worker.pid == pid, "the worker was replaced between two clean exercises"


# What a submission can leave behind in the interpreter, each of which changed the verdict
# of a correct answer graded after it in the same process.
LEFT_BEHIND = {
    "default dtype": "torch.set_default_dtype(torch.float64)",
    "grad mode": "torch.set_grad_enabled(False)",
    "torch.sum": "torch.sum = lambda *args, **kwargs: torch.tensor(0.0)",
    "Tensor.sum": "torch.Tensor.sum = lambda self, *args, **kwargs: torch.tensor(0.0)",
    "a torch attribute deleted": "del torch.ones",
    "the global generator": "torch.manual_seed(12345); torch.rand(1000)",
    "sys.modules": "import sys; sys.modules['torch'] = None",
    "print options": "torch.set_printoptions(precision=1)",
    "anomaly mode": "torch.autograd.set_detect_anomaly(True)",
}


@pytest.mark.parametrize("damage", LEFT_BEHIND)
def test_what_one_exercise_leaves_behind_never_changes_the_next_verdict(warm, course, tmp_path, damage):
    _grade(warm, course, tmp_path, "detach", f"""
        import torch
        {LEFT_BEHIND[damage]}
        def detached_grad(x):
            return None
        def full_grad(x):
            return None
    """)
    for slug in ("detach", "reductions", "vector-backward"):
        result = _grade(warm, course, tmp_path, slug)
        failed = [p.message for r in result.results for p in r.problems]
        assert result.passed, (slug, failed[:3])


@pytest.mark.parametrize("trouble, said", [
    ("while True:\n                pass", "did not finish within"),
    ("import os; os._exit(3)", "exited with code 3"),
    ("import ctypes; ctypes.string_at(0)", "SIGSEGV"),
])
def test_a_hang_a_crash_or_an_exit_costs_only_its_own_exercise(warm, course, tmp_path, trouble, said):
    result = _grade(warm, course, tmp_path, "detach", f"""
        import torch
        def detached_grad(x):
            {trouble}
        def full_grad(x):
            (x * x).sum().backward()
            return x.grad
    """)
    messages = [p.message for r in result.results if r.function == "detached_grad" for p in r.problems]
    assert messages and said in messages[0], messages[:2]
    assert all(r.passed for r in nonempty(r for r in result.results if r.function == "full_grad"))
    after = _grade(warm, course, tmp_path, "reductions")
    assert after.passed


def test_its_account_of_its_confinement_is_the_one_it_gave_before_its_first_job(warm, course, tmp_path):
    """What it says of itself later, a student's code has had the chance to change (here, the
    account it keeps to send again): the report still says what held before the first job."""
    first = _grade(warm, course, tmp_path, "reductions")
    _grade(warm, course, tmp_path, "detach", """
        import gc
        for kept in gc.get_objects():
            if isinstance(kept, dict) and "seccomp" in kept and "namespaces" in kept:
                kept.update(seccomp="0", caps=["ffffffffff"] * 3, uid=0, interfaces=["eth0"])
        def detached_grad(x):
            return None
        def full_grad(x):
            return None
    """)
    after = _grade(warm, course, tmp_path, "reductions")
    assert after.passed and after.isolation == first.isolation, (after.isolation.en, first.isolation.en)


def test_what_one_exercise_writes_in_its_folder_is_not_there_for_the_next(warm, course, tmp_path):
    """Each exercise starts in an empty folder, as a fork of its own would."""
    _grade(warm, course, tmp_path, "detach", """
        import os
        open("left-behind.txt", "w").write("from the exercise before")
        os.mkdir("left-behind")
        def detached_grad(x):
            return None
        def full_grad(x):
            return None
    """)
    reference = course.solution_file(course.get("detach")).read_text(encoding="utf-8")
    result = _grade(warm, course, tmp_path, "detach",
                    'import os\nassert not os.listdir("."), os.listdir(".")\n' + reference)
    assert result.passed, result.import_problem


def test_a_timer_or_a_signal_handler_one_exercise_set_is_gone_for_the_next(warm, course, tmp_path):
    """A fork of its own inherits neither: the next exercise starts without them, here too."""
    _grade(warm, course, tmp_path, "detach", """
        import signal
        signal.setitimer(signal.ITIMER_REAL, 1000)
        signal.signal(signal.SIGUSR1, lambda *_: None)
        def detached_grad(x):
            return None
        def full_grad(x):
            return None
    """)
    reference = course.solution_file(course.get("detach")).read_text(encoding="utf-8")
    result = _grade(warm, course, tmp_path, "detach", "import signal\n"
                    "assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0), signal.getitimer(signal.ITIMER_REAL)\n"
                    "assert signal.getsignal(signal.SIGUSR1) is signal.SIG_DFL\n" + reference)
    assert result.passed, result.import_problem


def test_it_is_started_again_when_it_dies(warm, course, tmp_path):
    """Killed from outside between two exercises (the warm worker, or the server a warm child
    is forked from), the next exercise gets a fresh one."""
    import os
    import signal

    assert _grade(warm, course, tmp_path, "detach").passed
    victim = warm.server.proc if warm.server is not None else warm.worker.popen
    os.killpg(victim.pid, signal.SIGKILL)
    victim.wait()
    assert _grade(warm, course, tmp_path, "reductions").passed
