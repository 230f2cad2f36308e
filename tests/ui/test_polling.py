"""The UI Poller: one request in flight, timers only while shown and not paused, backoff with a cap and
Retry-After, answers of an older connection or a superseded poll dropped. Driven through its public API on a
bare screen, with a clock the test moves (its timers tick far apart, so only the test fires them)."""

from __future__ import annotations

import asyncio

from textual.app import App
from textual.screen import Screen
from textual.widgets import Static

from tui.sim.testing import FakeClock
from tui.ui.polling import PollAnswer, Poller
from tui.wiro.errors import RateLimitedError, TransientError


class Source:
    """A fetch the test answers by hand: each call waits for `answer()` / `fail()`."""

    def __init__(self) -> None:
        self.calls = 0
        self.pending: list[asyncio.Future] = []

    async def fetch(self):
        self.calls += 1
        future = asyncio.get_running_loop().create_future()
        self.pending.append(future)
        return await future

    def _next(self) -> asyncio.Future:
        while self.pending[0].cancelled():  # a request whose poll was superseded (its worker cancelled)
            self.pending.pop(0)
        return self.pending.pop(0)

    def answer(self, value="ok") -> None:
        self._next().set_result(value)

    def fail(self, error: BaseException) -> None:
        self._next().set_exception(error)


class Live(Screen):
    def __init__(self, source: Source, clock: FakeClock, **options) -> None:
        super().__init__()
        self.source = source
        self.answers: list[PollAnswer] = []
        self.poller = Poller(self, source.fetch, self.answers.append, interval=5, group="test-poll", clock=clock,
                             tick=3600, **options)

    def compose(self):
        yield Static("live")

    def on_screen_resume(self) -> None:
        self.poller.resume()

    def on_screen_suspend(self) -> None:
        self.poller.suspend()


class Other(Screen):
    def compose(self):
        yield Static("other")


class PollApp(App):
    def __init__(self, screen: Live) -> None:
        super().__init__()
        self.generation = 0
        self.live = screen

    def on_mount(self) -> None:
        self.push_screen(self.live)


async def settle(app, pilot) -> None:
    """Let an answered fetch's worker finish and its answer be handled (not waiting for every worker: a poll
    the answer started stays pending until the test answers it)."""
    for _ in range(4):
        await pilot.pause()


async def started(app, pilot) -> None:
    """Let the screen's first poll start (it is asked for after the first frame)."""
    for _ in range(3):
        await pilot.pause()


def make(**options) -> tuple[PollApp, Source, FakeClock]:
    source, clock = Source(), FakeClock()
    return PollApp(Live(source, clock, **options)), source, clock


async def test_polls_when_shown_then_once_per_interval_and_never_two_at_once():
    app, source, clock = make()
    async with app.run_test() as pilot:
        await started(app, pilot)
        poller = app.live.poller
        assert poller.polls == 1 and poller.in_flight and not poller.armed
        poller.fire()  # the timer going off while a poll is in flight asks nothing more
        assert poller.polls == 1
        source.answer("first")
        await settle(app, pilot)
        assert [a.value for a in app.live.answers] == ["first"] and app.live.answers[0].ok
        assert poller.armed and poller.retry_in == 5 and not poller.in_flight
        clock.advance(4)
        poller.fire()  # not due yet
        assert poller.polls == 1 and poller.armed
        clock.advance(1)
        poller.fire()
        assert poller.polls == 2


async def test_failures_back_off_doubling_to_the_cap_and_retry_after_wins():
    app, source, clock = make()
    async with app.run_test() as pilot:
        await started(app, pilot)
        poller = app.live.poller
        waits = []
        for _ in range(5):
            source.fail(TransientError("503 from Wiro"))
            await settle(app, pilot)
            waits.append(poller.retry_in)
            clock.advance(poller.retry_in)
            poller.fire()
            await pilot.pause()
        assert waits == [10, 20, 40, 60, 60]
        assert [a.retry_in for a in app.live.answers] == waits and not any(a.ok for a in app.live.answers)
        source.fail(RateLimitedError("429", retry_after=90))
        await settle(app, pilot)
        assert poller.retry_in == 90  # the server asked for longer than the cap
        clock.advance(90)
        poller.fire()
        await pilot.pause()
        source.answer()
        await settle(app, pilot)
        assert poller.retry_in == 5 and poller.failures == 0


async def test_an_unexpected_failure_is_an_error_answer_and_polling_goes_on():
    app, source, clock = make()
    async with app.run_test() as pilot:
        await started(app, pilot)
        source.fail(KeyError("boom"))
        await settle(app, pilot)
        answer = app.live.answers[-1]
        assert answer.error is not None and "Unexpected KeyError" in answer.error.message
        assert app.live.poller.armed and app.live.poller.retry_in == 10


