"""SVG snapshot of the Insights screen at a fixed size, from a simulator with a fixed seed and clock: the
figures, the four charts side by side in the theme's colours, and the first missed calls."""

from __future__ import annotations

from tui.config import Secret

from .helpers import demo_app, settle

SIZE = (120, 40)


def test_insights_snapshot(snap_compare, sim, sim_settings):
    # Twilio's call log read with the demo account's token (fixed by the seed), as TWILIO_AUTH_TOKEN gives it
    app = demo_app(sim, sim_settings.with_(twilio_auth_token=Secret(sim.twilio_auth_token)))

    async def opened(pilot):
        await settle(app, pilot)
        await pilot.press("i")
        await settle(app, pilot, rounds=5)

    assert snap_compare(app, terminal_size=SIZE, run_before=opened)
