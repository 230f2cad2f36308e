"""Overview: the agent, its status with Start/Stop, the phone channel at a glance, recent calls."""

from __future__ import annotations

import asyncio
from typing import Iterable

from textual import events, work
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.markup import escape
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Button, Static

from ...calls.catalog import caller_label, duration_text, end_reason_label, recent_counts, status_group, status_label
from ...wiro import Agent, ApiError, CallSession, NotFoundError, WiroError, status_meaning
from ...wiro.refusals import explain_refusal
from ..messages import OverviewLoaded, OverviewSnapshot
from ..widgets.header import AppHeader, status_class
from ..widgets.key_bar import KeyBar
from ..widgets.key_values import KeyValues

NARROW_WIDTH = 100  # below this the two top panels stack
POLL_SECONDS = 5.0
FAST_POLL_SECONDS = 1.5  # while the agent is between states, so Queued → Starting → Running is seen
MAX_BACKOFF_SECONDS = 60.0
TRANSITIONAL = {1, 2, 3}

HOLD_WORDS = {
    "none": "silence",
    "text": "spoken text",
    "audio": "a greeting recording",
    "music": "music",
    "audio_then_music": "a greeting recording, then music",
    "text_then_music": "spoken text, then music",
}


class OverviewScreen(Screen):
    """Polls Detail and the call history while shown; stops while another screen is in front."""

    BINDINGS = [
        Binding("s", "start_agent", "Start", id="agent.start"),
        Binding("x", "stop_agent", "Stop", id="agent.stop"),
        Binding("a", "switch_agent", "Switch agent", id="agent.switch"),
        Binding("r", "refresh", "Refresh", id="overview.refresh"),
    ]

    def __init__(self) -> None:
        super().__init__(id="overview")
        self._timer: Timer | None = None
        self._failures = 0
        self._shown = False
        self._picker_open = False
        self._last: OverviewSnapshot | None = None
        self._panels_mounted = False

    def compose(self) -> ComposeResult:
        # The first frame has only what can be said before any data arrives; the panels are
        # mounted with the first answer (each widget in the first frame costs start-up time).
        yield AppHeader()
        with VerticalScroll(id="overview-body"):
            yield Static("", id="demo-banner")
            yield Static("", id="overview-error")
            yield Static("Loading the agent…", id="overview-status")
        yield KeyBar()

    def on_mount(self) -> None:
        self.query_one("#overview-error").display = False
        self._show_demo_banner()

    def on_resize(self, event: events.Resize) -> None:
        self.set_class(event.size.width < NARROW_WIDTH, "narrow")

    async def _ensure_panels(self) -> None:
        if self._panels_mounted:
            return
        self._panels_mounted = True
        agent_panel = Vertical(
            Static("", id="agent-info"),
            Static("", id="setup-hint"),
            Horizontal(
                Button("Start", id="start", variant="success"),
                Button("Stop", id="stop", variant="error"),
                Button("Switch agent", id="switch"),
                id="agent-buttons",
            ),
            id="agent-panel",
            classes="panel",
        )
        channel_panel = Vertical(Static("", id="channel-empty"), KeyValues(id="channel-info"), id="channel-panel", classes="panel")
        calls_panel = Vertical(Static("", id="recent-calls"), id="calls-panel", classes="panel")
        agent_panel.border_title, channel_panel.border_title, calls_panel.border_title = "Agent", "Phone channel", "Recent calls"
        await self.query_one("#overview-body").mount(Horizontal(agent_panel, channel_panel, id="overview-top"), calls_panel)
        self.query_one("#setup-hint").display = False

    def _say(self, text: str) -> None:
        """A one-line state before (or instead of) the panels: loading, not connected, no agent."""
        status = self.query_one("#overview-status", Static)
        status.display = bool(text)
        status.update(text)

    # -- polling ------------------------------------------------------------------------------

    def on_screen_resume(self) -> None:
        self._shown = True
        self._show_demo_banner()
        # after the frame is drawn: the first poll also loads the HTTP client
        self.call_after_refresh(self._poll_now)

    def connection_changed(self) -> None:
        """The app connected somewhere new (the demo came up, or settings were saved)."""
        self._show_demo_banner()
        self._poll_now()

    def on_screen_suspend(self) -> None:
        self._shown = False
        self._cancel_timer()

    def _cancel_timer(self) -> None:
        if self._timer is not None:
            self._timer.stop()
            self._timer = None

    def _poll_now(self) -> None:
        self._cancel_timer()
        if not self._shown:
            return
        if self.app.demo_starting:
            self._say("Starting the demo simulator…")
            return
        if self.app.agent_guid is None:
            self._ask_for_agent()
            return
        self.load()

    def _arm(self, seconds: float) -> None:
        self._cancel_timer()
        if self._shown:
            self._timer = self.set_timer(seconds, self._poll_now)

    @work(exclusive=True, group="overview-poll")
    async def load(self) -> None:
        client = self.app.client
        guid = self.app.agent_guid
        if client is None or guid is None:
            return
        detail, history = await asyncio.gather(
            client.detail(guid), client.call_history(guid, limit=50), return_exceptions=True
        )
        error = next((r for r in (detail, history) if isinstance(r, BaseException)), None)
        if error is not None and not isinstance(error, WiroError):
            self.log.error("overview poll failed", error)
            error = WiroError(f"Unexpected problem while loading the agent ({type(error).__name__}).")
        self.post_message(
            OverviewLoaded(
                OverviewSnapshot(
                    agent=detail if isinstance(detail, Agent) else None,
                    sessions=tuple(history) if isinstance(history, list) else None,
                    error=error,
                    taken_at=self.app.clock(),
                )
            )
        )

    async def on_overview_loaded(self, message: OverviewLoaded) -> None:
        snap = message.snapshot
        if snap.agent is not None and snap.agent.guid == self.app.agent_guid:
            self.app.agent = snap.agent
            await self._ensure_panels()
        self._show_snapshot(snap)
        if snap.error is None:
            self._failures = 0
            status = snap.agent.status if snap.agent else None
            self._arm(FAST_POLL_SECONDS if status in TRANSITIONAL else POLL_SECONDS)
        else:
            self._failures += 1
            self._arm(min(MAX_BACKOFF_SECONDS, POLL_SECONDS * 2 ** min(self._failures, 4)))

    # -- rendering ------------------------------------------------------------------------------

    def _show_demo_banner(self) -> None:
        banner = self.query_one("#demo-banner", Static)
        banner.display = bool(self.app.demo)
        if self.app.demo:
            banner.update(
                "[b]Demo[/b] — a simulated Wiro account with simulated Twilio numbers and calls. "
                "To use your own account press [b]n[/b] (Connection), or set WIRO_API_KEY and restart."
            )

    def _show_snapshot(self, snap: OverviewSnapshot) -> None:
        self._last = snap
        error_box = self.query_one("#overview-error", Static)
        agent = snap.agent or (self.app.agent if self.app.agent and self.app.agent.guid == self.app.agent_guid else None)
        if snap.error is not None:
            error_box.display = True
            error_box.update(self._error_text(snap.error, have_data=agent is not None))
        else:
            error_box.display = False
        if agent is not None and self._panels_mounted:
            self._say("")
            self.query_one("#agent-info", Static).update(agent_text(agent))
            values = channel_values(agent)
            self.query_one("#channel-empty", Static).display = not values
            self.query_one("#channel-info", KeyValues).display = bool(values)
            if values:
                self.query_one("#channel-info", KeyValues).show(values)
            else:
                self.query_one("#channel-empty", Static).update(
                    "No Twilio credential yet: the agent has no phone numbers to answer."
                )
            hint = self.query_one("#setup-hint", Static)
            hint.display = agent.needs_setup
            if agent.needs_setup:
                hint.update(setup_hint_text(agent, has_credentials_screen=self.app.has_screen("credentials")))
            self.query_one("#start", Button).variant = "success" if agent.status in (0, 5, None) else "default"
            self.query_one("#stop", Button).variant = "error" if agent.status in (2, 3, 4) else "default"
        elif agent is None:
            self._say("")
        if snap.sessions is not None and self._panels_mounted:
            self.query_one("#recent-calls", Static).update(
                recent_text(snap.sessions, int(snap.taken_at * 1000), local=self.app.local_time)
            )

    def _error_text(self, error: WiroError, *, have_data: bool) -> str:
        from ...wiro import AuthError

        shown = "The figures below are from the last good answer. " if have_data else ""
        if isinstance(error, AuthError):
            return (
                f"[b]Wiro refused the API key[/b]: {escape(error.message)}\n"
                "Press [b]n[/b] to check the key (and the secret, for signature-mode projects)."
            )
        if isinstance(error, NotFoundError) and error.endpoint == "UserAgent/Detail":
            return f"[b]Agent not found[/b]: {escape(error.message)} Press [b]a[/b] to pick another agent."
        return f"[b]Could not refresh[/b]: {escape(error.message)}\n{shown}Retrying on its own with backoff."

    # -- actions -------------------------------------------------------------------------------

    def on_button_pressed(self, event: Button.Pressed) -> None:
        actions = {"start": self.action_start_agent, "stop": self.action_stop_agent, "switch": self.action_switch_agent}
        if event.button.id in actions:
            actions[event.button.id]()
        elif event.button.id == "open-credentials":
            self.app.switch_mode("credentials")

    def action_refresh(self) -> None:
        self._poll_now()

    def action_start_agent(self) -> None:
        self._agent_action("start")

    def action_stop_agent(self) -> None:
        self._agent_action("stop")

    def action_switch_agent(self) -> None:
        self._ask_for_agent(force=True)

    @work(exclusive=True, group="agent-action")
    async def _agent_action(self, verb: str) -> None:
        client, guid = self.app.client, self.app.agent_guid
        if client is None or guid is None:
            self.notify("Pick an agent first (press a).", severity="warning")
            return
        try:
            await (client.start(guid) if verb == "start" else client.stop(guid))
        except ApiError as err:
            self.notify(explain_refusal(err.message), title=f"Wiro did not {verb} the agent", severity="warning", timeout=8)
        except NotFoundError as err:
            self.notify(explain_refusal(err.message), title=f"Wiro did not {verb} the agent", severity="error", timeout=8)
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
        self._poll_now()

    def _ask_for_agent(self, force: bool = False) -> None:
        if self._picker_open or self.app.client is None:
            if self.app.client is None:
                self._say("Not connected. Press [b]n[/b] to enter your Wiro API key.")
            return
        if self.app.agent_guid is not None and not force:
            return
        self._picker_open = True

        def chosen(guid: str | None) -> None:
            self._picker_open = False
            if guid:
                self.app.use_agent(guid)
                self._poll_now()
            elif self.app.agent_guid is None:
                self._say("No agent selected. Press [b]a[/b] to pick one.")

        from .agent_picker import AgentPicker  # only needed when no agent is set

        self.app.push_screen(AgentPicker(), chosen)

    def commands(self) -> Iterable[SystemCommand]:
        yield SystemCommand("agent: start", "Ask Wiro to start the agent", self.action_start_agent)
        yield SystemCommand("agent: stop", "Ask Wiro to stop the agent", self.action_stop_agent)
        yield SystemCommand("agent: switch", "Pick another of your agents", self.action_switch_agent)
        yield SystemCommand("overview: refresh", "Reload the agent and recent calls now", self.action_refresh)


