"""A two-column list of labelled values whose wrapped lines stay aligned under the value.

Drawn by one widget (not a label and a value widget per row): fewer widgets, faster first frame.
"""

from __future__ import annotations

from textual.content import Content
from textual.widget import Widget

KEY_WIDTH = 12  # at least; longer keys widen the column up to MAX_KEY_WIDTH
MAX_KEY_WIDTH = 22


class KeyValues(Widget):
    """Values are markup; `show()` replaces them all and repaints once."""

    DEFAULT_CSS = "KeyValues { height: auto; }"

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._rows: list[tuple[str, str]] = []

    def show(self, values: dict[str, str]) -> None:
        rows = list(values.items())
        if rows != self._rows:
            self._rows = rows
            self.refresh(layout=True)

    def value_text(self, key: str) -> str:
        """The plain text of one value (for tests)."""
        return Content.from_markup(dict(self._rows).get(key, "")).plain

    def render(self) -> Content:
        key_width = min(MAX_KEY_WIDTH, max([KEY_WIDTH] + [len(key) + 2 for key, _ in self._rows]))
        width = max(key_width + 8, self.size.width or 80)
        lines: list[Content] = []
        for key, markup in self._rows:
            shown = key if len(key) < key_width else key[: key_width - 2] + "…"
            label = Content.styled(shown.ljust(key_width), "bold")
            wrapped = [part for line in Content.from_markup(markup).split("\n") for part in line.wrap(width - key_width) or [Content("")]]
            for index, part in enumerate(wrapped):
                lines.append((label if index == 0 else Content(" " * key_width)) + part)
        return Content("\n").join(lines)
