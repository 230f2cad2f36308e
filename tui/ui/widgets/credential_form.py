"""The twilio-voice fields as a form: account, numbers, calls and hold, each with its problems beside it.

The form shows values and findings; it decides nothing. It turns its widgets into a draft (`draft()`), is
filled from one (`fill()`), says which field or list item has focus (`focused_field()`), and posts `Edited`
when the user changes something. The screen validates and sets `findings`; the form redraws from it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.markup import escape
from textual.message import Message
from textual.reactive import reactive
from textual.widgets import Button, Input, Label, Select, Static, TextArea

from ...credential.draft import CredentialDraft
from ...problems import Problem
from ..screens import credentials_text as text
from .list_editor import ListEditor, problem_line
from .text_line import TextLine

SCALAR_INPUTS = ("accountsid", "authtoken", "maxcallseconds", "holdvoice", "holdaudio", "holdmusic")
LIST_FIELDS = ("phonenumbers", "whitelistedcallers")
HOLD_ROWS = ("holdtext", "holdvoice", "holdaudio", "holdmusic")
REQUIRED = ("accountsid", "authtoken", "phonenumbers")


@dataclass(frozen=True)
class Findings:
    """What the form shows beside its fields: the rules' problems, the fields the user has typed in (an empty
    required field is not an error before that), Wiro's refusals of the last save, and the notes."""

    problems: tuple[Problem, ...] = ()
    touched: frozenset[str] = frozenset()
    refused: Mapping[str, list[str]] = field(default_factory=dict)
    draft: CredentialDraft = field(default_factory=CredentialDraft)


