"""The live tables draw a one-line text cell themselves (tui/ui/widgets/table_cell.py): the segments must be
exactly Textual's, for any text, style, justification, overflow, width, padding, cursor and hover.

Thousands of varied cells (a seeded generator) are drawn both ways in one running app: by LiveTable's
`_render_cell` and by Textual's own `DataTable._render_cell`, each from empty caches.
"""

from __future__ import annotations

import random

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.app import App, ComposeResult
from textual.widgets import DataTable

from tui.ui.widgets.live_table import KeyedText, LiveTable

PIECES = ["a", "Z", " ", "  ", "7", "é", "日", "本", "😀", "e\u0301", "\u200b", "…", "-", "|", "·", "x" * 9,
          "\x1b", "\x07", "[b]", "ﬀ", "Ω", "\u3000"]
STYLES = ["", "bold", "red", "bold red on blue", "italic #ff8800", "underline", "reverse", "dim green",
          "link https://example.com", "strike", Style(color="cyan", meta={"k": 1})]


def make_cell(rng: random.Random):
    plain = "".join(rng.choice(PIECES) for _ in range(rng.randint(0, 12)))
    kind = rng.random()
    if kind < 0.1:
        return plain  # a plain str cell (Textual makes a Text of it)
    cls = KeyedText if kind < 0.3 else Text
    kwargs = dict(style=rng.choice(STYLES), justify=rng.choice([None, None, "default", "left", "right", "center",
                                                                "full"]),
                  overflow=rng.choice([None, None, "ellipsis", "crop", "fold", "ignore"]),
                  no_wrap=rng.choice([None, True, False]), end=rng.choice(["\n", "\n", ""]))
    text = cls(plain, "key", **kwargs) if cls is KeyedText else cls(plain, **kwargs)
    for _ in range(rng.randint(0, 3)):
        if len(text.plain):
            start = rng.randrange(len(text.plain))
            text.stylize(rng.choice(STYLES[1:]), start, rng.randint(start, len(text.plain) + 2))
    return text


class Tables(App):
    def compose(self) -> ComposeResult:
        yield LiveTable(cursor_type="row", zebra_stripes=True)


async def test_one_line_cells_are_drawn_exactly_as_textual_draws_them():
    rng = random.Random(20261205)
    app = Tables()
    async with app.run_test(size=(100, 20)) as pilot:
        table = app.query_one(LiveTable)
        table.add_column("one", key="one", width=12)
        table.add_column("two", key="two", width=6)
        table.add_row("x", "y", key="r0")
        table.add_row("x", "y", key="r1", height=2)  # a taller row: Textual draws it (and the same lines come out)
        await pilot.pause()
        fast = 0
        for i in range(3000):
            table.cell_padding = rng.choice([1, 1, 1, 0, 2])
            row = rng.choice([0, 0, 0, 1])
            column = rng.choice([0, 1])
            row_key = table._row_locations.get_key(row)
            table._data[row_key][table._column_locations.get_key(column)] = make_cell(rng)
            base = rng.choice([table.rich_style, Style(bgcolor="black"), Style.null()])
            width = rng.randint(1, 24)
            cursor, hover = rng.random() < 0.3, rng.random() < 0.2
            table._show_hover_cursor = rng.random() < 0.5
            drawn = []
            for draw in (table._render_cell, lambda *args: DataTable._render_cell(table, *args)):
                table._update_count += 1  # every cache (of cells and of their renderables) out of date
                table._row_renderable_cache.clear()
                drawn.append(draw(row, column, base, width, cursor, hover))
            ours, theirs = drawn
            assert ours == theirs, (i, table._data[row_key], width, table.cell_padding)
            assert all(isinstance(segment, Segment) for line in ours for segment in line)
            fast += row == 0 and isinstance(table._get_row_renderables(row)[1][column], Text)
        assert fast > 1000  # the fast path was taken often (most generated cells are one-line text)


async def test_header_fixed_and_label_cells_are_textuals():
    app = Tables()
    async with app.run_test(size=(60, 10)) as pilot:
        table = app.query_one(LiveTable)
        table.add_column("when", key="when", width=8)
        table.add_column("what", key="what", width=8)
        table.add_row(Text("a"), Text("b"), key="r0", label="L")
        table.fixed_columns = 1
        await pilot.pause()
        for row, column in ((-1, 0), (0, -1), (0, 0), (0, 1)):
            table._update_count += 1
            ours = table._render_cell(row, column, table.rich_style, 10, False, False)
            table._update_count += 1
            assert ours == DataTable._render_cell(table, row, column, table.rich_style, 10, False, False)
