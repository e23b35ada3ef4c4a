"""The Chinese a student reads: the book's terms (docs/glossary-zh.yaml) and Chinese typography,
in every zh text of the course and of the grader's message catalogs."""
import re

import pytest
import yaml

from conftest import ROOT
from grader.course.catalog import Course
from grader.messages.feedback import FEEDBACK
from grader.messages.help import FRAME, HELP
from grader.messages.text import Text
from grader.messages.ui import WORDS

GLOSSARY = yaml.safe_load((ROOT / "docs" / "glossary-zh.yaml").read_text(encoding="utf-8"))


def exercise_texts(ex):
    """(where, Text) for every bilingual text of an exercise, the prompt first."""
    yield f"{ex.id} title", ex.title
    yield f"{ex.id} prompt", ex.prompt
    for fn in ex.functions:
        for spec in fn.cases:
            if spec.label is not None:
                yield f"{ex.id} label {fn.name}", spec.label
        for check in fn.all_checks():
            for key, value in check.options.items():
                if isinstance(value, Text):
                    yield f"{ex.id} {fn.name} {check.kind}.{key}", value
    for i, hint in enumerate(ex.hints):
        yield f"{ex.id} hints[{i}]", hint
    for i, mistake in enumerate(ex.mistakes):
        yield f"{ex.id} mistakes[{i}] ({mistake.function})", mistake.hint
    if ex.plot is not None:
        yield f"{ex.id} plot.title", ex.plot.title
        for i, curve in enumerate(ex.plot.curves):
            yield f"{ex.id} plot.curves[{i}]", curve.label


def zh_texts():
    """(where, zh text) for everything a student reads in Chinese that is ours, in course order."""
    out = []
    for ex in Course(ROOT).exercises:
        out += [(where, text.zh) for where, text in exercise_texts(ex)]
    out += [(f"feedback {key!r}", text.zh) for key, text in FEEDBACK.items()]
    out += [(f"ui {key!r}", text.zh) for key, text in WORDS.items()]
    out += [(f"help {key!r}", text.zh) for key, text in {**HELP, **FRAME}.items()]
    return out


TEXTS = zh_texts()


def test_the_texts_scanned_include_every_kind():
    # Guards the scans below against silently reading nothing.
    kinds = {where.split()[1] if where[0].isdigit() else where.split()[0] for where, _ in TEXTS}
    assert {"title", "prompt", "feedback", "ui", "help", "label"} <= kinds
    assert sum(where.endswith("prompt") for where, _ in TEXTS) == len(Course(ROOT).exercises) >= 20


def _replaced(entry):
    """A regular expression matching every term the entry replaces."""
    parts = [re.escape(t) for t in entry.get("replaces") or []]
    if entry.get("pattern"):
        parts.append(entry["pattern"])
    return re.compile("|".join(parts)) if parts else None


@pytest.mark.parametrize("entry", GLOSSARY, ids=lambda e: e["en"])
def test_no_zh_text_uses_a_term_the_glossary_replaces(entry):
    replaced = _replaced(entry)
    if replaced is None:
        return
    found = [f"{where}: …{text[max(0, m.start() - 12):m.end() + 12]}…"
             for where, text in TEXTS for m in replaced.finditer(text)]
    assert not found, f"use {entry['zh']}:\n" + "\n".join(found)


@pytest.mark.parametrize("entry", GLOSSARY, ids=lambda e: e["en"])
def test_the_glossary_terms_are_the_ones_used(entry):
    # A term the course never uses is a stale entry; a replaced term the book also uses
    # would make the rule above contradict the book.
    assert any(entry["zh"] in text for _, text in TEXTS), entry["zh"]
    replaced = _replaced(entry)
    assert replaced is None or not replaced.search(entry["zh"])


@pytest.mark.parametrize("entry", [e for e in GLOSSARY if e.get("gloss")], ids=lambda e: e["en"])
def test_a_term_the_book_does_not_define_is_glossed_on_first_use(entry):
    first = next(text[text.index(entry["zh"]):] for _, text in TEXTS if entry["zh"] in text)
    assert first.startswith(f"{entry['zh']}（{entry['gloss']}"), first[:60]


# What a label that reads the same in both languages may hold: code and formulas, no English.
CODE_WORDS = {"float32", "float64", "int64", "exp", "sin"}


