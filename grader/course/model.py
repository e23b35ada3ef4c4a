"""The exercise model: what an exercise YAML file means, validated without torch.

`tutor list` and `tutor show` use only this module, so it must never import torch.
A check's options are validated at load time by its kind's class (`grader.grading.checks`,
importable without torch), so that a typo in a YAML file is caught with its line.
"""
from __future__ import annotations

import ast
import builtins
import datetime
import difflib
import hashlib
import re
import symtable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .loader import ExerciseFileError, Located, load_yaml
from ..grading.checks import KINDS, Option
from ..messages.text import Text, digest
from ..sandbox.inside.recipes import ALIASES, NAMES as RECIPE_NAMES, named_modules

LANGS = ("en", "zh")
ID_RE = re.compile(r"^\d+(\.\d+)+$")
SLUG_RE = re.compile(r"^[a-z][a-z0-9-]*$")


# Options every check accepts.
_COMMON = {"hint": Option(Text)}


@dataclass(frozen=True)
class CheckSpec:
    kind: str
    options: dict
    line: int | None = None

    @property
    def scope(self) -> str:
        return KINDS[self.kind].scope

    @property
    def hint(self) -> Text | None:
        return self.options.get("hint")


@dataclass(frozen=True)
class CaseSpec:
    """Input expressions for one case, or for `random` seeded cases of the same form."""

    args: tuple[str, ...]
    kwargs: dict = field(default_factory=dict)
    let: dict = field(default_factory=dict)
    label: Text | None = None
    random: int = 0
    repeat: int = 1
    checks: tuple = ()  # when given, replaces the function's case checks for this case
    hidden: bool | datetime.date = False  # True: never shown beyond its name; a date: until then
    points: float = 1.0  # the weight of each case this entry makes, within its function

    def hidden_on(self, today: datetime.date) -> bool:
        return self.hidden is True or (isinstance(self.hidden, datetime.date) and today < self.hidden)


@dataclass(frozen=True)
class Function:
    name: str
    signature: str
    params: tuple[str, ...]
    cases: tuple[CaseSpec, ...]
    checks: tuple[CheckSpec, ...]
    timeout: float = 5.0
    points: float = 1.0  # this function's share of the exercise's points, relative to the others

    def case_checks(self, spec: CaseSpec) -> tuple[CheckSpec, ...]:
        return spec.checks or tuple(c for c in self.checks if c.scope == "case")

    def all_checks(self):
        yield from self.checks
        for spec in self.cases:
            yield from spec.checks


@dataclass(frozen=True)
class Mistake:
    """A known wrong answer: feedback matching its behaviour gets its hint."""

    function: str
    code: str
    hint: Text


@dataclass(frozen=True)
class Curve:
    label: Text
    y: str  # an expression over the student's outcome: result, args, grads
    style: str = "-"


@dataclass(frozen=True)
class Plot:
    """What `tutor check ID --plot FILE` draws from the student's seed case of `function`."""

    function: str
    x: str
    curves: tuple[Curve, ...]
    title: Text


@dataclass(frozen=True)
class Exercise:
    id: str
    slug: str
    title: Text
    prompt: Text
    functions: tuple[Function, ...]
    starter: str
    hints: tuple[Text, ...]
    mistakes: tuple[Mistake, ...]
    path: Path
    points: float = 1.0  # what the whole exercise is worth in a grade
    plot: Plot | None = None
    covers: tuple[str, ...] = ()  # d2l sections it also covers beyond its id's own (2.1.9 covers 2.3)

    @property
    def file_stem(self) -> str:
        return f"{self.id}-{self.slug}"

    @property
    def starter_digest(self) -> str:
        return digest(self.starter)

    def function(self, name: str) -> Function:
        return next(f for f in self.functions if f.name == name)


class _Reader:
    """Typed access to a located mapping, raising errors that point at the field."""

    def __init__(self, doc: Located, path: tuple, data: Any):
        self.doc, self.path = doc, path
        if not isinstance(data, dict):
            raise doc.error(path, f"expected a mapping, got {type(data).__name__}")
        self.data = data

    def unknown(self, allowed):
        for key in self.data:
            if key not in allowed:
                raise self.doc.error(self.path + (key,), f"unknown field (expected one of: {', '.join(allowed)})")

    def get(self, key, kind, default=..., convert=None):
        path = self.path + (key,)
        if key not in self.data:
            if default is ...:
                raise self.doc.error(path, "missing")
            return default
        value = self.data[key]
        if kind is Text:
            return read_text(self.doc, path, value)
        if kind is float and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            raise self.doc.error(path, f"expected {getattr(kind, '__name__', kind)}, got {type(value).__name__} {value!r}")
        return convert(value, path) if convert else value


