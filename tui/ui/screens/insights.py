"""Insights: every call accounted for — Twilio's call log joined with Wiro's sessions, over a period.

Opening the screen (or `r`) brings the local history up to date (Wiro's newest sessions, the credit ledger,
Twilio's call log and each number's routing), then shows the period's figures, four charts (calls per hour or
day stacked by outcome, the duration histogram, cost per day, callers by country) and the missed calls; Enter on
one shows Twilio's record and the doctor's advice for its cause. The fetching and the SQL run in a worker and in
threads; the answer arrives in one message. Charts come from textual-plotext, imported with this screen.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from typing import Any, ClassVar

from textual import on, work
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding, BindingType
from textual.color import Color
from textual.containers import Grid, Vertical
from textual.markup import escape
from textual.message import Message
from textual.screen import ModalScreen, Screen
from textual.widgets import DataTable, Input, Static
from textual_plotext import PlotextPlot

from ...history.text import headline, summary_lines
from ..failures import ReportsWorkerFailures
from ..fresh_styles import FirstShowingKeepsStyles
from ..state import Change, subscribe_changes
from ..stylesheets import sheet
from ..widgets.header import AppHeader
from ..widgets.key_bar import KeyBar
from ..widgets.scroll_body import ScrollBody

#: the period keys, their words, and the key that picks them
PERIODS = {"today": ("today", "t"), "7d": ("7 days", "7"), "30d": ("30 days", "3")}
#: missed calls listed, newest first
MISSED_LISTED = 200
#: charts side by side from this width on; stacked below it (80×24 scrolls)
SIDE_BY_SIDE_WIDTH = 120
#: theme variables the series take their colours from
SERIES_COLOURS = {"reached": "call-active", "rejected": "call-rejected", "missed": "call-incoming"}


class InsightsLoaded(Message):
    """A refresh's answer: figures, missed calls and notes (or the error), for one generation and period."""

    def __init__(self, generation: int, spec: str, figures: Any, missed: tuple[Any, ...], notes: tuple[str, ...],
                 error: str | None = None) -> None:
        super().__init__()
        self.generation, self.spec, self.figures, self.missed = generation, spec, figures, missed
        self.notes, self.error = notes, error

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, InsightsLoaded)


class MissedCall(ModalScreen[None]):
    """One missed call: Twilio's record, what Wiro has (nothing), the cause and the doctor's advice."""

    CSS_PATH = sheet("insights")
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape,enter", "dismiss", "Close", id="insights.close")]

    def __init__(self, lines: list[str], advice: str) -> None:
        super().__init__(id="missed-call")
        self._lines, self._advice = lines, advice

    def compose(self) -> ComposeResult:
        with ScrollBody(id="missed-call-panel", classes="panel"):
            yield Static("\n".join(escape(line) for line in self._lines), id="missed-call-record")
            yield Static(f"[b]What to do:[/] {escape(self._advice)}", id="missed-call-advice")
            yield Static("[dim]Escape closes[/]")

    def on_mount(self) -> None:
        self.query_one("#missed-call-panel").border_title = "A missed call"


