"""Simulator: Twilio's call log (Calls.json), consistent with the Wiro call history, plus calls Wiro never saw."""

from __future__ import annotations

import re
import threading
from email.utils import parsedate_to_datetime
from urllib.parse import quote

import pytest

from tests.conftest import START_EPOCH as EPOCH

from .sim_http import http, post, scalar, upsert

RFC2822 = re.compile(r"^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d\d (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} "
                     r"\d\d:\d\d:\d\d \+0000$")
OK, TWIML, STUDIO, SECOND = "+14155550142", "+14155550173", "+902125550147", "+16465550120"
STATUSES = {"queued", "ringing", "in-progress", "canceled", "completed", "failed", "busy", "no-answer"}


def calls_path(sid, rest=".json"):
    return f"/2010-04-01/Accounts/{sid}/Calls{rest}"


def tw(sim, path, params=None, auth=None):
    auth = auth or (sim.twilio_account_sid, sim.twilio_auth_token)
    return http.get(sim.twilio_base + path, params=params, auth=auth)


def all_calls(sim, params=None, sid=None, auth=None):
    body = tw(sim, calls_path(sid or sim.twilio_account_sid), {"PageSize": 1000, **(params or {})}, auth).json()
    assert body["next_page_uri"] is None
    return body["calls"]


def history(sim, guid=None):
    return post(sim, "/UserAgent/TwilioCallHistory/List", {"useragentguid": guid or sim.demo_agent_guid,
                                                           "limit": 200})["data"]


def epoch(rfc):
    return parsedate_to_datetime(rfc).timestamp()


def test_calls_carry_the_fields_of_twilios_spec(sim):
    calls = all_calls(sim)
    assert len(calls) > 40
    with sim.world.lock:
        pn = {res["phone_number"]: sid for sid, res in sim.world.twilio.accounts[sim.twilio_account_sid].numbers.items()}
    for c in calls:
        assert {"sid", "account_sid", "to", "from", "status", "start_time", "end_time", "duration", "price",
                "price_unit", "direction", "phone_number_sid", "date_created", "date_updated", "parent_call_sid",
                "answered_by", "caller_name", "forwarded_from", "queue_time", "trunk_sid", "uri",
                "subresource_uris", "api_version"} <= c.keys()
        assert re.fullmatch(r"CA[0-9a-f]{32}", c["sid"]) and c["account_sid"] == sim.twilio_account_sid
        assert c["status"] in STATUSES and c["direction"] == "inbound" and c["price_unit"] == "USD"
        assert c["phone_number_sid"] == pn[c["to"]] and c["parent_call_sid"] is None
        assert c["uri"] == calls_path(sim.twilio_account_sid, f"/{c['sid']}.json")
        assert c["start_time"] is None or RFC2822.match(c["start_time"])
        if c["status"] in ("completed", "busy", "failed", "no-answer", "canceled"):
            assert RFC2822.match(c["end_time"]) and c["duration"].isdigit()
            if c["status"] != "completed":
                assert c["duration"] == "0"
        else:
            assert c["end_time"] is None and c["duration"] is None and c["price"] is None
        if c["price"] is not None:
            assert re.fullmatch(r"-\d+\.\d{5}", c["price"]) if c["status"] == "completed" else c["price"] == "0.00000"
    starts = [epoch(c["date_created"]) for c in calls]
    assert starts == sorted(starts, reverse=True), "newest first"


def test_every_twilio_session_is_a_twilio_call_with_the_same_sid(sim):
    calls = {c["sid"]: c for c in all_calls(sim)}
    rows = [r for r in history(sim) if r["channel"] == "twilio"]
    assert rows
    for row in rows:
        c = calls[row["callsid"]]
        assert c["from"] == row["callerInfo"]["number"] and c["to"] == OK
        assert int(epoch(c["start_time"])) == row["startedAt"] // 1000
        if row["status"] == "realtime_session":
            assert c["status"] == "completed"
            assert int(c["duration"]) == row["durationSeconds"]
        elif row["status"] in ("realtime_session_incoming", "realtime_session_active"):
            assert c["status"] == "in-progress"
        else:  # rejected before audio: answered, then hung up a second later
            assert c["status"] == "completed" and int(c["duration"]) <= 17
    web = {r["callsid"] for r in history(sim) if r["channel"] == "web"}
    assert not web & set(calls)


