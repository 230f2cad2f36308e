"""Soak: Calls, Overview and Logs polling a simulator that fails 20 % of requests (500, 429, timeouts, garbage
JSON, dropped connections), driven headless with Pilot; see `soak.py` for what is checked at every poll.

In CI each screen runs WIRO_VOICE_SOAK_POLLS polls (default 60). The full length, 400 polls per screen
(1200 in all), is one command from the checkout:

    python tests/soak_full.py

Half of each run uses no client retries (every fault reaches the screen), half the default retry policy (the
screen sees what survives three retries); retry waits are recorded, not slept. Each run starts with a poll
the simulator holds (a `timeout` on every request) to prove keys are answered while a request is waiting, and
ends failing on purpose, then with the faults off: the very next poll must recover.
"""

from __future__ import annotations

import os

import pytest

from tui.ui.navigation import DESTINATIONS
from tui.wiro import RetryPolicy

from .soak import (
    DRIVERS,
    HOLD,
    SOAK_FAULTS,
    SoakApp,
    SoakStats,
    alive,
    count_faults,
    one_poll,
    settle,
)

pytestmark = pytest.mark.long

POLLS = int(os.environ.get("WIRO_VOICE_SOAK_POLLS", "60"))
SIZE = (120, 40)


def _modes() -> list[str]:
    return [d.mode for d in DESTINATIONS if d.mode in DRIVERS]


def test_every_polling_screen_has_a_soak_driver():
    """Calls, Overview and Logs are the screens that poll; a missing one is said, not silently skipped."""
    assert set(DRIVERS) <= {d.mode for d in DESTINATIONS}, f"missing screens: {set(DRIVERS) - set(_modes())}"


@pytest.mark.parametrize("mode", _modes())
async def test_soak_under_faults(mode, sim, sim_settings, clock, capsys):
    sim.timeout_hold = HOLD
    app = SoakApp(sim_settings.with_(agent=sim.demo_agent_guid), clock=sim.now)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot, rounds=3)
        if mode != "overview":
            await pilot.press(app.key_for(mode))
            await settle(app, pilot, rounds=3)
        assert app.screen.id == mode
        driver = DRIVERS[mode](app, sim, clock)
        last_good = driver.shown()
        assert driver.stale_text() is None and driver.matches(last_good, driver.truth())
        stats = SoakStats()

        # a poll the simulator holds: the key is answered while the request is still waiting
        app.client.retry = RetryPolicy(retries=0)
        sim.set_faults("timeout:1.0")
        last_good = await one_poll(driver, pilot, stats, last_good)
        assert stats.answered_in_flight == 1 and stats.failed == 1

        sim.set_faults(SOAK_FAULTS)
        for i in range(POLLS):
            app.client.retry = RetryPolicy(retries=0) if i < POLLS // 2 else RetryPolicy()
            last_good = await one_poll(driver, pilot, stats, last_good)
        soaked_failures = stats.failed - 1
        assert soaked_failures > 0, "no poll failed: the soak proved nothing about staleness"
        assert stats.polls - stats.failed > POLLS // 3, "too few polls got through: faults are not 20 %"

        # fail on purpose, then stop the faults: the next poll (whenever the screen armed it) recovers
        app.client.retry = RetryPolicy(retries=0)
        sim.set_faults("500:1.0")
        last_good = await one_poll(driver, pilot, stats, last_good)
        wait = driver.armed()
        assert wait is not None and driver.normal_interval() < wait <= driver.max_backoff
        stale = driver.stale_text()
        if mode != "overview":
            assert f"retrying in {wait:g} s" in stale  # the wait on screen is the wait armed
        sim.set_faults(None)
        await one_poll(driver, pilot, stats, last_good)
        assert driver.stale_text() is None
        assert driver.armed() == driver.normal_interval()  # back to the normal pace, no lingering backoff
        alive(app)
        faults = count_faults(sim)
    stats.faults = faults
    with capsys.disabled():
        print(f"\nsoak {stats.line(mode)}; {len(app.retry_waits)} retry waits")
    if POLLS >= 50:  # enough requests that every kind of fault came up
        assert {"500", "429", "timeout", "garbage", "drop"} <= set(faults), faults
