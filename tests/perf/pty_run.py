"""Run a terminal program in a pseudo-terminal of a fixed size and time its first frame.

First frame = the moment a marker string (drawn by the program's first screen) appears in what the
program writes to the terminal. Peak RSS is the kernel's high-water mark (VmHWM) read just before the
program is stopped.
"""

from __future__ import annotations

import fcntl
import os
import pty
import select
import signal
import struct
import termios
import time
from dataclasses import dataclass


@dataclass(frozen=True)
class FirstFrame:
    seconds: float
    peak_rss_kb: int


def _peak_rss_kb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status") as handle:
            for line in handle:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def first_frame(argv: list[str], marker: bytes, *, env: dict[str, str], size=(120, 40), settle: float = 0.0,
                timeout: float = 30.0) -> FirstFrame:
    """Start `argv` under a pty; return when `marker` is drawn (after `settle` more seconds for the RSS reading)."""
    pid, fd = pty.fork()
    if pid == 0:  # child
        os.execvpe(argv[0], argv, env)
    cols, rows = size
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
    start = time.perf_counter()
    seen = b""
    elapsed = None
    try:
        while time.perf_counter() - start < timeout:
            ready, _, _ = select.select([fd], [], [], 0.05)
            if ready:
                try:
                    chunk = os.read(fd, 65536)
                except OSError:
                    break
                if not chunk:
                    break
                seen = (seen + chunk)[-200_000:]
                if elapsed is None and marker in seen:
                    elapsed = time.perf_counter() - start
                    if settle <= 0:
                        break
            if elapsed is not None and time.perf_counter() - start >= elapsed + settle:
                break
        rss = _peak_rss_kb(pid)
    finally:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        os.waitpid(pid, 0)
        os.close(fd)
    if elapsed is None:
        tail = seen[-400:].decode("utf-8", "replace")
        raise RuntimeError(f"{argv} never drew {marker!r} within {timeout} s; last output: {tail!r}")
    return FirstFrame(elapsed, rss)
