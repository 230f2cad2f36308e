"""Simulator: the Twilio REST side (auth, 404s, paging, filters, updates, concurrency limit)."""

from __future__ import annotations

import threading

import httpx
import pytest

from tui.sim import Simulator, wiro_voice_url
from tui.sim.testing import FakeClock

EPOCH = 1_777_000_000.0
NUMBERS = {"+14155550142", "+14155550173", "+447700900123", "+902125550147", "+14155550199", "+14155550188"}


@pytest.fixture(scope="module")
def sim():
    with Simulator(seed=7, clock=FakeClock(), start_epoch=EPOCH) as s:
        yield s


@pytest.fixture(scope="module")
def tw(sim):
    with httpx.Client(base_url=sim.twilio_base, auth=(sim.twilio_account_sid, sim.twilio_auth_token),
                      timeout=5, verify=False) as c:
        yield c


def acct_path(sim, rest=".json"):
    return f"/2010-04-01/Accounts/{sim.twilio_account_sid}{rest}"


def all_numbers(sim, tw):
    return tw.get(acct_path(sim, "/IncomingPhoneNumbers.json"), params={"PageSize": 1000}).json()[
        "incoming_phone_numbers"]


def test_account_resource_includes_auth_token(sim, tw):
    r = tw.get(acct_path(sim))
    assert r.status_code == 200
    body = r.json()
    assert body["sid"] == sim.twilio_account_sid and body["auth_token"] == sim.twilio_auth_token
    assert body["status"] == "active" and body["type"] in ("Trial", "Full")
    assert body["date_created"].endswith("+0000") and body["uri"] == acct_path(sim)
    assert "incoming_phone_numbers" in body["subresource_uris"]
    assert len(sim.twilio_auth_token) == 32 and sim.twilio_auth_token == sim.twilio_auth_token.lower()


@pytest.mark.parametrize("auth", [None, ("AC" + "0" * 32, "x"), "wrong-token", ("", "")])
def test_bad_or_missing_basic_auth_is_401_20003(sim, auth):
    if auth == "wrong-token":
        auth = (sim.twilio_account_sid, "0" * 32)
    r = httpx.get(sim.twilio_base + acct_path(sim), auth=auth)
    assert r.status_code == 401
    assert r.json() == {"code": 20003, "message": "Authenticate",
                        "more_info": "https://www.twilio.com/docs/errors/20003", "status": 401}


def test_unknown_resources_are_404_20404(sim, tw):
    for path in (
        "/2010-04-01/Accounts/AC" + "1" * 32 + ".json",
        acct_path(sim, "/IncomingPhoneNumbers/PN" + "0" * 32 + ".json"),
        acct_path(sim, "/Applications/AP" + "0" * 32 + ".json"),
        acct_path(sim, "/Nope.json"),
    ):
        r = tw.get(path)
        assert r.status_code == 404
        body = r.json()
        assert body["code"] == 20404 and body["status"] == 404
        assert body["message"].startswith("The requested resource") and body["message"].endswith("was not found")
        assert body["more_info"] == "https://www.twilio.com/docs/errors/20404"


def test_paging_by_following_next_page_uri(sim, tw):
    seen, uri, pages = [], acct_path(sim, "/IncomingPhoneNumbers.json?PageSize=1"), 0
    while uri:
        body = tw.get(uri).json()
        assert body["page_size"] == 1 and len(body["incoming_phone_numbers"]) == 1
        assert body["page"] == pages and body["start"] == pages
        seen.extend(n["phone_number"] for n in body["incoming_phone_numbers"])
        uri = body["next_page_uri"]
        assert uri is None or uri.startswith("/2010-04-01/")
        pages += 1
    assert pages == len(NUMBERS) and set(seen) == NUMBERS
    assert body["previous_page_uri"] and body["first_page_uri"].startswith("/2010-04-01/")


