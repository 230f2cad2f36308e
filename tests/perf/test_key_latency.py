"""No key waits behind a big answer: key presses on the Logs table while a 5000-event Logs answer and a 200-row
Calls answer arrive together, against the same presses with nothing arriving (issue 18, item 3).

Both answers come from the simulator over loopback and go through each screen's own fetch and answer handler, the
way its Poller delivers them (the fetch in a worker, the answer handled on the screen), so parsing, flattening,
merging and filling the table are all inside the measurement. A key is sent the way a terminal driver sends it
every ~20 ms; its latency runs from the send to the first screen refresh after the binding's action ran (the
cursor drawn on its new row). Printed: p50 and p99 of each side, and their ratio.
"""

from __future__ import annotations

import asyncio
import statistics
import time

import httpx
import pytest
from textual import events

from tests.ui.helpers import demo_app, goto
from tui.activity.merge import KEEP
from tui.ui.polling import PollAnswer
from tui.ui.screens import logs as logs_module
from tui.ui.widgets.live_table import LiveTable

EVENTS = 5000
CALLS = 200
ROUNDS = 6
PRESS_EVERY = 0.020
BUDGET_MS = 50.0


def p(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def big_world(sim) -> None:
    """5000 log events today (tool calls with a nested summary, as the newest docs send them) and 200 sessions."""
    agent = sim.demo_agent_guid
    now = sim.now()
    for i in range(EVENTS):
        sim.world.add_log_event(agent, "tool_completed", f"Looked up order {i}", at=now - 3 * EVENTS + 3 * i,
                                tool="exec", durationMs=200 + i % 900, ok=i % 17 != 0,
                                summary={"skill": "int-hubspot", "action": "lookup_contact",
                                         "sessionkey": f"voice-call-{i:06d}", "result": {"found": i % 3 == 0}})
    for i in range(CALLS):
        sim.world.add_call(agent, started=now - 60 * (CALLS - i) - 5, duration=30 + i % 50, prep=1.0)


class KeyClock:
    """Sends keys like a terminal driver and times each to the refresh after its action ran."""

    def __init__(self, app, table: LiveTable) -> None:
        self.app, self.table = app, table
        self.sent: float | None = None
        self.latencies: list[float] = []
        self.actions: list[float] = []  # send to the action running (the refresh after it comes later)
        self.waiting = asyncio.Event()
        for name in ("action_cursor_down", "action_cursor_up"):
            original = getattr(table, name)

            def timed(original=original) -> None:
                if self.sent is not None:
                    self.actions.append(time.perf_counter() - self.sent)
                original()
                table.call_after_refresh(self._seen)

            setattr(table, name, timed)

    def _seen(self) -> None:
        if self.sent is not None:
            self.latencies.append(time.perf_counter() - self.sent)
            self.sent = None
            self.waiting.set()

    async def press(self, key: str) -> None:
        self.waiting.clear()
        event = events.Key(key, None)
        event.set_sender(self.app)
        self.sent = time.perf_counter()
        self.app._driver.send_message(event)  # as the terminal driver does (Pilot.press would wait for idle)
        try:
            await asyncio.wait_for(self.waiting.wait(), 5.0)
        except TimeoutError:
            pytest.fail(f"the {key!r} key had no effect within 5 s")
        await asyncio.sleep(PRESS_EVERY)


class Replay(httpx.AsyncBaseTransport):
    """The client's transport, answering `paths` with the answer the simulator gave them first: the timed
    answers arrive as bytes from the network would, without the simulator (in this process) building and
    encoding 5000 events on another thread while keys are timed."""

    def __init__(self, real: httpx.AsyncBaseTransport, paths: tuple[str, ...]) -> None:
        self.real, self.paths = real, paths
        self.answers: dict[str, tuple[int, httpx.Headers, bytes]] = {}

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path.rsplit("/v1/", 1)[-1]
        if path in self.answers:
            status, headers, body = self.answers[path]
            return httpx.Response(status, headers=headers, content=body)
        response = await self.real.handle_async_request(request)
        body = await response.aread()
        if path in self.paths:
            self.answers[path] = (response.status_code, response.headers, body)
        return httpx.Response(response.status_code, headers=response.headers, content=body)


async def poll_once(screen) -> None:
    """One poll of `screen` as its Poller makes it: fetch in a worker, the answer handled on the screen."""
    value = await screen._fetch()
    done = asyncio.Event()

    async def deliver() -> None:
        shown = screen._answered(PollAnswer(value, None, 30.0))
        if asyncio.iscoroutine(shown):
            await shown
        done.set()

    screen.call_later(deliver)
    await done.wait()


@pytest.mark.perf
async def test_key_latency_under_big_answers(sim, sim_settings, report, monkeypatch):
    monkeypatch.setattr(logs_module, "LINES", EVENTS)  # the Logs screen asks for the whole 5000-event day
    big_world(sim)
    app = demo_app(sim, sim_settings)
    async with app.run_test(size=(120, 40)) as pilot:
        calls = await goto(app, pilot, "calls")
        calls.limit = CALLS
        logs = await goto(app, pilot, "logs", rounds=6)
        logs.paused = True  # only the benchmark's answers arrive
        table = logs.query_one(LiveTable)
        assert table.row_count > 100
        while not app._frozen:  # the app settled (start-up's objects set aside from garbage collection): the
            await asyncio.sleep(0.1)  # presses are timed in a running dashboard, not in its first seconds
        keys = KeyClock(app, table)
        http = app.client._http  # (httpx's own attribute: the transport the client sends through)
        http._transport = replay = Replay(http._transport, ("UserAgent/Logs", "UserAgent/TwilioCallHistory/List"))
        await asyncio.gather(poll_once(logs), poll_once(calls))  # the answers to replay
        await app.workers.wait_for_complete()
        assert len(replay.answers) == 2

        idle: list[float] = []
        busy: list[float] = []
        for round_ in range(ROUNDS):
            # the anchor: the same presses, nothing arriving
            for i in range(20):
                await keys.press("down" if i % 2 == 0 else "up")
            idle += keys.latencies
            keys.latencies = []
            # both screens start from nothing, so the whole answer is new: 1000 Logs rows, 200 Calls rows to add
            logs._reset()
            calls._reset()
            workers = [logs.run_worker(poll_once(logs), group="bench-logs"),
                       calls.run_worker(poll_once(calls), group="bench-calls")]
            presses = 0
            while not all(w.is_finished for w in workers) or any(not w.is_finished for w in app.workers):
                await keys.press("down" if presses % 2 == 0 else "up")
                presses += 1
            busy += keys.latencies
            keys.latencies = []
            assert table.row_count == KEEP, table.row_count
            assert len(calls._rows) == CALLS, len(calls._rows)
            assert presses >= 1

    ms = [1000 * x for x in busy]
    anchor = [1000 * x for x in idle]
    p50, p99 = statistics.median(ms), p(ms, 0.99)
    a50, a99 = statistics.median(anchor), p(anchor, 0.99)
    report("key press to its effect while a 5000-event Logs answer and a 200-row Calls answer arrive (p50 / p99)",
           f"{p50:.1f} ms / {p99:.1f} ms ({len(ms)} presses)",
           f"{a50:.1f} ms / {a99:.1f} ms (nothing arriving)",
           f"{p50 / a50:.2f}x / {p99 / a99:.2f}x; budget p99 ≤ {BUDGET_MS:g} ms: "
           f"{'met' if p99 <= BUDGET_MS else 'NOT met'}", was="key_latency")
