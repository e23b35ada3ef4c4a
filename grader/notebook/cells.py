"""A notebook's code for one exercise, from the text of the cells its kernel ran (no torch).

The kernel's live objects are never graded, nor trusted: what is graded is source code,
taken from the cell history (`In[]`) the way `tutor grade` takes a notebook's cells (IPython
magics and shell lines skipped). Of everything the cells ran, an exercise's program keeps
only what its functions need: their latest definitions, and, transitively, the imports,
helpers and module-level assignments they use (top-level statements only: a def inside an `if` or a
`try` is not seen). Loose top-level code (prints, experiments,
a training loop) is not run again. A name that is used but that no cell defines is named,
so the report can say which cell is missing.
"""
from __future__ import annotations

import ast
import builtins
import re
import symtable
from dataclasses import dataclass, field

# Names a module has without defining them.
_GIVEN = set(dir(builtins)) | {"__name__", "__file__", "__doc__", "__builtins__", "__spec__", "__loader__"}
_DEF_LINE = re.compile(r"^(?:async\s+def|def|class)\s+(\w+)", re.M)


def code_of(cell: str) -> str:
    """A cell's Python: its IPython magics (%, %%) and shell escapes (!) blanked, so that a
    line number still counts the cell's own lines."""
    return "\n".join("" if line.lstrip().startswith(("%", "!")) else line for line in cell.splitlines())


@dataclass
class Definition:
    """A top-level statement that binds names: an import, a def, a class, an assignment."""

    cell: int  # its In[] number
    order: int  # where it ran, across every cell
    names: frozenset[str]
    code: str
    needs: frozenset[str] = frozenset()
    line: int = 1  # its first line in the cell


@dataclass
class Program:
    source: str  # the file the sandbox runs, as `tutor check --file` would
    cells: list[int] = field(default_factory=list)  # the In[] numbers it was taken from
    missing: dict[str, list[str]] = field(default_factory=dict)  # a name no cell defines -> who uses it
    loose: list[int] = field(default_factory=list)  # cells with code outside any definition: not run


def loose_cells(cells: list[tuple[int, str]]) -> list[int]:
    """The cells holding top-level code that binds no name (a print, an experiment, a call):
    code a program leaves out, so that a cell which raises cannot take the grade down."""
    found = []
    for number, raw in cells:
        try:
            tree = ast.parse(code_of(raw))
        except SyntaxError:
            continue
        if any(not _bound(node) and not (isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant))
               for node in tree.body):
            found.append(number)
    return found


def _bound(node: ast.stmt) -> set[str]:
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return {node.name}
    if isinstance(node, ast.Import):
        return {alias.asname or alias.name.split(".")[0] for alias in node.names}
    if isinstance(node, ast.ImportFrom):
        return {alias.asname or alias.name for alias in node.names}
    if isinstance(node, (ast.Assign, ast.AnnAssign)) and getattr(node, "value", None) is not None:
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        names = set()
        for target in targets:
            for part in ast.walk(target):
                if not isinstance(part, (ast.Name, ast.Tuple, ast.List, ast.Starred, ast.Load, ast.Store)):
                    return set()  # an attribute or an item: it changes an object, it binds no name
                if isinstance(part, ast.Name):
                    names.add(part.id)
        return names
    return set()


def _needs(code: str, bound: set[str]) -> frozenset[str]:
    """The global names a statement's code reads (in its functions, classes and
    comprehensions too), less those it binds itself."""
    found: set[str] = set()

    def walk(table) -> None:
        for symbol in table.get_symbols():
            if symbol.is_referenced() and symbol.is_global():
                found.add(symbol.get_name())
        for child in table.get_children():
            walk(child)

    walk(symtable.symtable(code, "<cell>", "exec"))
    return frozenset(found - bound)


def definitions(cells: list[tuple[int, str]]) -> list[Definition]:
    """Every top-level definition of the cells (In[] number, raw text), in the order they ran.
    A cell that does not parse is kept whole, as the definition of the functions and
    classes it names, so that grading it reports the syntax error."""
    found: list[Definition] = []
    for number, raw in cells:
        code = code_of(raw)
        try:
            tree = ast.parse(code)
        except SyntaxError:
            names = frozenset(_DEF_LINE.findall(code))
            if names:
                found.append(Definition(number, len(found), names, code))
            continue
        lines = code.splitlines()
        for node in tree.body:
            names = _bound(node)
            if not names:
                continue
            first = min([node.lineno] + [d.lineno for d in getattr(node, "decorator_list", [])])
            text = "\n".join(lines[first - 1:node.end_lineno])
            star = "*" in names  # `from m import *`: what it binds is unknown, so it is always kept
            found.append(Definition(number, len(found), frozenset(names), text,
                                    frozenset() if star else _needs(text, set(names)), first))
    return found


def program(cells: list[tuple[int, str]], functions: list[str], others: set[str] = frozenset(),
            marker: str = "# In[{cell}]") -> Program:
    """The program for an exercise whose functions are `functions`. Each name is taken from
    its latest definition; for the exercise's own functions, from the latest cell that is
    not another exercise's (one defining a function in `others`, the other exercises'
    function names), when there is one: 2.5.4 and 2.5.6.3 both ask for an `f`."""
    defs = definitions(cells)
    latest: dict[str, Definition] = {}
    for d in defs:
        for name in d.names:
            latest[name] = d
    in_cell: dict[int, set[str]] = {}
    for d in defs:
        in_cell.setdefault(d.cell, set()).update(d.names)
    theirs = set(others) - set(functions)
    own = {}
    for name in functions:
        mine = [d for d in defs if name in d.names and not in_cell[d.cell] & theirs]
        if mine:
            own[name] = mine[-1]
    kept: dict[int, Definition] = {}
    missing: dict[str, list[str]] = {}
    wanted = [(name, None) for name in functions]
    while wanted:
        name, user = wanted.pop(0)
        d = own.get(name) or latest.get(name)
        if d is None:
            if user is not None and name not in _GIVEN and not any("*" in s.names for s in defs):
                missing.setdefault(name, []).append(user)
            continue  # an exercise's function that no cell defines: the sandbox reports it
        if d.order in kept:
            continue
        kept[d.order] = d
        label = next(iter(sorted(d.names)))
        wanted += [(needed, label) for needed in sorted(d.needs)]
    kept.update({d.order: d for d in defs if "*" in d.names})
    parts, cells_used, marked = [], [], None
    for d in sorted(kept.values(), key=lambda d: d.order):
        if d.cell not in cells_used:
            cells_used.append(d.cell)
        if marker.format(cell=d.cell, line=d.line) != marked:  # `marker` may name the piece's line
            marked = marker.format(cell=d.cell, line=d.line)
            parts.append(marked)
        parts.append(d.code + "\n")
    return Program("\n".join(parts), cells_used, {k: sorted(set(v)) for k, v in missing.items()})
