"""tutor inside a notebook: generated notebooks executed by a real IPython kernel (nbclient),
graded through the jail (TUTOR_SANDBOX=jail: the hostile cells signal the test's own process)."""
import os
import re
import shutil

import nbformat
import pytest
from nbclient import NotebookClient

from conftest import ROOT, run_tutor, tutor
from grader.course.catalog import Course, section_of
from grader.notebook.cells import program


@pytest.fixture(scope="module")
def course_dir(tmp_path_factory):
    """A private copy of the course with the generated notebooks in notebooks/."""
    root = tmp_path_factory.mktemp("course")
    for name in ("exercises", "solutions"):
        shutil.copytree(ROOT / name, root / name)
    proc = run_tutor("notebooks", "notebooks", cwd=root)
    assert proc.returncode == 0, proc.stderr
    sections = {section_of(ex.id) for ex in Course(root).exercises}  # one notebook per section of the course
    assert sorted(p.name for p in (root / "notebooks").iterdir()) == sorted(f"{s}.ipynb" for s in sections)
    assert {"2.1", "2.5"} <= sections
    return root


class Kernel:
    """One IPython kernel for the module, cells appended and run one by one."""

    def __init__(self, root):
        self.nb = nbformat.v4.new_notebook()
        self.client = NotebookClient(self.nb, timeout=120, kernel_name="python3", shutdown_kernel="immediate",
                                     resources={"metadata": {"path": str(root)}})
        self._session = self.client.setup_kernel()
        self._session.__enter__()

    def run(self, source: str, **metadata) -> dict:
        """The cell's outputs: text/plain and text/html of what it displayed, its stream text."""
        cell = nbformat.v4.new_code_cell(source, metadata=metadata)
        self.nb.cells.append(cell)
        self.client.execute_cell(cell, len(self.nb.cells) - 1)
        shown = {"text": "", "html": "", "stream": "", "error": ""}
        for out in cell.outputs:
            if out.output_type in ("display_data", "execute_result"):
                shown["text"] += out.data.get("text/plain", "")
                shown["html"] += out.data.get("text/html", "")
            elif out.output_type == "stream":
                shown["stream"] += out.text
            elif out.output_type == "error":
                shown["error"] += f"{out.ename}: {out.evalue}"
        return shown

    def close(self):
        self._session.__exit__(None, None, None)


@pytest.fixture(scope="module")
def kernel(course_dir):
    with pytest.MonkeyPatch.context() as env:
        env.setenv("PYTHONPATH", str(ROOT))  # the kernel imports this checkout's grader
        env.setenv("TUTOR_ROOT", str(course_dir))
        env.setenv("TUTOR_SANDBOX", "jail")  # the jail or nothing, never a weaker tier
        env.setenv("TUTOR_LANG", "en")
        # The real time limits (a hostile cell's hang costs 5 s): under a loaded CI a reference
        # call can take over the 1 s a shortened limit would give it.
        kernel = Kernel(course_dir)
        try:
            assert kernel.run("%load_ext grader.notebook")["error"] == ""
            yield kernel
        finally:
            kernel.close()


def checks(kernel, notebook, starters=None):
    """Run a generated notebook's cells (its starters replaced by `starters[id]`);
    the display of each check cell, by exercise id."""
    shown = {}
    for cell in nbformat.read(str(notebook), as_version=4).cells:
        if cell.cell_type != "code":
            continue
        role = cell.metadata.get("tutor", {})
        source = cell.source
        if role.get("role") == "starter" and starters is not None:
            source = starters[role["exercise"]]
        out = kernel.run(source)
        assert out["error"] == "", (source, out["error"])
        if role.get("role") == "check":
            shown[role["exercise"]] = out
    return shown


def test_the_references_pasted_in_pass_every_check_and_tutor_list_shows_it(kernel, course_dir):
    course = Course(course_dir)
    references = {ex.id: course.solution_file(ex).read_text(encoding="utf-8") for ex in course.exercises}
    shown = {}
    for notebook in sorted((course_dir / "notebooks").iterdir()):
        shown.update(checks(kernel, notebook, references))
    assert sorted(shown) == sorted(references)
    assert [out["stream"] for out in shown.values() if out["stream"]] == []  # nothing of the grader's leaks
    for ident, out in shown.items():
        passed, total = map(int, re.search(r"(\d+)/(\d+) checks passed", out["text"]).groups())
        assert passed == total > 0 and "✗" not in out["text"], out["text"]
        assert "checks passed" in out["html"] and out["html"].count("<pre") >= 1
    assert '<img alt="' in shown["2.5.6.5"]["html"] and "data:image/png;base64," in shown["2.5.6.5"]["html"]
    listed = tutor("list", cwd=course_dir, env={"TUTOR_ROOT": str(course_dir)})
    assert listed.stdout.count("passed") - listed.stdout.count("passed count") >= len(references), listed.stdout
    assert "not started" not in listed.stdout and "failing" not in listed.stdout
    solution = kernel.run("%tutor solution 2.5.3")
    assert "def detached_grad" in solution["text"]


