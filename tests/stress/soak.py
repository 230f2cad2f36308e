"""The soak harness: drive one polling screen against a faulty simulator and check every poll.

A poll is started the way the screen's own timer would start it (its Poller's `fire()`, as if the timer went off
on time) after moving the simulated clock by the interval the screen asked for, so polls are as many as we like without waiting on wall
time. Around each poll:

- a key that changes something visible is pressed while the poll is under way, and must be answered within
  0.5 s of simulated time (the clock is moved in 0.1 s steps until it is; it never needs to be);
- what the screen shows is compared with what the simulator had at that moment (read from its world directly,
  past the faults): after a poll that got an answer, the new data; after one that failed, exactly the last
  good data, with the screen's stale marker saying so;
- whether the poll got an answer is decided from the simulator's side: its request log says which requests
  were answered normally and which got a fault;
- the app must still be running with no exception, and the next poll must be armed.
"""

from __future__ import annotations

import asyncio
import re
import statistics
import time
from dataclasses import dataclass, field

from textual import events
from textual.widgets import Static
from textual.worker import WorkerState

from tui.activity.events import from_tail
from tui.sim import wiro_api
from tui.ui.app import WiroVoiceApp
from tui.wiro import Agent, CallSession, RetryPolicy, WiroClient
from tui.wiro.models import LogTail

SOAK_FAULTS = "500:0.05,429:0.04,timeout:0.04,garbage:0.04,drop:0.03"  # 20 % of requests
KEY_BUDGET = 0.5  # simulated seconds a key press may take to show
STEP = 0.1
CLIENT_TIMEOUT = 1.25  # real seconds; the simulator holds a `timeout` request longer (see SoakApp). Not less:
# on a loaded 2-core machine a normal Logs answer once took over 0.75 s, and a timeout then is a failed poll
# the test counts as answered
HOLD = 2.0
STALE_TIME = re.compile(r"stale since (\d\d:\d\d:\d\d)")


