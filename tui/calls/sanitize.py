"""Server text made safe to show: the API's strings go into terminals and tables as-is otherwise."""

from __future__ import annotations


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
