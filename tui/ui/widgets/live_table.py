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

import asyncio
import time
from itertools import chain
from typing import Any, Iterable, Iterator, Sequence

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual._two_way_dict import TwoWayDict
from textual.binding import Binding
from textual.cache import LRUCache
from textual.color import Color
from textual.coordinate import Coordinate
from textual.css.styles import RenderStyles
from textual.geometry import Region
from textual.reactive import reactive
from textual.strip import Strip
from textual.widgets import DataTable
from textual.widgets.data_table import CellDoesNotExist, ColumnKey, RowKey

from .table_cell import one_line_cell

#: Removing more rows than this goes through one renumbering pass instead of `remove_row` per row.
BULK_REMOVE = 8
#: Textual's render caches are keyed by a counter that moves on every change, so on a live table their old
#: entries are never read again; these caps keep them to about a screenful of a tall terminal (Textual's
#: defaults: 1000 rows and 10 000 cells, filled again and again by a table that changes every second, ~2 MiB).
ROW_CACHE, CELL_CACHE, LINE_CACHE = 64, 480, 64
#: A big refresh (`apply_changes_in_slices`) changes the table for at most this long at a time, then lets the
#: event loop answer keys before the next slice.
SLICE_SECONDS = 0.004
#: Between two slices, whatever else is ready on the event loop runs first, for up to this many loop turns.
OTHERS_FIRST_TURNS = 32


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

    # -- drawing -----------------------------------------------------------------------------------

    _drawing: dict[Any, Any] | None = None  # while the table draws: the styles it reads, each worked out once

    def render_lines(self, crop: Region) -> list[Strip]:
        """Textual's. Drawing each line reads the table's Rich style, its background and a component's style
        or two, and each walks every ancestor (about a fifth of the time to draw a screen of new rows, in a
        profile). Nothing can change them while the lines are drawn, so each is worked out once per pass."""
        self._drawing = {}
        try:
            return super().render_lines(crop)
        finally:
            self._drawing = None

    def _once_per_pass(self, name: str) -> Any:
        """Textual's property `name`, worked out once while the table draws (every time otherwise)."""
        drawing = self._drawing
        if drawing is None:
            return getattr(DataTable, name).fget(self)
        if name not in drawing:
            drawing[name] = getattr(DataTable, name).fget(self)
        return drawing[name]

    @property
    def rich_style(self) -> Style:
        return self._once_per_pass("rich_style")

    @property
    def background_colors(self) -> tuple[Color, Color]:
        return self._once_per_pass("background_colors")

    def get_component_styles(self, *names: str) -> RenderStyles | _DrawnStyles:
        drawing = self._drawing
        if drawing is None:
            return super().get_component_styles(*names)
        if names not in drawing:
            drawing[names] = _DrawnStyles(super().get_component_styles(*names))
        return drawing[names]

    def _render_cell(self, row_index: int, column_index: int, base_style: Style, width: int,
                     cursor: bool = False, hover: bool = False) -> list[list[Segment]]:
        """Textual's, with a body cell of one line of text drawn by `one_line_cell` (the same segments without
        Rich's general machinery). With the styles read once per pass (render_lines), a screen of new Logs rows
        (37 lines at 120x40) is drawn in ~12 ms instead of 21-26 ms. Header, label and fixed cells, taller rows
        and other renderables are drawn by Textual."""
        if row_index < 0 or column_index < 0 or row_index < self.fixed_rows or column_index < self.fixed_columns:
            return super()._render_cell(row_index, column_index, base_style, width, cursor, hover)
        row_key = self._row_locations.get_key(row_index)
        key = (row_key, self._column_locations.get_key(column_index), base_style, cursor, hover,
               self._show_hover_cursor, self._update_count, self._pseudo_class_state)  # (Textual's cache key)
        cache = self._cell_render_cache
        lines = cache.get(key)
        if lines is not None:
            return lines
        if self.rows[row_key].height == 1:
            cell = self._get_row_renderables(row_index)[1][column_index]
            component_style, post_style = self._get_styles_to_render_cell(
                False, False, False, hover, cursor, self.show_cursor, self._show_hover_cursor,
                self.cursor_foreground_priority == "css", self.cursor_background_priority == "css")
            lines = one_line_cell(self.app.console, self.app.console_options, cell, width, self.cell_padding,
                                  base_style + Style.from_meta({"row": row_index, "column": column_index})
                                  + component_style, post_style)
            if lines is not None:
                cache[key] = lines
                return lines
        return super()._render_cell(row_index, column_index, base_style, width, cursor, hover)

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
        returns how many were removed. What stays is copied rather than what goes deleted, and keys are
        compared as strings: a filter that hides 190 of 200 rows touches the 10 that stay."""
        wanted = set(keys)
        gone = [key for key in self.rows if key.value in wanted]
        if len(gone) <= BULK_REMOVE:
            for key in gone:
                self.remove_row(key)
            return len(gone)
        at = self._row_locations.get_key
        under_cursor = at(self.cursor_row) if 0 <= self.cursor_row < len(self._row_locations) else None
        kept = [key for key in (at(index) for index in range(len(self._row_locations))) if key.value not in wanted]
        rows, data = self.rows, self._data
        self._row_locations = TwoWayDict({key: index for index, key in enumerate(kept)})
        self.rows = {key: rows[key] for key in kept}
        self._data = {key: data[key] for key in kept}
        if self._updated_cells:  # (cells changed since the last idle: none of a removed row may be measured)
            self._updated_cells = {cell for cell in self._updated_cells if cell.row_key in self.rows}
        if self._new_rows:
            self._new_rows.intersection_update(self.rows)
        self._require_update_dimensions = True
        # The cursor follows its row when that row stays; else it is clamped to the rows left and the row now
        # under it highlighted. (Setting it runs the watchers: only once, and only when it moves.)
        row = self._row_locations.get(under_cursor) if under_cursor is not None else None
        if row is None:
            self.cursor_coordinate = self.cursor_coordinate
        elif row != self.cursor_row:
            self.cursor_coordinate = Coordinate(row, self.cursor_column)
        if self.hover_row >= len(kept):
            self.hover_coordinate = self.hover_coordinate
        self._update_count += 1
        self.check_idle()
        self.refresh()  # (as Textual's clear(): the new height comes with the dimensions, worked out when idle)
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
        self.finish_slices()  # a big refresh still being applied comes first
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
                if key in self.rows:  # (a caller that read the table while a big refresh was still coming in)
                    continue
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

    # -- big refreshes, in slices ----------------------------------------------------------------------

    _slices: _Slices | None = None  # a big refresh under way

    def _update_dimensions(self, new_rows: Iterable[RowKey]) -> None:
        # Textual measures every cell of every new row (for auto-width columns and auto-height rows): ~10 ms
        # per 100 rows of ours, on the loop. With every column of a set width and every row one line high
        # (as on our screens) nothing needs measuring; the scrollable size is still worked out.
        if self._slices is not None:
            # A big refresh under way adds its rows slice by slice. A new scrollable height after each slice
            # made Textual lay out the whole screen again (~40 ms each time, a key press waiting behind it):
            # the rows wait here, and _end_slices asks for them once.
            self._new_rows.update(new_rows)
            self._require_update_dimensions = True
            return
        rows = self.rows
        if any(column.auto_width for column in self.columns.values()) or any(
                (row := rows.get(key)) is not None and (row.auto_height or row.label is not None) for key in new_rows):
            super()._update_dimensions(new_rows)
        else:
            super()._update_dimensions(())

    def clear(self, columns: bool = False) -> LiveTable:
        self._slices = None  # what was left of a big refresh no longer applies (nor the rows it held back)
        return super().clear(columns)

    def apply_changes_in_slices(
        self,
        *,
        removed: Iterable[str] = (),
        changed: Iterable[tuple[str, str, Any]] = (),
        added: Iterable[tuple[str, Sequence[Any]]] = (),
        order: Sequence[str],
    ) -> None:
        """`apply_changes` for a big refresh, without holding up key presses: changed cells and new rows
        (appended below, out of sight of a reader at the top) in slices of at most SLICE_SECONDS with the event
        loop free between them, and last, at once, the removals (one pass), the order, the cursor's row and the
        "new above" count. `changed` and `added` may be lazy: their cells are then made slice by slice. The
        reader's place is kept by the same rules as `apply_changes`. Any other change to the table
        (`apply_changes`, `finish_slices`) first finishes what is left; `clear()` drops it.

        The rows that go stay until the end, so the screen shows the table as it was until it shows it as it
        will be: removed first, they made every line in view new twice (once to show what stayed, once the new
        rows), each time drawn in full with the screen laid out again (traced: 27-46 ms frames that keys
        waited behind)."""
        self.finish_slices()
        slices = _Slices(chain(((True, key, column, value) for key, column, value in changed),
                               ((False, key, cells, None) for key, cells in added)), list(order), set(removed))
        self._slices = slices
        self.run_worker(self._apply_slices(slices), group="live-table-slices")  # (ends by itself when superseded)

    def finish_slices(self) -> None:
        """Apply at once what is left of a big refresh (nothing when none is under way)."""
        slices = self._slices
        if slices is not None:
            with self.app.batch_update():
                self._slice(slices, deadline=None)
                self._end_slices(slices)

    async def _apply_slices(self, slices: _Slices) -> None:
        while self._slices is slices:
            with self.app.batch_update():
                done = self._slice(slices, deadline=time.perf_counter() + SLICE_SECONDS)
                if done:
                    self._end_slices(slices)
                    return
            await _others_first()

    def _slice(self, slices: _Slices, deadline: float | None) -> bool:
        """Apply steps until `deadline` (None: all of them); True when none is left."""
        drawn_as_before = self._update_count  # the generation every rendered cell and line is cached under
        appended_only = True
        try:
            for is_change, key, what, value in slices.steps:
                if is_change:  # what: the column
                    if key in self.rows:
                        self.update_cell(key, what, value)
                        appended_only = False
                elif key not in self.rows:  # what: the row's cells
                    self.add_row(*what, key=key)
                    slices.added.append(key)
                self.mutations += 1
                if deadline is not None and time.perf_counter() >= deadline:
                    return False
            return True
        finally:
            if appended_only and self._update_count != drawn_as_before:
                self._keep_drawn_rows(drawn_as_before)

    def _keep_drawn_rows(self, generation: int) -> None:
        """After rows were only appended: every row already in the table looks as it did, so what Textual
        cached of it stays good. Textual counts each added row as a change of the whole table, and the screen
        drawn after each slice re-rendered every visible cell (~40 ms for 40 lines of the Logs table, a key
        press waiting behind it). Its caches of cells, rows and lines are keyed by that count, and a line past
        the last row is never cached, so the count goes back; only the rows' offsets and order (which the new
        rows extend) are worked out again. No cell, row or line is drawn while a slice runs, so nothing is
        cached under the counts the slice went through. Every column has a set width (see _update_dimensions),
        so no cell is narrower."""
        if any(column.auto_width for column in self.columns.values()):
            return
        self._update_count = generation
        self._offset_cache.clear()
        # keyed by (row count, the count): one made while the rows went in could match a later state by chance
        self._ordered_row_cache.clear()

    def _end_slices(self, slices: _Slices) -> None:
        """The new rows are in (at the bottom): take out the rows that go, put the rest in order and the reader
        back in place."""
        self._slices = None
        self.check_idle()  # the scrollable height the slices held back (see _update_dimensions)
        following = self.following
        cursor_key, cursor_index = self.cursor_key(), self.cursor_row
        cursor_line = cursor_index - int(self.scroll_y)
        if slices.removed:
            self.mutations += self.remove_rows(slices.removed)
        if self.row_keys() != slices.order:
            position = {key: index for index, key in enumerate(slices.order)}
            self.sort(key=lambda values: position.get(getattr(values[0], "row_key", None), len(position)))
            self.mutations += 1
        if following:
            self._follow()
            return
        top = self._restore_place(cursor_key, cursor_index, cursor_line)
        if slices.added and top > 0:
            position = {key: index for index, key in enumerate(slices.order)}
            hidden = sum(1 for key in slices.added if position.get(key, top) < top)
            if hidden:
                self.new_above += hidden


_parked = 0  # slicers (of every live table) waiting in _others_first


async def _others_first() -> None:
    """Let the loop run everything else that is ready before the next slice. A key's way through Textual takes one
    loop turn per step (driver, app, screen, table, the screen's refresh), and one turn alone put a whole slice
    before each step; now the steps follow one another, and only a step that waits on a timer meets a slice."""
    global _parked
    ready = getattr(asyncio.get_running_loop(), "_ready", None)  # CPython's own loops; elsewhere: one turn
    _parked += 1
    try:
        for _ in range(OTHERS_FIRST_TURNS):
            await asyncio.sleep(0)
            if ready is None or len(ready) <= _parked - 1:  # nothing but the other slicers' next turns
                return
    finally:
        _parked -= 1


class _DrawnStyles:
    """A component's styles while the table draws: their Rich style worked out once (the rest as they are)."""

    __slots__ = ("styles", "rich_style")

    def __init__(self, styles: RenderStyles) -> None:
        self.styles = styles
        self.rich_style = styles.rich_style

    def __getattr__(self, name: str) -> Any:
        return getattr(self.styles, name)


class _Slices:
    """What is left of a big refresh: steps `(True, key, column, value)` (a changed cell) or `(False, key, cells,
    None)` (a new row), the order wanted at the end, the rows to remove then, and the rows added so far."""

    __slots__ = ("steps", "order", "removed", "added")

    def __init__(self, steps: Iterator[tuple[bool, str, Any, Any]], order: list[str], removed: set[str]) -> None:
        self.steps = steps
        self.order = order
        self.removed = removed
        self.added: list[str] = []
