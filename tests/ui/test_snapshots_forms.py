"""SVG snapshots of Credentials (with a few problems showing), Webhooks (every verdict) and Hold (a timeline)."""

from __future__ import annotations

from textual.widgets import Input, TextArea

from tui.ui.widgets.list_editor import ListEditor

from .helpers import demo_app, settle

SIZE = (120, 50)
# the simulator's port changes per run: show the URL a real credential would hold
SHOWN_MUSIC = "https://cdn.wiro.ai/uploads/bosphorus/hold-loop.mp3"


def _no_blink(app) -> None:
    for field in app.screen.query(Input):
        field.cursor_blink = False
    for area in app.screen.query(TextArea):
        area.cursor_blink = False


def test_credentials_snapshot(snap_compare, sim, sim_settings):
    app = demo_app(sim, sim_settings)

    async def opened(pilot):
        await settle(app, pilot)
        await pilot.press("e")
        await settle(app, pilot, rounds=4)
        screen = app.screen
        screen.query_one("#in-holdmusic", Input).value = SHOWN_MUSIC
        screen.query_one("#in-accountsid", Input).value = "SK" + "3f" * 16  # an API Key SID: the classic mistake
        screen.query_one("#list-whitelistedcallers", ListEditor).set_items(["4155550100", "+14155550100"])
        screen._validate()
        _no_blink(app)
        screen.set_focus(None)
        await settle(app, pilot)

    assert snap_compare(app, terminal_size=SIZE, run_before=opened)


def test_webhooks_snapshot(snap_compare, sim, sim_settings):
    app = demo_app(sim, sim_settings)

    async def verified(pilot):
        await settle(app, pilot)
        await pilot.press("w")
        await settle(app, pilot, rounds=4)
        app.screen.query_one("#in-twilio-token", Input).value = sim.twilio_auth_token
        await pilot.press("ctrl+t")
        await settle(app, pilot, rounds=4)
        app.screen.query_one("#in-twilio-token", Input).value = ""  # nothing secret in the picture
        app.screen.query_one("#webhooks-table").move_cursor(row=1)  # the TwiML App number, with its fix
        _no_blink(app)
        app.screen.set_focus(None)
        await settle(app, pilot)

    assert snap_compare(app, terminal_size=SIZE, run_before=verified)


def test_hold_snapshot(snap_compare, sim, sim_settings):
    app = demo_app(sim, sim_settings)

    async def rendered(pilot):
        await settle(app, pilot)
        await pilot.press("h")
        await settle(app, pilot, rounds=8)

    assert snap_compare(app, terminal_size=SIZE, run_before=rendered)
