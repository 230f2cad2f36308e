"""A DataTable that takes changes by row key and keeps the reader's place.

Refreshes never `clear()`: gone rows are removed, changed cells updated in place, new rows added, and the
order restored by key. The cursor stays on the same row key, on the same line of the screen, through inserts,
removals and re-sorts — except in the untouched start position (cursor on the first row, view at the
top), where new rows push in visibly. `mutations` counts table changes (tests and
benchmarks assert an unchanged refresh makes none).
"""

from __future__ import annotations

from typing import Any, Iterable, Sequence

from rich.text import Text
from textual.widgets import DataTable


class KeyedText(Text):
    """A first-column cell that knows its row key, so rows can be ordered by key with DataTable.sort."""

    def __init__(self, text: str, row_key: str, **kwargs: Any) -> None:
        super().__init__(text, **kwargs)
        self.row_key = row_key


class LiveTable(DataTable):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.mutations = 0

    def row_keys(self) -> list[str]:
        return [row.key.value for row in self.ordered_rows if row.key.value is not None]

    def cursor_key(self) -> str | None:
        if not self.row_count:
            return None
        try:
            return self.coordinate_to_cell_key(self.cursor_coordinate).row_key.value
        except Exception:  # the cursor can point past the end for a moment; no key then
            return None

    def apply_changes(
        self,
        *,
        removed: Iterable[str] = (),
        changed: Iterable[tuple[str, str, Any]] = (),
        added: Iterable[tuple[str, Sequence[Any]]] = (),
        order: Sequence[str],
    ) -> int:
        """Apply one refresh; returns how many mutations it made (0 when nothing changed)."""
        removed, changed, added = list(removed), list(changed), list(added)
        reorder = not removed and not added and self.row_keys() != list(order)
        if not (removed or changed or added or reorder):
            return 0
        cursor_key = self.cursor_key()
        cursor_index = self.cursor_row
        # where the cursor sits on screen; kept unless the reader is at the untouched start position
        at_start = cursor_index == 0 and self.scroll_y < 1
        cursor_line = cursor_index - int(self.scroll_y)
        count = 0
        with self.app.batch_update():
            for key in removed:
                self.remove_row(key)
                count += 1
            for key, column, value in changed:
                self.update_cell(key, column, value)
                count += 1
            for key, cells in added:
                self.add_row(*cells, key=key)
                count += 1
            if self.row_keys() != list(order):
                position = {key: index for index, key in enumerate(order)}
                self.sort(key=lambda values: position.get(getattr(values[0], "row_key", None), len(position)))
                count += 1
            self._restore_place(cursor_key, cursor_index, None if at_start else cursor_line)
        self.mutations += count
        return count

    def _restore_place(self, cursor_key: str | None, cursor_index: int, cursor_line: int | None) -> None:
        if not self.row_count:
            return
        if cursor_key is not None and cursor_key in self.rows:
            row = self.get_row_index(cursor_key)
        else:
            row = min(cursor_index, self.row_count - 1)  # its row left: stay at the same height
        if row != self.cursor_row:  # moving schedules a scroll-into-view; skip it when nothing moved
            self.move_cursor(row=row, animate=False, scroll=cursor_line is None)
        if cursor_line is not None:
            y = max(0, row - cursor_line)
            # now, and again after the next layout: until then new rows are not in the scrollable height
            self.scroll_to(y=y, animate=False, immediate=True)
            self.call_after_refresh(self.scroll_to, y=y, animate=False, immediate=True)
