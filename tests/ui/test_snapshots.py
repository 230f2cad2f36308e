"""SVG snapshots of the screens at a fixed size, from a simulator with a fixed seed and clock."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Input

from .helpers import demo_app, settle

SIZE = (120, 40)
# shown on the Connection screen, so it must not be a per-run temporary path; never written here
SHOWN_CONFIG = Path("/home/you/.config/wiro-voice/config.toml")


def test_overview_snapshot(snap_compare, sim, sim_settings):
    app = demo_app(sim, sim_settings)

    async def loaded(pilot):
        await settle(app, pilot)

    assert snap_compare(app, terminal_size=SIZE, run_before=loaded)


def test_connection_snapshot(snap_compare, sim, sim_settings):
    app = demo_app(sim, sim_settings, config_path=SHOWN_CONFIG)

    async def opened(pilot):
        await settle(app, pilot)
        await pilot.press("n")
        await settle(app, pilot)
        for field in app.screen.query(Input):
            field.cursor_blink = False  # a blinking cursor makes the picture depend on timing
        # the simulator's port differs per run; show the base a real user would have
        app.screen.query_one("#in-api_base", Input).value = "https://api.wiro.ai/v1"
        await pilot.pause()

    assert snap_compare(app, terminal_size=SIZE, run_before=opened)


def test_calls_snapshot(snap_compare, sim, sim_settings):
    app = demo_app(sim, sim_settings)

    async def opened(pilot):
        await settle(app, pilot)
        await pilot.press("c")
        await settle(app, pilot)
        for _ in range(3):
            await pilot.press("down")
        await settle(app, pilot)

    assert snap_compare(app, terminal_size=SIZE, run_before=opened)


def test_session_snapshot(snap_compare, sim, sim_settings):
    app = demo_app(sim, sim_settings)

    async def opened(pilot):
        await settle(app, pilot)
        await pilot.press("c")
        await settle(app, pilot)
        screen = app.screen
        table = screen.query_one("#calls-table")
        rejected = next(s for s in screen._view() if s.status == "realtime_session_rejected")
        table.move_cursor(row=table.get_row_index(rejected.messageguid))
        await pilot.press("enter")
        await settle(app, pilot)

    assert snap_compare(app, terminal_size=SIZE, run_before=opened)
