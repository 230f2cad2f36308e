"""The Calls screen against the simulator: live rows, a table that keeps its place, drill-down, staleness."""

from __future__ import annotations

import csv
import io
import json

import pytest

from tui.ui.screens.calls import CallsScreen
from tui.ui.screens.session import SessionScreen

from .helpers import demo_app, goto_table, notifications, settle, text_of

SIZE = (120, 40)


async def refresh(app, pilot):
    await pilot.press("r")
    await settle(app, pilot)


async def test_rows_arrive_live_and_an_unchanged_payload_mutates_nothing(sim, sim_settings, clock):
    app = demo_app(sim, sim_settings)
    async with app.run_test(size=SIZE) as pilot:
        screen, table = await goto_table(app, pilot, "calls")
        first = table.row_keys()
        assert len(first) >= 40  # about forty past sessions plus the live ones
        before = table.mutations
        await refresh(app, pilot)  # same simulated time: same payload
        assert table.mutations == before
        clock.advance(300)  # five simulated minutes: calls arrive, progress and end
        await refresh(app, pilot)
        assert table.mutations > before
        assert table.row_keys()[0] not in first  # a new call on top
        assert set(table.row_keys()) == {s.messageguid for s in screen._view()}


async def test_the_cursor_stays_on_its_session_through_arrivals_and_a_resort(sim, sim_settings, clock):
    app = demo_app(sim, sim_settings)
    async with app.run_test(size=SIZE) as pilot:
        screen, table = await goto_table(app, pilot, "calls")
        for _ in range(5):
            await pilot.press("down")
        key, line, first = table.cursor_key(), table.cursor_row - table.scroll_y, table.row_keys()[0]
        clock.advance(240)
        await refresh(app, pilot)
        assert table.row_keys().index(first) > 0  # new calls arrived above the cursor
        assert table.cursor_key() == key and table.cursor_row - table.scroll_y == line  # same session, same line
        await pilot.press("s")  # sort: started ascending
        await settle(app, pilot)
        assert table.cursor_key() == key
        assert table.row_keys() == [s.messageguid for s in screen._view()]
        await pilot.press("s")  # next column
        await settle(app, pilot)
        assert table.cursor_key() == key


async def test_enter_explains_why_a_rejected_call_ended(sim, sim_settings):
    app = demo_app(sim, sim_settings)
    async with app.run_test(size=SIZE) as pilot:
        screen, table = await goto_table(app, pilot, "calls")
        rejected = next(s for s in screen._view() if s.status == "realtime_session_rejected")
        table.move_cursor(row=table.get_row_index(rejected.messageguid))
        await pilot.press("enter")
        await settle(app, pilot)
        assert isinstance(app.screen, SessionScreen)
        why = str(app.screen.query_one("#session-why").render())
        client = app.client
        detail = await client.message_detail(messageguid=rejected.messageguid)
        from tui.calls.catalog import explain_rejection

        expected = explain_rejection(detail.metadata["reason"])
        assert expected.known and f"Rejected because: {expected.label}" in why and expected.advice[:30] in why
        await pilot.press("y")  # copy keys: y the call SID, Y the guid (c is Calls, from anywhere)
        assert app.clipboard == rejected.callsid
        await pilot.press("Y")
        assert app.clipboard == rejected.messageguid and isinstance(app.screen, SessionScreen)
        await pilot.press("right_square_bracket")
        await settle(app, pilot)
        viewed = app.screen.key
        assert viewed != rejected.messageguid and viewed == table.row_keys()[table.row_keys().index(rejected.messageguid) + 1]
        await pilot.press("escape")
        await settle(app, pilot)
        assert isinstance(app.screen, CallsScreen)
        assert table.cursor_key() == viewed  # back on the session viewed last, not the one opened


async def test_faults_leave_the_last_rows_marked_stale_and_it_recovers(sim, sim_settings, clock):
    app = demo_app(sim, sim_settings)
    async with app.run_test(size=SIZE) as pilot:
        screen, table = await goto_table(app, pilot, "calls")
        app.client.retry = type(app.client.retry)(retries=0)
        rows = table.row_keys()
        sim.set_faults("500:1.0")
        await refresh(app, pilot)
        stale = screen.query_one("#calls-stale")
        assert stale.display and "stale since" in str(stale.render()) and "500 from Wiro" in str(stale.render())
        assert table.row_keys() == rows
        await pilot.press("v")  # other keys do not hide the warning while polls still fail
        await settle(app, pilot)
        assert stale.display
        sim.set_faults(None)
        await refresh(app, pilot)
        assert not stale.display


