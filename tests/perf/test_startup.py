"""First frame and peak memory of `wiro-voice --demo` against a bare Textual hello-world.

Runs interleaved (anchor, ours, anchor, ours…) so machine noise hits both alike; prints medians and
their ratio. Asserts only that both were measured: budgets are reported, not asserted, because
these machines are noisy.
"""

from __future__ import annotations

import compileall
import os
import statistics
import sys
from pathlib import Path

import pytest

import tui

from .pty_run import first_frame

RUNS = int(os.environ.get("WIRO_VOICE_PERF_RUNS", "7"))
HERE = Path(__file__).parent


@pytest.mark.perf
def test_first_frame_and_peak_rss_against_hello_world(tmp_path, report):
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(tmp_path),
        "TERM": "xterm-256color",
        "COLORTERM": "truecolor",
        "LANG": "C.UTF-8",
        "WIRO_VOICE_CONFIG": str(tmp_path / "config.toml"),  # no account configured: the demo
    }
    # Both sides start from compiled bytecode, as an installed program does (pip compiles site-packages;
    # an editable checkout run with PYTHONDONTWRITEBYTECODE=1 would recompile our modules every start).
    compileall.compile_dir(str(Path(tui.__file__).parent), quiet=1)
    compileall.compile_file(str(HERE / "hello_app.py"), quiet=1)
    ours_cmd = [sys.executable, "-m", "tui", "--demo"]
    hello_cmd = [sys.executable, str(HERE / "hello_app.py")]
    # warm the import caches once each so the first measured run is not a cold disk read
    first_frame(hello_cmd, b"Hello, world", env=env)
    first_frame(ours_cmd, b"wiro-voice", env=env)

    hello, ours, hello_rss, ours_rss = [], [], [], []
    for _ in range(RUNS):
        h = first_frame(hello_cmd, b"Hello, world", env=env, settle=1.0)
        o = first_frame(ours_cmd, b"wiro-voice", env=env, settle=1.0)
        hello.append(h.seconds), ours.append(o.seconds)
        hello_rss.append(h.peak_rss_kb), ours_rss.append(o.peak_rss_kb)

    t_ratio = statistics.median(ours) / statistics.median(hello)
    m_ratio = statistics.median(ours_rss) / statistics.median(hello_rss)
    report("first frame, --demo, 120x40", f"{statistics.median(ours) * 1000:.0f} ms",
           f"{statistics.median(hello) * 1000:.0f} ms hello-world", f"{t_ratio:.2f}x (budget <= 1.3x)")
    report("peak RSS 1 s after first frame", f"{statistics.median(ours_rss) / 1024:.1f} MiB",
           f"{statistics.median(hello_rss) / 1024:.1f} MiB hello-world", f"{m_ratio:.2f}x (budget <= 1.5x)")
    assert all(t > 0 for t in ours + hello)
    assert all(kb > 0 for kb in ours_rss + hello_rss)
