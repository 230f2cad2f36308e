"""Simulator: call history, live calls, Message/Detail, Logs, determinism."""

from __future__ import annotations

import json
import re


from tui.sim import Simulator
from tui.sim.testing import FakeClock

from tests.conftest import START_EPOCH as EPOCH

from .sim_http import post

ROW_KEYS = {"messageguid", "agenttoken", "channel", "callsid", "callerInfo", "callerProfile", "status",
            "endReason", "durationSeconds", "modelSlug", "startedAt", "endedAt"}
END_REASONS = {"wiro_completed", "wiro_cancelled", "wiro_disconnect", "wiro_error", "max_duration",
               "browser_disconnect", "twilio_disconnect"}
REJECT_REASONS = {"concurrent_limit", "agent_prep_timeout", "realtime_ws_open_failed", "realtime_stream_timeout"}


def history(sim, guid=None, **body):
    r = post(sim, "/UserAgent/TwilioCallHistory/List", {"useragentguid": guid or sim.demo_agent_guid, **body})
    assert r["result"] is True, r
    return r["data"]


def detail(sim, **body):
    return post(sim, "/UserAgent/Message/Detail", body)


def logs(sim, guid=None, **body):
    return post(sim, "/UserAgent/Logs", {"useragentguid": guid or sim.demo_agent_guid, **body})


def check_row(row):
    assert set(row) == ROW_KEYS
    if row["channel"] == "twilio":
        assert re.fullmatch(r"CA[0-9a-f]{32}", row["callsid"])
        assert set(row["callerInfo"]) == {"number", "country"}
        assert row["endReason"] != "browser_disconnect"
    else:
        assert row["channel"] == "web"
        assert re.fullmatch(r"voice-call-[0-9a-f]{32}", row["callsid"])
        assert set(row["callerInfo"]) <= {"page_url", "display_identifier"} and "page_url" in row["callerInfo"]
        assert row["endReason"] != "twilio_disconnect"
    assert isinstance(row["startedAt"], int)
    status = row["status"]
    if status == "realtime_session":
        assert row["endReason"] in END_REASONS
        assert row["durationSeconds"] * 1000 == row["endedAt"] - row["startedAt"]
    else:
        assert row["endReason"] is None and row["endedAt"] is None and row["durationSeconds"] is None
        assert status in ("realtime_session_incoming", "realtime_session_active", "realtime_session_rejected")
    if status in ("realtime_session_rejected", "realtime_session_incoming"):
        assert row["callerProfile"] is None


def test_demo_history_covers_every_status_reason_and_caller_kind(sim):
    rows = history(sim, limit=200)
    assert 38 <= len(rows) <= 45
    for row in rows:
        check_row(row)
    assert {r["status"] for r in rows} == {"realtime_session", "realtime_session_active",
                                          "realtime_session_incoming", "realtime_session_rejected"}
    assert {r["endReason"] for r in rows} - {None} == END_REASONS
    assert sum(r["endReason"] == "max_duration" for r in rows) >= 2
    assert all(r["durationSeconds"] == 600 for r in rows if r["endReason"] == "max_duration")
    web = [r for r in rows if r["channel"] == "web"]
    assert any("display_identifier" in r["callerInfo"] for r in web)
    assert any("display_identifier" not in r["callerInfo"] for r in web)
    assert any(r["callerInfo"].get("number") == "+266696687" for r in rows)
    assert len({r["callerInfo"].get("country") for r in rows} - {None}) >= 4
    assert min(r["startedAt"] for r in rows) >= (EPOCH - 6 * 3600) * 1000
    reasons = {detail(sim, messageguid=r["messageguid"])["data"]["metadata"]["reason"]
               for r in rows if r["status"] == "realtime_session_rejected"}
    assert reasons == REJECT_REASONS


def test_history_is_newest_first_with_default_and_capped_limits(sim, clock):
    clock.advance(3 * 3600)  # live calls arrive every ~40 s while the agent runs
    rows = history(sim)
    assert len(rows) == 50
    started = [r["startedAt"] for r in rows]
    assert started == sorted(started, reverse=True)
    rows = history(sim, limit=1000)
    assert len(rows) == 200
    for row in rows:
        check_row(row)
    assert len(history(sim, limit=3)) == 3


