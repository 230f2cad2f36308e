"""Row diffs: nothing for an unchanged payload, exactly the changed cells otherwise, linear in the rows."""

from __future__ import annotations

import random
import time
from collections.abc import Mapping
from dataclasses import replace

from tui.calls.diff import AddedRow, CellChange, RowDiff, diff_rows
from tui.calls.rows import COLUMN_KEYS, CallRow, rows_for
from tui.wiro import WiroClient


def make_row(key: str, **cells) -> CallRow:
    values = {c: f"{c}-{key}" for c in COLUMN_KEYS}
    values.update(cells)
    return CallRow(key=key, duration_seconds=None, group="ended", live=False, call_sid="", page_url="",
                   started_ms=None, **values)


def table(rows) -> dict[str, CallRow]:
    return {r.key: r for r in rows}


def apply(current: dict[str, CallRow], diff: RowDiff) -> list[tuple[str, tuple[str, ...]]]:
    """What a table would show after applying `diff` the way the UI does (remove, update, append, re-order)."""
    cells = {k: dict(zip(COLUMN_KEYS, r.cells())) for k, r in current.items()}
    order = [k for k in current if k not in set(diff.removed)]
    for key in diff.removed:
        del cells[key]
    for key, column, value in diff.changed:
        cells[key][column] = value
    for index, row in diff.added:
        assert diff.order[index] == row.key  # the index is the row's place in the new order
        cells[row.key] = dict(zip(COLUMN_KEYS, row.cells()))
        order.append(row.key)
    if diff.order_changed:
        order = list(diff.order)
    return [(k, tuple(cells[k][c] for c in COLUMN_KEYS)) for k in order]


def shown(rows) -> list[tuple[str, tuple[str, ...]]]:
    seen, out = set(), []
    for r in rows:
        if r.key not in seen:
            seen.add(r.key)
            out.append((r.key, r.cells()))
    return out


ROWS = [make_row(f"k{i}") for i in range(10)]


def test_identical_input_is_an_empty_diff():
    diff = diff_rows(table(ROWS), ROWS)
    assert diff.is_empty and not diff.order_changed
    rebuilt = [make_row(f"k{i}") for i in range(10)]  # equal values, new objects
    assert diff_rows(table(ROWS), rebuilt).is_empty
    assert diff_rows({}, []).is_empty


def test_one_changed_cell_is_exactly_that_change():
    new = list(ROWS)
    new[3] = replace(ROWS[3], status="ended")
    diff = diff_rows(table(ROWS), new)
    assert diff.changed == (CellChange("k3", "status", "ended"),)
    assert not diff.added and not diff.removed and not diff.order_changed and not diff.is_empty


def test_a_field_outside_the_columns_is_no_table_mutation():
    new = list(ROWS)
    new[0] = replace(ROWS[0], group="active", page_url="https://x.example")
    assert diff_rows(table(ROWS), new).is_empty


def test_a_new_call_on_top_is_added_at_index_0_and_needs_reordering():
    fresh = make_row("new")
    diff = diff_rows(table(ROWS), [fresh] + ROWS)
    assert diff.added == (AddedRow(0, fresh),) and not diff.removed and not diff.changed
    assert diff.order_changed and diff.order[0] == "new"


def test_a_row_appended_at_the_end_needs_no_reordering():
    fresh = make_row("new")
    diff = diff_rows(table(ROWS), ROWS + [fresh])
    assert diff.added == (AddedRow(10, fresh),) and not diff.order_changed


def test_removed_rows_leave_without_reordering_the_rest():
    diff = diff_rows(table(ROWS), ROWS[:2] + ROWS[5:])
    assert diff.removed == ("k2", "k3", "k4") and not diff.added and not diff.changed
    assert not diff.order_changed


def test_a_reorder_alone_is_only_order_changed():
    new = list(reversed(ROWS))
    diff = diff_rows(table(ROWS), new)
    assert diff.order_changed and diff.order == tuple(r.key for r in new)
    assert not diff.added and not diff.removed and not diff.changed