def read_text(doc: Located, path: tuple, value) -> Text:
    reader = _Reader(doc, path, value)
    reader.unknown(LANGS)
    parts = {}
    for lang in LANGS:
        text = reader.get(lang, str)
        if not text.strip():
            raise doc.error(path + (lang,), "is empty")
        parts[lang] = text
    return Text(**parts)


def _label(doc: Located, path: tuple, value) -> Text:
    """A case's label: {en, zh} like any text, or one string for a label that reads the same
    in both (code or a formula: `m = k = 6`)."""
    if isinstance(value, str) and value.strip():
        return Text.same(value)
    return read_text(doc, path, value)


def _signature(doc: Located, path: tuple, name: str, signature: str) -> ast.arguments:
    try:
        tree = ast.parse(f"def {signature}: ...")
    except SyntaxError:
        raise doc.error(path, f"not a Python signature: {signature!r}") from None
    fn = tree.body[0]
    if fn.name != name:
        raise doc.error(path, f"names {fn.name!r}, but the function is {name!r}")
    return fn.args


def _call_fits(doc: Located, path: tuple, name: str, sig: ast.arguments, spec: CaseSpec) -> None:
    """A case's args and kwargs bind to the signature's parameters as a call would: else
    both the reference and the student raise TypeError, and the case tests nothing."""
    positional = [a.arg for a in sig.posonlyargs + sig.args]
    keywords = [a.arg for a in sig.args + sig.kwonlyargs]
    if len(spec.args) > len(positional) and not sig.vararg:
        raise doc.error(path + ("args",), f"gives {len(spec.args)} arguments; {name} takes {len(positional)}")
    for key in spec.kwargs:
        if key in positional[:len(spec.args)]:
            raise doc.error(path + ("kwargs", key), f"{key!r} is already given in args")
        if key not in keywords and not sig.kwarg:
            raise doc.error(path + ("kwargs", key), f"{name} has no parameter {key!r} to pass by name "
                            f"(its parameters: {', '.join(positional + [a.arg for a in sig.kwonlyargs])})")
    required = positional[:len(positional) - len(sig.defaults)][len(spec.args):]
    required += [a.arg for a, default in zip(sig.kwonlyargs, sig.kw_defaults) if default is None]
    missing = [p for p in required if p not in spec.kwargs]
    if missing:
        raise doc.error(path, f"gives no value for {name}'s parameter {missing[0]!r} (in args or kwargs)")


def _expr(doc: Located, path: tuple, source, names: frozenset | None = None) -> str:
    """A Python expression; given `names`, one that reads no name but these and Python's builtins."""
    if not isinstance(source, str):
        raise doc.error(path, f"expected a Python expression as a string, got {source!r}")
    try:
        ast.parse(source, mode="eval")
    except SyntaxError as exc:
        raise doc.error(path, f"not a Python expression: {exc.msg}") from None
    unknown = sorted(_free_names(source) - names - _BUILTINS) if names is not None else []
    if unknown:
        listed = ", ".join(repr(n) for n in unknown)
        close = difflib.get_close_matches(unknown[0], names, n=1)
        raise doc.error(path, f"unknown name{'s' * (len(unknown) > 1)} {listed}"
                              + (f" (did you mean {close[0]!r}?)" if close else "")
                              + f": an input expression can use {', '.join(sorted(names - set(ALIASES)))}, "
                              f"{', '.join(a + '.NAME' for a in ALIASES)} and Python's builtins; torch's own "
                              "names are written torch.NAME")
    return source


_BUILTINS = frozenset(dir(builtins))  # what eval gives a namespace without __builtins__, as recipes.make's


def _free_names(source: str) -> set[str]:
    """The names an expression reads from the namespace it is evaluated in, not those its own
    lambdas and comprehensions bind: symtable resolves the scopes as the compiler does."""
    found = set()

    def walk(table, top):
        for sym in table.get_symbols():
            if sym.is_referenced() and (not sym.is_assigned() if top else sym.is_global()):
                found.add(sym.get_name())
        for child in table.get_children():
            walk(child, False)

    walk(symtable.symtable(source, "<case>", "eval"), True)
    return found


