"""Twilio's call log: against the simulator over loopback (filters, paging, the same Call SIDs as Wiro's history,
at most five requests in flight, 429 backoff) and against doc-exact pages from a scripted server."""

from __future__ import annotations

from datetime import date

import pytest

from tests.contract.server import ScriptedServer
from tui.history import parse
from tui.sim.demo import NUMBER_OK, NUMBER_STUDIO, NUMBER_TWIML_APP
from tui.twilio.client import REJECTED_MESSAGE, TwilioClient
from tui.twilio.errors import ForbiddenError, RateLimitedError, RejectedError
from tui.wiro import WiroClient
from tui.wiro.client import RetryPolicy

from .test_twilio_client import Waits, add_numbers, client_for


async def test_the_log_of_one_number_since_a_day(sim):
    async with client_for(sim) as client:
        every = await client.calls()
        mine = await client.calls(to=NUMBER_OK, started_since=date(2026, 4, 24))
    assert every and {c["to"] for c in every} >= {NUMBER_OK, NUMBER_TWIML_APP, NUMBER_STUDIO}
    assert mine and all(c["to"] == NUMBER_OK for c in mine)
    starts = [parse.time_ms(c["start_time"]) for c in mine]
    assert all(s >= 1_776_988_800_000 for s in starts)  # on or after 2026-04-24 00:00 UTC
    assert starts == sorted(starts, reverse=True)  # newest first, as Twilio sends them
    assert {c["sid"] for c in mine} < {c["sid"] for c in every}


async def test_the_log_shares_its_call_sids_with_wiros_history(sim):
    async with client_for(sim) as client:
        calls = await client.call_log([NUMBER_OK, NUMBER_TWIML_APP, NUMBER_STUDIO])
    async with WiroClient(sim.api_key, base_url=sim.wiro_base) as wiro:
        sessions = await wiro.call_history(sim.demo_agent_guid, 200)
    sids = {c["sid"] for c in calls}
    phone = [s for s in sessions if s.channel == "twilio"]
    assert phone and all(s.callsid in sids for s in phone)
    # and calls Wiro never saw: to numbers routed elsewhere, failed, unanswered
    never = [c for c in calls if c["sid"] not in {s.callsid for s in phone}]
    assert {c["to"] for c in never} >= {NUMBER_TWIML_APP, NUMBER_STUDIO}
    assert {c["status"] for c in never} & {"failed", "no-answer", "canceled"}


async def test_paging_gives_the_same_calls_as_one_big_page(sim):
    async with client_for(sim) as client:
        whole = await client.calls(to=NUMBER_OK)
        paged = await client.calls(to=NUMBER_OK, page_size=5)
    assert len(whole) > 10 and [c["sid"] for c in paged] == [c["sid"] for c in whole]


async def test_many_numbers_side_by_side_stay_within_five_requests(sim):
    numbers = add_numbers(sim, 9) + [NUMBER_OK]
    waits = Waits()
    async with client_for(sim, sleep=waits) as client:
        calls = await client.call_log(numbers + [NUMBER_OK, " ", ""])  # duplicates and blanks asked once / never
    assert waits.asked == []  # no 429 from a server that refuses the sixth concurrent request
    assert {c["to"] for c in calls} == {NUMBER_OK}
    assert len(calls) == len({c["sid"] for c in calls})


async def test_a_429_on_the_call_log_is_backed_off_honouring_retry_after(sim):
    sim.set_faults("429:1")
    waits = Waits(then=lambda: sim.set_faults(""))
    async with client_for(sim, sleep=waits, retry=RetryPolicy(retries=3, base_delay=0.01)) as client:
        calls = await client.calls(to=NUMBER_OK)
    assert calls and waits.asked and all(w >= 1.0 for w in waits.asked)
    sim.set_faults("429:1")
    async with client_for(sim, sleep=Waits(cap=0.01), retry=RetryPolicy(retries=1, base_delay=0.01)) as client:
        with pytest.raises(RateLimitedError):
            await client.calls(to=NUMBER_OK)


