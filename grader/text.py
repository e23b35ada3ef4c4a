"""Texts in every language the course is taught in, and the digest that identifies a file's text.

A module of its own so that `tutor list` can use them without loading the exercise model.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass


@dataclass(frozen=True)
class Text:
    en: str
    zh: str

    def get(self, lang: str) -> str:
        return getattr(self, lang, self.en)

    def format(self, **values) -> "Text":
        """Each language's template filled in; a Text value fills in its own same-language text."""
        def fill(lang: str, template: str) -> str:
            return template.format(**{k: v.get(lang) if isinstance(v, Text) else v for k, v in values.items()})

        return Text(fill("en", self.en), fill("zh", self.zh))

    @staticmethod
    def joined(parts: list, separator: str = ", ") -> "Text":
        """Parts (Text or plain strings) joined in each language."""
        return Text(*(separator.join(p.get(lang) if isinstance(p, Text) else p for p in parts) for lang in ("en", "zh")))

    @staticmethod
    def same(text: str) -> "Text":
        """Text that reads the same in every language: data such as an error's own message."""
        return Text(text, text)


def digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
