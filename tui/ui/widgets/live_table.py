"""A DataTable that takes changes by row key, keeps the reader's place, and repaints only what changed.

Refreshes never `clear()`: gone rows are removed, changed cells updated in place, new rows added, and the
order restored by key. Where the reader is decides what happens to new rows:

- following (the cursor on the first row — where the table starts, and where Home goes): the table follows the
  newest rows, the cursor stays on the first row and the view at the top;
- anywhere else: the cursor stays on the same row key, on the same line of the screen, through inserts,
  removals and re-sorts; rows that arrive above the view are counted in `new_above` ("↑ 3 new") until the
  reader goes back up.

Over a slow link every repainted line costs bytes: a changed cell repaints itself only (Textual's
`update_cell` repaints the whole table), and many rows leave in one pass (Textual's `remove_row` renumbers every
row each time: removing 190 of 200 rows one by one is quadratic). `mutations` counts table changes (tests and
benchmarks assert an unchanged refresh makes none).
"""

from __future__ import annotations

from typing import Any, Iterable, Sequence

from rich.text import Text
from textual._two_way_dict import TwoWayDict
from textual.binding import Binding
from textual.cache import LRUCache
from textual.coordinate import Coordinate
from textual.reactive import reactive
from textual.widgets import DataTable
from textual.widgets.data_table import CellDoesNotExist, CellKey, ColumnKey, RowKey

#: Removing more rows than this goes through one renumbering pass instead of `remove_row` per row.
BULK_REMOVE = 8
#: Textual's render caches are keyed by a counter that moves on every change, so on a live table their old
#: entries are never read again; these caps keep them to about a screenful of a tall terminal (Textual's
#: defaults: 1000 rows and 10 000 cells, filled again and again by a table that changes every second, ~2 MiB).
ROW_CACHE, CELL_CACHE, LINE_CACHE = 64, 480, 64


class KeyedText(Text):
    """A first-column cell that knows its row key, so rows can be ordered by key with DataTable.sort."""

    def __init__(self, text: str, row_key: str, **kwargs: Any) -> None:
        super().__init__(text, **kwargs)
        self.row_key = row_key


class LiveTable(DataTable):
    BINDINGS = [
        # DataTable's own Home only scrolls to the first column; here it goes to the newest row and follows it
        Binding("home", "scroll_top", "Newest", show=False, id="live_table.first"),
        Binding("end", "scroll_bottom", "Oldest", show=False, id="live_table.last"),
    ]

    #: rows that arrived above the view since the reader last looked at the top ("↑ N new")
    new_above: reactive[int] = reactive(0)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.mutations = 0
        self._row_render_cache = LRUCache(ROW_CACHE)
        self._cell_render_cache = LRUCache(CELL_CACHE)
        self._row_renderable_cache = LRUCache(ROW_CACHE)
        self._line_cache = LRUCache(LINE_CACHE)

    # -- reading -----------------------------------------------------------------------------------

    def row_keys(self) -> list[str]:
        return [row.key.value for row in self.ordered_rows if row.key.value is not None]

    def cursor_key(self) -> str | None:
        if not self.row_count:
            return None
        try:
            return self.coordinate_to_cell_key(self.cursor_coordinate).row_key.value
        except Exception:  # the cursor can point past the end for a moment; no key then
            return None

    @property
    def following(self) -> bool:
        """True when the reader is at the top: new rows come into view, the cursor stays on the first row."""
        return self.cursor_row == 0 and self.scroll_y < 1

    # -- the reader going back up clears the "new above" count --------------------------------------

    def watch_cursor_coordinate(self, old: Any, new: Any) -> None:
        super().watch_cursor_coordinate(old, new)
        if new.row == 0 and self.new_above:
            self.new_above = 0

    def watch_scroll_y(self, old: float, new: float) -> None:
        super().watch_scroll_y(old, new)
        if new < 1 and self.new_above:
            self.new_above = 0

    # -- changing ----------------------------------------------------------------------------------

    def update_cell(self, row_key: RowKey | str, column_key: ColumnKey | str, value: Any, *,
                    update_width: bool = False) -> None:
        """Textual's update_cell, but repainting the cell only (not the whole table)."""
        if update_width:
            super().update_cell(row_key, column_key, value, update_width=True)
            return
        row_key = RowKey(row_key) if isinstance(row_key, str) else row_key
        column_key = ColumnKey(column_key) if isinstance(column_key, str) else column_key
        if row_key not in self._row_locations or column_key not in self._column_locations:
            raise CellDoesNotExist(f"No cell exists for row_key={row_key!r}, column_key={column_key!r}.")
        self._data[row_key][column_key] = value
        self._update_count += 1  # the render caches are keyed by it: the changed cell is drawn afresh
        self.refresh_coordinate(Coordinate(self._row_locations.get(row_key), self._column_locations.get(column_key)))

    def remove_rows(self, keys: Iterable[str]) -> int:
        """Remove rows by key in one pass over the table (Textual's remove_row renumbers every row per call);
        returns how many were removed."""
        gone = {RowKey(key) for key in keys} & self.rows.keys()
        if len(gone) <= BULK_REMOVE:
            for key in gone:
                self.remove_row(key)
            return len(gone)
        at = self._row_locations.get_key
        kept = [key for key in (at(index) for index in range(len(self._row_locations))) if key not in gone]
        self._row_locations = TwoWayDict({key: index for index, key in enumerate(kept)})
        for key in gone:
            for column_key in self._data[key]:
                self._updated_cells.discard(CellKey(key, column_key))
            self._new_rows.discard(key)
            del self.rows[key]
            del self._data[key]
        self._require_update_dimensions = True
        self.cursor_coordinate = self.cursor_coordinate  # clamped to the rows left
        self.hover_coordinate = self.hover_coordinate
        self._update_count += 1
        self.check_idle()
        self.refresh(layout=True)
        return len(gone)

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
        following = self.following
        cursor_key = self.cursor_key()
        cursor_index = self.cursor_row
        cursor_line = cursor_index - int(self.scroll_y)  # where the cursor sits on screen
        count = 0
        with self.app.batch_update():
            count += self.remove_rows(removed) if removed else 0
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
            if following:
                self._follow()
            else:
                top = self._restore_place(cursor_key, cursor_index, cursor_line)
                if added and top > 0:
                    position = {key: index for index, key in enumerate(order)}
                    hidden = sum(1 for key, _cells in added if position.get(key, top) < top)
                    if hidden:
                        self.new_above += hidden
        self.mutations += count
        return count

    def _follow(self) -> None:
        if self.cursor_row != 0:
            self.move_cursor(row=0, animate=False, scroll=False)
        self.scroll_to(y=0, animate=False, immediate=True)
        self.new_above = 0

    def _restore_place(self, cursor_key: str | None, cursor_index: int, cursor_line: int) -> int:
        """Put the cursor back on its row, on the same screen line; returns the first row in view."""
        if not self.row_count:
            return 0
        if cursor_key is not None and cursor_key in self.rows:
            row = self.get_row_index(cursor_key)
        else:
            row = min(cursor_index, self.row_count - 1)  # its row left: stay at the same height
        if row != self.cursor_row:  # moving schedules a scroll-into-view; skip it when nothing moved
            self.move_cursor(row=row, animate=False, scroll=False)
        y = max(0, row - cursor_line)
        # now, and again after the next layout: until then new rows are not in the scrollable height
        self.scroll_to(y=y, animate=False, immediate=True)
        self.call_after_refresh(self.scroll_to, y=y, animate=False, immediate=True)
        return y