def test_the_starters_fail_with_the_feedback_tutor_check_gives(kernel, course_dir, tmp_path, runner):
    # The same code as `tutor check --file` grades it: each starter as a file, at the same seed.
    from rich.console import Console

    from grader.grading.judge import grade_many
    from grader.output.terminal import render

    course = Course(course_dir)
    triples = []
    for ex in course.exercises:
        (tmp_path / f"{ex.file_stem}.py").write_text(ex.starter, encoding="utf-8")
        triples.append((ex, tmp_path / f"{ex.file_stem}.py", course.solution_file(ex)))
    console = Console(record=True, width=200, file=open(os.devnull, "w"))
    for result in grade_many(triples, 7, runner, hide=course.protected):
        render(console, result)
    terminal = console.export_text()
    shown = {}
    for notebook in sorted((course_dir / "notebooks").iterdir()):
        nb = nbformat.read(str(notebook), as_version=4)
        for cell in nb.cells:  # the check cells at the command line's seed
            if cell.metadata.get("tutor", {}).get("role") == "check":
                cell.source += " --seed 7"
        nbformat.write(nb, str(tmp_path / notebook.name))
        shown.update(checks(kernel, tmp_path / notebook.name))

    def verdicts(report: str, ident: str) -> str:
        """The report for one exercise, less its first line (which names the file), with
        line numbers out (a notebook's program is laid out apart from its cell) and lines
        joined (the notebook's are wrapped at another width)."""
        block = re.search(rf"^{re.escape(ident)} .*?(?=^\d+\.\d[\d.]* \S+ — |\Z)", report, re.S | re.M).group(0)
        return re.sub(r"line \d+", "line N", " ".join(block.split("\n", 1)[1].split()))

    for ident, out in shown.items():
        assert "0/" in out["text"] and "✗" in out["text"], out["text"]
        assert "NotImplementedError" in out["text"]
        assert verdicts(out["text"], ident) == verdicts(terminal, ident)


def test_a_function_using_another_cell_is_graded_with_it_or_the_missing_name_is_named(kernel):
    kernel.run("import torch\n\ndef doubled_dot(x):\n    return 2 * torch.dot(x, x)")
    kernel.run("print('experiments are not run again')\n\ndef grad_two_dot(x):\n    doubled_dot(x).backward()\n"
               "    return x.grad")
    out = kernel.run("%tutor check 2.5.1")
    assert re.search(r"(\d+)/\1 checks passed", out["text"]), out["text"]
    assert "experiments" not in out["html"].split("<details>")[1]  # the graded code: definitions only
    kernel.run("def grad_two_dot(x):\n    tripled_dot(x).backward()\n    return x.grad")
    out = kernel.run("%tutor check 2.5.1")
    assert "0/" in out["text"] and "NameError" in out["text"]
    assert "no cell you ran defines `tripled_dot` (used by grad_two_dot)" in out["text"]


def test_hostile_cells_cost_only_their_own_check(kernel):
    pids = kernel.run("import os\nprint(os.getpid(), os.getppid())")["stream"].split()
    kernel_pid, parent_pid = map(int, pids)  # the parent is this test process
    hostile = {
        "while True:\n        pass": "timed out",
        "os._exit(0)": "exited",
        f"os.kill({parent_pid}, signal.SIGKILL)\n    os.kill({kernel_pid}, signal.SIGKILL)": "PermissionError",
        "print('<script>alert(1)</script>')": "printed: <script>",  # data in the report, never markup
    }
    for body, said in hostile.items():
        kernel.run(f"import os, signal\n\ndef grad_two_dot(x):\n    {body}")
        out = kernel.run("%tutor check 2.5.1")
        assert said in out["text"] and "0/" in out["text"], out["text"]
        assert "<script" not in out["html"]
    assert "&lt;script&gt;alert(1)" in out["html"]
    assert kernel.run("print(os.getpid())")["stream"].split() == [str(kernel_pid)]
    kernel.run("import torch\n\ndef grad_two_dot(x):\n    y = 2 * torch.dot(x, x)\n    y.backward()\n    return x.grad")
    assert re.search(r"(\d+)/\1 checks passed", kernel.run("%tutor check 2.5.1")["text"])


