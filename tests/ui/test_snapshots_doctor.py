"""SVG snapshot of the Doctor screen at a fixed size, from a simulator with a fixed seed and clock."""

from __future__ import annotations

from tui.config import Secret

from .helpers import demo_app, settle

SIZE = (120, 40)


def test_doctor_snapshot(snap_compare, sim, sim_settings):
    # the routing checks run with the demo account's token (fixed by the seed), as TWILIO_AUTH_TOKEN gives it
    app = demo_app(sim, sim_settings.with_(twilio_auth_token=Secret(sim.twilio_auth_token)))

    async def opened(pilot):
        await settle(app, pilot)
        await pilot.press("d")
        await settle(app, pilot, rounds=5)
        await pilot.press("down")
        await settle(app, pilot)

    assert snap_compare(app, terminal_size=SIZE, run_before=opened)
