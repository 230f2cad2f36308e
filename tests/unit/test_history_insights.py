"""Insights: periods, the figures over a hand-written history, and the SQL agreeing with the plain-Python join
to the last micro-dollar over generated histories, scopes, period edges and a time zone with DST."""

from __future__ import annotations

import os
import time
from contextlib import contextmanager

import pytest

from tests.unit.history_world import AGENTS, NUMBERS, generate
from tui.history import insights as I
from tui.history.records import CreditRow, RoutingSnapshot, TwilioCall, WiroSession
from tui.history.store import HistoryStore

NOW = 1_777_000_000_000  # 2026-04-24 03:06:40 UTC
HOUR = 3_600_000
DAY = 24 * HOUR


@contextmanager
def zone(name: str):
    """Run with the process's local time zone set to `name` (the session pins UTC; put it back after)."""
    old = os.environ.get("TZ")
    os.environ["TZ"] = name
    time.tzset()
    try:
        yield
    finally:
        os.environ["TZ"] = old or "UTC"
        time.tzset()


# -- periods ----------------------------------------------------------------------------------------------


def test_periods_from_the_selector_words():
    today = I.period("today", NOW)
    assert (today.start_ms, today.end_ms, today.key, today.step) == (1_776_988_800_000, 1_777_075_200_000, "today", "hour")
    week = I.period("7d", NOW)
    assert (week.start_ms, week.end_ms, week.key, week.label, week.step) == (NOW - 7 * DAY, NOW + 1, "7d", "last 7 days", "day")
    assert I.period(" 30D ", NOW).key == "30d"
    six = I.period("6h", NOW)
    assert (six.start_ms, six.key, six.label, six.step) == (NOW - 6 * HOUR, "custom", "last 6 hours", "hour")
    assert I.period("2d", NOW).step == "hour" and I.period("3d", NOW).step == "day"
    since = I.period("2026-04-20", NOW)
    assert (since.start_ms, since.end_ms, since.label) == (1_776_643_200_000, NOW + 1, "since 2026-04-20")
    span = I.period("2026-04-20..2026-04-22", NOW)
    assert (span.start_ms, span.end_ms, span.label) == (1_776_643_200_000, 1_776_902_400_000, "2026-04-20 to 2026-04-22")
    assert I.period("2026-04-20..2026-04-20", NOW).label == "2026-04-20"


def test_today_follows_the_local_zone():
    with zone("America/New_York"):
        today = I.period("today", NOW)  # 2026-04-23 23:06 in New York
    assert today.start_ms == 1_776_916_800_000 and today.end_ms - today.start_ms == DAY


@pytest.mark.parametrize("spec, words", [
    ("yesterday", "is not a period"), ("0d", "empty period"), ("2026-04-22..2026-04-20", "ends before it starts"),
    ("2027-01-01", "in the future"), ("", "is not a period"), ("7 days", "is not a period"), ("2026-02-30", "not a period"),
])
def test_bad_periods_say_what_is_accepted(spec, words):
    with pytest.raises(ValueError, match=words):
        I.period(spec, NOW)


# -- figures over a hand-written history ------------------------------------------------------------------


def hand_written(store: HistoryStore) -> None:
    t = NOW - 2 * HOUR  # 01:06 UTC today
    sid = lambda n: f"CA{n:032x}"  # noqa: E731
    calls = [
        TwilioCall(sid(1), t, NUMBERS[0], "+447700900123", "completed", "inbound", None, 70, -10_000, "USD"),
        TwilioCall(sid(2), t + 60_000, NUMBERS[0], "+33612345678", "completed", "inbound", None, 20, -20_000, "USD"),
        TwilioCall(sid(3), t + 120_000, NUMBERS[0], "+14155552671", "completed", "inbound", None, 5, None, "USD"),
        TwilioCall(sid(4), t + HOUR, NUMBERS[0], "+447700900456", "busy", "inbound", None, 0, -1_000, "USD"),
        TwilioCall(sid(5), t + HOUR, NUMBERS[1], "+447700900456", "completed", "inbound", None, 30, -2_000, None),
        TwilioCall(sid(6), t + HOUR, NUMBERS[0], "+905321234567", "no-answer", "inbound", None, 0, None, "USD"),
        TwilioCall(sid(7), t + HOUR, NUMBERS[0], "+447700900123", "completed", "inbound", None, 200, -500_000, "EUR"),
        TwilioCall(sid(8), t, NUMBERS[0], "+447700900123", "completed", "outbound-api", None, 99, -9_999_999, "USD"),
        TwilioCall(sid(9), NOW - 3 * DAY, NUMBERS[0], "+447700900123", "busy", "inbound", None, 0, -7_000, "USD"),
    ]
    sessions = [
        WiroSession("g1", t + 2000, AGENTS[0], sid(1), "twilio", "+447700900123", "GB", None, "realtime_session",
                    "twilio_disconnect", None, 64),
        WiroSession("g2", t + 62_000, AGENTS[0], sid(2), "twilio", "+33612345678", "FR", None, "realtime_session",
                    "max_duration", None, 10),
        WiroSession("g3", t + 122_000, AGENTS[0], sid(3), "twilio", "+14155552671", None, None,
                    "realtime_session_rejected", None, "concurrent_limit"),
        WiroSession("g7", t + HOUR + 2000, AGENTS[0], sid(7), "twilio", "+447700900123", "GB", None,
                    "realtime_session_active"),
        WiroSession("gw", t + 30 * 60_000, AGENTS[0], "voice-call-1", "web", "page", None, None, "realtime_session",
                    "browser_disconnect", None, 40),
        WiroSession("gx", t + 30 * 60_000, AGENTS[1], None, "web", "page", None, None, "realtime_session_rejected"),
        WiroSession("g8", t + 2000, AGENTS[0], sid(8), "twilio", "+447700900123", "GB", None, "realtime_session",
                    None, None, 95),
    ]
    credits = [CreditRow("c1", "g1", -3_000_000), CreditRow("c2", "g1", -1_000_000), CreditRow("c3", "gw", -2_000_000),
               CreditRow("c8", "g8", -50_000_000)]
    store.write_calls(calls, NOW)
    store.write_sessions(sessions, NOW)
    store.write_credits(credits, NOW)
    store.write_routing([RoutingSnapshot(NUMBERS[1], "twiml_app", t - DAY), RoutingSnapshot(NUMBERS[0], "wiro_ok", t - DAY)])


