"""The history file: SQLite (standard library), WAL, mode 0600, beside the config file.

`HistoryStore` is one open file; its methods raise `HistoryError` carrying a `HistoryProblem` (what happened
and what to do, in words). `tui.history.keeper.History` wraps it for the app so that nothing raises there.

Writes change only what changed. A batch is first compared with what the file holds, outside any lock (one
indexed read per 128 keys); when nothing differs that is all it costs. Otherwise the rows that differ are read
again and written inside one short `BEGIN IMMEDIATE` transaction, so two processes writing at once queue on
SQLite's busy timeout and every decision is made on what the file holds at that moment: no row is lost. A
later answer's null never erases a value the file holds (Twilio settles a price later; Message/Detail adds a
rejection reason the list rows do not carry).

Twilio's record and Wiro's session of one Call SID share a row (see `schema`): a Twilio call finds the row by
Call SID, a session by its guid, else by its Call SID (taking a row that Twilio's record made), else makes its
own. Should Wiro ever write two sessions for one Call SID, the smaller guid stays on the call's row and the
other gets a row of its own marked `dup_sid` — the rule `tui.history.join.join` applies too.
"""

from __future__ import annotations

import os
import sqlite3
import threading
from collections.abc import Iterable, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from operator import attrgetter
from pathlib import Path
from typing import Iterator, Literal

from . import codec, schema
from .records import CreditRow, RoutingSnapshot, TwilioCall, WiroSession

FILE_NAME = "history.sqlite3"
DEFAULT_RETENTION_DAYS = 90
DAY_MS = 86_400_000
#: How long a writer waits for another process's write to finish before reporting the file as locked.
DEFAULT_TIMEOUT_S = 5.0
#: Keys looked up per query when comparing a batch with the file (the SQL text stays the same, so cached).
_CHUNK = 128
#: SQLite's page cache for the history, in KiB. SQLite's default (2000 KiB) fills up as the file grows, in the
#: dashboard's own memory. What a poll reads again (the upper levels of the key indexes, the pages just written)
#: fits in this; a long scan (insights) reads most pages from the operating system's file cache either way (the
#: history benchmarks gave the same figures with both sizes).
PAGE_CACHE_KIB = 512

ProblemKind = Literal["corrupt", "foreign", "newer", "locked", "disk_full", "read_only", "io"]


@dataclass(frozen=True)
class HistoryProblem:
    """Why the history could not be read or written, in words that say what to do. `short` fits a health
    line ("history: disk full, not recording")."""

    kind: ProblemKind
    message: str

    @property
    def short(self) -> str:
        return "history: " + {
            "corrupt": "damaged file",
            "foreign": "not a history file",
            "newer": "file from a newer version, not used",
            "locked": "locked by another program",
            "disk_full": "disk full, not recording",
            "read_only": "read-only, not recording",
            "io": "cannot use the file",
        }[self.kind]


class HistoryError(Exception):
    """A history operation failed; `problem` says why and what to do."""

    def __init__(self, problem: HistoryProblem) -> None:
        super().__init__(problem.message)
        self.problem = problem


def history_path(config_path: Path | None = None, data_dir: Path | None = None) -> Path:
    """Where the history lives: in `data_dir` when given, else beside the config file (so `--config` and
    WIRO_VOICE_CONFIG move it too, as they move drafts and webhook reports), else in the platform's user data
    dir (~/.local/share/wiro-voice on Linux)."""
    if data_dir is not None:
        return Path(data_dir).expanduser() / FILE_NAME
    if config_path is not None:
        return Path(config_path).expanduser().parent / FILE_NAME
    from platformdirs import user_data_dir

    return Path(user_data_dir("wiro-voice")) / FILE_NAME


def side_files(path: Path) -> tuple[Path, Path]:
    """The WAL and shared-memory files SQLite keeps beside the history."""
    return Path(f"{path}-wal"), Path(f"{path}-shm")