def test_every_case_label_of_the_course_has_its_own_chinese():
    # A label is {en, zh} in its exercise file; one string only where both read the same
    # (`m = k = 6`), which must then hold no English word.
    labels = [spec.label for ex in Course(ROOT).exercises for fn in ex.functions for spec in fn.cases if spec.label]
    assert len({label.en for label in labels}) > 40
    own = [label for label in labels if label.en != label.zh]
    assert own and all(re.search(f"[{CJK}]", label.zh) for label in own), [l for l in own if not re.search(f"[{CJK}]", l.zh)]
    same = {label.en for label in labels if label.en == label.zh}
    english = sorted(label for label in same
                     if set(w for w in re.findall(r"[A-Za-z]\w*", label) if len(w) > 2) - CODE_WORDS)
    assert same and not english, english


# --- Typography: the mechanical rules of a Chinese sentence -------------------------------

from grader.messages.text import CJK, FULL_WIDTH  # noqa: E402

LATIN = "A-Za-z0-9\u0370-\u03ff"
RULES = [
    # (what is wrong, where it is)
    ("a half-width ,;:?! after Chinese", re.compile(f"[{CJK}] ?[,;:?!]")),
    ("half-width parentheses around Chinese", re.compile(f"\\( ?[{CJK}]|[{CJK}] ?\\)")),
    ("a half-width ( after Chinese (not a tuple of numbers)", re.compile(f"[{CJK}] ?\\((?![-\\d., ]*\\))")),
    ('a half-width " in a Chinese text (use “”)', re.compile('"')),
    ("a space beside full-width punctuation", re.compile(f"(?<=\\S) (?=[{FULL_WIDTH}])|(?<=[{FULL_WIDTH}]) (?=\\S)")),
    ("Chinese touching a Latin word, number or code (one space between)",
     re.compile(f"[{CJK}][{LATIN}`]|[{LATIN}`][{CJK}]")),
    ("a space inside a Chinese phrase", re.compile(f"[{CJK}] +[{CJK}]")),
    ("a line break inside a Chinese paragraph (Markdown makes it a space)", re.compile(f"[{CJK}，、]\n(?=[{CJK}])")),
]


def prose(text: str) -> str:
    """The text without what is not Chinese prose: code blocks go, each code span becomes a
    single `, and Markdown emphasis marks are dropped."""
    text = re.sub(r"```.*?```", "", text, flags=re.S)
    text = "\n".join(line for line in text.split("\n") if not line.startswith("    ") or re.search(f"[{CJK}]", line))
    text = re.sub(r"`[^`\n]+`", "`", text)
    return re.sub(r"\*+", "", text)


def typography_problems(text: str) -> list[str]:
    clean = prose(text)
    return [f"{what}: …{clean[max(0, m.start() - 10):m.end() + 10]}…" for what, rule in RULES for m in rule.finditer(clean)]


def test_the_typography_rules_catch_what_they_name():
    # Each rule against a sentence that breaks it, and the sentences that keep them all.
    wrong = ["期望张量, 得到 None", "张量 (非连续)", "结果(形状", '有多"大"', "得到： None", "得到 ，", "返回x的值",
             "返回 `x`的值", "张量 的形状", "第一行\n第二行"]
    assert [len(typography_problems(t)) > 0 for t in wrong] == [True] * len(wrong)
    right = ["期望 tuple (3, 4)，得到 None", "第一处不同在索引 (0, 2)：期望 1，得到 2", "`x.grad` 是 `None`：请返回 `x`。",
             "**标量**是 0 维张量，形状为 `()`：`torch.tensor(5)`。", "A、B 和 C", "代码：\n\n    RuntimeError: x, y\n"]
    assert [typography_problems(t) for t in right] == [[]] * len(right)


@pytest.mark.parametrize("ex", Course(ROOT).exercises, ids=lambda ex: ex.id)
def test_every_zh_text_of_an_exercise_follows_chinese_typography(ex):
    found = [f"{where}: {p}" for where, text in exercise_texts(ex) for p in typography_problems(text.zh)]
    assert not found, "\n".join(found)


def _samples(template: str):
    """The template's fields, each filled with a Chinese text, then each with a Latin word:
    both kinds of value must meet the template's text properly."""
    import string

    fields = [(name, spec) for part in (template.en, template.zh)
              for _, name, spec, _ in string.Formatter().parse(part) if name]
    for value in (Text("value", "张量"), "None"):
        yield {name: 1234.5 if spec and spec[-1] in "fg," else value for name, spec in fields}


def sandbox_lines() -> list[Text]:
    """The sandbox line for a child that held everything, one that held nothing, and a
    fallback from the jail: every note's both wordings."""
    from grader.sandbox.jail import isolation, judge_facts

    limits = {"memory_bytes": 1, "cpu_seconds": 1, "file_bytes": 1}
    held = {"namespaces": {n: "x:[1]" for n in ("user", "pid", "net", "ipc", "uts", "mnt")}, "uid": 65534,
            "caps": ["0", "0", "0"], "interfaces": ["lo"], "seccomp": "2", "no_new_privs": "1", "dumpable": 0, "allow_list": True,
            "limits": {"as": 1, "cpu": 1, "fsize": 1}}
    nothing = {"reachable": ["/c/solutions"], "dumpable": 1, "filter_error": "OSError: no libseccomp"}
    return [isolation("jail", "", judge_facts(held, limits)), isolation("process", "", judge_facts(nothing, limits)),
            isolation("process", "bwrap: No permissions to create a new namespace", judge_facts({}, limits))]


