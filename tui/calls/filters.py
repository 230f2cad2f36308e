"""Which sessions the Calls view shows, and in what order.

A `Filter` narrows sessions by channel, status group and free text; `sort_sessions` orders them by
any table column. Both work on `CallSession`s (the raw facts), not on display text, so "duration"
sorts by seconds and "started" by time rather than alphabetically.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Iterable

from ..wiro.models import CallSession
from .catalog import caller_text, channel_label, end_reason_label, live_duration, status_group
from .rows import AGE, CALLER, CHANNEL, COLUMN_KEYS, DURATION, END_REASON, MODEL, STARTED, STATUS

CHANNELS = ("twilio", "web")
GROUPS = ("incoming", "active", "rejected", "ended")

# Characters people type inside phone numbers; dropped when the search text looks like a number.
_NUMBER_PUNCTUATION = str.maketrans("", "", " -().+/")


@dataclass(frozen=True, slots=True)
class Filter:
    """What to show: `channel` None | "twilio" | "web"; `group` None | "incoming" | "active" | "rejected"
    | "ended"; `text` matched case-insensitively against the number, call SID, page URL, display
    identifier and messageguid. Empty values mean "any"."""

    channel: str | None = None
    group: str | None = None
    text: str = ""

    @property
    def is_active(self) -> bool:
        """True when anything is filtered out at all (for a "filtered" hint next to the count)."""
        return bool(self.channel or self.group or self.text.strip())

    def matches(self, session: CallSession) -> bool:
        """True when `session` passes every part of the filter."""
        if self.channel and session.channel != self.channel:
            return False
        if self.group and status_group(session.status) != self.group:
            return False
        needle = self.text.strip().casefold()
        if not needle:
            return True
        fields = (session.caller_number, session.callsid, session.page_url, session.display_identifier,
                  session.messageguid, caller_text(session))
        if any(needle in value.casefold() for value in fields if value):
            return True
        # "(415) 555-1234" or "+1 415 555" should find +14155551234.
        digits = needle.translate(_NUMBER_PUNCTUATION)
        if digits.isdigit() and session.caller_number:
            return digits in session.caller_number.translate(_NUMBER_PUNCTUATION)
        return False

    def apply(self, sessions: Iterable[CallSession]) -> tuple[CallSession, ...]:
        """The sessions that match, in their original order."""
        return tuple(s for s in sessions if self.matches(s))


_GROUP_RANK = {"incoming": 0, "active": 1, "rejected": 2, "ended": 3}


def _text_key(value: str | None) -> str | None:
    return value.casefold() if value else None


def _key_function(column: str, now_ms: int | None) -> Callable[[CallSession], Any]:
    if column == STARTED:
        return lambda s: s.started_at_ms
    if column == AGE:  # youngest first when ascending, the way a person reads "age"
        return lambda s: None if s.started_at_ms is None else -s.started_at_ms
    if column == CHANNEL:
        return lambda s: channel_label(s.channel) if s.channel else None
    if column == CALLER:
        return lambda s: caller_text(s).casefold()
    if column == DURATION:
        if now_ms is None:
            return lambda s: s.duration_seconds
        return lambda s: live_duration(s, now_ms)
    if column == STATUS:
        # The lifecycle order, not the alphabet; a status Wiro did not send at all counts as missing.
        return lambda s: None if not s.status else _GROUP_RANK.get(status_group(s.status), 4)
    if column == END_REASON:
        return lambda s: _text_key(end_reason_label(s.end_reason))
    if column == MODEL:
        return lambda s: _text_key(s.model_slug)
    raise ValueError(f"cannot sort by {column!r}; columns are {', '.join(COLUMN_KEYS)}")


def sort_sessions(sessions: Iterable[CallSession], column: str, descending: bool = False, *,
                  now_ms: int | None = None) -> tuple[CallSession, ...]:
    """`sessions` ordered by a table column (a `COLUMNS` key). Stable: ties keep their order, so a
    re-sort does not shuffle equal rows. Sessions without a value for the column (no end reason, no
    duration…) come last in both directions. With `now_ms`, "duration" sorts calls in progress by
    how long they have lasted so far; without it they count as having no duration. ValueError for
    an unknown column."""
    key = _key_function(column, now_ms)
    keyed = [(key(s), s) for s in sessions]
    present = [(k, s) for k, s in keyed if k is not None]
    missing = [s for k, s in keyed if k is None]
    # sorted(reverse=True) keeps equal items in their original order, so both directions are stable.
    present.sort(key=lambda pair: pair[0], reverse=descending)
    return tuple(s for _, s in present) + tuple(missing)
