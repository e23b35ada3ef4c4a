"""tutor watch without a terminal (as in CI): re-check on save, move on after a pass."""
import re
import shutil
import subprocess
import sys
import time

import pytest

from conftest import ROOT
from grader.course.catalog import Course


def wait_for(path, pattern, seconds=60):
    """The first match of the regular expression `pattern` in the log, once it is written
    (None if it never is)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = re.search(pattern, path.read_text(encoding="utf-8", errors="replace"))
        if found:
            return found
        time.sleep(0.2)
    return None


def test_watch_rechecks_on_save_and_moves_on(tmp_path):
    for name in ("exercises", "solutions"):
        shutil.copytree(ROOT / name, tmp_path / name)
    log = tmp_path / "watch.log"
    with open(log, "w") as out:
        proc = subprocess.Popen([sys.executable, str(ROOT / "cli.py"), "watch", "2.5.3", "--seed", "1"],
                                cwd=tmp_path, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
                                env={"PATH": "/usr/bin:/bin", "COLUMNS": "200", "PYTHONPATH": str(ROOT)})
    # Counts and the next exercise come from the course: adding a case or an exercise needs no edit here.
    exercises = Course(ROOT).exercises
    following = exercises[[ex.id for ex in exercises].index("2.5.3") + 1]
    try:
        started = wait_for(log, r"0/(\d+) checks passed")
        assert started, log.read_text()
        shutil.copy(ROOT / "solutions" / "2.5.3-detach.py", tmp_path / "workspace" / "2.5.3-detach.py")
        assert wait_for(log, f"{started[1]}/{started[1]} checks passed"), log.read_text()
        # on to the next unfinished exercise, its starter checked once
        moved = wait_for(log, re.escape(f"{following.id} {following.slug}") + r"(?s:.*?)(0/\d+ checks passed)")
        assert moved, log.read_text()
        assert proc.poll() is None  # still watching
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    text = log.read_text()
    assert text[moved.start():].count(moved[1]) == 1  # writing the starter is not an edit
    assert "Traceback" not in text


def test_watch_speaks_chinese(tmp_path):
    for name in ("exercises", "solutions"):
        shutil.copytree(ROOT / name, tmp_path / name)
    log = tmp_path / "watch.log"
    with open(log, "w") as out:
        proc = subprocess.Popen([sys.executable, str(ROOT / "cli.py"), "watch", "2.5.3", "--seed", "1", "--lang", "zh"],
                                cwd=tmp_path, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
                                env={"PATH": "/usr/bin:/bin", "COLUMNS": "200", "PYTHONPATH": str(ROOT)})
    try:
        assert wait_for(log, r"通过 0/\d+ 项检查"), log.read_text()
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    text = log.read_text()
    assert "正在监视 " in text and "2.5.3-detach.py。保存文件即可重新检查。" in text, text
    assert "Watching" not in text and "Traceback" not in text


@pytest.mark.skipif(sys.platform == "win32", reason="a pseudo-terminal is POSIX's (Windows uses msvcrt)")
def test_on_a_terminal_each_run_redraws_the_screen_and_h_renders_the_hint(tmp_path):
    import os
    import pty
    import select

    for name in ("exercises", "solutions"):
        shutil.copytree(ROOT / name, tmp_path / name)
    primary, secondary = pty.openpty()
    proc = subprocess.Popen([sys.executable, str(ROOT / "cli.py"), "watch", "2.5.3", "--seed", "1"], cwd=tmp_path,
                            stdin=secondary, stdout=secondary, stderr=secondary, close_fds=True,
                            env={"PATH": "/usr/bin:/bin", "COLUMNS": "120", "LINES": "40", "TERM": "xterm",
                                 "PYTHONPATH": str(ROOT)})
    os.close(secondary)
    seen = bytearray()

    def until(pattern, seconds=60):
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            found = re.search(pattern, seen.decode("utf-8", errors="replace"))
            if found:
                return found
            if select.select([primary], [], [], 0.2)[0]:
                try:
                    seen.extend(os.read(primary, 65536))
                except OSError:  # the process is gone
                    break
        return None

    clear = re.escape("\x1b[2J")
    keys = r"keys: h hint · l list · c check again · q quit"
    try:
        assert until(clear + r"(?s:.*)checks passed(?s:.*)" + keys), seen.decode(errors="replace")
        (tmp_path / "workspace" / "2.5.3-detach.py").write_text(
            (ROOT / "solutions" / "2.5.3-detach.py").read_text() + "\n# saved again\n")
        moved = until(r"(?s:" + clear + r".*){2}✓ 2\.5\.3 passed; on to the next unfinished exercise")
        assert moved, seen.decode(errors="replace")
        assert until(r"(?s:on to the next.*)" + keys)
        hint = Course(ROOT).exercises[[e.id for e in Course(ROOT).exercises].index("2.5.3") + 1].hints[0].en
        os.write(primary, b"h")
        shown = until(r"hint 1/\d+:(?s:(.*?))" + keys)
        assert shown, seen.decode(errors="replace")
        text = re.sub(r"\x1b\[[0-9;]*m", "", shown[1])
        assert "`" not in text and "**" not in text  # Markdown rendered, not shown raw
        assert re.sub(r"[`*]", "", hint).split()[0] in text
        os.write(primary, b"q")
        assert proc.wait(timeout=20) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
        os.close(primary)
