"""The history file's schema, versioned with `PRAGMA user_version`, and the migrations between versions.

One row per call: Twilio's record and Wiro's session of the same Call SID share a row, so the join is made
once, when a row is written, and never again while reading (insights read one index range, in time order).
Keys: the Call SID (`call_sid`, unique) and the Wiro message guid (`guid`, unique). A session without a Call
SID (a web call) has a row of its own; a second session carrying an already used Call SID (`dup_sid`) too.
Credits are kept per transaction (so a re-read ledger adds nothing twice) and summed onto the row of their
session by triggers, whatever arrives first. Agent guids are stored once in `agents`; IDs and known words are
stored compactly (`codec`).

A file is marked as ours with `PRAGMA application_id`. Each migration moves the schema one version up inside
the caller's transaction (SQLite's DDL is transactional: a failed upgrade leaves the old version intact). A
file whose version is above `SCHEMA_VERSION` was written by a newer wiro-voice and is never touched.

Versions:
1. calls, agents, credits (+ triggers), routing snapshots; indexes on time, number, Call SID and guid.
2. calls rebuilt with `t_country` (the region of the caller's number on Twilio's side, back-filled from
   `from_number`, so "callers by country" covers callers who never reached Wiro), the number called stored once
   in `numbers`, and the columns insights group by, derived by triggers, with the two indexes that let
   insights stream instead of sort.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

#: "WiRo" in ASCII: marks a SQLite file as a wiro-voice history.
APPLICATION_ID = 0x5769526F

_V1 = """
CREATE TABLE agents (
    id   INTEGER PRIMARY KEY,
    guid TEXT NOT NULL UNIQUE
);

CREATE TABLE calls (
    id            INTEGER PRIMARY KEY,
    call_sid,                -- columns without a type keep what codec.py stores (blob, integer or text)
    dup_sid,
    -- Twilio's call log (present when t_start_ms is not null)
    t_start_ms    INTEGER,
    to_number     TEXT,
    from_number   TEXT,
    t_status,
    direction,
    t_end_ms      INTEGER,
    t_duration_s  INTEGER,
    price_micro   INTEGER,
    price_unit    TEXT,
    -- Wiro's session (present when guid is not null)
    guid,
    w_started_ms  INTEGER,
    agent_id      INTEGER REFERENCES agents (id),
    channel,
    caller        TEXT,
    w_country     TEXT,
    called_number TEXT,
    w_status,
    end_reason,
    reject_reason,
    w_duration_s  INTEGER,
    model         TEXT,
    w_ended_ms    INTEGER,
    credits_micro INTEGER NOT NULL DEFAULT 0,
    -- the call's time: Twilio's start when Twilio has the call, else Wiro's
    at_ms         INTEGER NOT NULL GENERATED ALWAYS AS (coalesce(t_start_ms, w_started_ms)) STORED
);
CREATE UNIQUE INDEX calls_by_sid ON calls (call_sid) WHERE call_sid IS NOT NULL;
CREATE UNIQUE INDEX calls_by_guid ON calls (guid) WHERE guid IS NOT NULL;
CREATE INDEX calls_by_dup ON calls (dup_sid) WHERE dup_sid IS NOT NULL;
CREATE INDEX calls_by_time ON calls (at_ms);
CREATE INDEX calls_by_number ON calls (to_number, at_ms) WHERE to_number IS NOT NULL;

CREATE TABLE credits (
    message_guid NOT NULL,
    guid         NOT NULL,
    amount_micro INTEGER NOT NULL,
    created_ms   INTEGER NOT NULL,
    action,
    PRIMARY KEY (message_guid, guid)
) WITHOUT ROWID;

CREATE TRIGGER credits_added AFTER INSERT ON credits BEGIN
    UPDATE calls SET credits_micro = credits_micro + abs(NEW.amount_micro) WHERE guid = NEW.message_guid;
END;
CREATE TRIGGER credits_changed AFTER UPDATE OF amount_micro ON credits BEGIN
    UPDATE calls SET credits_micro = credits_micro - abs(OLD.amount_micro) + abs(NEW.amount_micro)
     WHERE guid = NEW.message_guid;
END;
CREATE TRIGGER credits_removed AFTER DELETE ON credits BEGIN
    UPDATE calls SET credits_micro = credits_micro - abs(OLD.amount_micro) WHERE guid = OLD.message_guid;