async def test_filters_and_export(sim, sim_settings, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("HOME", str(tmp_path))
    downloads = tmp_path / "Downloads"
    downloads.mkdir()
    app = demo_app(sim, sim_settings)
    async with app.run_test(size=SIZE) as pilot:
        screen, table = await goto_table(app, pilot, "calls")
        await pilot.press("v")  # channel: phone only
        await settle(app, pilot)
        assert table.row_count and all(screen._rows[k].channel == "phone" for k in table.row_keys())
        await pilot.press("v")  # web only
        await settle(app, pilot)
        web = table.row_keys()
        assert web and all(screen._rows[k].channel == "web" for k in web)
        await pilot.press("ctrl+e")
        await settle(app, pilot)
        exported = list(downloads.glob("wiro-voice-calls-*.csv"))
        assert len(exported) == 1 and not list(tmp_path.glob("wiro-voice-calls-*"))  # not the current folder
        rows = list(csv.DictReader(io.StringIO(exported[0].read_text())))
        assert len(rows) == len(web)
        assert any(f"{len(web)} sessions written to {exported[0]}" in n for n in notifications(app))  # the full path
        await pilot.press("ctrl+j")
        await settle(app, pilot)
        doc = json.loads(next(downloads.glob("wiro-voice-calls-*.json")).read_text())
        assert {s["messageguid"] for s in doc["sessions"]} == set(web)
        assert app.screen.id == "calls"  # e is Credentials everywhere; the export keys never left Calls


async def test_an_unwritable_export_folder_is_said_once_with_what_to_do(sim, sim_settings, tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path / "home"))  # no Downloads: exports go beside the config file
    (tmp_path / "exports").write_text("a file where the folder should be")
    app = demo_app(sim, sim_settings)
    async with app.run_test(size=SIZE) as pilot:
        await goto_table(app, pilot, "calls")
        await pilot.press("ctrl+e")
        await settle(app, pilot)
        [said] = [n for n in notifications(app) if n.startswith("Export failed")]
        assert said.count("Could not write") == 1 and str(tmp_path / "exports") in said
        assert "export_dir" in said and str(sim_settings.config_path) in said


async def test_keys_never_shadow_the_screen_keys_and_the_palette_comes_from_the_bindings(sim, sim_settings):
    app = demo_app(sim, sim_settings)
    async with app.run_test(size=SIZE) as pilot:
        screen, _table = await goto_table(app, pilot, "calls")
        bar = app.screen.query_one("KeyBar").plain()
        assert "+ Faster" in bar and "- Slower" in bar
        titles = {c.title: c.help for c in app.get_system_commands(screen)}
        for binding in CallsScreen.BINDINGS:
            verb = binding.description[0].lower() + binding.description[1:]
            assert titles[f"calls: {verb}"] == binding.tooltip
        assert len([t for t in titles if t.startswith("calls: ")]) == len(CallsScreen.BINDINGS)


async def test_scrolled_down_the_same_rows_stay_in_view_when_calls_arrive(sim, sim_settings, clock):
    app = demo_app(sim, sim_settings)
    async with app.run_test(size=(120, 24)) as pilot:
        screen, table = await goto_table(app, pilot, "calls")
        await pilot.press("pagedown")
        await settle(app, pilot)
        assert table.scroll_y > 0
        cursor, line, first = table.cursor_key(), table.cursor_row - table.scroll_y, table.row_keys()[0]
        clock.advance(600)  # ten simulated minutes: several new calls on top
        await refresh(app, pilot)
        arrived = table.row_keys().index(first)
        assert arrived > 0  # rows really arrived above
        assert table.cursor_key() == cursor and table.cursor_row - table.scroll_y == line


