"""A student template of a course: the tool and the exercises, without what students must not see.

Left out: the reference solutions, the tests and CI that need them, and every hidden
case. Exercise files without hidden cases are copied byte for byte; the others are
rewritten without those cases. What the references (and known mistakes) return on the
visible cases is recorded as data (`grading/recorded.py`), so that the copy checks them
on its own; the hidden ones run only where the references are.
"""
from __future__ import annotations

import re
import shutil
from pathlib import Path

import yaml

from ..course.catalog import ENGINE, Course

_TOOL = ("cli.py", "pyproject.toml", "README.md", ".gitignore", "grader", "docs")
_TOOL_ROOT = ENGINE.parent  # tutor's own checkout, whatever the course folder


class ToolNotFound(RuntimeError):
    pass


class _Literal(str):
    pass


class _Dumper(yaml.SafeDumper):
    pass


# Multi-line text (prompts, starter code) stays a readable literal block.
_Dumper.add_representer(_Literal, lambda d, v: d.represent_scalar("tag:yaml.org,2002:str", v, style="|"))


def _literal_blocks(value):
    if isinstance(value, dict):
        return {k: _literal_blocks(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_literal_blocks(v) for v in value]
    if isinstance(value, str) and "\n" in value:
        return _Literal(value)
    return value


def _without_hidden(path: Path) -> str | None:
    """The file's text without hidden cases, or None when it has none."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    found = False
    for fn in data.get("functions", []):
        kept = [case for case in fn.get("cases", []) if not case.get("hidden")]
        found |= len(kept) != len(fn.get("cases", []))
        fn["cases"] = kept
    if not found:
        return None
    return yaml.dump(_literal_blocks(data), Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100)


def require_source() -> None:
    """A template holds tutor's own source, which only a clone of its repository has."""
    if not (_TOOL_ROOT / "pyproject.toml").is_file():
        raise ToolNotFound(f"this copies tutor's source into the new folder, and tutor was installed from a wheel "
                           f"({ENGINE}), which holds no pyproject.toml to copy: run it from a clone of tutor.")


def tool_files(target: Path) -> int:
    """Copy tutor itself (the package, the CLI, its packaging and docs) into `target`."""
    written = 0
    for name in _TOOL:
        source = _TOOL_ROOT / name
        if source.is_dir():
            shutil.copytree(source, target / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
            written += sum(1 for p in (target / name).rglob("*") if p.is_file())
        elif source.is_file():
            shutil.copy2(source, target / name)
            written += 1
    return written


# What in pyproject.toml packages the references (a template has none to package): their
# package-dir entry, their place in the packages list, their package-data line.
_SOLUTIONS_PACKAGE = re.compile(r',\s*"d2l_tutor\.data\.solutions"(\s*=\s*"solutions")?|\n"d2l_tutor\.data\.solutions"\s*=\s*\[[^\]]*\]')


def _without_solutions(pyproject: str) -> str:
    kept, found = _SOLUTIONS_PACKAGE.subn("", pyproject)
    if found != 3 or "d2l_tutor.data.solutions" in kept:  # pyproject.toml changed: this must change with it
        raise ToolNotFound("tutor's pyproject.toml packages the references in a way export does not know; "
                           "it cannot leave them out")
    return kept


def export_student(course: Course, target: Path) -> int:
    """Write the copy; raises GraderError when a reference fails on a visible case."""
    require_source()
    target.mkdir(parents=True, exist_ok=True)
    written = tool_files(target)
    pyproject = target / "pyproject.toml"
    pyproject.write_text(_without_solutions(pyproject.read_text(encoding="utf-8")), encoding="utf-8")
    (target / "exercises").mkdir()
    for path in sorted(course.exercises_dir.glob("*.yaml")):
        text = _without_hidden(path)
        if text is None:
            shutil.copy2(path, target / "exercises" / path.name)
        else:
            (target / "exercises" / path.name).write_text(text, encoding="utf-8")
        written += 1
    return written + record_expected(course, Course(target))


def record_expected(course: Course, copy: Course) -> int:
    """Record, in `copy`, what each of `course`'s references returns on the copy's cases."""
    from ..grading.judge import Reference
    from ..grading.recorded import record, recorded_file

    for ex in copy.exercises:  # as the copy has them: no hidden case is run
        record(ex, Reference(ex, course.solution_file(course.get(ex.id))), recorded_file(copy, ex))
    return len(copy.exercises)
