"""Memory of the demo under live refresh, against a bare Textual hello-world, measured in the same run.

The budget speaks of 10 minutes of live refresh. Trimmed: `wiro-voice --demo --speed 15` runs in a
pseudo-terminal at 120x40 on the Calls screen, its refresh turned to every second (the `-` key), for
WIRO_VOICE_PERF_LIVE_SECONDS (default 50) real seconds: that many polls, over 12 simulated minutes of calls
arriving, ringing and ending (10 real minutes at the default 5 s refresh would be 120 polls; set the variable
to 600 for the full length). The resident set is read every second. Reported: the peak (VmHWM) against the
hello-world's peak; the same with the simulator in its own process (`wiro-voice sim`), which is what the
dashboard itself holds (a shorter run, past the warm-up); and growth after a 25 s warm-up (the largest RSS of the second half after it, against
the RSS at 25 s).

The three runs (and the profile below) go at once, beside the other benchmarks that wait on the clock
(tests/perf/conftest.py): each is a process of its own, and what they measure is memory, not time.
"""

from __future__ import annotations

import fcntl
import json
import os
import pty
import select
import signal
import struct
import subprocess
import sys
import termios
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest

from .pty_run import first_frame

SECONDS = float(os.environ.get("WIRO_VOICE_PERF_LIVE_SECONDS", "50"))
WARMUP = 25  # seconds: imports on first use and Textual's render caches fill up to about then
ALONE_SECONDS = max(WARMUP + 5, SECONDS * 0.6)  # long enough to pass the warm-up: its peak is what counts
SPEED = 15
HERE = Path(__file__).parent


def _status_kb(pid: int, field: str) -> int:
    with open(f"/proc/{pid}/status") as handle:
        for line in handle:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


def live_run(argv: list[str], env: dict[str, str], seconds: float) -> tuple[list[int], int, bytes]:
    """Run the demo, go to Calls, refresh every second, sample RSS each second; (samples, peak, what the screen
    said right after the keys: the state line is drawn once, when it changes)."""
    pid, fd = pty.fork()
    if pid == 0:  # child
        os.execvpe(argv[0], argv, env)
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
    seen = b""
    samples: list[int] = []

    def drain(until: float) -> None:
        nonlocal seen
        while time.monotonic() < until:
            ready, _, _ = select.select([fd], [], [], 0.05)
            if ready:
                try:
                    chunk = os.read(fd, 65536)
                except OSError:
                    return
                seen = (seen + chunk)[-400_000:]

    try:
        start = time.monotonic()
        while b"wiro-voice" not in seen and time.monotonic() - start < 30:
            drain(time.monotonic() + 0.1)
        drain(time.monotonic() + 3)  # the simulator starts after the first frame
        os.write(fd, b"c")
        drain(time.monotonic() + 1.5)
        os.write(fd, b"++++")  # + is faster: 5 s -> 2 s -> 1 s (and stays at the fastest)
        drain(time.monotonic() + 1)
        keys_taken = seen
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            drain(time.monotonic() + 1)
            samples.append(_status_kb(pid, "VmRSS"))
        peak = _status_kb(pid, "VmHWM")
    finally:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        os.waitpid(pid, 0)
        os.close(fd)
    return samples, peak, keys_taken


