"""The Logs screen against the simulator: newest first, filters, the 30 s poll, pause, staleness, detail."""

from __future__ import annotations

from datetime import UTC, datetime

from tui.activity.events import from_tail
from tui.activity.merge import merge_events
from tui.ui.screens.logs import POLL_SECONDS
from tui.ui.screens.logs_event import LogEventScreen
from tui.ui.screens.logs_text import (
    clip,
    details_width,
    empty_text,
    state_text,
    time_text,
)
from tui.wiro import RetryPolicy
from tui.wiro.models import LogTail

from .helpers import demo_app, goto_table, notifications, settle, text_of

SIZE = (120, 40)


def count_requests(app, sim) -> list[float]:
    """Every Logs request the app's client really sends, with the simulated time it was sent at."""
    sent: list[float] = []
    client = app.client
    original = client.logs

    async def logs(*args, **kwargs):
        sent.append(sim.now())
        return await original(*args, **kwargs)

    client.logs = logs
    return sent


async def test_events_are_shown_newest_first_with_local_times(sim, sim_settings):
    app = demo_app(sim, sim_settings)
    async with app.run_test(size=SIZE) as pilot:
        screen, table = await goto_table(app, pilot, "logs")
        keys = table.row_keys()
        assert len(keys) == 200  # the newest 200 lines of the day
        assert keys == [e.key for e in screen.view()]
        times = [e.at for e in screen.view()]
        assert times == sorted(times, reverse=True)
        newest = screen.view()[0]
        assert str(table.get_row(keys[0])[0]) == datetime.fromtimestamp(newest.at).strftime("%H:%M:%S")
        assert str(table.get_row(keys[0])[1]) == newest.words
        assert "200 events (" in text_of(app, "#logs-state") and "live · every 30 s" in text_of(app, "#logs-state")


async def test_a_refresh_within_the_cache_changes_nothing_and_says_why(sim, sim_settings, clock):
    app = demo_app(sim, sim_settings)
    async with app.run_test(size=SIZE) as pilot:
        screen, table = await goto_table(app, pilot, "logs")
        before, events = table.mutations, screen._events
        await pilot.press("r")
        await settle(app, pilot)
        assert table.mutations == before and screen._events is events
        assert any("Wiro caches the log for 30 s" in n for n in notifications(app))
        clock.advance(600)  # ten simulated minutes: calls arrive
        first = table.row_keys()[0]
        await pilot.press("r")
        await settle(app, pilot)
        assert table.mutations > before
        assert table.row_keys().index(first) > 0  # new events on top
        assert len(screen._events) > 200  # older events that left Wiro's window are kept


async def test_polls_come_no_faster_than_every_30_simulated_seconds(sim, sim_settings, clock):
    app = demo_app(sim, sim_settings)
    async with app.run_test(size=SIZE) as pilot:
        screen, _table = await goto_table(app, pilot, "logs")
        sent = count_requests(app, sim)
        clock.advance(POLL_SECONDS - 1)
        screen.poller.fire()
        await settle(app, pilot)
        assert sent == []
        clock.advance(1)
        screen.poller.fire()
        await settle(app, pilot)
        assert len(sent) == 1
        await pilot.press("o")  # away and back within the 30 s: nothing asked
        await settle(app, pilot)
        assert not screen.poller.armed
        await pilot.press("l")
        await settle(app, pilot)
        screen.poller.fire()
        await settle(app, pilot)
        assert len(sent) == 1 and screen.poller.armed
        clock.advance(POLL_SECONDS)
        screen.poller.fire()
        await settle(app, pilot)
        assert len(sent) == 2 and sent[1] - sent[0] >= POLL_SECONDS


async def test_pause_stops_polling_and_resume_catches_up(sim, sim_settings, clock):
    app = demo_app(sim, sim_settings)
    async with app.run_test(size=SIZE) as pilot:
        screen, _table = await goto_table(app, pilot, "logs")
        sent = count_requests(app, sim)
        await pilot.press("space")
        await settle(app, pilot)
        assert screen.paused and not screen.poller.armed and "paused" in text_of(app, "#logs-state")
        clock.advance(5 * POLL_SECONDS)
        screen.poller.fire()
        await settle(app, pilot)
        assert sent == []
        await pilot.press("space")
        await settle(app, pilot)
        assert not screen.paused and len(sent) == 1  # it was due meanwhile: one poll, at once


