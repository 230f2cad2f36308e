"""How a secret may be shown: at most its last 4 characters."""

from __future__ import annotations


def mask(secret: str | None) -> str:
    """`••••abcd` for a long secret, `••••` for a short one (it would give too much away), or "(not set)"."""
    if not secret:
        return "(not set)"
    if len(secret) < 12:
        return "••••"
    return "••••" + secret[-4:]
