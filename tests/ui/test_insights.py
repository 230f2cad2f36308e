"""The Insights screen with Pilot against the simulator: it fetches and counts on opening, agrees with
`wiro-voice insights --json`, changes period, opens a missed call with the doctor's advice, stacks its charts
at 80×24, owns the `i` key everywhere, and shows a history problem in the header."""

from __future__ import annotations

import io
import json
import sqlite3

import pytest
from textual.binding import Binding
from textual.widgets import DataTable, Input

from tui.cli.insights import run_insights
from tui.doctor.checks_history import missed_call_advice
from tui.config import Secret
from tui.history.keeper import History
from tui.history.schema import APPLICATION_ID
from tui.twilio import classify
from tui.ui.app import WiroVoiceApp
from tui.ui.navigation import DESTINATIONS
from tui.wiro import WiroClient

from .helpers import SCREEN_KEYS, demo_app, goto, settle, text_of

SIZE = (120, 40)


def with_token(sim, sim_settings):
    """TWILIO_AUTH_TOKEN as the environment gives it: Twilio's call log can be read."""
    return sim_settings.with_(twilio_auth_token=Secret(sim.twilio_auth_token))


async def test_opening_fetches_and_counts_the_same_as_the_command(sim, sim_settings, tmp_path):
    settings = with_token(sim, sim_settings)
    app = demo_app(sim, settings)
    async with app.run_test(size=SIZE) as pilot:
        screen = await goto(app, pilot, "insights", rounds=5)
        figures = screen.figures
        assert figures is not None and figures.scope.period.key == "7d"
        assert figures.missed > 0 and figures.reached > 0 and figures.cost_usd > 0
        assert text_of(app, "#insights-figures").startswith(f"{figures.calls} calls: {figures.reached} reached")
        assert "not visible here" in text_of(app, "#insights-caveat")
        assert screen.query_one("#insights-missed", DataTable).row_count == figures.missed
        assert app.history_problem is None
    # the command, against the same simulator at the same moment, with a history of its own
    history = History(tmp_path / "cli" / "history.sqlite3", clock=sim.now)
    out, err = io.StringIO(), io.StringIO()
    async with WiroClient(sim.api_key, base_url=sim.wiro_base) as client:
        assert await run_insights(client, sim.demo_agent_guid, settings.with_(agent=sim.demo_agent_guid), history,
                                  since="7d", fmt="json", out=out, err=err, now=sim.now) == 0
    history.close()
    document = json.loads(out.getvalue())
    assert {key: document[key] for key in figures.to_json()} == figures.to_json()


async def test_periods_by_key_and_a_custom_one(sim, sim_settings):
    app = demo_app(sim, with_token(sim, sim_settings))
    async with app.run_test(size=SIZE) as pilot:
        screen = await goto(app, pilot, "insights", rounds=5)
        week = screen.figures
        await pilot.press("t")
        await settle(app, pilot, rounds=5)
        assert screen.figures.scope.period.key == "today" and len(screen.figures.series) == 24
        await pilot.press("3")
        await settle(app, pilot, rounds=5)
        assert screen.figures.scope.period.key == "30d" and screen.figures.calls >= week.calls
        await pilot.press("p")
        field = screen.query_one("#insights-custom", Input)
        assert field.has_focus and not field.disabled
        field.value = "last tuesday"
        await pilot.press("enter")
        await settle(app, pilot)
        assert "is not a period" in text_of(app, "#insights-state") and screen.spec == "30d"
        field.value = "2026-04-22..2026-04-24"
        await pilot.press("enter")
        await settle(app, pilot, rounds=5)
        assert screen.spec == "2026-04-22..2026-04-24" and field.disabled
        assert screen.figures.scope.period.label == "2026-04-22 to 2026-04-24"
        assert "2026-04-22..2026-04-24" in text_of(app, "#insights-periods")


async def test_enter_on_a_missed_call_shows_twilios_record_and_the_advice(sim, sim_settings):
    app = demo_app(sim, with_token(sim, sim_settings))
    async with app.run_test(size=SIZE) as pilot:
        screen = await goto(app, pilot, "insights", rounds=5)
        table = screen.query_one("#insights-missed", DataTable)
        assert table.has_focus and table.row_count > 1
        routed = next(i for i, c in enumerate(screen.missed) if c.cause == "routed_elsewhere")
        table.move_cursor(row=routed)
        await pilot.press("enter")
        await settle(app, pilot)
        assert app.screen.id == "missed-call"
        record = text_of(app, "#missed-call-record")
        call = screen.missed[routed]
        assert call.twilio.sid in record and "Wiro: no session" in record and "routed elsewhere" in record
        advice = missed_call_advice(call)
        assert advice in (classify.FLIP_TO_WEBHOOK, classify.SAVE_AGAIN)
        assert text_of(app, "#missed-call-advice") == f"What to do: {advice}"
        await pilot.press("escape")
        await settle(app, pilot)
        assert app.screen.id == "insights"


