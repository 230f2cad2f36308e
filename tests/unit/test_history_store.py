"""The history file: real SQLite files in tmp_path — modes, change-only writes, migrations, a newer file,
damaged and foreign files, locks, a full disk, a read-only file, retention, and two processes at once."""

from __future__ import annotations

import os
import sqlite3
import stat
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tui.history import codec, schema
from tui.history.keeper import History
from tui.history.records import CreditRow, RoutingSnapshot, TwilioCall, WiroSession
from tui.history.store import DAY_MS, HistoryStore, history_path

NOW = 1_777_000_000_000
UUID = "5c41dabf-f2be-4aa8-a5a4-8c9e3d2f3f{:02x}"


def sid(n: int) -> str:
    return f"CA{n:032x}"


def wiro_row(n: int, **changes) -> dict:
    row = {"messageguid": UUID.format(n), "agenttoken": "t", "channel": "twilio", "callsid": sid(n),
           "callerInfo": {"number": "+447700900123", "country": "GB"}, "callerProfile": None,
           "status": "realtime_session", "endReason": "twilio_disconnect", "durationSeconds": 60 + n,
           "modelSlug": "gpt-realtime-mini", "startedAt": NOW - n * 60_000, "endedAt": NOW - n * 60_000 + 60_000}
    row.update(changes)
    return row


def twilio_row(n: int, **changes) -> dict:
    row = {"sid": sid(n), "to": "+14155550100", "from": "+447700900123", "status": "completed",
           "start_time": NOW / 1000 - n * 60, "duration": "65", "price": "-0.0085", "price_unit": "USD",
           "direction": "inbound"}
    row.update(changes)
    return row


@pytest.fixture
def path(tmp_path) -> Path:
    return tmp_path / "data" / "history.sqlite3"


@pytest.fixture
def history(path):
    h = History(path, clock=lambda: NOW / 1000)
    yield h
    h.close()


def mode(p: Path) -> int:
    return stat.S_IMODE(p.stat().st_mode)


def test_where_the_history_lives(tmp_path, monkeypatch):
    assert history_path(data_dir=tmp_path / "d") == tmp_path / "d" / "history.sqlite3"
    assert history_path(config_path=tmp_path / "cfg" / "config.toml") == tmp_path / "cfg" / "history.sqlite3"
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    assert history_path() == tmp_path / "xdg" / "wiro-voice" / "history.sqlite3"


def test_file_folder_wal_and_shm_are_private_even_with_a_permissive_umask(path):
    old = os.umask(0)
    try:
        h = History(path, clock=lambda: NOW / 1000)
        assert h.record_sessions([wiro_row(1)], "agent").written == 1
        assert h.record_calls([twilio_row(1)]).written == 1
        wal, shm = Path(f"{path}-wal"), Path(f"{path}-shm")
        assert wal.exists() and shm.exists()
        assert (mode(path.parent), mode(path), mode(wal), mode(shm)) == (0o700, 0o600, 0o600, 0o600)
        h.close()
    finally:
        os.umask(old)
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert schema.version_of(conn) == schema.SCHEMA_VERSION and not schema.is_foreign(conn)


def test_the_rows_of_the_last_batches_per_agent_are_remembered_and_no_more(history, monkeypatch):
    """A live window (200 newest rows, 20 new per poll) keeps the memory of rows to a few polls' worth, one object
    per row; the Overview's and Calls' windows on one agent alternate without parsing again, and neither another
    agent's rows nor rejection reasons push them out; a forgotten row is only parsed and compared with the file:
    never written again."""
    from tui.history import keeper, parse

    parsed: list[str] = []
    real = parse.wiro_session

    def counting(raw, guid):
        parsed.append(raw["messageguid"])
        return real(raw, guid)

    monkeypatch.setattr(parse, "wiro_session", counting)

    def window(newest: int, size: int = 200) -> list[dict]:
        return [wiro_row(n) for n in range(newest, newest - size, -1)]

    for newest in range(199, 1200, 20):
        history.record_sessions(window(newest), "agent")
    remembered = history._memo[("sessions", "agent")]
    assert len(remembered) == keeper._MEMO_BATCHES == 3 and sum(len(b) for b in remembered) == 600
    assert len(set().union(*remembered)) == 240  # the last three windows, 20 rows apart
    shared = set(remembered[-1]) & set(remembered[-2])
    assert all(remembered[-1][k] is remembered[-2][k] for k in shared)  # one object for a row both batches hold

    newest = 1179
    history.record_sessions(window(newest, 50), "agent")  # the Overview's window, then Calls', then again
    history.record_sessions(window(newest), "agent")
    history.record_sessions(window(newest, 50), "other")  # another agent's rows have their own memory
    history.record_sessions([{"messageguid": UUID.format(newest), "reason": "busy"}], "agent", reasons=True)
    parsed.clear()
    assert history.record_sessions(window(newest, 50), "agent").unchanged == 50
    assert history.record_sessions(window(newest), "agent").unchanged == 200
    assert parsed == []

    changes = history._store.connection.total_changes
    outcome = history.record_sessions(window(500), "agent")  # long gone from the memory, not from the file
    assert (outcome.written, outcome.unchanged) == (0, 200) and len(parsed) == 200
    assert history._store.connection.total_changes == changes


