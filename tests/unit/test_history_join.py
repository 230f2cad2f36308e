"""The join on hand-written Twilio and Wiro records: every outcome, every missed cause, unmatched rows on both
sides, duplicates, outbound legs and cost with unsettled prices."""

from __future__ import annotations

import pytest

from tui.history import join as J
from tui.history.records import CreditRow, RoutingSnapshot, TwilioCall, WiroSession
from tui.twilio import classify

T0 = 1_777_000_000_000
MIN = 60_000
SUPPORT = "+14155550100"
SALES = "+14155550101"


def call(n: int, status: str = "completed", *, duration: int | None = 60, price: str | None = "-0.0085",
         unit: str | None = "USD", to: str = SUPPORT, direction: str | None = "inbound") -> TwilioCall:
    from tui.history.parse import micro_amount

    return TwilioCall(f"CA{n:032x}", T0 + n * MIN, to, "+447700900123", status, direction, None, duration,
                      micro_amount(price), unit, "GB")


def session(guid: str, n: int | None, status: str = "realtime_session", **kw) -> WiroSession:
    fields = dict(started_ms=T0 + (n or 0) * MIN + 2000, agent_guid="agent", call_sid=f"CA{n:032x}" if n else None,
                  channel="twilio", caller="+447700900123", caller_country="GB", status=status,
                  end_reason="twilio_disconnect" if status == "realtime_session" else None, duration_s=55)
    fields.update(kw)
    return WiroSession(guid, **fields)


def by_key(joined):
    return {c.key: c for c in joined}


def test_reached_rejected_and_missed_with_twilio_on_one_side_and_wiro_on_the_other():
    calls = [call(1), call(2), call(3, "busy", duration=0, price=None)]
    sessions = [
        session("g-1", 1),
        session("g-2", 2, "realtime_session_rejected", reject_reason="concurrent_limit", duration_s=None),
        session("g-web", None, channel="web", caller="support page", caller_country=None, started_ms=T0 + 10 * MIN),
        session("g-lost", 40),  # a phone session whose Twilio record was not fetched
    ]
    joined = J.join(calls, sessions)
    got = by_key(joined)
    assert [c.key for c in joined] == ["g-lost", "g-web", call(3).sid, call(2).sid, call(1).sid]  # newest first
    reached = got[call(1).sid]
    assert (reached.outcome, reached.source, reached.session.guid, reached.cause) == ("reached", "both", "g-1", None)
    assert reached.session.end_reason == "twilio_disconnect" and reached.duration_s == 55  # Wiro's talk time
    rejected = got[call(2).sid]
    assert (rejected.outcome, rejected.cause, rejected.cause_label) == (
        "rejected", "concurrent_limit", "too many calls at once (concurrency limit)")
    missed = got[call(3).sid]
    assert (missed.outcome, missed.source, missed.session, missed.cause) == ("missed", "twilio_only", None, "whitelist")
    assert "whitelist" in missed.cause_detail and missed.duration_s == 0  # Twilio's duration when Wiro has none
    web, lost = got["g-web"], got["g-lost"]
    assert (web.outcome, web.source, web.twilio, web.country, web.at_ms) == ("reached", "web", None, "web", T0 + 10 * MIN)
    assert (lost.outcome, lost.source, lost.twilio) == ("reached", "twilio_not_fetched", None)
    assert J.SOURCE_LABELS[lost.source] == "Wiro only: Twilio log not fetched"


@pytest.mark.parametrize("status, duration, cause", [
    ("failed", 0, "failed"),
    ("no-answer", 0, "no_answer"),
    ("canceled", 0, "canceled"),
    ("busy", 0, "whitelist"),
    ("busy", None, "whitelist"),
    ("completed", 2, "whitelist"),  # answered and refused at once
    ("completed", 3, "whitelist"),
    ("completed", 4, "no_session"),
    ("completed", None, "no_session"),
    ("queued", None, "in_progress"),
    ("ringing", None, "in_progress"),
    ("in-progress", 10, "in_progress"),
    ("something-new", 10, "no_session"),
    (None, None, "no_session"),
])
def test_every_missed_cause_from_twilios_status(status, duration, cause):
    (missed,) = J.join([call(1, status, duration=duration)], [])
    assert (missed.outcome, missed.cause) == ("missed", cause)
    label, detail = J.MISSED_CAUSES[cause]
    assert missed.cause_label == label and missed.cause_detail == detail and detail


