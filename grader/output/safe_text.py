"""Text that came from a student's process, made safe to write anywhere.

Whatever a submission prints, raises, names or returns reaches terminals, CI logs, XML,
JSON and spreadsheets. Every such string goes through `clean` before it is written: it
becomes valid Unicode (a lone surrogate cannot be encoded, so it would crash the
writer), its control characters become visible escapes (ESC could redraw a terminal, NUL
or a form feed makes XML 1.0 invalid, a carriage return could overwrite a line), and it
is capped in length. Only newline and tab are kept as they are.

No torch, no Rich: every output path, including `tutor list`'s, may use it.
"""
from __future__ import annotations

import re

NOTICE = "... (truncated)"

# C0 controls but tab and newline; DEL and the C1 controls; the noncharacters XML 1.0
# forbids; and the bidirectional overrides that can make a line read other than it runs.
_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ufffe\uffff\u202a-\u202e\u2066-\u2069]")
_SURROGATE = re.compile("[\ud800-\udfff]")


def _escaped(match: re.Match) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def clean(text, limit: int | None = None, notice: str = NOTICE) -> str:
    """`text` (anything; None is "") as valid, printable Unicode of at most `limit`
    characters, the last of them `notice` when it had to be cut."""
    text = "" if text is None else str(text)
    if limit is not None:
        text = text[:limit + 1]  # escaping only lengthens: what lies past this would be cut anyway
    if _SURROGATE.search(text):
        # A well-formed pair becomes its character; a lone half becomes U+FFFD.
        text = text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
    text = _UNSAFE.sub(_escaped, text)
    if limit is not None and len(text) > limit:
        text = text[:max(0, limit - len(notice))] + notice[:limit]
    return text


_FORMULA = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_cell(text) -> str:
    """A cleaned text cell that a spreadsheet shows as text: one starting like a formula
    (= + - @, or tab and CR, which some programs skip before one) gets a leading quote."""
    raw = "" if text is None else str(text)
    cell = clean(raw, 1000)
    return "'" + cell if raw.startswith(_FORMULA) or cell.startswith(_FORMULA) else cell
