"""Text for people: counts in words, server text made safe to show in a terminal, and table columns that fit."""

from __future__ import annotations

from collections.abc import Iterable


def plural(n: int, one: str, many: str | None = None) -> str:
    """"1 call", "3 calls"; `many` for irregular words ("1 entry", "2 entries")."""
    return f"{n} {one if n == 1 else (many or one + 's')}"


def printable(text: str | None) -> str:
    """`text` with every non-printable character (escape sequences, newlines, tabs) turned into a space.

    A caller's page URL or display identifier comes from a web visitor; an ESC in it could rewrite the
    terminal or break a table row, so nothing unprintable reaches the screen. None becomes "".
    """
    if not text:
        return ""
    if text.isprintable():  # the common case, without building a new string
        return text
    return "".join(c if c.isprintable() else " " for c in text)


def give_way(widths: dict[str, int], room: int, order: Iterable[tuple[str, int]], padding: int) -> int:
    """Make columns fit `room` cells: in `order`, (column, 0) drops the column and (column, n) narrows it to no less
    than n, until the widths (each plus `padding`) fit. `widths` is changed in place; returns the room left over
    (below 0 when even the last step did not make them fit)."""

    def spare() -> int:
        return room - sum(size + padding for size in widths.values())

    for column, least in order:
        excess = -spare()
        if excess <= 0:
            break
        if column not in widths:
            continue
        if least == 0:
            del widths[column]
        else:
            widths[column] = max(least, widths[column] - excess)
    return spare()