async def test_filter_text_and_kind_narrow_the_table(sim, sim_settings):
    app = demo_app(sim, sim_settings)
    async with app.run_test(size=SIZE) as pilot:
        screen, table = await goto_table(app, pilot, "logs")
        everything = table.row_count
        await pilot.press("slash")
        assert app.focused is screen.query_one("#logs-filter")
        screen.query_one("#logs-filter").value = "HubSpot"
        await settle(app, pilot)
        assert 0 < table.row_count < everything
        assert all("hubspot" in " ".join(str(c) for c in table.get_row(k)).lower() for k in table.row_keys())
        await pilot.press("escape")  # back to the table; the filter stays
        assert app.focused is table
        await pilot.press("k")  # calls only
        await settle(app, pilot)
        assert "calls" in text_of(app, "#logs-state")
        assert table.row_count == 0 and "No event matches the filter" in text_of(app, "#logs-empty")
        screen.query_one("#logs-filter").value = ""
        await settle(app, pilot)
        shown = {e.kind for e in screen.view()}
        assert table.row_count and shown <= {"session_start", "session_end"}
        for _ in range(5):  # conversation, tools, scheduled jobs, credits, failures
            await pilot.press("k")
        await settle(app, pilot)
        assert "failures" in text_of(app, "#logs-state")
        assert table.row_count and all(e.failed for e in screen.view())
        assert set(table.row_keys()) == {e.key for e in screen.view()}


async def test_faults_leave_the_last_events_marked_stale_and_it_recovers(sim, sim_settings, clock):
    app = demo_app(sim, sim_settings)
    async with app.run_test(size=SIZE) as pilot:
        screen, table = await goto_table(app, pilot, "logs")
        app.client.retry = RetryPolicy(retries=0)
        rows = table.row_keys()
        sim.set_faults("500:1.0")
        clock.advance(POLL_SECONDS)
        screen.poller.fire()
        await settle(app, pilot)
        stale = screen.query_one("#logs-stale")
        line = str(stale.render())
        assert stale.display and "stale since" in line and "500 from Wiro" in line and "retrying in 60 s" in line
        assert table.row_keys() == rows
        sent = count_requests(app, sim)
        clock.advance(POLL_SECONDS)  # backing off: not yet
        screen.poller.fire()
        await settle(app, pilot)
        assert sent == [] and stale.display
        sim.set_faults(None)
        clock.advance(POLL_SECONDS)
        screen.poller.fire()
        await settle(app, pilot)
        assert len(sent) == 1 and not stale.display
        assert set(rows) <= set(table.row_keys())  # the events shown before are all still there


async def test_an_agent_without_a_log_says_what_to_do(sim, sim_settings):
    app = demo_app(sim, sim_settings, agent=sim.setup_agent_guid)
    async with app.run_test(size=SIZE) as pilot:
        _screen, table = await goto_table(app, pilot, "logs")
        line = text_of(app, "#logs-stale")
        assert "not running" in line and "Start the agent" in line
        assert table.row_count == 0 and "could not be read" in text_of(app, "#logs-empty")


async def test_enter_shows_every_key_of_the_event(sim, sim_settings):
    app = demo_app(sim, sim_settings)
    async with app.run_test(size=SIZE) as pilot:
        screen, table = await goto_table(app, pilot, "logs")
        event = next(e for e in screen.view() if e.kind == "session_start")
        table.move_cursor(row=table.get_row_index(event.key))
        await pilot.press("enter")
        await settle(app, pilot)
        assert isinstance(app.screen, LogEventScreen)
        body = str(app.screen.query_one("#log-event-keys").render())
        for name, value in event.fields:
            assert name in body and value in body
        assert event.title in body and "call started (session_start)" in body and event.ts in body
        await pilot.press("escape")
        await settle(app, pilot)
        assert app.screen is screen


async def test_odd_events_render_as_text(sim, sim_settings):
    app = demo_app(sim, sim_settings)
    async with app.run_test(size=SIZE) as pilot:
        screen, table = await goto_table(app, pilot, "logs")
        screen.paused = True
        odd = from_tail(LogTail.parse({"events": [
            {"ts": "not a time", "kind": "weird\x1bKind", "title": "[bold]not markup[/bold]", "nested": {"a": [1, {}]}},
            {"kind": None},
        ]}))
        screen._events = merge_events((), odd).events
        screen._refresh_table()
        await settle(app, pilot)
        assert table.row_count == 2
        cells = " ".join(str(c) for key in table.row_keys() for c in table.get_row(key))
        assert "[bold]not markup[/bold]" in cells and "nested.a[0]=1" in cells and "nested.a[1]={}" in cells
        assert "\x1b" not in cells and "not a t" in cells


