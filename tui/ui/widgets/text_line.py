"""A Static that repaints only when what it says changes.

`Static.update()` repaints (and lays out the screen again) even when given the same text, and a live screen
updates its lines on every poll: over a slow SSH link each of those repaints is a screenful of bytes. `show()`
compares first and repaints only a change.
"""

from __future__ import annotations

from textual.widgets import Static


class TextLine(Static):
    def __init__(self, markup: str = "", **kwargs) -> None:
        super().__init__(markup, **kwargs)
        self._markup = markup

    @property
    def markup_text(self) -> str:
        """The markup shown now."""
        return self._markup

    def show(self, markup: str) -> bool:
        """Show `markup`; returns False (and repaints nothing) when it is already shown."""
        if markup == self._markup:
            return False
        self._markup = markup
        self.update(markup)
        return True

    def set_shown(self, shown: bool) -> None:
        """`display`, set only when it changes."""
        if self.display != shown:
            self.display = shown
