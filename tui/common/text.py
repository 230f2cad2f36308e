"""Wording helpers shared by every front end."""

from __future__ import annotations


def plural(n: int, one: str, many: str | None = None) -> str:
    """"1 call", "3 calls"; `many` for irregular words ("1 entry", "2 entries")."""
    return f"{n} {one if n == 1 else (many or one + 's')}"