def start_sim(env: dict[str, str]) -> tuple[subprocess.Popen, str, str]:
    """`wiro-voice sim` in its own process: (process, Wiro API base, demo agent guid)."""
    proc = subprocess.Popen([sys.executable, "-m", "tui", "sim", "--speed", str(SPEED)], env=env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    base = guid = ""
    assert proc.stdout is not None
    for line in proc.stdout:
        if "Wiro API base" in line:
            base = line.split()[-1]
        elif "demo agent guid" in line:
            guid = line.split()[-1]
        if "Press Ctrl-C" in line:
            break
    assert base and guid, "the simulator did not say where it listens"
    return proc, base, guid


PROFILE_SECONDS = 20


def memory_attribution(env: dict[str, str]) -> dict:
    """tests/perf/memory_profile.py in a fresh interpreter traced from its first import: where the memory goes."""
    ran = subprocess.run([sys.executable, "-X", "tracemalloc=1", str(HERE / "memory_profile.py"), str(PROFILE_SECONDS)],
                         env=env, capture_output=True, text=True, timeout=PROFILE_SECONDS + 120)
    assert ran.returncode == 0, ran.stderr[-2000:]
    return json.loads(ran.stdout.strip().splitlines()[-1])


@dataclass
class Live:
    hello: object  # pty_run.FirstFrame of the hello-world
    samples: list[int]
    peak: int
    output: bytes
    alone: list[int]
    alone_peak: int
    alone_output: bytes
    profile: dict


def measure_live(tmp_path: Path) -> Live:
    """The hello-world's peak; then at once: the demo's live run, the same with the simulator in its own process,
    and the traced profile (three processes of their own, and the second's simulator)."""
    from tui.sim import DEMO_API_KEY

    def env(name: str) -> dict[str, str]:
        """Each run its own home: its config file and call history are its own."""
        (tmp_path / name).mkdir()
        return {"PATH": os.environ.get("PATH", ""), "HOME": str(tmp_path / name), "TERM": "xterm-256color",
                "COLORTERM": "truecolor", "LANG": "C.UTF-8", "WIRO_VOICE_CONFIG": str(tmp_path / name / "config.toml")}

    hello = first_frame([sys.executable, str(HERE / "hello_app.py")], b"Hello, world", env=env("hello"), settle=1.0)

    def alone_run(env: dict[str, str]) -> tuple[list[int], int, bytes]:
        sim, base, guid = start_sim(env)
        try:
            return live_run([sys.executable, "-m", "tui", "--api-base", base, "--agent", guid],
                            {**env, "WIRO_API_KEY": DEMO_API_KEY}, ALONE_SECONDS)
        finally:
            sim.terminate()
            sim.wait(timeout=10)

    with ThreadPoolExecutor(3) as pool:
        demo = pool.submit(live_run, [sys.executable, "-m", "tui", "--demo", "--speed", str(SPEED)], env("demo"),
                           SECONDS)
        alone = pool.submit(alone_run, env("alone"))
        profile = pool.submit(memory_attribution, env("profile"))
        return Live(hello, *demo.result(), *alone.result(), profile.result())


@pytest.mark.perf
@pytest.mark.beside.with_args(measure_live)
def test_memory_under_live_refresh_against_hello_world(side_by_side, report, note):
    live = side_by_side(measure_live)
    hello, samples, peak, alone, alone_peak = live.hello, live.samples, live.peak, live.alone, live.alone_peak
    assert b"live \xc2\xb7 1 s" in live.output, "the Calls screen never showed its 1 s refresh: the keys were not taken"
    assert b"live \xc2\xb7 1 s" in live.alone_output

    warm_at = int(min(WARMUP, len(samples) / 2))
    warm, late = samples[warm_at - 1], max(samples[-(len(samples) - warm_at) // 2:])
    growth = late / warm
    ratio, alone_ratio = peak / hello.peak_rss_kb, alone_peak / hello.peak_rss_kb
    what = f"{SECONDS:.0f} s live Calls refresh (1 s polls, --speed {SPEED})"
    report(f"peak RSS, --demo, {what}", f"{peak / 1024:.1f} MiB", f"{hello.peak_rss_kb / 1024:.1f} MiB hello-world",
           f"{ratio:.2f}x (budget <= 1.5x: {'met' if ratio <= 1.5 else 'NOT met'})", was="live_peak")
    report(f"peak RSS, simulator in its own process, {ALONE_SECONDS:.0f} s of the same", f"{alone_peak / 1024:.1f} MiB",
           f"{hello.peak_rss_kb / 1024:.1f} MiB hello-world", f"{alone_ratio:.2f}x (the dashboard alone)", was="live_alone")
    report(f"RSS growth after a {warm_at} s warm-up, --demo", f"{late / 1024:.1f} MiB (max, 2nd half after)",
           f"{warm / 1024:.1f} MiB at {warm_at} s", f"{growth:.3f}x (budget: no growth, <= 1.05x: "
           f"{'met' if growth <= 1.05 else 'NOT met'})", was="live_growth")
    profile = live.profile
    note(f"where the memory goes (tracemalloc, {profile['seconds']:.0f} s of the same live Calls refresh in-process, "
         f"{profile['polls']} polls): {profile['total_kib'] / 1024:.1f} MiB traced by Python; the largest owners:")
    for owner in profile["top"]:
        note(f"  {owner['kib'] / 1024:6.2f} MiB  {owner['blocks']:7d} blocks  {owner['owner']}")
    assert len(samples) >= SECONDS * 0.8 and all(s > 0 for s in samples + alone) and len(alone) >= WARMUP
    assert growth <= 1.10, f"RSS grew {growth:.3f}x after warm-up: {samples}"