def problem_from(exc: BaseException, path: Path, doing: str) -> HistoryProblem:
    """A SQLite or OS error as a problem with advice. `doing` completes "while …" ("recording Twilio calls")."""
    name = getattr(exc, "sqlite_errorname", "") or ""
    errno = getattr(exc, "errno", None)
    detail = str(exc) or type(exc).__name__
    if name.startswith("SQLITE_FULL") or errno == 28:
        return HistoryProblem("disk_full", f"The disk holding the call history ({path}) is full, so {doing} was "
                              "skipped. Free some space: recording resumes by itself on the next refresh.")
    if name.startswith("SQLITE_READONLY") or name == "SQLITE_CANTOPEN" or errno in (13, 30):
        return HistoryProblem("read_only", f"The call history {path} cannot be written (read-only file, folder or "
                              f"disk), so {doing} was skipped. Make them writable by you (chmod u+w), or point "
                              "WIRO_VOICE_CONFIG at a writable place.")
    if name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")):
        return HistoryProblem("locked", f"The call history {path} is locked by another program ({doing} gave up "
                              "waiting); what was not recorded is recorded on the next refresh. If this lasts, close "
                              "whatever holds the file (a sqlite3 shell, a backup tool).")
    if name.startswith(("SQLITE_CORRUPT", "SQLITE_NOTADB")):
        return HistoryProblem("corrupt", f"The call history {path} is damaged ({detail}).")
    return HistoryProblem("io", f"Could not use the call history {path} while {doing}: {detail}.")


# -- how records map onto the row ---------------------------------------------------------------------

#: TwilioCall fields and the columns that hold them (the key, `sid`, is `call_sid`).
TWILIO_FIELDS = ("start_ms", "to_number", "from_number", "status", "direction", "end_ms", "duration_s",
                 "price_micro", "price_unit", "caller_country")
TWILIO_COLUMNS = ("t_start_ms", "number_id", "from_number", "t_status", "direction", "t_end_ms", "t_duration_s",
                  "price_micro", "price_unit", "t_country")
#: `to_number` is stored as `number_id` (see the `numbers` table).
#: WiroSession fields and their columns (the key, `guid`, is `guid`; `agent_guid` is stored as `agent_id`).
WIRO_FIELDS = ("started_ms", "agent_guid", "channel", "caller", "caller_country", "called_number", "status",
               "end_reason", "reject_reason", "duration_s", "model", "ended_ms")
WIRO_COLUMNS = ("w_started_ms", "agent_id", "channel", "caller", "w_country", "called_number", "w_status",
                "end_reason", "reject_reason", "w_duration_s", "model", "w_ended_ms")
#: The session's columns as read, with the agent's guid in place of its id.
_WIRO_READ = ", ".join("a.guid" if c == "agent_id" else f"c.{c}" for c in WIRO_COLUMNS)
_TWILIO_READ = ", ".join("n.number" if c == "number_id" else f"c.{c}" for c in TWILIO_COLUMNS)
_NUMBERS_JOIN = "LEFT JOIN numbers n ON n.id = c.number_id"
CREDIT_COLUMNS = ("message_guid", "guid", "amount_micro", "created_ms", "action")

_twilio_values = attrgetter(*TWILIO_FIELDS)
_wiro_values = attrgetter(*WIRO_FIELDS)
_credit_values = attrgetter(*CREDIT_COLUMNS)
_AT_FROM, _AT_COUNTRY = TWILIO_FIELDS.index("from_number"), TWILIO_FIELDS.index("caller_country")
_AT_NUMBER = TWILIO_FIELDS.index("to_number")
_AT_AGENT = WIRO_FIELDS.index("agent_guid")


_SAME = (None, None)
_SID_CODEC = (codec.encode_sid, codec.decode_sid)
_GUID_CODEC = (codec.encode_guid, codec.decode_guid)
#: (encode, decode) per column of TWILIO_COLUMNS / WIRO_COLUMNS / CREDIT_COLUMNS; None = kept as is.
_TWILIO_CODECS = tuple(codec.word_codec(c) if c in codec.VOCABULARIES else _SAME for c in TWILIO_COLUMNS)
_WIRO_CODECS = tuple(codec.word_codec(c) if c in codec.VOCABULARIES else _SAME for c in WIRO_COLUMNS)
_CREDIT_CODECS = (_GUID_CODEC, _GUID_CODEC, _SAME, _SAME, codec.word_codec("action"))