async def test_a_wrong_token_is_refused_with_advice(sim):
    async with TwilioClient(sim.twilio_account_sid, "0" * 32, sim.twilio_base) as client:
        with pytest.raises(RejectedError) as caught:
            await client.call_log([NUMBER_OK])
    assert caught.value.message == REJECTED_MESSAGE and "0" * 32 not in str(caught.value)


# -- doc-exact pages (Twilio's own OpenAPI example shape), from a scripted server -----------------------------

ACCOUNT = "AC" + "a" * 32
PAGE_1 = {
    "calls": [{
        "account_sid": ACCOUNT, "annotation": None, "answered_by": None, "api_version": "2010-04-01",
        "caller_name": None, "date_created": "Tue, 31 Aug 2010 20:36:28 +0000",
        "date_updated": "Tue, 31 Aug 2010 20:36:44 +0000", "direction": "inbound", "duration": "15",
        "end_time": "Tue, 31 Aug 2010 20:36:44 +0000", "forwarded_from": "+141586753093", "from": "+14158675308",
        "from_formatted": "(415) 867-5308", "group_sid": None, "parent_call_sid": None,
        "phone_number_sid": "PN" + "a" * 32, "price": "-0.03000", "price_unit": "USD",
        "sid": "CA" + "a" * 32, "start_time": "Tue, 31 Aug 2010 20:36:29 +0000", "status": "completed",
        "subresource_uris": {}, "to": "+14158675309", "to_formatted": "(415) 867-5309", "trunk_sid": None,
        "uri": f"/2010-04-01/Accounts/{ACCOUNT}/Calls/CA{'a' * 32}.json", "queue_time": "1000",
    }],
    "end": 0, "first_page_uri": f"/2010-04-01/Accounts/{ACCOUNT}/Calls.json?PageSize=1&Page=0",
    "next_page_uri": f"/2010-04-01/Accounts/{ACCOUNT}/Calls.json?PageSize=1&Page=1&PageToken=PACAaaa",
    "page": 0, "page_size": 1, "previous_page_uri": None, "start": 0,
    "uri": f"/2010-04-01/Accounts/{ACCOUNT}/Calls.json?PageSize=1&Page=0",
}
PAGE_2 = {**PAGE_1, "calls": [{**PAGE_1["calls"][0], "sid": "CA" + "b" * 32, "price": None, "status": "busy",
                               "duration": "0", "start_time": None}], "next_page_uri": None, "page": 1}


@pytest.fixture
def scripted():
    server = ScriptedServer()
    server.start()
    yield server
    server.stop()


async def test_doc_exact_pages_are_followed_and_read(scripted):
    path = f"/2010-04-01/Accounts/{ACCOUNT}/Calls.json"
    scripted.reply(path, PAGE_1, then=[PAGE_2])
    async with TwilioClient(ACCOUNT, "f" * 32, scripted.base_url) as client:
        calls = await client.calls(to="+14158675309", started_since=date(2010, 8, 31), page_size=1)
    first, second = scripted.requests
    assert first.query == {"To": ["+14158675309"], "StartTime>": ["2010-08-31"], "PageSize": ["1"]}
    assert second.query["PageToken"] == ["PACAaaa"] and "To" not in second.query  # the page link as given
    settled, unsettled = (parse.twilio_call(c) for c in calls)
    assert (settled.price_micro, settled.duration_s, settled.start_ms) == (-30_000, 15, 1_283_286_989_000)
    assert (unsettled.price_micro, unsettled.status, unsettled.start_ms) == (None, "busy", 1_283_286_988_000)


async def test_a_403_with_the_accounts_own_pair_says_the_account_is_suspended(scripted):
    scripted.reply(f"/2010-04-01/Accounts/{ACCOUNT}/Calls.json",
                   {"code": 20403, "message": "Forbidden", "more_info": "", "status": 403}, status=403)
    async with TwilioClient(ACCOUNT, "f" * 32, scripted.base_url) as client:
        with pytest.raises(ForbiddenError) as caught:
            await client.calls()
    assert "suspended or closed" in str(caught.value) and "20403" in str(caught.value)
