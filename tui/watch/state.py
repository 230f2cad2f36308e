"""What the watcher has already counted, kept on disk so a restart never counts a call twice.

The counters (`wiro_voice_calls_total`, `wiro_voice_rejections_total`, the duration histogram) are fed by
sessions that *finished*: ended or rejected. The history answer repeats the same sessions poll after poll
(newest first, up to 200), so each finished session is remembered by its messageguid once counted, and the
running totals are kept beside those guids. Both live in one JSON file beside the config file
(`watch-state.json`, mode 0600, replaced atomically after each poll that changed something), so after a
restart the counters carry on from their totals and the sessions still in the history are not counted again.

The remembered guids do not grow without bound: per agent a *floor* (epoch ms) moves up to a day before now,
or to the start of the oldest session still in progress if that is earlier (but never below two days ago). A finished session that started
before the floor counts as already counted, so its guid can be forgotten. The very first poll of an agent
has no floor: every finished session then in the history is counted once.

The file also remembers, for the alert rules, which agents were seen Running and which numbers were seen
routed to Wiro: "left Running" and "no longer routed" need to know what was true before, across restarts.

One watcher per state file: `open_state` takes an exclusive lock (`watch-state.lock`) and refuses when
another watcher holds it. A damaged file is moved aside (`watch-state.json.damaged`) with a warning and the
counting starts afresh; a file written by a newer version is refused rather than overwritten.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..calls.catalog import ACTIVE, ENDED, INCOMING, REJECTED

if TYPE_CHECKING:
    from ..wiro.models import CallSession

STATE_VERSION = 1
STATE_NAME = "watch-state.json"
LOCK_NAME = "watch-state.lock"
#: finished sessions started this long before now are never counted again (calls last minutes, not a day)
FLOOR_LAG_MS = 24 * 3600 * 1000
#: upper bounds (seconds) of the call duration histogram's buckets; +Inf is added by the exposition
DURATION_BUCKETS: tuple[float, ...] = (10, 30, 60, 120, 300, 600, 900, 1800, 3600)
#: a rejected session's reason is read with one Message/Detail; after this many failed reads it is "unread"
REASON_TRIES = 3
UNKNOWN_REASON = "unknown"  # Wiro gave none
UNREAD_REASON = "unread"  # the detail could not be read


class StateError(Exception):
    """The state file cannot be used: another watcher holds it, or a newer version wrote it. Says what to do."""


@dataclass
class Durations:
    """One agent's histogram: counts per bucket (not cumulative; the last one is above every bound)."""

    counts: list[int] = field(default_factory=lambda: [0] * (len(DURATION_BUCKETS) + 1))
    total: float = 0.0

    def observe(self, seconds: float) -> None:
        index = next((i for i, bound in enumerate(DURATION_BUCKETS) if seconds <= bound), len(DURATION_BUCKETS))
        self.counts[index] += 1
        self.total += seconds

    @property
    def count(self) -> int:
        return sum(self.counts)

    def cumulative(self) -> list[int]:
        out, running = [], 0
        for n in self.counts:
            running += n
            out.append(running)
        return out


@dataclass
class AgentLedger:
    """One agent: finished sessions counted (guid → start ms), rejected ones whose reason is still to read."""

    floor_ms: int | None = None
    counted: dict[str, int | None] = field(default_factory=dict)
    pending: dict[str, int | None] = field(default_factory=dict)
    tries: dict[str, int] = field(default_factory=dict)  # in memory only: a restart gives each three more


@dataclass(frozen=True)
class Counted:
    """What one call to `count_sessions` added: newly finished sessions and rejections now awaiting a reason."""

    ended: int = 0
    rejected: int = 0

    @property
    def any(self) -> bool:
        return bool(self.ended or self.rejected)


