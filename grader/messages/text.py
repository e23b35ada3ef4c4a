"""Texts in every language the course is taught in, and the digest that identifies a file's text.

A module of its own so that `tutor list` can use them without loading the exercise model.
"""
from __future__ import annotations

import hashlib
import re
import string

# Chinese characters, and the full-width punctuation of a Chinese sentence.
CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
FULL_WIDTH = "\u3000-\u303f\uff00-\uffef“”‘’…—"
_CJK_CHAR = re.compile(f"[{CJK}]")
_FULL_WIDTH_CHAR = re.compile(f"[{FULL_WIDTH}]")
_FORMATTER = string.Formatter()


class Text:
    """A text in every language. Filled-in templates (`format`) are filled lazily, per
    language, when first read: most texts the judge makes (a known mistake compared, a check
    that passed after all) are never shown, and few are shown in both languages."""

    __slots__ = ("_en", "_zh", "items", "_template", "_values")

    def __init__(self, en: str, zh: str, items: tuple | None = None):
        self._en, self._zh = en, zh
        # The parts of a joined list, so that a template can join them its own way ("{flags:、}").
        self.items = items
        self._template: Text | None = None
        self._values: dict | None = None

    @property
    def en(self) -> str:
        return self._en if self._en is not None else self._fill("en")

    @property
    def zh(self) -> str:
        return self._zh if self._zh is not None else self._fill("zh")

    def get(self, lang: str) -> str:
        return self.zh if lang == "zh" else self.en

    def __eq__(self, other) -> bool:
        return isinstance(other, Text) and (self.en, self.zh) == (other.en, other.zh)

    def __hash__(self) -> int:
        return hash((self.en, self.zh))

    def __repr__(self) -> str:
        return f"Text(en={self.en!r}, zh={self.zh!r})"

    def format(self, **values) -> "Text":
        """Each language's template filled in; a Text value fills in its own same-language text.

        In Chinese the space where a value meets the template follows the value: one space
        between a Chinese character and a Latin word, number or code, none between two
        Chinese characters or beside full-width punctuation ("期望 {expected}" reads
        期望形状为 (3,) 的张量, and 期望 None)."""
        filled = Text(None, None)
        filled._template, filled._values = self, values
        return filled

    def _fill(self, lang: str) -> str:
        template, values = self._template, self._values
        if template is None or values is None:  # another thread filled both meanwhile, and let these go
            return self._zh if lang == "zh" else self._en
        template = template.get(lang)
        values = {k: _Listed(Text.same(v) if isinstance(v, str) else v, lang) if isinstance(v, (Text, str)) else v
                  for k, v in values.items()}
        text = _fill_zh(template, values) if lang == "zh" else template.format(**values)
        if lang == "zh":
            self._zh = text
        else:
            self._en = text
        if self._en is not None and self._zh is not None:
            self._template = self._values = None  # both filled: what they were filled from can go
        return text

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
