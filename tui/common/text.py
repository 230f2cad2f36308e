"""Text for people: counts in words, and server text made safe to show in a terminal."""

from __future__ import annotations


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