class WatchState:
    """The counters' totals and what feeds them, plus the rules' memory. Not thread-safe: the watcher's task
    owns it; the metrics endpoint reads `totals_view()` copies."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path
        self.agents: dict[str, AgentLedger] = {}
        self.calls: Counter[tuple[str, str, str]] = Counter()  # (agent, outcome, end_reason)
        self.rejections: Counter[tuple[str, str]] = Counter()  # (agent, reason)
        self.durations: dict[str, Durations] = {}
        self.seen_running: set[str] = set()
        self.routed: dict[str, set[str]] = {}
        self.warnings: list[str] = []
        self.dirty = False
        self._lock_fd: int | None = None

    # -- counting ---------------------------------------------------------------------------------

    def count_sessions(self, agent: str, sessions: Iterable[CallSession], now: float) -> Counted:
        """Count each finished session not counted before; move the floor; forget guids below it."""
        ledger = self.agents.setdefault(agent, AgentLedger())
        floor = ledger.floor_ms
        ended = rejected = 0
        oldest_live: int | None = None
        for s in sessions:
            start = s.started_at_ms
            if s.status in (INCOMING, ACTIVE):
                if start is not None and (oldest_live is None or start < oldest_live):
                    oldest_live = start
                continue
            if s.status not in (ENDED, REJECTED) or s.messageguid in ledger.counted:
                continue
            if floor is not None and start is not None and start < floor:
                continue  # finished before the floor: counted before (or never seen in time)
            ledger.counted[s.messageguid] = start
            if s.status == ENDED:
                reason = s.end_reason or ""
                self.calls[(agent, "ended", reason)] += 1
                if s.duration_seconds is not None and s.duration_seconds >= 0:
                    self.durations.setdefault(agent, Durations()).observe(float(s.duration_seconds))
                ended += 1
            else:
                self.calls[(agent, "rejected", "")] += 1
                ledger.pending[s.messageguid] = start
                rejected += 1
        new_floor = int(now * 1000) - FLOOR_LAG_MS
        if oldest_live is not None:  # a session stuck for days does not hold the floor down for ever
            new_floor = max(new_floor - FLOOR_LAG_MS, min(new_floor, oldest_live))
        if floor is None or new_floor > floor:
            ledger.floor_ms = new_floor
            for guid in [g for g, t in ledger.counted.items() if t is not None and t < new_floor]:
                del ledger.counted[guid]
        if ended or rejected:  # a floor that only moved up need not be written: an older one is just lower
            self.dirty = True
        return Counted(ended, rejected)

    def pending_reasons(self, agent: str, limit: int) -> list[str]:
        """Rejected sessions (newest first) whose reason is still to be read; at most `limit`."""
        ledger = self.agents.get(agent)
        if ledger is None:
            return []
        return sorted(ledger.pending, key=lambda g: ledger.pending[g] or 0, reverse=True)[:limit]

    def reason_read(self, agent: str, guid: str, reason: str | None) -> None:
        """The rejection reason of `guid` (None: Wiro gave none): counted once."""
        ledger = self.agents.get(agent)
        if ledger is None or guid not in ledger.pending:
            return
        del ledger.pending[guid]
        ledger.tries.pop(guid, None)
        self.rejections[(agent, reason or UNKNOWN_REASON)] += 1
        self.dirty = True

    def reason_failed(self, agent: str, guid: str) -> None:
        """One failed read of `guid`'s reason; the third failure counts it as "unread"."""
        ledger = self.agents.get(agent)
        if ledger is None or guid not in ledger.pending:
            return
        ledger.tries[guid] = ledger.tries.get(guid, 0) + 1
        if ledger.tries[guid] >= REASON_TRIES:
            self.reason_read(agent, guid, UNREAD_REASON)

    # -- the rules' memory --------------------------------------------------------------------------

    def saw_running(self, agent: str) -> None:
        if agent not in self.seen_running:
            self.seen_running.add(agent)
            self.dirty = True

    def saw_routed(self, agent: str, numbers: Iterable[str]) -> None:
        known = self.routed.setdefault(agent, set())
        fresh = set(numbers) - known
        if fresh:
            known |= fresh
            self.dirty = True

    def forget_routed(self, agent: str, numbers: Iterable[str]) -> None:
        """Numbers taken out of the credential: their routing is no longer this agent's business."""
        known = self.routed.get(agent)
        gone = known & set(numbers) if known else set()
        if gone:
            known -= gone
            self.dirty = True

    # -- disk -----------------------------------------------------------------------------------------

    def to_json(self) -> dict[str, Any]:
        return {
            "version": STATE_VERSION,
            "agents": {g: {"floor_ms": a.floor_ms, "counted": a.counted, "pending": a.pending}
                       for g, a in self.agents.items()},
            "calls": [[a, o, r, n] for (a, o, r), n in sorted(self.calls.items())],
            "rejections": [[a, r, n] for (a, r), n in sorted(self.rejections.items())],
            "durations": {a: {"counts": d.counts, "sum": d.total} for a, d in self.durations.items()},
            "seen_running": sorted(self.seen_running),
            "routed": {a: sorted(n) for a, n in self.routed.items() if n},
        }

    def load_json(self, data: Any) -> None:
        """Read `to_json`'s output; raises ValueError when it is not that (the caller moves the file aside)."""
        if not isinstance(data, dict) or not isinstance(data.get("version"), int):
            raise ValueError("not a watch state")
        if data["version"] > STATE_VERSION:
            raise StateError(f"it was written by a newer wiro-voice (state version {data['version']}, this one "
                             f"reads {STATE_VERSION})")
        for guid, item in _dict(data.get("agents")).items():
            item = _dict(item)
            floor = item.get("floor_ms")
            self.agents[str(guid)] = AgentLedger(
                floor_ms=floor if isinstance(floor, int) and not isinstance(floor, bool) else None,
                counted={str(k): _ms(v) for k, v in _dict(item.get("counted")).items()},
                pending={str(k): _ms(v) for k, v in _dict(item.get("pending")).items()})
        for row in _list(data.get("calls")):
            if _row(row, 4):
                self.calls[(row[0], row[1], row[2])] += row[3]
        for row in _list(data.get("rejections")):
            if _row(row, 3):
                self.rejections[(row[0], row[1])] += row[2]
        for guid, item in _dict(data.get("durations")).items():
            item = _dict(item)
            counts = _list(item.get("counts"))
            total = item.get("sum")
            if (len(counts) == len(DURATION_BUCKETS) + 1 and all(_count(n) for n in counts)
                    and isinstance(total, (int, float)) and not isinstance(total, bool)):
                self.durations[str(guid)] = Durations(list(counts), float(total))
        self.seen_running = {str(g) for g in _list(data.get("seen_running")) if isinstance(g, str)}
        self.routed = {str(a): {n for n in _list(v) if isinstance(n, str)} for a, v in _dict(data.get("routed")).items()}

    def save(self) -> str | None:
        """Write the file when something changed; returns a warning (never raises) when it cannot be written."""
        if self.path is None or not self.dirty:
            return None
        from ..common.atomic import write_private

        try:
            write_private(self.path, json.dumps(self.to_json(), separators=(",", ":")).encode())
        except OSError as exc:
            return (f"Could not write the watch state {self.path}: {exc.strerror or exc}. The counters go on in "
                    "memory; a restart may count the calls still in the history again.")
        self.dirty = False
        return None

    def close(self) -> None:
        if self._lock_fd is not None:
            os.close(self._lock_fd)  # closing the descriptor releases the lock
            self._lock_fd = None


