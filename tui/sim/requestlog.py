"""What the simulator received: a count per endpoint and injected fault, and how many requests are in flight.

Tests read it to prove a write was sent once (never retried blindly) and that the UI answers keys while a
request is still held by a ``timeout`` fault. Counts only, plus a short tail: a long-running ``wiro-voice sim``
must not grow with every request.
"""

from __future__ import annotations

import threading
from collections import Counter, deque
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

TAIL = 500  # the newest requests kept in order (for a failing test's message)


@dataclass(frozen=True)
class SeenRequest:
    """One request as received: method, path (query string dropped) and the fault injected, if any."""

    method: str
    path: str
    fault: str | None = None


class RequestLog:
    """Thread-safe counters filled by the server's handler threads."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._counts: Counter[SeenRequest] = Counter()
        self._first: dict[SeenRequest, SeenRequest] = {}  # each distinct request as first seen
        self._tail: deque[SeenRequest] = deque(maxlen=TAIL)
        self._in_flight = 0

    def record(self, method: str, path: str, fault: str | None) -> None:
        """Count one request (called once the fault for it has been rolled)."""
        seen = SeenRequest(method.upper(), path, fault)
        with self._lock:
            seen = self._first.setdefault(seen, seen)  # the tail holds one object per distinct request
            self._counts[seen] += 1
            self._tail.append(seen)

    @contextmanager
    def active(self) -> Iterator[None]:
        """Marks a request in flight for as long as its handler runs (a held timeout included)."""
        with self._lock:
            self._in_flight += 1
        try:
            yield
        finally:
            with self._lock:
                self._in_flight -= 1

    @property
    def in_flight(self) -> int:
        """Requests being handled right now."""
        with self._lock:
            return self._in_flight

    def count(self, endpoint: str = "", *, method: str | None = None, fault: str | None | bool = True) -> int:
        """Requests whose path ends with ``endpoint`` (case-insensitive; "" = all).

        ``fault=True`` counts every request; ``None`` only those answered normally; a kind (``"500"``) only
        those that got that fault.
        """
        suffix = endpoint.lower().rstrip("/")
        with self._lock:
            items = list(self._counts.items())
        return sum(n for seen, n in items
                   if seen.path.lower().rstrip("/").endswith(suffix)
                   and (method is None or seen.method == method.upper())
                   and (fault is True or seen.fault == fault))

    def tail(self) -> list[SeenRequest]:
        """The newest requests, oldest first."""
        with self._lock:
            return list(self._tail)

    def clear(self) -> None:
        """Forget the counts (requests in flight stay counted as in flight)."""
        with self._lock:
            self._counts.clear()
            self._first.clear()
            self._tail.clear()
