"""The app's history: records what the polls fetched and never raises.

`History` opens the file when first needed and keeps running whatever happens to it:

- a damaged file (or one that is not a history) is moved aside as `history.sqlite3.damaged-<time>` and a new
  one is started; the move is reported once (`take_notices()`);
- a file written by a newer wiro-voice is refused with its version and left untouched; nothing is recorded;
- a file locked by another program, a full disk, a read-only file: the batch is skipped, the outcome (and
  `problem`, for the health line) says so, and the next batch tries again.

Unchanged rows cost almost nothing: the raw rows of the last few batches from each source are remembered per
key, and a row equal to the one already recorded is not parsed or looked up again. Rows new to this process are
compared with the file and only new or different ones are written.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Generic, TypeVar

from . import parse
from .records import RoutingSnapshot
from .store import (
    DAY_MS, DEFAULT_RETENTION_DAYS, DEFAULT_TIMEOUT_S, HistoryError, HistoryProblem, HistoryStore, side_files,
)

T = TypeVar("T")

#: Batches of raw rows remembered per kind of row and source (the agent of a batch of sessions). A poll returns
#: the newest rows, so a row that left the last batches is rarely asked about again, and then only costs a parse
#: and a look at the file. Three, so that screens polling one agent with different windows (the Overview's and
#: Calls') do not push each other's rows out; an unchanged row is kept as the object already remembered, so
#: batches share what they have in common. Remembering every row seen, up to 5000 per kind (~1.5 KiB each), grew
#: the dashboard by ~0.4 MiB in 10 minutes of the demo's live refresh, and by several MiB over a long session.
_MEMO_BATCHES = 3


@dataclass(frozen=True)
class WriteOutcome:
    """How recording a batch went. `skipped` counts rows without a key (no message guid / Call SID)."""

    written: int = 0
    unchanged: int = 0
    skipped: int = 0
    problem: HistoryProblem | None = None

    @property
    def ok(self) -> bool:
        return self.problem is None


@dataclass(frozen=True)
class PruneOutcome:
    removed: Mapping[str, int] = field(default_factory=dict)
    problem: HistoryProblem | None = None

    @property
    def total(self) -> int:
        return sum(self.removed.values())


@dataclass(frozen=True)
class ReadOutcome(Generic[T]):
    value: T | None = None
    problem: HistoryProblem | None = None


class History:
    """The local call history for the app, the CLI and the watcher. Thread-safe; no method raises."""

    def __init__(
        self,
        path: Path,
        *,
        retention_days: int = DEFAULT_RETENTION_DAYS,
        clock: Callable[[], float] = time.time,
        timeout: float = DEFAULT_TIMEOUT_S,
    ) -> None:
        if retention_days < 1:
            raise ValueError("the history must be kept for at least 1 day")
        self.path = Path(path)
        self.retention_days = retention_days
        self._clock = clock
        self._timeout = timeout
        self._store: HistoryStore | None = None
        self._refused: HistoryProblem | None = None  # a newer file: never opened again in this process
        self._lock = threading.RLock()
        self._memo: dict[tuple[str, Any], list[dict[Any, Any]]] = {}  # (kind, source) -> batches, oldest first
        self._notices: list[str] = []
        self._last_prune_ms: int | None = None
        #: The problem of the latest operation (None when it went well): what the health line shows.
        self.problem: HistoryProblem | None = None

    # -- the file ---------------------------------------------------------------------------------

    def now_ms(self) -> int:
        return int(self._clock() * 1000)

    def take_notices(self) -> list[str]:
        """One-off messages (a damaged file moved aside) since the last call; each is returned once."""
        with self._lock:
            notices, self._notices = self._notices, []
            return notices

    def _open(self) -> HistoryStore:
        if self._store is not None:
            self._prune_if_due(self._store)
            return self._store
        if self._refused is not None:
            raise HistoryError(self._refused)
        try:
            self._store = HistoryStore.open(self.path, timeout=self._timeout)
        except HistoryError as exc:
            if exc.problem.kind == "newer":
                self._refused = exc.problem
                raise
            if exc.problem.kind not in ("corrupt", "foreign"):
                raise
            self._replace_damaged(exc.problem)
            self._store = HistoryStore.open(self.path, timeout=self._timeout)
        self._forget()
        self._prune_if_due(self._store)
        return self._store

    def _replace_damaged(self, problem: HistoryProblem) -> None:
        """Move a damaged (or foreign) file and its WAL/SHM aside, with a timestamp, and note where."""
        if self._store is not None:
            self._store.close()
            self._store = None
        stamp = time.strftime("%Y%m%d-%H%M%S", time.localtime(self._clock()))
        aside = self.path.with_name(f"{self.path.name}.damaged-{stamp}")
        n = 1
        while aside.exists():
            n += 1
            aside = self.path.with_name(f"{self.path.name}.damaged-{stamp}-{n}")
        try:
            os.replace(self.path, aside)
            for side, moved in zip(side_files(self.path), side_files(aside)):
                if side.exists():
                    os.replace(side, moved)
        except OSError as exc:
            raise HistoryError(HistoryProblem(
                "io", f"{problem.message} It could not be moved aside ({exc.strerror or exc}); calls are not "
                f"recorded until {self.path} is moved or deleted.")) from None
        what = "is damaged" if problem.kind == "corrupt" else "is not a wiro-voice call history"
        self._notices.append(f"The call history {self.path} {what}; it was moved to {aside} and a new history "
                             "was started.")

    def _forget(self) -> None:
        self._memo.clear()

    def _run(self, action: Callable[[HistoryStore], T], doing: str) -> tuple[T | None, HistoryProblem | None]:
        """Run `action` on the open store; a damaged file found mid-way is moved aside and the action retried
        once on a new file. Every failure becomes a problem, never an exception."""
        with self._lock:
            for attempt in (1, 2):
                try:
                    value = action(self._open())
                except HistoryError as exc:
                    if exc.problem.kind == "corrupt" and attempt == 1 and self._store is not None:
                        try:
                            self._replace_damaged(exc.problem)
                        except HistoryError as moved:
                            self.problem = moved.problem
                            return None, moved.problem
                        continue
                    self.problem = exc.problem
                    return None, exc.problem
                except Exception as exc:  # never let the history take the app down
                    self.problem = HistoryProblem("io", f"The call history {self.path} failed while {doing}: "
                                                  f"{type(exc).__name__}: {exc}.")
                    return None, self.problem
                self.problem = None
                return value, None
        return None, self.problem  # pragma: no cover - the loop always returns

    def close(self) -> None:
        with self._lock:
            if self._store is not None:
                self._store.close()
                self._store = None

    # -- recording ----------------------------------------------------------------------------------

    def _record(self, kind: str, source: Any, rows: Iterable[Any], key_of: Callable[[Any], Any],
                parse_row: Callable[[Any], Any], write: Callable[[HistoryStore, list, int], Any],
                doing: str) -> WriteOutcome:
        batches = self._memo.get((kind, source)) or [{}]
        latest, *older = batches[::-1]
        kept: dict[Any, Any] = {}  # this batch's rows as recorded: the next batch is compared with them
        fresh: list[tuple[Any, Any]] = []
        parsed = []
        skipped = unchanged = 0
        for raw in rows:
            key = key_of(raw)
            if key is not None:
                known = latest.get(key)
                if known is None:
                    for batch in older:
                        known = batch.get(key)
                        if known is not None:
                            break
                if known == raw:
                    unchanged += 1
                    kept[key] = known
                    continue
            record = parse_row(raw)
            if record is None:
                skipped += 1
                continue
            parsed.append(record)
            fresh.append((key, raw))
        if not parsed:
            with self._lock:
                if self._store is not None or self._refused is not None:
                    # nothing to write: the outcome still says whether the file is usable
                    self._remember(kind, source, kept)
                    return WriteOutcome(0, unchanged, skipped, self._refused)
        written, problem = self._run(lambda store: write(store, parsed, self.now_ms()), doing)
        if problem is not None:
            return WriteOutcome(0, unchanged, skipped, problem)
        with self._lock:
            kept.update((key, raw) for key, raw in fresh if key is not None)
            self._remember(kind, source, kept)
        return WriteOutcome(written.written, unchanged + written.unchanged, skipped)

    def _remember(self, kind: str, source: Any, batch: dict[Any, Any]) -> None:
        batches = self._memo.setdefault((kind, source), [])
        batches.append(batch)
        del batches[:-_MEMO_BATCHES]

    def record_sessions(self, rows: Iterable[Mapping[str, Any]], agent_guid: str | None = None, *,
                        reasons: bool = False) -> WriteOutcome:
        """Record rows of `TwilioCallHistory/List` (raw dicts as the API sent them) for `agent_guid`; with
        `reasons`, rows of rejection reasons ({messageguid, reason}, from Message/Detail), remembered apart from
        the polls' rows so that neither pushes the other out."""
        return self._record(
            "reasons" if reasons else "sessions", agent_guid, rows,
            lambda raw: (_key(raw, "messageguid"), agent_guid),
            lambda raw: parse.wiro_session(raw, agent_guid),
            lambda store, records, now: store.write_sessions(records, now),
            "recording Wiro sessions",
        )

    def record_calls(self, rows: Iterable[Mapping[str, Any]]) -> WriteOutcome:
        """Record calls of Twilio's call log (raw dicts as Twilio sent them)."""
        return self._record(
            "calls", None, rows, lambda raw: _key(raw, "sid"), parse.twilio_call,
            lambda store, records, now: store.write_calls(records, now),
            "recording Twilio calls",
        )

    def record_credits(self, rows: Iterable[Mapping[str, Any]]) -> WriteOutcome:
        """Record `TransactionList` rows; only deductions tied to a message are kept (other rows are skipped)."""
        return self._record(
            "credits", None, rows, lambda raw: _key(raw, "guid"), parse.credit_row,
            lambda store, records, now: store.write_credits(records, now),
            "recording post-call credits",
        )

    def record_routing(self, verdicts: Mapping[str, str], at_ms: int | None = None) -> WriteOutcome:
        """Record each number's routing verdict now (or at `at_ms`); only changes are kept."""
        at = self.now_ms() if at_ms is None else at_ms
        snaps = [RoutingSnapshot(number, verdict, at) for number, verdict in verdicts.items() if number and verdict]
        written, problem = self._run(lambda store: store.write_routing(snaps), "recording number routing")
        if problem is not None:
            return WriteOutcome(problem=problem)
        return WriteOutcome(written.written, written.unchanged)

    # -- retention and reading ----------------------------------------------------------------------

    def prune(self, days: int | None = None) -> PruneOutcome:
        """Remove what is older than `days` (default: the retention setting)."""
        keep = self.retention_days if days is None else days
        if keep < 0:
            raise ValueError("days must not be negative")
        cutoff = self.now_ms() - keep * DAY_MS
        removed, problem = self._run(lambda store: store.prune(cutoff), "pruning old calls")
        if problem is not None:
            return PruneOutcome(problem=problem)
        self._forget()
        return PruneOutcome(removed)

    def _prune_if_due(self, store: HistoryStore) -> None:
        """Apply the retention once when the file opens (and on later opens); a failure is not fatal."""
        now = self.now_ms()
        if self._last_prune_ms is not None and now - self._last_prune_ms < DAY_MS:
            return
        self._last_prune_ms = now
        try:
            store.prune(now - self.retention_days * DAY_MS)
        except HistoryError:
            pass  # reported by the next write, if it persists

    def read(self, action: Callable[[HistoryStore], T], doing: str = "reading it") -> ReadOutcome[T]:
        """Run a read on the store (insights, exports); a failure is a problem in the outcome."""
        value, problem = self._run(action, doing)
        return ReadOutcome(value, problem)


def _key(raw: Any, name: str) -> Any:
    if isinstance(raw, Mapping):
        value = raw.get(name)
        if isinstance(value, str) and value:
            return value
    return None