class SoakApp(WiroVoiceApp):
    """The real app with a client whose timeout is short (so `timeout` faults really time out, quickly) and
    whose retry waits are recorded instead of slept (they would only cost wall time)."""

    def __init__(self, *args, client_timeout: float = CLIENT_TIMEOUT, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.retry_waits: list[float] = []
        self.client_timeout = client_timeout

    def _make_client(self, settings) -> WiroClient:
        async def no_wait(seconds: float) -> None:
            self.retry_waits.append(seconds)
            await asyncio.sleep(0)

        secret = settings.api_secret.reveal() if settings.api_secret else None
        return WiroClient(settings.api_key.reveal(), secret, settings.api_base, timeout=self.client_timeout,
                          retry=RetryPolicy(), sleep=no_wait, on_outcome=self._on_outcome)


@dataclass
class SoakStats:
    polls: int = 0
    failed: int = 0
    answered_in_flight: int = 0  # key presses answered while the poll's worker was still waiting
    key_wall: list[float] = field(default_factory=list)  # real seconds per key answer (reported, not asserted)
    faults: dict[str, int] = field(default_factory=dict)

    def line(self, screen: str) -> str:
        wall = sorted(self.key_wall) or [0.0]
        return (f"{screen}: {self.polls} polls, {self.failed} failed and shown stale, "
                f"{self.answered_in_flight} keys answered mid-request, key answer median "
                f"{statistics.median(wall) * 1000:.0f} ms / max {wall[-1] * 1000:.0f} ms wall, faults {self.faults}")


def worker_running(app, group: str) -> bool:
    return any(w.group == group and w.state in (WorkerState.PENDING, WorkerState.RUNNING) for w in app.workers)


async def settle(app, pilot, rounds: int = 2) -> None:
    for _ in range(rounds):
        await app.workers.wait_for_complete()
        await pilot.pause()


async def press(app, key: str, changed) -> float:
    """Send a key as the terminal would and return the real seconds until `changed()` (reported only; the
    budget is asserted in simulated time by `answered_within`). Gives up watching after 5 s."""
    char = {"tab": "\t"}.get(key, key if len(key) == 1 else None)
    started = time.perf_counter()
    app._driver.send_message(events.Key(key, char))
    while not changed() and time.perf_counter() - started < 5.0:
        await asyncio.sleep(0.001)
    return time.perf_counter() - started


async def answered_within(pilot, clock, changed, budget: float = KEY_BUDGET) -> float:
    """Simulated seconds until `changed()` is true (moving the clock in 0.1 s steps); fails past `budget`."""
    waited = 0.0
    while not changed():
        assert waited < budget, f"a key press was not answered within {budget} s of simulated time"
        clock.advance(STEP)
        waited += STEP
        await pilot.pause()
    return waited


def alive(app) -> None:
    assert app.is_running and app._exception is None, f"the app died: {app._exception!r}"
    unexpected = [n.message for n in app._notifications if "Unexpected" in n.message]
    assert not unexpected, unexpected


class Driver:
    """What differs per screen: how a poll starts, what it shows, where its stale marker is."""

    mode = ""
    probe_key = ""
    poll_group = ""
    endpoints: tuple[str, ...] = ()
    max_backoff = 0.0

    def __init__(self, app, sim, clock) -> None:
        self.app, self.sim, self.clock = app, sim, clock

    @property
    def screen(self):
        return self.app.screen

    def probe_text(self) -> str:
        raise NotImplementedError

    def advance(self) -> None:
        """Move the simulated clock to when the screen's armed poll is due."""
        raise NotImplementedError

    def truth(self):
        raise NotImplementedError

    def shown(self):
        raise NotImplementedError

    def matches(self, shown, truth) -> bool:
        return shown == truth

    def stale_text(self) -> str | None:
        raise NotImplementedError

    def armed(self) -> float | None:
        """The wait the screen's Poller armed for the next poll (None: nothing armed)."""
        poller = self.screen.poller
        return poller.wait if poller.armed else None

    def start_poll(self) -> None:
        """Start the poll the way the screen's timer does when it goes off on time."""
        poller = self.screen.poller
        poller.due = poller.now()  # (Calls and Overview count real seconds; the soak moves simulated ones)
        poller.fire()

    def normal_interval(self) -> float:
        raise NotImplementedError

    def check_table(self) -> None:
        """The table shows exactly the screen's data under its filter."""

    def _world(self, route, body: dict) -> dict:
        with self.sim.world.lock:
            return wiro_api.handle_json(self.sim.world, route, body)


class CallsDriver(Driver):
    mode, probe_key, poll_group = "calls", "v", "calls-poll"
    endpoints = ("/v1/UserAgent/TwilioCallHistory/List",)
    max_backoff = 60.0

    def probe_text(self) -> str:
        return str(self.screen.query_one("#calls-state", Static).render())

    def advance(self) -> None:
        self.clock.advance(self.armed() or self.screen.interval)

    def truth(self):
        data = self._world(wiro_api.call_history, {"useragentguid": self.sim.demo_agent_guid, "limit": self.screen.limit})
        return tuple(s for s in (CallSession.parse(i) for i in data["data"]) if s is not None)

    def shown(self):
        return self.screen._sessions

    def stale_text(self) -> str | None:
        line = self.screen.query_one("#calls-stale", Static)
        return str(line.render()) if line.display else None

    def normal_interval(self) -> float:
        return self.screen.interval

    def check_table(self) -> None:
        from tui.ui.widgets.live_table import LiveTable

        table = self.screen.query_one(LiveTable)
        assert table.row_keys() == [s.messageguid for s in self.screen._view()]


class OverviewDriver(Driver):
    mode, probe_key, poll_group = "overview", "tab", "overview-poll"
    endpoints = ("/v1/UserAgent/Detail", "/v1/UserAgent/TwilioCallHistory/List")
    max_backoff = 60.0

    def probe_text(self) -> str:
        focused = self.app.focused
        return f"{getattr(focused, 'id', None)}"

    def advance(self) -> None:
        self.clock.advance(self.armed() or self.normal_interval())

    def truth(self):
        guid = self.sim.demo_agent_guid
        detail = self._world(wiro_api.detail, {"guid": guid})
        history = self._world(wiro_api.call_history, {"useragentguid": guid, "limit": 50})
        return (Agent.parse(detail["useragents"][0]),
                tuple(s for s in (CallSession.parse(i) for i in history["data"]) if s is not None))

    def shown(self):
        from tui.ui.widgets.recent_calls import RecentCalls

        return (self.app.agent, self.screen.query_one(RecentCalls)._sessions)

    def matches(self, shown, truth) -> bool:
        """Equal but for the hold files' URLs, which Wiro recomposes (a fresh `?k=` token) on every read."""
        return (_stable(shown[0]), shown[1]) == (_stable(truth[0]), truth[1])

    def stale_text(self) -> str | None:
        box = self.screen.query_one("#overview-error", Static)
        return str(box.render()) if box.display else None

    def normal_interval(self) -> float:
        from tui.ui.screens.overview import POLL_SECONDS

        return POLL_SECONDS


def _stable(agent):
    if agent is None or agent.credential is None:
        return agent
    from dataclasses import replace

    cred = agent.credential
    bare = {name: (getattr(cred, name) or "").split("?", 1)[0] or None for name in ("holdaudio", "holdmusic")}
    return replace(agent, credential=replace(cred, **bare))


class LogsDriver(Driver):
    mode, probe_key, poll_group = "logs", "k", "logs-poll"
    endpoints = ("/v1/UserAgent/Logs",)
    max_backoff = 60.0

    def probe_text(self) -> str:
        return str(self.screen.query_one("#logs-state", Static).render())

    def advance(self) -> None:
        due = self.screen.poller.due  # on the app's clock
        if due is not None and due > self.app.clock():
            self.clock.advance(due - self.app.clock())

    def start_poll(self) -> None:
        self.screen.poller.fire()

    def truth(self):
        from tui.ui.screens.logs import LINES

        answer = self._world(wiro_api.logs, {"useragentguid": self.sim.demo_agent_guid, "lines": LINES})
        return {e.key for e in from_tail(LogTail.parse(answer))}

    def shown(self):
        return {e.key for e in self.screen._events}

    def matches(self, shown, truth) -> bool:
        return truth <= shown  # older events stay (merged), the newest answer is all there

    def stale_text(self) -> str | None:
        line = self.screen.query_one("#logs-stale", Static)
        return str(line.render()) if line.display else None

    def normal_interval(self) -> float:
        from tui.ui.screens.logs import POLL_SECONDS

        return POLL_SECONDS

    def check_table(self) -> None:
        from tui.ui.widgets.live_table import LiveTable

        table = self.screen.query_one(LiveTable)
        assert table.row_keys() == [e.key for e in self.screen.view()]


DRIVERS = {d.mode: d for d in (CallsDriver, OverviewDriver, LogsDriver)}


def answered(sim, endpoint: str) -> int:
    return sim.requests.count(endpoint, fault=None)


async def one_poll(driver: Driver, pilot, stats: SoakStats, last_good):
    """Run one poll with a key press during it; check what is shown. Returns the new last good data."""
    app, sim, clock = driver.app, driver.sim, driver.clock
    before = {e: answered(sim, e) for e in driver.endpoints}
    driver.advance()
    expected = driver.truth()
    probe_before = driver.probe_text()
    driver.start_poll()
    stats.key_wall.append(await press(app, driver.probe_key, lambda: driver.probe_text() != probe_before))
    await answered_within(pilot, clock, lambda: driver.probe_text() != probe_before)
    if worker_running(app, driver.poll_group):
        stats.answered_in_flight += 1
    await settle(app, pilot)
    alive(app)
    stats.polls += 1
    ok = {e: answered(sim, e) > before[e] for e in driver.endpoints}
    stale = driver.stale_text()
    shown = driver.shown()
    driver.check_table()
    assert driver.armed() is not None, "no next poll is armed: polling stopped"
    if all(ok.values()):
        assert stale is None, f"a poll got its answer but the stale marker stays: {stale}"
        assert driver.matches(shown, expected), f"after a good answer the screen does not show it: {shown!r:.3000} != {expected!r:.3000}"
        return shown
    stats.failed += 1
    assert stale is not None, f"a poll failed ({ok}) but nothing says the data is stale"
    if isinstance(driver, OverviewDriver):
        # the two requests fail independently: each part shows its newest good answer
        agent_ok, calls_ok = ok[driver.endpoints[0]], ok[driver.endpoints[1]]
        want = (expected[0] if agent_ok else last_good[0], expected[1] if calls_ok else last_good[1])
        assert driver.matches(shown, want), "after a failed poll the screen does not show the last good data"
        assert "last good answer" in stale, stale
        return shown
    assert shown == last_good, "after a failed poll the screen does not show the last good data"
    assert "stale since" in stale and "last good" in stale, stale
    return last_good


def count_faults(sim) -> dict[str, int]:
    """Faults the simulator injected so far, by kind."""
    from tui.sim.faults import FAULT_KINDS

    return {kind: n for kind in FAULT_KINDS if (n := sim.requests.count(fault=kind))}