async def test_rows_with_nulls_and_unknown_values_render(sim, sim_settings):
    from tui.wiro import CallSession

    app = demo_app(sim, sim_settings)
    async with app.run_test(size=SIZE) as pilot:
        screen, table = await goto_table(app, pilot, "calls")
        screen.paused = True
        odd = (
            CallSession(messageguid="odd-1"),
            CallSession(messageguid="odd-2", status="realtime_session_paused", end_reason="space_weather",
                        channel="carrier-pigeon", caller_number="[bold]not markup[/bold]", duration_seconds=-5,
                        started_at_ms=10**17),
        )
        screen._sessions = odd
        screen._refresh_table()
        await settle(app, pilot)
        assert set(table.row_keys()) == {"odd-1", "odd-2"}
        cells = [str(c) for c in table.get_row("odd-2")]
        assert "[bold]not markup[/bold]" in " ".join(cells)
        assert any("space_weather" in c for c in cells)


async def test_polling_stops_while_another_screen_is_shown_or_paused(sim, sim_settings):
    app = demo_app(sim, sim_settings)
    async with app.run_test(size=SIZE) as pilot:
        screen, table = await goto_table(app, pilot, "calls")
        poller = screen.poller
        assert poller.armed and poller.group == "calls-poll"
        await pilot.press("o")
        await settle(app, pilot)
        assert not poller.armed and not poller.running
        polls = poller.polls
        await pilot.press("c")
        await settle(app, pilot)
        assert poller.armed and poller.polls == polls + 1  # back on Calls: the rows as they are now
        await pilot.press("p")
        await settle(app, pilot)
        assert screen.paused and not poller.armed and "paused" in str(screen.query_one("#calls-state").render())
        await pilot.press("p")
        await settle(app, pilot)
        assert not screen.paused and poller.armed


async def test_new_calls_are_highlighted_and_rejections_toast_unless_turned_off(sim, sim_settings, clock):
    app = demo_app(sim, sim_settings)
    async with app.run_test(size=SIZE) as pilot:
        screen, table = await goto_table(app, pilot, "calls")
        with sim.world.lock:
            sim.world.add_call(sim.demo_agent_guid, started=sim.now() - 1, outcome="rejected", reject_reason="concurrent_limit")
        await refresh(app, pilot)
        newest = table.row_keys()[0]
        assert newest in screen._new_until
        assert "bold" in str(table.get_row(newest)[0].style)
        assert any("rejected" in n for n in notifications(app))
        count = len(notifications(app))
        await pilot.press("t")  # toasts off
        with sim.world.lock:
            sim.world.add_call(sim.demo_agent_guid, started=sim.now() - 1, outcome="rejected", reject_reason="concurrent_limit")
        await refresh(app, pilot)
        assert len(notifications(app)) == count + 1  # only the "toasts are off" note itself
        clock.advance(5)  # past the highlight
        screen._tick()
        assert newest not in screen._new_until and "bold" not in str(table.get_row(newest)[0].style)


async def test_durations_of_live_calls_tick_without_a_poll(sim, sim_settings, clock):
    app = demo_app(sim, sim_settings)
    async with app.run_test(size=SIZE) as pilot:
        screen, table = await goto_table(app, pilot, "calls")
        screen.paused = True
        live = next(key for key, row in screen._rows.items() if row.live)
        ended = next(key for key, row in screen._rows.items() if not row.live)
        before_live, before_ended = str(table.get_cell(live, "duration")), str(table.get_cell(ended, "duration"))
        clock.advance(7)
        screen._tick()
        assert str(table.get_cell(live, "duration")) != before_live
        assert str(table.get_cell(ended, "duration")) == before_ended


async def test_interval_and_limit_keys(sim, sim_settings):
    app = demo_app(sim, sim_settings)
    async with app.run_test(size=SIZE) as pilot:
        screen, table = await goto_table(app, pilot, "calls")
        await pilot.press("plus")  # + is faster
        assert screen.interval == 2 and "live · 2 s" in str(screen.query_one("#calls-state").render())
        for _ in range(10):
            await pilot.press("minus")  # - is slower
        assert screen.interval == 60
        await pilot.press("m")
        await settle(app, pilot)
        assert screen.limit == 100 and "last 100" in str(screen.query_one("#calls-state").render())


