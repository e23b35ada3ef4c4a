"""The words tutor itself shows students, in every language the course is taught in.

Exercise texts live in the exercise files; these are the tool's own labels. The grader's
feedback on a student's code (what differed, and how) is in `grader.feedback`.
"""
from __future__ import annotations

from .text import Text

WORDS: dict[str, Text] = {
    # tutor list, and the status of an exercise
    "id": Text("id", "编号"),
    "slug": Text("slug", "短名"),
    "title": Text("title", "标题"),
    "status": Text("status", "状态"),
    "passed": Text("passed", "已通过"),
    "failing": Text("failing", "未通过"),
    "changed": Text("changed", "已修改"),
    "not started": Text("not started", "未开始"),
    "next marker": Text("← next", "← 下一个"),
    "passed count": Text("{passed}/{total} passed", "已通过 {passed}/{total}"),
    "section exercises": Text("Exercises for d2l {section}:", "d2l {section} 的练习："),
    "notes numbering": Text("(numbered as in the seed notes)", "（按课程笔记编号）"),
    "start one": Text("Start one with: tutor show ID", "从其中一个开始：tutor show ID"),
    # tutor (no command)
    "exercises passed": Text("{passed}/{total} exercises passed.", "已通过 {passed}/{total} 个练习。"),
    "all done": Text("All done. `tutor list` shows them all.", "全部完成。`tutor list` 可查看所有练习。"),
    "next": Text("Next: tutor show {id} ({title}), edit the file it names, then tutor check {id}.",
                 "下一步：tutor show {id}（{title}），编辑它给出的文件，然后运行 tutor check {id}。"),
    "more": Text("More: tutor list · tutor hint ID · tutor --help", "更多：tutor list · tutor hint ID · tutor --help"),
    # tutor show
    "write": Text("Write these functions:", "编写这些函数："),
    "edit": Text("Edit:", "编辑："),
    "created": Text("(created from the starter)", "（已由初始代码创建）"),
    "then run": Text("Then run:", "然后运行："),
    # tutor hint, tutor solution
    "hint header": Text("Hint {n}/{total}", "提示 {n}/{total}"),
    "no hints": Text("This exercise has no hints; `tutor check` names known mistakes.",
                     "这个练习没有提示；`tutor check` 会指出常见错误。"),
    "compare": Text("Compare with the reference solution: tutor solution {id}",
                    "与参考答案对比：tutor solution {id}"),
    "pass first": Text("Pass {id} first (tutor check {id}): the reference is shown after your own answer passes.",
                       "请先通过 {id}（tutor check {id}）：你的答案通过后才显示参考答案。"),
    # tutor watch
    "watching": Text("Watching {file}. Save it to check again.", "正在监视 {file}。保存文件即可重新检查。"),
    "keys": Text("keys: h hint · l list · c check again · q quit", "按键：h 提示 · l 列表 · c 重新检查 · q 退出"),
    "every passed": Text("Every exercise has passed.", "所有练习都已通过。"),
    "watch hint": Text("hint {n}/{total}:", "提示 {n}/{total}："),
    # tutor check
    "summary": Text("{passed}/{total} checks passed, {score}/{max} points", "通过 {passed}/{total} 项检查，得分 {score}/{max}"),
    "seed": Text("seed {seed}", "随机种子 {seed}"),
    # Labels carry their own spacing: a space after an English colon or before an English
    # parenthesis, none around Chinese full-width punctuation.
    "replay": Text(" (replay with --seed {seed})", "（用 --seed {seed} 重现）"),
    "sandbox": Text("sandbox: ", "沙箱："),
    "hint": Text("hint: ", "提示："),
    "expected": Text("expected", "期望"),
    "got": Text("got", "你的结果"),
    "gap": Text("|got - expected|", "|你的结果 - 期望|"),
    "printed": Text("printed: ", "输出："),
    "hidden": Text("(hidden check)", "（隐藏检查）"),
    "random cases": Text("{count} random cases", "{count} 个随机用例"),
    "more like it": Text("{label} and {count} more like it", "{label} 及另外 {count} 个同类用例"),
    "more failing": Text("{count} more failing cases", "另有 {count} 个用例未通过"),
    "fix first": Text(" (fix the ones above first)", "（请先修正上面的问题）"),
    # messages of the commands students use
    "error": Text("error:", "错误："),
    "unknown exercise": Text("no exercise {key!r} (known ids: {known}; slugs work too{broken})",
                             "没有练习 {key!r}（已有的编号：{known}；也可以用短名{broken}）"),
    "broken files": Text("; {count} exercise file(s) could not be loaded", "；有 {count} 个练习文件无法加载"),
    "no such file": Text("no such file: {file}", "没有这个文件：{file}"),
    "one or all": Text("name one exercise, or use --all", "请指定一个练习，或使用 --all"),
    "file needs one": Text("--file grades one exercise; name it", "--file 只评一个练习：请指定是哪一个"),
    "plot needs one": Text("--plot draws one exercise's result; name it", "--plot 只画一个练习的结果：请指定是哪一个"),
    "unloadable": Text("{error}: this exercise could not be checked", "{error}：这个练习无法检查"),
    "cannot grade": Text("cannot grade {id}: {error}", "无法为 {id} 评分：{error}"),
    "tutor bug": Text("tutor failed while grading {id} (a bug in tutor, not in your code): {error}; details in {file}",
                      "tutor 为 {id} 评分时出错（这是 tutor 的缺陷，不是你的代码的问题）：{error}；详情见 {file}"),
    "not a notebook": Text("{file} is not a readable notebook: {error}", "{file} 不是可读取的 notebook：{error}"),
    "drew": Text("Drew {file}", "已画出 {file}"),
    "overwrite": Text("Overwrite {file} with the starter?", "用初始代码覆盖 {file}？"),
    "restored": Text("Restored {file}", "已恢复 {file}"),
    "no course here": Text("There is no course in this folder; tutor's own course is at {root}.\n"
                           "To work here instead: [bold]tutor init .[/bold]  (starter files in ./workspace)",
                           "这个文件夹里没有课程；tutor 自带的课程在 {root}。\n"
                           "要在这里学习：[bold]tutor init .[/bold]（初始代码会放在 ./workspace）"),
    "has a course": Text("{target} already has a course (exercises/ or workspace/); nothing was changed",
                         "{target} 里已经有课程（exercises/ 或 workspace/）；没有做任何改动"),
    "laid out": Text("Laid out {count} exercises with their starter files in {folder}. Start with: {go}tutor show {id}",
                     "已在 {folder} 中放好 {count} 个练习及其初始代码。从这里开始：{go}tutor show {id}"),
}


# The sections of d2l's chapter 2 (预备知识), by which `tutor list` groups the exercises.
SECTIONS: dict[str, Text] = {
    "2.1": Text("Data manipulation", "数据操作"),
    "2.2": Text("Data preprocessing", "数据预处理"),
    "2.3": Text("Linear algebra", "线性代数"),
    "2.4": Text("Calculus", "微积分"),
    "2.5": Text("Automatic differentiation", "自动微分"),
    "2.6": Text("Probability", "概率"),
}


def section_title(section: str, lang: str) -> str:
    """A section's title, or nothing for a section of another course."""
    return SECTIONS[section].get(lang) if section in SECTIONS else ""


def say(word: str, lang: str, **values) -> str:
    return WORDS[word].format(**values).get(lang)