def test_the_page_cache_is_capped_on_every_connection(path, history):
    """SQLite's default page cache (2000 KiB) grew with the file; the store's connections keep it to
    PAGE_CACHE_KIB (a negative cache_size counts KiB), a new file's and a reopened one's alike."""
    from tui.history.store import PAGE_CACHE_KIB

    assert 0 < PAGE_CACHE_KIB < 2000
    assert history.record_sessions([wiro_row(n) for n in range(50)], "agent").written == 50
    assert history._store.connection.execute("PRAGMA cache_size").fetchone()[0] == -PAGE_CACHE_KIB
    reopened = HistoryStore.open(path)
    try:
        assert reopened.connection.execute("PRAGMA cache_size").fetchone()[0] == -PAGE_CACHE_KIB
    finally:
        reopened.close()


def test_only_what_changed_is_written(path, history):
    rows = [wiro_row(n) for n in range(200)]
    assert history.record_sessions(rows, "agent") == type(history.record_sessions([], None))(written=200)
    store = history._store
    changes = store.connection.total_changes
    again = history.record_sessions([dict(r) for r in rows], "agent")  # equal dicts: remembered, not even parsed
    assert (again.written, again.unchanged) == (0, 200)
    fresh = History(path, clock=lambda: NOW / 1000)  # a new process: nothing remembered, compared with the file
    cold = fresh.record_sessions(rows, "agent")
    assert (cold.written, cold.unchanged) == (0, 200) and fresh._store.connection.total_changes == 0
    rows[7] = wiro_row(7, status="realtime_session", durationSeconds=999)
    rows[8] = wiro_row(8, endReason="max_duration")
    one = fresh.record_sessions(rows, "agent")
    assert (one.written, one.unchanged) == (2, 198)
    assert store.connection.total_changes == changes  # the first connection wrote nothing since
    calls, sessions = fresh._store.records()
    assert {s.guid: s.duration_s for s in sessions}[UUID.format(7)] == 999
    fresh.close()


def test_a_later_null_never_erases_what_the_file_holds(history):
    history.record_calls([twilio_row(1)])
    history.record_calls([twilio_row(1, price=None, duration=None, status="completed")])
    rejected = dict(status="realtime_session_rejected", endReason=None, durationSeconds=None, modelSlug=None)
    history.record_sessions([wiro_row(1, **rejected, metadata={"reason": "agent_prep_timeout"})], "agent")
    history.record_sessions([wiro_row(1, **rejected, callerInfo={"number": "+447700900123"})], "agent")
    (call,), (session,) = history._store.records()
    assert (call.price_micro, call.duration_s) == (-8500, 65)
    assert (session.reject_reason, session.caller_country) == ("agent_prep_timeout", "GB")


def test_twilio_and_wiro_of_one_call_share_a_row_whichever_comes_first(history):
    history.record_calls([twilio_row(1), twilio_row(2)])
    history.record_sessions([wiro_row(1), wiro_row(3)], "agent")
    history.record_calls([twilio_row(3)])
    store = history._store
    assert store.query("SELECT count(*) FROM calls")[0][0] == 3
    calls, sessions = store.records()
    assert {c.sid for c in calls} == {sid(1), sid(2), sid(3)}
    assert {s.call_sid for s in sessions} == {sid(1), sid(3)}
    assert store.counts() == {"twilio_calls": 3, "wiro_sessions": 2, "credits": 0, "routing": 0}
    # the time of a call is Twilio's start once Twilio has it
    assert dict(store.query("SELECT call_sid, at_ms FROM calls"))[codec.encode_sid(sid(3))] == NOW - 3 * 60_000


