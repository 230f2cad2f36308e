"""LiveTable on its own: following the newest rows from the top, keeping the reader's place elsewhere with a
count of rows that arrived above, removing many rows in one pass, and repainting only a changed cell's row."""

from __future__ import annotations

from textual.app import App

from tui.ui.widgets.live_table import LiveTable

COLUMNS = ("when", "what")


class TableApp(App):
    COLUMN_WIDTH: int | None = None  # None: as wide as the widest cell (Textual measures every cell)

    def compose(self):
        yield LiveTable(id="t", cursor_type="row")

    def on_mount(self) -> None:
        table = self.query_one(LiveTable)
        for column in COLUMNS:
            table.add_column(column, key=column, width=self.COLUMN_WIDTH)
        table.focus()


def rows(start: int, stop: int) -> list[tuple[str, list]]:
    """Rows keyed k<start>..k<stop-1>, newest (highest) first."""
    from tui.ui.widgets.live_table import KeyedText

    return [(f"k{i}", [KeyedText(f"{i:04d}", f"k{i}"), f"row {i}"]) for i in range(stop - 1, start - 1, -1)]


def fill(table: LiveTable, start: int, stop: int) -> None:
    old = set(table.row_keys())
    wanted = rows(start, stop)
    table.apply_changes(removed=[k for k in old if k not in {k for k, _ in wanted}],
                        added=[(k, cells) for k, cells in wanted if k not in old], order=[k for k, _ in wanted])


async def test_at_the_top_the_table_follows_the_newest_rows():
    app = TableApp()
    async with app.run_test(size=(60, 20)) as pilot:
        table = app.query_one(LiveTable)
        fill(table, 0, 40)
        await pilot.pause()
        assert table.following and table.cursor_key() == "k39"
        fill(table, 0, 45)  # five newer rows arrive on top
        await pilot.pause()
        assert table.cursor_row == 0 and table.cursor_key() == "k44" and table.scroll_y == 0
        assert table.new_above == 0


async def test_elsewhere_the_reader_keeps_its_row_and_line_and_new_rows_above_are_counted_until_it_goes_up():
    app = TableApp()
    async with app.run_test(size=(60, 20)) as pilot:
        table = app.query_one(LiveTable)
        fill(table, 0, 60)
        await pilot.pause()
        await pilot.press("pagedown", "down", "down")
        await pilot.pause()
        key, line = table.cursor_key(), table.cursor_row - int(table.scroll_y)
        assert table.scroll_y > 0 and not table.following
        fill(table, 0, 63)  # three newer rows, all above the view
        await pilot.pause()
        assert table.cursor_key() == key and table.cursor_row - int(table.scroll_y) == line
        assert table.new_above == 3
        fill(table, 0, 64)
        await pilot.pause()
        assert table.new_above == 4
        await pilot.press("home")  # back to the newest: the count goes, and the table follows again
        await pilot.pause()
        assert table.cursor_key() == "k63" and table.new_above == 0 and table.following
        fill(table, 0, 66)
        await pilot.pause()
        assert table.cursor_key() == "k65" and table.new_above == 0


async def test_many_rows_leave_in_one_pass_and_the_table_stays_consistent():
    app = TableApp()
    async with app.run_test(size=(60, 20)) as pilot:
        table = app.query_one(LiveTable)
        fill(table, 0, 200)
        await pilot.pause()
        keep = [f"k{i}" for i in range(199, -1, -20)]  # ten rows stay
        table.move_cursor(row=table.get_row_index(keep[3]))
        await pilot.pause()
        removed = [k for k in table.row_keys() if k not in keep]
        calls = []
        original = table.remove_row
        table.remove_row = lambda key: calls.append(key) or original(key)
        assert table.apply_changes(removed=removed, order=keep) == 190
        await pilot.pause()
        assert calls == []  # not one remove_row per row
        assert table.row_keys() == keep and table.row_count == 10
        assert [table.get_row_index(k) for k in keep] == list(range(10))
        assert table.cursor_key() == keep[3]
        assert [str(table.get_row(k)[1]) for k in keep] == [f"row {k[1:]}" for k in keep]


async def test_a_changed_cell_repaints_itself_only():
    app = TableApp()
    async with app.run_test(size=(60, 20)) as pilot:
        table = app.query_one(LiveTable)
        fill(table, 0, 30)
        await pilot.pause()
        repaints = []
        original = table.refresh
        table.refresh = lambda *regions, **kw: repaints.append((regions, kw)) or original(*regions, **kw)
        table.update_cell("k27", "what", "new 27")  # as wide as before: the column keeps its width
        [(regions, _options)] = repaints
        assert len(regions) == 1 and regions[0].height == 1
        assert regions[0].width == table.columns[table.ordered_columns[1].key].get_render_width(table)
        await pilot.pause()
        assert str(table.get_cell("k27", "what")) == "new 27"
        # and it shows: the rendered line of that row says so
        y = table.get_row_index("k27") + 1  # under the header
        assert "new 27" in table.render_line(y).text
