"""A self-contained HTML page: its styles inline, no script, nothing fetched.

The student's page and the class report are built from text, much of it the student's: it
reaches the page only through `esc`. The page also forbids every script and every load
from elsewhere (its Content-Security-Policy), so even a slip in escaping could not run one.
"""
from __future__ import annotations

import functools
import html
import re

from ..messages.ui import say

# The colours a test finds in a screenshot to know a figure was drawn.
HISTOGRAM = "#4c72b0"
BARS = "#55a868"
DIFFERS = "#f4b6b0"

STYLE = f"""
body {{ font-family: system-ui, "Noto Sans CJK SC", "Noto Sans", sans-serif; margin: 2em auto; max-width: 72em;
       padding: 0 1em; color: #222; line-height: 1.4; }}
h1, h2, h3 {{ line-height: 1.2; }}
code, pre, .mono {{ font-family: ui-monospace, "DejaVu Sans Mono", monospace; }}
pre {{ white-space: pre-wrap; overflow-wrap: anywhere; margin: .2em 0; }}
p, li, td {{ overflow-wrap: anywhere; }}
.dim {{ color: #666; }}
.pass {{ color: #1a7f37; }} .fail {{ color: #c62828; }} .error {{ color: #b26a00; }}
table {{ border-collapse: collapse; margin: .5em 0; }}
th, td {{ border: 1px solid #ddd; padding: .2em .5em; text-align: left; vertical-align: top; }}
td.num, th.num {{ text-align: right; }}
td.pass {{ background: #e6f4ea; }} td.fail {{ background: #fde7e9; }} td.error {{ background: #fff3e0; }}
.exercise {{ border-top: 2px solid #ddd; margin-top: 1.5em; }}
.row {{ margin: .4em 0 .4em 1em; }}
.problem {{ margin: .2em 0 .2em 2em; }}
.hint {{ color: #8a6d00; }}
table.diff td {{ font-family: ui-monospace, monospace; text-align: right; border-color: #eee; }}
table.diff td.differs {{ background: {DIFFERS}; font-weight: bold; }}
.histogram {{ display: flex; align-items: flex-end; gap: 2px; height: 12em; border-bottom: 1px solid #444;
              padding-top: 1.2em; }}
.histogram .bin {{ flex: 1; display: flex; flex-direction: column; justify-content: flex-end; height: 100%;
                   text-align: center; font-size: .8em; }}
.histogram .bar {{ background: {HISTOGRAM}; }}
.axis {{ display: flex; gap: 2px; font-size: .8em; color: #666; }}
.axis span {{ flex: 1; text-align: center; }}
table.chart td {{ border: none; padding: .15em .5em; }}
.track {{ width: 24em; background: #eee; height: 1em; }}
.track .fill {{ background: {BARS}; height: 100%; }}
.share {{ display: inline-block; background: #c62828; height: .8em; vertical-align: middle; }}
"""

_CODE = re.compile(r"`([^`\n]+)`")


def esc(text) -> str:
    """Any text as HTML text, never markup."""
    return html.escape("" if text is None else str(text), quote=True)


def prose(text) -> str:
    """Escaped text whose `code spans` are set as code, as the terminal report shows them."""
    return _CODE.sub(r"<code>\1</code>", esc(text))


def page(title: str, body: str, lang: str) -> str:
    """The whole document: `title` is plain text, `body` is markup made with `esc`."""
    return f"""<!DOCTYPE html>
<html lang="{'zh-CN' if lang == 'zh' else 'en'}">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{esc(title)}</title>
<style>{STYLE}</style>
</head>
<body>
{body}
</body>
</html>
"""


@functools.lru_cache(maxsize=8192)
def _said(word: str, lang: str, values: tuple) -> str:
    return say(word, lang, **dict(values))


def said(word: str, lang: str, **values) -> str:
    """`ui.say`, remembered: a class's pages say the same few things thousands of times."""
    return _said(word, lang, tuple(sorted(values.items())))


def number(value: float) -> str:
    """Points as a person reads them: 1, 0.5, 0.333."""
    return f"{value:.3g}"