def test_records_read_back_exactly_as_written_including_odd_ids_and_unknown_words(path):
    store = HistoryStore.open(path)
    odd = [
        TwilioCall("CA" + "AB" * 16, 1, "+1", "+2", "new-status", "outbound-api", 2, 3, -4, "EUR", "FR"),
        TwilioCall(sid(9), 5, None, None, "busy", None, None, None, None, None, None),
    ]
    sessions = [
        WiroSession("not-a-uuid", 7, "agent-x", "voice-call-9d2d", "web", "Ann", None, None, "realtime_session", "new_end"),
        WiroSession(UUID.format(9), 8, None, sid(9), "twilio", "+44", "GB", "+1", "realtime_session_rejected", None,
                    "concurrent_limit", None, "m", None),
    ]
    store.write_calls(odd, NOW)
    store.write_sessions(sessions, NOW)
    calls, back = store.records()
    assert sorted(calls, key=lambda c: c.sid) == sorted([odd[0], odd[1]], key=lambda c: c.sid)
    assert sorted(back, key=lambda s: s.guid) == sorted(sessions, key=lambda s: s.guid)
    # known words and canonical IDs are stored compactly; the rest as sent
    stored = store.query("SELECT typeof(call_sid), typeof(t_status) FROM calls WHERE t_start_ms = 5")[0]
    assert stored == ("blob", "integer")
    assert store.query("SELECT typeof(t_status) FROM calls WHERE t_start_ms = 1")[0] == ("text",)
    store.close()


def test_the_first_session_of_a_call_sid_keeps_the_call_and_a_second_gets_its_own_row(history):
    history.record_calls([twilio_row(1)])
    later_guid, earlier_guid = "ffffffff-0000-4000-8000-000000000000", "00000000-0000-4000-8000-000000000000"
    history.record_sessions([wiro_row(1, messageguid=later_guid, durationSeconds=5)], "agent")
    history.record_sessions([wiro_row(1, messageguid=earlier_guid, durationSeconds=6)], "agent")
    rows = history._store.query("SELECT guid, call_sid IS NOT NULL, dup_sid IS NOT NULL, w_duration_s FROM calls")
    got = {codec.decode_guid(g): (main, dup, d) for g, main, dup, d in rows}
    assert got == {earlier_guid: (1, 0, 6), later_guid: (0, 1, 5)}
    history.record_sessions([wiro_row(1, messageguid=later_guid, durationSeconds=7)], "agent")  # updated in place
    assert history._store.query("SELECT count(*), sum(w_duration_s) FROM calls")[0] == (2, 13)


def test_a_session_that_gains_its_call_sid_joins_the_calls_row(history):
    history.record_calls([twilio_row(1)])
    history.record_sessions([wiro_row(1, callsid=None)], "agent")
    assert history._store.query("SELECT count(*) FROM calls")[0][0] == 2
    history.record_sessions([wiro_row(1)], "agent")
    assert history._store.query("SELECT count(*), count(guid), count(t_start_ms) FROM calls")[0] == (1, 1, 1)


def test_credits_are_summed_onto_their_session_whichever_arrives_first_and_never_twice(history):
    credit = {"guid": "a1b2c3d4-0000-4000-8000-000000000001", "type": "deduct", "action": "tokens", "amount": -3,
              "messageguid": UUID.format(1), "createdat": NOW / 1000}
    second = {**credit, "guid": "a1b2c3d4-0000-4000-8000-000000000002", "amount": "-1.5"}
    assert history.record_credits([credit, {"type": "renewal", "guid": "r"}]).skipped == 1
    history.record_sessions([wiro_row(1), wiro_row(2)], "agent")
    history.record_credits([credit, second])
    history.record_credits([credit, second])
    fresh = History(history.path, clock=lambda: NOW / 1000)
    assert fresh.record_credits([credit, second]).unchanged == 2
    store = fresh._store
    sums = {codec.decode_guid(g): c for g, c in store.query("SELECT guid, credits_micro FROM calls")}
    assert sums == {UUID.format(1): 4_500_000, UUID.format(2): 0}
    assert sorted(c.amount_micro for c in store.credits([UUID.format(1)])) == [-3_000_000, -1_500_000]
    fresh.close()


