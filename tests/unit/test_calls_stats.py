"""The figures strip and the sparkline over sessions from the simulator."""

from __future__ import annotations

import pytest

from tui.calls.stats import SPARK_LEVELS, UNKNOWN_REASON, bucket_counts, spark, sparkline, strip_figures
from tui.wiro import WiroClient
from tui.wiro.models import CallSession

T0 = 1_777_000_000_000
HOUR = 3_600_000


async def history_and_reasons(sim):
    """The history, and the rejection reasons read from Message/Detail the way the UI fills them in."""
    async with WiroClient(sim.api_key, base_url=sim.wiro_base) as client:
        sessions = await client.call_history(sim.demo_agent_guid, 200)
        reasons = {}
        for session in sessions:
            if session.status == "realtime_session_rejected":
                detail = await client.message_detail(messageguid=session.messageguid)
                reasons[session.messageguid] = detail.metadata.get("reason")
    return sessions, reasons


async def test_strip_figures_over_the_simulators_history(sim):
    sessions, reasons = await history_and_reasons(sim)
    now = int(sim.now() * 1000)
    figures = strip_figures(sessions, now, 600)
    statuses = [s.status for s in sessions]
    ended = [s for s in sessions if s.status == "realtime_session"]
    assert figures.calls == len(sessions)
    assert figures.active_now == statuses.count("realtime_session_incoming") + statuses.count("realtime_session_active") > 0
    assert figures.rejected == statuses.count("realtime_session_rejected") == len(reasons)
    assert figures.ended == len(ended)
    assert figures.average_seconds == pytest.approx(sum(s.duration_seconds for s in ended) / len(ended))
    # Without the details every rejection's reason is unknown…
    assert figures.rejections == ((UNKNOWN_REASON, figures.rejected),)
    assert "reason unknown" in figures.rejections_text
    # …with them, counted by reason, most frequent first.
    known = strip_figures(sessions, now, 600, reasons)
    assert sum(n for _, n in known.rejections) == figures.rejected
    assert dict(known.rejections).keys() == set(reasons.values())
    assert [n for _, n in known.rejections] == sorted((n for _, n in known.rejections), reverse=True)
    capped = sum(s.end_reason == "max_duration" for s in ended)
    assert figures.max_duration == capped >= 2 and figures.maxcallseconds == 600
    assert figures.errors == sum(s.end_reason == "wiro_error" for s in ended)
    assert figures.last_hour == sum(s.started_at_ms >= now - HOUR for s in sessions)
    assert f"{capped} of {figures.ended} ended calls were cut off at the max call length" in figures.max_duration_text


def ended(key: str, reason: str = "wiro_completed", seconds: int = 60) -> CallSession:
    return CallSession(messageguid=key, status="realtime_session", end_reason=reason, duration_seconds=seconds,
                       started_at_ms=T0 - 60_000)


@pytest.mark.parametrize("capped, total, suggest", [(3, 30, True), (2, 10, False), (3, 31, False), (5, 20, True)])
def test_a_raise_is_suggested_when_enough_calls_hit_the_limit(capped, total, suggest):
    sessions = [ended(f"m{i}", "max_duration", 600) for i in range(capped)]
    sessions += [ended(f"o{i}") for i in range(total - capped)]
    figures = strip_figures(sessions, T0, 600)
    assert figures.suggest_raise is suggest
    assert ("consider raising maxcallseconds" in figures.max_duration_text) is suggest


def test_a_call_is_judged_by_its_own_end_reason_not_by_todays_limit():
    # the limit was 300 s when the first call was cut off; today it is 600 s. A call that lasted 600 s and ended
    # normally did not hit anything.
    sessions = [ended("cut", "max_duration", 300), ended("long", "wiro_completed", 600), ended("short")]
    figures = strip_figures(sessions, T0, 600)
    assert figures.max_duration == 1
    assert figures.max_duration_text == "1 of 3 ended calls was cut off at the max call length"
    assert "600" not in figures.max_duration_text and "300" not in figures.max_duration_text


def test_empty_and_odd_sessions():
    figures = strip_figures([], T0)
    assert figures.calls == 0 and figures.average_seconds is None and figures.average_text == "–"
    assert figures.rejections == () and figures.rejections_text == "" and figures.max_duration_text == ""
    odd = [CallSession(messageguid="x"), CallSession(messageguid="y", status="realtime_session")]
    figures = strip_figures(odd, T0, None)
    assert figures.calls == 2 and figures.ended == 1 and figures.average_seconds is None


def at(minutes_ago: float) -> CallSession:
    return CallSession(messageguid=f"s{minutes_ago}", started_at_ms=int(T0 - minutes_ago * 60_000))


def test_bucket_counts_and_sparkline_edges():
    sessions = [at(119), at(1), at(1.5), at(0), at(-3), at(121), CallSession(messageguid="none")]
    counts = bucket_counts(sessions, T0, buckets=24, span_ms=2 * HOUR)
    assert len(counts) == 24 and sum(counts) == 5  # 121 min ago and the undated one fall outside
    assert counts[0] == 1 and counts[-1] == 4      # the future start (clock skew) counts as the newest
    line = sparkline(sessions, T0, buckets=24, span_ms=2 * HOUR)
    assert len(line) == 24 and line[-1] == "█" and line[0] == "▂" and set(line[1:-1]) == {" "}
    assert sparkline(sessions, T0, 24, 2 * HOUR, empty="▁")[1] == "▁"
    assert sparkline([], T0) == " " * 24
    with pytest.raises(ValueError):
        bucket_counts(sessions, T0, buckets=0)


def test_spark_scales_to_the_peak():
    assert spark([0, 1, 2, 4, 8]) == " ▁▂▄█"
    assert spark([1]) == "█"
    assert spark([1, 100]) == "▁█"  # a single call still shows


async def test_sparkline_over_the_simulators_calls(sim):
    sessions, _ = await history_and_reasons(sim)
    now = int(sim.now() * 1000)
    line = sparkline(sessions, now, buckets=24, span_ms=6 * HOUR)
    assert len(line) == 24 and set(line) <= set(SPARK_LEVELS) | {" "} and "█" in line
    assert sum(bucket_counts(sessions, now, 24, 6 * HOUR)) == sum(s.started_at_ms >= now - 6 * HOUR for s in sessions)
