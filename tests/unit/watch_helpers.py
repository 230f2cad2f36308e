"""Running the watcher against the simulator in simulated time, and reading the simulator's world to compare."""

from __future__ import annotations

import asyncio
from collections import Counter
from dataclasses import dataclass, field

from prometheus_client.parser import text_string_to_metric_families

from types import SimpleNamespace

from tui.twilio.access import twilio_access
from tui.sim.calls import ACTIVE, ENDED, INCOMING, REJECTED
from tui.watch.metrics import WatchMetrics
from tui.watch.state import WatchState
from tui.watch.watcher import Watcher
from tui.wiro import RetryPolicy, WiroClient


def fake_sleep(clock, log: list[float] | None = None):
    """A sleep that moves the simulator's clock instead of waiting. It lets the loop run a little first, so
    requests started just before the sleep go out at the time they were started."""

    async def sleep(seconds: float) -> None:
        if log is not None:
            log.append(seconds)
        for _ in range(4):
            await asyncio.sleep(0)
        clock.advance(max(0.0, seconds))

    return sleep


def make_client(sim, clock, *, retries: int = 0, timeout: float = 5.0) -> WiroClient:
    return WiroClient(sim.api_key, None, sim.wiro_base, retry=RetryPolicy(retries=retries), timeout=timeout,
                      sleep=fake_sleep(clock))


def make_watcher(sim, clock, client, *, state: WatchState | None = None, twilio: bool = True,
                 sleeps: list[float] | None = None, **options) -> Watcher:
    options.setdefault("interval", 5.0)
    options.setdefault("metrics", WatchMetrics())
    no_env = SimpleNamespace(twilio_account_sid=None, twilio_auth_token=None)  # the demo's own account only
    lookup = (lambda sid: twilio_access(sid, no_env, demo=sim)) if twilio else None
    return Watcher(client, state or WatchState(), now=sim.now, sleep=fake_sleep(clock, sleeps), twilio=lookup,
                   twilio_base=sim.twilio_base, api_base=sim.wiro_base, twilio_retry=RetryPolicy(retries=0),
                   **options)


@dataclass
class WorldView:
    """What the simulator holds for one agent at this instant, counted the way the metrics count it."""

    status: int
    active: int = 0
    finished: Counter = field(default_factory=Counter)  # (outcome, end_reason) → n
    reasons: Counter = field(default_factory=Counter)  # rejection reason → n
    ended_durations: list[int] = field(default_factory=list)


def world_view(sim, guid: str, limit: int | None = 200) -> WorldView:
    """The agent's sessions as its history would list them now (newest first, capped; None: every one the
    simulator remembers), counted."""
    world = sim.world
    with world.lock:
        now = world.advance()
        agent = world.agents[guid]
        calls = sorted((c for c in agent.calls if c.started <= now), key=lambda c: (c.started, c.seq),
                       reverse=True)[:limit]  # [:None] is all
        view = WorldView(agent.status)
        for call in calls:
            st = world.call_state(call, now)
            if st.status in (INCOMING, ACTIVE):
                view.active += 1
            elif st.status == ENDED:
                view.finished[("ended", st.end_reason or "")] += 1
                if st.duration is not None:
                    view.ended_durations.append(st.duration)
            elif st.status == REJECTED:
                view.finished[("rejected", "")] += 1
                view.reasons[st.reject_reason or "unknown"] += 1
    return view


def scrape(metrics: WatchMetrics) -> dict[tuple[str, tuple], float]:
    """Every sample of the exposition, keyed by (sample name, sorted labels), parsed by prometheus-client."""
    out = {}
    for family in text_string_to_metric_families(metrics.text()):
        for sample in family.samples:
            out[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return out


def series(samples, name: str, **labels) -> dict[tuple, float]:
    """The samples of `name` whose labels include `labels`."""
    want = set(labels.items())
    return {k: v for k, v in samples.items() if k[0] == name and want <= set(k[1])}


def value(samples, name: str, **labels) -> float:
    found = series(samples, name, **labels)
    assert len(found) == 1, f"{name} {labels}: {len(found)} series"
    return next(iter(found.values()))
