"""Pure text for the Logs screen: table cells, the state line, the empty-table line, the event detail.

No widgets here, so the wording is tested without running the app.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from ...activity.events import ActivityEvent
from ...activity.filters import ActivityFilter

LocalTime = Callable[[float], datetime]

#: (column id, title, width); the details column takes the rest of the screen
COLUMNS: tuple[tuple[str, str, int | None], ...] = (
    ("time", "time", 8),
    ("kind", "kind", 22),
    ("event", "event", 46),
    ("details", "other keys", None),
)
MIN_DETAILS_WIDTH = 24
#: a cell never holds more than this (the detail view shows everything)
CELL_CHARS = 400


def clip(text: str, width: int) -> str:
    """`text` cut to `width` characters, the cut marked with "…"."""
    return text if len(text) <= width else text[: max(0, width - 1)] + "…"


def time_text(event: ActivityEvent, local: LocalTime) -> str:
    """The local time of day (HH:MM:SS); the time as sent when it cannot be read; "?" when there is none."""
    if event.at is not None:
        try:
            return f"{local(event.at):%H:%M:%S}"
        except (OverflowError, OSError, ValueError):
            pass
    return clip(event.ts, 8) if event.ts else "?"


def details_text(event: ActivityEvent) -> str:
    """The other keys on one line: `name=value · name=value`."""
    return clip(" · ".join(f"{name}={value}" for name, value in event.fields), CELL_CHARS)


def cells(event: ActivityEvent, local: LocalTime) -> dict[str, str]:
    """The text of each column for one event."""
    return {
        "time": time_text(event, local),
        "kind": event.words,
        "event": clip(event.summary, CELL_CHARS),
        "details": details_text(event),
    }


def details_width(screen_width: int) -> int:
    """What is left for the details column at a screen width (cells have one space of padding each side,
    and the table keeps two columns for its scroll bar)."""
    fixed = sum(width or 0 for _id, _title, width in COLUMNS) + 2 * len(COLUMNS) + 2
    return max(MIN_DETAILS_WIDTH, screen_width - fixed)


def state_text(*, paused: bool, poll_seconds: float, wanted: ActivityFilter, shown: int, kept: int,
               total_lines: int | None, day: str | None) -> str:
    """One short line (markup): refresh state, kind choice, and how many events are shown of how many."""
    refresh = "[b $warning]paused[/]" if paused else f"live · every {poll_seconds:g} s"
    count = f"{shown} of {kept} events" if wanted.is_active else f"{kept} events"
    if total_lines is not None and total_lines > kept:
        count += f" ({total_lines} in the day's log)"
    when = f" · {day}" if day else ""
    return f"{refresh} · {wanted.label}{when} · {count}"


def empty_text(*, loaded: bool, filtered: bool, failing: bool = False) -> str:
    """What the empty table means, and what to do."""
    if not loaded:
        return "Nothing to show: the log could not be read (the line above says why)." if failing \
            else "Loading the activity log…"
    if filtered:
        return "No event matches the filter: k changes the kind, / edits the text (clear it to see all)."
    return "No events for this day yet. Calls, tool runs and scheduled jobs show up here as they happen."


def detail_rows(event: ActivityEvent, local: LocalTime) -> list[tuple[str, str]]:
    """Every key of the event for the detail view: time, kind, title, then each other key, none dropped."""
    when = time_text(event, local)
    if event.at is not None and event.ts:
        when = f"{when} local ({event.ts})"
    rows = [("time", when or "?"), ("kind", f"{event.words} ({event.kind or 'no kind'})"), ("title", event.title or "—")]
    rows.append(("summary", event.summary))
    rows.extend(event.fields)
    return rows