# -- text building (pure functions, tested directly) --------------------------------------------


def agent_text(agent: Agent) -> str:
    cls = status_class(agent.status)
    lines = [f"[b]{escape(agent.title)}[/b]"]
    if agent.template_title:
        lines.append(f"[dim]{escape(agent.template_title)}[/dim]")
    status = agent.status_name + (" — restarting to apply a change" if agent.restarting else "")
    lines.append(f"[$agent-{cls}]● {escape(status)}[/] — {escape(status_meaning(agent.status))}")
    lines.append(f"[dim]guid {escape(agent.guid)}[/dim]")
    return "\n".join(lines)


def channel_values(agent: Agent) -> dict[str, str]:
    """The phone channel at a glance, as markup per key; empty when there is no credential yet."""
    cred = agent.credential
    if cred is None or cred.is_empty:
        return {}
    numbers = "\n".join(escape(n) for n in cred.phonenumbers) if cred.phonenumbers else "[$agent-error]none[/]"
    strategy = cred.holdstrategy or "none"
    hold = HOLD_WORDS.get(strategy, strategy)
    if strategy in ("text", "text_then_music") and cred.holdtext:
        voice = cred.holdvoice or "account default voice"
        hold += f' ("{escape(_clip(cred.holdtext, 48))}", {escape(voice)})'
    seconds = cred.maxcallseconds if cred.maxcallseconds is not None else 600
    whitelist = (
        f"[$agent-busy]on[/] — only {len(cred.whitelistedcallers)} listed caller(s) get through, others hear busy"
        if cred.whitelistedcallers
        else "off — every caller is answered"
    )
    token = "set (stored encrypted by Wiro)" if cred.authtoken_set else "[$agent-error]missing[/]"
    return {
        "Numbers": numbers,
        "Hold": hold,
        "Max call": f"{seconds} s ({_minutes(seconds)})",
        "Whitelist": whitelist,
        "Account": escape(cred.accountsid or "(no Account SID)"),
        "Auth token": token,
    }


