import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


@pytest.fixture(scope="session")
def course():
    from grader.catalog import Course

    return Course(ROOT)


@pytest.fixture(scope="session")
def runner(course):
    from grader.sandbox.runner import default_runner

    runner = default_runner(masks=[course.root, *course.protected])
    yield runner
    runner.close()


def run_tutor(*args, cwd=ROOT, env=None, input=None):
    """Run the CLI as a user would, in its own process."""
    return subprocess.run([sys.executable, str(ROOT / "cli.py"), *args], cwd=cwd, capture_output=True,
                          text=True, input=input, env={**os.environ, "COLUMNS": "200", **(env or {})}, timeout=600)
