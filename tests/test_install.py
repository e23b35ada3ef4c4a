"""tutor as users install it: a wheel in a fresh virtual environment, used from an empty folder.

The wheel is built from a copy of what the checkout packages and installed without its
dependencies into a new environment whose site-packages holds the test environment's
packages as hard links (installing torch afresh takes minutes): what is tested is tutor's own
packaging, with no editable install or checkout on the path. The links, not a .pth file: the
jail binds the interpreter's own package folders and nothing a .pth adds.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


PACKAGED = ("pyproject.toml", "README.md", "grader", "exercises", "solutions")


def _link(source, target):
    try:
        os.link(source, target)
    except OSError:  # another file system
        shutil.copy2(source, target)


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """The bin/ folder of a fresh environment holding only tutor's wheel."""
    base = tmp_path_factory.mktemp("install")
    source = base / "source"  # pip builds in the source tree: not in the checkout, which may be read-only
    source.mkdir()
    for name in PACKAGED:
        (shutil.copytree if (ROOT / name).is_dir() else shutil.copy2)(ROOT / name, source / name, **(
            {"ignore": shutil.ignore_patterns("__pycache__")} if (ROOT / name).is_dir() else {}))
    built = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
                            "-w", str(base / "dist"), str(source)], capture_output=True, text=True)
    assert built.returncode == 0, built.stderr[-3000:]
    (wheel,) = (base / "dist").glob("d2l_tutor-*.whl")
    venv = base / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
    purelib = Path(subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                                  capture_output=True, text=True, check=True).stdout.strip())
    for folder in dict.fromkeys(Path(sysconfig.get_paths()[key]) for key in ("purelib", "platlib")):
        for entry in folder.iterdir():
            if entry.name.startswith(("__editable__", "d2l_tutor", "_distutils_hack", "distutils-precedence")):
                continue  # this checkout's editable install, and setuptools' hooks of the test environment
            target = purelib / entry.name
            if entry.is_dir():
                shutil.copytree(entry, target, copy_function=_link, dirs_exist_ok=True)
            elif not target.exists():
                _link(entry, target)
    done = subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps", "--no-index",
                           "-q", str(wheel)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-3000:]
    return python.parent, purelib, wheel


