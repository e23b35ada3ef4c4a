"""`tutor --help` in every language: each command's and each parameter's help, and the words
Typer and Click print around them.

Keys: "" is the app, a command's path is its own ("check", "gradebook merge"), and
"{command} {parameter}" one of its parameters (by its Python name); "* {parameter}" is a
parameter's help wherever the command has none of its own. grader/cli/localize.py applies the table
to the command tree before it parses anything, so `--help` is in the language asked for.
"""
from __future__ import annotations

from .text import Text

_EXERCISE = Text("Exercise id (2.5.3) or slug (detach).", "练习编号（2.5.3）或短名（detach）。")
_SOLUTIONS = Text("The reference solutions' folder, when it is not the course's solutions/.",
                  "参考答案所在的文件夹（不是课程自带的 solutions/ 时）。")

HELP: dict[str, Text] = {
    "": Text("Exercises and an autograder for the PyTorch preliminaries of Dive into Deep Learning.",
             "《动手学深度学习》预备知识（PyTorch）的练习与自动评分器。"),
    # shared by the commands that have them
    "* lang": Text("en or zh (default: $TUTOR_LANG, else the locale, else en).",
                   "en 或 zh（默认：$TUTOR_LANG，其次是系统的语言设置，再次是 en）。"),
    "* exercise": _EXERCISE,
    "* solutions": _SOLUTIONS,
    "* help": Text("Show this message and exit.", "显示这份帮助并退出。"),
    "* version": Text("Show tutor's version and exit.", "显示 tutor 的版本并退出。"),
    "* install_completion": Text("Install completion for the current shell.", "为当前的 shell 安装命令补全。"),
    "* show_completion": Text("Show completion for the current shell, to copy it or customize the installation.",
                              "显示当前 shell 的命令补全脚本，以便复制或自行安装。"),
    # the commands a student uses
    "init": Text("Lay out a fresh course workspace: the exercises and a starter file for each.",
                 "建立新的课程工作区：所有练习，以及每个练习的初始代码文件。"),
    "init target": Text("The folder for your course workspace.", "课程工作区所在的文件夹。"),
    "list": Text("Every exercise in curriculum order, with your progress.", "按课程顺序列出所有练习，以及你的进度。"),
    "show": Text("An exercise's prompt, the functions to write, and the file to edit; or, for a d2l section "
                 "(2.3), the list of its exercises.",
                 "显示练习的题目、要编写的函数和要编辑的文件；对 d2l 的一节（如 2.3）则列出这一节的练习。"),
    "check": Text("Run your code for an exercise and compare it with the reference solution.",
                  "运行你为练习写的代码，并与参考答案比较。"),
    "check file": Text("Grade this file instead of your workspace copy.", "评这个文件，而不是工作区中的文件。"),
    "check all_": Text("Check every exercise.", "检查所有练习。"),
    "check seed": Text("Replay the random cases of an earlier run.", "重现之前某次运行的随机用例。"),
    "check strict": Text("Refuse to grade unless the sandbox is complete here (for CI autograding).",
                         "沙箱在这里不完整时拒绝评分（用于 CI 自动评分）。"),
    "check format_": Text("What to print: text, json (Exercism v3), junit, gradescope, or github (annotations; "
                          "summary to $GITHUB_STEP_SUMMARY).",
                          "输出格式：text、json（Exercism v3）、junit、gradescope 或 github（标注；"
                          "摘要写入 $GITHUB_STEP_SUMMARY）。"),
    "check outputs": Text("Also write FORMAT to PATH; repeatable.", "另外把 FORMAT 格式写入 PATH；可以重复使用。"),
    "check plot": Text("Also draw your result: the exercise's figure (e.g. 2.5.6.5), or where a failed "
                       "comparison differs.", "另外画出你的结果：练习自带的图（例如 2.5.6.5），或比较失败时的差异之处。"),
    "check verbose": Text("Also say what the sandbox enforced (said anyway when it had to give something up).",
                          "另外说明沙箱做了哪些限制（沙箱不得不放弃某项限制时总会说明）。"),
    "plot": Text("Draw your result: the exercise's figure (2.5.6.5), or where a failed comparison differs.",
                 "画出你的结果：练习自带的图（2.5.6.5），或比较失败时的差异之处。"),
    "plot file": Text("Draw from this file instead of your workspace copy.", "用这个文件画图，而不是工作区中的文件。"),
    "plot output": Text("Write a PNG file instead of drawing in the terminal.", "写出 PNG 文件，而不是在终端里画。"),
    "plot seed": Text("The inputs of an earlier run.", "使用之前某次运行的输入。"),
    "solution": Text("The reference solution, once your own file for the exercise passes.",
                     "显示参考答案（你自己的文件通过这个练习之后）。"),
    "notebooks": Text("One Jupyter notebook per section (2.1, 2.5, ...): each exercise's prompt, starter and "
                      "check cell.", "每节一个 Jupyter notebook（2.1、2.5 等）：每个练习的题目、初始代码和检查单元格。"),
    "notebooks folder": Text("Where to write the notebooks.", "写出 notebook 的文件夹。"),
    "watch": Text("Check again on every save of your file; move on when it passes.",
                  "每次保存文件都重新检查；通过后进入下一个练习。"),
    "watch exercise": Text("Start here (default: the next unfinished).", "从这个练习开始（默认：下一个未完成的练习）。"),
    "watch seed": Text("The random cases of every check (default: chosen once, when watching starts).",
                       "每次检查使用的随机用例（默认：开始监视时选定一次）。"),
    "hint": Text("The next hint for an exercise (each call shows one more), or hint N, or --all.",
                 "显示练习的下一条提示（每运行一次多显示一条），或第 N 条提示，或用 --all 显示全部。"),
    "hint number": Text("Show this hint again (1 is the first).", "再次显示这一条提示（1 是第一条）。"),
    "hint all_": Text("Show every hint of the exercise.", "显示这个练习的所有提示。"),
    "reset": Text("Restore the starter file for an exercise (your changes are lost).",
                  "把练习的文件恢复成初始代码（你的改动会丢失）。"),
    "reset yes": Text("Do not ask.", "不再确认。"),
    # for authors and instructors
    "validate": Text("For authors: every exercise loads, every solution passes, every starter and known mistake "
                     "fails.", "供作者使用：检查每个练习都能加载、每个参考答案都能通过、每份初始代码和每个已知的常见错误都不能通过。"),
    "validate exercises": Text("Ids or slugs (default: all).", "练习编号或短名（默认：全部）。"),
    "validate seed": Text("The random cases to validate with (default: new ones each run, named at the end).",
                          "验证使用的随机用例（默认：每次运行都换新的，并在最后给出）。"),
    "export-student": Text("Write a student template: the course without reference solutions or hidden checks.",
                           "写出给学生的模板：不含参考答案和隐藏检查的课程。"),
    "export-student target": Text("A new folder for the students' repository.", "学生仓库所在的新文件夹。"),
    "grade": Text("Grade a class: every exercise for every student, in parallel, into a gradebook, with a "
                  "feedback page per student.", "为全班评分：并行地评每名学生的每个练习，写入成绩册，并为每名学生生成反馈页面。"),
    "grade submissions": Text("One per student, named by it (alice/, alice.zip, alice.ipynb): a folder or .zip "
                              "holding the exercises' files as the workspace names them (2.5.3-detach.py) or "
                              "notebooks (one per exercise, per section such as 2.5.ipynb, or one for all), or one "
                              ".ipynb.",
                              "每名学生一份，以学生命名（alice/、alice.zip、alice.ipynb）：一个文件夹或 .zip，"
                              "其中的练习文件按工作区的方式命名（2.5.3-detach.py），或者是 notebook（每个练习一个、"
                              "每节一个如 2.5.ipynb，或者全部放在一个里）；也可以是单个 .ipynb。"),
    "grade out": Text("Where each student's results and grades.csv go.", "每名学生的结果和 grades.csv 写入的文件夹。"),
    "grade jobs": Text("Students graded at once.", "同时评分的学生数。"),
    "grade seed": Text("The same random cases for every student.", "所有学生使用相同的随机用例。"),
    "grade shard_spec": Text("Grade only the K-th of N shares of the class. auto: K from the job engine "
                             "($JOB_COMPLETION_INDEX, $SLURM_ARRAY_TASK_ID, or $TUTOR_SHARD_INDEX, all from 0), N "
                             "from auto/N, $TUTOR_SHARD_COUNT or $SLURM_ARRAY_TASK_COUNT.",
                             "只评全班 N 份中的第 K 份。auto：K 取自作业引擎（$JOB_COMPLETION_INDEX、"
                             "$SLURM_ARRAY_TASK_ID 或 $TUTOR_SHARD_INDEX，都从 0 开始），N 取自 auto/N、"
                             "$TUTOR_SHARD_COUNT 或 $SLURM_ARRAY_TASK_COUNT。"),
    "grade report": Text("Also write the class report: what the class got wrong.", "另外写出班级报告：全班错在哪里。"),
    "report": Text("The class report of graded students (shards merged), and every student's feedback page.",
                   "已评分学生的班级报告（合并各分片），以及每名学生的反馈页面。"),
    "report grades": Text("Folders `tutor grade --out` wrote (a shard's each).",
                          "`tutor grade --out` 写出的文件夹（每个分片一个）。"),
    "report output": Text("The class report to write.", "要写出的班级报告。"),
    "report partial": Text("Report even when shards are missing (they are named).", "即使缺少分片也生成报告（会列出缺少的分片）。"),
    "gradebook": Text("Gradebooks written by `tutor grade`.", "`tutor grade` 写出的成绩册。"),
    "gradebook merge": Text("Join the gradebooks of a class graded in shards (--shard K/N) into one.",
                            "把分片（--shard K/N）评分的全班成绩册合并成一个。"),
    "gradebook merge parts": Text("grades.csv files of the shards.", "各分片的 grades.csv 文件。"),
    "gradebook merge out": Text("The merged gradebook.", "合并后的成绩册。"),
    "gradebook merge partial": Text("Merge even when shards are missing (they are named).",
                                    "即使缺少分片也合并（会列出缺少的分片）。"),
    "gradescope": Text("Gradescope autograders.", "Gradescope 自动评分器。"),
    "gradescope build": Text("Build a Gradescope autograder (setup.sh, run_autograder, the course and its "
                             "references).", "构建 Gradescope 自动评分器（setup.sh、run_autograder、课程及其参考答案）。"),
    "gradescope build target": Text("A new folder for the autograder.", "自动评分器所在的新文件夹。"),
}

