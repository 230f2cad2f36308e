"""The footer: the keys that work here, drawn as one line by one widget.

Textual's Footer makes a widget per key, which cost ~100 ms of the first frame; this draws the same
information in one render and still runs a key when it is clicked.
"""

from __future__ import annotations

from textual import events
from textual.binding import ActiveBinding
from textual.content import Content
from textual.screen import Screen
from textual.widget import Widget


class KeyBar(Widget):
    DEFAULT_CSS = """
    KeyBar { dock: bottom; height: 1; background: $panel; color: $foreground; }
    """

    def __init__(self) -> None:
        super().__init__()
        self._hits: list[tuple[int, int, str]] = []  # (from x, to x, key) for clicks

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self._bindings_changed)

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    def _bindings_changed(self, _screen: Screen) -> None:
        self.refresh()

    def shown_bindings(self) -> list[ActiveBinding]:
        palette = self.app.COMMAND_PALETTE_BINDING
        seen: set[str] = set()
        shown = []
        for key, active in self.screen.active_bindings.items():
            if active.binding.show and key != palette and active.binding.action not in seen:
                seen.add(active.binding.action)
                shown.append(active)
        return shown

    def render(self) -> Content:
        pieces: list[Content] = []
        hits: list[tuple[int, int, str]] = []
        x = 0
        for active in self.shown_bindings():
            binding = active.binding
            key = self.app.get_key_display(binding)
            style = "bold $accent" if active.enabled else "dim"
            # styled, not markup: a key such as "[" must not be read as a tag
            piece = Content.styled(f" {key}", style) + Content(f" {binding.description} ")
            hits.append((x, x + piece.cell_length, binding.key))
            x += piece.cell_length
            pieces.append(piece)
        left = Content("").join(pieces)
        right = Content("")
        if self.app.ENABLE_COMMAND_PALETTE:
            right = Content.styled("^p", "bold $accent") + Content(" palette ")
            start = max(x + 1, self.size.width - right.cell_length)
            hits.append((start, start + right.cell_length, self.app.COMMAND_PALETTE_BINDING))
        room = max(0, self.size.width - right.cell_length - 1)
        if left.cell_length > room:  # too many keys for the width: the palette hint stays, the rest is cut
            left = left.truncate(room)
            hits = [hit for hit in hits if hit[1] <= room or hit[2] == self.app.COMMAND_PALETTE_BINDING]
        self._hits = hits
        gap = max(1, self.size.width - left.cell_length - right.cell_length)
        return left + Content(" " * gap) + right

    def plain(self) -> str:
        return self.render().plain

    async def on_click(self, event: events.Click) -> None:
        for start, end, key in self._hits:
            if start <= event.x < end:
                await self.app.simulate_key(key.split(",")[0])
                break
