"""The watcher against the simulator over loopback, in simulated time: metrics equal the world, each call is
counted once (across polls and restarts), agents are read spread over the interval with at most 4 requests in
flight, 429s back off, and `--once` exits 0/1/2."""

from __future__ import annotations

import asyncio
import io
from collections import Counter

import pytest

from tui.sim.world import RUNNING, STOPPED
from tui.watch.settings import AlertSettings
from tui.watch.state import open_state
from tui.watch.watcher import Watcher, error_kind, exit_code
from tui.wiro.errors import RateLimitedError, TransientError

from .watch_helpers import make_client, make_watcher, scrape, series, value, world_view


def check_against_world(sim, samples, guids):
    for guid in guids:
        world = world_view(sim, guid)
        assert value(samples, "wiro_voice_agent_status", agent=guid) == world.status
        assert value(samples, "wiro_voice_calls_active", agent=guid) == world.active
        counted = {(dict(k[1])["outcome"], dict(k[1])["end_reason"]): v
                   for k, v in series(samples, "wiro_voice_calls_total", agent=guid).items()}
        assert counted == {k: float(n) for k, n in world.finished.items()}
        reasons = {dict(k[1])["reason"]: v for k, v in series(samples, "wiro_voice_rejections_total", agent=guid).items()}
        assert reasons == {k: float(n) for k, n in world.reasons.items()}
        if world.ended_durations:
            assert value(samples, "wiro_voice_call_duration_seconds_count", agent=guid) == len(world.ended_durations)
            assert value(samples, "wiro_voice_call_duration_seconds_sum", agent=guid) == sum(world.ended_durations)


async def test_metrics_equal_the_simulator_world_poll_after_poll(sim, clock):
    client = make_client(sim, clock)
    watcher = make_watcher(sim, clock, client)
    report = await watcher.poll(stagger=False)
    assert report.error is None and report.listed and not report.problems
    guids = [v.guid for v in report.views]
    assert {sim.demo_agent_guid, sim.stopped_agent_guid, sim.setup_agent_guid, sim.nocredit_agent_guid} <= set(guids)
    samples = scrape(watcher.metrics)
    assert {dict(k[1])["agent"] for k in series(samples, "wiro_voice_agent_status")} == set(guids)
    assert world_view(sim, sim.demo_agent_guid).active > 0  # the demo has calls on the line to compare
    check_against_world(sim, samples, guids)
    assert value(samples, "wiro_voice_api_up", api="wiro") == 1
    assert value(samples, "wiro_voice_api_up", api="twilio") == 1
    assert value(samples, "wiro_voice_last_poll_timestamp_seconds") == pytest.approx(sim.now())
    # the demo's five numbers, one per Twilio verdict
    hooks = {dict(k[1])["state"]: v for k, v in series(samples, "wiro_voice_webhook_numbers",
                                                       agent=sim.demo_agent_guid, source="twilio").items()}
    assert hooks == {"wiro_ok": 1, "twiml_app": 1, "sip_trunk": 1, "studio_flow": 1, "not_on_account": 1}
    info = series(samples, "wiro_voice_agent_status_info", agent=sim.stopped_agent_guid)
    assert dict(next(iter(info))[1])["status"] == "Stopped"
    for guid in guids:  # remainingcredits from Detail, as the simulator's credit ledger has it
        with sim.world.lock:
            left = sim.world.ledger(sim.world.agents[guid], sim.now()).remaining
        assert value(samples, "wiro_voice_remaining_credits", agent=guid) == left
    assert value(samples, "wiro_voice_remaining_credits", agent=sim.nocredit_agent_guid) == 0
    # time passes, calls arrive and end: the counters follow, nothing is counted twice
    for _ in range(12):
        clock.advance(50)
        await watcher.poll(stagger=False)
        check_against_world(sim, scrape(watcher.metrics), guids)
    await client.aclose()


async def test_a_restart_carries_on_without_counting_again(sim, clock, tmp_path):
    path = tmp_path / "watch-state.json"
    client = make_client(sim, clock)
    first = make_watcher(sim, clock, client, state=open_state(path))
    await first.poll(stagger=False)
    before = series(scrape(first.metrics), "wiro_voice_calls_total")
    assert sum(before.values()) > 30
    first.state.close()

    second = make_watcher(sim, clock, client, state=open_state(path))
    await second.poll(stagger=False)
    assert series(scrape(second.metrics), "wiro_voice_calls_total") == before
    clock.advance(600)
    await second.poll(stagger=False)
    await second.poll(stagger=False)  # reasons are read 5 per agent per poll: a burst takes two
    check_against_world(sim, scrape(second.metrics), [sim.demo_agent_guid])
    second.state.close()
    await client.aclose()


