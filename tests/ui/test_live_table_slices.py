"""LiveTable's big refreshes in slices: the same end state and cursor rules as one `apply_changes`, keys answered
between slices, and a later change (or a clear) never mixed with a half-applied one."""

from __future__ import annotations

import asyncio

from textual import events
from textual.app import App

from tui.ui.widgets import live_table
from tui.ui.widgets.live_table import LiveTable

from .test_live_table import TableApp, fill, rows


def fill_in_slices(table: LiveTable, start: int, stop: int) -> list[str]:
    old = set(table.row_keys())
    wanted = rows(start, stop)
    keys = [k for k, _ in wanted]
    table.apply_changes_in_slices(removed=[k for k in old if k not in set(keys)],
                                  added=((k, cells) for k, cells in wanted if k not in old), order=keys)
    return keys


async def settle(app: App, pilot) -> None:
    await app.workers.wait_for_complete()
    await pilot.pause()


async def test_following_the_top_a_big_answer_ends_in_order_with_the_cursor_on_the_newest(monkeypatch):
    monkeypatch.setattr(live_table, "SLICE_SECONDS", 0.0)  # one row per slice: many slices
    app = TableApp()
    async with app.run_test(size=(60, 20)) as pilot:
        table = app.query_one(LiveTable)
        fill(table, 0, 10)
        await pilot.pause()
        keys = fill_in_slices(table, 0, 300)
        await settle(app, pilot)
        assert table.row_keys() == keys
        assert table.cursor_key() == "k299" and table.following and table.new_above == 0


async def test_away_from_the_top_the_cursor_keeps_its_row_and_line_and_new_rows_are_counted(monkeypatch):
    monkeypatch.setattr(live_table, "SLICE_SECONDS", 0.0)
    app = TableApp()
    async with app.run_test(size=(60, 20)) as pilot:
        table = app.query_one(LiveTable)
        fill(table, 0, 60)
        await pilot.pause()
        table.move_cursor(row=30, animate=False)
        await pilot.pause()
        key, line = table.cursor_key(), table.cursor_row - int(table.scroll_y)
        fill_in_slices(table, 0, 260)  # 200 newer rows, all above the reader
        await settle(app, pilot)
        assert table.cursor_key() == key and table.cursor_row - int(table.scroll_y) == line
        assert table.new_above == 200


async def test_keys_are_answered_while_slices_are_applied(monkeypatch):
    monkeypatch.setattr(live_table, "SLICE_SECONDS", 0.0)
    app = TableApp()
    async with app.run_test(size=(60, 20)) as pilot:
        table = app.query_one(LiveTable)
        fill(table, 0, 40)
        await pilot.pause()
        table.move_cursor(row=5, animate=False)
        await pilot.pause()
        fill_in_slices(table, 0, 2000)
        # the key as a terminal sends it (Pilot.press would first wait until the app stops working)
        key = events.Key("down", None)
        key.set_sender(app)
        app._driver.send_message(key)
        for _ in range(2000):
            if table.cursor_key() == "k33":
                break
            await asyncio.sleep(0.001)
        assert table.cursor_key() == "k33"
        assert table._slices is not None, "the key waited for the whole refresh"  # the 1960 slices are not through
        await settle(app, pilot)
        assert table.cursor_key() == "k33" and table.row_count == 2000


async def test_a_later_change_finishes_the_slices_first_and_a_clear_drops_them(monkeypatch):
    monkeypatch.setattr(live_table, "SLICE_SECONDS", 0.0)
    app = TableApp()
    async with app.run_test(size=(60, 20)) as pilot:
        table = app.query_one(LiveTable)
        fill_in_slices(table, 0, 500)
        fill(table, 0, 510)  # at once: what was left of the slices first, then ten more
        assert table.row_keys() == [k for k, _ in rows(0, 510)]
        fill_in_slices(table, 0, 900)
        table.clear()
        await settle(app, pilot)
        assert table.row_count == 0


class FixedWidthApp(TableApp):
    COLUMN_WIDTH = 12  # every column of a set width, as on the dashboard's screens


def drawn(table: LiveTable) -> list[str]:
    return [table.render_line(y).text for y in range(table.size.height)]


async def test_rows_appended_in_slices_are_drawn_and_the_rows_drawn_before_are_kept(monkeypatch):
    monkeypatch.setattr(live_table, "SLICE_SECONDS", 0.0)
    app = FixedWidthApp()
    async with app.run_test(size=(60, 20)) as pilot:
        table = app.query_one(LiveTable)
        fill(table, 5, 10)  # k9..k5
        await pilot.pause()
        before, generation, height = drawn(table), table._update_count, table.virtual_size.height
        keys = fill_in_slices(table, 0, 10)  # k4..k0 go below them, one slice each: the order needs no sort
        await settle(app, pilot)
        assert table.row_keys() == keys
        # what was drawn of the rows already there was not thrown away at each of the 5 slices (Textual drops it
        # once, at the end, when the table's new height resizes it), and the new rows are drawn
        assert table._update_count <= generation + 1
        after = drawn(table)
        assert after[:6] == before[:6]
        assert [line.split()[:3] for line in after[6:11]] == [[f"{i:04d}", "row", str(i)] for i in range(4, -1, -1)]
        assert table.virtual_size.height == height + 5  # and the scrollable height counts them