def test_routing_snapshots_are_kept_only_when_the_verdict_changes(history):
    assert history.record_routing({"+1": "wiro_ok", "+2": "twiml_app"}, at_ms=NOW - 3000).written == 2
    assert history.record_routing({"+1": "wiro_ok", "+2": "twiml_app"}, at_ms=NOW - 2000).written == 0
    assert history.record_routing({"+1": "sip_trunk", "+2": "twiml_app"}, at_ms=NOW - 1000).written == 1
    assert [(s.number, s.verdict) for s in history._store.routing()] == [
        ("+1", "wiro_ok"), ("+1", "sip_trunk"), ("+2", "twiml_app")]


def test_rows_without_a_key_are_counted_as_skipped(history):
    out = history.record_sessions([{"agenttoken": "x"}, "junk", wiro_row(1)], "agent")
    assert (out.written, out.skipped, out.ok) == (1, 2, True)


# -- versions -----------------------------------------------------------------------------------------


def v1_file(path: Path) -> None:
    """A history as version 1 wrote it (no t_country), with one call and its session."""
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("BEGIN")
    conn.execute(f"PRAGMA application_id = {schema.APPLICATION_ID}")
    schema.MIGRATIONS[0](conn)
    conn.execute("PRAGMA user_version = 1")
    conn.execute("COMMIT")
    conn.execute("INSERT INTO agents (guid) VALUES ('agent')")
    conn.execute(
        "INSERT INTO calls (call_sid, t_start_ms, to_number, from_number, t_status, guid, w_started_ms, agent_id, "
        "w_status, w_country) VALUES (?, ?, '+14155550100', '+447700900123', ?, ?, ?, 1, ?, NULL)",
        (codec.encode_sid(sid(1)), NOW, codec.encode_word("t_status", "completed"), codec.encode_guid(UUID.format(1)),
         NOW + 2000, codec.encode_word("w_status", "realtime_session")))
    conn.execute("INSERT INTO calls (call_sid, t_start_ms, from_number, t_status) VALUES (?, ?, '+33612345678', ?)",
                 (codec.encode_sid(sid(2)), NOW, codec.encode_word("t_status", "busy")))
    conn.close()


def test_a_version_1_file_is_upgraded_in_place_and_keeps_its_rows(path, history):
    v1_file(path)
    out = history.record_calls([twilio_row(3)])
    assert out.ok and out.written == 1
    store = history._store
    assert store.version == schema.SCHEMA_VERSION == 2
    calls, sessions = store.records()
    countries = {c.sid: c.caller_country for c in calls}
    assert countries == {sid(1): "GB", sid(2): "FR", sid(3): "GB"}  # back-filled from the caller's number
    assert [(s.guid, s.agent_guid, s.status) for s in sessions] == [(UUID.format(1), "agent", "realtime_session")]


def test_a_file_from_a_newer_version_is_refused_with_its_version_and_never_touched(path):
    path.parent.mkdir(parents=True)
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA application_id = {schema.APPLICATION_ID}")
    conn.execute("CREATE TABLE future (x)")
    conn.execute("PRAGMA user_version = 99")
    conn.commit()
    conn.close()
    before = path.read_bytes()
    h = History(path, clock=lambda: NOW / 1000)
    out = h.record_calls([twilio_row(1)])
    assert out.problem.kind == "newer" and "version 99" in out.problem.message and "upgrade" in out.problem.message
    assert h.problem == out.problem and h.problem.short == "history: file from a newer version, not used"
    assert h.record_sessions([wiro_row(1)], "agent").problem.kind == "newer"
    assert h.read(lambda store: store.counts()).problem.kind == "newer"
    assert h.prune().problem.kind == "newer"
    assert path.read_bytes() == before and not Path(f"{path}-wal").exists()
    assert h.take_notices() == []


# -- damage, locks, a full disk ---------------------------------------------------------------------------


def test_a_file_that_is_not_sqlite_is_moved_aside_and_a_new_history_started(path, history):
    path.parent.mkdir(parents=True)
    path.write_bytes(b"this is not a database" * 100)
    out = history.record_calls([twilio_row(1)])
    assert out.ok and out.written == 1
    (aside,) = path.parent.glob("history.sqlite3.damaged-*")
    assert aside.read_bytes() == b"this is not a database" * 100
    (notice,) = history.take_notices()
    assert "is damaged" in notice and str(aside) in notice and history.take_notices() == []
    assert history.problem is None


