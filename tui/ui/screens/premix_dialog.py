"""Premix: choose a voice recording and music, how far the music ducks, and where the mix goes."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Select, Static

from ..stylesheets import sheet


@dataclass(frozen=True)
class PremixRequest:
    voice: str
    music: str
    duck_db: float
    length: float | None
    out: str
    encoding: str


class PremixDialog(ModalScreen[PremixRequest | None]):
    CSS_PATH = sheet("hold")
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="premix.cancel")]

    def __init__(self, voice: str = "", music: str = "", *, folder: Path | None = None) -> None:
        """`folder`: where the mix of a voice given as a URL goes (the export folder), since it has no folder."""
        super().__init__(classes="picker-screen")
        self._voice, self._music = voice, music
        self._folder = folder

    def compose(self) -> ComposeResult:
        with Vertical(id="premix", classes="panel"):
            yield Static("Twilio plays one file at a time: to hear a voice over music, mix them into one file "
                         "and use it as the greeting.", id="premix-help")
            for name, label, value, hint in (
                ("voice", "Voice", self._voice, "a recording of the greeting (MP3/WAV path or URL)"),
                ("music", "Music", self._music, "the music bed (MP3/WAV path or URL)"),
                ("duck", "Duck (dB)", "-15", "how far the music drops under the voice (0 to -40)"),
                ("length", "Length (s)", "", "empty = the voice plus 3 s of music"),
                ("out", "Write to", "", "empty = <voice name>-premix.wav beside the voice (a URL's: exports)"),
            ):
                with Horizontal(classes="field-row"):
                    yield Label(label, classes="field-label")
                    yield Input(value=value, placeholder=hint, id=f"premix-{name}")
            with Horizontal(classes="field-row"):
                yield Label("Format", classes="field-label")
                yield Select([("8 kHz µ-law WAV (what the phone line carries; smallest)", "mulaw"),
                              ("16-bit PCM WAV", "pcm16")], value="mulaw", allow_blank=False,
                             id="premix-encoding", compact=True)
            yield Static("", id="premix-error")
            with Horizontal(classes="button-row"):
                yield Button("Mix", id="premix-go", variant="primary", compact=True)
                yield Button("Cancel", id="premix-cancel", compact=True)

    def on_mount(self) -> None:
        self.query_one("#premix").border_title = "Premix voice over music"
        self.query_one("#premix-voice", Input).focus()

    def _value(self, name: str) -> str:
        return self.query_one(f"#premix-{name}", Input).value.strip()

    def on_input_submitted(self, _event: Input.Submitted) -> None:
        self._submit()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "premix-go":
            self._submit()
        else:
            self.dismiss(None)

    def action_cancel(self) -> None:
        self.dismiss(None)

    def _submit(self) -> None:
        error = self.query_one("#premix-error", Static)
        voice, music = self._value("voice"), self._value("music")
        if not voice or not music:
            error.update("✖ Give both a voice recording and the music.")
            return
        try:
            duck = float(self._value("duck") or "-15")
            length = float(self._value("length")) if self._value("length") else None
        except ValueError:
            error.update("✖ Duck and length are numbers (duck in dB, e.g. -15; length in seconds, e.g. 12).")
            return
        out = self._value("out") or str(default_out(voice, self._folder))
        encoding = self.query_one("#premix-encoding", Select).value
        self.dismiss(PremixRequest(voice, music, duck, length, out, encoding if isinstance(encoding, str) else "mulaw"))


def default_out(voice: str, folder: Path | None = None) -> Path:
    """`<voice name>-premix.wav` beside a local voice file; for a URL, in `folder` (else the current folder)."""
    if voice.startswith(("http://", "https://")):
        name = voice.rstrip("/").rsplit("/", 1)[-1].rsplit(".", 1)[0] or "greeting"
        return (folder if folder is not None else Path.cwd()) / f"{name}-premix.wav"
    path = Path(voice).expanduser()
    return path.with_name(f"{path.stem}-premix.wav")
