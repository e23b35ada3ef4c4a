"""Read a YAML file into plain data while remembering where each value came from.

Authors need errors that name the file, the line and the field; PyYAML's node
tree carries the marks, so we compose nodes and construct values ourselves.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

try:  # libyaml is several times faster; `tutor list` parses every exercise.
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as _Loader

FieldPath = tuple  # e.g. ("functions", 0, "cases")


class ExerciseFileError(Exception):
    """A problem in an exercise file, located by file, line and field."""

    def __init__(self, file: Path | str, line: int | None, field: str, message: str):
        self.file, self.line, self.field, self.message = str(file), line, field, message
        where = f"{self.file}:{line}" if line else self.file
        super().__init__(f"{where}: {field + ': ' if field else ''}{message}")


def field_name(path: FieldPath) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


@dataclass
class Located:
    """Data from one YAML file plus the line of every value in it."""

    file: Path
    data: Any
    lines: dict

    def line(self, path: FieldPath) -> int | None:
        # A missing field is reported at its nearest existing parent.
        while path not in self.lines and path:
            path = path[:-1]
        return self.lines.get(path)

    def error(self, path: FieldPath, message: str) -> ExerciseFileError:
        return ExerciseFileError(self.file, self.line(path), field_name(path), message)


def load_yaml(file: Path) -> Located:
    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ExerciseFileError(file, None, "", f"cannot read: {exc}") from None
    try:
        node = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        raise ExerciseFileError(file, line, "", f"not valid YAML: {exc.problem or exc}") from None
    lines: dict = {}
    data = _construct(node, (), lines, file) if node is not None else None
    return Located(file, data, lines)


_constructor = yaml.constructor.SafeConstructor()


def _construct(node, path: FieldPath, lines: dict, file: Path):
    lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        out = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                raise ExerciseFileError(file, key_node.start_mark.line + 1, field_name(path), "keys must be plain names")
            key = str(key_node.value)
            if key in out:
                raise ExerciseFileError(file, key_node.start_mark.line + 1, field_name(path + (key,)), "appears twice")
            out[key] = _construct(value_node, path + (key,), lines, file)
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_construct(item, path + (i,), lines, file) for i, item in enumerate(node.value)]
    return _constructor.construct_object(node, deep=True)