END;
CREATE TRIGGER session_arrived AFTER INSERT ON calls WHEN NEW.guid IS NOT NULL BEGIN
    UPDATE calls SET credits_micro =
        (SELECT coalesce(sum(abs(amount_micro)), 0) FROM credits WHERE message_guid = NEW.guid) WHERE id = NEW.id;
END;
CREATE TRIGGER session_moved AFTER UPDATE OF guid ON calls WHEN NEW.guid IS NOT OLD.guid BEGIN
    UPDATE calls SET credits_micro =
        (SELECT coalesce(sum(abs(amount_micro)), 0) FROM credits WHERE message_guid = NEW.guid) WHERE id = NEW.id;
END;

CREATE TABLE routing (
    number  TEXT NOT NULL,
    at_ms   INTEGER NOT NULL,
    verdict TEXT NOT NULL,
    PRIMARY KEY (number, at_ms)
) WITHOUT ROWID;
"""


def _statements(script: str) -> list[str]:
    """Split a script into statements, keeping trigger bodies (which contain `;`) whole."""
    out, pending = [], ""
    for line in script.splitlines(keepends=True):
        if line.lstrip().startswith("--"):
            continue
        pending += line
        if sqlite3.complete_statement(pending):
            out.append(pending.strip())
            pending = ""
    return [s for s in out if s.strip(" ;\n")]


def _to_v1(conn: sqlite3.Connection) -> None:
    for statement in _statements(_V1):
        conn.execute(statement)


# -- version 2 ---------------------------------------------------------------------------------------------
#
# Each row also carries what insights group by, derived from its other columns by triggers whenever they
# change: the call's time and 15-minute slot, a small `code` (outcome × missed cause × source, `ROW_CODES`),
# the talk time of a reached call, the caller's country, a rejection's reason and a non-dollar currency. They
# are plain columns, not generated ones, because SQLite (3.40) reads an index on plain columns without
# touching the table; and two indexes hold them in the order insights group them, so SQLite streams the
# groups instead of sorting 100 000 rows.

SLOT_MS = 15 * 60 * 1000

#: A row's stored `code` → (outcome, missed cause, source). Part of the file format: never renumber.
#: Code 3 (routed elsewhere) is never stored: it depends on the number's routing at the time of the call,
#: which is applied when reading (to codes 4–6, the causes the join decides after the routing).
ROW_CODES: dict[int, tuple[str, str | None, str]] = {
    0: ("missed", "failed", "twilio_only"),
    1: ("missed", "no_answer", "twilio_only"),
    2: ("missed", "canceled", "twilio_only"),
    3: ("missed", "routed_elsewhere", "twilio_only"),
    4: ("missed", "whitelist", "twilio_only"),
    5: ("missed", "in_progress", "twilio_only"),
    6: ("missed", "no_session", "twilio_only"),
    10: ("reached", None, "both"), 11: ("rejected", None, "both"),
    12: ("reached", None, "web"), 13: ("rejected", None, "web"),
    14: ("reached", None, "twilio_not_fetched"), 15: ("rejected", None, "twilio_not_fetched"),
    16: ("reached", None, "duplicate"), 17: ("rejected", None, "duplicate"),
}
ROUTED_CODE = 3
ROUTABLE_CODES = (4, 5, 6)
#: Codes of rows that have a Twilio call (the number rule of a scope applies to them, the agent rule to others).
TWILIO_CODES_BELOW = 12


def _derive_sql() -> str:
    from .codec import word_code as w

    rejected = f"w_status = {w('w_status', 'realtime_session_rejected')}"
    web = f"channel = {w('channel', 'web')}"
    inbound = f"(direction IS NULL OR direction = {w('direction', 'inbound')})"
    status = lambda *words: f"t_status IN ({', '.join(str(w('t_status', x)) for x in words)})"  # noqa: E731
    main = ("coalesce((SELECT (m.t_start_ms IS NOT NULL) * 2 + (m.direction IS NULL OR m.direction = "
            f"{w('direction', 'inbound')}) FROM calls m WHERE m.call_sid = calls.dup_sid), 0)")
    return f"""
    at_ms = coalesce(t_start_ms, w_started_ms),
    slot = coalesce(t_start_ms, w_started_ms) / {SLOT_MS},
    code = CASE
        WHEN dup_sid IS NOT NULL THEN
             CASE {main} WHEN 2 THEN NULL WHEN 3 THEN 16 ELSE CASE WHEN {web} THEN 12 ELSE 14 END END + ({rejected})
        WHEN t_start_ms IS NOT NULL AND NOT {inbound} THEN NULL
        WHEN guid IS NULL THEN
             CASE WHEN {status('failed')} THEN 0 WHEN {status('no-answer')} THEN 1 WHEN {status('canceled')} THEN 2
                  WHEN {status('busy')} THEN 4 WHEN {status('completed')} AND t_duration_s <= 3 THEN 4
                  WHEN {status('queued', 'ringing', 'in-progress')} THEN 5 ELSE 6 END
        WHEN t_start_ms IS NOT NULL THEN 10 + ({rejected})
        WHEN {web} THEN 12 + ({rejected})
        ELSE 14 + ({rejected}) END,
    dur = CASE WHEN guid IS NOT NULL AND w_status IS NOT {w('w_status', 'realtime_session_rejected')}
               THEN coalesce(w_duration_s, CASE WHEN t_start_ms IS NOT NULL THEN t_duration_s END) END,
    country = CASE WHEN guid IS NOT NULL AND {web} THEN 'web'
                   ELSE coalesce(CASE WHEN guid IS NOT NULL THEN w_country END,
                                 CASE WHEN t_start_ms IS NOT NULL THEN t_country END, 'unknown') END,
    reason = CASE WHEN guid IS NOT NULL AND {rejected} THEN coalesce(reject_reason, '') END,
    unit = CASE WHEN t_start_ms IS NOT NULL AND price_unit IS NOT NULL AND price_unit <> 'USD' THEN price_unit END"""


#: The columns whose change re-derives a row (and the duplicate sessions of its Call SID).
_SOURCES = ("call_sid", "dup_sid", "t_start_ms", "t_status", "direction", "t_duration_s", "price_unit", "t_country",
            "guid", "w_started_ms", "channel", "w_country", "w_status", "reject_reason", "w_duration_s")

_V2_CALLS = """
CREATE TABLE calls_v2 (
    id            INTEGER PRIMARY KEY,
    call_sid,
    dup_sid,
    t_start_ms    INTEGER,
    number_id     INTEGER REFERENCES numbers (id),
    from_number   TEXT,
    t_status,
    direction,
    t_end_ms      INTEGER,
    t_duration_s  INTEGER,
    price_micro   INTEGER,
    price_unit    TEXT,
    t_country     TEXT,
    guid,
    w_started_ms  INTEGER,
    agent_id      INTEGER REFERENCES agents (id),
    channel,
    caller        TEXT,
    w_country     TEXT,
    called_number TEXT,
    w_status,
    end_reason,
    reject_reason,
    w_duration_s  INTEGER,
    model,
    w_ended_ms    INTEGER,
    credits_micro INTEGER NOT NULL DEFAULT 0,
    -- derived (see above); written by the triggers only
    at_ms         INTEGER,
    slot          INTEGER,
    code          INTEGER,
    dur           INTEGER,
    country       TEXT,
    reason,
    unit          TEXT
)
"""
_V1_COPIED = ("id", "call_sid", "dup_sid", "t_start_ms", "from_number", "t_status", "direction", "t_end_ms",
              "t_duration_s", "price_micro", "price_unit", "guid", "w_started_ms", "agent_id", "channel", "caller",
              "w_country", "called_number", "w_status", "end_reason", "reject_reason", "w_duration_s", "model",
              "w_ended_ms", "credits_micro")


def _v2_rest() -> str:
    derive = _derive_sql()
    return f"""
