"""One call session as the values a table shows: what the Calls table and `wiro-voice calls` display.

A `CallRow` holds only display text (plus the few raw values sorting and ticking need), built from a
session and "now". Building it twice from the same session and the same displayed time gives equal
rows, cell for cell: the table's refresh diffs rows by value, so any wobble here (a float, a dict
order, a timestamp with more precision than shown) would turn into a table mutation on every poll.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Callable, Iterable, NamedTuple

from ..common.text import printable
from ..wiro.models import CallSession
from .catalog import (
    age_text,
    caller_text,
    channel_label,
    duration_text,
    end_reason_label,
    is_in_progress,
    live_duration,
    status_group,
    status_label,
)

#: Turns epoch seconds into a local datetime; injectable so tests and snapshots can pin the zone.
LocalTime = Callable[[float], datetime]


class Column(NamedTuple):
    """A table column: `key` is the column id (stable, used in diffs and sorting), `title` its heading."""

    key: str
    title: str


STARTED = "started"
AGE = "age"
CHANNEL = "channel"
CALLER = "caller"
DURATION = "duration"
STATUS = "status"
END_REASON = "end_reason"
MODEL = "model"

#: The table's columns, in display order.
COLUMNS: tuple[Column, ...] = (
    Column(STARTED, "Started"),
    Column(AGE, "Age"),
    Column(CHANNEL, "Channel"),
    Column(CALLER, "Caller"),
    Column(DURATION, "Duration"),
    Column(STATUS, "Status"),
    Column(END_REASON, "End reason"),
    Column(MODEL, "Model"),
)
COLUMN_KEYS: tuple[str, ...] = tuple(c.key for c in COLUMNS)

#: Columns whose text changes with time alone (no new data): the UI ticks these between polls.
TIME_COLUMNS: frozenset[str] = frozenset({AGE, DURATION})


@dataclass(frozen=True, slots=True)
class CallRow:
    """The display values of one session. `key` is the messageguid (the table's row key).

    `started`, `age`, `channel`, `caller`, `duration`, `status`, `end_reason` and `model` are the cell
    texts of `COLUMNS`; the rest serve colouring (`group`), ticking (`live`), sorting
    (`started_ms`, `duration_seconds`) and the detail line (`call_sid`, `page_url`).
    """

    key: str
    started: str
    age: str
    channel: str
    caller: str
    duration: str
    status: str
    end_reason: str
    model: str
    duration_seconds: int | None
    group: str
    live: bool
    call_sid: str
    page_url: str
    started_ms: int | None

    def cell(self, column: str) -> str:
        """The text of one column (a `COLUMNS` key); KeyError-free: unknown ids give ""."""
        return getattr(self, column, "") if column in COLUMN_KEYS else ""

    def cells(self) -> tuple[str, ...]:
        """The cell texts in `COLUMNS` order, ready for a table's add_row."""
        return (self.started, self.age, self.channel, self.caller, self.duration, self.status, self.end_reason, self.model)


def started_text(started_ms: int | None, now_ms: int, local: LocalTime = datetime.fromtimestamp) -> str:
    """Local start time: "14:03:21" for today, "Apr 23 14:03" for an earlier (or later) day, "" if unknown.

    Only the date of "now" matters, so this text changes at midnight at most.
    """
    if started_ms is None:
        return ""
    try:
        started = local(started_ms / 1000)
        today = local(now_ms / 1000).date()
    except (OverflowError, OSError, ValueError):  # a timestamp far outside what the platform handles
        return "?"
    if started.date() == today:
        return f"{started:%H:%M:%S}"
    return f"{started:%b %d %H:%M}"


def row_for(session: CallSession, now_ms: int, local: LocalTime = datetime.fromtimestamp) -> CallRow:
    """The display values of `session` at `now_ms` (epoch milliseconds), with local times from `local`."""
    seconds = live_duration(session, now_ms)
    return CallRow(
        key=session.messageguid,
        started=started_text(session.started_at_ms, now_ms, local),
        age=age_text(session.started_at_ms, now_ms),
        channel=channel_label(session.channel),
        caller=caller_text(session),
        duration=duration_text(seconds),
        status=status_label(session.status),
        end_reason=end_reason_label(session.end_reason),
        model=printable(session.model_slug),
        duration_seconds=seconds,
        group=status_group(session.status),
        live=is_in_progress(session.status),
        call_sid=printable(session.callsid),
        page_url=printable(session.page_url),
        started_ms=session.started_at_ms,
    )


def rows_for(sessions: Iterable[CallSession], now_ms: int, local: LocalTime = datetime.fromtimestamp) -> tuple[CallRow, ...]:
    """Rows for `sessions` in their order; a repeated messageguid keeps its first row only, because a
    table cannot hold two rows with one key."""
    seen: set[str] = set()
    rows = []
    for session in sessions:
        if session.messageguid in seen:
            continue
        seen.add(session.messageguid)
        rows.append(row_for(session, now_ms, local))
    return tuple(rows)