@pytest.mark.parametrize("catalog", ["feedback", "ui", "help", "sandbox"])
def test_every_zh_message_follows_chinese_typography(catalog):
    if catalog == "sandbox":
        filled = [(line.en, line.zh) for line in sandbox_lines()]
    else:
        texts = {"feedback": FEEDBACK, "ui": WORDS, "help": HELP}[catalog]
        filled = [(key, text.format(**values).zh) for key, text in texts.items() for values in _samples(text)]
    found = [f"{key}: {p}" for key, zh in filled for p in typography_problems(re.sub(r"\[/?\w+\]", "", zh))]
    assert filled and not found, "\n".join(found)


def _unparsed_emphasis(markdown: str) -> list[str]:
    """Text runs in which an emphasis mark was left as a literal `*`, parsed as `tutor show`
    parses (markdown-it, through Rich): beside full-width punctuation a closing ** must
    follow a letter, not the punctuation."""
    from markdown_it import MarkdownIt

    tokens = MarkdownIt().enable("strikethrough").enable("table").parse(markdown)
    runs = [child.content for t in tokens if t.type == "inline" for child in t.children or [] if child.type == "text"]
    return [run for run in runs if "*" in run]


def test_the_emphasis_check_sees_a_mark_markdown_leaves_alone():
    assert _unparsed_emphasis("**这是错误的。** 正确的规则是") == []  # a space lets it close...
    assert _unparsed_emphasis("**这是错误的。**正确的规则是") != []   # ...no space, and it does not
    assert _unparsed_emphasis("**这是错误的**。正确的规则是") == []


@pytest.mark.parametrize("ex", Course(ROOT).exercises, ids=lambda ex: ex.id)
def test_every_emphasis_in_a_zh_prompt_or_hint_is_rendered(ex):
    markdown = [(where, text.zh) for where, text in exercise_texts(ex) if "prompt" in where or "hint" in where]
    found = [f"{where}: {run}" for where, zh in markdown for run in _unparsed_emphasis(zh)]
    assert not found, "\n".join(found)


def test_a_value_meets_chinese_text_with_one_space_or_none():
    from grader.messages.feedback import said

    tensor = said("a tensor", a="a", dtype="float32", shape=(3,))
    assert said("expected got", expected=tensor, got=said("none")).zh == "期望形状为 (3,) 的 float32 张量，得到 None"
    assert Text("期望 {x}", "期望 {x}").format(x=Text("x", "张量")).zh == "期望张量"
    assert Text("{x}", "{x}的值").format(x="x").zh == "x 的值"
    assert said("printed", output="  two spaces").zh == "输出：  two spaces"  # a student's output is kept whole
    flags = Text.joined(["requires_grad=True", said("non-contiguous")])
    assert said("flags", flags=flags).zh == "（requires_grad=True、非连续）" and flags.en == "requires_grad=True, non-contiguous"
    args = Text.joined([Text.joined(["a=", tensor], ""), "i=1", "j=2"])
    assert args.zh == "a=形状为 (3,) 的 float32 张量，i=1, j=2" and args.en == "a=a float32 tensor of shape (3,), i=1, j=2"


# --- Wrapping: tutor show and tutor hint at 80 columns ---------------------------------

def _shown(markdown: str, plain: bool = False) -> list[str]:
    """The lines `tutor show` prints for `markdown` in Chinese on an 80-column terminal."""
    import io

    from rich.console import Console
    from rich.markdown import Markdown

    from grader.output.wrap import print_markdown

    console = Console(width=80, record=True, file=io.StringIO(), highlight=False)
    console.print(Markdown(markdown)) if plain else print_markdown(console, markdown, "zh")
    return console.export_text().splitlines()


