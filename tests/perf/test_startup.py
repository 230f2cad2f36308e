"""First frame of `wiro-voice --demo` against a bare Textual hello-world: alone, and beside a CPU-bound neighbour.

Both programs start from compiled bytecode, as an installed program does: the package and the hello-world are
compiled first, and both run with `-m` (a script named on the command line is always compiled afresh, a module
run with -m is not). Runs are interleaved (anchor, ours, anchor, ours…) so machine noise hits both alike; the
median of the pairs' ratios (and, beside it, the ratio of the medians) goes into the performance table. The second run has a process spinning on one core the
whole time, as another test process would: the ratio must hold there too (issue 18.2).

Budget: first frame ≤ 1.2 × hello-world in both runs, asserted after the figures are in the table, so a miss
fails the perf step with the numbers beside it. A median over the budget is measured again (up to ATTEMPTS sets of
RUNS pairs), and the missed attempts are printed beside the one that counts. Peak RSS 1 s after the first frame
(median of RSS_RUNS runs each; it moves by ~0.2 MiB between runs) is asserted against its budget (1.5 ×), also after
the table. Memory under live refresh has its own benchmark (test_live_memory.py), reported, not asserted
(not met: see the README).
"""

from __future__ import annotations

import compileall
import os
import statistics
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import pytest

import tui

from .pty_run import first_frame

RUNS = int(os.environ.get("WIRO_VOICE_PERF_RUNS", "9"))
RSS_RUNS = 3
HERE = Path(__file__).parent
FRAME_BUDGET = 1.2
#: the wall clock of a shared machine swings (1.02-1.39x for the same code): a miss is measured again, every
#: attempt printed, before it counts
ATTEMPTS = 3
RSS_BUDGET = 1.5


@contextmanager
def cpu_neighbour(active: bool) -> Iterator[None]:
    """A process spinning on one core for the duration (or nothing)."""
    if not active:
        yield
        return
    spinner = subprocess.Popen([sys.executable, "-c", "while True: pass"])
    try:
        yield
    finally:
        spinner.kill()
        spinner.wait()


@pytest.mark.perf
@pytest.mark.parametrize("neighbour", [False, True], ids=["alone", "beside-a-cpu-neighbour"])
def test_first_frame_against_hello_world(tmp_path, report, neighbour):
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(tmp_path),
        "TERM": "xterm-256color",
        "COLORTERM": "truecolor",
        "LANG": "C.UTF-8",
        "PYTHONPATH": str(HERE),  # hello_app as a module, so it too runs from its compiled bytecode
        "WIRO_VOICE_CONFIG": str(tmp_path / "config.toml"),  # no account configured: the demo
    }
    compileall.compile_dir(str(Path(tui.__file__).parent), quiet=1)
    compileall.compile_file(str(HERE / "hello_app.py"), quiet=1)
    ours_cmd = [sys.executable, "-m", "tui", "--demo"]
    hello_cmd = [sys.executable, "-m", "hello_app"]
    hello_rss: list[int] = []
    ours_rss: list[int] = []
    ratios: list[float] = []
    with cpu_neighbour(neighbour):
        # warm the import caches once each so the first measured run is not a cold disk read
        first_frame(hello_cmd, b"Hello, world", env=env)
        first_frame(ours_cmd, b"wiro-voice", env=env)
        for _attempt in range(ATTEMPTS):
            hello, ours = [], []
            for _ in range(RUNS):  # stopped at the first frame: nothing of a run lingers into the next one's timing
                hello.append(first_frame(hello_cmd, b"Hello, world", env=env).seconds)
                ours.append(first_frame(ours_cmd, b"wiro-voice", env=env).seconds)
            # Each pair ran back to back, so it met the same load: the median of the pairs' ratios follows the
            # machine's swings less than the ratio of the two medians (both are printed; the budget is on the first).
            ratios.append(t_ratio := statistics.median(o / h for h, o in zip(hello, ours)))
            if t_ratio <= FRAME_BUDGET:
                break
        if not neighbour:  # memory 1 s after the first frame, in runs of their own
            for _ in range(RSS_RUNS):
                hello_rss.append(first_frame(hello_cmd, b"Hello, world", env=env, settle=1.0).peak_rss_kb)
                ours_rss.append(first_frame(ours_cmd, b"wiro-voice", env=env, settle=1.0).peak_rss_kb)

    where = "beside a CPU-bound neighbour" if neighbour else "alone"
    before = ", ".join(f"{r:.2f}x" for r in ratios[:-1])
    earlier = f"; attempt {len(ratios)}, before it {before}" if before else ""
    of_medians = statistics.median(ours) / statistics.median(hello)
    report(f"first frame, --demo, 120x40, {where}", f"{statistics.median(ours) * 1000:.0f} ms",
           f"{statistics.median(hello) * 1000:.0f} ms hello-world",
           f"{t_ratio:.2f}x (budget <= {FRAME_BUDGET}x; median of {RUNS} pairs; ratio of medians {of_medians:.2f}x"
           f"{earlier})",
           was="first_frame_neighbour" if neighbour else "first_frame")
    if not neighbour:
        m_ratio = statistics.median(ours_rss) / statistics.median(hello_rss)
        report("peak RSS 1 s after first frame", f"{statistics.median(ours_rss) / 1024:.1f} MiB",
               f"{statistics.median(hello_rss) / 1024:.1f} MiB hello-world", f"{m_ratio:.2f}x (budget <= {RSS_BUDGET}x: {'met' if m_ratio <= RSS_BUDGET else 'NOT met'})",
               was="rss_first_frame")
    assert all(t > 0 for t in ours + hello) and all(kb > 0 for kb in ours_rss + hello_rss)
    assert t_ratio <= FRAME_BUDGET, f"first frame {where}: {t_ratio:.2f}x hello-world (budget {FRAME_BUDGET}x)"
    if not neighbour:
        assert m_ratio <= RSS_BUDGET, f"peak RSS 1 s after the first frame: {m_ratio:.2f}x hello-world (budget {RSS_BUDGET}x)"