async def test_at_80x24_the_charts_stack_and_the_body_scrolls(sim, sim_settings):
    app = demo_app(sim, with_token(sim, sim_settings))
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await goto(app, pilot, "insights", rounds=5)
        charts = screen.query_one("#insights-charts")
        assert charts.has_class("-stacked")
        assert all(plot.size.width >= 60 for plot in screen.query("PlotextPlot"))
        body = screen.query_one("#insights-body")
        assert body.max_scroll_y > 0
    app = demo_app(sim, with_token(sim, sim_settings))
    async with app.run_test(size=(140, 50)) as pilot:
        screen = await goto(app, pilot, "insights", rounds=5)
        assert not screen.query_one("#insights-charts").has_class("-stacked")


@pytest.mark.long
async def test_i_opens_insights_from_every_screen_and_nothing_binds_it(sim, sim_settings):
    from importlib import import_module

    for destination in DESTINATIONS:
        module, _, name = destination.screen_path.partition(":")
        screen_class = getattr(import_module(f"tui.ui.screens.{module}"), name)
        keys = {key.strip() for b in screen_class.BINDINGS if isinstance(b, Binding) for key in b.key.split(",")}
        keys |= {b[0] for b in screen_class.BINDINGS if isinstance(b, tuple)}
        assert "i" not in keys or destination.mode == "insights", f"{name} binds i"
    assert SCREEN_KEYS["insights"] == "i" and any(d.key == "i" and d.mode == "insights" for d in DESTINATIONS)
    app = demo_app(sim, sim_settings)
    async with app.run_test(size=SIZE) as pilot:
        for mode in ("calls", "logs", "doctor", "webhooks", "hold"):
            await goto(app, pilot, mode, rounds=2)
            app.set_focus(None)
            await pilot.press("i")
            await settle(app, pilot)
            assert app.screen.id == "insights", f"i on {mode} showed {app.screen.id}"


async def test_palette_entries(sim, sim_settings):
    app = demo_app(sim, sim_settings)
    async with app.run_test(size=SIZE) as pilot:
        await goto(app, pilot, "insights", rounds=3)
        titles = [c.title for c in app.get_system_commands(app.screen)]
    assert {"insights: open", "insights: today", "insights: last 7 days", "insights: last 30 days",
            "insights: custom period", "insights: refresh"} <= set(titles)


async def test_without_a_twilio_token_it_says_missed_calls_cannot_be_seen(sim, sim_settings):
    app = demo_app(sim, sim_settings)  # no TWILIO_AUTH_TOKEN, not the demo: no Twilio access
    async with app.run_test(size=SIZE) as pilot:
        screen = await goto(app, pilot, "insights", rounds=5)
        assert screen.figures.missed == 0 and screen.figures.reached > 0
        assert "TWILIO_AUTH_TOKEN" in text_of(app, "#insights-state")


async def test_a_history_file_from_a_newer_version_shows_in_the_header(sim, sim_settings, tmp_path):
    path = sim_settings.config_path.parent / "history.sqlite3"
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    conn.execute("PRAGMA user_version = 42")
    conn.commit()
    conn.close()
    app = demo_app(sim, with_token(sim, sim_settings))
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot, rounds=4)  # the Overview's poll records, and is refused
        assert app.history_problem is not None and app.history_problem.kind == "newer"
        assert "history: file from a newer version, not used" in app.screen.query_one("AppHeader").plain()
        screen = await goto(app, pilot, "insights", rounds=5)
        assert "version 42" in text_of(app, "#insights-state")
        assert screen.figures is None


def test_the_app_class_still_has_one_binding_per_destination():
    keys = [b.key for b in WiroVoiceApp.BINDINGS if isinstance(b, Binding)]
    assert keys.count("i") == 1


def test_the_charts_library_loads_only_with_the_screen():
    import subprocess
    import sys

    code = ("import sys, tui.ui.app, tui.ui.screens.overview; "
            "print(any(m.split('.')[0] in ('plotext', 'textual_plotext') for m in sys.modules)); "
            "import tui.ui.screens.insights; print('textual_plotext' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert out == ["False", "True"]
