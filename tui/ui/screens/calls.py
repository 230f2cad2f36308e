"""Calls: the live call history, diffed by session so the table never jumps under the cursor."""

from __future__ import annotations

import asyncio
from datetime import datetime
from pathlib import Path
from typing import Callable, Iterable, NamedTuple

from rich.text import Text
from textual import events, on, work
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding
from textual.containers import Horizontal
from textual.markup import escape
from textual.message import Message
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import DataTable, Input

from ...calls.catalog import (
    duration_text,
    end_reason_label,
    live_duration,
    rejection_label,
    status_group,
)
from ...calls.diff import diff_rows
from ...calls.filters import Filter, sort_sessions
from ...calls.columns import table_columns
from ...calls.rows import COLUMNS, STARTED, CallRow, row_for
from ...calls.stats import StripFigures, sparkline, strip_figures
from ...common.offloop import off_loop
from ...wiro import CallSession, WiroError
from ...wiro.client import HISTORY_LIMIT_CAP
from ...wiro.health import failure_phrase
from ..colours import theme_colour
from ..commands import commands_from_bindings
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

INTERVALS = (1, 2, 5, 10, 15, 30, 60)
LIMITS = (50, 100, 200)
CHANNELS = (None, "twilio", "web")
GROUPS = (None, "incoming", "active", "rejected", "ended")
SLICE_ROWS = 50  # an answer changing more rows than this is applied in slices (LiveTable.apply_changes_in_slices)
NEW_ROW_SECONDS = 3.0  # how long a new row stays highlighted
REASON_LOOKUPS_PER_POLL = 6  # Message/Detail calls for rejection reasons, per poll at most
TITLES = dict(COLUMNS)
AGENT_ERROR_LABEL = end_reason_label("wiro_error")
#: column widths (cells are clipped to them, Enter shows everything): the columns that matter fit 120


class ReasonsLoaded(Message):
    def __init__(self, asked: list[str], reasons: dict[str, str]) -> None:
        super().__init__()
        self.asked = asked
        self.reasons = reasons


def view_sessions(sessions: Iterable[CallSession], filter: Filter, sort_column: str, descending: bool,
                  now_ms: int) -> list[CallSession]:
    """The sessions the table shows, in its order."""
    return list(sort_sessions([s for s in sessions if filter.matches(s)], sort_column, descending, now_ms=now_ms))


def view_rows(sessions: Iterable[CallSession], filter: Filter, sort_column: str, descending: bool, now_ms: int,
              local: Callable[[float], datetime]) -> list[CallRow]:
    """The rows the table shows at `now_ms`, in its order (no screen state: safe in a thread)."""
    return [row_for(s, now_ms, local) for s in view_sessions(sessions, filter, sort_column, descending, now_ms)]


class _Prepared(NamedTuple):
    """Rows worked out in a thread for an answer, and what they were worked out for."""

    sessions: tuple[CallSession, ...]
    view: tuple[Filter, str, bool]  # filter, sort column, descending
    second: int  # epoch seconds
    rows: list[CallRow]