def _inputs(doc: Located, path: tuple, r: "_Reader") -> tuple[tuple, dict, dict]:
    """A case's args, kwargs and let, each expression reading only what recipes.make gives it:
    the recipes' namespace, the aliases the case names (np., pd.), the builtins, and the
    `let` names bound before it (they are bound in order)."""
    args, kwargs, let = r.get("args", list), r.get("kwargs", dict, {}), r.get("let", dict, {})
    located = ([(path + ("args", i), e) for i, e in enumerate(args)]
               + [(path + ("kwargs", k), e) for k, e in kwargs.items()] + [(path + ("let", k), e) for k, e in let.items()])
    for where, source in located:
        _expr(doc, where, source)
    known = RECIPE_NAMES | set(named_modules(source for _, source in located))
    for name, source in let.items():
        if not name.isidentifier():
            raise doc.error(path + ("let", name), f"{name!r} is not a Python name")
        _expr(doc, path + ("let", name), source, known)
        known |= {name}
    for where, source in located[:len(args) + len(kwargs)]:
        _expr(doc, where, source, known)
    return tuple(args), kwargs, let


def _case(doc: Located, path: tuple, data) -> CaseSpec:
    r = _Reader(doc, path, data)
    r.unknown(("label", "args", "kwargs", "let", "random", "repeat", "checks", "hidden", "points"))
    hidden = r.data.get("hidden", False)
    if not isinstance(hidden, (bool, datetime.date)) or isinstance(hidden, datetime.datetime):
        raise doc.error(path + ("hidden",), f"expected true, false or a date like 2026-12-15, got {hidden!r}")
    args, kwargs, let = _inputs(doc, path, r)
    random = r.get("random", int, 0)
    if random < 0:
        raise doc.error(path + ("random",), "must be a count of cases, 0 or more")
    return CaseSpec(
        args=args,
        kwargs=kwargs,
        let=let,
        label=_label(doc, path + ("label",), r.data["label"]) if "label" in r.data else None,
        random=random,
        repeat=r.get("repeat", int, 1),
        checks=tuple(_check(doc, path + ("checks", i), c) for i, c in enumerate(r.get("checks", list, []))),
        hidden=hidden,
        points=r.get("points", float, 1.0, lambda v, p: v if v >= 0 else _raise(doc.error(p, "cannot be negative"))),
    )


def _check(doc: Located, path: tuple, data) -> CheckSpec:
    # A check is either a bare kind name or a one-key mapping {kind: {options}}.
    if isinstance(data, str):
        kind, raw = data, {}
    elif isinstance(data, dict) and len(data) == 1:
        (kind, raw), = data.items()
        raw = raw or {}
    else:
        raise doc.error(path, "a check is a kind name, or {kind: {options}}")
    if kind not in KINDS:
        raise doc.error(path, f"unknown check kind {kind!r} (known: {', '.join(KINDS)})")
    allowed = {**_COMMON, **KINDS[kind].options}
    opath = path + (kind,)
    r = _Reader(doc, opath, raw)
    r.unknown(tuple(allowed))
    options = {key: r.get(key, allowed[key].type) for key in raw}
    for key, option in allowed.items():
        if option.required:
            r.get(key, option.type)
        if option.expr and key in options:
            _expr(doc, opath + (key,), options[key])
    if kind == "forbidden":  # the names' form: whether they exist is `tutor validate`'s (it imports torch)
        _forbidden(doc, opath, options["calls"], options.get("allow_in_backward", []))
    return CheckSpec(kind, options, doc.line(path))


# What the sandbox's monitor can watch, as `PREFIX.NAME` (sandbox/inside/monitor.py; a test
# keeps the two equal); "*" (any) only where a torch mode sees every call.
FORBIDDEN_PREFIXES = ("torch", "Tensor", "torch.Tensor", "aten", "math", "cmath", "numpy", "np")
_ANY_ALLOWED = ("torch", "Tensor", "torch.Tensor", "aten")
_NODE_RE = re.compile(r"^[A-Za-z_][\w:]*$")  # SinBackward0, torch::autograd::CopySlices


