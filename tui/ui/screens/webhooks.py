"""Webhooks: per number, what Wiro said on the last save and what Twilio really routes — plus a whitelist tester.

Two sources side by side: the stored report of the last CredentialUpsert (no network), and a live look at
the Twilio account (only when asked: it needs the Auth Token, which is never stored unless the user says so).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, replace
from typing import Any, Iterable

from textual import on, work
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.markup import escape
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Button, DataTable, Input, Label, Static

from ...common.text import plural
from ...credential.draft import CredentialDraft
from ...credential.payload import upsert_fields
from ...twilio.access import NoAccess, twilio_access
from ...twilio.callerid import check_caller
from ...twilio.verify import verify_numbers, wiro_hosts_for
from ...webhooks.report import build_report
from ...webhooks.store import load_report, report_path, reports_dir, save_report
from ...wiro import WiroError
from ..colours import theme_colour
from ..failures import ReportsWorkerFailures
from ..fresh_styles import FirstShowingKeepsStyles
from ..readiness import readiness
from ..state import Change, subscribe_changes
from ..stylesheets import sheet
from ..widgets.header import AppHeader
from ..widgets.key_bar import KeyBar
from ..widgets.scroll_body import ScrollBody
from . import webhooks_text as text


@dataclass(frozen=True)
class Snapshot:
    """What the screen shows: the credential's numbers and whitelist, the stored report, the live check."""

    generation: int
    guid: str
    title: str = ""
    numbers: tuple[str, ...] = ()
    whitelist: tuple[str, ...] = ()
    accountsid: str = ""
    credential: Any = None
    report: Any = None  # webhooks.report.SaveReport | None
    report_warning: str | None = None
    error: str | None = None


class WebhooksLoaded(Message):
    def __init__(self, snapshot: Snapshot) -> None:
        super().__init__()
        self.snapshot = snapshot


class TwilioChecked(Message):
    def __init__(self, generation: int, check: Any) -> None:
        super().__init__()
        self.generation = generation
        self.check = check


class SavedAgain(Message):
    def __init__(self, generation: int, report: Any, error: str | None) -> None:
        super().__init__()
        self.generation, self.report, self.error = generation, report, error


