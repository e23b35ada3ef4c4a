"""Bad exercise files are reported by file, line and field."""
import textwrap

import pytest

from grader.course.catalog import Course
from grader.course.model import ExerciseFileError, load_exercise

GOOD = """\
id: "9.1"
slug: demo
title: {en: Demo, zh: 演示}
prompt: {en: Write it., zh: 写吧。}
functions:
  - name: double
    signature: "double(x: Tensor) -> Tensor"
    cases:
      - {label: seed, args: ["torch.arange(3)"]}
    checks: [value]
starter: |
  def double(x):
      raise NotImplementedError
"""


def load(tmp_path, text, name="9.1-demo.yaml"):
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return load_exercise(path)


def error(tmp_path, text):
    with pytest.raises(ExerciseFileError) as info:
        load(tmp_path, text)
    return info.value


def test_good_file_loads(tmp_path):
    ex = load(tmp_path, GOOD)
    assert (ex.id, ex.slug, ex.functions[0].params) == ("9.1", "demo", ("x",))
    assert ex.title.get("zh") == "演示"


def test_a_file_is_parsed_once_per_content(tmp_path):
    # The fork runner's children reuse what the grader parsed; an edit, even one that keeps
    # the file's size, is read afresh.
    first = load(tmp_path, GOOD)
    assert load(tmp_path, GOOD) is first
    edited = load(tmp_path, GOOD.replace("title: {en: Demo,", "title: {en: Deno,"))
    assert edited is not first and edited.title.get("en") == "Deno"
    assert load(tmp_path, GOOD) is not edited


def test_yaml_syntax_error_names_file_and_line(tmp_path):
    e = error(tmp_path, GOOD.replace("slug: demo", "slug: [demo"))
    assert e.file.endswith("9.1-demo.yaml") and e.line is not None and "not valid YAML" in e.message


def test_unknown_check_kind_names_line_and_field(tmp_path):
    e = error(tmp_path, GOOD.replace("checks: [value]", "checks: [values]"))
    assert (e.line, e.field) == (10, "functions[0].checks[0]")
    assert "unknown check kind 'values'" in e.message and "value" in e.message


def test_unknown_field(tmp_path):
    e = error(tmp_path, GOOD.replace("slug: demo", "slug: demo\nsulg: typo"))
    assert e.field == "sulg" and e.line == 3


def test_missing_translation(tmp_path):
    e = error(tmp_path, GOOD.replace("title: {en: Demo, zh: 演示}", "title: {en: Demo}"))
    assert e.field == "title.zh" and e.message == "missing" and e.line == 3


def test_unquoted_numeric_id(tmp_path):
    e = error(tmp_path, GOOD.replace('id: "9.1"', "id: 9.1"))
    assert e.field == "id" and "quoted" in e.message


def test_bad_case_expression(tmp_path):
    e = error(tmp_path, GOOD.replace('args: ["torch.arange(3)"]', 'args: ["torch.arange(3"]'))
    assert (e.line, e.field) == (9, "functions[0].cases[0].args[0]") and "not a Python expression" in e.message


def case(entry, signature=None):
    """The file with its one case replaced by `entry` (a YAML flow mapping, on line 9), and
    the function's signature by `signature` if given."""
    text = GOOD.replace('{label: seed, args: ["torch.arange(3)"]}', entry)
    return text.replace("double(x: Tensor) -> Tensor", signature) if signature else text


def test_unknown_name_in_a_case_expression_is_located_at_load(tmp_path):
    # torch's dtypes are torch.float64: a bare float64 used to fail only in the sandbox, at check time
    e = error(tmp_path, case('{args: ["torch.ones(3, dtype=torch.float32)", "randn(2, dtype=float64)"]}'))
    assert (e.line, e.field) == (9, "functions[0].cases[0].args[1]")
    assert "unknown name 'float64'" in e.message and "torch.NAME" in e.message and "randn" in e.message
    assert str(e).startswith(f"{tmp_path / '9.1-demo.yaml'}:9: functions[0].cases[0].args[1]: unknown name")
    e = error(tmp_path, case('{args: ["x"], kwargs: {scale: "randn(2) * sigma"}}'))
    assert e.field == "functions[0].cases[0].args[0]" and "'x'" in e.message
    e = error(tmp_path, case('{args: ["torch.arange(3)"], kwargs: {scale: "rnadn(2)"}}'))
    assert e.field == "functions[0].cases[0].kwargs.scale" and "'rnadn' (did you mean 'randn'?)" in e.message


