"""Simulated time: a start epoch plus real elapsed time scaled by a speed factor."""

from __future__ import annotations

import time
from collections.abc import Callable


class SimClock:
    """Maps a monotonic real clock onto simulated epoch seconds.

    ``now() = start_epoch + (clock() - clock_at_start) * speed``. Tests pass a fake ``clock`` they
    advance by hand and a fixed ``start_epoch`` so every answer is reproducible.
    """

    def __init__(
        self,
        speed: float = 1.0,
        clock: Callable[[], float] | None = None,
        start_epoch: float | None = None,
    ) -> None:
        if speed < 0:
            raise ValueError(f"speed must be >= 0, got {speed!r}")
        self.speed = float(speed)
        self._real = clock or time.monotonic
        self._origin = self._real()
        # Wall time by default so the demo shows today's date; fixed when a test wants determinism.
        self.start_epoch = time.time() if start_epoch is None else float(start_epoch)

    def now(self) -> float:
        """Simulated epoch seconds (float)."""
        return self.start_epoch + (self._real() - self._origin) * self.speed
