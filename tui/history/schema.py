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
2. calls gain `t_country` (the region of the caller's number on Twilio's side), back-filled from
   `from_number`, so "callers by country" covers callers who never reached Wiro (Wiro's rows carry a country,
   Twilio's do not).
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


def _to_v2(conn: sqlite3.Connection) -> None:
    from .countries import country_of

    conn.execute("ALTER TABLE calls ADD COLUMN t_country TEXT")
    numbers = [row[0] for row in conn.execute("SELECT DISTINCT from_number FROM calls WHERE from_number IS NOT NULL")]
    conn.executemany(
        "UPDATE calls SET t_country = ? WHERE from_number = ?",
        [(country, number) for number in numbers if (country := country_of(number))],
    )


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
