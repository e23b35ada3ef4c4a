"""The ready-made CI a course copies: each artifact's commands, run here."""
import json
import os
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import pytest
import yaml

import specs
from conftest import ROOT, run_tutor, tutor
from grader.course.catalog import Course

def points(course: Path) -> float:
    return sum(ex.points for ex in Course(course).exercises)  # the whole course, whatever its size

BIN = str(Path(sys.executable).parent)  # where pip put the `tutor` console script


def shell(args, cwd, env=None) -> dict:
    """How to run `args` (a bash command, or an argv) as a user with tutor installed would."""
    return {"args": ["bash", "-c", args] if isinstance(args, str) else args, "cwd": cwd,
            "env": {**os.environ, "PATH": BIN + os.pathsep + os.environ["PATH"], **(env or {})}}


def at_once(*runs) -> list[subprocess.CompletedProcess]:
    """Each run (Popen's arguments) in a process of its own, all started together, as a Job's
    pods or an array's tasks run; what each did, in order."""
    started = [subprocess.Popen(**run, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for run in runs]
    done = []
    for proc in started:
        out, err = proc.communicate(timeout=600)
        done.append(subprocess.CompletedProcess(proc.args, proc.returncode, out, err))
    return done


def sh(command, cwd, env=None):
    return at_once(shell(command, cwd, env))[0]


@pytest.mark.skipif(shutil.which("tutor", path=BIN) is None, reason="needs `pip install -e .` (as .ci/run does)")
def test_gradescope_autograder_builds_installs_and_grades(tmp_path, small_course):
    built = tmp_path / "built"
    proc = run_tutor("gradescope", "build", str(built), cwd=small_course)
    assert proc.returncode == 0, proc.stderr
    root = tmp_path / "autograder"  # the layout Gradescope gives the autograder
    with zipfile.ZipFile(built / "autograder.zip") as z:
        z.extractall(root / "source")
        assert z.getinfo("run_autograder").external_attr >> 16 & 0o111  # still executable
    for name in ("setup.sh", "run_autograder"):
        (root / "source" / name).chmod(0o755)
    setup = sh("./setup.sh", root / "source", {"AUTOGRADER_ROOT": str(root), "APT_GET": "echo apt-get",
                                                "PIP_INSTALL": f"{sys.executable} -m pip install --dry-run"})
    assert setup.returncode == 0, setup.stderr[-2000:]
    assert "apt-get install -y python3-pip bubblewrap" in setup.stdout
    assert "Would install" in setup.stdout and "tutor" in setup.stdout
    script = (root / "source" / "setup.sh").read_text()
    # the CPU build, explicitly: the default Linux wheel pulls several GB of CUDA libraries
    assert "torch==2.13.0 --index-url https://download.pytorch.org/whl/cpu" in script
    (root / "submission").mkdir()
    shutil.copy(ROOT / "solutions" / "2.5.3-detach.py", root / "submission")
    run = sh("./run_autograder", root / "source", {"AUTOGRADER_ROOT": str(root)})
    assert run.returncode == 0, run.stderr[-2000:]
    results = json.loads((root / "results" / "results.json").read_text())
    assert results["score"] == pytest.approx(1.0)
    assert sum(t["max_score"] for t in specs.gradescope(json.dumps(results))["tests"]) == pytest.approx(points(small_course))


@pytest.mark.skipif(shutil.which("tutor", path=BIN) is None, reason="needs `pip install -e .` (as .ci/run does)")
def test_github_workflow_steps_run_here(tmp_path, small_course):
    workflow = yaml.safe_load((ROOT / "examples" / "github-workflow.yml").read_text())
    assert workflow["permissions"] == {"contents": "read"}  # least: nothing is written back
    job = workflow["jobs"]["grade"]
    references = next(s for s in job["steps"] if "repository" in s.get("with", {}))
    assert references["uses"].startswith("actions/checkout@")
    assert references["with"]["token"] == "${{ secrets.TUTOR_SOLUTIONS_TOKEN }}"
    assert references["with"]["persist-credentials"] is False
    # The students' repository as export-student makes it (no solutions/), a student who
    # solved everything, and the references where the workflow checks them out.
    repo = tmp_path / "course"
    assert tutor("export-student", str(repo), cwd=small_course).returncode == 0
    assert not (repo / "solutions").exists()
    shutil.copytree(small_course / "solutions", repo / "workspace", dirs_exist_ok=True)
    shutil.copytree(small_course / "solutions", repo / references["with"]["path"] / "solutions")
    summary = tmp_path / "summary.md"
    env = {name: value.replace("${{ github.workspace }}", str(repo)) for name, value in job["env"].items()}
    env.update(GITHUB_STEP_SUMMARY=str(summary), GITHUB_WORKSPACE=str(repo))
    ran = []
    for step in job["steps"]:
        if "run" not in step:
            continue
        command = step["run"]
        if "apparmor_restrict_unprivileged_userns" in command:
            # A kernel setting of GitHub's Ubuntu 24.04 runners; this machine has no such knob.
            continue
        command = command.replace("sudo apt-get", "echo apt-get")  # what it installs, not installed here
        command = command.replace("python -m pip install", f"{sys.executable} -m pip install --dry-run")
        proc = sh(command, repo, env)
        assert proc.returncode == 0, (step["name"], proc.stdout[-2000:], proc.stderr[-2000:])
        ran.append((step["name"], proc.stdout))
    assert [name for name, _ in ran] == ["Install bubblewrap (tutor's sandbox)", "Install tutor", "Grade"]
    assert "apt-get install -y bubblewrap" in ran[0][1]
    install = next(s["run"] for s in job["steps"] if s.get("name") == "Install tutor")
    assert "torch==2.13.0 --index-url https://download.pytorch.org/whl/cpu" in install
    assert ran[2][1] == ""  # every check passed: no annotation
    total = points(small_course)
    assert json.loads((repo / "results.json").read_text())["score"] == pytest.approx(total)
    assert ET.parse(repo / "junit.xml").getroot().get("failures") == "0"
    assert f"{total:g}/{total:g} points" in summary.read_text()


def test_exercism_entry_point_writes_results_and_exits_0(tmp_path):
    solution = (ROOT / "solutions" / "2.5.3-detach.py").read_text(encoding="utf-8")
    submissions = [("detach", {"2.5.3-detach.py": solution}),
                   ("detach", {"2.5.3-detach.py": "def full_grad(x):\n    return x\n"}),
                   ("detach", {"notes.txt": "nothing"}), ("no-such-exercise", {})]
    runs = []
    for number, (slug, files) in enumerate(submissions):  # each in its own runner, as Exercism runs them
        given = tmp_path / f"in-{number}"
        given.mkdir()
        for name, text in files.items():
            (given / name).write_text(text, encoding="utf-8")
        runs.append({"args": ["sh", str(ROOT / "bin" / "run.sh"), slug, f"{given}/", f"{tmp_path / f'out-{number}'}/"],
                     "env": {**os.environ, "PYTHON": sys.executable}})
    results = []
    for number, proc in enumerate(at_once(*runs)):
        assert proc.returncode == 0, proc.stderr[-2000:]  # whatever the tests' status
        results.append(specs.exercism((tmp_path / f"out-{number}" / "results.json").read_text(encoding="utf-8")))
    passed, failed, missing, unknown = results
    assert passed["status"] == "pass" and passed["exercises"][0]["file"] == "2.5.3-detach.py"
    assert failed["status"] == "fail" and {t["status"] for t in failed["tests"]} == {"fail"}
    assert missing["status"] == "error" and "2.5.3-detach.py" in missing["message"]
    assert unknown["status"] == "error" and "no-such-exercise" in unknown["message"]


def _class_of_two(root):
    submissions = root / "submissions"
    for name, file in (("ann", "2.5.3-detach.py"), ("ben", "2.5.1-scalar-backward.py")):
        (submissions / name).mkdir(parents=True)
        shutil.copy(ROOT / "solutions" / file, submissions / name)
    shutil.copytree(ROOT / "solutions", root / "solutions")
    return {"ann", "ben"}


def _students(gradebook):
    return {line.split(",")[0] for line in gradebook.read_text(encoding="utf-8-sig").splitlines()[1:]}


@pytest.mark.skipif(shutil.which("tutor", path=BIN) is None, reason="needs `pip install -e .` (as .ci/run does)")
def test_kubernetes_indexed_job_grades_every_shard_and_merges(tmp_path, small_course):
    job = yaml.safe_load((ROOT / "examples" / "kubernetes-grade-job.yml").read_text())
    spec = job["spec"]
    assert job["kind"] == "Job" and spec["completionMode"] == "Indexed"
    container = spec["template"]["spec"]["containers"][0]
    env = {e["name"]: e["value"] for e in container["env"]}
    assert int(env["TUTOR_SHARD_COUNT"]) == spec["completions"]
    data = tmp_path / "data"
    students = _class_of_two(data)
    (data / "course").symlink_to(small_course)
    command = [part.replace("/data", str(data)) for part in container["command"]]
    workdir = container["workingDir"].replace("/data", str(data))
    assert spec["parallelism"] == spec["completions"]  # every pod at once, as run here
    pods = at_once(*(shell(command, workdir, {**env, "JOB_COMPLETION_INDEX": str(index)})  # what each pod runs
                     for index in range(spec["completions"])))
    for index, proc in enumerate(pods):
        assert proc.returncode == 0 and f"shard {index + 1}/{spec['completions']}:" in proc.stdout, proc.stderr
    parts = sorted(str(p) for p in (data / "grades").glob("shard-*/grades.csv"))
    merged = data / "grades.csv"
    assert run_tutor("gradebook", "merge", *parts, "--out", str(merged)).returncode == 0
    assert _students(merged) == students
    incomplete = tutor("gradebook", "merge", *parts[1:], "--out", str(merged))
    assert incomplete.returncode == 2 and "shard 1/4 of 4 missing" in incomplete.stderr


@pytest.mark.skipif(shutil.which("tutor", path=BIN) is None, reason="needs `pip install -e .` (as .ci/run does)")
def test_slurm_array_task_grades_its_shard(tmp_path, small_course):
    import re

    script = ROOT / "examples" / "slurm-grade.sh"
    first, last = map(int, re.search(r"^#SBATCH --array=(\d+)-(\d+)$", script.read_text(), re.M).groups())
    students = _class_of_two(tmp_path)
    seen = set()
    tasks = range(first, last + 1)
    ran = at_once(*(shell(f"bash {script}", tmp_path, {  # what each task of the array runs, side by side
        "SLURM_ARRAY_TASK_ID": str(task), "SLURM_ARRAY_TASK_MIN": str(first), "SLURM_ARRAY_TASK_COUNT": str(len(tasks)),
        "TUTOR_ROOT": str(small_course)}) for task in tasks))
    for task, proc in zip(tasks, ran):
        assert proc.returncode == 0 and f"shard {task - first + 1}/{last - first + 1}:" in proc.stdout, proc.stderr
        seen |= _students(tmp_path / "grades" / f"shard-{task}" / "grades.csv")
    assert seen == students
