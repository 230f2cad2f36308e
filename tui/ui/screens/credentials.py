"""Credentials: the twilio-voice form, checked on every keystroke, verified with Twilio, saved through Wiro.

Everything here is presentation: the rules, the payload and the save live in `tui.credential`. Edits are
compared with what Wiro returned (the dirty marker), kept as a draft on disk without the token, and never
lost when a save fails.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable

from textual import on, work
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.markup import escape
from textual.message import Message
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Button, Input, Label, ProgressBar, Select, Static, TextArea

from ...credential.draft import CredentialDraft
from ...credential.drafts import discard_draft, draft_path, load_draft, save_draft
from ...problems import Problem
from ...twilio.access import NoAccess, twilio_access
from ...wiro import WiroError
from ..failures import ReportsWorkerFailures
from ..stylesheets import sheet
from ..widgets.header import AppHeader
from ..widgets.key_bar import KeyBar
from ..widgets.list_editor import ListEditor, problem_line
from . import credentials_text as text
from .confirm import Confirm

SCALAR_INPUTS = ("accountsid", "authtoken", "maxcallseconds", "holdvoice", "holdaudio", "holdmusic")
LIST_FIELDS = ("phonenumbers", "whitelistedcallers")
REQUIRED = ("accountsid", "authtoken", "phonenumbers")
DRAFT_DELAY = 1.0  # seconds of quiet before the draft is written


@dataclass(frozen=True)
class Loaded:
    generation: int
    guid: str
    title: str
    draft: CredentialDraft | None
    error: str | None
    agent: Any = None  # the agent as Detail answered (its status decides whether a save ends with Update)


class CredentialLoaded(Message):
    def __init__(self, loaded: Loaded) -> None:
        super().__init__()
        self.loaded = loaded


class SaveProgress(Message):
    def __init__(self, label: str, done: int, total: int | None) -> None:
        super().__init__()
        self.label, self.done, self.total = label, done, total

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, SaveProgress)


class SaveFinished(Message):
    def __init__(self, outcome: Any, draft: CredentialDraft) -> None:
        super().__init__()
        self.outcome = outcome
        self.draft = draft


class VerifyFinished(Message):
    def __init__(self, text: str, level: str) -> None:
        super().__init__()
        self.text, self.level = text, level


class FileFixed(Message):
    def __init__(self, name: str, path: str | None, error: str | None) -> None:
        super().__init__()
        self.name, self.path, self.error = name, path, error


class FilesProbed(Message):
    """A newly chosen hold file has been read: check the form again."""


class CredentialsScreen(ReportsWorkerFailures, Screen):
    CSS_PATH = sheet("credentials")
    BINDINGS = [
        Binding("ctrl+s", "save", "Save", id="credentials.save"),
        Binding("ctrl+t", "verify", "Verify with Twilio", id="credentials.verify"),
        Binding("ctrl+r", "revert", "Revert", id="credentials.revert"),
        Binding("f2", "toggle_token", "Show/hide token", id="credentials.toggle"),
        Binding("f3", "pick", "Pick voice/file", id="credentials.pick"),
        Binding("ctrl+f", "fix", "Apply fix", id="credentials.fix"),
        Binding("escape", "leave", "Back", id="credentials.back"),
    ]

    def __init__(self) -> None:
        super().__init__(id="credentials")
        self._generation: int | None = None  # the connection/agent the form was loaded for
        self._guid: str | None = None
        self._loaded: CredentialDraft | None = None  # what Wiro has
        self._touched: set[str] = set()
        self._problems: tuple[Problem, ...] = ()
        self._saving = False
        self._draft_timer: Timer | None = None
        self._filling = False  # True while the form is being filled from code (not the user's edits)
        self._agent: Any = None  # the agent as last read (Detail, or after a save)
        self._server_errors: dict[str, list[str]] = {}  # Wiro's refusals from the last save, by field

    # -- layout -----------------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield AppHeader()
        with VerticalScroll(id="cred-body"):
            yield Static("Loading the credential…", id="cred-state")
            with Horizontal(id="cred-draft"):
                yield Static("", id="cred-draft-text")
                yield Button("Restore", id="draft-restore", variant="primary", compact=True)
                yield Button("Discard", id="draft-discard", compact=True)
            with Vertical(id="cred-account", classes="panel"):
                yield from self._input_row("accountsid", "Account SID", "AC followed by 32 hex characters (Twilio Console → Account info)")
                yield from self._input_row("authtoken", "Auth Token", "the Live Auth Token (32 characters)", password=True)
                with Horizontal(classes="button-row"):
                    yield Button("Verify with Twilio", id="verify", compact=True)
                    yield Button("Show token", id="toggle-token", compact=True)
                    yield Static("", id="verify-result")
            with Vertical(id="cred-numbers", classes="panel"):
                yield Static("", id="msg-phonenumbers", classes="field-message")
                yield ListEditor(placeholder="+14155551234 — paste many: comma, space or newline separated",
                                 split=text.split_values, id="list-phonenumbers")
            with Vertical(id="cred-calls", classes="panel"):
                yield from self._input_row("maxcallseconds", "Max call (s)", "600 — each call is cut off after this many seconds")
                yield Label("Whitelist", classes="field-label")
                yield Static("", id="msg-whitelistedcallers", classes="field-message")
                yield ListEditor(placeholder="empty = everyone may call; add caller IDs to allow only them",
                                 split=text.split_values, id="list-whitelistedcallers")
            with Vertical(id="cred-hold", classes="panel"):
                with Horizontal(classes="field-row"):
                    yield Label("Strategy", classes="field-label")
                    yield Select(text.STRATEGY_OPTIONS, value="none", allow_blank=False, id="in-holdstrategy", compact=True)
                yield Static("", id="msg-holdstrategy", classes="field-message")
                with Vertical(id="row-holdtext", classes="hold-field"):
                    yield Label("Hold text", classes="field-label")
                    yield TextArea("", id="in-holdtext", soft_wrap=True, show_line_numbers=False, compact=True)
                    yield Static("", id="count-holdtext", classes="field-note")
                    yield Static("", id="msg-holdtext", classes="field-message")
                with Vertical(id="row-holdvoice", classes="hold-field"):
                    yield from self._input_row("holdvoice", "Voice", "empty = the Twilio account's default; F3 lists the voices")
                with Vertical(id="row-holdaudio", classes="hold-field"):
                    yield from self._input_row("holdaudio", "Greeting", "a local MP3/WAV (F3 to choose) or an https URL")
                with Vertical(id="row-holdmusic", classes="hold-field"):
                    yield from self._input_row("holdmusic", "Music", "a local MP3/WAV (F3 to choose) or an https URL")
            with Horizontal(id="cred-buttons", classes="button-row"):
                yield Button("Save", id="save", variant="success", compact=True)
                yield Button("Revert", id="revert", compact=True)
                yield Static("", id="save-reason")
            yield ProgressBar(id="save-progress", show_eta=False)
            yield Static("", id="save-result")
        yield KeyBar()

    def _input_row(self, name: str, label: str, placeholder: str, *, password: bool = False) -> ComposeResult:
        with Horizontal(classes="field-row"):
            yield Label(label, classes="field-label")
            yield Input(placeholder=placeholder, id=f"in-{name}", password=password)
        yield Static("", id=f"note-{name}", classes="field-note")
        yield Static("", id=f"msg-{name}", classes="field-message")

    def on_mount(self) -> None:
        titles = {"cred-account": "Twilio account", "cred-numbers": "Phone numbers",
                  "cred-calls": "Calls", "cred-hold": "While the agent connects (hold)"}
        for panel, title in titles.items():
            self.query_one(f"#{panel}").border_title = title
        for hidden in ("#cred-draft", "#save-progress", "#save-result"):
            self.query_one(hidden).display = False
        self.query_one("#in-holdtext", TextArea).show_cursor = True
        self._validate()

    def on_screen_resume(self) -> None:
        if self._generation != self.app.generation:
            self.call_after_refresh(self._load)

    def on_screen_suspend(self) -> None:
        token = self.query_one("#in-authtoken", Input)
        if not token.password:  # never leave the token shown for the next visit or a screenshot
            self.action_toggle_token()
        self._write_draft_now()

    def connection_changed(self) -> None:
        self._load()

    # -- loading ------------------------------------------------------------------------------------------

    def _load(self) -> None:
        client, guid = self.app.client, self.app.agent_guid
        if self.dirty and self._guid:
            self._write_draft_now()  # the edits for the previous agent stay on disk
        if client is None or guid is None:
            waiting = "Connecting to the demo…" if getattr(self.app, "demo_starting", False) else (
                "No agent chosen: pick one on the Overview (o, then a)." if client is not None
                else "Not connected: set your Wiro API key on the Connection screen (n).")
            self._state(waiting)
            return
        self._state("Loading the credential…")
        self._fetch(client, guid, self.app.generation)

    @work(exclusive=True, group="credentials-load", exit_on_error=False)
    async def _fetch(self, client: Any, guid: str, generation: int) -> None:
        try:
            agent = await client.detail(guid)
        except WiroError as err:
            self.post_message(CredentialLoaded(Loaded(generation, guid, "", None, err.message, None)))
            return
        draft = CredentialDraft.from_credential(agent.credential) if agent.credential else CredentialDraft()
        self.post_message(CredentialLoaded(Loaded(generation, guid, agent.title, draft, None, agent)))

    def on_credential_loaded(self, message: CredentialLoaded) -> None:
        loaded = message.loaded
        if loaded.generation != self.app.generation:
            return
        if loaded.draft is None:
            if self._loaded is None:
                self._state(f"✖ Could not load the credential: {escape(loaded.error or '')} Press Ctrl+R to try again.", "error")
            else:  # keep what is on screen; say the refresh failed
                self.notify(f"Could not reload the credential: {loaded.error}", severity="warning")
            return
        self._generation, self._guid, self._title = loaded.generation, loaded.guid, loaded.title
        self._loaded = loaded.draft
        self._agent = loaded.agent
        self._server_errors = {}
        self._touched.clear()
        self._fill(loaded.draft)
        self._offer_stored_draft()

    # -- the form <-> a draft ---------------------------------------------------------------------------------

    def _fill(self, draft: CredentialDraft) -> None:
        self._filling = True
        try:
            self.query_one("#in-accountsid", Input).value = draft.accountsid
            self.query_one("#in-authtoken", Input).value = draft.authtoken or ""
            self.query_one("#in-authtoken", Input).placeholder = (
                "type a new token only to replace the saved one" if draft.token_on_server
                else "the Live Auth Token (32 characters)")
            self.query_one("#in-maxcallseconds", Input).value = draft.maxcallseconds
            self.query_one("#in-holdstrategy", Select).value = draft.holdstrategy or "none"
            self.query_one("#in-holdtext", TextArea).text = draft.holdtext
            for name in ("holdvoice", "holdaudio", "holdmusic"):
                self.query_one(f"#in-{name}", Input).value = getattr(draft, name)
            for name in LIST_FIELDS:
                self.query_one(f"#list-{name}", ListEditor).set_items(getattr(draft, name))
        finally:
            self._filling = False
        self._validate()

    def current_draft(self) -> CredentialDraft:
        """The form as it stands, including list text typed but not added yet."""
        base = self._loaded or CredentialDraft()
        value = lambda name: self.query_one(f"#in-{name}", Input).value  # noqa: E731
        strategy = self.query_one("#in-holdstrategy", Select).value
        return base.replace(
            accountsid=value("accountsid"),
            authtoken=value("authtoken") or None,
            phonenumbers=self.query_one("#list-phonenumbers", ListEditor).values_with_pending(),
            whitelistedcallers=self.query_one("#list-whitelistedcallers", ListEditor).values_with_pending(),
            maxcallseconds=value("maxcallseconds"),
            holdstrategy=strategy if isinstance(strategy, str) else "none",
            holdtext=self.query_one("#in-holdtext", TextArea).text,
            holdvoice=value("holdvoice"),
            holdaudio=value("holdaudio"),
            holdmusic=value("holdmusic"),
        )

    @property
    def dirty(self) -> bool:
        return bool(self.changed_fields())

    def changed_fields(self) -> list[str]:
        if self._loaded is None:
            return []
        return text.changed_fields(self._loaded, self.current_draft())

    def has_unsaved_edits(self) -> bool:
        return self.dirty

    @property
    def loaded(self) -> bool:
        return self._loaded is not None

    def use_hold_file(self, name: str, path: str, strategy: str) -> None:
        """Put a file in a hold field and choose the strategy (the premix offers this)."""
        self.query_one("#in-holdstrategy", Select).value = strategy
        self._set_field(name, path)
        self._touched.update({name, "holdstrategy"})
        self._validate()
        self._schedule_draft()

    def keep_draft(self) -> None:
        """Write the draft now (the app is quitting)."""
        self._write_draft_now()

    # -- validation on every keystroke ------------------------------------------------------------------------

    @on(Input.Changed)
    def _input_changed(self, event: Input.Changed) -> None:
        name = (event.input.id or "").removeprefix("in-")
        if name in SCALAR_INPUTS:
            self._edited(name, event.input.has_focus)

    @on(TextArea.Changed, "#in-holdtext")
    def _text_changed(self, event: TextArea.Changed) -> None:
        self._edited("holdtext", event.text_area.has_focus)

    @on(Select.Changed, "#in-holdstrategy")
    def _strategy_changed(self, _event: Select.Changed) -> None:
        self._edited("holdstrategy", True)

    @on(ListEditor.Changed)
    def _list_changed(self, event: ListEditor.Changed) -> None:
        self._edited((event.editor.id or "").removeprefix("list-"), True)

    def _edited(self, name: str, by_user: bool) -> None:
        if self._filling:
            return
        if by_user:
            self._touched.add(name)
            # Wiro's refusal of this field belonged to the value it was sent; an edit answers it
            for field in [f for f in self._server_errors if text.base_field(f) == name]:
                del self._server_errors[field]
        self._validate()
        self._schedule_draft()

    def _validate(self) -> tuple[Problem, ...]:
        from ...credential.rules import validate

        draft = self.current_draft()
        problems = tuple(validate(draft, files=self._files_ready(draft)).problems)
        self._problems = problems
        by_field = text.group_problems(problems)
        for name in (*SCALAR_INPUTS, "holdstrategy", "holdtext"):
            shown = [] if self._hide_untouched(name, draft) else by_field.get(name, [])
            self._show(name, shown)
        for name in LIST_FIELDS:
            editor = self.query_one(f"#list-{name}", ListEditor)
            whole = [] if self._hide_untouched(name, draft) else by_field.get(name, [])
            self._show(name, whole)
            items, pending = text.item_problems(by_field, name, len(editor.items))
            editor.show_problems(items, pending)
        self._show_notes(draft)
        self._show_strategy_fields(draft)
        self._show_state(draft, problems)
        return problems

    def _files_ready(self, draft: CredentialDraft) -> bool:
        """True when validating reads no file: each local hold file was probed before (or is not there).
        A newly chosen file is probed in a worker (up to ~100 ms for 10 MB), then the form is checked again."""
        from ...credential.probes import cached_probe
        from ...credential.rules import is_url

        fresh = []
        for name in ("holdaudio", "holdmusic"):
            value = getattr(draft, name).strip()
            if value and not is_url(value) and cached_probe(value) is None and Path(value).expanduser().is_file():
                fresh.append(value)
        if fresh:
            self._probe_files(tuple(fresh))
        return not fresh

    @work(exclusive=True, group="credentials-probe", thread=True, exit_on_error=False)
    def _probe_files(self, paths: tuple[str, ...]) -> None:
        from ...credential.probes import probe_cached
        from ...hold.probe import ProbeError

        for path in paths:
            try:
                probe_cached(path)
            except (ProbeError, OSError):
                pass  # remembered as a problem by the cache, or reported by the next check
        self.post_message(FilesProbed())

    def on_files_probed(self, _message: "FilesProbed") -> None:
        self._validate()

    def _hide_untouched(self, name: str, draft: CredentialDraft) -> bool:
        """An empty required field is not an error until the user has typed there or tried to save."""
        return name in REQUIRED and name not in self._touched and not text.has_value(draft, name)

    def _show(self, name: str, problems: list[Problem]) -> None:
        box = self.query_one(f"#msg-{name}", Static)
        refused = [m for f, messages in self._server_errors.items() if text.base_field(f) == name for m in messages]
        lines = [problem_line(p) for p in problems] + [f"✖ Wiro refused it: {escape(m)}" for m in refused]
        box.update("\n".join(lines))
        box.display = bool(lines)
        errors = any(p.blocks for p in problems) or bool(refused)
        box.set_class(errors, "error")
        box.set_class(bool(problems) and not errors, "warning")
        if name in SCALAR_INPUTS:
            self.query_one(f"#in-{name}", Input).set_class(errors, "invalid-field")

    def _show_notes(self, draft: CredentialDraft) -> None:
        self.query_one("#count-holdtext", Static).update(text.holdtext_note(draft.holdtext))
        notes = {
            "authtoken": text.token_note(draft),
            "holdvoice": text.voice_note(draft.holdvoice),
            "holdaudio": text.file_note(draft.holdaudio),
            "holdmusic": text.file_note(draft.holdmusic),
            "accountsid": "",
            "maxcallseconds": "",
        }
        for name, note in notes.items():
            box = self.query_one(f"#note-{name}", Static)
            box.update(note)
            box.display = bool(note)

    def _show_strategy_fields(self, draft: CredentialDraft) -> None:
        used = text.fields_used(draft.holdstrategy or "none")
        for name in ("holdtext", "holdvoice", "holdaudio", "holdmusic"):
            # a field the strategy ignores stays visible while it holds a value, so it can be cleared
            self.query_one(f"#row-{name}").display = name in used or bool(getattr(draft, name).strip())

    def _show_state(self, draft: CredentialDraft, problems: tuple[Problem, ...]) -> None:
        if self._loaded is None:
            return
        changed = text.changed_fields(self._loaded, draft)
        self._state(text.state_line(getattr(self, "_title", ""), changed))
        errors = [p for p in problems if p.blocks]
        save = self.query_one("#save", Button)
        save.disabled = bool(errors) or self._saving
        self.query_one("#revert", Button).disabled = not changed or self._saving
        self.query_one("#save-reason", Static).update(text.save_reason(errors, changed, self._saving))

    def _state(self, line: str, level: str = "") -> None:
        box = self.query_one("#cred-state", Static)
        box.update(line)
        box.set_classes(level)

    # -- drafts --------------------------------------------------------------------------------------------

    def _draft_file(self):
        return draft_path(self.app.settings.config_path, self._guid) if self._guid else None

    def _schedule_draft(self) -> None:
        if self._draft_timer is not None:
            self._draft_timer.stop()
        self._draft_timer = self.set_timer(DRAFT_DELAY, self._write_draft_now)

    def _write_draft_now(self) -> None:
        if self._draft_timer is not None:
            self._draft_timer.stop()
            self._draft_timer = None
        path = self._draft_file()
        if path is None or self._loaded is None:
            return
        try:
            if self.dirty:
                draft = self.current_draft()
                save_draft(path, text.draft_values(draft), token_was_typed=draft.authtoken is not None,
                           now=self.app.clock())
            else:
                discard_draft(path)
        except OSError as err:
            self.notify(f"Could not keep a draft in {path.parent}: {err.strerror or err}", severity="warning")

    def _offer_stored_draft(self) -> None:
        path = self._draft_file()
        stored = load_draft(path) if path else None
        bar = self.query_one("#cred-draft")
        if stored is None or self._loaded is None:
            bar.display = False
            return
        candidate = text.apply_values(self._loaded, stored.values)
        if not text.changed_fields(self._loaded, candidate):
            bar.display = False
            return
        self._stored = stored
        self.query_one("#cred-draft-text", Static).update(text.draft_offer(stored, self._loaded, self.app.local_time))
        bar.display = True

    def action_restore_draft(self) -> None:
        stored = getattr(self, "_stored", None)
        if stored is None or self._loaded is None:
            return
        self._fill(text.apply_values(self._loaded, stored.values))
        self._touched.update(stored.values)
        self.query_one("#cred-draft").display = False
        if stored.token_was_typed:
            self.notify("The Auth Token you typed was not kept (secrets never go to disk): type it again before saving.",
                        title="Draft restored", timeout=8)

    def action_discard_draft(self) -> None:
        path = self._draft_file()
        if path is not None:
            discard_draft(path)
        self.query_one("#cred-draft").display = False

    # -- buttons and keys -----------------------------------------------------------------------------------

    def on_button_pressed(self, event: Button.Pressed) -> None:
        actions = {"save": self.action_save, "revert": self.action_revert, "verify": self.action_verify,
                   "toggle-token": self.action_toggle_token, "draft-restore": self.action_restore_draft,
                   "draft-discard": self.action_discard_draft}
        action = actions.get(event.button.id or "")
        if action is not None:
            event.stop()
            action()

    def action_toggle_token(self) -> None:
        token = self.query_one("#in-authtoken", Input)
        token.password = not token.password
        self.query_one("#toggle-token", Button).label = "Show token" if token.password else "Hide token"

    def action_leave(self) -> None:
        """Escape: out of a field first, then back to the Overview (asking first when there are edits)."""
        focused = self.focused
        if focused is not None and focused.parent is not None and isinstance(focused.parent, ListEditor):
            if focused.parent.cancel_edit():
                return
        if isinstance(focused, (Input, TextArea)):
            self.set_focus(None)
            return
        if not self.dirty:
            self.app.switch_mode("overview")
            return

        def answered(answer: str | None) -> None:
            if answer == "leave":
                self._write_draft_now()
                self.app.switch_mode("overview")
            elif answer == "discard":
                self._fill(self._loaded or CredentialDraft())
                self._write_draft_now()
                self.app.switch_mode("overview")

        self.app.push_screen(
            Confirm("Unsaved edits", text.leave_question(self.changed_fields()),
                    [("Keep editing", "cancel", "primary"), ("Leave (keep the draft)", "leave", "default"),
                     ("Discard edits", "discard", "error")]),
            answered,
        )

    def action_revert(self) -> None:
        if self._loaded is None:
            self._load()
            return
        if not self.dirty:
            return

        def answered(answer: str | None) -> None:
            if answer == "revert":
                self._fill(self._loaded or CredentialDraft())
                self._touched.clear()
                self._write_draft_now()
                self.notify("Back to what Wiro has.", title="Reverted")

        self.app.push_screen(
            Confirm("Revert", text.revert_question(self.changed_fields()),
                    [("Keep editing", "cancel", "primary"), ("Revert", "revert", "error")]),
            answered,
        )

    def action_pick(self) -> None:
        focused = self.focused
        name = (getattr(focused, "id", "") or "").removeprefix("in-")
        if name == "holdvoice":
            from .voice_picker import VoicePicker

            self.app.push_screen(VoicePicker(self.query_one("#in-holdvoice", Input).value),
                                 lambda chosen: self._set_field("holdvoice", chosen))
        elif name in ("holdaudio", "holdmusic"):
            from .file_picker import FilePicker

            title = "Choose the greeting" if name == "holdaudio" else "Choose the hold music"
            current = self.query_one(f"#in-{name}", Input).value
            self.app.push_screen(FilePicker(title, current), lambda chosen: self._set_field(name, chosen))
        else:
            self.notify("F3 picks a voice (in the Voice field) or a file (in the Greeting or Music field).")

    def _set_field(self, name: str, value: str | None) -> None:
        if value is None:
            return
        box = self.query_one(f"#in-{name}", Input)
        box.value = value
        box.focus()
        self._touched.add(name)

    def _finding_to_fix(self) -> Any:
        """The finding with a fix for what has focus: a field, or one element of a list."""
        focused = self.focused
        field = (getattr(focused, "id", "") or "").removeprefix("in-")
        for editor in self.query(ListEditor):
            if editor.has_focus_within:
                index = editor.target_index()
                field = f"{(editor.id or '').removeprefix('list-')}[{index}]" if index is not None else ""
        return next((p for p in self._problems if p.field == field and getattr(p, "fix_action", None)), None)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "fix":
            return self._finding_to_fix() is not None or any(getattr(p, "fix_action", None) for p in self._problems)
        return True

    def action_fix(self) -> None:
        """Apply the fix offered for what has focus (the E.164 form, a mono copy…), else every offered fix."""
        from ...credential.rules import MONO_COPY

        finding = self._finding_to_fix()
        findings = [finding] if finding is not None else [p for p in self._problems if getattr(p, "fix_action", None)]
        if not findings:
            self.notify("Nothing here has a fix to apply.")
            return
        for item in findings:
            if item.fix_action == MONO_COPY:
                self._state("Writing a mono copy…")
                self._mono_copy(self.current_draft(), item)
                return
        self._apply_fixes(findings)

    def _apply_fixes(self, findings: list[Any]) -> None:
        from ...credential.fixes import apply_fix

        draft = self.current_draft()
        # one at a time, from the last list element back, so earlier indices stay right
        for item in sorted(findings, key=lambda f: f.field, reverse=True):
            draft = apply_fix(draft, item)
        self._touched.update(text.base_field(f.field) for f in findings)
        self._fill(draft)
        self._schedule_draft()

    @work(exclusive=True, group="credentials-mono", exit_on_error=False)
    async def _mono_copy(self, draft: CredentialDraft, finding: Any) -> None:
        from ...credential.fixes import write_mono_copy as apply_fix
        from ...hold.probe import ProbeError

        name = text.base_field(finding.field)
        try:
            fixed = await asyncio.to_thread(apply_fix, draft, finding)
        except (ProbeError, OSError) as err:
            self.post_message(FileFixed(name, None, getattr(err, "message", None) or getattr(err, "strerror", None) or "it could not be written"))
            return
        self.post_message(FileFixed(name, getattr(fixed, name), None))

    def on_file_fixed(self, message: FileFixed) -> None:
        if message.path is None:
            self.notify(f"No mono copy was written: {message.error}", severity="error")
        else:
            self._set_field(message.name, message.path)
            self.notify(f"Wrote {message.path}; the field now uses it.", title="Mono copy")
        self._validate()

    # -- verify with Twilio ----------------------------------------------------------------------------------

    def action_verify(self) -> None:
        draft = self.current_draft()
        sid_problems = [p for p in self._problems if p.field == "accountsid" and p.blocks]
        if not draft.accountsid.strip() or sid_problems:
            self._verify_result("✖ Fix the Account SID first.", "error")
            return
        # the pair in the form is what is checked: TWILIO_ACCOUNT_SID does not replace the form's SID
        access = twilio_access(draft.accountsid, self.app.settings, typed_token=draft.authtoken, demo=self.app.sim,
                               sid_from_env=False)
        if isinstance(access, NoAccess):
            self._verify_result("Type the Auth Token to verify: Wiro never sends the saved one back.", "warning")
            return
        self._verify_result("Asking Twilio…", "")
        self._verify(access.account_sid, access.token, self.app.settings.twilio_base)

    @work(exclusive=True, group="credentials-verify", exit_on_error=False)
    async def _verify(self, sid: str, token: str, base: str) -> None:
        from ...twilio.verify import verify_pair

        check = await verify_pair(sid, token, base)
        line, level = text.account_check_line(check)
        self.post_message(VerifyFinished(line, level))

    def on_verify_finished(self, message: VerifyFinished) -> None:
        self._verify_result(message.text, message.level)

    def _verify_result(self, line: str, level: str) -> None:
        box = self.query_one("#verify-result", Static)
        box.update(line)
        box.set_classes(level)

    # -- save ------------------------------------------------------------------------------------------------

    def action_save(self) -> None:
        if self._saving:
            return
        if self._loaded is None or self._guid is None:
            self.notify("The credential has not loaded yet.", severity="warning")
            return
        for name in LIST_FIELDS:
            self.query_one(f"#list-{name}", ListEditor).commit_pending()  # typed but not added: keep it
        self._touched.update(REQUIRED)
        problems = self._validate()
        errors = [p for p in problems if p.blocks]
        if errors:
            self._save_result(text.blocked_line(errors), "error")
            return
        client = self.app.client
        if client is None:
            self._save_result("✖ Not connected to Wiro.", "error")
            return
        self._saving = True
        self._validate()
        self._save_result("Saving…", "")
        self._save(client, self._guid, self.current_draft(), self._agent, self._loaded)

    @work(exclusive=True, group="credentials-save", exit_on_error=False)
    async def _save(self, client: Any, guid: str, draft: CredentialDraft, agent: Any, loaded: CredentialDraft) -> None:
        from ...credential.save import save_credential

        def progress(label: str, done: int, total: int | None) -> None:
            self.post_message(SaveProgress(label, done, total))

        try:
            outcome = await save_credential(client, guid, draft, progress=progress, agent=agent, loaded=loaded)
        finally:
            self._saving = False
        self.post_message(SaveFinished(outcome, draft))

    def on_save_progress(self, message: SaveProgress) -> None:
        bar = self.query_one("#save-progress", ProgressBar)
        bar.display = True
        bar.update(total=message.total, progress=message.done)
        self._save_result(escape(message.label), "")

    def on_save_finished(self, message: SaveFinished) -> None:
        self.query_one("#save-progress").display = False
        outcome = message.outcome
        line, level = text.save_outcome_line(outcome)
        self._save_result(line, level)
        self._server_errors = text.row_messages(outcome)
        general = self._server_errors.pop("", [])
        if general:
            self._save_result(line + "".join(f"\n✖ Wiro: {escape(m)}" for m in general), level)
        if getattr(outcome, "agent_after", None) is not None:
            self._agent = outcome.agent_after
            if self._guid == self.app.agent_guid:
                self.app.agent = outcome.agent_after  # the header shows the status the save left (e.g. out of setup)
        if text.outcome_saved(outcome):
            saved = text.saved_draft(message.draft, outcome)
            self._loaded = saved
            if self._server_errors or outcome.failure is not None:
                self._validate()  # saved in part: every edit stays; what Wiro refused shows as unsaved
            else:
                self._fill(text.keep_newer_edits(saved, message.draft, self.current_draft()))
            self._write_draft_now()
            text.remember_report(self.app, self._guid, outcome, message.draft)
            self.notify(text.save_toast(outcome), title="Credential saved", timeout=8)
        else:
            self._validate()  # every edit is still on screen; the reason is beside the buttons (and fields)

    def _save_result(self, line: str, level: str) -> None:
        box = self.query_one("#save-result", Static)
        box.update(line)
        box.set_classes(level)
        box.display = bool(line)

    def on_worker_state_changed(self, event) -> None:  # type: ignore[override]
        super().on_worker_state_changed(event)
        if event.worker.group == "credentials-verify" and event.state.name == "ERROR":
            self._verify_result("✖ The check could not be made (see the notification).", "error")
        if event.worker.group == "credentials-save" and event.state.name in ("ERROR", "CANCELLED"):
            self._saving = False
            self.query_one("#save-progress").display = False
            self._save_result("✖ The save did not finish. Your edits are all still here; try again.", "error")
            self._validate()

    def commands(self) -> Iterable[SystemCommand]:
        yield SystemCommand("credentials: save", "Upload hold files and save the credential to Wiro", self.action_save)
        yield SystemCommand("credentials: verify with Twilio", "Check the Account SID and Auth Token pair", self.action_verify)
        yield SystemCommand("credentials: revert", "Go back to what Wiro has", self.action_revert)
        yield SystemCommand("credentials: apply fixes", "Use the suggested E.164 forms", self.action_fix)
        yield SystemCommand("credentials: show/hide token", "Reveal the Auth Token you typed", self.action_toggle_token)
        if self.query_one("#cred-draft").display:
            yield SystemCommand("credentials: restore draft", "Bring back the unsaved edits", self.action_restore_draft)