def test_history_requires_a_known_agent(sim):
    assert post(sim, "/UserAgent/TwilioCallHistory/List", {})["errors"][0]["code"] == 0
    r = post(sim, "/UserAgent/TwilioCallHistory/List", {"useragentguid": "nope"})
    assert r["errors"] == [{"code": 1, "message": "User agent not found"}]


def test_an_added_call_goes_incoming_active_ended(sim, clock):
    with sim.world.lock:
        call = sim.world.add_call(sim.stopped_agent_guid, prep=3.0, duration=60, end_reason="wiro_completed")
    rows = history(sim, sim.stopped_agent_guid)
    assert [r["status"] for r in rows] == ["realtime_session_incoming"]
    assert rows[0]["callerProfile"] is None
    clock.advance(3.5)
    row = history(sim, sim.stopped_agent_guid)[0]
    assert row["status"] == "realtime_session_active" and row["callerProfile"]
    clock.advance(60)
    row = history(sim, sim.stopped_agent_guid)[0]
    assert row["status"] == "realtime_session" and row["endReason"] == "wiro_completed"
    assert row["durationSeconds"] == 60 and row["messageguid"] == call.guid


def test_calls_arrive_only_while_running(sim, clock):
    clock.advance(600)
    n_running = len(history(sim, limit=200))
    assert n_running > 40 + 5
    post(sim, "/UserAgent/Stop", {"guid": sim.demo_agent_guid})
    clock.advance(5)
    n_stopped = len(history(sim, limit=200))
    clock.advance(1800)
    rows = history(sim, limit=200)
    assert len(rows) == n_stopped
    assert all(r["status"] in ("realtime_session", "realtime_session_rejected") for r in rows)
    post(sim, "/UserAgent/Start", {"guid": sim.demo_agent_guid})
    clock.advance(6 + 600)
    assert len(history(sim, limit=200)) > n_stopped


def test_stopping_cuts_calls_in_progress(sim):
    active = [r for r in history(sim) if r["status"] == "realtime_session_active"]
    assert active
    post(sim, "/UserAgent/Stop", {"guid": sim.demo_agent_guid})
    row = next(r for r in history(sim) if r["messageguid"] == active[0]["messageguid"])
    assert row["status"] == "realtime_session" and row["endReason"] == "wiro_disconnect"


def test_stuck_incoming(sim, clock):
    with sim.world.lock:
        sim.world.stuck_incoming = True
    before = {r["messageguid"] for r in history(sim, limit=200)}
    clock.advance(600)
    clock.advance(3600)
    new = [r for r in history(sim, limit=200) if r["messageguid"] not in before]
    assert new and all(r["status"] == "realtime_session_incoming" for r in new)
    with sim.world.lock:
        call = sim.world.add_call(sim.stopped_agent_guid, outcome="stuck")
    clock.advance(10_000)
    assert history(sim, sim.stopped_agent_guid)[0]["status"] == "realtime_session_incoming"
    events = logs(sim, sim.stopped_agent_guid)["events"]
    mine = [e for e in events if e.get("summary", {}).get("messageguid") == call.guid or e.get("ok") is False]
    assert any(e.get("ok") is False for e in mine)


