"""Fleet: every agent of the account at a glance, and the alerts holding.

One row per agent of MyAgents: its status with what that means, calls on the line now, calls and rejections
in the last hour, the last call, the numbers' webhook health (Twilio's live view when Twilio credentials are
at hand, else the last save's report), the credits left and the doctor's worst finding. Enter makes the
highlighted agent the current one (every screen follows) and opens the Overview; `r` polls again now.

The data comes from the app's fleet poller (`app.fleet`, tui/ui/fleet_watch.py), which polls with the
headless watcher's rules and keeps going while the app runs; this screen only draws what it publishes.
With no agent chosen yet and a single agent on the account, that agent is chosen and the Overview opens.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, ClassVar

from rich.text import Text
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import DataTable, Static

from ..fresh_styles import FirstShowingKeepsStyles
from ..colours import theme_colour
from ..fleet_watch import FleetState
from ..state import Change
from ..stylesheets import sheet
from ..widgets.header import AppHeader, status_class
from ..widgets.key_bar import KeyBar
from ..widgets.live_table import KeyedText, LiveTable
from .fleet_text import alert_line, alerts_heading, detail_text, row_cells, table_columns


class FleetScreen(FirstShowingKeepsStyles, Screen):
    CSS_PATH = sheet("fleet")
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "use_agent", "Make current", id="fleet.use", show=True),
        Binding("r", "refresh", "Refresh", id="fleet.refresh"),
    ]

    def __init__(self) -> None:
        super().__init__(id="fleet")
        self._cells: dict[str, dict[str, str]] = {}
        self._state: FleetState | None = None
        self._widths: dict[str, int] = {}  # the columns shown, in order, and their text widths

    def compose(self) -> ComposeResult:
        yield AppHeader()
        yield Static("", id="fleet-state")
        yield LiveTable(id="fleet-table", cursor_type="row", zebra_stripes=True)
        yield Static("", id="fleet-detail")
        yield Static("", id="fleet-alerts")
        yield KeyBar()

    def on_mount(self) -> None:
        table = self.query_one(LiveTable)
        self._add_columns(table_columns(self.app.size.width))
        table.focus()
        fleet = self.app.fleet
        fleet.signal.subscribe(self, self._show)
        if fleet.state is not None:
            self._show(fleet.state)
        else:
            self.query_one("#fleet-state", Static).update("Reading every agent…")
            self._show_alerts(())
        fleet.start()
        self.app.connection_changed.subscribe(self, self._connection_changed)
        self.watch(self.app, "theme", lambda _theme: self._redraw(), init=False)

    # -- drawing -------------------------------------------------------------------------------------

    def _show(self, state: FleetState) -> None:
        self._state = state
        report = state.report
        if self.app.agent_guid is None and report.listed and len(report.views) == 1:
            # nothing chosen and only one agent: it is the one (the Overview is where it is looked after)
            self._use(report.views[0].guid, report.views[0].title)
            return
        self._fill(state)
        when = self.app.local_time(state.at).strftime("%H:%M:%S")
        count = len(report.views)
        if report.listed:
            line = f"{count} agent{'s' if count != 1 else ''} · polled {when}"
            if report.problems:
                line += f" · {len(report.problems)} could not be read fully"
            line += " · Enter makes the highlighted agent the current one"  # the table's own Enter hides the key's label
        else:
            line = f"Could not list the agents: {report.error} — showing what was read last (polled {when})"
        self.query_one("#fleet-state", Static).update(Text(line))
        self._show_alerts(state.firing)
        self._show_detail()

    def _add_columns(self, columns: tuple[tuple[str, str, int], ...]) -> None:
        table = self.query_one(LiveTable)
        self._widths = {column_id: width for column_id, _title, width in columns}
        for column_id, title, width in columns:
            table.add_column(title, key=column_id, width=width)

    def on_resize(self, event: Any) -> None:
        columns = table_columns(event.size.width)
        if {column_id: width for column_id, _title, width in columns} != self._widths:
            self.query_one(LiveTable).clear(columns=True)
            self._add_columns(columns)
            self._redraw()

    def _fill(self, state: FleetState) -> None:
        table = self.query_one(LiveTable)
        known = state.report.listed or bool(state.worst)
        wanted: dict[str, dict[str, str]] = {}
        for view in state.report.views:
            cells = row_cells(view, state.worst.get(view.guid), known and view.guid in state.worst, state.at,
                              self._widths)
            wanted[view.guid] = {column: cells[column] for column in self._widths}  # the columns shown
        statuses = {v.guid: v.status for v in state.report.views}
        removed = [g for g in self._cells if g not in wanted]
        added, changed = [], []
        for guid, cells in wanted.items():
            old = self._cells.get(guid)
            if old is None:
                added.append((guid, [self._cell(guid, c, cells[c], statuses[guid]) for c in self._widths]))
                continue
            for column, text in cells.items():
                if old.get(column) != text:
                    changed.append((guid, column, self._cell(guid, column, text, statuses[guid])))
        table.apply_changes(removed=removed, changed=changed, added=added, order=list(wanted))
        self._cells = wanted

    def _cell(self, guid: str, column: str, text: str, status: int | None) -> Text:
        if column == "agent":
            return KeyedText(text, guid)
        if column == "status":
            colour = theme_colour(self.app, f"agent-{status_class(status)}")
            return Text(text, style=colour or "")
        if column == "doctor" and text[:1] in ("✖", "!"):
            colour = theme_colour(self.app, "agent-error" if text[0] == "✖" else "agent-busy")
            return Text(text, style=colour or "")
        return Text(text)

    def _redraw(self) -> None:
        self._cells = {}
        table = self.query_one(LiveTable)
        table.clear()
        if self._state is not None:
            self._fill(self._state)

    def _show_alerts(self, firing: Iterable) -> None:
        firing = tuple(firing)
        engine_since = {}
        if self._state is not None:
            engine_since = {a.key: self._since(a.key) for a in firing}
        lines = [alerts_heading(len(firing))]
        for alert in firing:
            since = engine_since.get(alert.key)
            clock = self.app.local_time(since).strftime("%H:%M") if since is not None else ""
            lines.append(alert_line(alert, since, clock))
        self.query_one("#fleet-alerts", Static).update(Text("\n".join(lines)))

    def _since(self, key: str) -> float | None:
        watcher = getattr(self.app.fleet, "_watcher", None)
        return watcher.engine.since(key) if watcher is not None else None

    def _show_detail(self) -> None:
        view = self._highlighted()
        text = ""
        if view is not None and self._state is not None:
            text = detail_text(view, self._state.worst.get(view.guid))
        self.query_one("#fleet-detail", Static).update(Text(text))

    def _highlighted(self):
        key = self.query_one(LiveTable).cursor_key()
        if key is None or self._state is None:
            return None
        return next((v for v in self._state.report.views if v.guid == key), None)

    def on_data_table_row_highlighted(self, _event: DataTable.RowHighlighted) -> None:
        self._show_detail()

    # -- actions -------------------------------------------------------------------------------------

    def action_use_agent(self) -> None:
        view = self._highlighted()
        if view is None:
            self.notify("No agent to choose yet: the fleet is still being read.", severity="warning")
            return
        self._use(view.guid, view.title)

    def on_data_table_row_selected(self, _event: DataTable.RowSelected) -> None:
        self.action_use_agent()

    def _use(self, guid: str, title: str) -> None:
        if guid != self.app.agent_guid:
            self.app.use_agent(guid)
            self.notify(f"Now looking after {title}.", title="Agent", timeout=5)
        self.app.switch_mode("overview")

    def _connection_changed(self, _change: Change) -> None:
        # another account (or the demo came up or went): read the fleet again at once, not at the next round
        if self.app.fleet.started:
            self.action_refresh()

    def action_refresh(self) -> None:
        self.app.fleet.refresh_now()
        self.query_one("#fleet-state", Static).update("Reading every agent again…")

    def commands(self) -> Iterable[SystemCommand]:
        yield SystemCommand("fleet: make current", "Make the highlighted agent the current one",
                            self.action_use_agent)
        yield SystemCommand("fleet: refresh", "Poll every agent again now", self.action_refresh)