def tutor(installed, *args, cwd: Path, module: bool = False) -> subprocess.CompletedProcess:
    bin_dir = installed[0]
    env = {k: v for k, v in os.environ.items() if not k.startswith("TUTOR_") and k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env["TUTOR_LANG"] = "en"
    command = [str(bin_dir / "python"), "-m", "d2l_tutor"] if module else [str(bin_dir / "tutor")]
    return subprocess.run([*command, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=300)


def test_the_wheel_holds_the_course_and_nothing_generic_at_the_top(installed):
    names = zipfile.ZipFile(installed[2]).namelist()
    tops = {name.split("/")[0] for name in names}
    assert tops == {"d2l_tutor", next(t for t in tops if t.endswith(".dist-info"))}
    course = {Path(n).name for n in names if n.startswith("d2l_tutor/data/exercises/")}
    references = {Path(n).name for n in names if n.startswith("d2l_tutor/data/solutions/")}
    assert len(course) == len(list((ROOT / "exercises").glob("*.yaml"))) > 40
    assert references == {p.name for p in (ROOT / "solutions").glob("*.py")}
    assert not (installed[1] / "cli.py").exists() and not (installed[1] / "grader").exists()


def test_an_empty_folder_gets_a_workspace_from_the_installed_course(installed, tmp_path):
    version = tutor(installed, "--version", cwd=tmp_path)
    assert version.returncode == 0 and version.stdout.startswith("tutor 0."), version.stderr
    # Before `init`, the packaged course can be read but holds no student's files.
    listed = tutor(installed, "list", cwd=tmp_path)
    assert listed.returncode == 0 and "2.5.3" in listed.stdout, listed.stderr
    refused = tutor(installed, "check", "2.1.1", cwd=tmp_path)
    assert refused.returncode == 2 and "tutor init" in refused.stderr, refused.stdout + refused.stderr
    assert not (installed[1] / "d2l_tutor" / "data" / "workspace").exists()

    init = tutor(installed, "init", cwd=tmp_path)
    assert init.returncode == 0, init.stderr
    assert (tmp_path / "workspace" / "2.1.1-tensor-init.py").is_file()
    listed = tutor(installed, "list", cwd=tmp_path)
    assert listed.returncode == 0 and "tensor-init" in listed.stdout, listed.stderr
    checked = tutor(installed, "check", "2.1.1", "--strict", "--seed", "1", cwd=tmp_path)
    assert checked.returncode == 1, checked.stdout + checked.stderr  # the starter fails, and says how
    assert "NotImplementedError" in checked.stdout and "Traceback" not in checked.stdout + checked.stderr
    # The reference, copied in, passes the same way: the whole path works from an installed tool.
    assert not (tmp_path / "solutions").exists()  # the references stay in the package
    (tmp_path / "workspace" / "2.1.1-tensor-init.py").write_text((ROOT / "solutions" / "2.1.1-tensor-init.py").read_text())
    passed = tutor(installed, "check", "2.1.1", "--seed", "1", cwd=tmp_path, module=True)
    assert passed.returncode == 0, passed.stdout + passed.stderr


def test_the_installed_engine_and_references_are_not_inside_the_jail(installed, tmp_path):
    """In the jail, site-packages holds torch but not tutor: neither its engine nor the
    references shipped beside it (the same boundary as a checkout's solutions/)."""
    assert tutor(installed, "init", cwd=tmp_path).returncode == 0
    package = installed[1] / "d2l_tutor"
    reference = package / "data" / "solutions" / "2.1.1-tensor-init.py"
    assert reference.is_file()
    (tmp_path / "workspace" / "2.1.1-tensor-init.py").write_text(
        (ROOT / "solutions" / "2.1.1-tensor-init.py").read_text().replace(
            "def from_nested(data):\n",
            "def from_nested(data):\n"
            f"    import os\n"
            f"    seen = [p for p in ({str(reference)!r}, {str(package / 'cli.py')!r}) if os.path.exists(p)]\n"
            f"    assert not seen, f'visible: {{seen}}'\n", 1))
    checked = tutor(installed, "check", "2.1.1", "--strict", "--seed", "1", cwd=tmp_path)
    assert "def from_nested(data):\n    import os" in (tmp_path / "workspace" / "2.1.1-tensor-init.py").read_text()
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_ci_runs_the_quickstarts_test_command_verbatim():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    command = next(line for line in readme.splitlines() if line.startswith("pip install") and "pytest" in line)
    assert "download.pytorch.org/whl/cpu" in command  # the CPU build, explicitly
    assert command in (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()


def test_every_package_of_the_engine_is_packaged():
    """pyproject.toml lists the engine's packages one by one (it maps grader/ to d2l_tutor): a
    new subpackage left out installs as nothing and fails only once installed."""
    tomllib = pytest.importorskip("tomllib")  # Python 3.11+; CI's is

    listed = set(tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"])
    folders = [init.parent.relative_to(ROOT / "grader") for init in (ROOT / "grader").rglob("__init__.py")]
    assert len(folders) > 5
    assert {".".join(("d2l_tutor", *folder.parts)) for folder in folders} <= listed


def test_a_student_template_packages_no_references():
    """export-student writes tutor's pyproject.toml without the references' package (the
    template has none): checked on the file as it is, however its lists are wrapped."""
    tomllib = pytest.importorskip("tomllib")
    from grader.instructor.export import _without_solutions

    setuptools = tomllib.loads(_without_solutions((ROOT / "pyproject.toml").read_text()))["tool"]["setuptools"]
    assert "d2l_tutor.data.exercises" in setuptools["packages"]
    assert not [key for key in (*setuptools["package-dir"], *setuptools["packages"], *setuptools["package-data"])
                if "solutions" in key]
