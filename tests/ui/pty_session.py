"""Run the real `wiro-voice` in a pseudo-terminal, type into it, and keep every byte it writes.

For what only a terminal shows: colour codes under NO_COLOR, the characters drawn under a non-UTF-8 locale.
"""

from __future__ import annotations

import fcntl
import os
import pty
import select
import signal
import struct
import sys
import termios
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


class PtySession:
    def __init__(self, argv: list[str], env: dict[str, str], size: tuple[int, int] = (80, 24)) -> None:
        self.pid, self.fd = pty.fork()
        if self.pid == 0:  # child
            os.chdir(ROOT)
            os.execvpe(argv[0], argv, env)
        cols, rows = size
        fcntl.ioctl(self.fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
        self.output = b""

    def read_until(self, marker: bytes, timeout: float = 30.0) -> bytes:
        """Read until `marker` has been written (fails after `timeout` s, showing the tail)."""
        deadline = time.monotonic() + timeout
        while marker not in self.output:
            if time.monotonic() > deadline:
                raise AssertionError(f"{marker!r} never drawn; last output: {self.output[-600:]!r}")
            self._read(0.05)
        return self.output

    def read_for(self, seconds: float) -> bytes:
        """Keep reading for `seconds` (what the app draws meanwhile)."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            self._read(0.05)
        return self.output

    def send(self, keys: str) -> None:
        os.write(self.fd, keys.encode())

    def _read(self, wait: float) -> None:
        ready, _, _ = select.select([self.fd], [], [], wait)
        if ready:
            try:
                chunk = os.read(self.fd, 65536)
            except OSError:
                return
            self.output += chunk

    def close(self) -> None:
        try:
            os.kill(self.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        os.waitpid(self.pid, 0)
        os.close(self.fd)


def dashboard_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    """A clean environment for the demo: its own HOME and config file, a colour terminal, nothing of ours set."""
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(tmp_path), "TERM": "xterm-256color",
           "COLORTERM": "truecolor", "WIRO_VOICE_CONFIG": str(tmp_path / "config.toml"), "PYTHONPATH": str(ROOT)}
    env.update(extra)
    return env


def demo_command() -> list[str]:
    return [sys.executable, "-m", "tui", "--demo"]