async def test_an_open_session_in_progress_keeps_updating(sim, sim_settings, clock):
    app = demo_app(sim, sim_settings)
    async with app.run_test(size=SIZE) as pilot:
        screen, table = await goto_table(app, pilot, "calls")
        live = next(key for key, row in screen._rows.items() if row.group == "incoming")
        table.move_cursor(row=table.get_row_index(live))
        await pilot.press("enter")
        await settle(app, pilot)
        session = app.screen
        assert isinstance(session, SessionScreen) and session.poller.armed  # in progress: read again soon
        assert session._view().group == "incoming"
        clock.advance(900)  # long enough for the call to have ended
        session.poller.refresh()
        await settle(app, pilot)
        assert session._view().group == "ended" and not session.poller.armed


async def test_after_home_the_table_follows_new_calls_and_elsewhere_a_marker_counts_them(sim, sim_settings, clock):
    app = demo_app(sim, sim_settings)
    async with app.run_test(size=(120, 24)) as pilot:
        screen, table = await goto_table(app, pilot, "calls")
        await pilot.press("pagedown", "home")  # the steps: go down, press Home, wait
        await settle(app, pilot)
        clock.advance(600)  # ten simulated minutes: several new calls
        await refresh(app, pilot)
        newest = screen._view()[0].messageguid
        assert table.row_keys()[0] == newest and table.cursor_key() == newest and table.scroll_y == 0
        assert "new" not in text_of(app, "#calls-state")
        await pilot.press("pagedown")
        await settle(app, pilot)
        key = table.cursor_key()
        first = table.row_keys()[0]
        clock.advance(600)
        await refresh(app, pilot)
        arrived = table.row_keys().index(first)
        assert arrived > 0 and table.cursor_key() == key
        assert table.new_above == arrived and f"↑ {arrived} new" in text_of(app, "#calls-state")
        await pilot.press("home")
        await settle(app, pilot)
        assert table.new_above == 0 and "new" not in text_of(app, "#calls-state")


async def test_active_now_counts_exactly_the_rows_the_table_shows_in_progress(sim, sim_settings, clock):
    app = demo_app(sim, sim_settings)
    async with app.run_test(size=SIZE) as pilot:
        screen, table = await goto_table(app, pilot, "calls")
        seen = []
        for _ in range(4):
            in_progress = [k for k in table.row_keys() if str(table.get_cell(k, "status")) in ("incoming", "active")]
            assert f"{len(in_progress)} active now" in text_of(app, "#calls-strip")
            seen.append(len(in_progress))
            await pilot.press("g")  # a status filter: the strip counts what is in view
            await settle(app, pilot)
            clock.advance(120)
            await refresh(app, pilot)
        assert seen[0] >= 2 and 0 in seen  # all calls (two in progress), then "incoming" or "rejected" only


async def test_another_agent_drops_everything_the_old_one_showed(sim, sim_settings):
    app = demo_app(sim, sim_settings)
    async with app.run_test(size=SIZE) as pilot:
        screen, table = await goto_table(app, pilot, "calls")
        before = set(table.row_keys())
        assert before and screen._reasons  # rejection reasons looked up for the demo agent
        strip = text_of(app, "#calls-strip")
        app.use_agent(sim.stopped_agent_guid)
        await settle(app, pilot)
        after = set(table.row_keys())
        assert not after & before  # (the stopped agent's own history, if any)
        assert set(screen._reasons) <= after and {s.messageguid for s in screen._sessions} == after
        assert text_of(app, "#calls-strip") != strip


@pytest.mark.parametrize("size, shown", [
    ((80, 24), ["Started", "Caller", "Duration", "Status", "End reason"]),
    ((120, 40), ["Started", "Age", "Channel", "Caller", "Duration", "Status", "End reason"]),
    ((200, 50), ["Started", "Age", "Channel", "Caller", "Duration", "Status", "End reason", "Model"]),
])
async def test_the_columns_that_matter_fit_the_width_without_a_horizontal_scrollbar(sim, sim_settings, size, shown):
    app = demo_app(sim, sim_settings)
    async with app.run_test(size=size) as pilot:
        screen, table = await goto_table(app, pilot, "calls")
        assert [str(c.label) for c in table.ordered_columns] == shown
        assert table.virtual_size.width <= table.scrollable_content_region.width
        assert not table.show_horizontal_scrollbar
        rejected = next(k for k in table.row_keys() if str(table.get_cell(k, "status")) == "rejected")
        assert str(table.get_cell(rejected, "end_reason"))  # the reason is there, cut with … when narrow


