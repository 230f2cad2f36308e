"""Choose a local MP3 or WAV file: a folder tree showing only folders and audio files."""

from __future__ import annotations

from pathlib import Path
from typing import Iterable

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.markup import escape
from textual.screen import ModalScreen
from textual.widgets import DirectoryTree, Input, Static

from ..stylesheets import sheet

AUDIO_SUFFIXES = {".mp3", ".wav"}


class AudioTree(DirectoryTree):
    def filter_paths(self, paths: Iterable[Path]) -> Iterable[Path]:
        for path in paths:
            if path.name.startswith("."):
                continue
            try:
                if path.is_dir() or path.suffix.lower() in AUDIO_SUFFIXES:
                    yield path
            except OSError:  # a broken link or a folder we may not read: leave it out
                continue


class FilePicker(ModalScreen[str | None]):
    """Returns the chosen path, or None on Escape. Typing a path and Enter works too."""

    CSS_PATH = sheet("dialogs")

    BINDINGS = [Binding("escape", "dismiss_none", "Cancel", id="file_picker.cancel")]

    def __init__(self, title: str, start: str = "") -> None:
        super().__init__(classes="picker-screen")
        self._title = title
        self._start = self._start_folder(start)

    @staticmethod
    def _start_folder(start: str) -> Path:
        if start and not start.startswith(("http://", "https://")):
            folder = Path(start).expanduser()
            folder = folder if folder.is_dir() else folder.parent
            if folder.is_dir():
                return folder
        return Path.cwd()

    def compose(self) -> ComposeResult:
        with Vertical(id="file-picker", classes="panel"):
            yield Static(f"Folder: {escape(str(self._start))}. MP3 and WAV files are shown; Enter chooses.",
                         id="file-picker-help")
            yield Input(placeholder="…or type a path and press Enter", id="file-picker-path")
            yield AudioTree(self._start, id="file-picker-tree")

    def on_mount(self) -> None:
        self.query_one("#file-picker").border_title = self._title
        self.query_one(AudioTree).focus()

    @on(DirectoryTree.FileSelected)
    def _chosen(self, event: DirectoryTree.FileSelected) -> None:
        self.dismiss(str(event.path))

    @on(Input.Submitted, "#file-picker-path")
    def _typed(self, event: Input.Submitted) -> None:
        if event.value.strip():
            self.dismiss(event.value.strip())

    def action_dismiss_none(self) -> None:
        self.dismiss(None)
