"""Overview: the agent, its status with Start/Stop, the phone channel at a glance, recent calls."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Iterable

from textual import events, work
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.markup import escape
from textual.screen import Screen
from textual.widgets import Button

from ..fresh_styles import FirstShowingKeepsStyles
from ...wiro.errors import (
    AccessDenied,
    AgentGone,
    ApiError,
    AuthError,
    NotFoundError,
    WiroError,
)
from ...wiro.refusals import explain_refusal
from ..failures import ReportsWorkerFailures, describe_failure
from ..polling import PollAnswer, Poller
from ..readiness import readiness
from ..state import Change, subscribe_changes
from ..widgets.header import AppHeader
from ..widgets.key_bar import KeyBar
from ..widgets.scroll_body import ScrollBody
from ..widgets.text_line import TextLine
from .overview_text import agent_text, channel_values, setup_hint_text, start_stop_question

if TYPE_CHECKING:  # the panels' widgets and the answer's shape load with the first answer, after the first frame
    from ..messages import OverviewSnapshot

NARROW_WIDTH = 100  # below this the two top panels stack
POLL_SECONDS = 5.0
FAST_POLL_SECONDS = 1.5  # while the agent is between states, so Queued → Starting → Running is seen
TRANSITIONAL = {1, 2, 3}


class OverviewScreen(FirstShowingKeepsStyles, ReportsWorkerFailures, Screen):
    """Polls Detail and the call history while shown; stops while another screen is in front."""

    BINDINGS = [
        Binding("s", "start_agent", "Start", id="agent.start"),
        Binding("x", "stop_agent", "Stop", id="agent.stop"),
        Binding("a", "switch_agent", "Switch agent", id="agent.switch"),
        Binding("r", "refresh", "Refresh", id="overview.refresh"),
    ]

    def __init__(self) -> None:
        super().__init__(id="overview")
        self.poller: Poller[OverviewSnapshot] = Poller(self, self._fetch, self._answered, interval=POLL_SECONDS,
                                                       group="overview-poll", ready=self._ready)
        self._picker_open = False
        self._picker_declined = False  # Escape in the picker: don't reopen it until asked
        self._panels_generation: int | None = None  # which connection/agent the panels show
        self._panels_lock = asyncio.Lock()

    def compose(self) -> ComposeResult:
        # The first frame has only what can be said before any data arrives; the panels are
        # mounted with the first answer (each widget in the first frame costs start-up time).
        yield AppHeader()
        with ScrollBody(id="overview-body"):
            yield TextLine("", id="demo-banner")
            yield TextLine("", id="overview-error")
            yield TextLine("Loading the agent…", id="overview-status")
        yield KeyBar()

    def on_mount(self) -> None:
        self.query_one("#overview-error").display = False
        self._show_demo_banner()
        subscribe_changes(self, self._changed)

    def on_resize(self, event: events.Resize) -> None:
        self.set_class(event.size.width < NARROW_WIDTH, "narrow")

    # -- panels ---------------------------------------------------------------------------------

    @property
    def _panels_mounted(self) -> bool:
        return self._panels_generation is not None

    async def _ensure_panels(self) -> None:
        # One change of panels at a time: the stale panels' removal (started when polling resumes after a switch)
        # may still be under way when the first answer arrives, and new panels mounted then find their ids taken.
        async with self._panels_lock:
            generation = self.app.generation
            if self._panels_generation == generation:
                return
            await self._drop_panels()
            self._panels_generation = generation
            await self._mount_panels()

    async def _mount_panels(self) -> None:
        agent_panel = Vertical(
            TextLine("", id="agent-info"),
            TextLine("", id="setup-hint"),
            Horizontal(
                Button("Start", id="start", variant="success"),
                Button("Stop", id="stop", variant="error"),
                Button("Switch agent", id="switch"),
                id="agent-buttons",
            ),
            id="agent-panel",
            classes="panel",
        )
        from ..widgets.key_values import KeyValues
        from ..widgets.recent_calls import RecentCalls

        channel_panel = Vertical(TextLine("", id="channel-empty"), KeyValues(id="channel-info"), id="channel-panel", classes="panel")
        calls_panel = Vertical(RecentCalls(id="recent-calls"), id="calls-panel", classes="panel")
        agent_panel.border_title, channel_panel.border_title, calls_panel.border_title = "Agent", "Phone channel", "Recent calls"
        await self.query_one("#overview-body").mount(Horizontal(agent_panel, channel_panel, id="overview-top"), calls_panel)
        self.query_one("#setup-hint").display = False

    async def _remove_stale_panels(self) -> None:
        """Remove panels that show another connection or agent than the app's (none when they are current)."""
        async with self._panels_lock:
            if self._panels_generation != self.app.generation:
                await self._drop_panels()

    async def _drop_panels(self) -> None:
        if self._panels_mounted:
            self._panels_generation = None
            await self.query("#overview-top, #calls-panel").remove()

    def _say(self, text: str) -> None:
        """A one-line state before (or instead of) the panels: loading, not connected, no agent."""
        status = self.query_one("#overview-status", TextLine)
        status.set_shown(bool(text))
        status.show(text)

    # -- polling ------------------------------------------------------------------------------

    def on_screen_resume(self) -> None:
        self._show_demo_banner()
        # the first time, or when a poll fell due while away: now (after the frame is drawn: the first poll also
        # loads the HTTP client); back from a dialog within the interval: at the next poll
        self.poller.resume()

    def on_screen_suspend(self) -> None:
        self.poller.suspend()

    def _changed(self, change: Change) -> None:
        """The app connected somewhere new (the demo came up, settings were saved) or another agent was picked."""
        if change.what == "connection":
            self._picker_declined = False
        self.poller.reset()
        self._show_demo_banner()
        self.poller.refresh()  # polls only if shown; otherwise when shown again

    def _ready(self) -> bool:
        """Whether there is an agent to poll; otherwise say why (and offer the picker when there is no agent)."""
        if self._panels_mounted and self._panels_generation != self.app.generation:
            self.run_worker(self._remove_stale_panels(), group="overview-panels", exit_on_error=False)
            self._say("Loading the agent…")
        state = readiness(self.app)
        if state.state == "no-agent":
            self._ask_for_agent()
        elif not state.ready:
            self._say(state.text)
        return state.ready

    async def _fetch(self) -> OverviewSnapshot:
        from ..messages import OverviewSnapshot

        client, guid = self.app.client, self.app.agent_guid
        if client is None or guid is None:  # the connection went away meanwhile; its answer would be dropped
            raise WiroError("Not connected.")
        detail, history = await asyncio.gather(
            client.detail(guid), client.call_history(guid, limit=50), return_exceptions=True
        )
        error = next((r for r in (detail, history) if isinstance(r, BaseException)), None)
        if error is not None and not isinstance(error, WiroError):
            self.log.error("overview poll failed", error)
            error = WiroError(describe_failure(error))
        if isinstance(history, list):
            await self.app.record_history("sessions", history, guid)  # in a thread; problems go to the header
        return OverviewSnapshot(
            agent=detail if not isinstance(detail, BaseException) else None,
            sessions=tuple(history) if isinstance(history, list) else None,
            error=error,
            taken_at=self.app.clock(),
            generation=self.app.generation,
        )

    async def _answered(self, answer: PollAnswer[OverviewSnapshot]) -> None:
        snap = answer.value
        if snap is None:  # nothing came back at all (an unexpected failure)
            assert answer.error is not None
            from ..messages import OverviewSnapshot

            snap = OverviewSnapshot(None, None, answer.error, self.app.clock(), self.app.generation)
        if snap.agent is not None:
            self.app.agent = snap.agent
            await self._ensure_panels()
        self._show_snapshot(snap)
        if snap.error is None:
            status = snap.agent.status if snap.agent else None
            self.poller.interval = FAST_POLL_SECONDS if status in TRANSITIONAL else POLL_SECONDS
        elif self.poller.failures == 1 and not isinstance(snap.error, AuthError):
            self.notify(describe_failure(snap.error), title="Wiro did not answer", severity="warning", timeout=6)

    # -- rendering ------------------------------------------------------------------------------

    def _show_demo_banner(self) -> None:
        banner = self.query_one("#demo-banner", TextLine)
        banner.set_shown(bool(self.app.demo))
        if self.app.demo:
            banner.show(
                "[b]Demo[/b] — a simulated Wiro account with simulated Twilio numbers and calls. "
                "To use your own account press [b]n[/b] (Connection), or set WIRO_API_KEY and restart."
            )

    def _show_snapshot(self, snap: OverviewSnapshot) -> None:
        # each line is repainted only when what it says changed: an unchanged answer writes nothing to the terminal
        error_box = self.query_one("#overview-error", TextLine)
        error_box.set_shown(snap.error is not None)
        if snap.error is not None:
            error_box.show(self._error_text(snap.error, have_data=self._panels_mounted))
        if not self._panels_mounted:
            self._say("" if snap.error is not None else "Loading the agent…")
            return
        self._say("")
        agent = snap.agent or self.app.agent
        if agent is not None:
            self.query_one("#agent-info", TextLine).show(agent_text(agent))
            values = channel_values(agent)
            empty, channel = self.query_one("#channel-empty", TextLine), self.query_one("#channel-info")
            empty.set_shown(not values)
            if channel.display != bool(values):
                channel.display = bool(values)
            if values:
                channel.show(values)
            else:
                empty.show("No Twilio credential yet: the agent has no phone numbers to answer.")
            hint = self.query_one("#setup-hint", TextLine)
            hint.set_shown(agent.needs_setup)
            if agent.needs_setup:
                hint.show(setup_hint_text(agent, credentials_key=self.app.key_for("credentials")))
            self.query_one("#start", Button).variant = "success" if agent.status in (0, 5, None) else "default"
            self.query_one("#stop", Button).variant = "error" if agent.status in (2, 3, 4) else "default"
        if snap.sessions is not None:
            self.query_one("#recent-calls").show(snap.sessions, int(snap.taken_at * 1000), self.app.local_time)

    def _error_text(self, error: WiroError, *, have_data: bool) -> str:
        shown = "The figures below are from the last good answer. " if have_data else ""
        if isinstance(error, AuthError):
            return (
                f"[b]Wiro refused the API key[/b]: {escape(error.message)}\n"
                "Press [b]n[/b] to check the key (and the secret, for signature-mode projects)."
            )
        if isinstance(error, AccessDenied):
            return (f"[b]No access to this agent with this key[/b]: {escape(error.message)}\n"
                    "Press [b]n[/b] to use another project's key, or [b]a[/b] to pick another agent.")
        if isinstance(error, AgentGone):
            return f"[b]Agent not found[/b]: {escape(error.message)} Press [b]a[/b] to pick another agent."
        if isinstance(error, NotFoundError) and error.status == 404:
            return f"[b]Wrong API base?[/b] {escape(error.message)} Press [b]n[/b] to fix it."
        if isinstance(error, NotFoundError):
            return f"[b]Agent not found[/b]: {escape(error.message)} Press [b]a[/b] to pick another agent."
        return f"[b]Could not refresh[/b]: {escape(error.message)}\n{shown}Retrying on its own with backoff."

    # -- actions -------------------------------------------------------------------------------

    def on_button_pressed(self, event: Button.Pressed) -> None:
        actions = {"start": self.action_start_agent, "stop": self.action_stop_agent, "switch": self.action_switch_agent}
        if event.button.id in actions:
            actions[event.button.id]()

    def action_refresh(self) -> None:
        self.poller.refresh()

    def action_start_agent(self) -> None:
        self._confirm("start")

    def action_stop_agent(self) -> None:
        self._confirm("stop")

    def _confirm(self, verb: str) -> None:
        """Start and Stop change what callers get: ask first, naming the agent and what happens to calls."""
        if self.app.client is None or self.app.agent_guid is None:
            self.notify("Pick an agent first (press a).", severity="warning")
            return
        agent = self.app.agent
        title = agent.title if agent is not None else self.app.agent_guid
        in_progress = None
        if self._panels_mounted:
            from ...calls.catalog import status_group

            sessions = self.query_one("#recent-calls").sessions
            in_progress = sum(1 for s in sessions if status_group(s.status) in ("incoming", "active")) if sessions else None
        label = "Stop the agent" if verb == "stop" else "Start the agent"
        question = start_stop_question(verb, title, in_progress)

        def answered(answer: str | None) -> None:
            if answer == verb:
                self._agent_action(verb)
            else:
                self.notify(f"The agent was not {verb}ped." if verb == "stop" else "The agent was not started.",
                            timeout=3)

        from .confirm import Confirm  # only when asked

        self.app.push_screen(  # y or Enter (the first button has focus) confirms, Escape cancels
            Confirm(f"{verb.capitalize()} {title}", question,
                    [(label, verb, "error" if verb == "stop" else "success"), ("Cancel", "cancel", "default")], yes=verb),
            answered,
        )

    def action_switch_agent(self) -> None:
        self._picker_declined = False
        self._ask_for_agent(force=True)

    @work(exclusive=True, group="agent-action", exit_on_error=False)
    async def _agent_action(self, verb: str) -> None:
        client, guid = self.app.client, self.app.agent_guid
        if client is None or guid is None:
            self.notify("Pick an agent first (press a).", severity="warning")
            return
        try:
            await (client.start(guid) if verb == "start" else client.stop(guid))
        except (AccessDenied, AgentGone, AuthError) as err:  # said in full by the error itself
            self.notify(err.message, title=f"Could not {verb} the agent", severity="error", timeout=12)
        except (ApiError, NotFoundError) as err:
            if isinstance(err, NotFoundError) and err.status == 404:
                self.notify(f"{err.message} Press n to fix it.", title=f"Could not {verb} the agent", severity="error", timeout=10)
            else:
                severity = "error" if isinstance(err, NotFoundError) else "warning"
                self.notify(explain_refusal(err.message, getattr(err, "data", None)),
                            title=f"Wiro did not {verb} the agent", severity=severity, timeout=8)
        except WiroError as err:
            self.notify(
                f"{err.message} It was not retried automatically: check the status, then try again.",
                title=f"{verb.capitalize()} failed",
                severity="error",
                timeout=10,
            )
        else:
            done = "Start requested: the agent is queued and starts in a few seconds." if verb == "start" else (
                "Stop requested: the agent stops answering calls shortly."
            )
            self.notify(done, title=f"Agent {verb}")
        self.poller.refresh()

    def _ask_for_agent(self, force: bool = False) -> None:
        if self._picker_open or self.app.client is None:
            return
        if not force and (self.app.agent_guid is not None or self._picker_declined):
            if self.app.agent_guid is None:
                self._say(readiness(self.app).text)
            return
        self._picker_open = True

        def chosen(guid: str | None) -> None:
            self._picker_open = False
            if guid:
                if guid != self.app.agent_guid:
                    self.app.use_agent(guid)
                self.poller.refresh()
            else:
                self._picker_declined = True
                if self.app.agent_guid is None:
                    self._say(readiness(self.app).text)

        from .agent_picker import AgentPicker  # only needed when no agent is set

        self.app.push_screen(AgentPicker(current=self.app.agent_guid), chosen)

    def commands(self) -> Iterable[SystemCommand]:
        yield SystemCommand("agent: start", "Ask Wiro to start the agent", self.action_start_agent)
        yield SystemCommand("agent: stop", "Ask Wiro to stop the agent", self.action_stop_agent)
        yield SystemCommand("agent: switch", "Pick another of your agents", self.action_switch_agent)
        yield SystemCommand("overview: refresh", "Reload the agent and recent calls now", self.action_refresh)