def wrapping_problems(markdown: str, plain: bool = False) -> list[str]:
    from rich.cells import cell_len

    from grader.output.wrap import _IDEOGRAPH, _NO_BREAK_AFTER, _NO_BREAK_BEFORE

    lines = _shown(markdown, plain)
    found = [f"wider than 80 columns: {line}" for line in lines if cell_len(line) > 80]
    for code in re.findall(r"`([^`\n]+)`", markdown):
        if cell_len(code) <= 60 and not any(code in line for line in lines):
            found.append(f"code broken across lines: {code}")
    for above, below in zip(lines, lines[1:]):
        head, tail = below.lstrip(), above.rstrip()
        if (len(head) > 1 and tail and _IDEOGRAPH.match(head[0]) and head[1] not in _NO_BREAK_BEFORE
                and tail[-1] not in _NO_BREAK_AFTER
                and cell_len(tail) + (not _IDEOGRAPH.match(tail[-1])) + cell_len(head[0]) <= 80):  # + a space after Latin
            found.append(f"Chinese moved to the next line though it fits: {tail} / {head[:10]}")
    return found


def test_the_wrapping_check_finds_what_rich_alone_does():
    # Rich alone breaks only at spaces: the prompt of 2.1.4 then has both faults.
    prompt = Course(ROOT).get("2.1.4").prompt.zh
    problems = wrapping_problems(prompt, plain=True)
    assert any("code broken" in p for p in problems) and any("fits" in p for p in problems)


@pytest.mark.parametrize("ex", Course(ROOT).exercises, ids=lambda ex: ex.id)
def test_every_zh_prompt_and_hint_wraps_at_80_columns_between_characters_not_inside_code(ex):
    texts = [("prompt", ex.prompt.zh)] + [(f"hints[{i}]", hint.zh) for i, hint in enumerate(ex.hints)]
    found = [f"{where}: {p}" for where, text in texts for p in wrapping_problems(text)]
    assert not found, "\n".join(found)


def test_break_positions_keep_code_whole_and_fold_what_cannot_fit():
    from grader.output.wrap import break_positions

    text = "调用 X[0:1, :] = 12（或任何产生新内存的操作），会使结果不再与 X 共享内存"
    breaks = break_positions(text, 16, ("X[0:1, :] = 12",))
    lines = [text[i:j] for i, j in zip([0, *breaks], [*breaks, len(text)])]
    assert lines[:3] == ["调用 ", "X[0:1, :] = 12", "（或任何产生新内"], lines  # the code is not split at its spaces...
    assert not any(line.startswith(("，", "）")) for line in lines)  # ...and no line starts with closing punctuation
    assert break_positions("x" * 25, 10) == [10, 20]


def test_typers_own_words_in_english_are_typers():
    """English help and errors keep Typer's own words, so `tutor list` need not import
    typer.rich_utils to set them (80 ms of every run)."""
    from typer import rich_utils

    from grader.cli.localize import _TYPER_WORDS
    from grader.messages.help import FRAME

    assert len(_TYPER_WORDS) > 5
    for name, key in _TYPER_WORDS:
        assert getattr(rich_utils, name) == FRAME[key].en, name


def test_clicks_own_usage_errors_are_chinese_for_a_chinese_student():
    """A missing argument, an unknown option or command, an extra argument: said from what
    Click's error holds, in Chinese; in English, Click's own words."""
    from typer.testing import CliRunner

    import cli

    cases = {("grade",): "缺少参数 'submissions'。", ("check", "--bogus"): "没有这个选项：--bogus",
             ("chek",): "没有这个命令：chek。你是不是想输入 check？", ("show", "2.5.3", "extra"): "多余的参数：extra",
             ("check", "--seed", "x", "2.5.3"): "'--seed' 的值无效"}
    for args, words in cases.items():
        out = CliRunner().invoke(cli.app, list(args), env={"TUTOR_LANG": "zh"}, terminal_width=200).output
        assert words in out and "错误" in out, (args, out)
    english = CliRunner().invoke(cli.app, ["grade"], env={"TUTOR_LANG": "en"}, terminal_width=200).output
    assert "Missing argument 'submissions'." in english and "缺少" not in english


def test_the_language_given_before_the_command_is_the_commands():
    """`tutor --lang zh check` speaks as `tutor check --lang zh` does."""
    from typer.testing import CliRunner

    import cli

    before = CliRunner().invoke(cli.app, ["--lang", "zh", "check"], env={"TUTOR_LANG": "en"}).output
    after = CliRunner().invoke(cli.app, ["check", "--lang", "zh"], env={"TUTOR_LANG": "en"}).output
    assert "请指定一个练习" in before and before == after


def test_the_app_called_again_in_one_process_speaks_each_calls_language():
    """Help and Click's errors follow each call's language (Typer builds the command tree per call)."""
    from typer.testing import CliRunner

    import cli

    for _ in range(3):
        zh = CliRunner().invoke(cli.app, ["grade"], env={"TUTOR_LANG": "zh"}, terminal_width=200).output
        en = CliRunner().invoke(cli.app, ["grade"], env={"TUTOR_LANG": "en"}, terminal_width=200).output
        assert "缺少参数" in zh and "Missing argument" in en and "缺少" not in en, en
