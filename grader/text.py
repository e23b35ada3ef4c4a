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


def digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
