"""Simulator: call history, live calls, Message/Detail, determinism (Logs and credits: test_sim_activity.py)."""

from __future__ import annotations

import json
import re

import pytest

from tui.sim import Simulator
from tui.sim.testing import FakeClock

from tests.conftest import START_EPOCH as EPOCH

from .sim_http import http, older, post  # noqa: F401 - fixture

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
    assert r["errors"] == [{"code": 95, "message": "User agent not found"}]


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
    assert {"guid", "uuid", "agenttoken", "user", "sessionkey", "content", "response", "timeline", "status",
            "metadata", "attachments", "createdat", "startedat", "endedat", "inputtokens", "tokencost"} <= data.keys()
    assert data["guid"] == ended["messageguid"] and data["user"] is None and data["timeline"] == []
    assert data["startedat"] == ended["startedAt"] // 1000 and isinstance(data["endedat"], int)
    assert data["status"] == "agent_end" and data["sessionkey"] == f"voice-call-{ended['callsid']}"
    assert data["inputtokens"] is None and data["tokencost"] is None
    meta = data["metadata"]
    assert meta["type"] == "realtime_session" and meta["endReason"] == ended["endReason"]
    assert meta["callsid"] == ended["callsid"] and "callSid" not in meta
    assert meta["startedAt"] == ended["startedAt"] and meta["durationSeconds"] == ended["durationSeconds"]
    assert meta["callerInfo"] == ended["callerInfo"] and "model" in meta
    assert all(set(line) == {"role", "text", "t"} and line["role"] in ("caller", "agent") for line in meta["transcript"])
    known = {"type", "callsid", "startedAt", "channel", "callerInfo", "callerProfile", "endReason", "durationSeconds",
             "model", "transcript", "reason"}
    assert set(meta) - known, "expected extra metadata keys the UI must render generically"
    assert detail(sim, agenttoken=ended["agenttoken"])["data"]["guid"] == ended["messageguid"]
    rejected = next(r for r in rows if r["status"] == "realtime_session_rejected")
    data = detail(sim, messageguid=rejected["messageguid"])["data"]
    assert data["status"] == "agent_error" and data["endedat"] is None
    meta = data["metadata"]
    assert meta["type"] == "realtime_session_rejected" and meta["reason"] in REJECT_REASONS
    assert meta["transcript"] == [] and meta["endReason"] is None
    active = next(r for r in rows if r["status"] == "realtime_session_active")
    assert detail(sim, messageguid=active["messageguid"])["data"]["status"] == "agent_output"


def test_a_transcript_is_said_line_by_line_within_the_call(sim, clock):
    rows = history(sim, limit=200)
    for ended in [r for r in rows if r["status"] == "realtime_session"][:10]:
        lines = detail(sim, messageguid=ended["messageguid"])["data"]["metadata"]["transcript"]
        assert lines and [line["role"] for line in lines] == ["agent", "caller"] * (len(lines) // 2) + ["agent"] * (
            len(lines) % 2)
        said = [line["t"] for line in lines]
        assert said == sorted(set(said)) and said[-1] < ended["durationSeconds"]
        assert all(round(t * 10) / 10 == t for t in said) and all(line["text"] for line in lines)
    with sim.world.lock:
        call = sim.world.add_call(sim.demo_agent_guid, started=sim.now() - 2, duration=300, prep=1.0)
    said = []
    for _ in range(4):
        clock.advance(10)
        lines = detail(sim, messageguid=call.guid)["data"]["metadata"]["transcript"]
        assert lines[:len(said)] == said
        said = lines
    assert 4 <= len(said) <= 14 and said[-1]["t"] <= 42  # a line every 3-9 s, none yet to come


def test_message_detail_older_uses_strings_and_older_keys(older):
    rows = history(older, limit=200)
    ended = next(r for r in rows if r["status"] == "realtime_session" and r["channel"] == "twilio")
    data = detail(older, messageguid=ended["messageguid"])["data"]
    assert data["startedat"] == str(ended["startedAt"] // 1000) and isinstance(data["endedat"], str)
    assert data["status"] == "completed" and data["metadata"]["callSid"] == ended["callsid"]
    assert "callsid" not in data["metadata"] and "sessionkey" not in data


def test_message_detail_of_someone_elses_agent_is_not_found(sim):
    with sim.world.lock:
        call = sim.world.add_call(sim.foreign_agent_guid, started=sim.now() - 100)
    assert detail(sim, messageguid=call.guid)["errors"] == [{"code": 1, "message": "Message not found"}]


def test_message_detail_errors(sim):
    assert detail(sim, messageguid="nope") == {"result": False, "errors": [{"code": 1, "message": "Message not found"}]}
    assert detail(sim)["errors"][0]["code"] == 0


def snapshot(sim, clock):
    out = []
    for step in (0, 45, 300, 2000):
        clock.advance(step)
        rows = history(sim, limit=200)
        out.append(rows)
        out.append([detail(sim, messageguid=r["messageguid"]) for r in rows[:5]])
        out.append(logs(sim, lines=300))
        out.append(post(sim, "/UserAgent/TransactionList", {"useragentguid": sim.demo_agent_guid, "limit": 500}))
        out.append(http.get(f"{sim.twilio_base}/2010-04-01/Accounts/{sim.twilio_account_sid}/Calls.json",
                             params={"PageSize": 1000}, auth=(sim.twilio_account_sid, sim.twilio_auth_token)).json())
    out.append(post(sim, "/UserAgent/MyAgents", {}))
    return json.dumps(out, sort_keys=True)


@pytest.mark.parametrize("shape", ["newest", "older"])
def test_same_seed_same_epoch_same_clock_give_identical_answers(shape):
    results = []
    for _ in range(2):
        clock = FakeClock()
        with Simulator(seed=11, clock=clock, start_epoch=EPOCH, api_shape=shape) as s:
            results.append((snapshot(s, clock), s.demo_agent_guid, s.twilio_account_sid, s.twilio_auth_token))
    assert results[0] == results[1]
    clock = FakeClock()
    with Simulator(seed=12, clock=clock, start_epoch=EPOCH, api_shape=shape) as other:
        assert other.demo_agent_guid != results[0][1]
        assert snapshot(other, clock) != results[0][0]


def test_an_agent_crash_ends_calls_in_progress_with_wiro_error(sim):
    active = [r for r in history(sim) if r["status"] == "realtime_session_active"]
    with sim.world.lock:
        sim.world.agents[sim.demo_agent_guid].status = 5
    row = next(r for r in history(sim) if r["messageguid"] == active[0]["messageguid"])
    assert row["status"] == "realtime_session" and row["endReason"] == "wiro_error"