CREATE UNIQUE INDEX calls_by_sid ON calls (call_sid) WHERE call_sid IS NOT NULL;
CREATE UNIQUE INDEX calls_by_guid ON calls (guid) WHERE guid IS NOT NULL;
CREATE INDEX calls_by_dup ON calls (dup_sid) WHERE dup_sid IS NOT NULL;
-- a number's calls by outcome and time (the missed calls its routing sent elsewhere)
CREATE INDEX calls_by_number ON calls (number_id, code, at_ms) WHERE number_id IS NOT NULL;
-- time order, grouped as the figures are: slot, outcome code, currency (+ what the scope and the sums need)
CREATE INDEX calls_by_slot ON calls (slot, code, unit, at_ms, number_id, agent_id, price_micro, credits_micro);
-- the shape of the calls: talk time, country, rejection reason (+ what the scope needs)
CREATE INDEX calls_by_shape ON calls (dur, country, reason, at_ms, code, number_id, agent_id);

CREATE TRIGGER calls_derive_new AFTER INSERT ON calls BEGIN
    UPDATE calls SET {derive} WHERE id = NEW.id;
    UPDATE calls SET {derive} WHERE NEW.call_sid IS NOT NULL AND dup_sid = NEW.call_sid;
END;
CREATE TRIGGER calls_derive_changed AFTER UPDATE OF {', '.join(_SOURCES)} ON calls BEGIN
    UPDATE calls SET {derive} WHERE id = NEW.id;
    UPDATE calls SET {derive} WHERE NEW.call_sid IS NOT NULL AND dup_sid = NEW.call_sid;