def setup_hint_text(agent: Agent, *, has_credentials_screen: bool) -> str:
    cred = agent.credential
    missing = []
    if cred is None or not cred.accountsid:
        missing.append("Account SID")
    if cred is None or not cred.authtoken_set:
        missing.append("Auth Token")
    if cred is None or not cred.phonenumbers:
        missing.append("phone numbers")
    what = ", ".join(missing) if missing else "the credential"
    where = (
        "Press [b]e[/b] to open Credentials."
        if has_credentials_screen
        else "Fill them in through the Wiro panel (My Agents → the agent → Credentials → Twilio Voice)."
    )
    return f"[$agent-error]Setup required[/]: Wiro needs {what} before this agent can start. {where}"


def recent_text(sessions: tuple[CallSession, ...], now_ms: int, local=None, latest: int = 6) -> str:
    if not sessions:
        return "No calls yet. Once the agent runs, dial one of its numbers to place a test call."
    c = recent_counts(sessions, now_ms)
    parts = [
        f"[$call-active]{c.active} active[/]",
        f"[$call-incoming]{c.incoming} preparing[/]",
        f"[$call-ended]{c.ended} ended[/]",
        f"[$call-rejected]{c.rejected} rejected[/]",
    ]
    line = " · ".join(parts) + f"   ({c.last_hour} in the last hour, of the last {c.total})"
    notes = []
    if c.max_duration:
        notes.append(f"{c.max_duration} hit the max call length")
    if c.errors:
        notes.append(f"{c.errors} ended in an agent error")
    text = line + ("\n" + " · ".join(notes) if notes else "")
    if local is not None and latest:
        text += "\n\n" + "\n".join(session_line(s, local) for s in sessions[:latest])
    return text


def session_line(session: CallSession, local) -> str:
    started = f"{local(session.started_at_ms / 1000):%H:%M:%S}" if session.started_at_ms else "--:--:--"
    group = status_group(session.status)
    what = end_reason_label(session.end_reason) if group == "ended" else status_label(session.status)
    colour = f"call-{group}" if group in ("incoming", "active", "rejected", "ended") else "foreground"
    return (
        f"{started}  {escape(_clip(caller_label(session), 34)):<34}  "
        f"[${colour}]{escape(_clip(what, 28)):<28}[/]  {duration_text(session.duration_seconds)}"
    )


def _clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def _minutes(seconds: int) -> str:
    if seconds % 60 == 0:
        return f"{seconds // 60} min"
    return f"{seconds / 60:.1f} min"
