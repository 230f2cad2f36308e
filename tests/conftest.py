"""Shared fixtures: a real simulator on loopback, driven by a clock the test advances by hand."""

from __future__ import annotations

import pytest

from tui.config import Secret, Settings
from tui.sim import Simulator
from tui.sim.testing import FakeClock

START_EPOCH = 1_777_000_000.0  # a fixed simulated "now" (2026-04-24 03:06 UTC), so runs are repeatable


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def sim(clock):
    with Simulator(seed=7, clock=clock, start_epoch=START_EPOCH, timeout_hold=0.5) as s:
        yield s


@pytest.fixture
def sim_settings(sim, tmp_path) -> Settings:
    """Settings pointing at the simulator, with a private config file and no agent chosen."""
    return Settings(
        api_key=Secret(sim.api_key),
        api_base=sim.wiro_base,
        twilio_base=sim.twilio_base,
        config_path=tmp_path / "config.toml",
    )


@pytest.fixture(autouse=True, scope="session")
def _utc():
    """Times on screen are local: pin the zone so snapshots match on every machine."""
    import os
    import time

    old = os.environ.get("TZ")
    os.environ["TZ"] = "UTC"
    time.tzset()
    yield
    if old is None:
        os.environ.pop("TZ", None)
    else:
        os.environ["TZ"] = old
    time.tzset()