def test_a_file_damaged_inside_is_found_moved_aside_and_replaced(path):
    h = History(path, clock=lambda: NOW / 1000)
    h.record_sessions([wiro_row(n) for n in range(200)], "agent")
    h.record_calls([twilio_row(n) for n in range(200)])
    h.close()
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    data = bytearray(path.read_bytes())
    page = 4096
    assert len(data) > 4 * page
    data[page:] = bytes((i * 7 + 3) % 256 for i in range(len(data) - page))  # every page but the header: junk
    path.write_bytes(bytes(data))
    again = History(path, clock=lambda: NOW / 1000)
    out = again.record_calls([twilio_row(1)])
    assert out.ok and out.written == 1
    assert len(list(path.parent.glob("history.sqlite3.damaged-*"))) == 1
    assert "damaged" in again.take_notices()[0]
    again.close()


def test_a_foreign_sqlite_file_is_moved_aside(path, history):
    path.parent.mkdir(parents=True)
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE photos (id)")
    conn.commit()
    conn.close()
    assert history.record_calls([twilio_row(1)]).ok
    assert "not a wiro-voice call history" in history.take_notices()[0]


def test_a_locked_file_is_reported_and_the_next_batch_goes_through(path):
    h = History(path, clock=lambda: NOW / 1000, timeout=0.2)
    h.record_calls([twilio_row(1)])
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN EXCLUSIVE")
    out = h.record_calls([twilio_row(2)])
    assert out.problem.kind == "locked" and "another program" in out.problem.message
    assert h.problem.short == "history: locked by another program"
    assert h.record_calls([twilio_row(1)]).ok  # nothing to write: no lock needed
    other.execute("ROLLBACK")
    other.close()
    out = h.record_calls([twilio_row(2)])
    assert (out.ok, out.written) == (True, 1) and h.problem is None
    h.close()


def test_a_file_locked_when_it_is_first_opened_is_opened_on_the_next_batch(path):
    first = History(path, clock=lambda: NOW / 1000)
    first.record_calls([twilio_row(1)])
    first.close()
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("PRAGMA locking_mode = EXCLUSIVE")  # another program holding the whole file
    other.execute("BEGIN EXCLUSIVE")
    other.execute("INSERT INTO agents (guid) VALUES ('other')")
    h = History(path, clock=lambda: NOW / 1000, timeout=0.2)
    out = h.record_calls([twilio_row(2)])
    assert out.problem.kind == "locked" and "opening it" in out.problem.message
    assert h.read(lambda store: store.counts()).problem.kind == "locked"
    other.execute("COMMIT")
    other.close()
    assert h.record_calls([twilio_row(2)]).written == 1
    assert h.read(lambda store: store.counts()["twilio_calls"]).value == 2
    h.close()


def test_a_full_disk_is_reported_the_app_keeps_going_and_the_batch_is_written_later(history):
    history.record_calls([twilio_row(1)])
    conn = history._store.connection
    pages = conn.execute("PRAGMA page_count").fetchone()[0]
    conn.execute(f"PRAGMA max_page_count = {pages}")  # SQLite's own "database or disk is full"
    big = [twilio_row(n, **{"from": f"+4477009{n:05d}"}) for n in range(2, 3000)]
    out = history.record_calls(big)
    assert out.problem.kind == "disk_full" and "Free some space" in out.problem.message
    assert history.problem.short == "history: disk full, not recording"
    assert history._store.counts()["twilio_calls"] == 1  # the failed batch left nothing half-written
    conn.execute("PRAGMA max_page_count = 1073741823")
    out = history.record_calls(big)
    assert (out.ok, out.written) == (True, len(big)) and history.problem is None


def test_a_read_only_history_is_reported_and_reading_still_works(history):
    history.record_calls([twilio_row(1)])
    history._store.connection.execute("PRAGMA query_only = 1")
    out = history.record_calls([twilio_row(2)])
    assert out.problem.kind == "read_only" and "chmod" in out.problem.message
    assert history.read(lambda store: store.counts()["twilio_calls"]).value == 1


# -- retention ---------------------------------------------------------------------------------------------


