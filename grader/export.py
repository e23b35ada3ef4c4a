"""A student template of a course: the tool and the exercises, without what students must not see.

Left out: the reference solutions, the tests and CI that need them, and every hidden
case. Exercise files without hidden cases are copied byte for byte; the others are
rewritten without those cases.
"""
from __future__ import annotations

import shutil
from pathlib import Path

import yaml

from .catalog import Course

_TOOL = ("cli.py", "pyproject.toml", "README.md", ".gitignore", "grader", "docs")
_TOOL_ROOT = Path(__file__).resolve().parent.parent  # tutor's own checkout, whatever the course folder


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


def export_student(course: Course, target: Path) -> int:
    target.mkdir(parents=True, exist_ok=True)
    written = tool_files(target)
    (target / "exercises").mkdir()
    for path in sorted(course.exercises_dir.glob("*.yaml")):
        text = _without_hidden(path)
        if text is None:
            shutil.copy2(path, target / "exercises" / path.name)
        else:
            (target / "exercises" / path.name).write_text(text, encoding="utf-8")
        written += 1
    return written
