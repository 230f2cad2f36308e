"""Filters (channel, status group, free text) and sorting by any column, None last."""

from __future__ import annotations

import pytest

from tui.calls.filters import Filter, sort_sessions
from tui.calls.rows import COLUMN_KEYS
from tui.wiro import WiroClient
from tui.wiro.models import CallSession

T0 = 1_777_000_000_000


async def history(sim) -> list[CallSession]:
    async with WiroClient(sim.api_key, base_url=sim.wiro_base) as client:
        return await client.call_history(sim.demo_agent_guid, 200)


async def test_channel_and_group_filters_on_the_simulators_history(sim):
    sessions = await history(sim)
    web = Filter(channel="web").apply(sessions)
    assert web and all(s.channel == "web" for s in web)
    assert len(web) + len(Filter(channel="twilio").apply(sessions)) == len(sessions)
    by_group = {g: Filter(group=g).apply(sessions) for g in ("incoming", "active", "rejected", "ended")}
    assert sum(len(v) for v in by_group.values()) == len(sessions)
    assert all(s.status == "realtime_session_rejected" for s in by_group["rejected"]) and by_group["rejected"]
    both = Filter(channel="web", group="ended").apply(sessions)
    assert all(s.channel == "web" and s.status == "realtime_session" for s in both)
    assert Filter().apply(sessions) == tuple(sessions) and not Filter().is_active
    assert Filter(text="  ").apply(sessions) == tuple(sessions)


async def test_text_matches_number_sid_url_identifier_and_guid_ignoring_case(sim):
    sessions = await history(sim)
    phone = next(s for s in sessions if s.channel == "twilio" and s.caller_number.startswith("+1415"))
    web = next(s for s in sessions if s.channel == "web" and s.display_identifier)
    pages = [s for s in sessions if s.page_url]
    for text, expected in [
        (phone.caller_number, phone), (phone.caller_number[2:9], phone), (phone.callsid.upper(), phone),
        (phone.messageguid[:13].upper(), phone), (web.display_identifier, web), (pages[0].page_url.upper(), pages[0]),
    ]:
        matched = Filter(text=text).apply(sessions)
        assert expected in matched, text
        assert Filter(text=text).is_active
    digits = phone.caller_number[2:]
    spaced = f"({digits[:3]}) {digits[3:6]}-{digits[6:]}"
    assert phone in Filter(text=spaced).apply(sessions)
    assert Filter(text="no-such-caller-anywhere").apply(sessions) == ()
    assert all(s.channel == "twilio" for s in Filter(text="withheld").apply(sessions))


def s(key, **fields) -> CallSession:
    return CallSession(messageguid=key, **fields)


SESSIONS = [
    s("a", channel="twilio", caller_number="+14155550100", status="realtime_session", end_reason="wiro_completed",
      duration_seconds=30, model_slug="gpt-realtime-mini", started_at_ms=T0 - 50_000),
    s("b", channel="web", page_url="https://x.example", status="realtime_session_rejected", started_at_ms=T0 - 10_000,
      model_slug="gpt-realtime"),
    s("c", channel="twilio", caller_number="+447700900100", status="realtime_session_active", started_at_ms=T0 - 90_000),
    s("d", channel="twilio", caller_number="+33199000000", status="realtime_session", end_reason="max_duration",
      duration_seconds=600, model_slug="gpt-realtime-mini", started_at_ms=T0 - 700_000),
    s("e", channel=None, status=None),  # nothing known: last everywhere
    s("f", channel="twilio", caller_number="+14155550101", status="realtime_session", end_reason="wiro_completed",
      duration_seconds=30, model_slug="GPT-realtime-mini", started_at_ms=T0 - 60_000),
]


def keys(sessions) -> str:
    return "".join(x.messageguid for x in sessions)


@pytest.mark.parametrize("column, ascending, descending", [
    ("started", "dcfabe", "bafcde"),
    ("age", "bafcde", "dcfabe"),
    ("duration", "afdbce", "dafbce"),  # without a now, "c" (active) has no duration yet, like "b" (rejected)
    ("status", "cbadfe", "adfbce"),    # incoming · active · rejected · ended; "e" has no status at all
    ("end_reason", "afdbce", "dafbce"),
    ("model", "badfce", "adfbce"),     # "GPT-realtime-mini" sorts with "gpt-realtime-mini"
    ("channel", "acdfbe", "bacdfe"),
    ("caller", "afdcbe", "ebcdfa"),    # the text shown: numbers, then the page, then "withheld"
])
def test_sort_by_each_column_keeps_none_last_and_ties_in_order(column, ascending, descending):
    assert keys(sort_sessions(SESSIONS, column)) == ascending
    assert keys(sort_sessions(SESSIONS, column, descending=True)) == descending


def test_sort_by_duration_with_a_now_counts_calls_in_progress():
    ordered = keys(sort_sessions(SESSIONS, "duration", descending=True, now_ms=T0))
    assert ordered == "dcafbe"  # c has run 90 s; a and f tie at 30 s and keep their order; b, e have none


def test_sort_by_caller_is_case_insensitive_on_the_words_shown():
    mixed = [s("x", channel="web", display_identifier="Zoe"), s("y", channel="web", display_identifier="adam")]
    assert keys(sort_sessions(mixed, "caller")) == "yx"


def test_every_column_sorts_and_unknown_ones_say_so():
    for column in COLUMN_KEYS:
        assert len(sort_sessions(SESSIONS, column)) == len(SESSIONS)
    with pytest.raises(ValueError, match="cannot sort by 'nope'"):
        sort_sessions(SESSIONS, "nope")
