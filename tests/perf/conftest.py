"""Collects benchmark figures and prints them as one table at the end of the run, each beside its previous figure
(tests/perf/previous.py), followed by any profile notes (where the memory goes)."""

from __future__ import annotations

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
