"""The calls catalog: every documented status and reason explained; unknown values shown, never raised."""

from __future__ import annotations

import pytest

from tui.calls.catalog import (
    Explanation,
    age_text,
    caller_label,
    caller_text,
    channel_label,
    duration_text,
    end_reason_label,
    explain_end_reason,
    explain_rejection,
    explain_status,
    live_duration,
    rejection_label,
    status_group,
    status_label,
)
from tui.sim import calls as sim_calls
from tui.wiro.models import CallSession

# As listed in wiro-api.md; the simulator's own lists must agree.
STATUSES = ("realtime_session_incoming", "realtime_session_active", "realtime_session_rejected", "realtime_session")
END_REASONS = ("wiro_completed", "wiro_cancelled", "wiro_disconnect", "wiro_error", "max_duration",
               "browser_disconnect", "twilio_disconnect")
REJECTIONS = ("concurrent_limit", "agent_prep_timeout", "realtime_ws_open_failed", "realtime_stream_timeout")
LOG = "/UserAgent/Logs"


def test_the_documented_lists_match_the_simulator():
    assert set(END_REASONS) == set(sim_calls.END_REASONS)
    assert set(REJECTIONS) == set(sim_calls.REJECT_REASONS)
    assert set(STATUSES) == {sim_calls.INCOMING, sim_calls.ACTIVE, sim_calls.REJECTED, sim_calls.ENDED}


def _check_known(explanation: Explanation, raw: str) -> None:
    assert explanation.known and explanation.raw == raw
    assert explanation.label and explanation.label != raw  # words, not the API's identifier
    assert explanation.meaning.endswith(".") and explanation.advice.endswith(".")


@pytest.mark.parametrize("status", STATUSES)
def test_every_status_has_label_meaning_and_advice(status):
    explanation = explain_status(status)
    _check_known(explanation, status)
    assert explanation.label == status_label(status)
    assert status_group(status) in {"incoming", "active", "rejected", "ended"}


@pytest.mark.parametrize("reason", END_REASONS)
def test_every_end_reason_has_label_meaning_and_advice(reason):
    explanation = explain_end_reason(reason)
    _check_known(explanation, reason)
    assert explanation.label == end_reason_label(reason)


@pytest.mark.parametrize("reason", REJECTIONS)
def test_every_rejection_reason_has_label_meaning_and_advice(reason):
    explanation = explain_rejection(reason)
    _check_known(explanation, reason)
    assert explanation.label == rejection_label(reason)


def test_the_advice_says_what_to_do_in_the_users_words():
    assert explain_end_reason("max_duration").advice == (
        "The call hit maxcallseconds; raise it in the Credentials if calls need longer.")
    assert "plan" in explain_rejection("concurrent_limit").meaning
    for reason in ("agent_prep_timeout", "realtime_ws_open_failed", "realtime_stream_timeout"):
        advice = explain_rejection(reason).advice
        assert "activity log" in advice and LOG in advice and "wiro-voice Logs" in advice
    error = explain_end_reason("wiro_error")
    assert "crashed" in error.meaning and LOG in error.advice
    assert "hung up" in explain_end_reason("twilio_disconnect").meaning
    assert explain_end_reason("twilio_disconnect").advice == "Nothing to do."
    assert "closed" in explain_end_reason("browser_disconnect").meaning
    assert explain_end_reason("wiro_completed").advice == "Nothing to do."
    for reason in ("wiro_cancelled", "wiro_disconnect"):
        assert "stopped or restarted" in explain_end_reason(reason).meaning


@pytest.mark.parametrize("explain", [explain_status, explain_end_reason, explain_rejection])
@pytest.mark.parametrize("value", ["brand_new_value", "x" * 500, "evil\x1b[2Jvalue\n", "", None])
def test_unknown_values_get_a_generic_explanation_showing_the_raw_value(explain, value):
    explanation = explain(value)
    assert not explanation.known and explanation.raw == value
    assert all(text.isprintable() for text in (explanation.label, explanation.meaning, explanation.advice))
    if value:
        shown = value.replace("\x1b", " ").replace("\n", " ")
        assert explanation.label == shown and shown in explanation.meaning


def test_missing_values_read_as_such():
    assert explain_status(None).label == "unknown"
    assert explain_end_reason(None).label == "" and "in progress" in explain_end_reason(None).meaning
    assert explain_rejection(None).label == "reason unknown"
    assert status_label("odd\x07") == "odd " and end_reason_label("odd\x07") == "odd "
    assert status_group("odd") == "unknown" and end_reason_label(None) == ""


def test_channel_labels():
    assert channel_label("twilio") == "phone"
    assert channel_label("web") == "web"
    assert channel_label(None) == "unknown"
    assert channel_label("sip\x1b") == "sip "


@pytest.mark.parametrize("seconds, text", [
    (-30, "just now"), (0, "just now"), (59, "just now"), (60, "1 min ago"), (119, "1 min ago"),
    (59 * 60 + 59, "59 min ago"), (3600, "1 h ago"), (3 * 3600 + 59, "3 h ago"), (23 * 3600 + 3599, "23 h ago"),
    (24 * 3600, "yesterday"), (47 * 3600, "yesterday"), (48 * 3600, "2 days ago"), (10 * 86400, "10 days ago"),
])
def test_age_text(seconds, text):
    now_ms = 1_777_000_000_000
    assert age_text(now_ms - seconds * 1000, now_ms) == text


def test_age_text_without_a_start():
    assert age_text(None, 1_777_000_000_000) == ""


def _session(**fields) -> CallSession:
    return CallSession(messageguid=fields.pop("messageguid", "m1"), **fields)


def test_live_duration_counts_from_start_while_in_progress():
    start = 1_777_000_000_000
    for status in ("realtime_session_incoming", "realtime_session_active"):
        assert live_duration(_session(status=status, started_at_ms=start), start + 75_900) == 75
        assert live_duration(_session(status=status, started_at_ms=start), start - 5_000) == 0  # clock skew
        assert live_duration(_session(status=status), start) is None
    ended = _session(status="realtime_session", started_at_ms=start, duration_seconds=42)
    assert live_duration(ended, start + 999_999) == 42
    no_duration = _session(status="realtime_session", started_at_ms=start, ended_at_ms=start + 61_000)
    assert live_duration(no_duration, start) == 61
    assert live_duration(_session(status="realtime_session_rejected", started_at_ms=start), start + 9000) is None


def test_caller_text_and_the_older_caller_label():
    phone = _session(channel="twilio", caller_number="+14155550100", caller_country="US")
    assert caller_text(phone) == caller_label(phone) == "+14155550100 (US)"
    for withheld in ("+266696687", "+1266696687", "ANONYMOUS", "restricted", None):
        assert caller_text(_session(channel="twilio", caller_number=withheld)) == "withheld"
    web = _session(channel="web", page_url="https://example.com/p", display_identifier="jane@example.com")
    assert caller_text(web) == "jane@example.com" and caller_label(web) == "web: jane@example.com"
    assert caller_text(_session(channel="web", page_url="https://example.com/\x1b[31mred")) == "https://example.com/ [31mred"
    assert caller_text(_session(channel="web")) == "web visitor"


def test_duration_text():
    assert duration_text(None) == ""
    assert duration_text(7) == "7s"
    assert duration_text(600) == "10m 00s"
    assert duration_text(3725) == "1h 02m 05s"
