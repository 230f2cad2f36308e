"""Timestamp formats the two APIs use: RFC 2822 (Twilio), ISO-8601 Z (Wiro logs), unix strings (Wiro)."""

from __future__ import annotations

import time

# Spelled out instead of strftime("%a %b") so the output never depends on the process locale.
_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def rfc2822(epoch: float) -> str:
    """``Thu, 30 Jul 2015 20:00:00 +0000`` as Twilio writes dates."""
    t = time.gmtime(epoch)
    return (
        f"{_DAYS[t.tm_wday]}, {t.tm_mday:02d} {_MONTHS[t.tm_mon - 1]} {t.tm_year} "
        f"{t.tm_hour:02d}:{t.tm_min:02d}:{t.tm_sec:02d} +0000"
    )


def iso_z(epoch: float) -> str:
    """``2026-05-03T14:00:10.234Z`` (UTC, milliseconds)."""
    ms = int(round(epoch * 1000))
    t = time.gmtime(ms // 1000)
    return time.strftime("%Y-%m-%dT%H:%M:%S", t) + f".{ms % 1000:03d}Z"


def utc_date(epoch: float) -> str:
    """``YYYY-MM-DD`` of an epoch in UTC."""
    return time.strftime("%Y-%m-%d", time.gmtime(epoch))


def unix_str(epoch: float | None) -> str | None:
    """Whole unix seconds as a string, the way Wiro returns ``createdat``; None stays None."""
    return None if epoch is None else str(int(epoch))


def epoch_ms(epoch: float | None) -> int | None:
    """Epoch milliseconds as an int; None stays None."""
    return None if epoch is None else int(round(epoch * 1000))