async def test_narrowing_the_terminal_drops_columns_and_keeps_the_cursor(sim, sim_settings):
    app = demo_app(sim, sim_settings)
    async with app.run_test(size=(200, 50)) as pilot:
        screen, table = await goto_table(app, pilot, "calls")
        await pilot.press("down", "down", "down")
        key = table.cursor_key()
        await pilot.resize_terminal(80, 24)
        await settle(app, pilot)
        assert "Model" not in [str(c.label) for c in table.ordered_columns]
        assert table.cursor_key() == key and table.row_keys() == [s.messageguid for s in screen._view()]


async def test_the_configured_export_folder_wins(sim, sim_settings, tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))
    (tmp_path / "Downloads").mkdir()
    app = demo_app(sim, sim_settings, export_dir=tmp_path / "exports" / "calls")
    async with app.run_test(size=SIZE) as pilot:
        await goto_table(app, pilot, "calls")
        await pilot.press("ctrl+e")
        await settle(app, pilot)
        [written] = (tmp_path / "exports" / "calls").glob("wiro-voice-calls-*.csv")
        assert not list((tmp_path / "Downloads").iterdir())
        assert any(str(written) in n for n in notifications(app))


async def test_a_wide_terminal_shows_a_rejection_reason_whole(sim, sim_settings):
    # at 200 columns End reason and Caller take the room left, so a reason cut at 120 columns reads whole
    widths = {}
    for size in ((120, 40), (200, 50)):
        app = demo_app(sim, sim_settings)
        async with app.run_test(size=size) as pilot:
            _screen, table = await goto_table(app, pilot, "calls")
            widths[size] = {str(c.label): c.width for c in table.ordered_columns}
            assert table.virtual_size.width <= table.scrollable_content_region.width
            if size == (200, 50):
                reasons = [str(table.get_cell(k, "end_reason")) for k in table.row_keys()]
                assert reasons and not any(r.endswith("…") for r in reasons)
    assert widths[(200, 50)]["End reason"] > widths[(120, 40)]["End reason"]
    assert widths[(200, 50)]["Caller"] > widths[(120, 40)]["Caller"]


async def test_a_big_answers_rows_are_made_in_a_thread_and_used_only_while_they_hold(sim, sim_settings, clock,
                                                                                       monkeypatch):
    """Over SLICE_ROWS sessions, the rows' texts are worked out in a thread while the answer is fetched (keys are
    answered meanwhile); the answer uses them only if the filter, sort and second are still those they were made
    for, and otherwise makes them again."""
    import threading

    from tui.ui.polling import PollAnswer
    from tui.ui.screens import calls as calls_module

    with sim.world.lock:
        for i in range(120):
            sim.world.add_call(sim.demo_agent_guid, started=sim.now() - 60 * (120 - i) - 5, duration=30, prep=1.0)
    made_on: list[bool] = []  # per row: made on the loop's thread?
    real_row_for = calls_module.row_for

    def row_for(*args):
        made_on.append(threading.current_thread() is threading.main_thread())
        return real_row_for(*args)

    monkeypatch.setattr(calls_module, "row_for", row_for)
    app = demo_app(sim, sim_settings)
    async with app.run_test(size=SIZE) as pilot:
        screen, table = await goto_table(app, pilot, "calls")
        screen.poller.paused = True  # only the polls this test asks for
        screen.limit = 200
        screen._tick()  # (the first tick of a screen makes its rows again, for the age texts: done with here)
        made_on.clear()
        screen.poller.refresh()
        await settle(app, pilot)
        assert len(made_on) > calls_module.SLICE_ROWS and not any(made_on)  # all in the thread
        assert table.row_keys() == [s.messageguid for s in screen._view()]
        # the filter changes between the fetch and the answer: the rows made for the old one are not used
        clock.advance(120)
        value = await screen._fetch()
        made_on.clear()
        screen.filter = calls_module.Filter(channel="web", group=None, text="")
        screen._answered(PollAnswer(value, None, 30.0))
        await settle(app, pilot)
        assert made_on and all(made_on)
        assert table.row_keys() == [s.messageguid for s in screen._view()]
        assert table.row_keys() and all(s.channel == "web" for s in screen._view())
