import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


# Modules whose module-scoped fixtures are dear (a class graded, a wheel built and installed, a
# kernel started, a student copy exported): each runs whole in one test process, so that they are
# made once, not once in each. Every other test is sent to whichever process is free.
TOGETHER = {"test_bulk", "test_hostile_output", "test_html_report", "test_install", "test_notebook",
            "test_student_copy", "test_worker"}


@pytest.hookimpl(optionalhook=True)  # xdist's hook: a run without xdist never calls it
def pytest_xdist_make_scheduler(config, log):
    """xdist's `--dist load` (the default), TOGETHER's modules each one unit of work, sent first
    (xdist orders units by size). `--dist loadgroup` would say this with marks, but pytest 9.2's
    node ids broke it: it groups nothing (pytest-dev/pytest-xdist#1386)."""
    if config.getvalue("dist") != "load":
        return None
    from xdist.scheduler import LoadScopeScheduling

    class Scheduling(LoadScopeScheduling):
        def _split_scope(self, nodeid):
            module = nodeid.split("::")[0]
            return module if Path(module).stem in TOGETHER else nodeid

    return Scheduling(config, log)


@pytest.fixture(scope="session")
def course():
    from grader.course.catalog import Course

    return Course(ROOT)


@pytest.fixture(scope="session")
def runner(course):
    """A jail for the session, as `tutor check --all` starts it: what the course's inputs need
    imported once in its server (pandas), not in each child."""
    from grader.grading.cases import child_modules
    from grader.sandbox.runner import default_runner

    runner = default_runner(child_modules(course.exercises), masks=[course.root, *course.protected])
    yield runner
    runner.close()


# Every time limit a fifth (TUTOR_TIME_SCALE): a test of a hang waits 1 s where a student waits 5.
SHORT = {"TUTOR_TIME_SCALE": "0.2"}


@pytest.fixture
def short_limits(runner):
    """The session's runner with SHORT's time limits, for tests that wait one out."""
    saved, runner.time_scale = runner.time_scale, float(SHORT["TUTOR_TIME_SCALE"])
    yield runner
    runner.time_scale = saved


def nonempty(items) -> list:
    """The items, asserted to be some: all() over none is True, so a test whose selection
    matched nothing (a renamed function, a label changed) would pass whatever it asserts."""
    items = list(items)
    assert items, "the test selected nothing to check"
    return items


def run_tutor(*args, cwd=ROOT, env=None, input=None):
    """Run the CLI as a user would, in its own process: for what is about the process (a real
    interpreter's exit code, what it imports, its stdin), and one test of each command end to end."""
    return subprocess.run([sys.executable, str(ROOT / "cli.py"), *args], cwd=cwd, capture_output=True,
                          text=True, input=input, env={**os.environ, "COLUMNS": "200", **(env or {})}, timeout=600)


# Jails' fork servers shared by the commands `tutor` runs in this process, by their command
# line: the same bwrap argv is the same jail, and each job is a fresh fork of it anyway. Each
# costs a fresh interpreter importing torch, which a check in its own process pays every time.
_SHARED_SERVERS: dict = {}


def _shared_server(start_server):
    def start(masks, preload):
        from grader.sandbox import jail

        if jail.tier() != "jail":  # the warm worker keeps state between jobs; the process tier, TMPDIR
            return start_server(masks, preload)
        key = (*jail.inside_argv("jail", "server.main", [], [jail.PACKAGE, *masks]), *sorted(preload))
        server = _SHARED_SERVERS.get(key)
        if server is None or not server.alive():  # a test's child may have ended it
            if server is not None:
                server.close()  # reaped
            server = _SHARED_SERVERS[key] = start_server(masks, preload)
        return server
    return start


class _Shared:
    """`check`'s server started before its course is read, here: none, so that `_runner`
    takes a shared one when it knows what it must import."""

    def close(self):
        pass


@pytest.fixture(scope="session", autouse=True)
def _close_shared_servers():
    yield
    for server in _SHARED_SERVERS.values():
        server.close()


def tutor(*args, cwd=ROOT, env=None, input=None) -> subprocess.CompletedProcess:
    """Run a command in this process, as `run_tutor` does in its own (the same arguments,
    output, exit code), where the test is about what the command does, not about the process:
    torch is imported once per test process, and the sandbox's server is shared (see above).
    Only the server of the command's own runner is: `tutor grade` starts each student's its way."""
    from contextlib import ExitStack
    from unittest import mock

    from typer import rich_utils
    from typer.testing import CliRunner

    from grader.cli import base, instructor, student
    from grader.cli.localize import _TYPER_WORDS
    from grader.sandbox import jail

    runners = []

    def sharing_runner(v, exercises, course, many_runs=False, server=None):
        with mock.patch.object(jail, "start_server", _shared_server(jail.start_server)):
            runners.append(base._runner(v, exercises, course, many_runs))
        return runners[-1]

    def course_and_shared(v, solutions, quiet, workspace):
        return base._course(v, solutions, quiet, workspace), _Shared()

    here = os.getcwd()
    with ExitStack() as stack:
        for module in (student, instructor):
            stack.enter_context(mock.patch.object(module, "_runner", sharing_runner))
        stack.enter_context(mock.patch.object(student, "_course_and_sandbox", course_and_shared))
        # What a new process starts from, and this one keeps after the call: Typer's words in
        # English (a Chinese call sets them), the consoles piped (set when the app was imported,
        # as run_tutor's are), the temporary folder from this call's TMPDIR, the working folder.
        stack.enter_context(mock.patch.multiple(rich_utils, **{name: getattr(rich_utils, name)
                                                               for name, _ in _TYPER_WORDS}))
        for console in (base.console, base.err):
            stack.enter_context(mock.patch.object(console, "soft_wrap", True))
        stack.enter_context(mock.patch.object(tempfile, "tempdir", None))
        stack.callback(os.chdir, here)
        os.chdir(cwd)
        try:
            result = CliRunner().invoke(base.app, list(map(str, args)), input=input, catch_exceptions=False,
                                        env={"COLUMNS": "200", **(env or {})}, prog_name="tutor")
        finally:
            for made in runners:  # a server the command started for itself alone ends with it
                if made.server not in _SHARED_SERVERS.values():
                    made.close()
    return subprocess.CompletedProcess(["tutor", *args], result.exit_code, result.stdout, result.stderr)


# Tensors, a DataFrame and gradients: every kind of value and submission crosses the sandbox,
# at a seventh of the course's cost.
SMALL = ("2.1.1", "2.1.2", "2.1.9", "2.2.1", "2.5.1", "2.5.3")


@pytest.fixture(scope="session")
def small_course(tmp_path_factory):
    """A course of a few exercises, for tests of what runs around grading (gradebooks, shards,
    CI scripts), not of the course itself (tests/test_course.py grades every exercise)."""
    from grader.course.catalog import Course

    root = tmp_path_factory.mktemp("small-course")
    (root / "exercises").mkdir()
    (root / "solutions").mkdir()
    for ex in Course(ROOT).exercises:
        if ex.id in SMALL:
            shutil.copy(ex.path, root / "exercises" / ex.path.name)
            shutil.copy(ROOT / "solutions" / f"{ex.file_stem}.py", root / "solutions")
    return root