@pytest.fixture
def store(tmp_path):
    s = HistoryStore.open(tmp_path / "history.sqlite3")
    yield s
    s.close()


def test_the_figures_of_a_hand_written_day(store):
    hand_written(store)
    scope = I.Scope(I.period("today", NOW))
    got = I.insights(store, scope)
    assert got == I.from_calls(I.load_joined(store, scope), scope)
    assert (got.calls, got.reached, got.rejected, got.missed) == (9, 4, 2, 3)
    assert dict(got.missed_by_cause) == {"failed": 0, "no_answer": 1, "canceled": 0, "routed_elsewhere": 1,
                                         "whitelist": 1, "in_progress": 0, "no_session": 0}
    assert got.rejected_by_reason == (("concurrent_limit", 1), ("unknown", 1))
    assert dict(got.sources) == {"both": 4, "twilio_only": 3, "web": 2}
    # durations of reached calls: Wiro's 64, 10, 40 and (no Wiro duration yet) Twilio's 200
    assert (got.durations_counted, got.median_duration_s, got.p90_duration_s) == (4, 40, 200)
    assert dict(got.duration_histogram) == {"<10s": 0, "10–30s": 1, "30–60s": 1, "1–2m": 1, "2–5m": 1, "5–10m": 0, "10m+": 0}
    # Twilio in dollars: 0.01 + 0.02 + 0.001 + 0.002 (no unit: dollars); euros apart; two calls not settled
    assert (got.twilio_micro, got.other_currencies, got.unpriced) == (33_000, (("EUR", 500_000),), 2)
    assert got.credits_micro == 6_000_000 and got.credits_usd == pytest.approx(0.06)
    assert got.cost_usd == pytest.approx(0.033 + 0.06)
    assert [d.day for d in got.cost_per_day] == ["2026-04-24"] and got.cost_per_day[0].total_usd == pytest.approx(0.093)
    assert len(got.series) == 24 and got.series[1].bucket == "2026-04-24 01:00"
    assert (got.series[1].reached, got.series[1].rejected, got.series[1].missed) == (3, 2, 0)
    assert (got.series[2].reached, got.series[2].missed) == (1, 3)
    assert sum(s.total for s in got.series) == got.calls
    # Wiro's country where it has one, else the region of the number Twilio saw
    assert dict(got.countries) == {"GB": 4, "web": 2, "FR": 1, "US": 1, "TR": 1}


def test_the_json_document(store):
    hand_written(store)
    doc = I.insights(store, I.Scope(I.period("today", NOW), numbers=(NUMBERS[0],))).to_json()
    assert doc["period"]["key"] == "today" and doc["numbers"] == [NUMBERS[0]]
    assert doc["calls"] == doc["reached"] + doc["rejected"] + doc["missed"] == 8
    assert {"cause": "whitelist", "label": "busy: refused by the whitelist", "count": 1} in doc["missed_by_cause"]
    assert doc["rejected_by_reason"][0] == {"reason": "concurrent_limit",
                                            "label": "too many calls at once (concurrency limit)", "count": 1}
    assert doc["cost"]["unpriced_calls"] == 2 and "not visible" in doc["cost"]["caveat"]
    assert doc["cost"]["other_currencies"] == {"EUR": 0.5}
    assert set(doc) >= {"series", "duration_histogram", "cost_per_day", "countries", "sources", "duration"}


