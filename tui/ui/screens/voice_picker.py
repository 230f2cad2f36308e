"""Pick a hold voice: type to search by name or language; each voice shows its language."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.markup import escape
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from ..stylesheets import sheet

SHOWN = 60  # enough to scroll through; typing narrows it


class VoicePicker(ModalScreen[str | None]):
    """Returns the chosen voice name ("" for the account default), or None on Escape."""

    CSS_PATH = sheet("dialogs")

    BINDINGS = [
        Binding("escape", "dismiss_none", "Cancel", id="voice_picker.cancel"),
        Binding("down", "to_list", "Voices", show=False, id="voice_picker.down"),
    ]

    def __init__(self, current: str = "") -> None:
        super().__init__(classes="picker-screen")
        self._current = current.strip()

    def compose(self) -> ComposeResult:
        with Vertical(id="voice-picker", classes="panel"):
            yield Static("Type a name or a language (en-US, tr, French…). Enter chooses. "
                         "Wiro offers 20 of Twilio's voices; a name it does not offer gets a warning.", id="voice-help")
            yield Input(value="", placeholder="search voices", id="voice-search")
            yield OptionList(id="voice-list")

    def on_mount(self) -> None:
        self.query_one("#voice-picker").border_title = "Hold voice"
        self._show("")
        self.query_one("#voice-search", Input).focus()

    @on(Input.Changed, "#voice-search")
    def _typed(self, event: Input.Changed) -> None:
        self._show(event.value)

    def _show(self, query: str) -> None:
        from ...credential.voices import search

        options = [Option("(account default) — Twilio's default voice for the account", id="")]
        for voice in search(query)[:SHOWN]:
            marker = " ←" if voice.name == self._current else ""
            options.append(Option(f"{escape(voice.name)}  [dim]{escape(voice.language)}[/dim]{marker}", id=voice.name))
        box = self.query_one("#voice-list", OptionList)
        box.set_options(options)
        box.highlighted = 1 if query.strip() and len(options) > 1 else 0

    @on(Input.Submitted, "#voice-search")
    def _submitted(self, _event: Input.Submitted) -> None:
        box = self.query_one("#voice-list", OptionList)
        if box.highlighted is not None:
            self.dismiss(box.get_option_at_index(box.highlighted).id or "")

    @on(OptionList.OptionSelected, "#voice-list")
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id or "")

    def action_to_list(self) -> None:
        self.query_one("#voice-list", OptionList).focus()

    def action_dismiss_none(self) -> None:
        self.dismiss(None)