def test_message_detail_by_guid_and_token(sim):
    rows = history(sim, limit=200)
    ended = next(r for r in rows if r["status"] == "realtime_session" and r["channel"] == "twilio")
    d = detail(sim, messageguid=ended["messageguid"])
    assert d["result"] is True
    data = d["data"]
    assert set(data) >= {"guid", "status", "content", "response", "metadata", "createdat", "startedat", "endedat"}
    assert data["guid"] == ended["messageguid"]
    assert data["startedat"] == str(ended["startedAt"] // 1000)
    meta = data["metadata"]
    assert meta["type"] == "realtime_session" and meta["endReason"] == ended["endReason"]
    assert meta["callSid"] == ended["callsid"] and meta["durationSeconds"] == ended["durationSeconds"]
    assert meta["callerInfo"] == ended["callerInfo"] and "model" in meta
    assert all(set(line) == {"role", "text", "t"} and line["role"] in ("caller", "agent") for line in meta["transcript"])
    known = {"type", "callSid", "channel", "callerInfo", "callerProfile", "endReason", "durationSeconds", "model",
             "transcript", "reason"}
    assert set(meta) - known, "expected extra metadata keys the UI must render generically"
    assert detail(sim, agenttoken=ended["agenttoken"])["data"]["guid"] == ended["messageguid"]
    rejected = next(r for r in rows if r["status"] == "realtime_session_rejected")
    meta = detail(sim, messageguid=rejected["messageguid"])["data"]["metadata"]
    assert meta["type"] == "realtime_session_rejected" and meta["reason"] in REJECT_REASONS
    assert meta["transcript"] == [] and meta["endReason"] is None


def test_message_detail_errors(sim):
    assert detail(sim, messageguid="nope") == {"result": False, "errors": [{"code": 1, "message": "Message not found"}]}
    assert detail(sim)["errors"][0]["code"] == 0


def test_logs_ascending_limited_and_with_failures(sim):
    r = logs(sim, lines=5000)
    assert r["result"] is True and r["date"] == "2026-04-24"
    events = r["events"]
    assert r["totalLines"] == len(events) > 100
    stamps = [e["ts"] for e in events]
    assert stamps == sorted(stamps)
    assert all(re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", s) for s in stamps)
    kinds = {e["kind"] for e in events}
    assert {"session_start", "session_end", "tool_started", "tool_completed", "turn_started", "turn_ended",
            "user_message", "agent_reply", "cron_started", "cron_finished"} <= kinds
    for e in events:
        assert {"ts", "kind", "title", "userUuid", "user"} <= e.keys()
        assert (e["user"] is None) == (e["userUuid"] == "system")
    failures = [e for e in events if e.get("ok") is False]
    assert any("1011" in e["error"] for e in failures)  # a wiro_error end
    assert any(e["error"].startswith("concurrent_limit") for e in failures)
    assert any(e["kind"] == "session_end" and "messageguid" in e["summary"] for e in events)
    short = logs(sim, lines=7)
    assert short["totalLines"] == len(events) and short["events"] == events[-7:]
    # The six hours of history start the day before (the epoch is 03:06 UTC).
    yesterday = logs(sim, date="2026-04-23", lines=5000)
    assert yesterday["date"] == "2026-04-23" and yesterday["totalLines"] > 0
    assert all(e["ts"].startswith("2026-04-23T") for e in yesterday["events"])
    assert logs(sim, date="24/04/2026")["result"] is False


def test_logs_are_cached_for_30_simulated_seconds(sim, clock):
    first = logs(sim)
    with sim.world.lock:
        sim.world.add_call(sim.demo_agent_guid, prep=1.0, duration=500)
    clock.advance(29)
    assert logs(sim) == first
    clock.advance(2)
    assert logs(sim) != first


def test_logs_for_an_agent_that_never_ran(sim):
    r = logs(sim, sim.setup_agent_guid)
    assert r == {"result": False, "errors": [{"code": 0,
                                              "message": "Agent is not assigned to a worker. It may not be running."}]}


def snapshot(sim, clock):
    out = []
    for step in (0, 45, 300, 2000):
        clock.advance(step)
        rows = history(sim, limit=200)
        out.append(rows)
        out.append([detail(sim, messageguid=r["messageguid"]) for r in rows[:5]])
        out.append(logs(sim, lines=300))
    out.append(post(sim, "/UserAgent/MyAgents", {}))
    return json.dumps(out, sort_keys=True)


def test_same_seed_same_epoch_same_clock_give_identical_answers():
    results = []
    for _ in range(2):
        clock = FakeClock()
        with Simulator(seed=11, clock=clock, start_epoch=EPOCH) as s:
            results.append((snapshot(s, clock), s.demo_agent_guid, s.twilio_account_sid, s.twilio_auth_token))
    assert results[0] == results[1]
    clock = FakeClock()
    with Simulator(seed=12, clock=clock, start_epoch=EPOCH) as other:
        assert other.demo_agent_guid != results[0][1]
        assert snapshot(other, clock) != results[0][0]


def test_an_agent_crash_ends_calls_in_progress_with_wiro_error(sim):
    active = [r for r in history(sim) if r["status"] == "realtime_session_active"]
    with sim.world.lock:
        sim.world.agents[sim.demo_agent_guid].status = 5
    row = next(r for r in history(sim) if r["messageguid"] == active[0]["messageguid"])
    assert row["status"] == "realtime_session" and row["endReason"] == "wiro_error"
