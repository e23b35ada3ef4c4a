"""Texts in every language the course is taught in, and the digest that identifies a file's text.

A module of its own so that `tutor list` can use them without loading the exercise model.
"""
from __future__ import annotations

import hashlib
import re
import string
from dataclasses import dataclass, field

# Chinese characters, and the full-width punctuation of a Chinese sentence.
CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
FULL_WIDTH = "\u3000-\u303f\uff00-\uffef“”‘’…—"
_CJK_CHAR = re.compile(f"[{CJK}]")
_FULL_WIDTH_CHAR = re.compile(f"[{FULL_WIDTH}]")
_FORMATTER = string.Formatter()


@dataclass(frozen=True)
class Text:
    en: str
    zh: str
    # The parts of a joined list, so that a template can join them its own way ("{flags:、}").
    items: tuple | None = field(default=None, compare=False, repr=False)

    def get(self, lang: str) -> str:
        return getattr(self, lang, self.en)

    def format(self, **values) -> "Text":
        """Each language's template filled in; a Text value fills in its own same-language text.

        In Chinese the space where a value meets the template follows the value: one space
        between a Chinese character and a Latin word, number or code, none between two
        Chinese characters or beside full-width punctuation ("期望 {expected}" reads
        期望形状为 (3,) 的张量, and 期望 None)."""
        def fill(lang: str, template: str) -> str:
            filled = {k: _Listed(Text.same(v) if isinstance(v, str) else v, lang) if isinstance(v, (Text, str)) else v
                      for k, v in values.items()}
            return _fill_zh(template, filled) if lang == "zh" else template.format(**filled)

        return Text(fill("en", self.en), fill("zh", self.zh))

    @staticmethod
    def joined(parts: list, separator: str = ", ") -> "Text":
        """Parts (Text or plain strings) joined in each language; a template may join them
        with another separator instead (`{flags:、}`: a Chinese list takes 、)."""
        items = tuple(p if isinstance(p, Text) else Text.same(p) for p in parts)
        return Text(separator.join(p.en for p in items), _join_zh([p.zh for p in items], separator), items=items)

    @staticmethod
    def same(text: str) -> "Text":
        """Text that reads the same in every language: data such as an error's own message."""
        return Text(text, text)


class _Listed:
    """A Text value as a template sees it: its text, or its items joined by the format spec."""

    def __init__(self, text: Text, lang: str):
        self.text, self.lang = text, lang

    def __format__(self, spec: str) -> str:
        if spec and (self.text.items is not None or not spec.isascii()):  # a separator: join the items
            return spec.join(item.get(self.lang) for item in self.text.items or (self.text,))
        return format(self.text.get(self.lang), spec)

    def __str__(self) -> str:
        return self.text.get(self.lang)

    def __repr__(self) -> str:
        return repr(self.text.get(self.lang))


def spaced(left: str, right: str) -> str:
    """`left` + `right` with the space between them that Chinese typography wants, when
    either side of the join is Chinese; other joins are left as they are."""
    a, b = left.rstrip(" "), right.lstrip(" ")
    if not a or not b:
        return left + right
    x, y = a[-1], b[0]
    if _FULL_WIDTH_CHAR.match(x) or _FULL_WIDTH_CHAR.match(y):
        return a + b
    if _CJK_CHAR.match(x) and _CJK_CHAR.match(y):
        return a + b
    if (_CJK_CHAR.match(x) and not y.isspace()) or (_CJK_CHAR.match(y) and not x.isspace()):
        return a + " " + b
    return left + right


def _join_zh(parts: list[str], separator: str) -> str:
    """Parts joined by `separator`, but a comma after Chinese is the full-width ，: an
    argument list reads "a=形状为 (3, 4) 的张量，i=1"."""
    if separator.strip() != ",":
        return separator.join(parts)
    out = ""
    for i, part in enumerate(parts):
        if i:
            out += "，" if _CJK_CHAR.match(out[-1:] or " ") else separator
        out += part
    return out


def _fill_zh(template: str, values: dict) -> str:
    """str.format, joining each value to the template's text with `spaced`. Only the
    template's own spaces move: a value (a student's output, an error message) is kept whole."""
    out = ""
    for literal, name, spec, conversion in _FORMATTER.parse(template):
        if literal:
            out = spaced(out, literal) if out and not out.endswith(" ") else out + literal
        if name is None:
            continue
        value, _ = _FORMATTER.get_field(name, (), values)
        text = _FORMATTER.format_field(_FORMATTER.convert_field(value, conversion), spec or "")
        out = spaced(out, text) if text and not text[0].isspace() else out + text
    return out


def digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