def test_list_names_the_located_error_without_importing_torch(tmp_path):
    import os
    import subprocess
    import sys

    from conftest import ROOT

    (tmp_path / "exercises").mkdir()
    (tmp_path / "exercises" / "9.1-demo.yaml").write_text(case('{args: ["randn(3, dtype=float64)"]}'), encoding="utf-8")
    (tmp_path / "exercises" / "9.2-fine.yaml").write_text(GOOD.replace('"9.1"', '"9.2"').replace("demo", "fine"),
                                                          encoding="utf-8")
    code = ("import sys; sys.argv = ['tutor', 'list']; import cli\n"
            "try:\n    cli.app()\nexcept SystemExit:\n    pass\n"
            "assert 'torch' not in sys.modules, 'tutor list imported torch'")
    proc = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(ROOT), "COLUMNS": "1000"})  # one line each
    assert proc.returncode == 0, proc.stderr
    where = f"{tmp_path / 'exercises' / '9.1-demo.yaml'}:9: functions[0].cases[0].args[0]: unknown name 'float64'"
    assert where in proc.stderr and "9.2" in proc.stdout


def test_let_names_are_known_to_later_expressions_only(tmp_path):
    ex = load(tmp_path, case('{let: {n: "integer(2, 5)", s: "(n, n)"}, args: ["randn(*s)"], kwargs: {k: "n"}}',
                             "double(x, k)"))
    assert ex.functions[0].cases[0].let == {"n": "integer(2, 5)", "s": "(n, n)"}
    e = error(tmp_path, case('{let: {s: "(n, n)", n: "integer(2, 5)"}, args: ["randn(*s)"]}'))
    assert e.field == "functions[0].cases[0].let.s" and "unknown name 'n'" in e.message
    e = error(tmp_path, case('{let: {"a b": "1"}, args: ["randn(2)"]}'))
    assert e.field == "functions[0].cases[0].let.a b" and "not a Python name" in e.message


def test_names_bound_inside_an_expression_and_builtins_are_known(tmp_path):
    entry = ('{args: ["lambda v: v ** 3", "[torch.full((i,), float(i)) for i in range(3)]",'
             ' "np.array([1.0])", "pd.DataFrame({})", "HOUSE_TINY", "leaf(noncontig(rand(2, 3)))"]}')
    assert len(load(tmp_path, case(entry, "double(*xs)")).functions[0].cases[0].args) == 6
    e = error(tmp_path, case('{args: ["lambda v: v ** k"]}'))
    assert "unknown name 'k'" in e.message


def test_the_loader_knows_the_names_recipes_bind():
    # recipes.NAMES is what the loader allows; it must be what the namespace really holds
    from grader.sandbox.inside import recipes

    namespace = recipes._namespace(0, {})
    assert namespace and set(namespace) == recipes.NAMES
    assert set(recipes._namespace(0, {"np": "numpy"})) - recipes.NAMES == {"np"}


def test_signature_must_name_the_function(tmp_path):
    e = error(tmp_path, GOOD.replace('"double(x: Tensor)', '"twice(x: Tensor)'))
    assert e.field == "functions[0].signature" and "'twice'" in e.message


def test_check_option_types(tmp_path):
    e = error(tmp_path, GOOD.replace("checks: [value]", "checks: [{value: {rtol: lots}}]"))
    assert e.field == "functions[0].checks[0].value.rtol" and "expected float" in e.message


def test_mistake_for_unknown_function(tmp_path):
    e = error(tmp_path, GOOD + "mistakes:\n  - {function: triple, code: 'x = 1', hint: {en: a, zh: b}}\n")
    assert e.field == "mistakes[0].function" and "triple" in e.message


