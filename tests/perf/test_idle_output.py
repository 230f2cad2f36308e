"""Terminal output while nothing happens: what a slow SSH link has to carry when the user only watches.

`wiro-voice --demo` runs in a pseudo-terminal at 120x40 (real time, the demo's default 5 s polls). Once a screen
has loaded, every byte the program writes to the terminal is counted for WIRO_VOICE_PERF_IDLE_SECONDS (default
30) and reported per second beside its budget:

- the Overview, idle: the agent and recent calls polled every 5 s, nothing changing on screen → ≤ 200 B/s;
- Calls, with the demo's two calls in progress ticking their durations every second (and a new call about
  every minute) → ≤ 1.5 KB/s.

Only what changed may be redrawn: an unchanged answer repaints nothing, a ticking duration repaints its cell.
The two screens are watched at once, each in its own `wiro-voice --demo`, beside the other benchmarks that wait
on the clock (tests/perf/conftest.py).
"""

from __future__ import annotations

import os
import sys
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest

from ..ui.pty_session import PtySession

SECONDS = float(os.environ.get("WIRO_VOICE_PERF_IDLE_SECONDS", "30"))
SIZE = (120, 40)
OVERVIEW_BUDGET = 200.0  # bytes per second
CALLS_BUDGET = 1536.0


@dataclass(frozen=True)
class Idle:
    bytes: int
    seconds: float
    output: bytes  # the tail of everything written, for the failure message

    @property
    def rate(self) -> float:
        return self.bytes / self.seconds


def measure(env: dict[str, str], keys: str | None, loaded: bytes, seconds: float) -> Idle:
    term = PtySession([sys.executable, "-m", "tui", "--demo"], env, SIZE)
    try:
        term.read_until(b"wiro-voice")  # the first frame
        term.read_until(b"Recent calls")  # the simulator is up and the Overview has its first answer
        if keys:
            term.send(keys)
            term.output = b""
            term.read_until(loaded)
        term.read_for(3.0)  # the first answers land, new-row highlights fade
        before = len(term.output)
        count = len(term.read_for(seconds)) - before
        return Idle(count, seconds, term.output[-2000:])
    finally:
        term.close()


def both_screens(tmp_path: Path) -> tuple[Idle, Idle]:
    """The idle Overview and Calls, at once (each demo with its own home and config file)."""

    def env(name: str) -> dict[str, str]:
        (tmp_path / name).mkdir()
        return {"PATH": os.environ.get("PATH", ""), "HOME": str(tmp_path / name), "TERM": "xterm-256color",
                "COLORTERM": "truecolor", "LANG": "C.UTF-8", "WIRO_VOICE_CONFIG": str(tmp_path / name / "config.toml")}

    with ThreadPoolExecutor(2) as pool:
        overview = pool.submit(measure, env("overview"), None, b"", SECONDS)
        calls = pool.submit(measure, env("calls"), "c", "live \N{MIDDLE DOT} 5 s".encode(), SECONDS)
        return overview.result(), calls.result()


@pytest.mark.perf
@pytest.mark.beside.with_args(both_screens)
def test_idle_terminal_output_of_the_overview_and_of_calls(side_by_side, report):
    overview, calls = side_by_side(both_screens)
    for what, idle, budget, was in (("Overview, idle", overview, OVERVIEW_BUDGET, "idle_overview"),
                                    ("Calls, two calls in progress ticking", calls, CALLS_BUDGET, "idle_calls")):
        verdict = "met" if idle.rate <= budget else "NOT met"
        report(f"terminal output, {what}, 120x40, {idle.seconds:.0f} s (5 s polls)", f"{idle.rate:.0f} B/s",
               f"{budget:.0f} B/s budget", f"{idle.rate / budget:.2f} of the budget ({verdict})", was=was)
    assert overview.rate <= OVERVIEW_BUDGET, f"idle Overview wrote {overview.rate:.0f} B/s (budget {OVERVIEW_BUDGET:.0f})"
    assert calls.rate <= CALLS_BUDGET, f"Calls wrote {calls.rate:.0f} B/s (budget {CALLS_BUDGET:.0f})"
