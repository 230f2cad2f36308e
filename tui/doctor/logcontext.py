"""What the activity log said around a moment: the failures near a session, quoted in a finding.

Wiro's log carries no session id we can rely on, so "around" is by time: failures (`ok: false`, or an
`error`) from a little before the moment to a while after it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ..common.coerce import epoch_time
from ..wiro.models import LogEvent
from .text import clock_time, quote


@dataclass(frozen=True)
class TimedEvent:
    at: float
    event: LogEvent


def timed(events: Sequence[LogEvent] | None) -> tuple[TimedEvent, ...]:
    """The events that carry a readable time, oldest first."""
    out = []
    for event in events or ():
        at = epoch_time(event.raw.get("ts", event.ts))
        if at is not None:
            out.append(TimedEvent(at, event))
    return tuple(sorted(out, key=lambda t: t.at))


def is_failure(event: LogEvent) -> bool:
    """The event says something failed: `ok: false`, or a non-empty `error`."""
    return event.ok is False or bool(event.error and event.error.strip())


def failures_between(events: Sequence[TimedEvent], start: float, end: float) -> list[TimedEvent]:
    return [t for t in events if start <= t.at <= end and is_failure(t.event)]


def line(item: TimedEvent, now: float | None = None) -> str:
    """"03:01:16 Realtime conversation did not start — realtime_stream_timeout: no audio…"."""
    event = item.event
    what = quote(event.title or event.kind or "event", 80)
    error = f" — {quote(event.error)}" if event.error else ""
    return f"{clock_time(item.at, now, seconds=True)} {what}{error}"


def said_around(events: Sequence[TimedEvent] | None, start: float, end: float, *, now: float,
                logs_error: str | None = None, limit: int = 2) -> str:
    """A sentence on the failures logged between `start` and `end` (epoch seconds), for a finding's detail.

    Says so when the log could not be read, or covers another day, or shows nothing failing then."""
    if events is None:
        return f" The activity log could not be read ({logs_error or 'no answer'})." if logs_error else ""
    found = failures_between(events, start, end)
    if found:
        shown = "; ".join(line(t, now) for t in found[-limit:])
        more = f" (and {len(found) - limit} more)" if len(found) > limit else ""
        return f" The activity log around then: {shown}{more}."
    if not events or start < events[0].at - 60:
        return " The activity log read covers only today, so it says nothing about that time."
    return " The activity log shows no failure around then."
