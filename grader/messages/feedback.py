"""What the grader tells a student about their code, in every language the course is taught in.

Each entry is a template; `said(key, **values)` fills in both languages at once (a Text
value fills in its own same-language text, anything else reads the same in both). The
English is also what machine formats and tests match on.
"""
from __future__ import annotations

from .text import Text

FEEDBACK: dict[str, Text] = {
    # what the student's code did
    "at line": Text(" (line {line} of your file)", "（你的文件第 {line} 行）"),
    "raised": Text("raised {type}: {message}{at}", "抛出了 {type}：{message}{at}"),
    "raised bare": Text("raised {type}{at}", "抛出了 {type}{at}"),
    "your code": Text("your code {what}", "你的代码{what}"),
    "no function": Text("your file defines no function `{name}`", "你的文件没有定义函数 `{name}`"),
    "does not import": Text("your file does not import: {type}: {message}{at}", "你的文件无法导入：{type}：{message}{at}"),
    "import at": Text(" (line {line})", "（第 {line} 行）"),
    "at cell": Text(" (cell {cell}, line {line} of your notebook)", "（你的笔记本第 {cell} 个单元格第 {line} 行）"),
    "import at cell": Text(" (cell {cell}, line {line})", "（第 {cell} 个单元格第 {line} 行）"),
    "printed": Text("printed: {output}", "输出：{output}"),
    "result oversized": Text("your result, {got}, holds {size:,} bytes of data, more than {times}× the {wanted:,} bytes "
                             "the reference returns: it was not compared",
                             "你的结果（{got}）有 {size:,} 字节的数据，超过参考答案所返回的 {wanted:,} 字节的 {times} 倍：未作比较"),
    "printed too much": Text("printed {size:,} characters in one call (the limit is {limit:,})",
                             "一次调用输出了 {size:,} 个字符（上限为 {limit:,}）"),
    "not run": Text("not run", "未运行"),
    "unwritten": Text("`{name}` is not written yet: it raises NotImplementedError",
                        "`{name}` 还没有写完：它抛出了 NotImplementedError"),
    # errors that should, or should not, be raised
    "expected raise": Text("expected {type} to be raised, but the call returned {got}",
                           "应当抛出 {type}，但调用返回了{got}"),
    "expected exactly": Text("expected {type} exactly, not a subclass; your code {what}",
                             "应当恰好抛出 {type}（而不是它的子类）；你的代码{what}"),
    "expected error": Text("expected {type}; your code {what}", "应当抛出 {type}；你的代码{what}"),
    "different message": Text("a different message", "错误信息不同"),
    "should mention": Text("the {type} should mention {pattern!r}; its message was: {message}",
                           "{type} 的信息应当提到 {pattern!r}；实际信息是：{message}"),
    # values
    "located": Text("{what}{path}: {message}", "{what}{path}：{message}"),
    "result": Text("result", "结果"),
    "result at": Text("result{path}", "结果{path}"),
    "subclass": Text("{where} is a {cls}; return a plain torch.Tensor", "{where} 是 {cls}；请返回普通的 torch.Tensor"),
    "expected got": Text("expected {expected}, got {got}", "期望{expected}，得到{got}"),
    # what a "whole function" row checked, beside its label
    "checks source": Text("what its code uses", "代码用到的内容"),
    "checks control_flow": Text("a condition on the tensor's values, taking different paths",
                                "依赖张量数值的条件，且走过不同的分支"),
    "called as": Text("the exercise calls it as `{signature}`: compare your `def` line",
                      "练习是这样调用它的：`{signature}`；请对照你的 `def` 那一行"),
    "got none": Text("expected {expected}, got None: did you forget `return`?",
                     "期望{expected}，得到 None：是不是忘了 `return`？"),
    "got no tensor": Text("expected {expected}, got {got}: return a tensor (`torch.tensor(...)` makes one from a "
                          "list or an array)", "期望{expected}，得到{got}：请返回张量（`torch.tensor(...)` 可以从列表或数组创建张量）"),
    "expected value": Text("expected {expected!r}, got {got!r}", "期望 {expected!r}，得到 {got!r}"),
    "expected length": Text("expected {expected}, got {n}", "期望{expected}，得到的长度为 {n}"),
    "shape": Text("shape: expected {expected}, got {got}", "形状：期望 {expected}，得到 {got}"),
    "dtype": Text("dtype: expected {expected}, got {got}", "dtype：期望 {expected}，得到 {got}"),
    "values differ": Text("values differ", "数值不同"),
    "frames differ": Text("the DataFrames differ: {what}", "DataFrame 不同：{what}"),
    "expected side": Text("expected: {text}", "期望：{text}"),
    "got side": Text("got: {text}", "得到：{text}"),
    "first difference": Text("first difference at index {index}: expected {expected}, got {got}",
                             "第一处不同在索引 {index}：期望 {expected}，得到 {got}"),
    "mismatched": Text("Mismatched elements: {count}", "不一致的元素：{count}"),
    "greatest": Text("Greatest {kind} difference: {value} at index {index} (up to {allowed} allowed)",
                     "最大{kind}误差：{value}，在索引 {index}（允许 {allowed}）"),
    "absolute": Text("absolute", "绝对"),
    "relative": Text("relative", "相对"),
    # what a value is
    "a tensor": Text("{a} {dtype} tensor of shape {shape}", "形状为 {shape} 的 {dtype} 张量"),
    "an array": Text("a numpy array ({dtype}) of shape {shape}", "形状为 {shape} 的 numpy 数组（{dtype}）"),
    "a short sequence": Text("a {type} {value!r}", "{type} {value!r}"),
    "a sequence": Text("a {type} of {n} item{s}", "含 {n} 个元素的 {type}"),
    "an opaque": Text("a {type} ({text})", "{type}（{text}）"),
    "none": Text("None", "None"),
    "a frame": Text("a DataFrame of {rows} rows and {cols} columns ({columns})",
                    "{rows} 行 {cols} 列的 DataFrame（{columns}）"),
    "a python value": Text("a Python {type} ({value!r})", "Python {type}（{value!r}）"),
    # the inputs of a case
    "a large tensor": Text("{dtype} tensor of shape {shape}{flags}", "形状为 {shape} 的 {dtype} 张量{flags}"),
    "flags": Text(" ({flags})", "（{flags:、}）"),  # a Chinese list takes 、
    "non-contiguous": Text("non-contiguous", "非连续"),
    "a long sequence": Text("{type} of {n} items", "含 {n} 个元素的 {type}"),
    "a lambda": Text("a lambda", "一个 lambda 函数"),
    "a csv file": Text("the path of a CSV file ({header}, {rows} rows)", "一个 CSV 文件的路径（{header}，{rows} 行）"),
    "a generator": Text("a torch.Generator seeded for this case", "为这个用例设定了随机种子的 torch.Generator"),
    # gradients, inputs and memory
    "should be none": Text("{name}.{what} should be None, but it is set", "{name}.{what} 应当为 None，但它有值"),
    "grad none": Text("{name}.grad is None: the gradient did not reach {name} itself "
                      "(backward on a copy of {name}, or no backward at all?)",
                      "{name}.grad 为 None：梯度没有到达 {name} 本身（是在 {name} 的副本上调用了 backward，"
                      "还是根本没有调用 backward？）"),
    "missing after": Text("{name} is missing after the call", "调用之后 {name} 不见了"),
    "after the call": Text("after the call, {problem}", "调用之后，{problem}"),
    "should be itself": Text("{where} should be {name} itself, updated in place (same memory), but it is new memory",
                             "{where} 应当就是 {name} 本身，原地更新（同一块内存），但它是新的内存"),
    "should share": Text("{where} should share memory with {name} (a view: a write to one shows in the other), "
                         "but it is a copy",
                         "{where} 应当与 {name} 共享内存（视图：写入其中一个，另一个也会改变），但它是副本"),
    "shares": Text("{where} shares memory with {name}; it should be new memory",
                   "{where} 与 {name} 共享内存；它应当是新的内存"),
    "is the argument": Text("{where} is `{name}` itself, the very tensor you were given: return a new tensor "
                            "object (a view is one)",
                            "{where} 就是 `{name}` 本身，即传给你的那个张量：请返回一个新的张量对象（视图就是新的张量对象）"),
    "other layout": Text("{where} is a view of `{name}`, but laid out differently (other strides or offset); "
                         "it should have `{name}`'s very layout",
                         "{where} 是 `{name}` 的视图，但布局不同（步幅或偏移量不同）；它应当与 `{name}` 的布局完全相同"),
    "not written": Text("{name} should be written in place, but it was not changed", "{name} 应当被原地写入，但它没有改变"),
    "modified input": Text("your function modified its input `{name}` in place, which this exercise does not ask for: "
                           "compute a new tensor (`{name} + 1`, not `{name} += 1`; `{name}.exp()`, not `{name}.exp_()`)",
                           "你的函数原地修改了输入 `{name}`，而这个练习并没有要求这样做：请计算一个新的张量"
                           "（用 `{name} + 1` 而不是 `{name} += 1`；用 `{name}.exp()` 而不是 `{name}.exp_()`）"),
    "modified frame": Text("your function modified its input DataFrame `{name}` (`inplace=True`, or assigning to "
                           "its columns): work on a new frame (`{name}.drop(...)` returns one; `{name}.copy()` makes one)",
                           "你的函数修改了输入的 DataFrame `{name}`（`inplace=True`，或给它的列赋值）：请在新的 "
                           "DataFrame 上操作（`{name}.drop(...)` 会返回一个新的；`{name}.copy()` 可以复制一个）"),
    "modified": Text("{name} was modified in place, but it must be left untouched", "{name} 被原地修改了，但它必须保持不变"),
    "should require grad": Text("{where} should require grad", "{where} 应当需要梯度（requires_grad=True）"),
    "should not require grad": Text("{where} should not require grad (is it detached?)",
                                    "{where} 不应当需要梯度（requires_grad 应为 False：是否忘了 detach？）"),
    # other checks
    "not checkable": Text("(could not be checked: {error})", "（无法检查：{error}）"),
    "samples": Text("the samples have mean {mean:.3f} and std {std:.3f}; expected mean {want_mean:.3f} "
                    "and std {want_std:.3f} (± {tol})",
                    "样本的均值为 {mean:.3f}、标准差为 {std:.3f}；期望均值 {want_mean:.3f}、标准差 {want_std:.3f}（± {tol}）"),
    "global rng": Text("your function drew from torch's global random generator (its state changed during the "
                       "call): draw only from the `generator` argument, passing `generator=generator` to "
                       "`torch.rand`, `torch.multinomial`, `torch.bernoulli`, ...",
                       "你的函数从 torch 的全局随机数生成器中抽样（调用期间它的状态改变了）：请只从参数 `generator` "
                       "中抽样，把 `generator=generator` 传给 `torch.rand`、`torch.multinomial`、`torch.bernoulli` 等"),
    "not reproducible": Text("a second call with an equally seeded generator (the global generator seeded "
                             "differently) gave a different result: the result must depend on `generator` alone",
                             "用同样随机种子的生成器再调用一次（全局生成器换了随机种子），结果却不同：结果只能取决于 "
                             "`generator`"),
    "statistic": Text("{what}: {value:.6g}, expected {expected:.6g} (± {allowed:.3g})",
                      "{what}：{value:.6g}，期望 {expected:.6g}（± {allowed:.3g}）"),
    "product too large": Text("your code multiplied a {m} × {n} matrix by a {n} × {p} one: a result of {size:,} "
                              "elements (stopped before it took the memory), which the other order of "
                              "multiplication never builds",
                              "你的代码把 {m} × {n} 矩阵乘以 {n} × {p} 矩阵：结果有 {size:,} 个元素（评分器在它占用内存之前就把它拦下了），而换一种乘法顺序根本不会产生它"),
    "forbidden": Text("called {listed} while running; this exercise asks you to do without it",
                      "运行时调用了 {listed}；这个练习要求不用它来完成"),
    "gradcheck": Text("torch.autograd.gradcheck failed on this input", "torch.autograd.gradcheck 在这个输入上没有通过"),
    "no numeric grad": Text("the finite-difference derivative of your `{of}` could not be computed",
                            "无法计算你的 `{of}` 的有限差分导数"),
    "against numeric": Text("result (against a finite-difference derivative of your `{of}`)",
                            "结果（与你的 `{of}` 的有限差分导数相比）"),
    "no def": Text("your file has no `def {name}(...)` whose source can be checked",
                   "你的文件中没有可供检查源代码的 `def {name}(...)`"),
    "uses": Text("line {line}: uses `{name}`", "第 {line} 行：使用了 `{name}`"),
    "no condition": Text("`{name}` has no if, while or for whose condition reads the tensor's values",
                         "`{name}` 中没有条件读取张量值的 if、while 或 for"),
    "same path": Text("`{name}` took the same path for every input (positive, negative and mixed): "
                      "its condition never changed the outcome",
                      "`{name}` 对每个输入（全正、全负和混合）都走了同一条路径：它的条件从未改变执行结果"),
    # pictures of a result (tutor plot, check --plot)
    "nothing to draw": Text("nothing to draw: this exercise has no figure, and no comparison of 1-D or 2-D "
                            "tensors failed{more}",
                            "没有可画的内容：这个练习没有图，也没有 1 维或 2 维张量的比较失败{more}"),
    "see check": Text(" (see `tutor check` for what did)", "（失败的内容见 `tutor check`）"),
    "plot failed run": Text("nothing to plot: your {function} on the seed input failed ({why})",
                            "没有可画的内容：你的 {function} 在笔记示例上失败了（{why}）"),
    "did not run": Text("it did not run", "它没有运行"),
    "plot not computable": Text("nothing to plot: {expr} could not be computed from your result ({error})",
                                "没有可画的内容：无法从你的结果计算 {expr}（{error}）"),
    "plot sizes": Text("nothing to plot: {label} has {n} values for {m} x values",
                       "没有可画的内容：{label} 有 {n} 个值，而 x 有 {m} 个"),
    "no chinese font": Text("no Chinese font found for the figure (install Noto Sans CJK, for example "
                            "`apt install fonts-noto-cjk`): its labels are in English",
                            "没有找到可用于图中的中文字体（请安装 Noto Sans CJK，例如 `apt install fonts-noto-cjk`）："
                            "图中的标注用英文"),
    # what happened to the process running the code
    "timed out": Text("did not finish within {seconds:g} s (an endless loop, or a very slow computation?)",
                      "没有在 {seconds:g} 秒内完成（死循环，还是计算太慢？）"),
    "after a timeout": Text("not run: `{name}` timed out on an earlier input", "未运行：`{name}` 在之前的输入上超时了"),
    "after a crash": Text("not run: the process running `{name}` ended on an earlier input",
                          "未运行：运行 `{name}` 的进程在之前的输入上结束了"),
    "died in call": Text("the process running your code {how} during this call", "运行你的代码的进程在这次调用中{how}"),
    "killed": Text("was killed by {signal}{why}", "被 {signal} 终止{why}"),
    "memory limit": Text(" (often the memory limit)", "（通常是超出了内存限制）"),
    "cpu limit": Text(" (the CPU-time limit)", "（超出了 CPU 时间限制）"),
    "file limit": Text(" (the file-size limit)", "（超出了文件大小限制）"),
    "crash": Text(" (a crash)", "（程序崩溃）"),
    "exited": Text("exited with code {code} (sys.exit or os._exit in your code?)",
                   "以退出码 {code} 退出（你的代码里有 sys.exit 或 os._exit？）"),
    "closed channel": Text("closed its channel to the grader and was stopped", "关闭了与评分器的通道，已被终止"),
    "import timed out": Text("importing your file did not finish within {seconds:g} s (an endless loop at the top level?)",
                             "导入你的文件没有在 {seconds:g} 秒内完成（顶层代码里有死循环？）"),
    "import died": Text("the process importing your file {how}", "导入你的文件的进程{how}"),
    # what the submission's process sent back, or could not
    "malformed results": Text("the submission's process sent malformed results", "运行提交代码的进程发回了格式错误的结果"),
    "process failed": Text("the process running your code stopped with an error of its own",
                           "运行你的代码的进程因自身的错误而停止"),
    "stopped answering": Text("the process running your code stopped answering between calls",
                              "运行你的代码的进程在两次调用之间停止了响应"),
    "results too large": Text("your results were larger than {limit} MiB in all", "你的结果总共超过了 {limit} MiB"),
    "unsendable result": Text("your function returned a value that cannot be sent back to the grader",
                              "你的函数返回的值无法传回评分器"),
    # a case's label: the exercise file gives each language's own; these are the grader's
    "numbered": Text("{label} #{n}", "{label} #{n}"),
    "case n": Text("case {n}", "用例 {n}"),
    "random": Text("random", "随机"),
    "whole function": Text("whole function", "整个函数"),
    # the sandbox line: the tier, then what held for the child by its own account (the facts
    # it sends are data; the words are here)
    "sandbox line": Text("{tier}, {notes}", "{tier}；{notes:；}"),
    "tier jail": Text("jail", "bubblewrap 沙箱"),
    "tier process": Text("process", "独立进程"),
    "tier subprocess": Text("subprocess", "子进程"),
    "fell back": Text("{tier} (no jail: {why})", "{tier}（无法建立沙箱：{why}）"),
    "own user": Text("own user namespace, uid {uid}, no capabilities", "独立的用户命名空间，uid {uid}，无任何权能"),
    "dropped user": Text("uid {uid}, no capabilities, but no user namespace", "uid {uid}，无任何权能，但没有用户命名空间"),
    "root without capabilities": Text("root without capabilities, no user namespace (uid 65534 could not read the "
                                      "Python installation)", "root 身份但无任何权能，没有用户命名空间（uid 65534 无法读取 Python 安装目录）"),
    "same user": Text("runs as your own user (no user namespace)", "以你自己的用户身份运行（没有用户命名空间）"),
    "own pids": Text("own process namespace", "独立的进程命名空间"),
    "shared pids": Text("other processes visible and reachable", "可以看到并触及其他进程"),
    "offline": Text("no network", "无网络"),
    "online": Text("network reachable", "网络可达"),
    "own ipc": Text("own IPC and host name", "独立的 IPC 与主机名"),
    "shared ipc": Text("shared IPC and host name", "共享 IPC 与主机名"),
    "files hidden": Text("read-only files, course and references out of reach, {scratch} MiB scratch",
                         "文件只读，课程与参考答案不可触及，{scratch} MiB 临时空间"),
    "files reachable": Text("files reachable ({paths})", "文件可触及（{paths}）"),
    "the host's disk": Text("the host's disk", "主机的磁盘"),
    "filtered": Text("syscall allow-list, no_new_privs", "系统调用白名单，no_new_privs"),
    "not allow-list": Text("a syscall filter, but calls on no list are not refused",
                           "有系统调用过滤，但未列出的调用未被拒绝"),
    "unfiltered": Text("no syscall filter ({why})", "无系统调用过滤（{why}）"),
    "not supported here": Text("not supported here", "此处不支持"),
    "not dumpable": Text("memory not readable by other processes", "内存不可被其他进程读取"),
    "dumpable": Text("memory readable by processes of the same user", "内存可被同一用户的进程读取"),
    "limited": Text("resource limits (memory, CPU time, file size)", "资源限制（内存、CPU 时间、文件大小）"),
    "no limit": Text("no {what} limit", "无{what}限制"),
    "limit as": Text("memory", "内存"),
    "limit cpu": Text("CPU time", "CPU 时间"),
    "limit fsize": Text("file size", "文件大小"),
    # the submission file itself
    "submission symlink": Text("{file} is a symlink: submit the file itself", "{file} 是符号链接：请提交文件本身"),
    "submission too large": Text("{file} is larger than {limit}", "{file} 大于 {limit}"),
    "submission not a file": Text("{file} is not a regular file", "{file} 不是普通文件"),
    "submission unreadable": Text("{file} cannot be read: {error}", "无法读取 {file}：{error}"),
}


def said(key: str, **values) -> Text:
    return FEEDBACK[key].format(**values)