class CallsScreen(FirstShowingKeepsStyles, ReportsWorkerFailures, Screen):
    CSS_PATH = sheet("calls")
    # Ordered by use (the key bar shows the first ones that fit); the palette's "calls: …" entries are made from
    # these (description = the verb, tooltip = what it does), so each key is written down once.
    BINDINGS = [
        Binding("enter", "open_session", "Open", id="calls.open", tooltip="Open the session under the cursor"),
        Binding("slash", "focus_filter", "Filter", id="calls.filter", tooltip="Filter by number, call SID or page URL"),
        Binding("p", "toggle_pause", "Pause", id="calls.pause", tooltip="Pause or resume the live refresh"),
        Binding("r", "refresh", "Refresh", id="calls.refresh", tooltip="Load the call history now"),
        Binding("plus,equals_sign", "faster", "Faster", id="calls.faster",
                tooltip="Refresh more often (down to every second)"),
        Binding("minus", "slower", "Slower", id="calls.slower", tooltip="Refresh less often (up to every minute)"),
        Binding("v", "cycle_channel", "Channel", id="calls.channel", tooltip="Show all, phone only or web only"),
        Binding("g", "cycle_group", "Status", id="calls.group",
                tooltip="Show every status, or incoming, active, rejected or ended only"),
        Binding("s", "cycle_sort", "Sort", id="calls.sort", tooltip="Sort by another column, or flip the order"),
        Binding("ctrl+e", "export('csv')", "Export CSV", id="calls.export_csv",
                tooltip="Write the rows in view to a CSV file in the export folder"),
        Binding("ctrl+j", "export('json')", "Export JSON", id="calls.export_json", show=False,
                tooltip="Write the rows in view to a JSON file in the export folder"),
        Binding("m", "cycle_limit", "Limit", id="calls.limit", show=False,
                tooltip="Show the newest 50, 100 or 200 sessions"),
        Binding("t", "toggle_toasts", "Toasts", id="calls.toasts", show=False,
                tooltip="Toasts for rejected calls and agent errors on or off"),
    ]

    def __init__(self) -> None:
        super().__init__(id="calls")
        self.poller: Poller[tuple[CallSession, ...]] = Poller(
            self, self._fetch, self._answered, interval=5, group="calls-poll", ready=self._ready)
        self.limit = 50
        self.toasts = True
        self.filter = Filter(channel=None, group=None, text="")
        self.sort_column = "started"
        self.sort_descending = True
        self._ticker: Timer | None = None
        self._widths: dict[str, int] = {}  # the columns shown, and their widths
        self._sessions: tuple[CallSession, ...] = ()
        self._rows: dict[str, CallRow] = {}
        self._prepared: _Prepared | None = None  # rows for the next answer, worked out in a thread (_fetch)
        self._seen: set[str] | None = None  # keys seen in earlier polls (None before the first)
        self._new_until: dict[str, float] = {}
        self._reasons: dict[str, str] = {}
        self._asked_reasons: set[str] = set()
        self._generation = -1
        self._last_ok: float | None = None
        self._error: WiroError | None = None  # the last poll's failure, shown until a poll succeeds
        self._stale_since: float | None = None
        self._reasons_in_flight: set[str] = set()
        self._age_slot = 0

    def compose(self) -> ComposeResult:
        yield AppHeader()
        # lines repainted only when what they say changes (TextLine): a slow link carries only changes
        yield TextLine("", id="calls-stale")
        yield TextLine("", id="calls-strip")
        with Horizontal(id="calls-controls"):
            yield Input(placeholder="/ filter: number, call SID, page URL", id="calls-filter")
            yield TextLine("", id="calls-state")
        table = LiveTable(id="calls-table", cursor_type="row", zebra_stripes=True)
        yield table
        yield KeyBar()

    def on_mount(self) -> None:
        table = self.query_one(LiveTable)
        self._add_columns(table_columns(self.app.size.width))
        table.focus()
        self.watch(table, "new_above", lambda _count: self._show_state(), init=False)
        self.query_one("#calls-stale").display = False
        self._show_state()
        self.watch(self.app, "theme", self._recolour, init=False)
        subscribe_changes(self, self._changed)

    # -- columns: as many as fit the width ---------------------------------------------------------------

    def _add_columns(self, columns: tuple[tuple[str, int], ...]) -> None:
        # fixed widths: a cell that changes (a reason arriving, a duration ticking) never moves the columns
        self._widths = dict(columns)
        table = self.query_one(LiveTable)
        for column_id, width in columns:
            # a Text label: a str would go through Rich markup, which loads its emoji table (~0.5 MiB) for nothing
            table.add_column(Text(TITLES[column_id]), key=column_id, width=width)

    def on_resize(self, event: events.Resize) -> None:
        columns = table_columns(event.size.width)
        if columns == tuple(self._widths.items()):
            return
        # another set of columns (or widths): rebuilt once, from the rows kept as plain data, cursor kept by key
        table = self.query_one(LiveTable)
        cursor = table.cursor_key()
        table.clear(columns=True)
        self._add_columns(columns)
        if self.sort_column not in self._widths:
            self.sort_column, self.sort_descending = STARTED, True
        fresh = {key for key, until in self._new_until.items() if until > self.app.clock()}
        with self.app.batch_update():
            for row in self._rows.values():
                table.add_row(*self._cells(row, row.key in fresh), key=row.key)
        if cursor is not None and cursor in table.rows:
            table.move_cursor(row=table.get_row_index(cursor), animate=False)
        self._show_state()

    def _recolour(self, _theme: str) -> None:
        """Cells are drawn by Rich with concrete colours: a new theme repaints the coloured ones."""
        table = self.query_one(LiveTable)
        for key, row in self._rows.items():
            if key in table.rows:
                for column in ("status", "end_reason"):
                    table.update_cell(key, column, self._cell(row, column, key in self._new_until))

    def on_key(self, event: events.Key) -> None:
        # Escape in the filter field hands the keys back to the table (the filter stays applied)
        if event.key == "escape" and self.focused is self.query_one("#calls-filter", Input):
            self.query_one(LiveTable).focus()
            event.stop()

    # -- polling ----------------------------------------------------------------------------------

    @property
    def interval(self) -> float:
        return self.poller.interval

    @property
    def paused(self) -> bool:
        return self.poller.paused

    @paused.setter
    def paused(self, paused: bool) -> None:
        self.poller.paused = paused

    def on_screen_resume(self) -> None:
        if self._generation != self.app.generation:
            self._reset()
        self._ticker = self.set_interval(1.0, self._tick)
        self.poller.resume(poll=True)  # back on Calls: the rows as they are now

    def on_screen_suspend(self) -> None:
        self.poller.suspend()
        if self._ticker is not None:
            self._ticker.stop()
            self._ticker = None

    def _changed(self, _change: Change) -> None:
        """Another connection or agent: nothing shown so far applies (header counts, reasons, highlights)."""
        self._reset()
        self.poller.refresh()  # polls only if shown; otherwise at the next resume

    def _reset(self) -> None:
        """A different agent or connection: nothing shown so far applies."""
        self._generation = self.app.generation
        self.poller.reset()
        self._sessions, self._rows, self._seen, self._prepared = (), {}, None, None
        self._new_until.clear()
        self._reasons.clear()
        self._asked_reasons.clear()
        self._reasons_in_flight.clear()
        self._error = self._stale_since = self._last_ok = None
        self.query_one(LiveTable).clear()
        self._show_stale(0)
        self._show_strip()

    def _ready(self) -> bool:
        state = readiness(self.app)
        if not state.ready:
            self.query_one("#calls-state", TextLine).show(state.text)
        return state.ready

    async def _fetch(self) -> tuple[CallSession, ...]:
        client, guid = self.app.client, self.app.agent_guid
        if client is None or guid is None:  # the connection went away meanwhile; its answer would be dropped
            raise WiroError("Not connected.")
        sessions = tuple(await client.call_history(guid, limit=self.limit))
        await self.app.record_history("sessions", sessions, guid)  # in a thread; problems go to the header
        if len(sessions) > SLICE_ROWS and sessions != self._sessions:
            # A row's texts for each session, filtered and sorted: ~10 ms for 200 on the loop, so worked out here,
            # in a thread (keys answered meanwhile), for the answer to use if nothing it depends on moved on
            # (see _rows_now).
            now_ms = int(self.app.clock() * 1000)
            view = (self.filter, self.sort_column, self.sort_descending)
            rows = await off_loop(view_rows, sessions, *view, now_ms, self.app.local_time)
            self._prepared = _Prepared(sessions, view, now_ms // 1000, rows)
        return sessions

    def _answered(self, answer: PollAnswer[tuple[CallSession, ...]]) -> None:
        now = self.app.clock()
        if answer.error is not None:
            self._error = answer.error
            self._stale_since = self._stale_since or now
            self._show_stale(answer.retry_in)
            return
        self._error = self._stale_since = None
        self._show_stale(0)
        self._last_ok = now
        assert answer.value is not None
        if answer.value != self._sessions:  # an unchanged answer changes nothing, not even the table
            self._announce(answer.value)
            self._sessions = answer.value
            self._refresh_table(sliced=True)
            self._lookup_reasons()
        self._prepared = None  # (used, or no longer of use)
        self._show_state()

    def _announce(self, sessions: tuple[CallSession, ...]) -> None:
        """New arrivals get highlighted; a rejection or an agent error gets a toast (unless turned off)."""
        keys = {s.messageguid for s in sessions}
        if self._seen is None:  # the first answer (or a new limit): that is the baseline, nothing is "new"
            self._seen = keys
            return
        now = self.app.clock()
        previous = {s.messageguid: s for s in self._sessions}
        for session in sessions:
            before = previous.get(session.messageguid)
            if session.messageguid not in self._seen:
                self._new_until[session.messageguid] = now + NEW_ROW_SECONDS
            if not self.toasts:
                continue
            who = session.caller_number or session.page_url or "a caller"
            if status_group(session.status) == "rejected" and (before is None or status_group(before.status) != "rejected"):
                self.notify(f"The call from {who} was rejected (Enter on it says why).", title="Call rejected", severity="warning")
            elif session.end_reason == "wiro_error" and (before is None or before.end_reason != "wiro_error"):
                self.notify(f"The call from {who} ended in an agent error.", title="Agent error", severity="error")
        self._seen |= keys
        if len(self._seen) > 10 * HISTORY_LIMIT_CAP:  # a long-running screen: forget what left the list long ago
            self._seen = set(keys)

    # -- the table ----------------------------------------------------------------------------------

    def _view(self) -> list[CallSession]:
        return view_sessions(self._sessions, self.filter, self.sort_column, self.sort_descending,
                             int(self.app.clock() * 1000))

    def _rows_now(self) -> list[CallRow]:
        """The rows of `_view()` now: those worked out in a thread for this answer (_fetch) when they still hold
        (the same sessions, filter and sort, and the same second: durations count seconds), else made here."""
        now_ms = int(self.app.clock() * 1000)
        view = (self.filter, self.sort_column, self.sort_descending)
        prepared = self._prepared
        if (prepared is not None and prepared.sessions is self._sessions and prepared.view == view
                and prepared.second == now_ms // 1000):
            return prepared.rows
        return view_rows(self._sessions, *view, now_ms, self.app.local_time)

    def _refresh_table(self, *, sliced: bool = False) -> int:
        """Show `_view()`; returns the table mutations. `sliced` (an answer): a refresh of more than SLICE_ROWS
        rows is applied in slices, between which keys are answered (filters, sorts apply at once)."""
        rows = self._rows_now()
        diff = diff_rows(self._rows, rows)
        table = self.query_one(LiveTable)
        self._rows = {row.key: row for row in rows}
        if sliced and len(rows) > SLICE_ROWS:
            self.call_later(self._show_strip)  # (its figures over every session: a turn of the loop of their own)
        else:
            self._show_strip()
        if diff.is_empty and not self._expired_highlights():
            return 0
        fresh = {key for key, until in self._new_until.items() if until > self.app.clock()}
        under_cursor = table.cursor_key()
        if under_cursor in diff.removed and under_cursor not in self._rows:
            self.notify("The session under the cursor is no longer in view (it left the newest "
                        f"{self.limit}, or the filter hides it).", timeout=4)
        if sliced and len(diff.added) + len(diff.changed) > SLICE_ROWS:  # cells made slice by slice, too
            shown = self._rows  # (the generators below may run after a later refresh replaced it)
            table.apply_changes_in_slices(
                removed=diff.removed,
                changed=((key, column, self._cell(shown[key], column, key in fresh))
                         for key, column, _value in diff.changed if column in self._widths),
                added=((row.key, self._cells(row, row.key in fresh)) for _index, row in diff.added),
                order=[row.key for row in rows],
            )
            return len(diff.removed) + len(diff.added) + len(diff.changed)
        return table.apply_changes(
            removed=diff.removed,
            changed=[(key, column, self._cell(self._rows[key], column, key in fresh))
                     for key, column, _value in diff.changed if column in self._widths],
            added=[(row.key, self._cells(row, row.key in fresh)) for _index, row in diff.added],
            order=[row.key for row in rows],
        )

    def _expired_highlights(self) -> bool:
        now = self.app.clock()
        expired = [key for key, until in self._new_until.items() if until <= now]
        if not expired:
            return False
        table = self.query_one(LiveTable)
        for key in expired:
            del self._new_until[key]
            row = self._rows.get(key)
            if row is not None and key in table.rows:
                for column in self._widths:
                    table.update_cell(key, column, self._cell(row, column, False))
        return True

    def _cells(self, row: CallRow, fresh: bool) -> list:
        return [self._cell(row, column, fresh) for column in self._widths]

    def _cell(self, row: CallRow, column: str, fresh: bool):
        value = str(getattr(row, column) or "")
        if column == "status":
            # one word in the table (incoming · active · rejected · ended); a status this version does
            # not know is shown as sent. Enter says more.
            value = row.group if row.group != "unknown" else row.status
        elif column == "end_reason" and row.group == "rejected" and row.key in self._reasons:
            value = rejection_label(self._reasons[row.key])  # rejected rows carry their reason only in Message/Detail
        width = self._widths.get(column)
        if width and len(value) > width:
            value = value[: width - 1] + "…"
        style = "bold" if fresh else ""
        if column == "status":
            style = f"{style} {self._colour('call-' + row.group)}".strip()
        elif column == "end_reason" and row.end_reason == AGENT_ERROR_LABEL:
            style = f"{style} {self._colour('call-rejected')}".strip()
        if column == STARTED:
            return KeyedText(value, row.key, style=style)
        return Text(value, style=style)

    def _colour(self, variable: str) -> str:
        return theme_colour(self.app, variable)

    def _tick(self) -> None:
        """Every second: only the duration cells of sessions in progress change."""
        if not self._rows:
            return
        slot = int(self.app.clock() // 30)
        if slot != self._age_slot:  # "2 min ago" texts move on without new data
            self._age_slot = slot
            self._refresh_table()
        now_ms = int(self.app.clock() * 1000)
        table = self.query_one(LiveTable)
        sessions = {s.messageguid: s for s in self._sessions}
        for key, row in list(self._rows.items()):
            session = sessions.get(key)
            if not row.live or session is None:
                continue
            text = duration_text(live_duration(session, now_ms))
            if text != row.duration and key in table.rows:
                self._rows[key] = row = _replace(row, duration=text)
                table.update_cell(key, "duration", self._cell(row, "duration", key in self._new_until))
                table.mutations += 1
        self._expired_highlights()

    # -- strip and state ------------------------------------------------------------------------------

    def _show_strip(self) -> None:
        view = self._view()
        now_ms = int(self.app.clock() * 1000)
        agent = self.app.agent
        maxcall = agent.credential.maxcallseconds if agent and agent.credential else None
        figures = strip_figures(view, now_ms, maxcall, reasons=self._reasons)
        self.query_one("#calls-strip", TextLine).show(strip_text(figures, sparkline(view, now_ms)))

    def _show_stale(self, retry_in: float) -> None:
        """A line of its own while polls fail: when the rows were last good, why, and when it tries again."""
        line = self.query_one("#calls-stale", TextLine)
        line.set_shown(self._error is not None)
        if self._error is None:
            return
        since = self._last_ok or self._stale_since or self.app.clock()
        what = "stale since" if self._last_ok else "no answer yet since"
        line.show(
            f"[b $stale]{what} {self.app.local_time(since):%H:%M:%S} — {escape(failure_phrase(self._error))}[/]"
            f" · the rows below are the last good ones · retrying in {retry_in:g} s"
            if self._last_ok
            else f"[b $stale]{what} {self.app.local_time(since):%H:%M:%S} — {escape(failure_phrase(self._error))}[/] · retrying in {retry_in:g} s"
        )

    def _show_state(self) -> None:
        """One short line: refresh, limit, filters, sort (the keys that change each are in the key bar)."""
        refresh = "[b $warning]paused[/]" if self.paused else f"live · {self.interval:g} s"
        channel = {None: "phone + web", "twilio": "phone", "web": "web"}[self.filter.channel]
        group = self.filter.group or "any status"
        order = "↓" if self.sort_descending else "↑"
        new = self.query_one(LiveTable).new_above  # calls that arrived above the view since the reader looked
        above = f"[b $accent]↑ {new} new[/] (Home) · " if new else ""
        self.query_one("#calls-state", TextLine).show(
            f"{above}{refresh} · last {self.limit} · {channel} · {group} · by {self.sort_column.replace('_', ' ')} {order}"
        )

    # -- rejection reasons (only Message/Detail has them) --------------------------------------------

    def _lookup_reasons(self) -> None:
        busy = self._asked_reasons | self._reasons_in_flight
        wanted = [s.messageguid for s in self._sessions
                  if status_group(s.status) == "rejected" and s.messageguid not in busy][:REASON_LOOKUPS_PER_POLL]
        if wanted:
            self._reasons_in_flight.update(wanted)
            self.fetch_reasons(wanted)

    @work(group="calls-reasons", exit_on_error=False)
    async def fetch_reasons(self, guids: list[str]) -> None:
        client = self.app.client
        if client is None:
            self.post_message(ReasonsLoaded(guids, {}))
            return
        results = await asyncio.gather(*(client.message_detail(messageguid=g) for g in guids), return_exceptions=True)
        reasons = {}
        for guid, result in zip(guids, results):
            if isinstance(result, BaseException):
                continue
            reason = result.metadata.get("reason")
            reasons[guid] = reason if isinstance(reason, str) else ""  # answered: no reason given is an answer too
        self.post_message(ReasonsLoaded(guids, reasons))
        await self.app.record_history("reasons", reasons, self.app.agent_guid)

    def on_reasons_loaded(self, message: ReasonsLoaded) -> None:
        # a lookup that failed is asked again on a later poll; one that answered is done
        self._reasons_in_flight.difference_update(message.asked)
        self._asked_reasons.update(message.reasons)
        self._reasons.update(message.reasons)
        table = self.query_one(LiveTable)
        for key in message.reasons:
            row = self._rows.get(key)
            if row is not None and key in table.rows:
                table.update_cell(key, "end_reason", self._cell(row, "end_reason", key in self._new_until))
                table.mutations += 1
        self._show_strip()

    # -- actions --------------------------------------------------------------------------------------

    def action_refresh(self) -> None:
        self.poller.refresh()

    def action_toggle_pause(self) -> None:
        self.paused = not self.paused
        self._show_state()

    def action_focus_filter(self) -> None:
        self.query_one("#calls-filter", Input).focus()

    @on(Input.Changed, "#calls-filter")
    def _filter_text(self, event: Input.Changed) -> None:
        self.filter = Filter(self.filter.channel, self.filter.group, event.value)
        self._refresh_table()

    @on(Input.Submitted, "#calls-filter")
    def _filter_done(self) -> None:
        self.query_one(LiveTable).focus()

    def action_cycle_channel(self) -> None:
        nxt = CHANNELS[(CHANNELS.index(self.filter.channel) + 1) % len(CHANNELS)]
        self.filter = Filter(nxt, self.filter.group, self.filter.text)
        self._refresh_table()
        self._show_state()

    def action_cycle_group(self) -> None:
        nxt = GROUPS[(GROUPS.index(self.filter.group) + 1) % len(GROUPS)]
        self.filter = Filter(self.filter.channel, nxt, self.filter.text)
        self._refresh_table()
        self._show_state()

    def action_cycle_sort(self) -> None:
        ids = list(self._widths)
        if self.sort_descending:
            self.sort_descending = False
        else:
            self.sort_column = ids[(ids.index(self.sort_column) + 1) % len(ids)]
            self.sort_descending = True
        self._refresh_table()
        self._show_state()

    @on(DataTable.HeaderSelected)
    def _header(self, event: DataTable.HeaderSelected) -> None:
        column = event.column_key.value or "started"
        self.sort_descending = not self.sort_descending if column == self.sort_column else True
        self.sort_column = column
        self._refresh_table()
        self._show_state()

    def action_cycle_limit(self) -> None:
        self.limit = LIMITS[(LIMITS.index(self.limit) + 1) % len(LIMITS)] if self.limit in LIMITS else LIMITS[0]
        self._seen = None  # older sessions coming into view are not new calls
        self._show_state()
        self.poller.refresh()

    def action_slower(self) -> None:
        self.poller.interval = next((i for i in INTERVALS if i > self.interval), INTERVALS[-1])
        self._show_state()

    def action_faster(self) -> None:
        self.poller.interval = next((i for i in reversed(INTERVALS) if i < self.interval), INTERVALS[0])
        self._show_state()

    def action_toggle_toasts(self) -> None:
        self.toasts = not self.toasts
        self.notify("Toasts for rejected calls and agent errors are " + ("on." if self.toasts else "off."))

    def action_export(self, fmt: str) -> None:
        from ...calls.export import export_folder  # (csv, tempfile: only when exporting)

        settings = self.app.settings
        folder = export_folder(settings.export_dir, settings.config_path)
        self._export(list(self._view()), folder, fmt)

    @work(group="calls-export", exit_on_error=False)
    async def _export(self, sessions: list[CallSession], folder: Path, fmt: str) -> None:
        """The file is written (and fsynced) in a thread: a slow disk never holds up a key press."""
        from ...calls.export import ExportError, write_export

        try:
            path = await asyncio.to_thread(write_export, sessions, folder, fmt, self.app.clock())
        except ExportError as err:  # its message says where and why; say once what to do about it
            self.notify(f"{err} Set export_dir in {self.app.settings.config_path} to a folder you can write.",
                        title="Export failed", severity="error", timeout=10)
            return
        count = f"{len(sessions)} session" + ("" if len(sessions) == 1 else "s")
        self.notify(f"{count} written to {path.absolute()}", title="Exported", timeout=8)

    def action_open_session(self) -> None:
        table = self.query_one(LiveTable)
        key = table.cursor_key()
        if key is None:
            return
        from .session import SessionScreen

        order = table.row_keys()
        self.app.push_screen(SessionScreen(key, order, {s.messageguid: s for s in self._sessions}), self._back_on)

    def _back_on(self, key: str | None) -> None:
        """Back from a session (after stepping through others, maybe): the cursor goes to the one viewed last."""
        table = self.query_one(LiveTable)
        if key is not None and key in table.rows:
            table.move_cursor(row=table.get_row_index(key), animate=False)

    @on(DataTable.RowSelected)
    def _row_selected(self, event: DataTable.RowSelected) -> None:
        self.action_open_session()

    def commands(self) -> Iterable[SystemCommand]:
        return commands_from_bindings(self, "calls")


def _replace(row: CallRow, **changes) -> CallRow:
    from dataclasses import replace

    return replace(row, **changes)


def strip_text(f: StripFigures, spark: str) -> str:
    """The strip of figures over the rows in view, as markup: always three lines, so the table never moves."""
    errors = f"{f.errors} agent error" + ("" if f.errors == 1 else "s")
    first = (
        f"[$call-active]{f.active_now} active now[/] · {f.calls} calls · avg {f.average_text}"
        f" · [$call-rejected]{f.rejected} rejected[/] · {errors}   [b]{escape(spark)}[/] [dim]calls over time[/dim]"
    )
    rejected = f"rejected: {escape(f.rejections_text)}" if f.rejections_text else "[dim]no rejections in view[/dim]"
    limit = escape(f.max_duration_text) if f.max_duration_text else "[dim]no call hit the max call length[/dim]"
    if f.suggest_raise:
        limit = f"[b $warning]{limit}[/]"
    return "\n".join((first, rejected, limit))
