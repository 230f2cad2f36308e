"""Helpers for tests that drive the simulator: a hand-advanced clock."""

from __future__ import annotations

import threading


class FakeClock:
    """A monotonic clock that only moves when told: pass it as ``Simulator(clock=...)``."""

    def __init__(self, start: float = 1000.0) -> None:
        self._t = start
        self._lock = threading.Lock()

    def __call__(self) -> float:
        with self._lock:
            return self._t

    def advance(self, seconds: float) -> None:
        """Move real time forward by ``seconds`` (simulated time moves ``seconds * speed``)."""
        with self._lock:
            self._t += seconds
