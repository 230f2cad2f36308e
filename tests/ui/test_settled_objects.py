"""What the dashboard built at start is set aside from garbage collection once it has settled, and given back
when it quits (the tests run many apps in one process: nothing may stay frozen after one)."""

from __future__ import annotations

import asyncio
import gc

from tui.ui import app as app_module

from .helpers import demo_app


async def test_start_up_objects_are_frozen_once_settled_and_released_on_exit(sim, sim_settings, monkeypatch):
    monkeypatch.setattr(app_module, "SETTLED_SECONDS", 0.2)
    assert gc.get_freeze_count() == 0
    app = demo_app(sim, sim_settings)
    async with app.run_test(size=(120, 40)) as pilot:
        assert gc.get_freeze_count() == 0  # not while it starts
        for _ in range(100):
            if gc.get_freeze_count():
                break
            await asyncio.sleep(0.02)
        frozen = gc.get_freeze_count()
        assert frozen > 10_000, frozen  # the app's screens, styles and modules
        await pilot.press("c")  # the app goes on as before
        await pilot.pause()
        assert app.screen.id == "calls"
    assert gc.get_freeze_count() == 0