def _encode(values: tuple, codecs: tuple) -> tuple:
    out = list(values)
    for i, (enc, _) in enumerate(codecs):
        if enc is not None and out[i] is not None:
            out[i] = enc(out[i])
    return tuple(out)


def _decode(values: tuple, codecs: tuple) -> tuple:
    out = list(values)
    for i, (_, dec) in enumerate(codecs):
        if dec is not None and out[i] is not None:
            out[i] = dec(out[i])
    return tuple(out)


def _merge(new: tuple, old: tuple) -> tuple:
    """The new values, keeping the old one wherever the new answer has none."""
    return tuple(n if n is not None else o for n, o in zip(new, old))


def _with_time(values: tuple, now_ms: int) -> tuple:
    """A row's time (its first value) filled with "first seen" when the API gave none."""
    return values if values[0] is not None else (now_ms,) + values[1:]


def _padded(keys: Sequence, width: int = 1) -> Iterator[list]:
    """Keys in chunks of _CHUNK, the last padded by repetition so every chunk runs the same prepared SQL."""
    for i in range(0, len(keys), _CHUNK):
        chunk = list(keys[i:i + _CHUNK])
        chunk += [chunk[-1]] * (_CHUNK - len(chunk))
        yield chunk if width == 1 else [part for key in chunk for part in key]


_MARKS = ", ".join("?" * _CHUNK)


@dataclass(frozen=True)
class Written:
    """How a batch went: rows written (new or changed), rows already held unchanged."""

    written: int = 0
    unchanged: int = 0


# -- the open file --------------------------------------------------------------------------------


