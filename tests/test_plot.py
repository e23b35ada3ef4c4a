"""tutor check 2.5.6.5 --plot FILE.png: sin, the student's derivative and cos on one figure."""
from conftest import run_tutor


def test_plot_draws_the_students_curves(tmp_path):
    out = tmp_path / "sin.png"
    proc = run_tutor("check", "2.5.6.5", "--file", "solutions/2.5.6.5-sin-derivative.py", "--plot", str(out))
    assert proc.returncode == 0, proc.stderr
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and out.stat().st_size > 10_000


def test_plot_of_a_failing_answer_says_why(tmp_path):
    answer = tmp_path / "a.py"
    answer.write_text("def sin_and_derivative(x):\n    raise ValueError('not yet')\n", encoding="utf-8")
    proc = run_tutor("check", "2.5.6.5", "--file", str(answer), "--plot", str(tmp_path / "x.png"))
    assert proc.returncode == 1 and "nothing to plot" in proc.stderr and "not yet" in proc.stderr
    assert not (tmp_path / "x.png").exists()


def test_plot_needs_an_exercise_with_a_figure(tmp_path):
    proc = run_tutor("check", "2.5.3", "--plot", str(tmp_path / "x.png"))
    assert proc.returncode == 2 and "2.5.6.5" in proc.stderr