def test_resource_fields(sim, tw):
    numbers = {n["phone_number"]: n for n in all_numbers(sim, tw)}
    assert set(numbers) == NUMBERS
    for n in numbers.values():
        assert {"sid", "account_sid", "phone_number", "friendly_name", "voice_url", "voice_method",
                "voice_fallback_url", "voice_fallback_method", "status_callback", "status_callback_method",
                "voice_application_sid", "trunk_sid", "voice_receive_mode", "capabilities", "status", "type",
                "origin", "date_created", "date_updated", "uri"} <= n.keys()
        assert n["sid"].startswith("PN") and len(n["sid"]) == 34
        assert set(n["capabilities"]) == {"voice", "sms", "mms", "fax"}
    ok = numbers["+14155550142"]
    assert ok["voice_url"] == wiro_voice_url(sim.demo_agent_guid) and ok["voice_method"] == "POST"
    assert ok["status_callback"] and ok["voice_application_sid"] is None and ok["trunk_sid"] is None
    assert numbers["+14155550173"]["voice_application_sid"].startswith("AP")
    assert numbers["+447700900123"]["trunk_sid"].startswith("TK")
    assert "/Flows/FW" in numbers["+902125550147"]["voice_url"]
    assert numbers["+14155550188"]["voice_receive_mode"] == "fax"
    app = tw.get(acct_path(sim, f"/Applications/{numbers['+14155550173']['voice_application_sid']}.json")).json()
    assert set(app) >= {"sid", "friendly_name", "voice_url", "voice_method"}


def test_phone_number_filter(sim, tw):
    r = tw.get(acct_path(sim, "/IncomingPhoneNumbers.json?PhoneNumber=%2B14155550142"))
    assert [n["phone_number"] for n in r.json()["incoming_phone_numbers"]] == ["+14155550142"]
    r = tw.get(acct_path(sim, "/IncomingPhoneNumbers.json"), params={"PhoneNumber": "+447700900123"})
    assert [n["phone_number"] for n in r.json()["incoming_phone_numbers"]] == ["+447700900123"]
    r = tw.get(acct_path(sim, "/IncomingPhoneNumbers.json?PhoneNumber=555014"))
    assert {n["phone_number"] for n in r.json()["incoming_phone_numbers"]} == {"+14155550142", "+902125550147"}
    r = tw.get(acct_path(sim, "/IncomingPhoneNumbers.json?PhoneNumber=%2B1415*01*"))
    assert len(r.json()["incoming_phone_numbers"]) == 4
    # An unencoded "+" is a space in a query string: no match, as on the real API.
    r = tw.get(acct_path(sim, "/IncomingPhoneNumbers.json?PhoneNumber=+14155550142"))
    assert r.json()["incoming_phone_numbers"] == []


def test_update_number_via_post(sim, tw):
    sid = next(n["sid"] for n in all_numbers(sim, tw) if n["phone_number"] == "+14155550199")
    path = acct_path(sim, f"/IncomingPhoneNumbers/{sid}.json")
    r = tw.post(path, data={"VoiceUrl": "https://example.com/voice", "VoiceMethod": "GET", "TrunkSid": "TK" + "a" * 32})
    assert r.status_code == 200
    body = r.json()
    assert body["voice_url"] == "https://example.com/voice" and body["voice_method"] == "GET"
    assert body["trunk_sid"] == "TK" + "a" * 32
    body = tw.post(path, data={"VoiceApplicationSid": "AP" + "b" * 32}).json()
    assert body["voice_application_sid"] == "AP" + "b" * 32 and body["trunk_sid"] is None
    body = tw.post(path, data={"VoiceApplicationSid": ""}).json()
    assert body["voice_application_sid"] is None
    assert tw.get(path).json()["voice_url"] == "https://example.com/voice"


def test_other_accounts_numbers_are_not_visible(sim, tw):
    with sim.world.lock:
        other = next(a for a in sim.world.twilio.accounts.values() if a.sid != sim.twilio_account_sid)
    r = tw.get(f"/2010-04-01/Accounts/{other.sid}/IncomingPhoneNumbers.json")
    assert r.status_code == 404 and r.json()["code"] == 20404


def test_more_than_five_concurrent_requests_get_429(sim):
    with sim.world.lock:
        sim.world.twilio_latency = 0.3
    results, barrier = [], threading.Barrier(8)

    def one():
        with httpx.Client(auth=(sim.twilio_account_sid, sim.twilio_auth_token), timeout=5, verify=False) as c:  # plain http: no CA bundle to read
            barrier.wait()
            results.append(c.get(sim.twilio_base + acct_path(sim)))

    threads = [threading.Thread(target=one) for _ in range(8)]
    try:
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    finally:
        with sim.world.lock:
            sim.world.twilio_latency = 0.0
    codes = sorted(r.status_code for r in results)
    assert codes == [200] * 5 + [429] * 3
    limited = next(r for r in results if r.status_code == 429)
    assert limited.headers["Retry-After"] == "1"
    assert limited.json()["code"] == 20429 and limited.json()["message"] == "Too Many Requests"


def test_twilio_outage_switch(sim, tw):
    with sim.world.lock:
        sim.world.twilio_outage = True
    try:
        assert tw.get(acct_path(sim)).status_code == 503
    finally:
        with sim.world.lock:
            sim.world.twilio_outage = False