class WebhooksScreen(FirstShowingKeepsStyles, ReportsWorkerFailures, Screen):
    CSS_PATH = sheet("webhooks")
    BINDINGS = [
        Binding("ctrl+t", "verify", "Verify on Twilio", id="webhooks.verify"),
        Binding("ctrl+g", "save_again", "Save again", id="webhooks.save_again"),
        Binding("r", "reload", "Reload", id="webhooks.reload"),
        Binding("t", "focus_tester", "Whitelist tester", id="webhooks.tester"),
        Binding("escape", "leave", "Back", id="webhooks.back"),
    ]

    def __init__(self) -> None:
        super().__init__(id="webhooks")
        self._snap: Snapshot | None = None
        self._check: Any = None  # twilio.verify.NumbersCheck from the last live verification
        self._rows: list[text.Row] = []

    def compose(self) -> ComposeResult:
        yield AppHeader()
        with ScrollBody(id="webhooks-body"):
            yield Static("Loading…", id="webhooks-state")
            with Horizontal(id="webhooks-banner"):
                yield Static("", id="webhooks-banner-text")
                yield Button("Save again", id="save-again", variant="warning", compact=True)
            with Vertical(id="webhooks-numbers", classes="panel"):
                yield DataTable(id="webhooks-table", cursor_type="row", zebra_stripes=False)
                yield Static("", id="webhooks-detail")
            with Vertical(id="webhooks-twilio", classes="panel"):
                yield Static(text.TOKEN_HELP, id="webhooks-token-help")
                with Horizontal(classes="field-row"):
                    yield Label("Auth Token", classes="field-label")
                    yield Input(password=True, id="in-twilio-token",
                                placeholder="typed here for this session only; or set TWILIO_AUTH_TOKEN")
                with Horizontal(classes="button-row"):
                    yield Button("Verify on Twilio", id="verify", compact=True)
                    yield Static("", id="webhooks-account")
            with Vertical(id="webhooks-tester", classes="panel"):
                with Horizontal(classes="field-row"):
                    yield Label("Caller ID", classes="field-label")
                    yield Input(placeholder="as it arrives: +14155551234, 4155551234, +266696687, client:alice",
                                id="in-caller")
                yield Static("", id="tester-result")
        yield KeyBar()

    def on_mount(self) -> None:
        titles = {"webhooks-numbers": "Numbers", "webhooks-twilio": "What Twilio says",
                  "webhooks-tester": "Whitelist tester"}
        for panel, title in titles.items():
            self.query_one(f"#{panel}").border_title = title
        self.query_one("#webhooks-banner").display = False
        self._widths: dict[str, int] = {}

        subscribe_changes(self, self._app_changed)

    def on_screen_resume(self) -> None:
        if self._snap is None or self._snap.generation != self.app.generation:
            self.call_after_refresh(self.action_reload)

    def _app_changed(self, _change: Change) -> None:
        """Another connection or agent: nothing shown here is about it any more (the live check least of all)."""
        self._snap, self._check, self._rows = None, None, []
        self.query_one("#webhooks-table", DataTable).clear()
        self.query_one("#webhooks-banner").display = False
        self.query_one("#webhooks-detail", Static).update("")
        self.query_one("#webhooks-account", Static).update("")
        self._state("Loading…")
        if self.is_current:
            self.action_reload()

    def action_leave(self) -> None:
        if isinstance(self.focused, Input):
            self.set_focus(None)
        else:
            self.app.go_back()

    # -- loading -----------------------------------------------------------------------------------------

    def action_reload(self) -> None:
        ready = readiness(self.app)
        if not ready.ready:
            self._state(ready.text)
            return
        client, guid = self.app.client, self.app.agent_guid
        self._state("Loading the credential and the last save report…")
        self._load(client, guid, self.app.generation)

    @work(exclusive=True, group="webhooks-load", exit_on_error=False)
    async def _load(self, client: Any, guid: str, generation: int) -> None:
        stored = await asyncio.to_thread(load_report, report_path(reports_dir(self.app.settings.config_path), guid))
        try:
            agent = await client.detail(guid)
        except WiroError as err:
            self.post_message(WebhooksLoaded(Snapshot(generation, guid, report=stored.report,
                                                      report_warning=stored.warning, error=err.message)))
            return
        cred = agent.credential
        self.post_message(WebhooksLoaded(Snapshot(
            generation, guid, agent.title,
            numbers=tuple(cred.phonenumbers) if cred else (),
            whitelist=tuple(cred.whitelistedcallers) if cred else (),
            accountsid=(cred.accountsid or "") if cred else "",
            credential=cred, report=stored.report, report_warning=stored.warning,
        )))

    def on_webhooks_loaded(self, message: WebhooksLoaded) -> None:
        snap = message.snapshot
        if snap.generation != self.app.generation:
            return
        if snap.error and self._snap is not None and self._snap.guid == snap.guid:
            self.notify(f"Could not reload: {snap.error}", severity="warning")
            return
        if self._snap is None or self._snap.guid != snap.guid:
            self._check = None  # another agent: the last live check says nothing about it
        self._snap = snap
        if snap.report_warning:
            self.notify(snap.report_warning, title="Webhook report", severity="warning", timeout=10)
        self._redraw()
        self._tester_changed()

    # -- rendering ------------------------------------------------------------------------------------------

    def _redraw(self) -> None:
        snap = self._snap
        if snap is None:
            return
        self._state(text.state_line(snap, self._check, self.app.local_time))
        banner = text.banner(snap.report)
        self.query_one("#webhooks-banner").display = banner is not None
        if banner:
            self.query_one("#webhooks-banner-text", Static).update(banner)
        self._rows = text.rows(snap.numbers, snap.report, self._check)
        table = self.query_one("#webhooks-table", DataTable)
        cursor_key = self._cursor_key()
        self._set_columns(table)
        table.clear()
        for row in self._rows:
            # height None: a row is as tall as its longest wrapped cell, so nothing is cut at 80 columns
            table.add_row(*text.cells(row, self._colour), key=row.number, height=None)
        if self._rows:
            keys = [r.number for r in self._rows]
            table.move_cursor(row=keys.index(cursor_key) if cursor_key in keys else 0)
        self._show_detail()
        self.query_one("#webhooks-account", Static).update(text.account_line(self._check))

    def _set_columns(self, table: DataTable) -> None:
        """Columns sized to the panel: the long texts wrap instead of running off the right edge."""
        # the panel's inside, less the table's scrollbar and each cell's padding on both sides
        padding = 2 * table.cell_padding * len(text.COLUMNS)
        room = max(40, self.query_one("#webhooks-numbers").content_size.width - max(2, table.styles.scrollbar_size_vertical)
                   - padding)
        widths = text.column_widths(self._rows, room)
        if widths == self._widths:
            return
        self._widths = widths
        table.clear(columns=True)
        for key, label in text.COLUMNS:
            table.add_column(label, key=key, width=widths[key])

    def on_resize(self) -> None:
        if self._snap is not None:
            self._redraw()

    def _cursor_key(self) -> str | None:
        table = self.query_one("#webhooks-table", DataTable)
        if not self._rows or table.cursor_row is None or table.row_count == 0:
            return None
        try:
            return str(table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value)
        except Exception:  # noqa: BLE001 — an empty or shrinking table has no cell under the cursor
            return None

    def _colour(self, variable: str) -> str:
        return theme_colour(self.app, variable)

    @on(DataTable.RowHighlighted, "#webhooks-table")
    def _highlighted(self, _event: DataTable.RowHighlighted) -> None:
        self._show_detail()

    def _show_detail(self) -> None:
        key = self._cursor_key()
        row = next((r for r in self._rows if r.number == key), None)
        self.query_one("#webhooks-detail", Static).update(text.detail(row) if row else "")

    def _state(self, line: str) -> None:
        self.query_one("#webhooks-state", Static).update(line)

    # -- live verification on Twilio -------------------------------------------------------------------------

    def action_verify(self) -> None:
        snap = self._snap
        if snap is None:
            return
        typed = self.query_one("#in-twilio-token", Input).value
        access = twilio_access(snap.accountsid, self.app.settings, typed_token=typed, demo=self.app.sim)
        if isinstance(access, NoAccess) and access.missing == "sid":
            self.query_one("#webhooks-account", Static).update("✖ The credential has no Account SID yet: fill it in on Credentials (e).")
            return
        if isinstance(access, NoAccess):
            self.query_one("#webhooks-account", Static).update(
                "Type the Auth Token above (it stays in memory for this session) or set TWILIO_AUTH_TOKEN.")
            self.query_one("#in-twilio-token", Input).focus()
            return
        sid, token = access.account_sid, access.token
        self.query_one("#webhooks-account", Static).update(f"Looking up {plural(len(snap.numbers), 'number')} on Twilio…")
        self._verify(snap, sid, token)

    @work(exclusive=True, group="webhooks-verify", exit_on_error=False)
    async def _verify(self, snap: Snapshot, sid: str, token: str) -> None:
        settings = self.app.settings
        check = await verify_numbers(snap.numbers, sid, token, settings.twilio_base,
                                     wiro_hosts=wiro_hosts_for(settings.api_base), agent_guid=snap.guid)
        self.post_message(TwilioChecked(snap.generation, check))

    def on_twilio_checked(self, message: TwilioChecked) -> None:
        if message.generation != self.app.generation:
            return
        self._check = message.check
        self._redraw()

    # -- save again (after twilioWebhookError) ------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "save_again":
            return self._snap is not None and self._snap.credential is not None
        return True

    def action_save_again(self) -> None:
        snap = self._snap
        if snap is None or snap.credential is None or not snap.numbers:
            self.notify("There is no saved credential with numbers to send again.", severity="warning")
            return
        self.query_one("#webhooks-banner-text", Static).update("Saving again…")
        self._save_again(self.app.client, snap)

    @work(exclusive=True, group="webhooks-save-again", exit_on_error=False)
    async def _save_again(self, client: Any, snap: Snapshot) -> None:
        draft = CredentialDraft.from_credential(snap.credential)  # no token: Wiro keeps the saved one
        # nor the hold files: Wiro keeps what it stored, and the URLs Detail shows are never written back
        fields = upsert_fields(draft, keep_files=("holdaudio", "holdmusic"))
        try:
            result = await client.credential_upsert(snap.guid, fields)
        except WiroError as err:
            self.post_message(SavedAgain(snap.generation, None, err.message))
            return
        if not result.saved_anything:
            why = "; ".join(e.message for e in result.errors) or "no reason given"
            self.post_message(SavedAgain(snap.generation, None, f"Wiro refused the credential: {why}"))
            return
        report = build_report(result, snap.numbers, agent_guid=snap.guid, now=self.app.clock())
        try:
            await asyncio.to_thread(save_report, report_path(reports_dir(self.app.settings.config_path), snap.guid), report)
        except OSError as err:
            self.notify(f"Saved, but the report could not be kept: {err.strerror or err}", severity="warning")
        self.post_message(SavedAgain(snap.generation, report, None))

    def on_saved_again(self, message: SavedAgain) -> None:
        if message.error:
            self.query_one("#webhooks-banner-text", Static).update(f"✖ Save again failed: {escape(message.error)}")
            return
        if self._snap is not None and message.generation == self.app.generation:
            self._snap = replace(self._snap, report=message.report)
            self._redraw()
            self.notify(text.saved_again_toast(message.report), title="Saved again")

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "verify":
            self.action_verify()
        elif event.button.id == "save-again":
            self.action_save_again()

    # -- whitelist tester ----------------------------------------------------------------------------------------

    def action_focus_tester(self) -> None:
        self.query_one("#in-caller", Input).focus()

    @on(Input.Changed, "#in-caller")
    def _caller_typed(self, _event: Input.Changed) -> None:
        self._tester_changed()

    @on(Input.Submitted, "#in-twilio-token")
    def _token_entered(self, _event: Input.Submitted) -> None:
        self.action_verify()

    def _tester_changed(self) -> None:
        whitelist = self._snap.whitelist if self._snap else ()
        caller = self.query_one("#in-caller", Input).value
        line, level = text.tester_line(check_caller(whitelist, caller), whitelist)
        box = self.query_one("#tester-result", Static)
        box.update(line)
        box.set_classes(level)

    def on_screen_suspend(self) -> None:
        token = self.query_one("#in-twilio-token", Input)
        token.password = True

    def commands(self) -> Iterable[SystemCommand]:
        yield SystemCommand("webhooks: verify numbers", "Look every number up on Twilio and classify its routing", self.action_verify)
        yield SystemCommand("webhooks: save again", "Re-send the saved credential so Wiro re-runs the webhook setup", self.action_save_again)
        yield SystemCommand("webhooks: reload", "Read the credential and the last save report again", self.action_reload)
        yield SystemCommand("webhooks: test a caller", "Would this caller ID reach the agent?", self.action_focus_tester)
