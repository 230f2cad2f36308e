"""Which columns the Calls table shows at a terminal width, and how wide each is.

Every column has a width it would like; when they do not all fit, columns give way in a fixed order — Model, then
Age, then Channel are dropped, then Caller and End reason are narrowed (cut with "…"; Enter shows everything) —
so at 80 columns the table still shows Started, Caller, Duration, Status and End reason without a horizontal
scrollbar. Started, Duration and Status never give way. On a wide terminal End reason and Caller grow into the room
left over.
"""

from __future__ import annotations

from ..common.text import give_way
from .rows import AGE, CALLER, CHANNEL, COLUMNS, DURATION, END_REASON, MODEL, STARTED, STATUS

#: The widths the table would like (cells, without the table's padding).
PREFERRED: dict[str, int] = {STARTED: 12, AGE: 10, CHANNEL: 7, CALLER: 26, DURATION: 8, STATUS: 9, END_REASON: 28,
                             MODEL: 18}
#: The order columns give way: (column, 0) drops it, (column, n) narrows it down to n cells at most.
GIVE_WAY: tuple[tuple[str, int], ...] = ((MODEL, 0), (AGE, 0), (CHANNEL, 0), (CALLER, 16), (END_REASON, 16),
                                         (CALLER, 12), (END_REASON, 10))
#: On a wide terminal, once every column fits, the long-text columns take the room left, up to these widths (a
#: rejection reason or a web caller's page URL reads whole instead of cut at its preferred width).
GROW: tuple[tuple[str, int], ...] = ((END_REASON, 56), (CALLER, 44))
#: What each column costs beyond its text: the table pads every cell with a space on either side.
PADDING = 2
#: Room the table keeps for its vertical scrollbar.
SCROLLBAR = 2


def table_columns(width: int) -> tuple[tuple[str, int], ...]:
    """(column id, text width) in display order for a table `width` cells wide."""
    widths = dict(PREFERRED)
    spare = give_way(widths, width - SCROLLBAR, GIVE_WAY, PADDING)
    for column, most in GROW:
        grow = min(spare, most - widths[column])
        if grow > 0:
            widths[column] += grow
            spare -= grow
    return tuple((c.key, widths[c.key]) for c in COLUMNS if c.key in widths)
