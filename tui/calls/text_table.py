"""Call rows as an aligned plain-text table, for `wiro-voice calls` in a terminal or a pipe."""

from __future__ import annotations

import unicodedata
from typing import Sequence

from .rows import AGE, CALLER, CHANNEL, COLUMNS, DURATION, END_REASON, MODEL, CallRow

#: Callers can be long page URLs; past this many cells the column is cut with "…".
CALLER_MAX = 48
_RIGHT_ALIGNED = frozenset({DURATION})
_GAP = "  "

#: How a table too wide for the terminal gives way, step by step until it fits: columns dropped, or
#: narrowed to at least so many cells (cut with "…"). Started, Duration and Status are never touched, so
#: the status is never wrapped or cut off.
FIT_STEPS: tuple[tuple[str, int], ...] = (
    (MODEL, 0), (CALLER, 28), (AGE, 0), (CHANNEL, 0),  # 0: drop the column
    (CALLER, 16), (END_REASON, 14),
    (END_REASON, 0), (CALLER, 8),
)


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


def render_table(rows: Sequence[CallRow], caller_max: int = CALLER_MAX, width: int | None = None) -> list[str]:
    """The header and one line per row, columns aligned, trailing spaces trimmed. Cell texts are
    already printable (see `rows.row_for`), so this only measures and pads.

    With `width` (terminal cells), columns are dropped or narrowed in `FIT_STEPS` order until every line
    fits, or nothing more may give way."""
    caps = {CALLER: caller_max}
    keys = [c.key for c in COLUMNS]
    titles = {c.key: c.title.lower() for c in COLUMNS}

    def column_width(key: str) -> int:
        cap = caps.get(key)
        texts = [titles[key]] + [row.cell(key) for row in rows]
        natural = max(cell_width(t) for t in texts)
        return natural if cap is None else max(cell_width(titles[key]), min(natural, cap))

    def total() -> int:
        return sum(column_width(k) for k in keys) + len(_GAP) * (len(keys) - 1)

    if width is not None:
        for key, minimum in FIT_STEPS:
            excess = total() - width
            if excess <= 0:
                break
            if key not in keys:
                continue
            if minimum == 0:
                keys.remove(key)
            else:
                caps[key] = max(minimum, column_width(key) - excess)
    widths = [column_width(k) for k in keys]
    right = [k in _RIGHT_ALIGNED for k in keys]
    lines = []
    for texts in [[titles[k] for k in keys], *([row.cell(k) for k in keys] for row in rows)]:
        cells = [fit(text, caps[k]) if k in caps else text for k, text in zip(keys, texts)]
        lines.append(_GAP.join(_pad(text, widths[i], right[i]) for i, text in enumerate(cells)).rstrip())
    return lines
