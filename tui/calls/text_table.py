"""Call rows as an aligned plain-text table, for `wiro-voice calls` in a terminal or a pipe."""

from __future__ import annotations

import unicodedata
from typing import Sequence

from .rows import CALLER, COLUMNS, DURATION, CallRow

#: Callers can be long page URLs; past this many cells the column is cut with "…".
CALLER_MAX = 48
_RIGHT_ALIGNED = frozenset({DURATION})
_GAP = "  "


def _char_width(c: str) -> int:
    if unicodedata.combining(c):
        return 0
    return 2 if unicodedata.east_asian_width(c) in ("W", "F") else 1


def cell_width(text: str) -> int:
    """Terminal cells `text` takes: wide (East Asian, most emoji) characters count 2, combining marks 0."""
    if text.isascii():
        return len(text)
    return sum(_char_width(c) for c in text)


def fit(text: str, width: int) -> str:
    """`text` cut to at most `width` cells, ending in "…" when something was cut."""
    if width <= 0:
        return ""
    if cell_width(text) <= width:
        return text
    out, used = [], 0
    for c in text:
        w = _char_width(c)
        if used + w > width - 1:
            break
        out.append(c)
        used += w
    return "".join(out) + "…"


def _pad(text: str, width: int, right: bool) -> str:
    space = " " * max(0, width - cell_width(text))
    return space + text if right else text + space


def render_table(rows: Sequence[CallRow], caller_max: int = CALLER_MAX) -> list[str]:
    """The header and one line per row, columns aligned, trailing spaces trimmed. Cell texts are
    already printable (see `rows.row_for`), so this only measures and pads."""
    cells = [[fit(row.cell(c.key), caller_max) if c.key == CALLER else row.cell(c.key) for c in COLUMNS] for row in rows]
    titles = [c.title.lower() for c in COLUMNS]
    widths = [max([cell_width(t)] + [cell_width(line[i]) for line in cells]) for i, t in enumerate(titles)]
    right = [c.key in _RIGHT_ALIGNED for c in COLUMNS]
    lines = []
    for line in [titles, *cells]:
        lines.append(_GAP.join(_pad(text, widths[i], right[i]) for i, text in enumerate(line)).rstrip())
    return lines
