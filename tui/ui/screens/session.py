"""One session (Message/Detail): what happened, why it ended, and what to do about it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Mapping

from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding
from textual.markup import escape
from textual.screen import Screen
from textual.widgets import Static

from ...calls.catalog import duration_text
from ...calls.session import SessionView, session_view
from ...wiro import CallSession, MessageDetail, WiroError
from ..commands import commands_from_bindings
from ..failures import ReportsWorkerFailures
from ..polling import PollAnswer, Poller
from ..stylesheets import sheet
from ..widgets.header import AppHeader
from ..widgets.key_bar import KeyBar
from ..widgets.key_values import KeyValues
from ..widgets.scroll_body import ScrollBody

LIVE_POLL_SECONDS = 3.0


@dataclass(frozen=True)
class SessionSnapshot:
    key: str
    detail: MessageDetail


class SessionScreen(ReportsWorkerFailures, Screen[str]):
    CSS_PATH = sheet("session")
    BINDINGS = [
        Binding("escape,backspace", "back", "Back", id="session.back", tooltip="Back to the call list, on this session"),
        Binding("right_square_bracket", "step(1)", "Next", id="session.next", tooltip="The next session in the list"),
        Binding("left_square_bracket", "step(-1)", "Previous", id="session.previous",
                tooltip="The previous session in the list"),
        Binding("y", "copy('callsid')", "Copy call SID", id="session.copy_sid",
                tooltip="Copy the Twilio call SID (OSC 52, works over SSH)"),
        Binding("Y", "copy('guid')", "Copy guid", id="session.copy_guid",
                tooltip="Copy the message guid (OSC 52, works over SSH)"),
        Binding("r", "refresh", "Refresh", id="session.refresh", tooltip="Load this session again"),
    ]

    def __init__(self, key: str, order: list[str], sessions: Mapping[str, CallSession]) -> None:
        super().__init__()
        self.key = key
        self.order = order
        self.sessions = dict(sessions)
        self.detail: MessageDetail | None = None
        # while the session is in progress it is read again every few seconds; once it has ended, never
        self.poller: Poller[SessionSnapshot] = Poller(self, self._fetch, self._answered, interval=LIVE_POLL_SECONDS,
                                                      group="session-load", ready=self._ready)

    def compose(self) -> ComposeResult:
        yield AppHeader()
        with ScrollBody(id="session-body"):
            yield Static("", id="session-title")
            yield KeyValues(id="session-facts")
            yield Static("", id="session-why", classes="panel")
            yield Static("", id="session-profile", classes="panel")
            yield Static("", id="session-transcript", classes="panel")
            yield KeyValues(id="session-other")
        yield KeyBar()

    def on_mount(self) -> None:
        self.query_one("#session-why").border_title = "What happened"
        self.query_one("#session-profile").border_title = "Caller profile"
        self.query_one("#session-transcript").border_title = "Transcript"
        self._show()

    # -- loading ------------------------------------------------------------------------------------

    def on_screen_resume(self) -> None:
        # the first time: load; back from the palette or another modal: pick the live refresh up again
        self.poller.resume()

    def on_screen_suspend(self) -> None:
        self.poller.suspend()

    def _ready(self) -> bool:
        return self.app.client is not None

    async def _fetch(self) -> SessionSnapshot:
        client, key = self.app.client, self.key
        if client is None:
            raise WiroError("Not connected.")
        return SessionSnapshot(key, await client.message_detail(messageguid=key))

    def _answered(self, answer: PollAnswer[SessionSnapshot]) -> None:
        if answer.error is not None:
            if self.poller.failures == 1:  # once per run of failures, not at every automatic retry
                self.notify(answer.error.message, title="Could not load the session", severity="error")
        elif answer.value is not None and answer.value.key == self.key:
            self.detail = answer.value.detail
        self._show()
        if self._status() not in ("incoming", "active"):
            self.poller.stop()  # it has ended: nothing more will change

    def _status(self) -> str:
        return self._view().group

    # -- showing ------------------------------------------------------------------------------------

    def _view(self) -> SessionView:
        """The session as far as it is known: the history row alone until Message/Detail arrives."""
        detail = self.detail or MessageDetail(guid=self.key)
        return session_view(detail, self.sessions.get(self.key), int(self.app.clock() * 1000))

    def _show(self) -> None:
        view = self._view()
        loading = self.detail is None and self.app.client is not None
        position = f"{self.order.index(self.key) + 1} of {len(self.order)}" if self.key in self.order else ""
        colour = f"call-{view.group}" if view.group in ("incoming", "active", "rejected", "ended") else "foreground"
        self.query_one("#session-title", Static).update(
            f"[b]Session[/b] {escape(self.key)}  [${colour}]{escape(view.status.label)}[/]  [dim]{position}[/dim]"
            + ("  [dim]loading…[/dim]" if loading else "")
        )
        self.query_one("#session-facts", KeyValues).show(self._facts(view))
        self.query_one("#session-why", Static).update(why_text(view, loading))
        self.query_one("#session-profile", Static).update(
            escape(view.caller_profile)
            if view.caller_profile
            else "[dim]None: the agent writes one while preparing the call (not for rejected calls).[/dim]"
        )
        self.query_one("#session-transcript", Static).update(transcript_text(view))
        other = {"content": view.content, "response": view.summary, **dict(view.other)}
        self.query_one("#session-other", KeyValues).show({escape(k): escape(v) for k, v in other.items() if v})

    def _facts(self, view: SessionView) -> dict[str, str]:
        facts = {"Channel": escape(view.channel_label), "Caller": escape(view.caller or "—")}
        if view.page_url:
            facts["Page"] = escape(view.page_url)
        facts["Call SID"] = escape(view.call_sid or "—")
        facts["Started"] = self._when(view.started_ms)
        facts["Ended"] = self._when(view.ended_ms) if view.ended_ms else ("still in progress" if view.in_progress else "—")
        if view.duration_seconds is not None:
            facts["Duration"] = duration_text(view.duration_seconds) + (" (so far)" if view.in_progress else "")
        else:
            facts["Duration"] = "—"
        facts["Model"] = escape(view.model or "—")
        facts["Message guid"] = escape(self.key)
        return facts

    def _when(self, epoch_ms: int | None) -> str:
        if not epoch_ms:
            return "—"
        try:
            return f"{self.app.local_time(epoch_ms / 1000):%Y-%m-%d %H:%M:%S}"
        except (OverflowError, OSError, ValueError):
            return str(epoch_ms)

    # -- actions ------------------------------------------------------------------------------------

    def action_back(self) -> None:
        self.dismiss(self.key)  # the call list puts its cursor on the session viewed last

    def action_refresh(self) -> None:
        self.poller.refresh()

    def action_step(self, delta: int) -> None:
        if self.key not in self.order:
            return
        index = self.order.index(self.key) + delta
        if not 0 <= index < len(self.order):
            self.notify("No more sessions in that direction.", timeout=2)
            return
        self.key = self.order[index]
        self.detail = None
        self._show()
        self.poller.reset()  # an answer about the session left behind is dropped
        self.poller.refresh()

    def action_copy(self, what: str) -> None:
        row = self.sessions.get(self.key)
        value = self.key if what == "guid" else (row.callsid if row else None)
        if not value:
            self.notify("Nothing to copy.", severity="warning")
            return
        self.app.copy_to_clipboard(value)  # OSC 52: works over SSH in terminals that allow it
        self.notify(f"Copied {value} to the clipboard.", timeout=3)

    def commands(self) -> Iterable[SystemCommand]:
        return commands_from_bindings(self, "session")


def why_text(view: SessionView, loading: bool) -> str:
    """Status, then the end or rejection reason, each with what it means and what to do."""
    lines = [f"[b]Status[/b]: {escape(view.status.label)} — {escape(view.status.meaning)}"]
    if view.status.advice:
        lines.append(f"  → {escape(view.status.advice)}")
    for title, why in (("Rejected because", view.rejection), ("Ended because", view.end_reason)):
        if why is None:
            continue
        if title == "Rejected because" and loading:
            lines.append(f"[b]{title}[/b]: [dim]loading the reason…[/dim]")
            continue
        lines.append(f"[b]{title}[/b]: {escape(why.label)} — {escape(why.meaning)}")
        if why.advice:
            lines.append(f"  → {escape(why.advice)}")
    return "\n".join(lines)


def transcript_text(view: SessionView) -> str:
    """Transcript turns with their time into the call; a note when there are none."""
    if not view.transcript:
        return "[dim]No transcript in this session's metadata.[/dim]"
    lines = []
    for turn in view.transcript:
        at = turn.at_seconds
        stamp = f"[dim]{int(at) // 60:02d}:{int(at) % 60:02d}[/dim] " if at is not None and 0 <= at < 10**7 else ""
        lines.append(f"{stamp}[b]{escape(turn.role)}[/b]: {escape(turn.text)}")
    return "\n".join(lines)