def test_a_key_repeated_in_the_new_rows_counts_once():
    diff = diff_rows({}, [ROWS[0], ROWS[1], replace(ROWS[0], status="x")])
    assert [a.row.key for a in diff.added] == ["k0", "k1"] and diff.order == ("k0", "k1")


def test_random_edits_always_apply_to_the_new_table():
    rng = random.Random(7)
    current = [make_row(f"k{i}") for i in range(30)]
    counter = 30
    for _ in range(300):
        new = list(current)
        for _ in range(rng.randint(0, 4)):
            action = rng.choice(["change", "insert", "remove", "swap", "append"])
            if action == "change" and new:
                i = rng.randrange(len(new))
                column = rng.choice(COLUMN_KEYS)
                new[i] = replace(new[i], **{column: f"v{rng.random():.3f}"})
            elif action in ("insert", "append"):
                counter += 1
                row = make_row(f"k{counter}")
                new.insert(0 if action == "insert" else len(new), row)
            elif action == "remove" and new:
                del new[rng.randrange(len(new))]
            elif action == "swap" and len(new) > 1:
                i, j = rng.sample(range(len(new)), 2)
                new[i], new[j] = new[j], new[i]
        diff = diff_rows(table(current), new)
        assert apply(table(current), diff) == shown(new)
        assert diff.is_empty == (shown(current) == shown(new))
        current = new


async def test_polling_the_simulator_diffs_only_what_moved(sim, clock):
    async with WiroClient(sim.api_key, base_url=sim.wiro_base) as client:
        guid = sim.demo_agent_guid
        first = rows_for(await client.call_history(guid, 200), int(sim.now() * 1000))
        again = rows_for(await client.call_history(guid, 200), int(sim.now() * 1000))
        assert diff_rows(table(first), again).is_empty  # same payload, same now: no mutation at all
        clock.advance(90)
        later = rows_for(await client.call_history(guid, 200), int(sim.now() * 1000))
    diff = diff_rows(table(first), later)
    assert apply(table(first), diff) == shown(later)
    assert diff.added  # calls arrive every ~40 s while the agent runs
    changed_columns = {c.column for c in diff.changed}
    assert "age" in changed_columns and changed_columns <= set(COLUMN_KEYS)


class CountingMapping(Mapping):
    """A read-only mapping that counts every access, to show the diff is linear."""

    def __init__(self, data):
        self.data, self.reads = data, 0

    def __getitem__(self, key):
        self.reads += 1
        return self.data[key]

    def get(self, key, default=None):
        self.reads += 1
        return self.data.get(key, default)

    def __contains__(self, key):
        self.reads += 1
        return key in self.data

    def __iter__(self):
        for key in self.data:
            self.reads += 1
            yield key

    def __len__(self):
        return len(self.data)


def _scenario(n: int):
    old = [make_row(f"k{i}") for i in range(n)]
    new = [make_row("fresh")] + [replace(r, age="changed") if i % 40 == 0 else r for i, r in enumerate(old[:-1])]
    return old, new


def test_the_diff_is_linear_in_the_rows():
    reads = {}
    for n in (200, 2000):
        old, new = _scenario(n)
        mapping = CountingMapping(table(old))
        diff_rows(mapping, new)
        reads[n] = mapping.reads
        assert mapping.reads <= 4 * n  # a few look-ups per row, never one per pair of rows
    assert reads[2000] <= 11 * reads[200]


def test_timing_of_200_rows_is_printed():
    old, new = _scenario(200)
    current = table(old)
    timings = []
    for _ in range(50):
        t = time.perf_counter()
        diff_rows(current, new)
        timings.append(time.perf_counter() - t)
    unchanged = []
    for _ in range(50):
        t = time.perf_counter()
        diff_rows(current, old)
        unchanged.append(time.perf_counter() - t)
    timings.sort()
    unchanged.sort()
    print(f"\ndiff of 200 rows: median {timings[25] * 1e6:.0f} µs with 1 added, 1 removed and 5 changed; "
          f"{unchanged[25] * 1e6:.0f} µs unchanged")
    # what was timed is right: the changed payload gives its changes, the unchanged one none
    assert diff_rows(current, old).is_empty and not diff_rows(current, new).is_empty