def state_path(config_path: Path) -> Path:
    """Beside the config file, so `--config`/WIRO_VOICE_CONFIG move it too."""
    return Path(config_path).expanduser().parent / STATE_NAME


def open_state(path: Path) -> WatchState:
    """Lock and read the state file (a missing file is a fresh start). Raises StateError when another watcher
    holds the lock or a newer version wrote the file; a damaged file is moved aside with a warning."""
    import fcntl

    path = Path(path)
    state = WatchState(path)
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    lock = path.with_name(LOCK_NAME)
    fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        os.close(fd)
        raise StateError(f"Another `wiro-voice watch` is using {path} (it holds {lock}). Run one watcher per "
                         "config file, or give this one its own with --config.") from None
    state._lock_fd = fd
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return state
    except OSError as exc:
        state.close()
        raise StateError(f"Cannot read the watch state {path}: {exc.strerror or exc}.") from None
    try:
        state.load_json(json.loads(raw.decode("utf-8")))
    except StateError as err:
        state.close()
        raise StateError(f"The watch state {path} cannot be used: {err}. Upgrade wiro-voice, or move the file "
                         "away to start counting afresh.") from None
    except (ValueError, UnicodeDecodeError, RecursionError, TypeError):
        fresh = WatchState(path)
        fresh._lock_fd, state._lock_fd = state._lock_fd, None
        aside = path.with_name(path.name + ".damaged")
        try:
            os.replace(path, aside)
            moved = f"moved to {aside}"
        except OSError:
            moved = "left in place"
        fresh.warnings.append(f"The watch state {path} was damaged ({moved}); counting starts afresh, so calls "
                              "still in the history are counted again once.")
        return fresh
    return state


def _dict(value: Any) -> dict:
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list:
    return value if isinstance(value, list) else []


def _count(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _ms(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _row(row: Any, size: int) -> bool:
    return (isinstance(row, list) and len(row) == size and all(isinstance(v, str) for v in row[:-1])
            and _count(row[-1]))