def test_an_empty_history_has_zeros_and_no_durations(store):
    got = I.insights(store, I.Scope(I.period("7d", NOW)))
    assert (got.calls, got.median_duration_s, got.p90_duration_s, got.cost_usd) == (0, None, None, 0)
    assert len(got.series) == 8 and all(s.total == 0 for s in got.series)  # 7 days from 03:06 touch 8 dates
    assert got.countries == () and got == I.from_calls([], got.scope)


def test_percentiles_are_nearest_rank():
    assert I._percentile({10: 1, 20: 1, 30: 1, 40: 1}, 4, 0.5) == 20
    assert I._percentile({10: 1, 20: 1, 30: 1, 40: 1}, 4, 0.9) == 40
    assert I._percentile({5: 9, 600: 1}, 10, 0.9) == 5
    assert I._percentile({5: 8, 600: 2}, 10, 0.9) == 600
    assert I._percentile({}, 0, 0.5) is None


# -- SQL against the plain-Python join --------------------------------------------------------------------


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    """A generated month: a few thousand calls with every case, written the way the polls write them."""
    path = tmp_path_factory.mktemp("hist") / "history.sqlite3"
    world = generate(1500, seed=11, end_ms=NOW, days=30, country_on_calls=False)
    store = HistoryStore.open(path)
    for i in range(0, len(world.sessions), 200):  # sessions first here: Twilio's log arrives later
        store.write_sessions(world.sessions[i:i + 200], NOW)
    for i in range(0, len(world.calls), 300):
        store.write_calls(world.calls[i:i + 300], NOW)
    store.write_credits(world.credits, NOW)
    store.write_routing(world.routing)
    yield store
    store.close()


SCOPES = {
    "30 days": dict(),
    "7 days": dict(spec="7d"),
    "one agent": dict(agent_guid=AGENTS[0]),
    "two numbers": dict(numbers=NUMBERS[:2]),
    "agent and numbers": dict(agent_guid=AGENTS[1], numbers=NUMBERS[2:]),
    "no numbers": dict(numbers=()),
    "an unknown agent": dict(agent_guid="nobody"),
    "a few hours": dict(spec="5h"),
    "a past range": dict(spec="2026-04-01..2026-04-10"),
}


@pytest.mark.parametrize("name", SCOPES)
def test_sql_and_python_agree_on_every_figure(generated, name):
    options = dict(SCOPES[name])
    scope = I.Scope(I.period(options.pop("spec", "30d"), NOW), **options)
    sql = I.insights(generated, scope)
    python = I.from_calls(I.load_joined(generated, scope), scope)
    assert sql == python
    if name == "30 days":  # the generated world really has every case
        assert sql.calls > 1500 and all(n for _, n in sql.missed_by_cause)
        assert {s for s, _ in sql.sources} == {"both", "twilio_only", "web", "twilio_not_fetched", "duplicate"}
        assert sql.other_currencies and sql.unpriced and len(sql.rejected_by_reason) == 5
    if name in ("no numbers", "an unknown agent"):
        assert sql.calls < SCOPES_TOTAL(generated)


def SCOPES_TOTAL(store):  # noqa: N802 - read as a figure
    return I.insights(store, I.Scope(I.period("30d", NOW))).calls


def test_buckets_follow_local_time_across_a_dst_change(tmp_path):
    """London moved to summer time on 2026-03-29: days and hours are local, and SQL still agrees."""
    with zone("Europe/London"):
        store = HistoryStore.open(tmp_path / "h.sqlite3")
        end = 1_774_915_200_000  # 2026-03-31 00:00 UTC = 01:00 BST
        world = generate(400, seed=5, end_ms=end, days=4)
        store.write_calls(world.calls, end)
        store.write_sessions(world.sessions, end)
        store.write_credits(world.credits, end)
        store.write_routing(world.routing)
        for spec in ("2026-03-28..2026-03-30", "2026-03-29"):
            scope = I.Scope(I.period(spec, end))
            sql = I.insights(store, scope)
            assert sql == I.from_calls(I.load_joined(store, scope), scope)
        day = I.insights(store, I.Scope(I.period("2026-03-29..2026-03-29", end)))
        assert len(day.series) == 23  # the day the clocks went forward has 23 hours
        assert day.series[1].bucket == "2026-03-29 02:00"  # 01:00 does not exist that day
        days = I.insights(store, I.Scope(I.period("2026-03-27..2026-03-30", end)))
        assert [d.day for d in days.cost_per_day] == ["2026-03-27", "2026-03-28", "2026-03-29", "2026-03-30"]
        store.close()


@pytest.mark.parametrize("name", ["30 days", "two numbers", "no numbers", "a few hours"])
def test_the_missed_calls_listed_are_the_joins_missed_calls_newest_first(generated, name):
    options = dict(SCOPES[name])
    scope = I.Scope(I.period(options.pop("spec", "30d"), NOW), **options)
    expected = [c for c in I.load_joined(generated, scope) if c.outcome == "missed"]
    listed = I.missed_calls(generated, scope, limit=50)
    assert listed == expected[:50]
    assert all(c.cause and c.twilio is not None for c in listed)
    if name == "30 days":
        assert len(listed) == 50 and len(expected) > 50