async def test_palette_commands_are_named_logs(sim, sim_settings):
    app = demo_app(sim, sim_settings)
    async with app.run_test(size=SIZE) as pilot:
        screen, _table = await goto_table(app, pilot, "logs")
        titles = [c.title for c in app.get_system_commands(screen)]
        assert {"logs: open", "logs: pause refresh", "logs: refresh", "logs: filter", "logs: cycle kind"} <= set(titles)
        ids = {b.id for b in screen.BINDINGS}
        assert {"logs.open", "logs.pause", "logs.refresh", "logs.filter", "logs.kind"} <= ids


def test_text_helpers():
    def utc(t):
        return datetime.fromtimestamp(t, UTC)

    assert clip("abcdef", 4) == "abc…" and clip("abc", 4) == "abc"
    assert details_width(120) >= 24 and details_width(40) == 24
    [event] = from_tail(LogTail.parse({"events": [{"ts": "2026-04-24T01:02:03Z", "kind": "x"}]}))
    assert time_text(event, utc) == "01:02:03"
    from tui.activity.filters import ActivityFilter

    line = state_text(paused=False, poll_seconds=30, wanted=ActivityFilter(text="a"), shown=3, kept=10,
                      total_lines=300, day="2026-04-24")
    assert line == "live · every 30 s · all kinds · 2026-04-24 · 3 of 10 events (300 in the day's log)"
    assert "Loading" in empty_text(loaded=False, filtered=False)
    assert "No events for this day" in empty_text(loaded=True, filtered=False)


async def test_a_big_answer_is_merged_and_filtered_in_a_thread_and_used_only_while_that_holds(sim, sim_settings,
                                                                                                clock, monkeypatch):
    """Over SLICE_ROWS events, the merge with what is shown and the filter are worked out in a thread while the
    answer is fetched; the answer uses them only if the events shown and the filter are still those they were
    worked out from, and otherwise works them out again."""
    import threading

    from tui.ui.polling import PollAnswer
    from tui.ui.screens import logs as logs_module

    merged_on: list[bool] = []  # per merge: on the loop's thread?
    real_merge = logs_module.merge_events

    def merge(*args, **kwargs):
        merged_on.append(threading.current_thread() is threading.main_thread())
        return real_merge(*args, **kwargs)

    monkeypatch.setattr(logs_module, "merge_events", merge)
    app = demo_app(sim, sim_settings)
    async with app.run_test(size=SIZE) as pilot:
        screen, table = await goto_table(app, pilot, "logs")
        screen.poller.paused = True  # only the polls this test asks for
        shown = table.row_count
        for i in range(300):
            sim.world.add_log_event(sim.demo_agent_guid, "tool_completed", f"Looked up order {i}",
                                    at=sim.now() + 1 + i / 10, tool="exec", ok=True)
        clock.advance(POLL_SECONDS + 40)
        sim.world.logs_cache.clear()
        merged_on.clear()
        screen.poller.refresh()
        await settle(app, pilot)
        assert merged_on == [False]  # once, in the thread
        assert table.row_count > shown and table.row_keys() == [e.key for e in screen.view()]
        # the filter changes between the fetch and the answer: what was worked out for the old one is not used
        for i in range(300, 600):
            sim.world.add_log_event(sim.demo_agent_guid, "tool_completed", f"Looked up order {i}",
                                    at=sim.now() + 1 + i / 10, tool="exec", ok=i % 2 == 0)
        clock.advance(POLL_SECONDS + 40)
        sim.world.logs_cache.clear()
        snap = await screen._fetch()
        assert snap.prepared is not None
        screen.filter = screen.filter.with_text("order 4")
        merged_on.clear()
        screen._answered(PollAnswer(snap, None, 30.0))
        await settle(app, pilot)
        assert table.row_keys() == [e.key for e in screen.view()]
        assert table.row_keys() and all("order 4" in e.title for e in screen.view())
        # the events shown change between the fetch and the answer: the merge is made again, on the loop
        snap = await screen._fetch()
        screen._events = screen._events[1:]
        merged_on.clear()
        screen._answered(PollAnswer(snap, None, 30.0))
        assert merged_on == [True]