class CredentialForm(Vertical):
    """Every field of the credential; `findings` (set by the screen) is drawn beside them."""

    class Edited(Message):
        """A field's widget changed (`by_user`: in a field with focus, or in a list or the strategy)."""

        def __init__(self, name: str, by_user: bool) -> None:
            super().__init__()
            self.name, self.by_user = name, by_user

    findings: reactive[Findings] = reactive(Findings, always_update=True, init=False)
    token_shown: reactive[bool] = reactive(False, init=False)

    # -- layout -------------------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        with Vertical(id="cred-account", classes="panel"):
            yield from self._input_row("accountsid", "Account SID", "AC followed by 32 hex characters (Twilio Console → Account info)")
            yield from self._input_row("authtoken", "Auth Token", "the Live Auth Token (32 characters)", password=True)
            with Horizontal(classes="button-row"):
                yield Button("Verify with Twilio", id="verify", compact=True)
                yield Button("Show token", id="toggle-token", compact=True)
                yield Static("", id="verify-result")
        with Vertical(id="cred-numbers", classes="panel"):
            yield TextLine("", id="msg-phonenumbers", classes="field-message")
            yield ListEditor(placeholder="+14155551234 — paste many: comma, space or newline separated",
                             split=text.split_values, id="list-phonenumbers")
        with Vertical(id="cred-calls", classes="panel"):
            yield from self._input_row("maxcallseconds", "Max call (s)", "600 — each call is cut off after this many seconds")
            yield Label("Whitelist", classes="field-label")
            yield TextLine("", id="msg-whitelistedcallers", classes="field-message")
            yield ListEditor(placeholder="empty = everyone may call; add caller IDs to allow only them",
                             split=text.split_values, id="list-whitelistedcallers")
        with Vertical(id="cred-hold", classes="panel"):
            with Horizontal(classes="field-row"):
                yield Label("Strategy", classes="field-label")
                yield Select(text.STRATEGY_OPTIONS, value="none", allow_blank=False, id="in-holdstrategy", compact=True)
            yield TextLine("", id="msg-holdstrategy", classes="field-message")
            with Vertical(id="row-holdtext", classes="hold-field"):
                yield Label("Hold text", classes="field-label")
                yield TextArea("", id="in-holdtext", soft_wrap=True, show_line_numbers=False, compact=True)
                yield TextLine("", id="count-holdtext", classes="field-note")
                yield TextLine("", id="msg-holdtext", classes="field-message")
            with Vertical(id="row-holdvoice", classes="hold-field"):
                yield from self._input_row("holdvoice", "Voice", "empty = the Twilio account's default; F3 lists the voices")
            with Vertical(id="row-holdaudio", classes="hold-field"):
                yield from self._input_row("holdaudio", "Greeting", "a local MP3/WAV (F3 to choose) or an https URL")
            with Vertical(id="row-holdmusic", classes="hold-field"):
                yield from self._input_row("holdmusic", "Music", "a local MP3/WAV (F3 to choose) or an https URL")

    def _input_row(self, name: str, label: str, placeholder: str, *, password: bool = False) -> ComposeResult:
        with Horizontal(classes="field-row"):
            yield Label(label, classes="field-label")
            yield Input(placeholder=placeholder, id=f"in-{name}", password=password)
        yield TextLine("", id=f"note-{name}", classes="field-note")
        yield TextLine("", id=f"msg-{name}", classes="field-message")

    def on_mount(self) -> None:
        titles = {"cred-account": "Twilio account", "cred-numbers": "Phone numbers",
                  "cred-calls": "Calls", "cred-hold": "While the agent connects (hold)"}
        for panel, title in titles.items():
            self.query_one(f"#{panel}").border_title = title
        self.query_one("#in-holdtext", TextArea).show_cursor = True

    # -- values ---------------------------------------------------------------------------------------------

    def fill(self, draft: CredentialDraft) -> None:
        """Show `draft`. The widgets still post their Changed messages; `Edited` follows, and the screen sees that
        the values are the ones it filled in (so nothing counts as the user's edit)."""
        self._input("accountsid").value = draft.accountsid
        token = self._input("authtoken")
        token.value = draft.authtoken or ""
        token.placeholder = ("type a new token only to replace the saved one" if draft.token_on_server
                             else "the Live Auth Token (32 characters)")
        self._input("maxcallseconds").value = draft.maxcallseconds
        self.query_one("#in-holdstrategy", Select).value = draft.holdstrategy or "none"
        self.query_one("#in-holdtext", TextArea).text = draft.holdtext
        for name in ("holdvoice", "holdaudio", "holdmusic"):
            self._input(name).value = getattr(draft, name)
        for name in LIST_FIELDS:
            self.editor(name).set_items(getattr(draft, name))

    def draft(self, base: CredentialDraft) -> CredentialDraft:
        """The form as it stands over `base` (what Wiro has), list text typed but not added included."""
        value = lambda name: self._input(name).value  # noqa: E731
        strategy = self.query_one("#in-holdstrategy", Select).value
        return base.replace(
            accountsid=value("accountsid"),
            authtoken=value("authtoken") or None,
            phonenumbers=self.editor("phonenumbers").values_with_pending(),
            whitelistedcallers=self.editor("whitelistedcallers").values_with_pending(),
            maxcallseconds=value("maxcallseconds"),
            holdstrategy=strategy if isinstance(strategy, str) else "none",
            holdtext=self.query_one("#in-holdtext", TextArea).text,
            holdvoice=value("holdvoice"),
            holdaudio=value("holdaudio"),
            holdmusic=value("holdmusic"),
        )

    def set_field(self, name: str, value: str) -> None:
        """Put a value chosen elsewhere (a picker, a fix) in a field, as if typed, and focus it."""
        box = self._input(name)
        box.value = value
        box.focus()
        self.post_message(self.Edited(name, True))

    def commit_lists(self) -> None:
        """Add what is typed in the list inputs, as Enter would (Save keeps it)."""
        for name in LIST_FIELDS:
            self.editor(name).commit_pending()

    def focused_field(self) -> str:
        """What has focus, as a field name: "holdvoice", "phonenumbers[2]" for a list item (or the value being
        typed after the items), "phonenumbers" for the list itself, "" for nothing in the form."""
        for name in LIST_FIELDS:
            editor = self.editor(name)
            if editor.has_focus_within:
                index = editor.target_index()
                return name if index is None else f"{name}[{index}]"
        focused = self.screen.focused
        if focused is None or self not in focused.ancestors:
            return ""
        return (focused.id or "").removeprefix("in-") if (focused.id or "").startswith("in-") else ""

    def editor(self, name: str) -> ListEditor:
        return self.query_one(f"#list-{name}", ListEditor)

    def _input(self, name: str) -> Input:
        return self.query_one(f"#in-{name}", Input)

    # -- the user's edits -----------------------------------------------------------------------------------

    @on(Input.Changed)
    def _input_changed(self, event: Input.Changed) -> None:
        name = (event.input.id or "").removeprefix("in-")
        if name in SCALAR_INPUTS:
            event.stop()
            self._edited(name, event.input.has_focus)

    @on(TextArea.Changed, "#in-holdtext")
    def _text_changed(self, event: TextArea.Changed) -> None:
        event.stop()
        self._edited("holdtext", event.text_area.has_focus)

    @on(Select.Changed, "#in-holdstrategy")
    def _strategy_changed(self, event: Select.Changed) -> None:
        event.stop()
        self._edited("holdstrategy", True)

    @on(ListEditor.Changed)
    def _list_changed(self, event: ListEditor.Changed) -> None:
        event.stop()
        self._edited((event.editor.id or "").removeprefix("list-"), True)

    def _edited(self, name: str, by_user: bool) -> None:
        self.post_message(self.Edited(name, by_user))

    # -- drawing what the screen found ----------------------------------------------------------------------

    def watch_token_shown(self, shown: bool) -> None:
        self._input("authtoken").password = not shown
        self.query_one("#toggle-token", Button).label = "Hide token" if shown else "Show token"

    def watch_findings(self, findings: Findings) -> None:
        draft = findings.draft
        by_field = text.group_problems(findings.problems)
        for name in (*SCALAR_INPUTS, "holdstrategy", "holdtext"):
            self._show(name, [] if self._hide_untouched(name, draft, findings) else by_field.get(name, []), findings)
        for name in LIST_FIELDS:
            editor = self.editor(name)
            whole = [] if self._hide_untouched(name, draft, findings) else by_field.get(name, [])
            self._show(name, whole, findings)
            items, pending = text.item_problems(by_field, name, len(editor.items))
            editor.show_problems(items, pending)
        self._show_notes(draft)
        self._show_strategy_fields(draft)

    @staticmethod
    def _hide_untouched(name: str, draft: CredentialDraft, findings: Findings) -> bool:
        """An empty required field is not an error until the user has typed there or tried to save."""
        return name in REQUIRED and name not in findings.touched and not text.has_value(draft, name)

    def _show(self, name: str, problems: list[Problem], findings: Findings) -> None:
        box = self.query_one(f"#msg-{name}", TextLine)
        refused = [m for f, messages in findings.refused.items() if text.base_field(f) == name for m in messages]
        lines = [problem_line(p) for p in problems] + [f"✖ Wiro refused it: {escape(m)}" for m in refused]
        box.show("\n".join(lines))
        box.set_shown(bool(lines))
        errors = any(p.blocks for p in problems) or bool(refused)
        box.set_class(errors, "error")
        box.set_class(bool(problems) and not errors, "warning")
        if name in SCALAR_INPUTS:
            self._input(name).set_class(errors, "invalid-field")

    def _show_notes(self, draft: CredentialDraft) -> None:
        self.query_one("#count-holdtext", TextLine).show(text.holdtext_note(draft.holdtext))
        notes = {
            "authtoken": text.token_note(draft),
            "holdvoice": text.voice_note(draft.holdvoice),
            "holdaudio": text.file_note(draft.holdaudio),
            "holdmusic": text.file_note(draft.holdmusic),
            "accountsid": "",
            "maxcallseconds": "",
        }
        for name, note in notes.items():
            box = self.query_one(f"#note-{name}", TextLine)
            box.show(note)
            box.set_shown(bool(note))

    def _show_strategy_fields(self, draft: CredentialDraft) -> None:
        used = text.fields_used(draft.holdstrategy or "none")
        for name in HOLD_ROWS:
            # a field the strategy ignores stays visible while it holds a value, so it can be cleared
            self.query_one(f"#row-{name}").display = name in used or bool(getattr(draft, name).strip())

    def verify_result(self, line: str, level: str) -> None:
        box = self.query_one("#verify-result", Static)
        box.update(line)
        box.set_classes(level)