# The words Typer and Click print around the help texts.
FRAME: dict[str, Text] = {
    "usage": Text("Usage: ", "用法："),
    "options metavar": Text("[OPTIONS]", "[选项]"),
    "command metavar": Text("COMMAND [ARGS]...", "命令 [参数]..."),
    "arguments": Text("Arguments", "参数"),
    "options": Text("Options", "选项"),
    "commands": Text("Commands", "命令"),
    "default": Text("[default: {}]", "[默认：{}]"),
    "env var": Text("[env var: {}]", "[环境变量：{}]"),
    "required": Text("[required]", "[必填]"),
    "error": Text("Error", "错误"),
    "aborted": Text("Aborted.", "已中止。"),
    "try help": Text("Try [blue]'{command_path} {help_option}'[/] for help.",
                     "运行 [blue]'{command_path} {help_option}'[/] 查看帮助。"),
    # Click's usage errors, from what each holds as data (English is Click's own)
    "missing argument": Text("Missing argument {name}.", "缺少参数 {name}。"),
    "missing option": Text("Missing option {name}.", "缺少选项 {name}。"),
    "bad value": Text("Invalid value for {name}: {message}", "{name} 的值无效：{message}"),
    "no such option": Text("No such option: {name}", "没有这个选项：{name}"),
    "possible options": Text("(Possible options: {options})", "（可用的选项：{options}）"),
    "no such command": Text("No such command {name!r}.", "没有这个命令：{name}。"),
    "did you mean command": Text("Did you mean {options}?", "你是不是想输入 {options}？"),
    "extra arguments": Text("Got unexpected extra argument(s) ({args})", "多余的参数：{args}"),
}


def help_text(command: str, parameter: str | None = None) -> Text | None:
    """A command's help, or one of its parameters' (its own, else the shared one)."""
    if parameter is None:
        return HELP.get(command)
    return HELP.get(f"{command} {parameter}".strip()) or HELP.get(f"* {parameter}")
