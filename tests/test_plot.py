"""tutor plot ID and check --plot: the exercise's figure, or where a failed comparison differs."""
from conftest import run_tutor, tutor


def test_plot_draws_the_students_curves(tmp_path):
    out = tmp_path / "sin.png"
    proc = tutor("check", "2.5.6.5", "--file", "solutions/2.5.6.5-sin-derivative.py", "--plot", str(out))
    assert proc.returncode == 0, proc.stderr
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and out.stat().st_size > 10_000


def test_plot_of_a_failing_answer_says_why(tmp_path):
    answer = tmp_path / "a.py"
    answer.write_text("def sin_and_derivative(x):\n    raise ValueError('not yet')\n", encoding="utf-8")
    proc = tutor("check", "2.5.6.5", "--file", str(answer), "--plot", str(tmp_path / "x.png"))
    assert proc.returncode == 1 and "nothing to plot" in proc.stderr and "not yet" in proc.stderr
    assert not (tmp_path / "x.png").exists()


def test_plot_of_a_passing_answer_without_a_figure_says_there_is_nothing_to_draw(tmp_path):
    proc = tutor("check", "2.5.3", "--file", "solutions/2.5.3-detach.py", "--plot", str(tmp_path / "x.png"))
    assert proc.returncode == 1 and "nothing to draw" in proc.stderr
    assert not (tmp_path / "x.png").exists()
    assert tutor("check", "--all", "--plot", str(tmp_path / "x.png")).returncode == 2


def test_tutor_plot_of_a_passing_answer_without_a_figure_is_not_an_error():
    proc = tutor("plot", "2.5.3", "--file", "solutions/2.5.3-detach.py")
    assert proc.returncode == 0, proc.stderr
    assert "nothing to draw" in proc.stdout and "error" not in proc.stdout + proc.stderr


def test_tutor_plot_draws_the_figure_in_the_terminal():
    coloured = run_tutor("plot", "2.5.6.5", "--file", "solutions/2.5.6.5-sin-derivative.py", env={"FORCE_COLOR": "1"})
    assert coloured.returncode == 0, coloured.stderr
    for label in ("sin, your derivative of it, and cos", "sin(x)", "your d sin/dx", "cos(x)"):
        assert label in coloured.stdout
    assert any(ch in coloured.stdout for ch in "⠁⠂⠄⡀⢀⣀")  # braille dots: a drawn curve, not just labels
    # Piped, there is no colour: each curve has a marker of its own, named in the legend.
    piped = tutor("plot", "2.5.6.5", "--file", "solutions/2.5.6.5-sin-derivative.py")
    chart, legend = piped.stdout.rstrip().rsplit("\n", 1)
    assert legend.split() == ["•", "sin(x)", "+", "your", "d", "sin/dx", "x", "cos(x)"]
    assert "•" in chart and "x" in chart and not any(ch in chart for ch in "⠁⠂⠄⡀⢀⣀")


def test_a_chinese_legend_keeps_the_chart_in_its_box():
    """A Chinese character takes two columns: every row of the box ends in the same column."""
    from rich.cells import cell_len

    proc = tutor("plot", "2.5.6.5", "--file", "solutions/2.5.6.5-sin-derivative.py", "--lang", "zh")
    assert proc.returncode == 0 and "你求得的" in proc.stdout, proc.stderr
    rows = [line.rstrip() for line in proc.stdout.splitlines() if line.rstrip().endswith(("│", "┐", "┘"))]
    assert len(rows) >= 15 and len({cell_len(row) for row in rows}) == 1, rows


WRONG_GRAD = """import torch

def grad_of_square(x):
    (x * x).sum().backward()
    g = x.grad.clone()
    g[g.numel() // 2] += 1.0
    return g
"""

WRONG_MATMUL = """import torch

def matmul(A, B):
    C = torch.mm(A, B)
    C[0, -1] += 1.0
    return C
"""


def test_a_failed_1d_comparison_is_drawn_in_the_terminal_and_as_a_picture(tmp_path):
    answer = tmp_path / "a.py"
    answer.write_text(WRONG_GRAD, encoding="utf-8")
    proc = tutor("plot", "2.5.2", "--file", str(answer))
    assert proc.returncode == 0, proc.stderr
    assert "grad_of_square" in proc.stdout and "values differ" in proc.stdout and "expected" in proc.stdout
    out = tmp_path / "diff.png"
    proc = tutor("plot", "2.5.2", "--file", str(answer), "-o", str(out))
    assert proc.returncode == 0 and out.read_bytes()[:4] == b"\x89PNG"


def test_a_failed_2d_comparison_is_drawn_by_check_plot(tmp_path):
    answer = tmp_path / "a.py"
    answer.write_text(WRONG_MATMUL, encoding="utf-8")
    out = tmp_path / "diff.png"
    proc = tutor("check", "2.1.8.2.1", "--file", str(answer), "--plot", str(out))
    assert proc.returncode == 1  # the check's verdict; the picture is drawn as well
    assert out.read_bytes()[:4] == b"\x89PNG" and "Drew" in proc.stderr


def test_chinese_labels_need_a_chinese_font(monkeypatch):
    from matplotlib import font_manager

    from grader.output.plot import _font_for

    monkeypatch.setattr(font_manager.fontManager, "ttflist", [])
    lang, note = _font_for("zh")
    assert lang == "en" and "no Chinese font" in note.en and "中文字体" in note.zh
    monkeypatch.setattr(font_manager.fontManager, "ttflist",
                        [font_manager.FontEntry(fname="x.otf", name="Noto Sans CJK SC")])
    assert _font_for("zh") == ("zh", None)
    assert _font_for("en") == ("en", None)
