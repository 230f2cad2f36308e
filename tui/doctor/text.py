"""Small wording helpers shared by the checks: times, counts, server text made safe to quote."""

from __future__ import annotations

import time

from ..common.text import plural, printable  # noqa: F401  (plural: the checks import it from here)
from ..webhooks.report import scrub

QUOTE_CHARS = 160


def clock_time(epoch: float, now: float | None = None, *, seconds: bool = False) -> str:
    """"14:05" (or "14:05:09"), with the date in front when it is not within the last 20 hours of `now`."""
    try:
        moment = time.localtime(epoch)
    except (OverflowError, OSError, ValueError):
        return "at an unknown time"
    shown = time.strftime("%H:%M:%S" if seconds else "%H:%M", moment)
    if now is not None and abs(now - epoch) > 20 * 3600:
        shown = time.strftime("%Y-%m-%d ", moment) + shown
    return shown


def quote(text: object, limit: int = QUOTE_CHARS) -> str:
    """Server text fit to quote in a finding: printable, anything shaped like an Auth Token masked, clipped."""
    shown = scrub(printable(str(text) if text is not None else "")).strip()
    return shown if len(shown) <= limit else shown[: limit - 1] + "…"


def duration_words(seconds: float) -> str:
    """"45 s", "12 min", "3 h 05 min"."""
    seconds = max(0, int(seconds))
    if seconds < 120:
        return f"{seconds} s"
    minutes = seconds // 60
    if minutes < 120:
        return f"{minutes} min"
    return f"{minutes // 60} h {minutes % 60:02d} min"


def short(text: str, limit: int) -> str:
    """`text` cut at a word boundary to fit `limit` characters, with "…" when cut."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0].rstrip(" ,;:—-")
    return (cut or text[: limit - 1]) + "…"