def _forbidden(doc: Located, path: tuple, calls: list, allow_in_backward: list) -> None:
    """The names a `forbidden` check lists have the form the monitor watches. Whether each
    exists is torch's (or numpy's) to say: `tutor validate` asks them, the loader never
    imports torch."""
    for i, call in enumerate(calls):
        prefix, _, name = call.rpartition(".") if isinstance(call, str) else ("", "", "")
        if prefix not in FORBIDDEN_PREFIXES or not (name.isidentifier() or (name == "*" and prefix in _ANY_ALLOWED)):
            raise doc.error(path + ("calls", i), f"{call!r} is not a call the sandbox can watch: write "
                            f"PREFIX.NAME with PREFIX one of {', '.join(FORBIDDEN_PREFIXES)} "
                            f"(PREFIX.* for any, with {', '.join(_ANY_ALLOWED)})")
    for i, node in enumerate(allow_in_backward):
        if not isinstance(node, str) or not _NODE_RE.match(node):
            raise doc.error(path + ("allow_in_backward", i), f"{node!r} is not the name of an autograd backward "
                            "node, like SinBackward0")


def _function(doc: Located, path: tuple, data) -> Function:
    r = _Reader(doc, path, data)
    r.unknown(("name", "signature", "cases", "checks", "timeout", "points"))
    name = r.get("name", str)
    if not name.isidentifier():
        raise doc.error(path + ("name",), f"{name!r} is not a Python name")
    signature = r.get("signature", str)
    cases = r.get("cases", list)
    if not cases:
        raise doc.error(path + ("cases",), "needs at least one case")
    checks = r.get("checks", list, ["value"])
    sig = _signature(doc, path + ("signature",), name, signature)
    specs = tuple(_case(doc, path + ("cases", i), c) for i, c in enumerate(cases))
    for i, spec in enumerate(specs):
        if any(c.scope != "case" for c in spec.checks):
            raise doc.error(path + ("cases", i, "checks"), "only case checks can be given for one case")
        _call_fits(doc, path + ("cases", i), name, sig, spec)
    return Function(
        name=name,
        signature=signature,
        params=tuple(a.arg for a in sig.posonlyargs + sig.args),
        cases=specs,
        checks=tuple(_check(doc, path + ("checks", i), c) for i, c in enumerate(checks)),
        timeout=r.get("timeout", float, 5.0),
        points=r.get("points", float, 1.0, lambda v, p: v if v >= 0 else _raise(doc.error(p, "cannot be negative"))),
    )


def _located_checks(functions: tuple[Function, ...]):
    """(path, check) for every check, the function's own and those of its case entries."""
    for i, fn in enumerate(functions):
        yield from ((("functions", i, "checks", j), c) for j, c in enumerate(fn.checks))
        for k, spec in enumerate(fn.cases):
            yield from ((("functions", i, "cases", k, "checks", j), c) for j, c in enumerate(spec.checks))


def _check_references(doc: Located, functions: tuple[Function, ...], by_name: dict) -> None:
    """The functions a check names (numeric_grad's `of`, relation's `also`) are this
    exercise's, each error at the option naming it."""
    for path, check in _located_checks(functions):
        for where, other in KINDS[check.kind].functions_named(check.options):
            if other not in by_name:
                raise doc.error(path + (check.kind, *where), f"no function {other!r} in this exercise "
                                f"(its functions: {', '.join(by_name)})")


def _defined(code: str) -> set[str]:
    """The top-level names a piece of code defines, as replacing them in a module would."""
    names = set()
    for node in ast.parse(code).body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names |= {t.id for t in targets if isinstance(t, ast.Name)}
    return names


def _mistake(doc: Located, path: tuple, data, functions: dict) -> Mistake:
    r = _Reader(doc, path, data)
    r.unknown(("function", "code", "hint"))
    name = r.get("function", str)
    if name not in functions:
        raise doc.error(path + ("function",), f"no function {name!r} in this exercise")
    code = r.get("code", str)
    try:
        ast.parse(code)
    except SyntaxError as exc:
        raise doc.error(path + ("code",), f"does not parse: {exc.msg} (line {exc.lineno} of the code)") from None
    # The code replaces functions of the reference (its `function`, or one that function
    # calls, as 2.5.4's wrong f): one that defines none of them changes nothing.
    if not _defined(code) & set(functions):
        raise doc.error(path + ("code",), f"defines none of this exercise's functions ({', '.join(functions)}), "
                        "so it would change nothing in the reference")
    return Mistake(name, code, r.get("hint", Text))