class HistoryStore:
    """One open history file. Thread-safe (one lock around the connection); methods raise HistoryError."""

    def __init__(self, conn: sqlite3.Connection, path: Path) -> None:
        self.connection = conn  # for diagnostics and tests (e.g. PRAGMA max_page_count to fill the "disk")
        self.path = path
        self._lock = threading.RLock()
        self._version = schema.version_of(conn)

    # opening ----------------------------------------------------------------------------------

    @classmethod
    def open(cls, path: Path, *, timeout: float = DEFAULT_TIMEOUT_S) -> "HistoryStore":
        """Open (creating when missing: folder 0700, file 0600) and migrate the file.

        Raises HistoryError: "newer" (the file is left untouched), "foreign" (not a history file), "corrupt",
        "locked", "read_only", "disk_full" or "io".
        """
        path = Path(path)
        try:
            _create_private(path)
            conn = sqlite3.connect(path, timeout=timeout, isolation_level=None, check_same_thread=False)
        except (OSError, sqlite3.Error) as exc:
            raise HistoryError(problem_from(exc, path, "opening it")) from None
        try:
            cls._prepare(conn, path)
        except BaseException:
            conn.close()
            raise
        store = cls(conn, path)
        _restrict_side_files(path)
        return store

    @staticmethod
    def _prepare(conn: sqlite3.Connection, path: Path) -> None:
        try:
            version = schema.version_of(conn)  # the first read: a file that is not SQLite fails here
            if version > schema.SCHEMA_VERSION:
                raise HistoryError(_newer(path, version))
            if schema.is_foreign(conn):
                raise HistoryError(HistoryProblem("foreign", f"The file {path} is not a wiro-voice call history."))
            if conn.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
                if version == 0:
                    conn.execute("PRAGMA auto_vacuum = INCREMENTAL")  # takes effect only before the first table
                conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = NORMAL")  # with WAL: durable across app crashes, fewer fsyncs
            conn.execute(f"PRAGMA cache_size = -{PAGE_CACHE_KIB}")  # negative: KiB, not pages
            if version < schema.SCHEMA_VERSION:
                conn.execute("BEGIN IMMEDIATE")
                try:
                    current = schema.version_of(conn)  # another process may have migrated meanwhile
                    if current > schema.SCHEMA_VERSION:
                        raise HistoryError(_newer(path, current))
                    schema.migrate(conn)
                    conn.execute("COMMIT")
                except BaseException:
                    conn.execute("ROLLBACK")
                    raise
            # Touch every table: a file damaged inside fails here, at open, rather than in the middle of a poll.
            for table in ("calls", "agents", "numbers", "credits", "routing"):
                conn.execute(f"SELECT * FROM {table} LIMIT 1").fetchall()
        except sqlite3.Error as exc:
            raise HistoryError(problem_from(exc, path, "opening it")) from None

    @property
    def version(self) -> int:
        return self._version

    def close(self) -> None:
        with self._lock:
            try:
                self.connection.close()
            except sqlite3.Error:
                pass

    # plumbing -----------------------------------------------------------------------------------

    @contextmanager
    def _writing(self, doing: str) -> Iterator[sqlite3.Connection]:
        with self._lock:
            conn = self.connection
            try:
                conn.execute("BEGIN IMMEDIATE")
                try:
                    yield conn
                    conn.execute("COMMIT")
                except BaseException:
                    if conn.in_transaction:
                        conn.execute("ROLLBACK")
                    raise
            except sqlite3.Error as exc:
                raise HistoryError(problem_from(exc, self.path, doing)) from None
        _restrict_side_files(self.path)

    def query(self, sql: str, params: Sequence | Mapping = (), doing: str = "reading it") -> list[tuple]:
        """Run a read-only query; SQLite errors become HistoryError."""
        with self._lock:
            try:
                return self.connection.execute(sql, params).fetchall()
            except sqlite3.Error as exc:
                raise HistoryError(problem_from(exc, self.path, doing)) from None

    def _lookup(self, sql: str, keys: Sequence, width: int = 1, doing: str = "reading it") -> list[tuple]:
        rows: list[tuple] = []
        for params in _padded(keys, width):
            rows += self.query(sql, params, doing)
        return rows

    # writing --------------------------------------------------------------------------------------

    def _read(self, sql: str, keys: Sequence, conn: sqlite3.Connection | None, width: int = 1) -> list[tuple]:
        """Rows for encoded `keys` (in padded chunks), through `conn` (inside a write) or under the lock."""
        if conn is not None:
            return _fetch(conn, sql, keys, width)
        return self._lookup(sql, keys, width)

    _CALLS_BY_SID = f"SELECT c.call_sid, c.id, {_TWILIO_READ} FROM calls c {_NUMBERS_JOIN} WHERE c.call_sid IN ({_MARKS})"

    def _held_calls(self, sids: Sequence[str], conn: sqlite3.Connection | None = None) -> dict[str, tuple]:
        """Per Call SID: (row id, Twilio values or None when the row has no Twilio record yet)."""
        rows = self._read(self._CALLS_BY_SID, [codec.encode_sid(sid) for sid in sids], conn)
        return {codec.decode_sid(r[0]): (r[1], _decode(r[2:], _TWILIO_CODECS) if r[2] is not None else None)
                for r in rows}

    def write_calls(self, calls: Iterable[TwilioCall], now_ms: int) -> Written:
        """Record Twilio calls (by Call SID); only new or changed ones are written."""
        batch = {call.sid: _twilio_values(call) for call in calls}
        if not batch:
            return Written()

        def changed(held: dict[str, tuple]) -> dict[str, tuple | None]:
            out = {}
            for sid, new in batch.items():
                row = held.get(sid)
                if row is None or row[1] is None or _merge(new, row[1]) != row[1]:
                    out[sid] = row
            return out

        todo = changed(self._held_calls(list(batch)))
        if not todo:
            return Written(0, len(batch))
        from .countries import country_of

        with self._writing("recording Twilio calls") as conn:
            todo = changed(self._held_calls(list(todo), conn))  # again, under the write lock
            numbers = self._ids(conn, "numbers", "number", {batch[sid][_AT_NUMBER] for sid in todo} - {None})
            for sid, row in todo.items():
                new = batch[sid]
                values = _with_time(new if row is None or row[1] is None else _merge(new, row[1]), now_ms)
                if values[_AT_COUNTRY] is None and values[_AT_FROM]:
                    values = values[:_AT_COUNTRY] + (country_of(values[_AT_FROM]),) + values[_AT_COUNTRY + 1:]
                number = values[_AT_NUMBER]
                values = values[:_AT_NUMBER] + (numbers.get(number) if number else None,) + values[_AT_NUMBER + 1:]
                stored = _encode(values, _TWILIO_CODECS)
                if row is None:
                    conn.execute(f"INSERT INTO calls (call_sid, {', '.join(TWILIO_COLUMNS)}) "
                                 f"VALUES (?, {', '.join('?' * len(TWILIO_COLUMNS))})", (codec.encode_sid(sid), *stored))
                else:
                    conn.execute(f"UPDATE calls SET {', '.join(f'{c} = ?' for c in TWILIO_COLUMNS)} WHERE id = ?",
                                 (*stored, row[0]))
        return Written(len(todo), len(batch) - len(todo))

    _SESSIONS_BY_GUID = (f"SELECT c.guid, c.id, c.call_sid, c.dup_sid, {_WIRO_READ} FROM calls c "
                         f"LEFT JOIN agents a ON a.id = c.agent_id WHERE c.guid IN ({_MARKS})")

    def _held_sessions(self, guids: Sequence[str], conn: sqlite3.Connection | None = None) -> dict[str, tuple]:
        """Per guid: (row id, the row's Call SID, its dup_sid, the session's values with the agent's guid)."""
        rows = self._read(self._SESSIONS_BY_GUID, [codec.encode_guid(g) for g in guids], conn)
        return {codec.decode_guid(r[0]): (r[1], codec.decode_sid(r[2]), codec.decode_sid(r[3]),
                                          _decode(r[4:], _WIRO_CODECS)) for r in rows}

    def write_sessions(self, sessions: Iterable[WiroSession], now_ms: int) -> Written:
        """Record Wiro sessions (by message guid); only new or changed ones are written."""
        batch = {s.guid: s for s in sessions}
        if not batch:
            return Written()

        def changed(held: dict[str, tuple]) -> dict[str, tuple | None]:
            out = {}
            for guid, session in batch.items():
                row = held.get(guid)
                if row is None or _gains_sid(session, row) or _merge(_wiro_values(session), row[3]) != row[3]:
                    out[guid] = row
            return out

        todo = changed(self._held_sessions(list(batch)))
        if not todo:
            return Written(0, len(batch))
        with self._writing("recording Wiro sessions") as conn:
            todo = changed(self._held_sessions(list(todo), conn))
            agents = self._agent_ids(conn, {s.agent_guid for s in batch.values() if s.agent_guid})
            for guid in sorted(todo):  # smaller guids first: the first session of a Call SID keeps the call's row
                row, session = todo[guid], batch[guid]
                new = _wiro_values(session)
                if row is not None and not _gains_sid(session, row):
                    conn.execute(f"UPDATE calls SET {', '.join(f'{c} = ?' for c in WIRO_COLUMNS)} WHERE id = ?",
                                 (*self._stored(_merge(new, row[3]), agents), row[0]))
                    continue
                if row is not None:  # a session without a Call SID that now has one: it joins that call's row
                    new = _merge(new, row[3])
                    conn.execute("DELETE FROM calls WHERE id = ?", (row[0],))
                self._place_session(conn, guid, session.call_sid, _with_time(new, now_ms), agents)
        return Written(len(todo), len(batch) - len(todo))

    @staticmethod
    def _stored(values: tuple, agents: dict[str, int]) -> tuple:
        """A session's values as stored: the agent's guid replaced by its id, words encoded."""
        agent = values[_AT_AGENT]
        values = values[:_AT_AGENT] + (agents.get(agent) if agent else None,) + values[_AT_AGENT + 1:]
        return _encode(values, _WIRO_CODECS)

    def _place_session(self, conn: sqlite3.Connection, guid: str, call_sid: str | None, values: tuple,
                       agents: dict[str, int]) -> None:
        """Put a session that has no row yet onto its call's row, or onto a row of its own."""
        cols = ", ".join(WIRO_COLUMNS)
        marks = ", ".join("?" * len(WIRO_COLUMNS))
        sets = ", ".join(f"{c} = ?" for c in WIRO_COLUMNS)
        sid = codec.encode_sid(call_sid) if call_sid else None
        target = None
        if sid is not None:
            target = conn.execute(f"SELECT c.id, c.guid, {_WIRO_READ} FROM calls c LEFT JOIN agents a "
                                  "ON a.id = c.agent_id WHERE c.call_sid = ?", (sid,)).fetchone()
        if target is None:
            conn.execute(f"INSERT INTO calls (call_sid, guid, {cols}) VALUES (?, ?, {marks})",
                         (sid, codec.encode_guid(guid), *self._stored(values, agents)))
            return
        if target[1] is None:
            conn.execute(f"UPDATE calls SET guid = ?, {sets} WHERE id = ?",
                         (codec.encode_guid(guid), *self._stored(values, agents), target[0]))
            return
        holder = codec.decode_guid(target[1])
        if guid < holder:
            # This session keeps the call's row; the one that held it moves to a row of its own.
            held = _decode(target[2:], _WIRO_CODECS)
            held_agents = self._agent_ids(conn, {held[_AT_AGENT]} - {None})
            conn.execute(f"UPDATE calls SET guid = ?, {sets} WHERE id = ?",
                         (codec.encode_guid(guid), *self._stored(values, agents), target[0]))
            conn.execute(f"INSERT INTO calls (dup_sid, guid, {cols}) VALUES (?, ?, {marks})",
                         (sid, target[1], *self._stored(held, held_agents)))
        else:
            conn.execute(f"INSERT INTO calls (dup_sid, guid, {cols}) VALUES (?, ?, {marks})",
                         (sid, codec.encode_guid(guid), *self._stored(values, agents)))

    @staticmethod
    def _ids(conn: sqlite3.Connection, table: str, column: str, values: set) -> dict[str, int]:
        """The ids of values kept once in a lookup table (agents, numbers), adding the new ones."""
        ids = {}
        for value in values:
            conn.execute(f"INSERT OR IGNORE INTO {table} ({column}) VALUES (?)", (value,))
            ids[value] = conn.execute(f"SELECT id FROM {table} WHERE {column} = ?", (value,)).fetchone()[0]
        return ids

    def _agent_ids(self, conn: sqlite3.Connection, guids: set) -> dict[str, int]:
        return self._ids(conn, "agents", "guid", guids)

    _CREDITS_BY_KEY = (f"SELECT {', '.join(CREDIT_COLUMNS)} FROM credits WHERE (message_guid, guid) IN "
                       f"(VALUES {', '.join(['(?, ?)'] * _CHUNK)})")

    def _held_credits(self, keys: Sequence[tuple], conn: sqlite3.Connection | None = None) -> dict[tuple, tuple]:
        encoded = [(codec.encode_guid(m), codec.encode_guid(g)) for m, g in keys]
        rows = [_decode(r, _CREDIT_CODECS) for r in self._read(self._CREDITS_BY_KEY, encoded, conn, 2)]
        return {r[:2]: r[2:] for r in rows}

    def write_credits(self, credits: Iterable[CreditRow], now_ms: int) -> Written:
        """Record post-call credit rows (by message and transaction guid); only new or changed ones are written.
        Triggers add them to their session's row, whichever of the two arrives first."""
        batch = {(c.message_guid, c.guid): _credit_values(c)[2:] for c in credits}
        if not batch:
            return Written()

        def changed(held: dict[tuple, tuple]) -> dict[tuple, tuple | None]:
            out = {}
            for key, new in batch.items():
                old = held.get(key)
                if old is None or _merge(new, old) != old:
                    out[key] = old
            return out

        todo = changed(self._held_credits(list(batch)))
        if not todo:
            return Written(0, len(batch))
        with self._writing("recording post-call credits") as conn:
            todo = changed(self._held_credits(list(todo), conn))
            for key, old in todo.items():
                amount, created, action = _merge(batch[key], old) if old is not None else batch[key]
                row = _encode((*key, amount, created if created is not None else now_ms, action), _CREDIT_CODECS)
                conn.execute(
                    "INSERT INTO credits (message_guid, guid, amount_micro, created_ms, action) VALUES (?, ?, ?, ?, ?) "
                    "ON CONFLICT (message_guid, guid) DO UPDATE SET amount_micro = excluded.amount_micro, "
                    "created_ms = excluded.created_ms, action = excluded.action", row)
        return Written(len(todo), len(batch) - len(todo))

    def write_routing(self, snapshots: Iterable[RoutingSnapshot]) -> Written:
        """Keep a snapshot only when the number's verdict differs from the latest one held before it."""
        snapshots = sorted(snapshots, key=lambda s: s.at_ms)
        if not snapshots:
            return Written()
        latest = "SELECT verdict FROM routing WHERE number = ? AND at_ms <= ? ORDER BY at_ms DESC LIMIT 1"
        if all(self.query(latest, (s.number, s.at_ms)) == [(s.verdict,)] for s in snapshots):
            return Written(0, len(snapshots))
        written = 0
        with self._writing("recording number routing") as conn:
            for snap in snapshots:
                row = conn.execute(latest, (snap.number, snap.at_ms)).fetchone()
                if row is None or row[0] != snap.verdict:
                    conn.execute("INSERT OR REPLACE INTO routing (number, at_ms, verdict) VALUES (?, ?, ?)",
                                 (snap.number, snap.at_ms, snap.verdict))
                    written += 1
        return Written(written, len(snapshots) - written)

    def prune(self, cutoff_ms: int) -> dict[str, int]:
        """Remove calls and credits older than `cutoff_ms`; per number, the newest routing snapshot before the
        cutoff stays (it still says how the number was routed for later calls). Returns rows removed per table."""
        removed: dict[str, int] = {}
        with self._writing("pruning old calls") as conn:
            removed["calls"] = conn.execute("DELETE FROM calls WHERE slot <= ? AND at_ms < ?",
                                            (cutoff_ms // schema.SLOT_MS, cutoff_ms)).rowcount
            removed["credits"] = conn.execute("DELETE FROM credits WHERE created_ms < ?", (cutoff_ms,)).rowcount
            removed["routing"] = conn.execute(
                "DELETE FROM routing WHERE at_ms < (SELECT max(r.at_ms) FROM routing r "
                "WHERE r.number = routing.number AND r.at_ms < ?)", (cutoff_ms,)).rowcount
        if any(removed.values()):
            with self._lock:
                try:
                    self.connection.execute("PRAGMA incremental_vacuum")
                except sqlite3.Error:
                    pass  # the space is reused by later rows anyway
        return removed

    # reading --------------------------------------------------------------------------------------

    def counts(self) -> dict[str, int]:
        """Rows held: Twilio calls, Wiro sessions, credit rows, routing snapshots."""
        row = self.query("SELECT count(t_start_ms), count(guid) FROM calls")[0]
        return {"twilio_calls": row[0], "wiro_sessions": row[1],
                "credits": self.query("SELECT count(*) FROM credits")[0][0],
                "routing": self.query("SELECT count(*) FROM routing")[0][0]}

    def records(self, where: str = "1", params: Sequence | Mapping = ()) -> tuple[list[TwilioCall], list[WiroSession]]:
        """The Twilio calls and Wiro sessions held in the rows matching `where` (over `calls c`)."""
        rows = self.query(
            f"SELECT c.call_sid, c.dup_sid, c.guid, {_TWILIO_READ}, {_WIRO_READ} FROM calls c "
            f"LEFT JOIN agents a ON a.id = c.agent_id {_NUMBERS_JOIN} WHERE {where}", params)
        calls, sessions = [], []
        n = len(TWILIO_COLUMNS)
        for row in rows:
            call_sid, dup_sid = codec.decode_sid(row[0]), codec.decode_sid(row[1])
            guid, twilio, wiro = row[2], row[3:3 + n], row[3 + n:]
            if twilio[0] is not None:
                calls.append(TwilioCall(call_sid, *_decode(twilio, _TWILIO_CODECS)))
            if guid is not None:
                wiro = _decode(wiro, _WIRO_CODECS)
                sessions.append(WiroSession(codec.decode_guid(guid), wiro[0], wiro[1], call_sid or dup_sid, *wiro[2:]))
        return calls, sessions

    def records_by_sid(self, sids: Sequence[str]) -> tuple[list[TwilioCall], list[WiroSession]]:
        """The records of the rows of these Call SIDs."""
        calls: list[TwilioCall] = []
        sessions: list[WiroSession] = []
        keys = [codec.encode_sid(s) for s in sorted(set(sids))]
        for i in range(0, len(keys), 500):
            chunk = keys[i:i + 500]
            more_calls, more_sessions = self.records(f"c.call_sid IN ({', '.join('?' * len(chunk))})", chunk)
            calls += more_calls
            sessions += more_sessions
        return calls, sessions

    def unexplained_rejections(self, since_ms: int, limit: int) -> list[str]:
        """Guids of rejected sessions since `since_ms` whose reason is not known yet, newest first."""
        rows = self.query(
            "SELECT guid FROM calls WHERE guid IS NOT NULL AND w_status = ? AND reject_reason IS NULL "
            "AND slot >= ? AND at_ms >= ? ORDER BY at_ms DESC LIMIT ?",
            (codec.word_code("w_status", "realtime_session_rejected"), since_ms // schema.SLOT_MS, since_ms, limit))
        return [codec.decode_guid(row[0]) for row in rows]

    def credits(self, message_guids: Sequence[str]) -> list[CreditRow]:
        """The credit rows of these sessions."""
        rows = self._lookup(f"SELECT {', '.join(CREDIT_COLUMNS)} FROM credits WHERE message_guid IN ({_MARKS})",
                            [codec.encode_guid(g) for g in sorted(set(message_guids))])
        out = {}
        for r in rows:  # padding repeats the last key: keep each row once
            m, g, amount, created, action = _decode(r, _CREDIT_CODECS)
            out[(m, g)] = CreditRow(guid=g, message_guid=m, amount_micro=amount, created_ms=created, action=action)
        return list(out.values())

    def routing(self, numbers: Sequence[str] | None = None) -> list[RoutingSnapshot]:
        """Routing snapshots (of these numbers), by number and time."""
        if numbers is None:
            rows = self.query("SELECT number, verdict, at_ms FROM routing")
        else:
            rows = set(self._lookup(f"SELECT number, verdict, at_ms FROM routing WHERE number IN ({_MARKS})",
                                    sorted(set(numbers))))
        return [RoutingSnapshot(*row) for row in sorted(rows, key=lambda r: (r[0], r[2]))]


def _fetch(conn: sqlite3.Connection, sql: str, keys: Sequence, width: int = 1) -> list[tuple]:
    rows: list[tuple] = []
    for params in _padded(keys, width):
        rows += conn.execute(sql, params).fetchall()
    return rows


def _gains_sid(session: WiroSession, row: tuple) -> bool:
    """A held session row without any Call SID, for a session that now names one."""
    return bool(session.call_sid) and row[1] is None and row[2] is None


def _newer(path: Path, version: int) -> HistoryProblem:
    return HistoryProblem(
        "newer",
        f"The call history {path} was written by a newer wiro-voice (schema version {version}; this one reads up "
        f"to {schema.SCHEMA_VERSION}). It is left untouched and calls are not recorded: upgrade wiro-voice, or move "
        "the file away to start a new history.",
    )


def _create_private(path: Path) -> None:
    """Make the folder (0700) and the file (0600) before SQLite opens it, so it is never readable by others."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        if os.fstat(fd).st_mode & 0o077:
            os.fchmod(fd, 0o600)
    finally:
        os.close(fd)


def _restrict_side_files(path: Path) -> None:
    """SQLite creates -wal and -shm with the main file's mode; make sure of it (a umask can interfere)."""
    for side in side_files(path):
        try:
            if side.stat().st_mode & 0o077:
                os.chmod(side, 0o600)
        except OSError:
            pass

