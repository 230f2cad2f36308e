"""What each session status, end reason and rejection reason means, in words."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

from ..wiro.models import CallSession

INCOMING = "realtime_session_incoming"
ACTIVE = "realtime_session_active"
REJECTED = "realtime_session_rejected"
ENDED = "realtime_session"

#: status → (group, label). The group is one of incoming · active · rejected · ended.
STATUSES: dict[str, tuple[str, str]] = {
    INCOMING: ("incoming", "incoming — preparing"),
    ACTIVE: ("active", "active — talking"),
    REJECTED: ("rejected", "rejected"),
    ENDED: ("ended", "ended"),
}

END_REASONS: dict[str, str] = {
    "wiro_completed": "completed normally",
    "wiro_cancelled": "cancelled",
    "wiro_disconnect": "agent disconnected",
    "wiro_error": "agent error",
    "max_duration": "hit the time limit",
    "browser_disconnect": "browser closed",
    "twilio_disconnect": "caller hung up",
}

REJECTION_REASONS: dict[str, str] = {
    "concurrent_limit": "too many calls at once (concurrency limit)",
    "agent_prep_timeout": "the agent took too long to prepare",
    "realtime_ws_open_failed": "the voice connection could not be opened",
    "realtime_stream_timeout": "the voice stream timed out",
}


def status_group(status: str | None) -> str:
    if status in STATUSES:
        return STATUSES[status][0]
    return "unknown"


def status_label(status: str | None) -> str:
    if status in STATUSES:
        return STATUSES[status][1]
    return status or "unknown"


def end_reason_label(reason: str | None) -> str:
    if not reason:
        return ""
    return END_REASONS.get(reason, reason)


@dataclass(frozen=True)
class RecentCounts:
    total: int = 0
    active: int = 0
    incoming: int = 0
    rejected: int = 0
    ended: int = 0
    last_hour: int = 0
    max_duration: int = 0
    errors: int = 0


def recent_counts(sessions: Iterable[CallSession], now_ms: int) -> RecentCounts:
    """Counts over the sessions given (typically the last 50)."""
    counts = {"total": 0, "active": 0, "incoming": 0, "rejected": 0, "ended": 0, "last_hour": 0, "max_duration": 0, "errors": 0}
    for session in sessions:
        counts["total"] += 1
        group = status_group(session.status)
        if group in counts:
            counts[group] += 1
        if session.started_at_ms is not None and now_ms - session.started_at_ms <= 3_600_000:
            counts["last_hour"] += 1
        if session.end_reason == "max_duration":
            counts["max_duration"] += 1
        if session.end_reason == "wiro_error":
            counts["errors"] += 1
    return RecentCounts(**counts)


#: Caller IDs that mean "withheld": keypad spellings of ANONYMOUS, RESTRICTED, UNAVAILABLE, UNKNOWN, BLOCKED.
WITHHELD_NUMBERS = frozenset({"+266696687", "+7378742833", "+86282452253", "+8656696", "+2562533"})
WITHHELD_WORDS = frozenset({"anonymous", "restricted", "unavailable", "unknown", "blocked", "private"})


def is_withheld(number: str | None) -> bool:
    if not number:
        return True
    n = number.strip()
    if n.lower().removeprefix("+") in WITHHELD_WORDS:
        return True
    digits = "+" + n.lstrip("+")
    return digits in WITHHELD_NUMBERS or (digits.startswith("+1") and "+" + digits[2:] in WITHHELD_NUMBERS)


def caller_label(session: CallSession) -> str:
    """Who called, in a few words: number and country, page for web sessions, "withheld" for the sentinels."""
    if session.channel == "web":
        who = session.display_identifier or session.page_url or "web visitor"
        return f"web: {who}"
    if is_withheld(session.caller_number):
        return "withheld"
    return f"{session.caller_number} ({session.caller_country})" if session.caller_country else str(session.caller_number)


def duration_text(seconds: int | None) -> str:
    if seconds is None:
        return ""
    minutes, secs = divmod(max(0, int(seconds)), 60)
    return f"{minutes}m {secs:02d}s" if minutes else f"{secs}s"
