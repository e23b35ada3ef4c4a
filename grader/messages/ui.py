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
    "no such hint": Text("there is no hint {n}: this exercise has {total}", "没有第 {n} 条提示：这个练习共有 {total} 条"),
    "last hint": Text("That was the last hint; see them all with: tutor hint {id} --all",
                      "这是最后一条提示；查看全部：tutor hint {id} --all"),
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
    "watch moved on": Text("✓ {id} passed; on to the next unfinished exercise.", "✓ {id} 已通过；继续下一个未完成的练习。"),
    # tutor check
    "summary": Text("{passed}/{total} checks passed, {score}/{max} points", "通过 {passed}/{total} 项检查，得分 {score}/{max}"),
    "seed": Text("seed {seed}", "随机种子 {seed}"),
    # tutor check in a student copy (`tutor export-student`): the visible cases, from recorded outcomes
    "hidden on submission": Text("Checked against the expected values recorded in this copy: hidden checks run "
                                 "when your work is submitted.",
                                 "已用这份副本中记录的期望值检查：隐藏的检查在提交作业后运行。"),
    "recorded seed": Text("this copy checks its visible cases against expected values recorded at seed {recorded}, "
                          "not {seed}: run it without --seed (and without TUTOR_SEED)",
                          "这份副本用随机种子 {recorded} 下记录的期望值检查可见的用例，不能用 {seed}：请去掉 --seed"
                          "（以及 TUTOR_SEED）再运行"),
    "recording unreadable": Text("the expected values recorded in {file} cannot be read ({error}): ask for a fresh "
                                 "copy of the course",
                                 "无法读取 {file} 中记录的期望值（{error}）：请索取一份新的课程副本"),
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
    "cases": Text("{count} cases", "{count} 个用例"),
    "check total": Text("Total: {passed}/{count} exercises passed, {score}/{max} points",
                  "总计：通过 {passed}/{count} 个练习，得分 {score}/{max}"),
    "more like it": Text("{label} and {count} more like it", "{label} 及另外 {count} 个同类用例"),
    "more failing": Text("{count} more failing cases", "另有 {count} 个用例未通过"),
    "fix first": Text(" (fix the ones above first)", "（请先修正上面的问题）"),
    # the HTML pages: a student's feedback page (tutor grade) and the class report (tutor report)
    "feedback page": Text("{student}: feedback", "{student} 的反馈"),
    "points of": Text("{score}/{max} points", "得分 {score}/{max}"),
    "file": Text("file: ", "文件："),
    "no file": Text("the submission has no {file}", "提交中没有 {file}"),
    "not graded": Text("{student} could not be graded: {error}", "无法为 {student} 评分：{error}"),
    "class report": Text("Class report", "班级报告"),
    "at a glance": Text("The class at a glance", "全班概览"),
    "students graded": Text("{graded} of {count} students graded", "已为 {count} 名学生中的 {graded} 名评分"),
    "quartiles": Text("median {median}, quartiles {q1} and {q3} (of {max} points)",
                      "中位数 {median}，四分位数 {q1} 和 {q3}（满分 {max}）"),
    "totals": Text("Totals (points)", "总分分布"),
    "could not run": Text("Could not be graded", "无法评分"),
    "everything ran": Text("Every exercise of every student ran.", "每名学生的每个练习都运行了。"),
    "cause timeout": Text("timed out", "超时"),
    "cause crash": Text("crashed", "进程崩溃"),
    "cause missing": Text("file missing", "缺少文件"),
    "cause import": Text("does not import", "无法导入"),
    "cause grading": Text("grading failed", "评分失败"),
    "students": Text("students", "学生"),
    "exercises": Text("exercises", "练习"),
    "per exercise": Text("Per exercise", "各练习"),
    "pass rate": Text("passed by {rate}", "通过率 {rate}"),
    "mean points": Text("mean {mean}/{max} points", "平均得分 {mean}/{max}"),
    "named mistakes": Text("The named mistakes", "常见错误"),
    "of students": Text("{count} of {total} students", "{total} 名学生中的 {count} 名"),
    "share": Text(" ({share} of the class)", "（占全班 {share}）"),
    "no named mistake": Text("no failure matched a known mistake", "没有失败与已知的常见错误相符"),
    "unexplained": Text("failures no mistake explains", "常见错误无法解释的失败"),
    "more kinds": Text("and {count} more kinds of failure", "另有 {count} 类失败"),
    "per student": Text("Per student", "各学生"),
    "student": Text("student", "学生"),
    "total": Text("total", "总分"),
    "shards missing": Text("Without shards {shards}: their students are not in this report.",
                           "缺少分片 {shards}：其中的学生不在这份报告中。"),
    "no record": Text("{file} is missing or was written by another version of tutor: grade the class again",
                      "{file} 不存在，或者是由另一个版本的 tutor 写出的：请重新为全班评分"),
    "wrote report": Text("Wrote {file} ({count} students) and a feedback page for each student",
                         "已写出 {file}（{count} 名学生）以及每名学生的反馈页面"),
    "wrote pages": Text("Wrote a feedback page for each student: {folder}/<student>/feedback.html",
                        "已为每名学生写出反馈页面：{folder}/<student>/feedback.html"),
    # messages of the commands students use
    "error": Text("error:", "错误："),
    "unknown exercise": Text("no exercise {key!r} (known ids: {known}; slugs work too{broken})",
                             "没有练习 {key!r}（已有的编号：{known}；也可以用短名{broken}）"),
    "class needs every exercise": Text("not grading: {count} exercise file(s) above do not load, and the gradebook "
                                       "would lack their columns", "未评分：上面有 {count} 个练习文件无法加载，成绩册会缺少它们的列"),
    "exercise unloaded": Text("exercise {key!r} is in {file}, which does not load (the error above says where)",
                              "练习 {key!r} 在 {file} 中，而这个文件无法加载（上面的错误指出了位置）"),
    "did you mean": Text("no exercise {key!r}: did you mean {options}?{broken}",
                         "没有练习 {key!r}：你是不是想输入 {options}？{broken}"),
    "broken files": Text("; {count} exercise file(s) could not be loaded", "；有 {count} 个练习文件无法加载"),
    "no such file": Text("no such file: {file}", "没有这个文件：{file}"),
    "is a directory": Text("{file} is a folder: give the .py or .ipynb file in it", "{file} 是一个文件夹：请给出其中的 .py 或 .ipynb 文件"),
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
    "unknown language": Text("unknown language {lang!r}: use en or zh", "未知的语言 {lang!r}：请用 en 或 zh"),
    "no exercises": Text("no exercises found in {folder}", "{folder} 中没有找到练习"),
    "no references": Text("no reference solution for {ids} in {folder}: grading needs the instructor's solutions; "
                          "point --solutions (or TUTOR_SOLUTIONS) at them",
                          "{folder} 中没有 {ids} 的参考答案：评分需要教师的参考答案；请用 --solutions（或 "
                          "TUTOR_SOLUTIONS）指向它们"),
    "strict no start": Text("--strict: the sandbox does not start: {error}", "--strict：沙箱无法启动：{error}"),
    "strict no jail": Text("no bubblewrap jail ({tier})", "没有 bubblewrap 沙箱（{tier}）"),
    "strict incomplete": Text("--strict: refusing to grade, the sandbox is incomplete here: {gaps}. "
                              "See 'Strict grading' in README.md.",
                              "--strict：拒绝评分，这里的沙箱不完整：{gaps:；}。见 README.md 的“Strict grading”一节。"),
    "unknown format": Text("unknown format {format!r}: use one of {formats}", "未知的格式 {format!r}：请用 {formats:、} 之一"),
    "output spec": Text("--output wants FORMAT=PATH with FORMAT one of {formats}; got {spec!r}",
                        "--output 需要 FORMAT=PATH，其中 FORMAT 是 {formats:、} 之一；得到的是 {spec!r}"),
    "cannot write": Text("cannot write {format} to {file}: {error}", "无法把 {format} 写入 {file}：{error}"),
    "not empty": Text("{target} exists and is not empty; choose a new folder", "{target} 已存在且不是空的：请换一个新的文件夹"),
    # for authors and instructors
    "exported": Text("Wrote {count} files to {folder}: no solutions/, hidden checks removed, the visible ones' "
                     "expected values recorded in expected/. Grade students with `tutor check --solutions PATH`.",
                     "已向 {folder} 写出 {count} 个文件：不含 solutions/，隐藏检查已删除，可见检查的期望值记录在 "
                     "expected/ 中。用 `tutor check --solutions PATH` 为学生评分。"),
    "grading": Text("grading", "评分中"),
    "grading count": Text("grading {count} of {total} students", "正在为 {total} 名学生中的 {count} 名评分"),
    "graded": Text("{shard}{count} students ({unchanged} unchanged since the last run); gradebook: {file}",
                   "{shard}{count} 名学生（其中 {unchanged} 名自上次运行以来没有变化）；成绩册：{file}"),
    "shard": Text("shard {k}/{n}: ", "分片 {k}/{n}："),
    "merged": Text("{count} students in {file}", "{file} 中有 {count} 名学生"),
    "merge missing": Text("warning: without shard{s} {shards}: their students are not in this gradebook",
                          "警告：缺少分片 {shards}：其中的学生不在这份成绩册中"),
    "upload": Text("Upload {file} as the autograder (it holds the reference solutions: keep it private).",
                   "把 {file} 上传为 Gradescope 的自动评分器（其中含有参考答案：请勿公开）。"),
    "has a course": Text("{target} already has a course (exercises/ or workspace/); nothing was changed",
                         "{target} 里已经有课程（exercises/ 或 workspace/）；没有做任何改动"),
    # in a Jupyter notebook (%tutor, tutor notebooks)
    "nb usage": Text("usage: %tutor check|hint|show|solution ID [--lang en|zh] [--seed N]",
                     "用法：%tutor check|hint|show|solution 练习编号 [--lang en|zh] [--seed N]"),
    "nb no kernel": Text("%tutor check grades the cells an IPython kernel ran (Jupyter, JupyterLab, VS Code, "
                         "Colab); there is none here",
                         "%tutor check 评的是 IPython 内核运行过的单元格（Jupyter、JupyterLab、VS Code、Colab）；"
                         "这里没有这样的内核"),
    "nb cells": Text("cells {cells}", "单元格 {cells:、}"),
    "nb cell": Text("cell {cells}", "单元格 {cells}"),
    "nb loose": Text("{file}: cells {cells} hold code outside your functions; it is not run when grading.",
                     "{file}：单元格 {cells:、} 含有函数之外的代码，评分时不会运行。"),
    "nb loose one": Text("{file}: cell {cells} holds code outside your functions; it is not run when grading.",
                         "{file}：单元格 {cells} 含有函数之外的代码，评分时不会运行。"),
    "nb no cells": Text("no cell defines these functions yet", "还没有单元格定义这些函数"),
    "nb code": Text("the code graded, taken from your cells (the report's line numbers are these)",
                    "评分的代码，取自你的单元格（报告中的行号指的是这里）"),
    "nb missing": Text("no cell you ran defines `{name}` (used by {users}): run the cell that defines it, or define it",
                       "你运行过的单元格都没有定义 `{name}`（{users:、} 用到了它）：请运行定义它的单元格，或者定义它"),
    "nb then run": Text("Write them in a cell, run it, then run: %tutor check {id}",
                        "在单元格中写好并运行，然后运行：%tutor check {id}"),
    "nb pass first": Text("Pass {id} first (%tutor check {id}): the reference is shown after your own answer passes.",
                          "请先通过 {id}（%tutor check {id}）：你的答案通过后才显示参考答案。"),
    "nb stopped": Text("the grading process stopped ({how}); the next check starts a new one",
                       "评分进程已停止（{how}）；下一次检查会启动新的进程"),
    "nb title": Text("{section}: exercises", "{section}：练习"),
    "nb intro": Text("Run the next cell once. Then, for each exercise, write its functions in the code cell "
                     "below its text, run that cell, and run the check cell under it. `%tutor hint ID` gives "
                     "a hint; `%tutor solution ID` shows the reference once your answer passes.",
                     "先运行下一个单元格（只需一次）。然后，对每个练习，在它说明下方的代码单元格中编写函数，"
                     "运行这个单元格，再运行它下面的检查单元格。`%tutor hint 练习编号` 给出提示；"
                     "你的答案通过后，`%tutor solution 练习编号` 显示参考答案。"),
    "nb exists": Text("{file} exists (it may hold your answers); nothing was written: choose another folder",
                      "{file} 已存在（里面可能有你的答案）；没有写入任何文件：请换一个文件夹"),
    "nb wrote": Text("Wrote {count} notebooks to {folder}: open one in Jupyter or Colab.",
                     "已在 {folder} 中写好 {count} 个 notebook：用 Jupyter 或 Colab 打开即可。"),
    "laid out": Text("Laid out {count} exercises with their starter files in {folder}. Start with: {go}tutor show {id}",
                     "已在 {folder} 中放好 {count} 个练习及其初始代码。从这里开始：{go}tutor show {id}"),
}


def chosen_language(value: str | None = None) -> str:
    """The language asked for (--lang), else TUTOR_LANG, else zh where the locale is Chinese, else en."""
    import locale
    import os

    if value or os.environ.get("TUTOR_LANG"):
        return value or os.environ["TUTOR_LANG"]
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        if os.environ.get(name):
            return "zh" if os.environ[name].lower().startswith("zh") else "en"
    return "zh" if (locale.getlocale()[0] or "").lower().startswith("zh") else "en"


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
