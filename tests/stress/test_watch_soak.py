"""Soak: the watcher against the simulator failing 20 % of requests (500, 429, garbage, dropped connections,
timeouts) for 500 polls across 3 agents, in simulated time. At every poll: no crash, no call counted twice (no
counter above what the simulator ever had), every counter monotonic, `api_up` following the faults the
simulator injected (Wiro: the MyAgents request of that poll; Twilio: the requests of that poll's check). At
the end, with the faults off, the counters equal the simulator's world exactly.

WIRO_VOICE_WATCH_SOAK_POLLS changes the length (default 500).
"""

from __future__ import annotations

import io
import os
from collections import Counter

import pytest

from tui.watch.settings import AlertSettings
from tui.watch.state import WatchState

from tests.unit.watch_helpers import make_client, make_watcher, scrape, series, world_view

pytestmark = pytest.mark.long

POLLS = int(os.environ.get("WIRO_VOICE_WATCH_SOAK_POLLS", "500"))
FAULTS = "500:0.07,429:0.05,garbage:0.04,drop:0.03,timeout:0.01"  # 20 % of requests
MONOTONIC = ("wiro_voice_calls_total", "wiro_voice_rejections_total", "wiro_voice_poll_errors_total",
             "wiro_voice_call_duration_seconds_count", "wiro_voice_call_duration_seconds_bucket")


def counted(samples, guid) -> Counter:
    return Counter({(dict(k[1])["outcome"], dict(k[1])["end_reason"]): int(v)
                    for k, v in series(samples, "wiro_voice_calls_total", agent=guid).items()})


async def test_watch_soak_under_faults(sim, clock, tmp_path):
    sim.timeout_hold = 1.0
    with sim.world.lock:
        sim.world.start(sim.world.agents[sim.stopped_agent_guid])  # two agents taking calls, one in setup
    guids = [sim.demo_agent_guid, sim.stopped_agent_guid, sim.setup_agent_guid]
    client = make_client(sim, clock, timeout=0.5)
    stderr = io.StringIO()
    watcher = make_watcher(sim, clock, client, state=WatchState(tmp_path / "watch-state.json"), stderr=stderr,
                           interval=5.0, twilio_interval=20.0, alerts=AlertSettings(repeat=300), agents=guids)
    sim.set_faults(FAULTS)
    sim.requests.clear()
    previous: dict = {}
    stats = Counter()

    def check(report) -> None:
        stats["polls"] += 1
        samples = scrape(watcher.metrics)
        seen = sim.requests.tail()
        sim.requests.clear()
        # Wiro: up exactly when this poll's one MyAgents request was answered normally
        listing = [r for r in seen if r.path.endswith("/UserAgent/MyAgents")]
        assert len(listing) == 1
        wiro_up = samples[("wiro_voice_api_up", (("api", "wiro"),))]
        if listing[0].fault is not None:
            stats["wiro_faulted"] += 1
            assert wiro_up == 0 and not report.listed
        elif wiro_up == 0:  # answered normally but too late for the client: allowed, counted, must be rare
            stats["wiro_slow"] += 1
            assert watcher.poll_errors[("UserAgent/MyAgents", "timeout")]
        # Twilio: down only when one of this poll's Twilio requests got a fault; up when none did
        twilio = [r for r in seen if r.path.startswith("/twilio/")]
        if twilio:
            stats["twilio_checks"] += 1
            twilio_up = samples[("wiro_voice_api_up", (("api", "twilio"),))]
            if twilio_up == 0:
                stats["twilio_down"] += 1
                assert any(r.fault for r in twilio)
            elif not any(r.fault for r in twilio):
                assert twilio_up == 1
        # counters only grow, and no series disappears
        for key, old in previous.items():
            assert key in samples, f"{key} disappeared"
            assert samples[key] >= old, f"{key} went down: {old} -> {samples[key]}"
        previous.clear()
        previous.update({k: v for k, v in samples.items() if k[0] in MONOTONIC})
        # never more counted than the simulator ever had, per outcome and end reason (a double count shows)
        for guid in guids:
            world = world_view(sim, guid, limit=None).finished
            assert all(n <= world[key] for key, n in counted(samples, guid).items()), guid
        assert not watcher.poll_errors[("watch", "internal")]

    await watcher.run(polls=POLLS, on_poll=check)
    assert stats["polls"] == POLLS
    assert stats["wiro_faulted"] > POLLS * 0.1  # the faults really happened
    assert stats["wiro_slow"] <= max(2, POLLS // 100)
    assert stats["twilio_checks"] and stats["twilio_down"]
    errors = Counter()
    for (endpoint, kind), n in watcher.poll_errors.items():
        errors[kind] += n
    assert {"server", "rate_limited", "protocol", "connection"} <= set(errors)

    sim.set_faults(None)
    for _ in range(3):  # a clean poll, then the rejection reasons still to read
        clock.advance(5)
        report = await watcher.poll(stagger=False)
    assert report.error is None
    samples = scrape(watcher.metrics)
    for guid in guids:
        world = world_view(sim, guid, limit=None)
        assert counted(samples, guid) == Counter({k: n for k, n in world.finished.items()}), guid
        reasons = {dict(k[1])["reason"]: int(v) for k, v in series(samples, "wiro_voice_rejections_total",
                                                                     agent=guid).items()}
        assert sum(reasons.values()) == world.finished[("rejected", "")]
    assert not any(a.rule == "unreachable" for a in watcher.engine.firing)
    assert watcher.state.save() is None and (tmp_path / "watch-state.json").exists()
    print(f"\nwatch soak: {stats['polls']} polls, MyAgents faulted {stats['wiro_faulted']}, slow "
          f"{stats['wiro_slow']}, Twilio checks {stats['twilio_checks']} (down {stats['twilio_down']}), "
          f"errors by kind {dict(errors)}")
    await client.aclose()
