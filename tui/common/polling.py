"""When to poll next: one rule for every live screen, the `calls --watch` loop and the headless watcher.

A poll re-arms only after the previous one has finished (nothing piles up). After a success the next poll comes
one base interval later; after consecutive failures the wait doubles each time, up to `cap`. A server that asks
for more time (Retry-After on a 429) gets at least what it asked for, even beyond the cap: polling sooner would
only be refused again.
"""

from __future__ import annotations

from dataclasses import dataclass

#: The longest wait between polls after repeated failures, unless a server asks for longer.
DEFAULT_CAP_SECONDS = 60.0


@dataclass
class PollState:
    """The schedule of one poller. Not thread-safe: one owner (a screen, a watcher task) calls it."""

    interval: float
    cap: float = DEFAULT_CAP_SECONDS
    failures: int = 0

    def __post_init__(self) -> None:
        if self.interval <= 0:
            raise ValueError("the poll interval must be above 0 seconds")
        if self.cap < self.interval:
            raise ValueError("the backoff cap must not be shorter than the poll interval")

    def succeeded(self) -> float:
        """Record a successful poll; return the seconds until the next one."""
        self.failures = 0
        return self.interval

    def failed(self, retry_after: float | None = None) -> float:
        """Record a failed poll; return the seconds until the next try."""
        self.failures += 1
        wait = min(self.cap, self.interval * 2 ** min(self.failures, 32))
        if retry_after is not None and retry_after > wait:
            wait = float(retry_after)
        return wait

    def record(self, error: BaseException | None) -> float:
        """`succeeded()` or `failed()` from a poll's outcome, honouring a RateLimited error's `retry_after`."""
        if error is None:
            return self.succeeded()
        return self.failed(getattr(error, "retry_after", None))

    def with_interval(self, interval: float) -> float:
        """Change the base interval (the user picked another refresh speed); return the next wait."""
        if interval <= 0:
            raise ValueError("the poll interval must be above 0 seconds")
        self.interval = interval
        self.cap = max(self.cap, interval)
        return self.interval if self.failures == 0 else min(self.cap, interval * 2 ** min(self.failures, 32))

    @property
    def backing_off(self) -> bool:
        return self.failures > 0