async def test_rows_put_in_order_after_the_slices_are_drawn_in_that_order(monkeypatch):
    monkeypatch.setattr(live_table, "SLICE_SECONDS", 0.0)  # one row per slice, the last one too
    app = FixedWidthApp()
    async with app.run_test(size=(60, 20)) as pilot:
        table = app.query_one(LiveTable)
        fill(table, 0, 5)  # k4..k0
        await pilot.pause()
        keys = fill_in_slices(table, 0, 12)  # k11..k5 come in below, then go above the others
        await settle(app, pilot)
        assert table.row_keys() == keys
        assert [row.key.value for row in table.ordered_rows] == keys
        assert [line.split()[0] for line in drawn(table)[1:13]] == [f"{i:04d}" for i in range(11, -1, -1)]


async def test_rows_that_go_stay_in_view_until_the_new_rows_are_in_and_the_place_rules_hold(monkeypatch):
    """An answer replacing most rows: what is in view stays as it was while the slices run (no half-way state drawn
    in full), then the old rows go, all at once, and the reader's place follows apply_changes' rules."""
    monkeypatch.setattr(live_table, "SLICE_SECONDS", 0.0)  # one row per slice
    seen_during: list[list[str]] = []
    app = FixedWidthApp()
    async with app.run_test(size=(60, 20)) as pilot:
        table = app.query_one(LiveTable)
        fill(table, 0, 100)  # k99..k0
        await pilot.pause()
        table.move_cursor(row=5, animate=False)  # k94, away from the top
        await pilot.pause()
        before = drawn(table)
        original = table._slice

        def watched(slices, deadline):
            seen_during.append(drawn(table))
            return original(slices, deadline)

        monkeypatch.setattr(table, "_slice", watched)
        old = set(table.row_keys())
        keys = [k for k, _ in rows(30, 130)]  # k129..k30: 30 new rows above, k29..k0 go (k94 stays)
        table.apply_changes_in_slices(removed=[k for k in old if k not in set(keys)],
                                      added=((k, cells) for k, cells in rows(30, 130) if k not in old), order=keys)
        await settle(app, pilot)
        assert len(seen_during) >= 30 and all(lines == before for lines in seen_during)
        assert table.row_keys() == keys and table.row_count == 100
        assert table.cursor_key() == "k94" and table.new_above == 30
        assert table.cursor_row - int(table.scroll_y) == 5  # on the same screen line
        # the reader's row goes: the cursor stays at the same height
        table.move_cursor(row=table.get_row_index("k31"), animate=False)
        await pilot.pause()
        index = table.cursor_row
        old = set(table.row_keys())
        keys = [k for k, _ in rows(32, 160)]  # k31 and k30 go
        table.apply_changes_in_slices(removed=[k for k in old if k not in set(keys)],
                                      added=((k, cells) for k, cells in rows(32, 160) if k not in old), order=keys)
        await settle(app, pilot)
        assert table.row_keys() == keys and table.cursor_row == min(index, table.row_count - 1)


class TwoTablesApp(App):
    """Two live tables filling at once, as Logs and Calls do when both answers arrive."""

    def compose(self):
        yield LiveTable(id="a", cursor_type="row")
        yield LiveTable(id="b", cursor_type="row")

    def on_mount(self) -> None:
        for table in self.query(LiveTable):
            for column in ("n", "what"):
                table.add_column(column, key=column, width=12)


def count_slices(monkeypatch) -> list[int]:
    """A list whose one item counts the slices applied by every live table from now on."""
    count = [0]
    original = LiveTable._slice

    def counted(self, slices, deadline):
        count[0] += 1
        return original(self, slices, deadline)

    monkeypatch.setattr(LiveTable, "_slice", counted)
    return count


async def chain_of_steps(steps: int, count: list[int]) -> list[int]:
    """Run `steps` callbacks, each scheduling the next (as a key goes driver → app → screen → table → refresh);
    returns the slice count seen at each step."""
    loop = asyncio.get_running_loop()
    seen: list[int] = []
    done = asyncio.Event()

    def step() -> None:
        seen.append(count[0])
        if len(seen) < steps:
            loop.call_soon(step)
        else:
            done.set()

    loop.call_soon(step)
    await done.wait()
    return seen


async def test_work_waiting_on_the_loop_runs_before_the_next_slice(monkeypatch):
    monkeypatch.setattr(live_table, "SLICE_SECONDS", 0.0)  # one row per slice: a slice at every chance
    count = count_slices(monkeypatch)
    app = TwoTablesApp()
    async with app.run_test(size=(60, 30)) as pilot:
        a, b = app.query(LiveTable)
        for table in (a, b):
            fill_in_slices(table, 0, 400)
        await asyncio.sleep(0.01)
        assert a._slices is not None and b._slices is not None and count[0] > 0  # both under way
        seen = await chain_of_steps(20, count)
        # one loop turn per slice would put a slice of each table before every step (~40); the steps run one
        # after the other, a slice of each table at most where the chain began
        assert seen[-1] - seen[0] <= 2, seen
        await settle(app, pilot)
        assert a.row_count == b.row_count == 400  # and the two tables never wait on each other for good


async def test_slices_go_on_beside_work_that_never_stops_being_ready(monkeypatch):
    monkeypatch.setattr(live_table, "SLICE_SECONDS", 0.0)
    count = count_slices(monkeypatch)
    app = TableApp()
    async with app.run_test(size=(60, 20)) as pilot:
        table = app.query_one(LiveTable)
        stop = False

        async def spinner() -> None:  # always ready again: waiting for it to finish would wait forever
            while not stop:
                await asyncio.sleep(0)

        spinning = asyncio.create_task(spinner())
        try:
            fill_in_slices(table, 0, 50)
            for _ in range(50 * live_table.OTHERS_FIRST_TURNS * 4):
                if table._slices is None and table.row_count == 50:
                    break
                await asyncio.sleep(0)
            assert table.row_count == 50 and count[0] >= 50
        finally:
            stop = True
            await spinning
        await settle(app, pilot)