def test_prune_removes_what_is_older_than_the_retention_and_keeps_the_routing_in_force(path):
    now = [NOW / 1000]
    h = History(path, retention_days=90, clock=lambda: now[0])
    day = DAY_MS // 1000
    h.record_calls([twilio_row(1, start_time=NOW / 1000 - 100 * day), twilio_row(2, start_time=NOW / 1000 - 10 * day)])
    h.record_sessions([wiro_row(1, startedAt=NOW - 100 * DAY_MS), wiro_row(3, callsid=None, startedAt=NOW - 95 * DAY_MS)],
                      "agent")
    h.record_credits([{"guid": "c1", "type": "deduct", "amount": -1, "messageguid": UUID.format(1),
                       "createdat": NOW / 1000 - 100 * day}])
    h.record_routing({"+1": "wiro_ok"}, at_ms=NOW - 200 * DAY_MS)
    h.record_routing({"+1": "twiml_app"}, at_ms=NOW - 150 * DAY_MS)
    h.record_routing({"+1": "wiro_ok"}, at_ms=NOW - 5 * DAY_MS)
    out = h.prune()
    assert dict(out.removed) == {"calls": 2, "credits": 1, "routing": 1} and out.total == 4
    calls, sessions = h._store.records()
    assert [c.sid for c in calls] == [sid(2)] and sessions == []
    # the snapshot in force at the cutoff stays: it explains calls just after it
    assert [(s.verdict, s.at_ms) for s in h._store.routing()] == [("twiml_app", NOW - 150 * DAY_MS),
                                                                   ("wiro_ok", NOW - 5 * DAY_MS)]
    assert h.prune(days=1).removed["calls"] == 1
    # what was pruned is recorded again if a poll brings it back
    assert h.record_calls([twilio_row(2, start_time=NOW / 1000 - 10 * day)]).written == 1
    h.close()


def test_the_retention_is_applied_when_the_file_opens(path):
    old = History(path, clock=lambda: (NOW - 120 * DAY_MS) / 1000)
    old.record_calls([twilio_row(1, start_time=(NOW - 125 * DAY_MS) / 1000)])
    old.close()
    later = History(path, retention_days=90, clock=lambda: NOW / 1000)
    assert later.read(lambda store: store.counts()["twilio_calls"]).value == 0
    with pytest.raises(ValueError):
        History(path, retention_days=0)


# -- two processes -------------------------------------------------------------------------------------------

WRITER = textwrap.dedent("""
    import sys, time
    from pathlib import Path
    from tui.history.keeper import History
    path, who, go = Path(sys.argv[1]), sys.argv[2], Path(sys.argv[3])
    h = History(path, timeout=10)
    while not go.exists():
        time.sleep(0.005)
    problems = 0
    for batch in range(40):
        own = [{"sid": f"CA{who}{batch:03d}{i:02d}", "to": "+1", "start_time": int(time.time()) - batch} for i in range(10)]
        shared = [{"sid": f"CAshared{batch:03d}{i:02d}", "to": "+2", "status": who} for i in range(3)]
        sessions = [{"messageguid": f"{who}-{batch}-{i}", "callsid": f"CAshared{batch:03d}{i:02d}"} for i in range(3)]
        problems += not h.record_calls(own + shared).ok
        problems += not h.record_sessions(sessions, who).ok
    print(problems)
""")


def test_two_processes_writing_at_once_lose_no_row(path, tmp_path):
    History(path).record_calls([])  # create the file first, as the app does on start
    go = tmp_path / "go"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    procs = [subprocess.Popen([sys.executable, "-c", WRITER, str(path), who, str(go)], stdout=subprocess.PIPE, text=True,
                              env=env) for who in ("a", "b")]
    go.touch()
    outs = [p.communicate(timeout=120)[0].strip() for p in procs]
    assert [p.returncode for p in procs] == [0, 0] and outs == ["0", "0"]
    store = HistoryStore.open(path)
    calls, sessions = store.records()
    sids = {c.sid for c in calls}
    assert len([s for s in sids if s.startswith("CAa")]) == 400 and len([s for s in sids if s.startswith("CAb")]) == 400
    assert len([s for s in sids if s.startswith("CAshared")]) == 120
    assert len(sessions) == 240  # both writers' sessions, two per shared call: one on the call, one beside it
    per_call = {}
    for s in sessions:
        per_call.setdefault(s.call_sid, set()).add(s.guid[0])
    assert all(v == {"a", "b"} for v in per_call.values()) and len(per_call) == 120
    store.close()


def test_routing_snapshot_record_is_plain():
    assert RoutingSnapshot("+1", "wiro_ok", 5) == RoutingSnapshot("+1", "wiro_ok", 5)
    assert CreditRow("g", "m", -1).credits_micro == 1
