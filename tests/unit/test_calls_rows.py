"""Call rows: the display values of each session, stable between builds, safe with odd data."""

from __future__ import annotations

from datetime import datetime, timezone

from tui.calls.rows import COLUMN_KEYS, COLUMNS, TIME_COLUMNS, CallRow, row_for, rows_for, started_text
from tui.calls.text_table import cell_width, fit, render_table
from tui.wiro import WiroClient
from tui.wiro.models import CallSession

NOW_MS = 1_777_000_000_000  # 2026-04-24 03:06:40 UTC (the tests pin TZ=UTC)


async def history(sim, guid=None, limit=200) -> list[CallSession]:
    async with WiroClient(sim.api_key, base_url=sim.wiro_base) as client:
        return await client.call_history(guid or sim.demo_agent_guid, limit)


def now_ms(sim) -> int:
    return int(sim.now() * 1000)


def test_columns_are_declared_once_with_ids_and_titles():
    assert COLUMN_KEYS == ("started", "age", "channel", "caller", "duration", "status", "end_reason", "model")
    assert all(c.title for c in COLUMNS)
    assert TIME_COLUMNS <= set(COLUMN_KEYS)


async def test_rows_are_equal_across_two_builds_at_the_same_now(sim):
    sessions = await history(sim)
    now = now_ms(sim)
    first, second = rows_for(sessions, now), rows_for(await history(sim), now)
    assert first == second and len(first) == len(sessions)
    assert [r.key for r in first] == [s.messageguid for s in sessions]
    assert all(isinstance(cell, str) for r in first for cell in r.cells())


async def test_only_time_cells_move_with_time_and_only_for_sessions_in_progress(sim):
    sessions = await history(sim)
    now = now_ms(sim)
    before, later = rows_for(sessions, now), rows_for(sessions, now + 3_600_000)
    for a, b in zip(before, later):
        moved = {key for key in COLUMN_KEYS if a.cell(key) != b.cell(key)}
        assert moved <= TIME_COLUMNS
        if not a.live:
            assert a.duration == b.duration
    assert any(r.live and r.duration for r in before)
    # Sessions that are over do not move while the displayed age stays the same.
    settled = [s for s in sessions if s.status in ("realtime_session", "realtime_session_rejected")]
    assert rows_for(settled, now) == rows_for(settled, now + 900)


async def test_a_row_shows_the_session_in_words(sim):
    rows = {r.key: r for r in rows_for(await history(sim), now_ms(sim))}
    sessions = {s.messageguid: s for s in await history(sim)}
    withheld = next(r for k, r in rows.items() if sessions[k].caller_number == "+266696687")
    assert withheld.caller == "withheld" and withheld.channel == "phone"
    web = next(r for r in rows.values() if r.channel == "web")
    assert web.page_url and web.call_sid.startswith("voice-call-")
    capped = next(r for r in rows.values() if r.end_reason == "hit the time limit")
    assert capped.duration == "10m 00s" and capped.duration_seconds == 600 and capped.group == "ended"
    rejected = next(r for r in rows.values() if r.group == "rejected")
    assert rejected.duration == "" and rejected.duration_seconds is None and rejected.status == "rejected"


def test_rows_with_nulls_unknown_keys_and_control_characters_render():
    bare = CallSession.parse({"messageguid": "m-1", "surprise": {"nested": [1, 2]}})
    row = row_for(bare, NOW_MS)
    assert row == CallRow(key="m-1", started="", age="", channel="unknown", caller="withheld", duration="",
                          status="unknown", end_reason="", model="", duration_seconds=None, group="unknown",
                          live=False, call_sid="", page_url="", started_ms=None)
    odd = CallSession.parse({
        "messageguid": "m-2", "channel": "web", "callsid": "voice-call-\x1b[2J", "status": "realtime_session_paused",
        "endReason": "new_reason\x07", "modelSlug": "gpt\r\nx", "startedAt": NOW_MS - 5000,
        "callerInfo": {"page_url": "https://e.example/\x1b]52;c;aGk=\x07"},
    })
    row = row_for(odd, NOW_MS)
    assert all(cell.isprintable() for cell in row.cells() + (row.call_sid, row.page_url))
    assert row.status == "realtime_session_paused" and row.group == "unknown" and row.end_reason == "new_reason "


def test_started_text_is_local_time_of_day_today_and_dated_otherwise():
    utc = lambda seconds: datetime.fromtimestamp(seconds, timezone.utc)  # noqa: E731
    assert started_text(NOW_MS - 60_000, NOW_MS, utc) == "03:05:40"
    assert started_text(NOW_MS - 4 * 3_600_000, NOW_MS, utc) == "Apr 23 23:06"
    assert started_text(None, NOW_MS) == ""
    assert started_text(10**20, NOW_MS) == "?"  # beyond what the platform can date


def test_a_repeated_key_keeps_its_first_row():
    a = CallSession(messageguid="k", status="realtime_session_active", started_at_ms=NOW_MS)
    b = CallSession(messageguid="k", status="realtime_session", duration_seconds=3)
    rows = rows_for([a, b], NOW_MS)
    assert len(rows) == 1 and rows[0].live


async def test_rows_follow_a_call_through_its_life(sim, clock):
    with sim.world.lock:
        call = sim.world.add_call(sim.stopped_agent_guid, prep=3.0, duration=60, end_reason="max_duration")
    seen = []
    for step in (0, 4, 30, 60):
        clock.advance(step)
        [session] = await history(sim, sim.stopped_agent_guid)
        assert session.messageguid == call.guid
        seen.append(row_for(session, now_ms(sim)))
    assert [r.group for r in seen] == ["incoming", "active", "active", "ended"]
    assert [r.live for r in seen] == [True, True, True, False]
    assert [r.duration for r in seen] == ["0s", "4s", "34s", "1m 00s"]
    assert seen[-1].end_reason == "hit the time limit"


def test_the_text_table_aligns_wide_characters_and_cuts_long_callers():
    assert cell_width("abc") == 3 and cell_width("日本") == 4 and cell_width("e\u0301") == 1
    assert fit("日本語テキスト", 5) == "日本…" and fit("short", 10) == "short" and fit("x", 0) == ""
    wide = CallSession.parse({"messageguid": "w", "channel": "web", "callerInfo": {"display_identifier": "山田 太郎"}})
    long = CallSession.parse({"messageguid": "l", "channel": "web", "callerInfo": {"page_url": "https://x.example/" + "p" * 80}})
    header, *lines = render_table(rows_for([wide, long], NOW_MS), caller_max=30)
    # Both rows have status "unknown": it starts in the same terminal column whatever the caller's width.
    starts = [cell_width(line[: line.index("unknown")]) for line in lines]
    assert starts[0] == starts[1] > header.index("duration")
    assert "…" in lines[1] and "p" * 40 not in lines[1]