def test_calls_that_never_reached_wiro(sim):
    sessions = {r["callsid"] for r in history(sim)}
    missed = [c for c in all_calls(sim) if c["sid"] not in sessions]
    by_status = {}
    for c in missed:
        by_status.setdefault(c["status"], []).append(c)
    assert {"completed", "failed", "no-answer", "canceled"} <= set(by_status)
    assert {c["to"] for c in by_status["completed"]} == {TWIML, STUDIO}, "answered by the TwiML App / Studio Flow"
    assert {c["to"] for c in by_status["failed"] + by_status["no-answer"]} == {OK}
    # The after-hours line's whitelist refused every caller last night: busy, no Wiro session at all.
    with sim.world.lock:
        other = sim.world.twilio.accounts[sim.world.twilio.holder_of(SECOND)[0].sid]
    busy = all_calls(sim, sid=other.sid, auth=(other.sid, other.auth_token))
    assert len(busy) == 6 and {c["status"] for c in busy} == {"busy"} and {c["to"] for c in busy} == {SECOND}
    assert all(c["from"] not in ("+16465550111", "16465550111") for c in busy)
    assert history(sim, sim.stopped_agent_guid) == []


def test_a_whitelist_turns_new_callers_into_busy_calls(sim, clock):
    upsert(sim, sim.demo_agent_guid, [scalar("whitelistedcallers", ["+14155550100"])])
    clock.advance(10)  # the save restarts the agent
    before_rows = {r["messageguid"] for r in history(sim)}
    before_calls = {c["sid"] for c in all_calls(sim)}
    clock.advance(1800)
    new_rows = [r for r in history(sim) if r["messageguid"] not in before_rows]
    new_calls = [c for c in all_calls(sim) if c["sid"] not in before_calls]
    busy = [c for c in new_calls if c["status"] == "busy"]
    assert len(busy) >= 10 and all(c["to"] == OK for c in busy)
    assert not {c["sid"] for c in busy} & {r["callsid"] for r in new_rows}
    assert all(r["channel"] == "web" for r in new_rows), "only web visitors get through a phone whitelist"


def test_live_calls_reach_twilios_log_too(sim, clock):
    before = {c["sid"] for c in all_calls(sim)}
    clock.advance(3600)
    new = [c for c in all_calls(sim) if c["sid"] not in before]
    sessions = {r["callsid"] for r in history(sim)}
    assert sum(c["sid"] in sessions for c in new) > 30
    assert any(c["sid"] not in sessions for c in new), "calls to the other numbers keep coming"


def test_price_is_null_until_twilio_settles_it(sim, clock):
    with sim.world.lock:
        call = sim.world.add_call(sim.demo_agent_guid, prep=2.0, duration=61, dialled=OK,
                                  caller={"number": "+14155550111", "country": "US"})
    fetch = lambda: tw(sim, calls_path(sim.twilio_account_sid, f"/{call.callsid}.json")).json()  # noqa: E731
    c = fetch()
    assert c["status"] == "in-progress" and c["price"] is None and c["end_time"] is None
    clock.advance(61)
    c = fetch()
    assert c["status"] == "completed" and c["duration"] == "61" and c["price"] is None
    clock.advance(121)
    assert fetch()["price"] == "-0.01700"  # two started minutes at $0.0085


def test_a_stuck_session_is_completed_on_twilio_when_the_caller_gives_up(sim, clock):
    with sim.world.lock:
        call = sim.world.add_call(sim.demo_agent_guid, outcome="stuck", dialled=OK)
    clock.advance(200)
    c = tw(sim, calls_path(sim.twilio_account_sid, f"/{call.callsid}.json")).json()
    assert c["status"] == "completed" and 45 <= int(c["duration"]) <= 151
    row = next(r for r in history(sim) if r["callsid"] == call.callsid)
    assert row["status"] == "realtime_session_incoming"