class InsightsScreen(FirstShowingKeepsStyles, ReportsWorkerFailures, Screen):
    CSS_PATH = sheet("insights")
    AUTO_FOCUS = None  # the missed calls take the focus once filled, without scrolling the figures away
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("t", "period('today')", "Today", id="insights.today"),
        Binding("7", "period('7d')", "7 days", id="insights.week"),
        Binding("3", "period('30d')", "30 days", id="insights.month"),
        Binding("p", "custom", "Period…", id="insights.custom"),
        Binding("r", "refresh", "Refresh", id="insights.refresh"),
        Binding("escape", "leave", "Back", id="insights.back"),
    ]

    def __init__(self) -> None:
        super().__init__(id="insights")
        self.spec = "7d"
        self.figures: Any = None  # the Insights on screen (tests compare it with `wiro-voice insights --json`)
        self.missed: tuple[Any, ...] = ()
        self.loading = False
        self._generation: int | None = None

    def compose(self) -> ComposeResult:
        yield AppHeader()
        yield Static("", id="insights-periods")
        yield Input(placeholder="a date (2026-12-01), a range (2026-12-01..2026-12-07), or 14d / 6h; Enter applies",
                    id="insights-custom", disabled=True)  # enabled while shown: hidden, it must not take keys
        with ScrollBody(id="insights-body"):
            yield Static("", id="insights-state")
            yield Static("", id="insights-figures")
            with Grid(id="insights-charts"):
                for name in ("calls", "durations", "cost", "countries"):
                    with Vertical(id=f"chart-{name}", classes="chart panel"):
                        yield PlotextPlot(id=f"plot-{name}")
            yield Static("[b]Missed calls[/] [dim](Enter: Twilio's record and what to do)[/]", id="missed-title")
            yield DataTable(id="insights-missed", cursor_type="row", zebra_stripes=True)
            yield Static("", id="insights-caveat")
        yield KeyBar()

    def on_mount(self) -> None:
        titles = {"calls": "Calls, by outcome", "durations": "How long reached calls lasted",
                  "cost": "Cost per day (USD)", "countries": "Callers by country"}
        for name, title in titles.items():
            self.query_one(f"#chart-{name}").border_title = title
        table = self.query_one("#insights-missed", DataTable)
        for key, label in (("time", "When"), ("caller", "Caller"), ("number", "Number"), ("cause", "Why it was missed")):
            table.add_column(label, key=key)
        self._show_periods()
        self._lay_out(self.size.width)
        subscribe_changes(self, self._app_changed)

    def on_resize(self, event: Any) -> None:
        self._lay_out(event.size.width)
        if self.figures is not None:  # labels are chosen for the width: draw again once laid out
            self.call_after_refresh(self._draw_charts)

    def _lay_out(self, width: int) -> None:
        self.query_one("#insights-charts").set_class(width < SIDE_BY_SIDE_WIDTH, "-stacked")

    def on_screen_resume(self) -> None:
        if not self.loading and self._generation != self.app.generation:
            self.call_after_refresh(self.action_refresh)

    def _app_changed(self, _change: Change) -> None:
        # another connection or agent: the figures shown are someone else's (hidden, on_screen_resume reloads)
        if self.is_current:
            self.action_refresh()

    # -- actions ------------------------------------------------------------------------------------------

    def action_period(self, spec: str) -> None:
        self.spec = spec
        self._hide_custom()
        self._show_periods()
        self.action_refresh()

    def action_custom(self) -> None:
        field = self.query_one("#insights-custom", Input)
        field.disabled = False
        field.add_class("-shown")
        field.focus()

    def _hide_custom(self) -> None:
        field = self.query_one("#insights-custom", Input)
        field.remove_class("-shown")
        field.disabled = True

    @on(Input.Submitted, "#insights-custom")
    def _custom_given(self, event: Input.Submitted) -> None:
        from ...history.insights import period

        try:
            period(event.value, int(self.app.clock() * 1000))
        except ValueError as problem:
            self._state(f"[b $error]{escape(str(problem))}[/]")
            return
        self.action_period(event.value.strip())
        self.query_one("#insights-missed", DataTable).focus()

    def action_refresh(self) -> None:
        client, guid = self.app.client, self.app.agent_guid
        if client is None or guid is None:
            self._state("Starting the demo…" if getattr(self.app, "demo_starting", False)
                        else "No agent selected: pick one on the Overview (o).")
            return
        self.loading = True
        self._state("[b]Reading the call history…[/] Wiro's sessions, the credit ledger and Twilio's call log")
        self._load(client, guid, self.app.generation, self.spec)

    def action_leave(self) -> None:
        if self.query_one("#insights-custom", Input).has_class("-shown"):
            self._hide_custom()  # Escape in the period field closes it
            self.query_one("#insights-missed", DataTable).focus()
            return
        self.app.switch_mode("overview")

    # -- loading ------------------------------------------------------------------------------------------

    @work(exclusive=True, group="insights-load", exit_on_error=False)
    async def _load(self, client: Any, guid: str, generation: int, spec: str) -> None:
        from ...history.feed import refresh
        from ...history.insights import Scope, insights, missed_calls, period
        from ...twilio.access import twilio_access
        from ...twilio.verify import wiro_hosts_for
        from ...wiro.errors import WiroError

        app, settings = self.app, self.app.settings
        try:
            span = period(spec, int(app.clock() * 1000))
            history = await asyncio.to_thread(lambda: app.history)
            notes: list[str] = []
            numbers: tuple[str, ...] = ()
            try:
                agent = await client.detail(guid)
            except WiroError as err:
                agent = None
                notes.append(f"The agent could not be read, so nothing new was fetched: {err.message}")
            if agent is not None:
                cred = agent.credential
                numbers = tuple(cred.phonenumbers) if cred is not None else ()
                access = twilio_access(cred.accountsid if cred is not None else None, settings, demo=app.sim)
                outcome = await refresh(history, client, guid, numbers=numbers, since_ms=span.start_ms, access=access,
                                        twilio_base=settings.twilio_base, wiro_hosts=wiro_hosts_for(settings.api_base))
                notes += outcome.messages
                app.history_reported(outcome.history_problem)
            scope = Scope(span, agent_guid=guid, numbers=numbers or None)
            figures = await asyncio.to_thread(history.read, lambda store: insights(store, scope), "computing insights")
            missed = await asyncio.to_thread(history.read, lambda store: missed_calls(store, scope, MISSED_LISTED))
        finally:
            self.loading = False
        if figures.value is None:
            problem = figures.problem.message if figures.problem else "The history could not be read."
            self.post_message(InsightsLoaded(generation, spec, None, (), tuple(notes), problem))
            return
        self.post_message(InsightsLoaded(generation, spec, figures.value, tuple(missed.value or ()), tuple(notes)))

    def on_insights_loaded(self, message: InsightsLoaded) -> None:
        if message.generation != self.app.generation or message.spec != self.spec:
            return  # about another agent or connection, or a period since left
        self._generation = message.generation
        notes = "\n".join(f"[$warning]•[/] {escape(n)}" for n in message.notes)
        if message.figures is None:
            self._state(f"[b $error]{escape(message.error or '')}[/]" + (f"\n{notes}" if notes else ""))
            return
        self.figures, self.missed = message.figures, message.missed
        taken = self.app.local_time(self.app.clock())
        self._state(f"Updated {taken:%H:%M:%S}" + (f"\n{notes}" if notes else ""))
        lines = summary_lines(self.figures)
        body = [f"[b]{escape(headline(self.figures))}[/]"] + [escape(line) for line in lines[2:-1]]
        self.query_one("#insights-figures", Static).update("\n".join(body))
        self.query_one("#insights-caveat", Static).update(f"[dim]{escape(self.figures.caveat)}[/]")
        self._draw_charts()
        self._fill_missed()

    # -- drawing ------------------------------------------------------------------------------------------

    def _colour(self, name: str) -> tuple[int, int, int]:
        value = self.app.theme_variables.get(name) or self.app.get_theme_variable_defaults().get(name, "white")
        return Color.parse(value).rgb

    def _draw_charts(self) -> None:
        from . import insights_charts as charts

        colours = {key: self._colour(var) for key, var in SERIES_COLOURS.items()}
        colours.update(primary=self._colour("primary"), accent=self._colour("accent"))
        plots = {name: self.query_one(f"#plot-{name}", PlotextPlot) for name in ("calls", "durations", "cost", "countries")}
        for name, draw in (("calls", charts.calls), ("durations", charts.durations), ("cost", charts.cost),
                           ("countries", charts.countries)):
            draw(plots[name].plt, self.figures, colours, plots[name].size.width)
            plots[name].refresh()


    def _fill_missed(self) -> None:
        table = self.query_one("#insights-missed", DataTable)
        kept = self._cursor_key(table)
        table.clear()
        for call in self.missed:
            t = call.twilio
            when = self.app.local_time(call.at_ms / 1000)
            table.add_row(f"{when:%m-%d %H:%M}", escape(t.from_number or "withheld"), escape(t.to_number or "?"),
                          escape(call.cause_label), key=call.key)
        if not self.missed:
            self.query_one("#missed-title", Static).update("[b]Missed calls[/] [dim]none in this period[/]")
            return
        self.query_one("#missed-title", Static).update(
            f"[b]Missed calls[/] ({len(self.missed)}{'+' if len(self.missed) == MISSED_LISTED else ''}) "
            "[dim](Enter: Twilio's record and what to do)[/]")
        if kept is not None and kept in table.rows:
            table.move_cursor(row=table.get_row_index(kept))
        if not isinstance(self.focused, Input):
            table.focus(scroll_visible=False)  # Enter opens the highlighted call at once; the figures stay in view

    @staticmethod
    def _cursor_key(table: DataTable) -> Any:
        if table.row_count == 0:
            return None
        try:
            return table.coordinate_to_cell_key(table.cursor_coordinate).row_key
        except Exception:  # no valid cursor yet
            return None

    @on(DataTable.RowSelected, "#insights-missed")
    def _open_missed(self, event: DataTable.RowSelected) -> None:
        from ...doctor.checks_history import missed_call_advice
        from ...history.text import call_lines

        call = next((c for c in self.missed if c.key == event.row_key.value), None)
        if call is None:
            return
        agent = self.app.agent
        whitelist = agent.credential.whitelistedcallers if agent is not None and agent.credential is not None else ()
        self.app.push_screen(MissedCall(call_lines(call, self.app.local_time), missed_call_advice(call, whitelist)))

    # -- text ---------------------------------------------------------------------------------------------

    def _show_periods(self) -> None:
        parts = []
        for spec, (words, key) in PERIODS.items():
            label = f"{words} [dim]({key})[/]"
            parts.append(f"[b reverse] {label} [/]" if spec == self.spec else f" {label} ")
        custom = self.spec not in PERIODS
        parts.append(f"[b reverse] {escape(self.spec)} [dim](p)[/] [/]" if custom else " custom… [dim](p)[/] ")
        self.query_one("#insights-periods", Static).update("Period:" + "".join(parts))

    def _state(self, markup: str) -> None:
        self.query_one("#insights-state", Static).update(markup)

    def commands(self) -> Iterable[SystemCommand]:
        yield SystemCommand("insights: today", "Calls since midnight, per hour", lambda: self.action_period("today"))
        yield SystemCommand("insights: last 7 days", "Calls of the last week, per day", lambda: self.action_period("7d"))
        yield SystemCommand("insights: last 30 days", "Calls of the last month, per day",
                            lambda: self.action_period("30d"))
        yield SystemCommand("insights: custom period", "A date, a range of dates, or a number of days or hours",
                            self.action_custom)
        yield SystemCommand("insights: refresh", "Fetch Wiro's sessions and Twilio's call log again, then recount",
                            self.action_refresh)
