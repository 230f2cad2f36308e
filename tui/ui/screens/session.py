"""One session (Message/Detail): what happened, why it ended, and what to do about it."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Iterable, Mapping

from textual import work
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.markup import escape
from textual.message import Message
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Static

from ...calls.catalog import (
    caller_text,
    channel_label,
    duration_text,
    explain_end_reason,
    explain_rejection,
    explain_status,
    is_in_progress,
    live_duration,
    status_group,
)
from ...wiro import CallSession, MessageDetail, WiroError
from ..failures import ReportsWorkerFailures
from ..widgets.header import AppHeader
from ..widgets.key_bar import KeyBar
from ..widgets.key_values import KeyValues

LIVE_POLL_SECONDS = 3.0
#: metadata keys shown in their own sections; every other key is listed generically
SHOWN_KEYS = {"type", "reason", "transcript", "callerProfile", "endReason", "callSid", "channel", "callerInfo"}


@dataclass(frozen=True)
class SessionSnapshot:
    key: str
    detail: MessageDetail | None
    error: WiroError | None


class SessionLoaded(Message):
    def __init__(self, snapshot: SessionSnapshot) -> None:
        super().__init__()
        self.snapshot = snapshot


class SessionScreen(ReportsWorkerFailures, Screen):
    BINDINGS = [
        Binding("escape,backspace", "back", "Back", id="session.back"),
        Binding("right_square_bracket,n", "step(1)", "Next", id="session.next"),
        Binding("left_square_bracket,b", "step(-1)", "Previous", id="session.previous"),
        Binding("c", "copy('callsid')", "Copy call SID", id="session.copy_sid"),
        Binding("g", "copy('guid')", "Copy guid", id="session.copy_guid"),
        Binding("r", "refresh", "Refresh", id="session.refresh"),
    ]

    def __init__(self, key: str, order: list[str], sessions: Mapping[str, CallSession]) -> None:
        super().__init__()
        self.key = key
        self.order = order
        self.sessions = dict(sessions)
        self.detail: MessageDetail | None = None
        self._timer: Timer | None = None

    def compose(self) -> ComposeResult:
        yield AppHeader()
        with VerticalScroll(id="session-body"):
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
        self.load(self.key)

    # -- loading ------------------------------------------------------------------------------------

    @work(exclusive=True, group="session-load", exit_on_error=False)
    async def load(self, key: str) -> None:
        client = self.app.client
        if client is None:
            return
        try:
            detail = await client.message_detail(messageguid=key)
        except WiroError as err:
            self.post_message(SessionLoaded(SessionSnapshot(key, None, err)))
            return
        self.post_message(SessionLoaded(SessionSnapshot(key, detail, None)))

    def on_session_loaded(self, message: SessionLoaded) -> None:
        snap = message.snapshot
        if snap.key != self.key:
            return  # the user stepped to another session meanwhile
        if snap.error is not None:
            self.notify(snap.error.message, title="Could not load the session", severity="error")
        else:
            self.detail = snap.detail
        self._show()
        self._arm()

    def _arm(self) -> None:
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        if self._status() in ("incoming", "active"):  # still in progress: keep it current
            self._timer = self.set_timer(LIVE_POLL_SECONDS, lambda: self.load(self.key))

    def on_screen_suspend(self) -> None:
        if self._timer is not None:
            self._timer.stop()
            self._timer = None

    def _status(self) -> str:
        raw = (self.detail.metadata.get("type") if self.detail else None) or (self.detail.status if self.detail else None)
        row = self.sessions.get(self.key)
        return status_group(raw if isinstance(raw, str) and raw.startswith("realtime_session") else (row.status if row else None))

    # -- showing ------------------------------------------------------------------------------------

    def _show(self) -> None:
        row = self.sessions.get(self.key)
        detail = self.detail
        meta: Mapping[str, Any] = detail.metadata if detail else {}
        status_raw = meta.get("type") if isinstance(meta.get("type"), str) else (row.status if row else None)
        end_raw = meta.get("endReason") if isinstance(meta.get("endReason"), str) else (row.end_reason if row else None)
        position = f"{self.order.index(self.key) + 1} of {len(self.order)}" if self.key in self.order else ""
        status = explain_status(status_raw)
        group = status_group(status_raw)
        colour = f"call-{group}" if group in ("incoming", "active", "rejected", "ended") else "foreground"
        self.query_one("#session-title", Static).update(
            f"[b]Session[/b] {escape(self.key)}  [${colour}]{escape(status.label)}[/]  [dim]{position}[/dim]"
            + ("" if detail or not self.app.client else "  [dim]loading…[/dim]")
        )
        self.query_one("#session-facts", KeyValues).show(self._facts(row, meta))
        self.query_one("#session-why", Static).update(self._why(status_raw, end_raw, meta))
        profile = meta.get("callerProfile") if isinstance(meta.get("callerProfile"), str) else (row.caller_profile if row else None)
        self.query_one("#session-profile", Static).update(
            escape(profile) if profile else "[dim]None: the agent writes one while preparing the call (not for rejected calls).[/dim]"
        )
        self.query_one("#session-transcript", Static).update(transcript_text(meta.get("transcript")))
        other = {k: v for k, v in meta.items() if k not in SHOWN_KEYS}
        if detail is not None:
            for name, value in (("content", detail.content), ("response", detail.response)):
                if value:
                    other[name] = value
        self.query_one("#session-other", KeyValues).show({escape(str(k)): escape(generic(v)) for k, v in other.items()})

    def _facts(self, row: CallSession | None, meta: Mapping[str, Any]) -> dict[str, str]:
        facts: dict[str, str] = {}
        now_ms = int(self.app.clock() * 1000)
        if row is not None:
            facts["Channel"] = escape(channel_label(row.channel))
            facts["Caller"] = escape(caller_text(row))
            if row.page_url:
                facts["Page"] = escape(row.page_url)
            facts["Call SID"] = escape(row.callsid or "—")
            facts["Started"] = self._when(row.started_at_ms)
            facts["Ended"] = self._when(row.ended_at_ms) if row.ended_at_ms else ("still in progress" if is_in_progress(row.status) else "—")
            seconds = live_duration(row, now_ms)
            facts["Duration"] = duration_text(seconds) + (" (so far)" if is_in_progress(row.status) else "") if seconds is not None else "—"
            facts["Model"] = escape(row.model_slug or "—")
        elif isinstance(meta.get("callSid"), str):
            facts["Call SID"] = escape(meta["callSid"])
        facts["Message guid"] = escape(self.key)
        return facts

    def _when(self, epoch_ms: int | None) -> str:
        if not epoch_ms:
            return "—"
        try:
            return f"{self.app.local_time(epoch_ms / 1000):%Y-%m-%d %H:%M:%S}"
        except (OverflowError, OSError, ValueError):
            return str(epoch_ms)

    def _why(self, status_raw: str | None, end_raw: str | None, meta: Mapping[str, Any]) -> str:
        status = explain_status(status_raw)
        lines = [f"[b]Status[/b]: {escape(status.label)} — {escape(status.meaning)}"]
        if status.advice:
            lines.append(f"  → {escape(status.advice)}")
        if status_group(status_raw) == "rejected":
            reason = meta.get("reason") if isinstance(meta.get("reason"), str) else None
            if reason or self.detail is not None:
                why = explain_rejection(reason)
                lines.append(f"[b]Rejected because[/b]: {escape(why.label)} — {escape(why.meaning)}")
                if why.advice:
                    lines.append(f"  → {escape(why.advice)}")
            else:
                lines.append("[b]Rejected because[/b]: [dim]loading the reason…[/dim]")
        elif end_raw:
            end = explain_end_reason(end_raw)
            lines.append(f"[b]Ended because[/b]: {escape(end.label)} — {escape(end.meaning)}")
            if end.advice:
                lines.append(f"  → {escape(end.advice)}")
        return "\n".join(lines)

    # -- actions ------------------------------------------------------------------------------------

    def action_back(self) -> None:
        self.dismiss()

    def action_refresh(self) -> None:
        self.load(self.key)

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
        self.load(self.key)

    def action_copy(self, what: str) -> None:
        row = self.sessions.get(self.key)
        value = self.key if what == "guid" else (row.callsid if row else None)
        if not value:
            self.notify("Nothing to copy.", severity="warning")
            return
        self.app.copy_to_clipboard(value)  # OSC 52: works over SSH in terminals that allow it
        self.notify(f"Copied {value} to the clipboard.", timeout=3)

    def commands(self) -> Iterable[SystemCommand]:
        yield SystemCommand("session: next", "The next session in the list", lambda: self.action_step(1))
        yield SystemCommand("session: previous", "The previous session in the list", lambda: self.action_step(-1))
        yield SystemCommand("session: copy call SID", "Copy the Twilio call SID (OSC 52)", lambda: self.action_copy("callsid"))
        yield SystemCommand("session: copy guid", "Copy the message guid (OSC 52)", lambda: self.action_copy("guid"))


def transcript_text(turns: Any) -> str:
    """Transcript turns, whatever shape they come in; a note when there are none."""
    if not isinstance(turns, list) or not turns:
        return "[dim]No transcript in this session's metadata.[/dim]"
    lines = []
    for turn in turns[:500]:
        if isinstance(turn, dict):
            who = str(turn.get("role") or turn.get("speaker") or "?")
            text = str(turn.get("text") or turn.get("content") or generic({k: v for k, v in turn.items() if k not in ("role", "speaker", "t")}))
            at = turn.get("t")
            stamp = f"[dim]{int(at) // 60:02d}:{int(at) % 60:02d}[/dim] " if isinstance(at, (int, float)) and not isinstance(at, bool) and 0 <= at < 10**7 else ""
            lines.append(f"{stamp}[b]{escape(who)}[/b]: {escape(text)}")
        else:
            lines.append(escape(generic(turn)))
    if len(turns) > 500:
        lines.append(f"[dim]… and {len(turns) - 500} more turns[/dim]")
    return "\n".join(lines)


def generic(value: Any, limit: int = 400) -> str:
    """Any metadata value as one readable line (compact JSON for structures), clipped."""
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)
    text = "".join(c if c.isprintable() else " " for c in text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