def test_duplicate_slug_across_files(tmp_path):
    (tmp_path / "exercises").mkdir()
    (tmp_path / "exercises" / "9.1-demo.yaml").write_text(GOOD, encoding="utf-8")
    (tmp_path / "exercises" / "9.2-demo.yaml").write_text(GOOD.replace('"9.1"', '"9.2"'), encoding="utf-8")
    course = Course(tmp_path)
    assert [ex.id for ex in course.exercises] == ["9.1"]
    (problem,) = course.errors
    assert problem.file.endswith("9.2-demo.yaml") and "'demo' is already used by 9.1-demo.yaml" in problem.message


def test_one_broken_file_leaves_the_others_loadable(tmp_path):
    (tmp_path / "exercises").mkdir()
    (tmp_path / "exercises" / "9.1-demo.yaml").write_text(GOOD, encoding="utf-8")
    (tmp_path / "exercises" / "9.2-bad.yaml").write_text("id: [", encoding="utf-8")
    course = Course(tmp_path)
    assert course.get("demo").id == "9.1"
    assert course.errors[0].file.endswith("9.2-bad.yaml") and course.errors[0].line is not None


def test_course_ids_and_slugs_resolve(course):
    for ex in course.exercises:
        assert course.get(ex.id) is ex and course.get(ex.slug) is ex


def forbidding(calls, allow="[]"):
    return GOOD.replace("checks: [value]", f"checks:\n      - forbidden:\n          calls: {calls}\n"
                                           f"          allow_in_backward: {allow}")


@pytest.mark.parametrize("call", ["tensor", "torch.", "scipy.special.erf", "math.*", "torch.ten sor"])
def test_a_forbidden_call_the_sandbox_cannot_watch_is_located_at_load(tmp_path, call):
    e = error(tmp_path, forbidding(f'["torch.exp", "{call}"]'))
    assert (e.line, e.field) == (12, "functions[0].checks[0].forbidden.calls[1]")
    assert "not a call the sandbox can watch" in e.message and "aten" in e.message


def test_a_backward_node_must_look_like_one(tmp_path):
    e = error(tmp_path, forbidding('["aten.cos"]', '["SinBackward0", "sin backward"]'))
    assert (e.line, e.field) == (13, "functions[0].checks[0].forbidden.allow_in_backward[1]")


def test_the_loader_accepts_what_the_monitor_watches():
    # model.FORBIDDEN_PREFIXES is the monitor's rule read without torch; the two must agree
    from grader.course.model import FORBIDDEN_PREFIXES
    from grader.sandbox.inside.monitor import Monitor

    assert FORBIDDEN_PREFIXES
    Monitor([f"{prefix}.cos" for prefix in FORBIDDEN_PREFIXES])
    with pytest.raises(ValueError):
        Monitor(["scipy.cos"])


def test_validate_names_forbidden_calls_that_do_not_exist(tmp_path):
    # The loader knows only their form: a typo's existence is torch's to say, in `tutor validate`
    from grader.instructor.validate import unknown_forbidden_names

    real = '["torch.*", "torch.cos_", "Tensor.add_", "torch.Tensor.T", "aten.linalg_vector_norm", "math.cos", "np.cos"]'
    assert unknown_forbidden_names(load(tmp_path, forbidding(real, '["SinBackward0", "torch::autograd::CopySlices"]'))) == []
    ex = load(tmp_path, forbidding('["torch.exp", "torch.tensr", "aten.cos", "numpy.cosine"]', '["SinBackwards0"]'))
    where = f"{tmp_path / '9.1-demo.yaml'}:11"
    assert unknown_forbidden_names(ex) == [f"{where}: no such call 'torch.tensr'", f"{where}: no such call 'numpy.cosine'",
                                           f"{where}: no autograd node 'SinBackwards0'"]