def test_routed_elsewhere_is_the_numbers_routing_at_the_time_of_the_call():
    routing = [
        RoutingSnapshot(SUPPORT, "wiro_ok", T0),
        RoutingSnapshot(SUPPORT, "twiml_app", T0 + 5 * MIN),
        RoutingSnapshot(SUPPORT, "wiro_ok", T0 + 20 * MIN),
        RoutingSnapshot(SALES, "sip_trunk", T0 - MIN),
    ]
    calls = [
        call(3, "completed", duration=30),  # before the switch: Wiro's webhook answered, yet no session
        call(5, "completed", duration=30),  # at the very moment of the switch
        call(10, "busy", duration=0),  # routed to the TwiML App: that, not the whitelist, is the cause
        call(12, "failed", duration=0),  # Twilio's own failure comes first
        call(25, "busy", duration=0),  # back on Wiro: busy is the whitelist again
        call(30, "completed", duration=40, to=SALES),
        call(31, "completed", duration=40, to="+19995550000"),  # a number never looked up
    ]
    got = by_key(J.join(calls, [], routing=routing))
    assert got[call(3).sid].cause == "no_session" and got[call(3).sid].routing.verdict == "wiro_ok"
    at_switch = got[call(5).sid]
    assert (at_switch.cause, at_switch.routing.verdict) == ("routed_elsewhere", "twiml_app")
    routed = got[call(10).sid]
    assert routed.cause == "routed_elsewhere" and routed.routing == routing[1]
    assert routed.cause_label == "routed elsewhere: the number was on a TwiML App"
    assert routed.cause_detail.startswith("At the time of the call the number was on a TwiML App.")
    assert got[call(12).sid].cause == "failed"
    assert got[call(25).sid].cause == "whitelist"
    assert got[call(30).sid].cause_label == "routed elsewhere: the number was on a SIP Trunk"
    assert got[call(31).sid].routing is None and got[call(31).sid].cause == "no_session"


def test_a_call_older_than_every_snapshot_takes_the_first_and_says_so():
    routing = [RoutingSnapshot(SUPPORT, "studio_flow", T0 + 30 * MIN), RoutingSnapshot(SUPPORT, "wiro_ok", T0 + 40 * MIN)]
    got = by_key(J.join([call(2, "completed", duration=30), call(35, "busy", duration=0)], [], routing=routing))
    early = got[call(2).sid]
    assert (early.cause, early.routing) == ("routed_elsewhere", routing[0])
    assert early.cause_detail.startswith("When the number was first checked, after this call, a Studio Flow answered "
                                         "the number; how it was routed at the time of the call itself is not known.")
    assert got[call(35).sid].cause == "routed_elsewhere"  # within the first snapshot's stretch


def test_routing_words_cover_every_verdict_that_is_not_wiro():
    assert set(J.ROUTING_WORDS) == set(classify.VERDICTS) - {classify.WIRO_OK}
    assert J.ROUTED_TO_WIRO == classify.WIRO_OK


def test_a_second_session_for_one_call_sid_is_kept_on_its_own_and_the_smaller_guid_joins():
    sessions = [session("g-b", 1, duration_s=10), session("g-a", 1, duration_s=20)]
    joined = J.join([call(1)], sessions)
    got = by_key(joined)
    assert got[call(1).sid].session.guid == "g-a" and got[call(1).sid].duration_s == 20
    assert (got["g-b"].source, got["g-b"].twilio) == ("duplicate", None)
    assert len(joined) == 2


def test_outbound_legs_are_left_out_with_their_sessions():
    calls = [call(1), call(2, direction="outbound-api"), call(3, direction=None)]
    joined = J.join(calls, [session("g-2", 2), session("g-2b", 2)])
    assert {c.key for c in joined} == {call(1).sid, call(3).sid}


def test_cost_is_twilio_price_plus_post_call_credits_and_unsettled_prices_stay_unknown():
    calls = [call(1), call(2, price=None), call(3, price="-0.50", unit="EUR"), call(4, price="not a number"),
             call(5, price="0.0200")]
    sessions = [session(f"g-{n}", n) for n in (1, 2, 3)] + [session("g-web", None, channel="web")]
    credits = [CreditRow("t1", "g-1", -3_000_000), CreditRow("t2", "g-1", -2_000_000), CreditRow("t3", "g-2", -1_000_000),
               CreditRow("t4", "g-web", -4_000_000), CreditRow("t5", "g-nobody", -9_000_000)]
    got = by_key(J.join(calls, sessions, credits))
    one = got[call(1).sid]
    assert one.credits_micro == 5_000_000 and one.twilio_cost_micro == 8500
    assert one.cost_usd == pytest.approx(0.0085 + 0.05)
    assert got[call(2).sid].credits_micro == 1_000_000 and got[call(2).sid].cost_usd is None  # price not settled
    assert got[call(3).sid].price_unit == "EUR" and got[call(3).sid].cost_usd is None  # not in dollars
    assert got[call(4).sid].twilio_cost_micro is None  # "not a number" is no price
    assert got[call(5).sid].twilio_cost_micro == 20_000  # a positive price is a charge too
    web = got["g-web"]
    assert web.twilio_cost_micro is None and web.cost_usd == pytest.approx(0.04)  # credits only: no Twilio call
    assert "not visible" in J.COST_CAVEAT and "1 credit = $0.01" in J.COST_CAVEAT


def test_unknown_values_are_kept_not_dropped():
    joined = J.join([call(1, "weird")], [session("g-x", None, status="realtime_session_future", channel=None)])
    got = by_key(joined)
    assert got["g-x"].outcome == "reached"  # a session exists: it reached Wiro, whatever the new status says
    assert got[call(1).sid].cause == "no_session"
    assert got["g-x"].country == "GB" and J.join([], [session("g-y", None, caller_country=None)])[0].country == "unknown"


def test_a_rejected_call_whose_reason_was_not_read():
    (row,) = J.join([call(1)], [session("g-1", 1, "realtime_session_rejected")])
    assert (row.outcome, row.cause, row.cause_label, row.cause_detail) == ("rejected", None, "reason not known", "")
