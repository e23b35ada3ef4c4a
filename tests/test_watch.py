"""tutor watch without a terminal (as in CI): re-check on save, move on after a pass."""
import shutil
import subprocess
import sys
import time

from conftest import ROOT


def wait_for(path, text, seconds=60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if text in path.read_text(encoding="utf-8", errors="replace"):
            return True
        time.sleep(0.2)
    return False


def test_watch_rechecks_on_save_and_moves_on(tmp_path):
    for name in ("exercises", "solutions"):
        shutil.copytree(ROOT / name, tmp_path / name)
    log = tmp_path / "watch.log"
    with open(log, "w") as out:
        proc = subprocess.Popen([sys.executable, str(ROOT / "cli.py"), "watch", "2.5.3", "--seed", "1"],
                                cwd=tmp_path, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
                                env={"PATH": "/usr/bin:/bin", "COLUMNS": "200", "PYTHONPATH": str(ROOT)})
    try:
        assert wait_for(log, "0/12 checks passed"), log.read_text()
        shutil.copy(ROOT / "solutions" / "2.5.3-detach.py", tmp_path / "workspace" / "2.5.3-detach.py")
        assert wait_for(log, "12/12 checks passed"), log.read_text()
        assert wait_for(log, "2.5.4 control-flow"), log.read_text()  # on to the next unfinished exercise
        assert wait_for(log, "0/20 checks passed"), log.read_text()
        assert proc.poll() is None  # still watching
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    text = log.read_text()
    assert text.count("0/20 checks passed") == 1  # writing the starter is not an edit
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
        assert wait_for(log, "通过 0/12 项检查"), log.read_text()
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    text = log.read_text()
    assert "正在监视 " in text and "2.5.3-detach.py。保存文件即可重新检查。" in text, text
    assert "Watching" not in text and "Traceback" not in text
