"""SVG snapshot of the Logs screen at a fixed size, from a simulator with a fixed seed and clock."""

from __future__ import annotations

from .helpers import demo_app, settle

SIZE = (120, 40)


def test_logs_snapshot(snap_compare, sim, sim_settings):
    app = demo_app(sim, sim_settings)

    async def opened(pilot):
        await settle(app, pilot)
        await pilot.press("l")
        await settle(app, pilot)
        for _ in range(3):
            await pilot.press("down")
        await settle(app, pilot)

    assert snap_compare(app, terminal_size=SIZE, run_before=opened)
