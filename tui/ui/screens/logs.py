"""Logs: the agent's activity log, newest first, tailed every 30 s (Wiro caches it that long).

Polling is the Poller's (tui/ui/polling.py), as on every live screen: one request in flight, the next armed only
when the answer is in, nothing while another screen is shown or the user paused, backing off while Wiro fails
(the last good events stay, under a "stale since" line). The 30 s are counted on the app's clock, which in the demo is
the simulator's, so a faster demo polls faster in real time but never faster than Wiro's cache.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import ClassVar

from rich.text import Text
from textual import events, on
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding, BindingType
from textual.color import Color, ColorParseError
from textual.containers import Horizontal
from textual.markup import escape
from textual.screen import Screen
from textual.widgets import DataTable, Input

from ...activity.events import ActivityEvent, from_tail
from ...activity.explain import CACHE_SECONDS, explain_logs_error
from ...activity.filters import ActivityFilter, next_choice
from ...activity.merge import KEEP, Merged, merge_events
from ...common.offloop import off_loop
from ...wiro import LogTail, WiroError
from ..failures import ReportsWorkerFailures
from ..fresh_styles import FirstShowingKeepsStyles
from ..polling import PollAnswer, Poller
from ..readiness import readiness
from ..state import Change, subscribe_changes
from ..stylesheets import sheet
from ..widgets.header import AppHeader
from ..widgets.key_bar import KeyBar
from ..widgets.live_table import KeyedText, LiveTable
from ..widgets.text_line import TextLine
from .logs_text import COLUMNS, cells, details_width, empty_text, state_text

POLL_SECONDS = float(CACHE_SECONDS)  # polling sooner only repeats Wiro's cached answer
TICK_SECONDS = 1.0  # how often the (real-time) timer looks whether a poll is due on the app's clock
LINES = 200
SLICE_ROWS = 100  # an answer adding more rows than this fills the table in slices (LiveTable.apply_changes_in_slices)


@dataclass(frozen=True)
class LogsSnapshot:
    """One answer of the activity log: its events (newest first), when it was read, the day and its size; for a
    big answer, also its merge with what was shown when it was read (see `Prepared`)."""

    events: tuple[ActivityEvent, ...]
    taken_at: float
    day: str | None = None
    total_lines: int | None = None
    prepared: Prepared | None = None


@dataclass(frozen=True, slots=True)
class Prepared:
    """A big answer merged with the events shown (`base`) and filtered, in a thread while it was fetched: merging
    and filtering a thousand events takes several milliseconds. The answer uses it only if what it was worked out
    from is still what is shown (and the filter the same)."""

    base: tuple[ActivityEvent, ...]
    filter: ActivityFilter
    merged: Merged
    shown: tuple[ActivityEvent, ...]


def _prepare(tail: LogTail, base: tuple[ActivityEvent, ...],
             filter: ActivityFilter) -> tuple[tuple[ActivityEvent, ...], Prepared]:
    """The answer's events, and their merge with `base` filtered by `filter` (no screen state: safe in a thread)."""
    events = from_tail(tail, keep=KEEP)
    merged = merge_events(base, events)
    return events, Prepared(base, filter, merged, filter.apply(merged.events))