async def test_a_gap_between_polls_reads_the_whole_history(sim, clock):
    client = make_client(sim, clock)
    watcher = make_watcher(sim, clock, client, history_limit=5, twilio=False)
    await watcher.poll(stagger=False)
    with sim.world.lock:
        for i in range(12):
            sim.world.add_call(sim.demo_agent_guid, started=sim.now() - 400 + i, duration=30, prep=1.0)
    clock.advance(5)
    await watcher.poll(stagger=False)
    check_against_world(sim, scrape(watcher.metrics), [sim.demo_agent_guid])
    await client.aclose()


class Recording:
    """The real client, with each call's start (simulated time) and the most requests in flight recorded."""

    def __init__(self, client, now):
        self.client, self.now = client, now
        self.calls: list[tuple[str, str | None, float]] = []
        self.in_flight = self.most = 0

    def __getattr__(self, name):
        method = getattr(self.client, name)

        async def call(*args, **kwargs):
            self.calls.append((name, args[0] if args else None, self.now()))
            self.in_flight += 1
            self.most = max(self.most, self.in_flight)
            try:
                await asyncio.sleep(0.001)  # let every waiting request start before any ends
                return await method(*args, **kwargs)
            finally:
                self.in_flight -= 1

        return call


async def test_agents_are_spread_over_the_interval_with_four_requests_in_flight_at_most(sim, clock):
    client = make_client(sim, clock)
    listed = len(await client.my_agents())
    with sim.world.lock:
        for i in range(10 - listed):
            sim.world.add_agent(f"Clinic {i}", status=RUNNING)
    recording = Recording(client, sim.now)
    watcher = make_watcher(sim, clock, recording, interval=10.0, twilio=False)

    async def sleep(seconds):  # simulated time moves only once the requests already sent are answered
        for _ in range(4):
            await asyncio.sleep(0)
        while recording.in_flight:
            await asyncio.sleep(0.001)
        clock.advance(seconds)

    watcher.sleep = sleep
    started = sim.now()
    await watcher.poll(stagger=True)
    assert [c[0] for c in recording.calls].count("my_agents") == 1
    details = [(guid, t - started) for name, guid, t in recording.calls if name == "detail"]
    assert len(details) == 10
    offsets = sorted(t for _, t in details)
    assert offsets == pytest.approx([i * 1.0 for i in range(10)], abs=0.05)  # 10 s / 10 agents
    assert recording.most <= 4

    recording.calls.clear()
    recording.most = 0
    await watcher.poll(stagger=False)  # --once: everything at once, still at most 4 on the wire
    assert len([c for c in recording.calls if c[0] == "detail"]) == 10
    assert recording.most == 4
    await client.aclose()


async def test_429_backs_off_doubling_then_recovers(sim, clock):
    client = make_client(sim, clock)
    sleeps: list[float] = []
    watcher = make_watcher(sim, clock, client, sleeps=sleeps, twilio=False, interval=5.0)
    sim.set_faults("429:1")
    reports = []
    await watcher.run(polls=4, on_poll=reports.append)
    assert all(isinstance(r.error, RateLimitedError) for r in reports)
    assert sleeps == [10.0, 20.0, 40.0]
    samples = scrape(watcher.metrics)
    assert value(samples, "wiro_voice_api_up", api="wiro") == 0
    assert value(samples, "wiro_voice_poll_errors_total", endpoint="UserAgent/MyAgents", kind="rate_limited") == 4
    sim.set_faults(None)
    sleeps.clear()
    await watcher.run(polls=2, on_poll=reports.append)
    assert reports[-1].error is None and watcher.schedule.failures == 0
    assert sleeps and sleeps[0] <= 5.0
    assert value(scrape(watcher.metrics), "wiro_voice_api_up", api="wiro") == 1
    await client.aclose()


class SlowDown:
    """The real client, except that one agent's history answers 429 with a long Retry-After."""

    def __init__(self, client, guid):
        self.client, self.guid = client, guid

    def __getattr__(self, name):
        return getattr(self.client, name)

    async def call_history(self, guid, limit=50):
        if guid == self.guid:
            raise RateLimitedError("slow down", retry_after=120.0, endpoint="UserAgent/TwilioCallHistory/List")
        return await self.client.call_history(guid, limit)


async def test_retry_after_anywhere_in_the_round_is_honoured(sim, clock):
    client = make_client(sim, clock)
    sleeps: list[float] = []
    watcher = make_watcher(sim, clock, SlowDown(client, sim.stopped_agent_guid), sleeps=sleeps, twilio=False)
    listed = len(await client.my_agents())
    await watcher.run(polls=2)
    assert max(sleeps) >= 120.0  # besides the stagger between agents (5 s / the agents)
    assert sorted(sleeps)[:-1] == pytest.approx([5 / listed] * (2 * (listed - 1)))
    await client.aclose()