def test_filters(sim):
    everything = all_calls(sim)
    assert {c["to"] for c in all_calls(sim, {"To": TWIML})} == {TWIML}
    caller = everything[5]["from"]
    assert all_calls(sim, {"From": caller}) == [c for c in everything if c["from"] == caller]
    assert {c["status"] for c in all_calls(sim, {"Status": "no-answer"})} == {"no-answer"}
    today = all_calls(sim, {"StartTime": "2026-04-24"})
    assert today and all(c["start_time"].startswith("Fri, 24 Apr 2026") for c in today)
    midnight = EPOCH - EPOCH % 86400  # 2026-04-24 00:00 UTC
    after = all_calls(sim, {"StartTime>": "2026-04-24T00:00:00Z"})
    assert after and after == [c for c in everything if epoch(c["date_created"]) >= midnight]
    assert all_calls(sim, {"StartTime>=": "2026-04-24"}) == after
    before = all_calls(sim, {"StartTime<": "2026-04-24"})
    assert before and before == [c for c in everything if epoch(c["date_created"]) < midnight]
    assert len(before) + len(after) == len(everything)
    hour = all_calls(sim, {"StartTime>": "2026-04-24 02:00:00", "StartTime<": "2026-04-24T03:00:00+00:00"})
    assert hour and all(midnight + 7200 <= epoch(c["date_created"]) <= midnight + 10800 for c in hour)
    assert all_calls(sim, {"ParentCallSid": "CA" + "0" * 32}) == []
    assert all_calls(sim, {"EndTime>": "2030-01-01"}) == []
    # The query-string spelling of the docs (unencoded ">=") filters the same way.
    raw = tw(sim, calls_path(sim.twilio_account_sid) + "?StartTime>=2026-04-24&PageSize=1000").json()["calls"]
    assert raw == after
    r = tw(sim, calls_path(sim.twilio_account_sid), {"StartTime>": "yesterday"})
    assert r.status_code == 400 and r.json()["code"] == 20001


def test_paging_follows_next_page_uri(sim):
    everything = all_calls(sim)
    seen, uri, pages = [], calls_path(sim.twilio_account_sid) + "?PageSize=7&To=" + quote(OK), 0
    while uri:
        body = tw(sim, uri).json()
        assert body["page"] == pages and body["page_size"] == 7
        seen.extend(body["calls"])
        uri = body["next_page_uri"]
        assert uri is None or ("To=%2B14155550142" in uri and uri.startswith("/2010-04-01/"))
        pages += 1
    assert seen == [c for c in everything if c["to"] == OK] and pages > 2


def test_fetch_one_call_and_errors(sim):
    first = all_calls(sim)[0]
    r = tw(sim, calls_path(sim.twilio_account_sid, f"/{first['sid']}.json"))
    assert r.status_code == 200 and r.json() == first
    r = tw(sim, calls_path(sim.twilio_account_sid, "/CA" + "0" * 32 + ".json"))
    assert r.status_code == 404 and r.json()["code"] == 20404
    r = http.get(sim.twilio_base + calls_path(sim.twilio_account_sid), auth=(sim.twilio_account_sid, "0" * 32))
    assert r.status_code == 401 and r.json()["code"] == 20003
    with sim.world.lock:
        other = sim.world.twilio.holder_of(SECOND)[0]
    r = tw(sim, calls_path(other.sid))  # the demo account's credentials on another account's log
    assert r.status_code == 404


def test_too_many_concurrent_requests_get_429(sim):
    with sim.world.lock:
        sim.world.twilio_latency = 0.3
    results, barrier = [], threading.Barrier(7)

    def one():
        barrier.wait()
        results.append(tw(sim, calls_path(sim.twilio_account_sid), {"PageSize": 5}))

    threads = [threading.Thread(target=one) for _ in range(7)]
    try:
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    finally:
        with sim.world.lock:
            sim.world.twilio_latency = 0.0
    assert sorted(r.status_code for r in results) == [200] * 5 + [429] * 2
    limited = next(r for r in results if r.status_code == 429)
    assert limited.json()["code"] == 20429 and limited.headers["Retry-After"] == "1"


@pytest.mark.parametrize("shape", ["newest", "older"])
def test_the_call_log_does_not_depend_on_the_wiro_shape(clock, shape):
    from .sim_http import make_sim

    with make_sim(clock, shape) as s:
        assert len(all_calls(s)) > 40
