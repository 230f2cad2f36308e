"""Collects benchmark figures and prints them as one table at the end of the run, each beside its previous figure
(tests/perf/previous.py), followed by any profile notes (where the memory goes).

Two kinds of benchmark run in this step. Most time something against an anchor in the same run, and run one at a
time on quiet cores. A few measure what the clock does not change: resident memory, bytes written to the
terminal, CPU time per second of wall time; they spend nearly all of their minutes waiting (50 s of live refresh,
60 s of a watcher polling every 5 s, 30 s of an idle screen). Those are marked `beside(measure)`: they run last,
and the first of them to run starts every selected one's `measure` at once, each in a thread of its own (their
programs are processes of their own, and mostly asleep); each test then waits for its own figures and checks
them. Run side by side they take as long as the longest instead of the sum of all (about 65 s instead of
265 s on the 2-core VM).
"""

from __future__ import annotations

import threading
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any, Callable

import pytest

from .previous import PREVIOUS

RESULTS: list[tuple[str, str, str, str, str]] = []
NOTES: list[str] = []


@pytest.fixture
def report():
    def add(what: str, ours: str, anchor: str, ratio_text: str, *, was: str = "") -> None:
        """One table row. `was`: the previous figure's id in PREVIOUS (or the figure itself)."""
        RESULTS.append((what, ours, anchor, ratio_text, PREVIOUS.get(was, was) or "—"))

    return add


@pytest.fixture
def note():
    """Lines printed under the table (e.g. the memory attribution of a profile run)."""
    return NOTES.append


def _measure_of(item: pytest.Item) -> Callable[[Path], Any] | None:
    marker = item.get_closest_marker("beside")
    return marker.args[0] if marker is not None else None


def pytest_collection_modifyitems(items):
    """The benchmarks that run side by side go last, after the ones that time something on quiet cores."""
    items.sort(key=lambda item: _measure_of(item) is not None)  # stable: the order within each kind is kept


class SideBySide:
    """Starts every selected `beside` benchmark's measure together, the first time one is asked for."""

    def __init__(self, session: pytest.Session, tmp: pytest.TempPathFactory) -> None:
        self.session, self.tmp = session, tmp
        self.lock = threading.Lock()
        self.futures: dict[Callable[[Path], Any], Future] = {}

    def __call__(self, measure: Callable[[Path], Any]) -> Any:
        """`measure(a fresh directory)`'s result, once it is done (its exception, if it raised)."""
        with self.lock:
            if not self.futures:
                wanted = [m for m in dict.fromkeys(_measure_of(i) for i in self.session.items) if m is not None]
                pool = ThreadPoolExecutor(max_workers=max(1, len(wanted)), thread_name_prefix="beside")
                for m in wanted:
                    self.futures[m] = pool.submit(m, self.tmp.mktemp(m.__module__.rsplit(".", 1)[-1]))
                pool.shutdown(wait=False)
            if measure not in self.futures:  # (not among the selected items: run by itself)
                self.futures[measure] = Future()
                self.futures[measure].set_result(measure(self.tmp.mktemp("beside")))
        return self.futures[measure].result()


@pytest.fixture(scope="session")
def side_by_side(request, tmp_path_factory) -> SideBySide:
    return SideBySide(request.session, tmp_path_factory)


def pytest_terminal_summary(terminalreporter):
    if not RESULTS and not NOTES:
        return
    tr = terminalreporter
    tr.section("performance (ratios measured side by side in this run)")
    if RESULTS:
        header = ("what", "wiro-voice", "anchor", "ratio / budget", "previous figure")
        widths = [max(len(r[i]) for r in [header, *RESULTS]) for i in range(len(header))]
        for row in [header, tuple("-" * w for w in widths), *RESULTS]:
            tr.write_line(" | ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip())
    for line in NOTES:
        tr.write_line(line)