def parse_exercise(doc: Located) -> Exercise:
    r = _Reader(doc, (), doc.data)
    r.unknown(("id", "slug", "title", "prompt", "functions", "starter", "hints", "mistakes", "points", "plot",
               "covers"))
    ident = r.get("id", str, convert=lambda v, p: v if ID_RE.match(v) else _raise(doc.error(p, f"{v!r} is not a dotted number like 2.5.3")))
    slug = r.get("slug", str, convert=lambda v, p: v if SLUG_RE.match(v) else _raise(doc.error(p, f"{v!r} is not a lower-case slug like scalar-backward")))
    raw_functions = r.get("functions", list)
    if not raw_functions:
        raise doc.error(("functions",), "needs at least one function")
    functions = tuple(_function(doc, ("functions", i), f) for i, f in enumerate(raw_functions))
    by_name = {f.name: f for f in functions}
    if len(by_name) != len(functions):
        raise doc.error(("functions",), "two functions share a name")
    _check_references(doc, functions, by_name)
    starter = r.get("starter", str)
    try:
        ast.parse(starter)
    except SyntaxError as exc:
        raise doc.error(("starter",), f"does not parse: {exc.msg} (line {exc.lineno} of the starter)") from None
    return Exercise(
        id=ident,
        slug=slug,
        title=r.get("title", Text),
        prompt=r.get("prompt", Text),
        functions=functions,
        starter=starter,
        hints=tuple(read_text(doc, ("hints", i), h) for i, h in enumerate(r.get("hints", list, []))),
        mistakes=tuple(_mistake(doc, ("mistakes", i), m, by_name) for i, m in enumerate(r.get("mistakes", list, []))),
        path=doc.file,
        points=r.get("points", float, 1.0, lambda v, p: v if v >= 0 else _raise(doc.error(p, "cannot be negative"))),
        plot=_plot(doc, doc.data["plot"], by_name) if "plot" in doc.data else None,
        covers=_sections(doc, ("covers",), doc.data["covers"]) if "covers" in doc.data else (),
    )


def _plot(doc: Located, data, functions: dict) -> Plot:
    path = ("plot",)
    r = _Reader(doc, path, data)
    r.unknown(("function", "x", "curves", "title"))
    name = r.get("function", str)
    if name not in functions:
        raise doc.error(path + ("function",), f"no function {name!r} in this exercise")
    curves = []
    for i, raw in enumerate(r.get("curves", list)):
        c = _Reader(doc, path + ("curves", i), raw)
        c.unknown(("label", "y", "style"))
        curves.append(Curve(c.get("label", Text), _expr(doc, path + ("curves", i, "y"), c.get("y", str)),
                            c.get("style", str, "-")))
    return Plot(name, _expr(doc, path + ("x",), r.get("x", str)), tuple(curves), r.get("title", Text))


def _sections(doc: Located, path: tuple, value) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) and ID_RE.match(v) for v in value):
        raise doc.error(path, f"expected a list of quoted section numbers like [\"2.3\"], got {value!r}")
    return tuple(value)


def _raise(exc: Exception):
    raise exc


_loaded: dict[tuple[str, bytes], Exercise] = {}  # by resolved path and digest of the file's bytes


def load_exercise(file: Path) -> Exercise:
    """The exercise in `file`, parsed once per content: a child of the fork runner finds,
    in the memory it shares with its grader, what the grader has already read."""
    try:
        key = (str(Path(file).resolve()), hashlib.blake2b(Path(file).read_bytes()).digest())
    except OSError:
        key = None  # load_yaml says what is wrong
    if key in _loaded:
        return _loaded[key]
    # YAML reads an unquoted 2.5 as a float; say so rather than "expected str".
    doc = load_yaml(file)
    if isinstance(doc.data, dict) and isinstance(doc.data.get("id"), float):
        raise doc.error(("id",), f"write the id as a quoted string: id: \"{doc.data['id']}\"")
    exercise = parse_exercise(doc)
    if key is not None:
        _loaded[key] = exercise
    return exercise


__all__ = ["CaseSpec", "CheckSpec", "Exercise", "ExerciseFileError", "Function",
           "LANGS", "Mistake", "Text", "load_exercise"]