def test_commands_and_their_errors_in_both_languages(kernel):
    assert "grad_two_dot(x: Tensor) -> Tensor" in kernel.run("%tutor show 2.5.1")["text"]
    assert "Hint 1/" in kernel.run("%tutor hint 2.5.1")["text"]
    assert "提示 2/" in kernel.run("%tutor hint 2.5.1 --lang zh")["text"]
    assert "usage: %tutor check|hint|show|solution" in kernel.run("%tutor chek 2.5.1")["text"]
    assert "no exercise '9.9'" in kernel.run("%tutor check 9.9")["text"]
    api = kernel.run("from grader.notebook import check\ncheck('2.5.1', lang='zh')")
    assert "通过" in api["text"] and "通过" in api["html"]


# ---- the program a notebook's cells give, without a kernel -----------------------------------

def test_each_exercise_takes_its_own_cell_when_two_ask_for_the_same_name():
    cells = [(1, "import torch"),
             (2, "def f(a):\n    return a\n\ndef grad_of_f(a):\n    return f(a)"),
             (3, "def f(a):\n    raise NotImplementedError\n\ndef grad_of_f_vector(a):\n    return f(a)"),
             (4, "%tutor check 2.5.4")]
    everyone = {"f", "grad_of_f", "grad_of_f_vector"}
    assert "return a\n" in program(cells, ["f", "grad_of_f"], everyone).source
    assert "NotImplementedError" in program(cells, ["f", "grad_of_f_vector"], everyone).source


def test_the_program_keeps_what_the_functions_need_and_nothing_else():
    cells = [(1, "import numpy as np\nimport os\n!pip install nothing\nSCALE = np.float32(2)"),
             (2, "%%time\nwork = [i for i in range(10**9)]\n\n@np.vectorize\ndef f(x):\n    return helper(x) * SCALE"),
             (3, "def helper(x):\n    return x"), (4, "def helper(:")]
    made = program(cells, ["f"])
    assert made.cells == [1, 2, 4] and made.missing == {}
    assert "import os" not in made.source and "work =" not in made.source and "pip" not in made.source
    assert made.source.index("import numpy") < made.source.index("SCALE =") < made.source.index("def f")
    assert "def helper(:" in made.source  # the latest helper does not parse: grading says so


def test_tutor_grade_takes_each_exercise_from_its_section_notebook_up_to_its_check(course_dir, tmp_path):
    from grader.instructor.bulk import Submission, shown_name, student_files

    course = Course(course_dir)
    student = tmp_path / "alice"
    shutil.copytree(course_dir / "notebooks", student)
    nb = nbformat.read(str(student / "2.5.ipynb"), as_version=4)
    for cell in nb.cells:  # 2.5.4 answered; 2.5.6.3, which also asks for an `f`, still its starter
        if cell.metadata.get("tutor") == {"exercise": "2.5.4", "role": "starter"}:
            cell.source = course.solution_file(course.get("2.5.4")).read_text(encoding="utf-8")
    nbformat.write(nb, str(student / "2.5.ipynb"))
    sub, work = Submission("alice", student), tmp_path / "work"
    files = {ident: path.read_text(encoding="utf-8") for ident, path in student_files(sub, course, work).items()}
    assert "def zeros" in files["2.1.1"] and "def zeros" not in files["2.5.3"]
    last_f = files["2.5.4"].rsplit("def f(", 1)[1]
    assert "NotImplementedError" not in last_f.split("def grad_of_f")[0] and "grad_of_f_vector" not in files["2.5.4"]
    assert "grad_of_f_vector" in files["2.5.6.3"]
    assert shown_name(sub, student_files(sub, course, work)["2.5.4"], work) == "2.5.ipynb"


def test_notebooks_are_never_written_over(course_dir):
    again = tutor("notebooks", "notebooks", cwd=course_dir)
    assert again.returncode == 2 and "exists" in again.stderr
    zh = tutor("notebooks", "zh", "--lang", "zh", cwd=course_dir)
    assert zh.returncode == 0
    first = nbformat.read(str(course_dir / "zh" / "2.5.ipynb"), as_version=4).cells
    assert "TUTOR_LANG=zh" in first[1].source and "练习" in first[0].source
