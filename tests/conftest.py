import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


@pytest.fixture(scope="session")
def course():
    from grader.course.catalog import Course

    return Course(ROOT)


@pytest.fixture(scope="session")
def runner(course):
    from grader.sandbox.runner import default_runner

    runner = default_runner(masks=[course.root, *course.protected])
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
    """Run the CLI as a user would, in its own process."""
    return subprocess.run([sys.executable, str(ROOT / "cli.py"), *args], cwd=cwd, capture_output=True,
                          text=True, input=input, env={**os.environ, "COLUMNS": "200", **(env or {})}, timeout=600)


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