END;
CREATE TRIGGER credits_added AFTER INSERT ON credits BEGIN
    UPDATE calls SET credits_micro = credits_micro + abs(NEW.amount_micro) WHERE guid = NEW.message_guid;
END;
CREATE TRIGGER credits_changed AFTER UPDATE OF amount_micro ON credits BEGIN
    UPDATE calls SET credits_micro = credits_micro - abs(OLD.amount_micro) + abs(NEW.amount_micro)
     WHERE guid = NEW.message_guid;
END;
CREATE TRIGGER credits_removed AFTER DELETE ON credits BEGIN
    UPDATE calls SET credits_micro = credits_micro - abs(OLD.amount_micro) WHERE guid = OLD.message_guid;
END;
CREATE TRIGGER session_arrived AFTER INSERT ON calls WHEN NEW.guid IS NOT NULL BEGIN
    UPDATE calls SET credits_micro =
        (SELECT coalesce(sum(abs(amount_micro)), 0) FROM credits WHERE message_guid = NEW.guid) WHERE id = NEW.id;
END;
CREATE TRIGGER session_moved AFTER UPDATE OF guid ON calls WHEN NEW.guid IS NOT OLD.guid BEGIN
    UPDATE calls SET credits_micro =
        (SELECT coalesce(sum(abs(amount_micro)), 0) FROM credits WHERE message_guid = NEW.guid) WHERE id = NEW.id;
END;
"""


def _to_v2(conn: sqlite3.Connection) -> None:
    """Rebuild `calls` (SQLite's way for changes ALTER TABLE cannot make: new table, copy, drop, rename) with
    the caller's country on Twilio's side, back-filled from `from_number`, the number called kept once in
    `numbers`, and the derived columns."""
    from .countries import country_of

    conn.create_function("wiro_voice_country_of", 1, country_of, deterministic=True)
    for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'").fetchall():
        conn.execute(f"DROP TRIGGER {name}")
    conn.execute("CREATE TABLE numbers (id INTEGER PRIMARY KEY, number TEXT NOT NULL UNIQUE)")
    conn.execute("INSERT INTO numbers (number) SELECT DISTINCT to_number FROM calls WHERE to_number IS NOT NULL")
    conn.execute(_V2_CALLS)
    copied = ", ".join(_V1_COPIED)
    conn.execute(f"INSERT INTO calls_v2 ({copied}, number_id, t_country) "
                 f"SELECT {copied}, (SELECT id FROM numbers WHERE number = calls.to_number), "
                 "wiro_voice_country_of(from_number) FROM calls")
    conn.execute("DROP TABLE calls")
    conn.execute("ALTER TABLE calls_v2 RENAME TO calls")
    conn.execute(f"UPDATE calls SET {_derive_sql()}")
    for statement in _statements(_v2_rest()):
        conn.execute(statement)


#: MIGRATIONS[i] takes a file from version i to version i + 1.
MIGRATIONS: tuple[Callable[[sqlite3.Connection], None], ...] = (_to_v1, _to_v2)
SCHEMA_VERSION = len(MIGRATIONS)


def version_of(conn: sqlite3.Connection) -> int:
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


def is_foreign(conn: sqlite3.Connection) -> bool:
    """True for a SQLite file that is not a wiro-voice history: another application's id, or unmarked tables."""
    app_id = int(conn.execute("PRAGMA application_id").fetchone()[0])
    if app_id == APPLICATION_ID:
        return False
    if app_id != 0:
        return True
    return conn.execute("SELECT 1 FROM sqlite_master LIMIT 1").fetchone() is not None


def migrate(conn: sqlite3.Connection, target: int = SCHEMA_VERSION) -> int:
    """Bring the file up to `target` (in the caller's transaction); return the version it had before.

    The caller checks first that the file is not newer than this code and not foreign.
    """
    before = version_of(conn)
    if before == 0:
        conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    for version in range(before, target):
        MIGRATIONS[version](conn)
        conn.execute(f"PRAGMA user_version = {version + 1}")
    return before