async def test_no_timers_while_another_screen_is_shown_and_back_polls_only_when_due():
    app, source, clock = make()
    async with app.run_test() as pilot:
        await started(app, pilot)
        poller = app.live.poller
        source.answer()
        await settle(app, pilot)
        await app.push_screen(Other())
        await settle(app, pilot)
        assert not poller.armed and not poller.running
        clock.advance(60)
        poller.fire()  # a stray timer call while hidden asks nothing
        assert poller.polls == 1
        app.pop_screen()
        await started(app, pilot)
        assert poller.polls == 2  # it was due meanwhile: at once
        source.answer()
        await settle(app, pilot)
        await app.push_screen(Other())
        await settle(app, pilot)
        clock.advance(2)
        app.pop_screen()
        await started(app, pilot)
        assert poller.polls == 2 and poller.armed and poller.retry_in == 3  # the rest of the interval


async def test_an_answer_arriving_while_hidden_arms_nothing_until_shown():
    app, source, clock = make()
    async with app.run_test() as pilot:
        await started(app, pilot)
        poller = app.live.poller
        await app.push_screen(Other())
        await settle(app, pilot)
        source.answer("late")
        await settle(app, pilot)
        assert app.live.answers[-1].value == "late" and not poller.armed


async def test_pause_stops_and_unpause_catches_up():
    app, source, clock = make()
    async with app.run_test() as pilot:
        await started(app, pilot)
        poller = app.live.poller
        source.answer()
        await settle(app, pilot)
        poller.paused = True
        assert not poller.armed and not poller.running
        clock.advance(30)
        poller.fire()
        assert poller.polls == 1
        poller.paused = False
        await started(app, pilot)
        assert poller.polls == 2


async def test_an_answer_for_an_older_connection_is_dropped_and_asked_again():
    app, source, clock = make()
    async with app.run_test() as pilot:
        await started(app, pilot)
        app.generation += 1  # the agent changed while the poll was in flight
        source.answer("old agent")
        await settle(app, pilot)
        assert app.live.answers == [] and app.live.poller.polls == 2
        source.answer("new agent")
        await settle(app, pilot)
        assert [a.value for a in app.live.answers] == ["new agent"]


async def test_a_refresh_supersedes_the_poll_in_flight():
    app, source, clock = make()
    async with app.run_test() as pilot:
        await started(app, pilot)
        poller = app.live.poller
        poller.refresh()
        await pilot.pause()
        assert poller.polls == 2
        source.answer("second")  # the first request was cancelled with its worker: only the second answers
        await settle(app, pilot)
        assert [(a.value, a.manual) for a in app.live.answers] == [("second", True)]


async def test_reset_forgets_the_backoff_and_an_answer_in_flight():
    app, source, clock = make()
    async with app.run_test() as pilot:
        await started(app, pilot)
        poller = app.live.poller
        source.fail(TransientError("down"))
        await settle(app, pilot)
        assert poller.failures == 1
        poller.reset()
        assert poller.failures == 0 and not poller.armed and poller.due is None
        poller.fire()
        await pilot.pause()
        assert poller.polls == 2 and poller.in_flight


async def test_stop_arms_nothing_after_the_answer_and_refresh_starts_again():
    app, source, clock = make()
    async with app.run_test() as pilot:
        await started(app, pilot)
        poller = app.live.poller
        app.live.poller._deliver = lambda answer: poller.stop()  # e.g. a session that has ended
        source.answer()
        await settle(app, pilot)
        assert not poller.armed and poller.due is None
        poller.refresh()
        await pilot.pause()
        assert poller.polls == 2


async def test_a_new_interval_during_delivery_sets_the_next_wait_and_later_re_arms_from_now():
    app, source, clock = make()
    async with app.run_test() as pilot:
        await started(app, pilot)
        poller = app.live.poller

        def fast(answer):
            poller.interval = 1.5  # e.g. the agent is between states

        app.live.poller._deliver = fast
        source.answer()
        await settle(app, pilot)
        assert poller.retry_in == 1.5
        poller.interval = 30
        assert poller.retry_in == 30


async def test_not_ready_asks_nothing_and_a_schedule_looks_again():
    ready = {"now": False}
    app, source, clock = make(ready=lambda: ready["now"])
    async with app.run_test() as pilot:
        await started(app, pilot)
        poller = app.live.poller
        assert poller.polls == 0 and not poller.in_flight
        poller.schedule(1)
        ready["now"] = True
        clock.advance(1)
        poller.fire()
        assert poller.polls == 1


async def test_on_real_time_the_timer_itself_polls_again():
    source = Source()

    class RealTime(Live):
        def __init__(self) -> None:
            Screen.__init__(self)
            self.source = source
            self.answers = []
            self.poller = Poller(self, source.fetch, self.answers.append, interval=0.01, group="rt")

    app = PollApp(RealTime())
    async with app.run_test() as pilot:
        await started(app, pilot)
        source.answer()
        for _ in range(500):  # the timer goes off after 10 ms; give it up to a few seconds of a busy machine
            await asyncio.sleep(0.01)
            if source.calls == 2:
                break
        assert source.calls == 2
