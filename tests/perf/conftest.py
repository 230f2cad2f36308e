"""Collects benchmark figures and prints them as one table at the end of the run."""

from __future__ import annotations

import pytest

RESULTS: list[tuple[str, str, str, str]] = []


@pytest.fixture
def report():
    def add(what: str, ours: str, anchor: str, ratio_text: str) -> None:
        RESULTS.append((what, ours, anchor, ratio_text))

    return add


def pytest_terminal_summary(terminalreporter):
    if not RESULTS:
        return
    tr = terminalreporter
    tr.section("performance (ratios measured side by side in this run)")
    header = ("what", "wiro-voice", "anchor", "ratio / budget")
    widths = [max(len(r[i]) for r in [header, *RESULTS]) for i in range(4)]
    for row in [header, tuple("-" * w for w in widths), *RESULTS]:
        tr.write_line(" | ".join(cell.ljust(w) for cell, w in zip(row, widths)))
