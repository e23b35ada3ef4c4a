"""The class report and the students' feedback pages, graded for real and opened in headless
Chromium (Debian's `chromium`): figures drawn, the class's known mistakes counted, links that
reach each student's page, and a student's text that cannot change a page's layout."""
import json
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urljoin, urlparse

import numpy as np
import pytest
from PIL import Image

from conftest import ROOT, run_tutor, tutor
from grader.output import feedback_page
from grader.output import html_page
from grader.course.catalog import Course
from grader.instructor.validate import mistake_source
from test_hostile_output import NASTY, assert_safe

# What a student prints and raises: the hostile corpus, and markup that would end the
# page's table and run a script were it not escaped.
HOSTILE = "</table></pre></div><script>document.title='pwned'</script><b>" + NASTY
EXERCISES = ("2.5.1-scalar-backward", "2.5.3-detach")


def chromium(url: str, tmp: Path, screenshot: Path | None = None) -> str:
    """The page's DOM after Chromium has loaded and laid it out (and a screenshot of it)."""
    binary = shutil.which("chromium")
    assert binary, "install Debian's chromium (apt-get install -y chromium): .ci/run does"
    args = [binary, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--window-size=1200,2000",
            f"--user-data-dir={tmp / 'chromium-profile'}", "--dump-dom"]
    if screenshot:
        args.append(f"--screenshot={screenshot}")
    proc = subprocess.run([*args, url], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0 and proc.stdout.startswith("<!DOCTYPE html>"), proc.stderr[-2000:]
    return proc.stdout


class Node:
    def __init__(self, tag, attrs, parent=None):
        self.tag, self.attrs, self.parent, self.children = tag, dict(attrs), parent, []

    def text(self) -> str:
        return "".join(c if isinstance(c, str) else c.text() for c in self.children)

    def all(self, tag=None, cls=None):
        for c in self.children:
            if isinstance(c, Node):
                if (tag is None or c.tag == tag) and (cls is None or cls in c.attrs.get("class", "").split()):
                    yield c
                yield from c.all(tag, cls)

    def skeleton(self):
        """The element tree without its text: what a layout is made of."""
        return (self.tag, tuple(c.skeleton() for c in self.children if isinstance(c, Node)))


def parse(dom: str) -> Node:
    root = Node("#document", {})
    void = {"meta", "br", "img", "input", "link", "hr"}

    class Builder(HTMLParser):
        node = root

        def handle_starttag(self, tag, attrs):
            child = Node(tag, attrs, self.node)
            self.node.children.append(child)
            if tag not in void:
                self.node = child

        def handle_endtag(self, tag):
            node = self.node
            while node is not root and node.tag != tag:
                node = node.parent
            if node is not root:
                self.node = node.parent

        def handle_data(self, data):
            self.node.children.append(data)

    Builder(convert_charrefs=True).feed(dom)
    return root


def pixels(png: Path, colour: str) -> int:
    want = [int(colour[i:i + 2], 16) for i in (1, 3, 5)]
    return int((np.asarray(Image.open(png).convert("RGB")) == want).all(axis=-1).sum())


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """Three students graded on two exercises of a course of their own: one with 2.5.3's first
    known mistake, one with its second and no 2.5.1 at all, and a hostile student who makes
    the first mistake while printing and raising HOSTILE."""
    tmp = tmp_path_factory.mktemp("report")
    for kind, suffix in (("exercises", "yaml"), ("solutions", "py")):
        (tmp / "course" / kind).mkdir(parents=True)
        for stem in EXERCISES:
            shutil.copy(ROOT / kind / f"{stem}.{suffix}", tmp / "course" / kind / f"{stem}.{suffix}")
    course = Course(tmp / "course")
    scalar, detach = course.exercises
    solved = course.solution_file(scalar).read_text(encoding="utf-8")
    hostile = mistake_source(course, detach, 0).replace("def detached_grad(x):",
                                                        f"def detached_grad(x):\n    print({HOSTILE!r})")
    students = {
        "ben": {scalar.file_stem: solved, detach.file_stem: mistake_source(course, detach, 0)},
        "cy o'neil": {detach.file_stem: mistake_source(course, detach, 1)},  # a name a URL must quote
        "zed": {scalar.file_stem: f"def grad_two_dot(x):\n    raise ValueError({HOSTILE!r})\n",
                detach.file_stem: hostile},
    }
    for name, files in students.items():
        (tmp / "class" / name).mkdir(parents=True)
        for stem, text in files.items():
            (tmp / "class" / name / f"{stem}.py").write_text(text, encoding="utf-8")
    out = tmp / "out"
    proc = tutor("grade", *(str(tmp / "class" / n) for n in students), "--out", str(out), "--jobs", "2",
                     "--report", str(tmp / "report.html"), env={"TUTOR_ROOT": str(tmp / "course")})
    assert proc.returncode == 0, proc.stderr[-3000:]
    return tmp, out, detach


def test_the_class_report_draws_its_figures_and_names_the_class_mistakes(graded):
    tmp, out, detach = graded
    shot = tmp / "class.png"
    dom = parse(chromium((tmp / "report.html").as_uri(), tmp, shot))
    assert pixels(shot, html_page.HISTOGRAM) > 2000 and pixels(shot, html_page.BARS) > 500
    bars = [bar.attrs["style"] for bar in dom.all("div", "bar")]
    assert bars == ["height:100.0%", "height:50.0%", "height:0.0%"]  # totals 0.5, 0.5 and 1.5 of 2 points

    mistakes = {li.text().split(" — ")[0]: next(li.all("b", "count")).text() for li in dom.all("li", "mistake")}
    first, second, *_ = (f"detached_grad: {m.hint.en.replace('`', '')}" for m in detach.mistakes)
    assert mistakes == {first: "2 of 3 students", second: "1 of 3 students"}
    unexplained = [td.text() for td in dom.all("td")]
    assert any(HOSTILE.split("\n")[0][:60] in cell for cell in unexplained)  # zed's error, as text
    causes = [[td.text() for td in tr.all("td")] for tr in next(dom.all("table", "causes")).all("tr")]
    assert causes == [[], ["file missing", "1", "1"]]  # its header, then cy's 2.5.1

    links = {a.text(): a.attrs["href"] for a in next(dom.all("table", "students")).all("a")}
    assert sorted(links) == ["ben", "cy o'neil", "zed"]
    for name, href in links.items():  # resolved as the browser resolves it, against the report's URL
        target = Path(unquote(urlparse(urljoin((tmp / "report.html").as_uri(), href)).path))
        assert target == out / "students" / name / "feedback.html"
        assert f"<title>{html_page.esc(name)}: feedback</title>" in target.read_text(encoding="utf-8")
    assert not list(dom.all("script")) and next(dom.all("title")).text() == "Class report"


def test_what_a_student_prints_changes_nothing_in_their_page(graded):
    tmp, out, _ = graded
    folder = out / "students" / "zed"
    shot = tmp / "zed.png"
    dom = parse(chromium((folder / "feedback.html").as_uri(), tmp, shot))
    assert pixels(shot, html_page.DIFFERS) > 200  # the differing elements of a tensor, marked
    shown = dom.text()
    assert "</table></pre></div><script>document.title='pwned'</script>" in shown  # as text
    assert next(dom.all("title")).text() == "zed: feedback" and not list(dom.all("script"))
    for written in (folder / "feedback.html", tmp / "report.html"):
        assert_safe(written.read_text(encoding="utf-8"))  # no raw control character: shown as \x1b
    # The same record without a character of markup (a record is data: its only markup is the
    # student's): the same elements, nested alike.
    record = (folder / "feedback.json").read_text(encoding="utf-8")
    assert "<script>" in record
    twin = json.loads(record.translate(str.maketrans("<>&", "‹›+")))
    (tmp / "twin.html").write_text(feedback_page.render(twin, "en"), encoding="utf-8")
    assert parse(chromium((tmp / "twin.html").as_uri(), tmp)).skeleton() == dom.skeleton()


def test_the_report_and_the_pages_in_chinese(graded):
    tmp, out, detach = graded
    proc = tutor("report", str(out), "-o", str(tmp / "zh.html"), "--lang", "zh")
    assert proc.returncode == 0 and "3 名学生" in proc.stdout, proc.stderr
    report = (tmp / "zh.html").read_text(encoding="utf-8")
    assert '<html lang="zh-CN">' in report and "常见错误" in report
    assert html_page.prose(detach.mistakes[0].hint.zh) in report and "3 名学生中的 2 名" in report
    page = (out / "students" / "ben" / "feedback.html").read_text(encoding="utf-8")
    assert "ben 的反馈" in page and "期望" in page


def test_a_record_keeps_hidden_cases_to_their_names_and_an_ungraded_student_gets_a_page(tmp_path):
    row = {"function": "f", "label": {"en": "secret", "zh": "secret"}, "passed": False, "hidden": True}
    ex = {"id": "9.9", "slug": "x", "title": {"en": "X", "zh": "X"}, "file": "x.py", "status": "fail", "score": 0,
          "max_score": 1, "passed_checks": 0, "checks": 1, "seed": 1,
          "problem": None, "details": [], "cause": None, "mistakes": {}, "rows": [row]}
    page = feedback_page.render({"version": 1, "student": "a", "sandbox": {"en": "jail", "zh": "jail"},
                                 "exercises": [ex]}, "en")
    assert "secret" in page and "(hidden check)" in page
    error = feedback_page.render_error("b", "Timeout: <b>", "en")
    assert "b could not be graded: Timeout: &lt;b&gt;" in error


def test_tutor_report_names_a_folder_that_was_not_graded_or_a_student_without_a_record(tmp_path):
    proc = run_tutor("report", str(tmp_path), "-o", str(tmp_path / "r.html"))
    assert proc.returncode == 2 and "grades.csv" in proc.stderr
    (tmp_path / "grades.csv").write_text("student,total,error\nann,1.0,\n", encoding="utf-8")
    proc = run_tutor("report", str(tmp_path), "-o", str(tmp_path / "r.html"))
    assert proc.returncode == 2 and "feedback.json is missing" in proc.stderr and "Traceback" not in proc.stderr
    assert not (tmp_path / "r.html").exists()
