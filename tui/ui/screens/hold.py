"""Hold: hear what a caller hears while the agent connects, drawn as a timeline, before any caller does.

Inputs come from the app's credential edits when they hold unsaved changes (made on Credentials, or a premix
offered here), else from Detail — which then becomes the base of those edits, so a premix can be used as the
greeting even when Credentials was never opened. Rendering runs in a worker thread; playback runs on
PortAudio's thread and is polled for the playhead. Without sound (no PortAudio, no device) the screen says so
and `x` writes the WAV instead.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable

from textual import on, work
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.markup import escape
from textual.message import Message
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Label, ProgressBar, Select, Static

from ...calls.export import export_folder
from ...credential.draft import CredentialDraft
from ...hold.errors import HoldError, PlaybackUnavailable
from ...hold.player import Player
from ...hold.premix import premix
from ...hold.render import render
from ...wiro import WiroError
from ..credential_edits import edits_of
from ..failures import ReportsWorkerFailures
from ..fresh_styles import FirstShowingKeepsStyles
from ..readiness import readiness
from ..state import Change, subscribe_changes
from ..stylesheets import sheet
from ..widgets.header import AppHeader
from ..widgets.key_bar import KeyBar
from ..widgets.scroll_body import ScrollBody
from ..widgets.timeline import Timeline, TimelineData
from . import hold_text as text
from .confirm import Confirm
from .premix_dialog import PremixDialog

WINDOWS = (3.0, 30.0)
PLAYHEAD_HZ = 10


@dataclass(frozen=True)
class Inputs:
    """What the render uses: the strategy and the four hold fields, and where they came from."""

    strategy: str
    text: str
    voice: str
    audio: str
    music: str
    origin: str  # "form (unsaved edits)", "form", "saved credential"


class RenderProgress(Message):
    def __init__(self, job: int, fraction: float, what: str) -> None:
        super().__init__()
        self.job, self.fraction, self.what = job, fraction, what

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, RenderProgress)


class Rendered(Message):
    def __init__(self, job: int, result: Any, error: str | None, columns: int) -> None:
        super().__init__()
        self.job, self.result, self.error, self.columns = job, result, error, columns


class SavedFromCredential(Message):
    """Detail answered (or failed) for `guid` under `generation`: the saved credential as a draft."""

    def __init__(self, generation: int, guid: str, agent: Any, draft: Any, error: str | None) -> None:
        super().__init__()
        self.generation, self.guid, self.agent, self.draft, self.error = generation, guid, agent, draft, error


class Premixed(Message):
    def __init__(self, path: str | None, summary: str, error: str | None) -> None:
        super().__init__()
        self.path, self.summary, self.error = path, summary, error


class HoldScreen(FirstShowingKeepsStyles, ReportsWorkerFailures, Screen):
    CSS_PATH = sheet("hold")
    BINDINGS = [
        Binding("space", "play_pause", "Play/pause", id="hold.play"),
        Binding("s", "stop", "Stop", id="hold.stop"),
        Binding("p", "toggle_phone", "Phone line", id="hold.phone"),
        Binding("x", "export", "Export WAV", id="hold.export"),
        Binding("m", "premix", "Premix", id="hold.premix"),
        Binding("left_square_bracket", "window(-1)", "Window −1 s", id="hold.shorter"),
        Binding("right_square_bracket", "window(1)", "Window +1 s", id="hold.longer"),
        Binding("r", "reload", "Re-read inputs", id="hold.reload"),
        Binding("escape", "leave", "Back", id="hold.back"),
    ]

    def __init__(self) -> None:
        super().__init__(id="hold")
        self._inputs: Inputs | None = None
        self._window = 8.0
        self._phone_line = True
        self._job = 0
        self._result: Any = None  # tui.hold.render.HoldRender of the current inputs
        self._player: Any = None
        self._ticker: Timer | None = None
        self._strategy_override: str | None = None

    def compose(self) -> ComposeResult:
        yield AppHeader()
        with ScrollBody(id="hold-body"):
            yield Static("Reading the hold settings…", id="hold-source")
            with Horizontal(classes="field-row"):
                yield Label("Strategy", classes="field-label")
                yield Select(text.STRATEGY_OPTIONS, value="none", allow_blank=False, id="hold-strategy", compact=True)
            yield Static("", id="hold-settings")
            with Vertical(id="hold-timeline-panel", classes="panel"):
                yield Timeline(id="hold-timeline")
                yield ProgressBar(id="hold-progress", show_eta=False)
                yield Static("", id="hold-segments")
            yield Static("", id="hold-player")
            yield Static("", id="hold-notes")
        yield KeyBar()

    def on_mount(self) -> None:
        self.query_one("#hold-timeline-panel").border_title = "What the caller hears"
        self.query_one("#hold-progress").display = False
        subscribe_changes(self, self._changed)

    def on_screen_resume(self) -> None:
        self.call_after_refresh(self.action_reload)

    def on_screen_suspend(self) -> None:
        self._stop_player()

    def on_unmount(self) -> None:
        self._close_player()

    def _changed(self, _change: Change) -> None:
        """Another connection or agent: what is shown was the previous agent's."""
        self._stop_player()
        self._close_player()
        self._inputs, self._result = None, None
        self.query_one(Timeline).show(None)
        for box in ("#hold-segments", "#hold-notes", "#hold-player"):
            self.query_one(box, Static).update("")
        if self.is_current:
            self.action_reload()

    def action_leave(self) -> None:
        self.app.go_back()

    # -- inputs ---------------------------------------------------------------------------------------------

    def action_reload(self) -> None:
        ready = readiness(self.app)
        if not ready.ready:
            self.query_one("#hold-source", Static).update(ready.text)
            return
        edits = edits_of(self.app).get(self.app.agent_guid)
        if edits is not None and edits.generation == self.app.generation and edits.dirty:
            self._use_inputs(text.inputs_from(edits.current, text.EDITS_ORIGIN, Inputs))
            return
        self._read_saved(self.app.client, self.app.agent_guid, self.app.generation)

    @work(exclusive=True, group="hold-read", exit_on_error=False)
    async def _read_saved(self, client: Any, guid: str, generation: int) -> None:
        try:
            agent = await client.detail(guid)
        except WiroError as err:
            self.post_message(SavedFromCredential(generation, guid, None, None, err.message))
            return
        draft = CredentialDraft.from_credential(agent.credential)
        self.post_message(SavedFromCredential(generation, guid, agent, draft, None))

    def on_saved_from_credential(self, message: SavedFromCredential) -> None:
        if message.generation != self.app.generation or message.guid != self.app.agent_guid:
            return  # read for an agent that is no longer the current one
        if message.draft is None:
            self.query_one("#hold-source", Static).update(f"✖ Could not read the credential: {escape(message.error or '')}")
            return
        # what Wiro has becomes the base of the app's edits (kept: edits made meanwhile stay on top of it)
        edits = edits_of(self.app).loaded(message.guid, message.draft, title=getattr(message.agent, "title", ""),
                                          agent=message.agent, generation=message.generation)
        origin = text.EDITS_ORIGIN if edits.dirty else "the saved credential"
        self._use_inputs(text.inputs_from(edits.current, origin, Inputs))

    def _use_inputs(self, inputs: Inputs) -> None:
        if inputs == self._inputs and self._result is not None:
            return
        self._inputs = inputs
        self._strategy_override = None
        select = self.query_one("#hold-strategy", Select)
        with select.prevent(Select.Changed):
            select.value = inputs.strategy
        self._rerender()

    @on(Select.Changed, "#hold-strategy")
    def _strategy_chosen(self, event: Select.Changed) -> None:
        if self._inputs is not None and isinstance(event.value, str) and event.value != self._strategy():
            self._strategy_override = event.value
            self._rerender()

    def _strategy(self) -> str:
        return self._strategy_override or (self._inputs.strategy if self._inputs else "none")

    # -- rendering --------------------------------------------------------------------------------------------

    def _rerender(self) -> None:
        if self._inputs is None:
            return
        self._stop_player()
        self._job += 1
        inputs = self._inputs
        self.query_one("#hold-source", Static).update(text.source_line(inputs, self._strategy_override))
        self.query_one("#hold-settings", Static).update(text.settings_line(self._strategy(), self._window, self._phone_line))
        bar = self.query_one("#hold-progress", ProgressBar)
        bar.update(total=100, progress=0)
        bar.display = True
        self._render_job(self._job, inputs, self._strategy(), self._window, self._phone_line,
                         self.query_one(Timeline).columns_wanted)

    @work(exclusive=True, group="hold-render", thread=True, exit_on_error=False)
    def _render_job(self, job: int, inputs: Inputs, strategy: str, window: float, phone_line: bool, columns: int) -> None:
        def progress(fraction: float, what: str) -> None:
            self.post_message(RenderProgress(job, fraction, what))

        try:
            result = render(strategy, window, text=inputs.text, voice=inputs.voice or None,
                            audio=inputs.audio or None, music=inputs.music or None,
                            phone_line=phone_line, progress=progress)
        except HoldError as err:
            self.post_message(Rendered(job, None, err.message, columns))
            return
        self.post_message(Rendered(job, result, None, columns))

    def on_render_progress(self, message: RenderProgress) -> None:
        if message.job == self._job:
            self.query_one("#hold-progress", ProgressBar).update(progress=round(message.fraction * 100))

    def on_rendered(self, message: Rendered) -> None:
        if message.job != self._job:
            return  # an older render finished after a newer one started
        self.query_one("#hold-progress").display = False
        timeline = self.query_one(Timeline)
        if message.result is None:
            self._result = None
            timeline.show(None)
            self.query_one("#hold-segments", Static).update(f"✖ {escape(message.error or '')}")
            self.query_one("#hold-notes", Static).update("")
            return
        result = self._result = message.result
        timeline.show(TimelineData(result.duration, result.segments, result.envelope(message.columns), message.columns))
        self.query_one("#hold-segments", Static).update(text.segments_text(result))
        self.query_one("#hold-notes", Static).update(text.notes_text(result.notes))
        self.query_one("#hold-player", Static).update(text.player_hint())

    # -- playback -------------------------------------------------------------------------------------------

    def action_play_pause(self) -> None:
        if self._result is None:
            self.notify("Nothing to play yet: the hold settings did not render (see the message).", severity="warning")
            return
        try:
            if self._player is None:
                self._player = Player(self._result.samples, self._result.rate)
            if self._player.state == "playing":
                self._player.pause()
            else:
                self._player.play()
        except PlaybackUnavailable as err:
            self._close_player()
            export_key = self.app.settings.keymap.get("hold.export", "x").split(",")[0]
            self.query_one("#hold-player", Static).update(text.no_sound_line(err.message, export_key))
            return
        self._start_ticker()
        self._show_player()

    def action_stop(self) -> None:
        self._stop_player()
        self._show_player()

    def _start_ticker(self) -> None:
        if self._ticker is None:
            self._ticker = self.set_interval(1 / PLAYHEAD_HZ, self._show_player)

    def _show_player(self) -> None:
        player = self._player
        timeline = self.query_one(Timeline)
        if player is None:
            timeline.move_playhead(None)
            return
        state = player.state
        timeline.move_playhead(player.position if state in ("playing", "paused") else None)
        segment = self._result.segment_at(player.position) if self._result is not None else None
        self.query_one("#hold-player", Static).update(text.player_line(state, player.position, player.duration,
                                                                       player.level, segment))
        if state not in ("playing", "paused") and self._ticker is not None:
            self._ticker.stop()
            self._ticker = None

    def _stop_player(self) -> None:
        if self._player is not None:
            self._player.stop()
        if self._ticker is not None:
            self._ticker.stop()
            self._ticker = None
        self.query_one(Timeline).move_playhead(None)

    def _close_player(self) -> None:
        if self._player is not None:
            self._player.close()
            self._player = None

    # -- toggles ----------------------------------------------------------------------------------------------

    def action_toggle_phone(self) -> None:
        self._phone_line = not self._phone_line
        self._close_player()
        self._rerender()

    def action_window(self, step: int) -> None:
        window = min(WINDOWS[1], max(WINDOWS[0], self._window + step))
        if window != self._window:
            self._window = window
            self._close_player()
            self._rerender()

    # -- export and premix ----------------------------------------------------------------------------------------

    def action_export(self) -> None:
        """Write the preview as a WAV into the export folder (as the call exports: `export_dir`, else Downloads,
        else `exports/` beside the config file), never into whatever folder the app was started from."""
        if self._result is None:
            self.notify("Nothing rendered to export.", severity="warning")
            return
        self._export(self._result, text.export_path(self._export_folder(), self._result))

    def _export_folder(self) -> Path:
        settings = self.app.settings
        return export_folder(settings.export_dir, settings.config_path)

    @work(exclusive=True, group="hold-export", exit_on_error=False)
    async def _export(self, result: Any, path: Path) -> None:
        def write() -> Path:
            path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            return result.write_wav(path)

        try:
            written = await asyncio.to_thread(write)
        except HoldError as err:
            self.notify(f"Could not write {path}: {err.message}", severity="error")
            return
        except OSError as err:
            self.notify(f"Could not write {path}: {err.strerror or err}. Set export_dir in "
                        f"{self.app.settings.config_path} to a folder you can write.", severity="error")
            return
        self.notify(f"Wrote {written} ({text.render_summary(result)}).", title="Hold preview exported", timeout=10)

    def action_premix(self) -> None:
        voice = self._inputs.audio if self._inputs else ""
        music = self._inputs.music if self._inputs else ""
        self.app.push_screen(PremixDialog(voice, music, folder=self._export_folder()), self._premix_chosen)

    def _premix_chosen(self, request: Any) -> None:
        if request is not None:
            self.query_one("#hold-player", Static).update("Mixing the voice over the music…")
            self._premix(request, self._export_folder())

    @work(exclusive=True, group="hold-premix", thread=True, exit_on_error=False)
    def _premix(self, request: Any, exports: Path) -> None:
        try:
            mixed = premix(request.voice, request.music, duck_db=request.duck_db, length=request.length)
            if Path(request.out).expanduser().parent == exports:  # the export folder is made on first use
                exports.mkdir(parents=True, exist_ok=True, mode=0o700)
            written = mixed.write_wav(request.out, encoding=request.encoding)
        except HoldError as err:
            self.post_message(Premixed(None, "", err.message))
            return
        except OSError as err:
            self.post_message(Premixed(None, "", f"could not write {request.out}: {err.strerror or err}"))
            return
        self.post_message(Premixed(str(written), text.premix_summary(mixed, written), None))

    def on_premixed(self, message: Premixed) -> None:
        if message.path is None:
            self.query_one("#hold-player", Static).update(f"✖ Premix failed: {escape(message.error or '')}")
            return
        self.query_one("#hold-player", Static).update(f"✔ {escape(message.summary)}")
        model = edits_of(self.app)
        guid = self.app.agent_guid
        if model.get(guid) is None:  # the credential could not be read: nothing to put it in
            self.notify(f"Premix written to {message.path}. Open Credentials (e) to use it as the greeting.", timeout=10)
            return
        def answered(answer: str | None) -> None:
            edits = model.get(guid)
            if answer in ("audio", "audio_then_music") and edits is not None and guid == self.app.agent_guid:
                used = edits.current.replace(holdaudio=message.path or "", holdstrategy=answer)
                model.edit(guid, used, touched={"holdaudio", "holdstrategy"})
                self.action_reload()
                self.notify("The credential edits now use the premix as the greeting: save them on Credentials "
                            "(e, then Ctrl+S).", title="Premix")

        self.app.push_screen(Confirm(
            "Use the premix?",
            "Twilio can't play speech over music, so a voice-over-music intro must be one file. Use this premix "
            "as the greeting (holdaudio)?",
            [("Greeting, then the music loop", "audio_then_music", "primary"), ("Greeting only", "audio", "default"),
             ("Not now", "cancel", "default")]), answered)

    def commands(self) -> Iterable[SystemCommand]:
        yield SystemCommand("hold: play preview", "Play (or pause) what callers hear", self.action_play_pause)
        yield SystemCommand("hold: stop", "Stop playing", self.action_stop)
        yield SystemCommand("hold: phone line on/off", "Hear the 8 kHz telephone channel, or the full band", self.action_toggle_phone)
        yield SystemCommand("hold: export WAV", "Write the preview to a WAV file", self.action_export)
        yield SystemCommand("hold: premix voice over music", "Make one upload-ready file from a voice and music", self.action_premix)
        yield SystemCommand("hold: longer window", "One more second before the agent answers", lambda: self.action_window(1))
        yield SystemCommand("hold: shorter window", "One second less before the agent answers", lambda: self.action_window(-1))