class LogsScreen(FirstShowingKeepsStyles, ReportsWorkerFailures, Screen):
    CSS_PATH = sheet("logs")
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "open_event", "Open", id="logs.open", show=True),
        Binding("space,p", "toggle_pause", "Pause", id="logs.pause"),
        Binding("r", "refresh", "Refresh", id="logs.refresh"),
        Binding("slash", "focus_filter", "Filter", id="logs.filter"),
        Binding("k", "cycle_kind", "Kind", id="logs.kind"),
    ]

    def __init__(self) -> None:
        super().__init__(id="logs")
        # the 30 s are counted on the app's clock (the simulator's in the demo), looked at every second
        self.poller: Poller[LogsSnapshot] = Poller(self, self._fetch, self._answered, interval=POLL_SECONDS,
                                                   group="logs-poll", clock=lambda: self.app.clock(),
                                                   tick=TICK_SECONDS, ready=self._ready)
        self.filter = ActivityFilter()
        self._events: tuple[ActivityEvent, ...] = ()
        self._shown_keys: list[str] = []
        self._loaded = False
        self._generation = -1
        self._last_ok: float | None = None
        self._error: WiroError | None = None
        self._stale_since: float | None = None
        self._day: str | None = None
        self._total_lines: int | None = None

    def compose(self) -> ComposeResult:
        yield AppHeader()
        yield TextLine("", id="logs-stale")
        with Horizontal(id="logs-controls"):
            yield Input(placeholder="/ filter: words, tool, number, error…", id="logs-filter")
            yield TextLine("", id="logs-state")
        yield TextLine("", id="logs-empty")  # above the table: the table takes the rest of the height
        yield LiveTable(id="logs-table", cursor_type="row", zebra_stripes=True)
        yield KeyBar()

    def on_mount(self) -> None:
        table = self.query_one(LiveTable)
        for column_id, title, width in COLUMNS:
            table.add_column(Text(title), key=column_id, width=width or details_width(self.app.size.width))
        table.focus()
        self.query_one("#logs-stale").display = False
        self._show_state()
        self._show_empty()
        self.watch(self.app, "theme", self._recolour, init=False)
        subscribe_changes(self, self._changed)

    def on_key(self, event: events.Key) -> None:
        # Escape in the filter field hands the keys back to the table (the filter stays applied)
        if event.key == "escape" and self.focused is self.query_one("#logs-filter", Input):
            self.query_one(LiveTable).focus()
            event.stop()

    # -- polling ----------------------------------------------------------------------------------

    @property
    def paused(self) -> bool:
        return self.poller.paused

    @paused.setter
    def paused(self, paused: bool) -> None:
        self.poller.paused = paused

    def on_screen_resume(self) -> None:
        if self._generation != self.app.generation:
            self._reset()
        # coming back within the 30 s polls nothing: Wiro would answer the same
        self.poller.resume()

    def on_screen_suspend(self) -> None:
        self.poller.suspend()

    def _changed(self, _change: Change) -> None:
        """Another connection or agent: start over."""
        self._reset()
        self.poller.refresh()  # polls only if shown; otherwise at the next resume

    def _reset(self) -> None:
        """A different agent or connection: nothing shown so far applies."""
        self._generation = self.app.generation
        self.poller.reset()
        self._events, self._shown_keys = (), []
        self._loaded = False
        self._error = self._stale_since = self._last_ok = None
        self._day = self._total_lines = None
        self.query_one(LiveTable).clear()
        self._show_stale(0)
        self._show_state()
        self._show_empty()

    def _ready(self) -> bool:
        state = readiness(self.app)
        if not state.ready:
            self.query_one("#logs-state", TextLine).show(state.text)
        return state.ready

    async def _fetch(self) -> LogsSnapshot:
        client, guid = self.app.client, self.app.agent_guid
        if client is None or guid is None:  # the connection went away meanwhile; its answer would be dropped
            raise WiroError("Not connected.")
        tail = await client.logs(guid, lines=LINES)
        if len(tail.events) <= SLICE_ROWS:
            return LogsSnapshot(from_tail(tail, keep=KEEP), self.app.clock(), tail.date, tail.total_lines)
        # keying, flattening, merging and filtering thousands of events takes a while: in a thread, so keys are
        # answered meanwhile (older events than the newest KEEP would not be kept)
        events, prepared = await off_loop(_prepare, tail, self._events, self.filter)
        return LogsSnapshot(events, self.app.clock(), tail.date, tail.total_lines, prepared)

    def _answered(self, answer: PollAnswer[LogsSnapshot]) -> None:
        now = self.app.clock()
        if answer.error is not None:
            self._error = answer.error
            self._stale_since = self._stale_since or now
            self._show_stale(answer.retry_in)
            self._show_empty()
            return
        snap = answer.value
        assert snap is not None
        previous_ok = self._last_ok
        self._error = self._stale_since = None
        self._show_stale(0)
        self._last_ok = snap.taken_at
        self._day, self._total_lines = snap.day, snap.total_lines
        self._loaded = True
        prepared = snap.prepared if snap.prepared is not None and snap.prepared.base is self._events else None
        merged = prepared.merged if prepared is not None else merge_events(self._events, snap.events)
        if merged.changed:
            self._events = merged.events
            self._refresh_table(sliced=True, shown=prepared.shown if prepared is not None
                                and prepared.filter == self.filter else None)
        elif answer.manual and previous_ok is not None and snap.taken_at - previous_ok < POLL_SECONDS:
            self.notify(f"No new events. Wiro caches the log for {CACHE_SECONDS} s, so refreshing sooner "
                        "shows the same answer.", title="Logs", timeout=5)
        self._show_state()
        self._show_empty()

    # -- the table ----------------------------------------------------------------------------------

    def view(self) -> tuple[ActivityEvent, ...]:
        """The events shown, newest first, after the filter."""
        return self.filter.apply(self._events)

    def _refresh_table(self, *, sliced: bool = False, shown: tuple[ActivityEvent, ...] | None = None) -> int:
        """Show `view()` (or `shown`, the same worked out already); returns how many rows come or go. `sliced`
        (an answer): more than SLICE_ROWS new rows are added in slices, between which keys are answered (a
        filter change applies at once)."""
        shown = self.view() if shown is None else shown
        keys = [e.key for e in shown]
        table = self.query_one(LiveTable)
        if keys == self._shown_keys:
            return 0
        old = set(self._shown_keys)
        wanted = set(keys)
        by_key = {e.key: e for e in shown}
        self._shown_keys = keys
        # events never change once written: rows only come and go (no cell updates)
        removed = [key for key in old if key not in wanted]
        new = [key for key in keys if key not in old]
        if sliced and len(new) > SLICE_ROWS:  # cells made slice by slice, too
            table.apply_changes_in_slices(removed=removed, added=((key, self._cells(by_key[key])) for key in new),
                                          order=keys)
            count = len(removed) + len(new)
        else:
            count = table.apply_changes(removed=removed, added=[(key, self._cells(by_key[key])) for key in new],
                                        order=keys)
        self._show_empty()
        return count

    def _cells(self, event: ActivityEvent) -> list:
        text = cells(event, self.app.local_time)
        row = [KeyedText(text["time"], event.key)]
        for column_id, _title, _width in COLUMNS[1:]:
            style = self._colour("error") if column_id == "kind" and event.failed else ""
            row.append(Text(text[column_id], style=style, no_wrap=True, overflow="ellipsis"))
        return row

    def _recolour(self, _theme: str) -> None:
        """Cells are drawn by Rich with concrete colours: a new theme repaints the failed ones."""
        table = self.query_one(LiveTable)
        for event in self.view():
            if event.failed and event.key in table.rows:
                table.update_cell(event.key, "kind", self._cells(event)[1])

    def _colour(self, variable: str) -> str:
        """A theme variable as a colour Rich understands (the table renders cells with Rich)."""
        value = self.app.theme_variables.get(variable) or self.app.get_theme_variable_defaults().get(variable, "")
        try:
            return Color.parse(value).hex if value else ""
        except ColorParseError:
            return ""

    # -- lines above and below the table ----------------------------------------------------------------

    def _show_stale(self, retry_in: float) -> None:
        """A line of its own while polls fail: when the events were last good, why, and when it tries again."""
        line = self.query_one("#logs-stale", TextLine)
        line.set_shown(self._error is not None)
        if self._error is None:
            return
        since = self._last_ok or self._stale_since or self.app.clock()
        what = "stale since" if self._last_ok else "no answer yet since"
        reason = escape(explain_logs_error(self._error))
        kept = " · the events below are the last good ones" if self._last_ok else ""
        line.show(f"[b $stale]{what} {self.app.local_time(since):%H:%M:%S} — {reason}[/]{kept} · retrying in {retry_in:g} s")

    def _show_state(self) -> None:
        self.query_one("#logs-state", TextLine).show(state_text(
            paused=self.paused, poll_seconds=POLL_SECONDS, wanted=self.filter, shown=len(self._shown_keys),
            kept=len(self._events), total_lines=self._total_lines, day=self._day))

    def _show_empty(self) -> None:
        empty = self.query_one("#logs-empty", TextLine)
        empty.set_shown(not self._shown_keys)
        if not self._shown_keys:
            empty.show(escape(empty_text(loaded=self._loaded, filtered=self.filter.is_active and bool(self._events),
                                           failing=self._error is not None)))

    # -- actions --------------------------------------------------------------------------------------

    def action_refresh(self) -> None:
        self.poller.refresh()

    def action_toggle_pause(self) -> None:
        self.paused = not self.paused  # resuming polls at once only if one was due meanwhile
        self._show_state()

    def action_focus_filter(self) -> None:
        self.query_one("#logs-filter", Input).focus()

    @on(Input.Changed, "#logs-filter")
    def _filter_text(self, event: Input.Changed) -> None:
        self.filter = self.filter.with_text(event.value)
        self._refresh_table()
        self._show_state()
        self._show_empty()

    @on(Input.Submitted, "#logs-filter")
    def _filter_done(self) -> None:
        self.query_one(LiveTable).focus()

    def action_cycle_kind(self) -> None:
        self.filter = next_choice(self.filter, self._events)
        self._refresh_table()
        self._show_state()
        self._show_empty()

    def action_open_event(self) -> None:
        key = self.query_one(LiveTable).cursor_key()
        event = next((e for e in self._events if e.key == key), None) if key else None
        if event is None:
            return
        from .logs_event import LogEventScreen

        self.app.push_screen(LogEventScreen(event, self.app.local_time))

    @on(DataTable.RowSelected, "#logs-table")
    def _row_selected(self, event: DataTable.RowSelected) -> None:
        self.action_open_event()

    def commands(self) -> Iterable[SystemCommand]:
        yield SystemCommand("logs: pause refresh", "Pause or resume tailing the activity log", self.action_toggle_pause)
        yield SystemCommand("logs: refresh", "Load the activity log now (Wiro caches it for 30 s)", self.action_refresh)
        yield SystemCommand("logs: filter", "Filter events by text: words, tool, number, error", self.action_focus_filter)
        yield SystemCommand("logs: cycle kind", "All kinds, calls, conversation, tools, scheduled jobs, failures",
                            self.action_cycle_kind)
        yield SystemCommand("logs: open event", "Every key of the event under the cursor", self.action_open_event)