async def test_once_exit_codes(sim, clock, tmp_path):
    client = make_client(sim, clock)
    state = open_state(tmp_path / "watch-state.json")
    watcher = make_watcher(sim, clock, client, state=state, alerts=AlertSettings(repeat=600))
    report, code = await watcher.once()
    # the demo's Pilot Line has no credits left: the one alert of a fresh watch over the whole fleet
    assert code == 1 and [a.key for a in watcher.engine.firing] == [f"credits.low:{sim.nocredit_agent_guid}"]
    healthy = make_watcher(sim, clock, client, state=state, agents=[sim.demo_agent_guid, sim.stopped_agent_guid])
    report, code = await healthy.once()
    assert code == 0, [a.title for a in healthy.engine.firing]
    with sim.world.lock:
        sim.world.stop(sim.world.agents[sim.demo_agent_guid])
    clock.advance(10)
    report, code = await make_watcher(sim, clock, client, state=state, agents=[sim.demo_agent_guid]).once()
    assert code == 1
    assert [e.alert.key for e in report.events] == [f"agent.not_running:{sim.demo_agent_guid}"]
    state.close()

    missing = make_watcher(sim, clock, client, agents=["00000000-0000-4000-8000-000000000000"])
    assert (await missing.once())[1] == 2
    sim.set_faults("500:1")
    down = make_watcher(sim, clock, client)
    report, code = await down.once()
    assert code == 2 and not report.listed and isinstance(report.error, TransientError)
    await client.aclose()


async def test_only_the_agents_asked_for(sim, clock):
    client = make_client(sim, clock)
    watcher = make_watcher(sim, clock, client, agents=[sim.stopped_agent_guid], twilio=False)
    report = await watcher.poll(stagger=False)
    assert [v.guid for v in report.views] == [sim.stopped_agent_guid]
    assert set(dict(k[1])["agent"] for k in series(scrape(watcher.metrics), "wiro_voice_agent_status")) == {
        sim.stopped_agent_guid}
    await client.aclose()


async def test_a_failed_detail_keeps_the_last_good_figures_and_leaves_its_alerts_undecided(sim, clock):
    client = make_client(sim, clock)
    stderr = io.StringIO()
    watcher = make_watcher(sim, clock, client, stderr=stderr, twilio=False)
    await watcher.poll(stagger=False)
    good = scrape(watcher.metrics)
    with sim.world.lock:
        sim.world.agents[sim.demo_agent_guid].status = STOPPED
    sim.set_faults("500:1")
    watcher.engine.evaluate([], sim.now())  # nothing firing before
    report = await watcher.poll(stagger=False)
    assert not report.listed and report.events == ()
    after = scrape(watcher.metrics)
    # the figures stay as last read (not dropped) while Wiro fails
    assert series(after, "wiro_voice_calls_active") == series(good, "wiro_voice_calls_active")
    assert value(after, "wiro_voice_api_up", api="wiro") == 0
    await client.aclose()


def test_error_kinds_and_exit_code_rules():
    assert error_kind(TransientError("x", kind="timeout")) == "timeout"
    assert error_kind(RateLimitedError("x")) == "rate_limited"

    class AgentGone(Exception):  # a class the merged client adds: named by its name
        pass

    assert error_kind(AgentGone()) == "agent_gone"
    assert error_kind(ValueError()) == "error"
    assert Counter() == Counter()
    assert isinstance(Watcher, type) and callable(exit_code)


async def test_an_agent_no_longer_listed_leaves_the_watchers_caches(sim, clock):
    client = make_client(sim, clock)
    watcher = make_watcher(sim, clock, client)
    await watcher.poll(stagger=False)
    gone = sim.stopped_agent_guid
    assert gone in watcher._last_good
    with sim.world.lock:  # deleted in the panel: MyAgents no longer lists it
        del sim.world.agents[gone]
    report = await watcher.poll(stagger=False)
    assert report.listed and gone not in {v.guid for v in report.views}
    assert all(gone not in cache for cache in (watcher._last_good, watcher._twilio_checks, watcher._reports))
    await client.aclose()


def test_warnings_said_once_are_remembered_up_to_a_bound(sim, clock):
    from tui.watch.watcher import SAID_KEPT

    stderr = io.StringIO()
    watcher = make_watcher(sim, clock, None, stderr=stderr, twilio=False)  # (no request is made)
    for i in range(SAID_KEPT + 10):
        watcher._warn(f"problem {i}")
    watcher._warn(f"problem {SAID_KEPT + 9}")  # recent: not said twice
    assert stderr.getvalue().splitlines().count(f"watch: problem {SAID_KEPT + 9}") == 1
    assert len(watcher._said) == SAID_KEPT
    watcher._warn("problem 0")  # the oldest was let go: said again
    assert stderr.getvalue().splitlines().count("watch: problem 0") == 2
