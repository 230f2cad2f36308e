"""A Static that repaints only when what it says changes, and lays the screen out again only when its size can.

`Static.update()` repaints (and lays out the screen again) even when given the same text, and a live screen
updates its lines on every poll: over a slow SSH link each of those repaints is a screenful of bytes. `show()`
compares first and repaints only a change. A layout of the whole screen costs 20-40 ms (the Logs screen with a
1000-row table), and a key press waits behind it: a line whose width is set and whose height is set, or is one
line that never wraps, keeps its size whatever it says, so a change only repaints it.
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
        layout = self._size_may_change(self._markup, markup)
        self._markup = markup
        self.update(markup, layout=layout)
        return True

    def _size_may_change(self, old: str, new: str) -> bool:
        styles = self.styles
        width, height = styles.width, styles.height
        if width is None or width.is_auto:  # as wide as what it says
            return True
        if height is not None and not height.is_auto:
            return False
        # one line that never wraps (an empty one may have no height)
        return styles.text_wrap != "nowrap" or not old or not new or "\n" in old or "\n" in new

    def set_shown(self, shown: bool) -> None:
        """`display`, set only when it changes."""
        if self.display != shown:
            self.display = shown
