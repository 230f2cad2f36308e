"""SVG snapshot of the Fleet screen at a fixed size, from a simulator with a fixed seed and clock, with Twilio
credentials at hand (the demo account's own) so the webhook column shows Twilio's view."""

from __future__ import annotations

from .helpers import demo_app, settle
from .test_fleet import with_twilio

SIZE = (140, 40)


def test_fleet_snapshot(snap_compare, sim, sim_settings):
    app = demo_app(sim, with_twilio(sim, sim_settings))

    async def opened(pilot):
        await settle(app, pilot)
        await pilot.press("f")
        await settle(app, pilot)
        app.clear_notifications()  # the alert's toast times out on wall time: not part of the picture
        await settle(app, pilot)

    assert snap_compare(app, terminal_size=SIZE, run_before=opened)
