"""History rows from raw API dicts: every documented variant, and junk that must never raise."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tui.history import parse
from tui.history.records import CreditRow, TwilioCall, WiroSession

T = 1_764_855_308_000  # Fri, 04 Dec 2025 13:35:08 UTC


@pytest.mark.parametrize("value", [
    "Thu, 04 Dec 2025 13:35:08 +0000",  # Twilio's RFC 2822 (weekday ignored)
    "04 Dec 2025 13:35:08 +0000",
    "Thu, 04 Dec 2025 14:35:08 +0100",
    "Thu, 04 Dec 2025 13:35:08 GMT",
    "2025-12-04T13:35:08Z",
    "2025-12-04T13:35:08+00:00",
    "2025-12-04T13:35:08.000Z",
    "2025-12-04T15:35:08+02:00",
    "2025-12-04 13:35:08",  # no zone: UTC
    T, T / 1000, str(T), str(T // 1000), f"{T / 1000:.3f}", float(T),
])
def test_every_time_format_reads_to_the_same_instant(value):
    assert parse.time_ms(value) == T


@pytest.mark.parametrize("value", [
    None, "", "   ", "yesterday", "Fri, 99 Foo 2025", True, False, [], {}, float("nan"), float("inf"), -5,
    "-1", "1e400", 10**30, "9999999999999999999", "2025-13-45T00:00:00Z",
])
def test_unreadable_times_are_none(value):
    assert parse.time_ms(value) is None


def test_a_bare_date_is_its_utc_midnight():
    assert parse.time_ms("2025-12-04") == 1_764_806_400_000


@pytest.mark.parametrize("value, micro", [
    ("-0.0085", -8500), ("-0.00850", -8500), (-0.0085, -8500), ("0", 0), (-3, -3_000_000), ("-3", -3_000_000),
    ("  -1.25 ", -1_250_000), ("1e-3", 1000), ("-0.0000004", 0), ("-0.0000006", -1),
])
def test_money_in_micro_units(value, micro):
    assert parse.micro_amount(value) == micro


@pytest.mark.parametrize("value", [None, "", "n/a", "NaN", "nan", "Infinity", "-inf", float("nan"), float("inf"),
                                   True, [], {}, "1,5", "$0.01", "1e20", 10**12])
def test_money_that_is_not_a_number_is_none(value):
    assert parse.micro_amount(value) is None


@pytest.mark.parametrize("value, seconds", [
    ("64", 64), (64, 64), ("64.0", 64), (64.4, 64), ("64s", 64), (" 64 S ", 64), ("1:04", 64), ("0:01:04", 64),
    ("1:00:00", 3600), ("0", 0), (0, 0),
])
def test_durations(value, seconds):
    assert parse.duration_s(value) == seconds


@pytest.mark.parametrize("value", [None, "", "-5", -5, "abc", "1:75", True, float("nan"), "1e9", 8 * 24 * 3600, []])
def test_bad_durations_are_none(value):
    assert parse.duration_s(value) is None


def test_a_twilio_call_as_the_spec_shows_it():
    raw = {
        "sid": "CA" + "a" * 32, "to": "+14155550100", "from": "+447700900123", "status": "completed",
        "start_time": "Thu, 04 Dec 2025 13:35:08 +0000", "end_time": "Thu, 04 Dec 2025 13:36:12 +0000",
        "duration": "64", "price": "-0.0085", "price_unit": "usd", "direction": "inbound",
        "date_created": "Thu, 04 Dec 2025 13:35:00 +0000", "answered_by": None, "caller_name": None,
    }
    assert parse.twilio_call(raw) == TwilioCall(
        sid="CA" + "a" * 32, start_ms=T, to_number="+14155550100", from_number="+447700900123", status="completed",
        direction="inbound", end_ms=T + 64_000, duration_s=64, price_micro=-8500, price_unit="USD",
    )


def test_a_twilio_call_still_ringing_has_no_start_price_or_duration():
    call = parse.twilio_call({"sid": "CA1", "status": "Ringing", "start_time": None, "price": None,
                              "date_created": "Thu, 04 Dec 2025 13:35:08 +0000", "duration": None})
    assert call.start_ms == T  # Twilio has no start yet: the creation time stands in
    assert (call.status, call.price_micro, call.duration_s, call.cost_micro) == ("ringing", None, None, None)
    assert parse.twilio_call({"sid": "CA2"}).start_ms is None  # the store fills "first seen"


@pytest.mark.parametrize("raw", [None, [], "x", {}, {"sid": ""}, {"sid": None}, {"sid": 5.5, "to": 1}])
def test_a_twilio_row_without_a_sid_is_skipped(raw):
    call = parse.twilio_call(raw)
    assert call is None or call.sid == "5.5"


def test_a_wiro_history_row_as_the_docs_show_it():
    raw = {"messageguid": "5c41dabf-f2be-4aa8-a5a4-8c9e3d2f3f11", "agenttoken": "8a5b", "channel": "twilio",
           "callsid": "CA" + "b" * 32, "callerInfo": {"number": "+15551234567", "country": "us"},
           "callerProfile": "Returning caller", "status": "realtime_session", "endReason": "wiro_completed",
           "durationSeconds": 137, "modelSlug": "gpt-realtime-mini", "startedAt": 1730473321000,
           "endedAt": 1730473458000}
    assert parse.wiro_session(raw, "agent-1") == WiroSession(
        guid="5c41dabf-f2be-4aa8-a5a4-8c9e3d2f3f11", started_ms=1730473321000, agent_guid="agent-1",
        call_sid="CA" + "b" * 32, channel="twilio", caller="+15551234567", caller_country="US", status="realtime_session",
        end_reason="wiro_completed", duration_s=137, model="gpt-realtime-mini", ended_ms=1730473458000,
    )


def test_a_web_row_a_rejected_row_and_older_shapes():
    web = parse.wiro_session({"messageguid": "w1", "channel": "web", "callsid": "voice-call-9d2d",
                              "callerInfo": {"page_url": "https://example.com/contact", "display_identifier": "Ann"},
                              "startedAt": "1730463668"})  # older: numeric strings, seconds
    assert (web.channel, web.caller, web.call_sid, web.started_ms) == ("web", "Ann", "voice-call-9d2d", 1730463668000)
    rejected = parse.wiro_session({"messageguid": "r1", "status": "realtime_session_rejected",
                                   "callerInfo": '{"number": "+447700900456", "country": "GB"}',
                                   "metadata": {"reason": "concurrent_limit"}})
    assert (rejected.reject_reason, rejected.caller, rejected.started_ms) == ("concurrent_limit", "+447700900456", None)


@pytest.mark.parametrize("raw", [None, {}, {"messageguid": ""}, {"agenttoken": "t", "callsid": "CA1"}, ["m"]])
def test_a_wiro_row_without_a_message_guid_is_skipped(raw):
    assert parse.wiro_session(raw) is None


def test_credit_rows_only_deductions_with_a_message():
    row = {"guid": "t-1", "type": "deduct", "action": "tokens", "amount": -3, "balanceafter": 363,
           "messageguid": "m-1", "tokencost": 3, "createdat": 1760001070}
    assert parse.credit_row(row) == CreditRow("t-1", "m-1", -3_000_000, 1_760_001_070_000, "tokens")
    assert parse.credit_row({**row, "amount": None}).amount_micro == -3_000_000  # falls back to tokencost
    assert parse.credit_row({**row, "amount": "x", "tokencost": None}).amount_micro == 0
    for other in ({**row, "type": "renewal"}, {**row, "messageguid": None}, {**row, "guid": ""}, {"type": "deduct"}):
        assert parse.credit_row(other) is None


def test_long_text_is_cut_and_numbers_become_text():
    call = parse.twilio_call({"sid": "CA1", "to": 14155550100, "from": "x" * 5000})
    assert call.to_number == "14155550100" and len(call.from_number) == parse.MAX_TEXT


junk = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=40),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=12), children, max_size=4),
    max_leaves=12,
)
field_names = ["sid", "to", "from", "status", "start_time", "end_time", "duration", "price", "price_unit", "direction",
               "date_created", "messageguid", "callsid", "channel", "callerInfo", "startedAt", "endedAt",
               "durationSeconds", "endReason", "modelSlug", "metadata", "guid", "type", "amount", "createdat",
               "tokencost", "action"]
rows = st.dictionaries(st.sampled_from(field_names), junk, max_size=12) | junk


@pytest.mark.long
@settings(max_examples=300, deadline=None)
@given(rows)
def test_parsers_never_raise_on_junk(raw):
    for parsed in (parse.twilio_call(raw), parse.wiro_session(raw, "a"), parse.credit_row(raw)):
        if parsed is None:
            continue
        for name in parsed.__slots__:
            value = getattr(parsed, name)
            assert value is None or isinstance(value, (str, int))
            if isinstance(value, int):
                assert not isinstance(value, bool) and abs(value) < 2**63
            if isinstance(value, str):
                assert 0 < len(value) <= parse.MAX_TEXT


@settings(max_examples=300, deadline=None)
@given(junk)
def test_value_readers_never_raise(value):
    ms = parse.time_ms(value)
    assert ms is None or 0 <= ms <= 253_402_300_799_999
    micro = parse.micro_amount(value)
    assert micro is None or abs(micro) <= 10**15
    seconds = parse.duration_s(value)
    assert seconds is None or 0 <= seconds <= parse.MAX_DURATION_S
    assert not (isinstance(value, float) and math.isnan(value) and (ms or micro or seconds))