def test_a_check_naming_an_unknown_function_is_located_at_the_name(tmp_path):
    e = error(tmp_path, GOOD.replace("checks: [value]", "checks:\n      - value\n      - numeric_grad: {of: dubble}"))
    assert (e.line, e.field) == (12, "functions[0].checks[1].numeric_grad.of") and "'dubble'" in e.message
    relation = ('{relation: {expr: "True", message: {en: a, zh: b},\n'
                '                         also: [double, triple]}}')
    e = error(tmp_path, case('{args: ["torch.arange(3)"], checks: [' + relation + ']}'))
    assert (e.line, e.field) == (10, "functions[0].cases[0].checks[0].relation.also[1]")
    assert "no function 'triple' in this exercise (its functions: double)" in e.message


def test_a_mistake_must_replace_a_function_of_the_exercise(tmp_path):
    helper = GOOD.replace("starter: |", """\
  - name: halve
    signature: "halve(x)"
    cases: [{args: ["torch.arange(3)"]}]
starter: |""")
    mistake = "mistakes:\n  - function: double\n    hint: {{en: a, zh: b}}\n    code: |\n      {}\n"
    # a wrong helper explains its caller's failure (2.5.4's f and grad_of_f)
    assert load(tmp_path, helper + mistake.format("def halve(x): return x")).mistakes[0].function == "double"
    e = error(tmp_path, helper + mistake.format("def doubel(x): return x"))
    assert (e.line, e.field) == (20, "mistakes[0].code") and "defines none of this exercise's functions" in e.message


@pytest.mark.parametrize("entry, field, words", [
    ('{args: ["torch.arange(3)", "2"]}', "functions[0].cases[0].args", "gives 2 arguments; double takes 1"),
    ('{args: ["torch.arange(3)"], kwargs: {scale: "2"}}', "functions[0].cases[0].kwargs.scale",
     "double has no parameter 'scale' to pass by name (its parameters: x)"),
    ('{args: ["torch.arange(3)"], kwargs: {x: "2"}}', "functions[0].cases[0].kwargs.x", "'x' is already given in args"),
    ('{args: []}', "functions[0].cases[0]", "gives no value for double's parameter 'x'"),
])
def test_a_case_must_bind_to_the_signature(tmp_path, entry, field, words):
    # else the reference raises TypeError too, and the case tests nothing
    e = error(tmp_path, case(entry))
    assert (e.line, e.field) == (9, field) and words in e.message


def test_a_case_may_pass_by_name_what_the_signature_allows(tmp_path):
    assert load(tmp_path, case('{args: [], kwargs: {x: "torch.arange(3)"}}')).functions[0].cases[0].kwargs == {
        "x": "torch.arange(3)"}
    flexible = case('{args: ["torch.arange(3)", "1", "2"], kwargs: {scale: "3.0", mode: "0"}}',
                    "double(x: Tensor, *rest, scale: float = 2.0, **options) -> Tensor")
    assert load(tmp_path, flexible).functions[0].params == ("x",)


def test_case_labels_come_from_the_exercise_file_in_both_languages(tmp_path):
    from grader.grading.cases import expand

    cases = """      - {label: {en: the example, zh: 笔记示例}, args: ["torch.arange(3)"]}
      - {label: "m = k = 6", args: ["torch.arange(6)"]}
      - {args: ["torch.arange(2)"]}
      - {label: {en: negatives, zh: 负数}, random: 2, args: ["-rand(3)"]}
      - {random: 1, args: ["rand(3)"]}
"""
    text = GOOD.replace('      - {label: seed, args: ["torch.arange(3)"]}\n', cases)
    labels = [case.label for case in expand(load(tmp_path, text).functions[0], 1)]
    assert [label.en for label in labels] == ["the example", "m = k = 6", "case 3", "negatives #1", "negatives #2",
                                              "random #1"]
    assert [label.zh for label in labels] == ["笔记示例", "m = k = 6", "用例 3", "负数 #1", "负数 #2", "随机 #1"]
    with pytest.raises(ExerciseFileError, match="is empty"):
        load(tmp_path, text.replace("zh: 负数}", "zh: ''}"))
