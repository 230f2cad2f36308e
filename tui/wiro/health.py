"""Connection health: "live", or "stale since 12:04:31 — 503 from Wiro"."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime
from typing import Callable

from .errors import (
    AccessDenied,
    AgentGone,
    ApiError,
    AuthError,
    NotFoundError,
    ProtocolError,
    RateLimitedError,
    TransientError,
    WiroError,
)


def failure_phrase(error: WiroError) -> str:
    """A few words for the header: "503 from Wiro", "Wiro timed out", "no connection to Wiro"."""
    if isinstance(error, TransientError):
        if error.kind == "timeout":
            return "Wiro timed out"
        if error.kind == "connection":
            return "no connection to Wiro"
        return f"{error.status} from Wiro" if error.status else "Wiro failed"
    if isinstance(error, RateLimitedError):
        return "429 from Wiro (rate limited)"
    if isinstance(error, AuthError):
        if error.status in (401, 403):
            return f"{error.status} from Wiro (key refused)"
        return "Wiro refused the key"  # said at HTTP 200, with result:false
    if isinstance(error, AccessDenied):
        return "no access to this agent with this key"
    if isinstance(error, AgentGone):
        return "the agent is gone (deleted?)"
    if isinstance(error, ProtocolError):
        return "unreadable answer from Wiro"
    if isinstance(error, NotFoundError) and error.status == 404:
        return "404 from Wiro (check the API base)"
    return "request failed"


@dataclass(frozen=True)
class Health:
    """An immutable reading. `stale_since` is the epoch of the first failure in the current run of failures."""

    live: bool
    stale_since: float | None = None
    reason: str | None = None
    last_ok: float | None = None

    def describe(self, *, local: Callable[[float], datetime] = datetime.fromtimestamp) -> str:
        if self.live:
            return "live"
        if self.stale_since is None:
            return "connecting…"
        return f"stale since {local(self.stale_since):%H:%M:%S} — {self.reason}"


class HealthTracker:
    """Folds call outcomes into a Health. A refusal the server explained (result:false) still proves it is up,
    except a refused key (even at HTTP 200) and refused access: nothing can be read, so it is not `live`."""

    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        self._clock = clock
        self.current = Health(live=False)

    def record(self, error: WiroError | None) -> Health:
        now = self._clock()
        if error is None or isinstance(error, (ApiError, NotFoundError)) and error.status in (None, 200):
            self.current = Health(live=True, last_ok=now)
        else:
            since = self.current.stale_since if not self.current.live and self.current.stale_since else now
            self.current = Health(live=False, stale_since=since, reason=failure_phrase(error), last_ok=self.current.last_ok)
        return self.current
