"""The one poller of the live screens (Overview, Calls, Logs, Session): when to ask, and what to do with the answer.

`PollState` (tui/common/polling.py) decides how long to wait; the `Poller` runs that schedule on Textual timers:

- one request in flight at a time: the next poll is armed only when the previous answer has been handled;
- no timers while the screen is suspended (another screen in front) or the user paused: Textual keeps firing a
  hidden screen's timers otherwise;
- answers are dropped when they belong to an older connection or agent (the app's `generation` moved on) or to a
  poll that was superseded (a manual refresh, a reset): only the newest poll of the newest connection is shown.

The screen gives it `fetch` (an async function that returns the answer or raises; an answer with an `error`
attribute holding a WiroError is a partial one, delivered whole but counted as a failure) and `deliver` (called
on the event loop with a `PollAnswer`); `ready` (optional) says whether there is anything to poll yet (a client, an
agent), and may show why not. The schedule runs on real time unless a `clock` is given (the app's clock, which in
the demo is the simulator's): then the due time is counted on that clock and a ticker looks every `tick` seconds.
"""

from __future__ import annotations

import inspect
import time
from dataclasses import dataclass
from typing import Any, Awaitable, Callable, Generic, TypeVar

from textual.timer import Timer
from textual.widget import Widget

from ..common.polling import DEFAULT_CAP_SECONDS, PollState
from ..wiro.errors import WiroError

T = TypeVar("T")


@dataclass(frozen=True)
class PollAnswer(Generic[T]):
    """One poll's outcome: `value` when it succeeded, else `error` (a WiroError; anything unexpected is wrapped
    in one that says so). `retry_in` is the wait armed after it (the backoff after a failure); `manual` is True
    when the user asked for this poll (a refresh key)."""

    value: T | None
    error: WiroError | None
    retry_in: float
    manual: bool = False

    @property
    def ok(self) -> bool:
        return self.error is None


class Poller(Generic[T]):
    """Polls for one screen. Call `resume()` / `suspend()` from the screen's ScreenResume / ScreenSuspend
    handlers; `refresh()` for a refresh key; `reset()` when what was shown no longer applies (a new agent)."""

    def __init__(
        self,
        owner: Widget,
        fetch: Callable[[], Awaitable[T]],
        deliver: Callable[[PollAnswer[T]], Any],  # may be async
        *,
        interval: float,
        group: str,
        cap: float = DEFAULT_CAP_SECONDS,
        clock: Callable[[], float] | None = None,
        tick: float = 1.0,
        ready: Callable[[], bool] | None = None,
        generation: Callable[[], int] | None = None,
    ) -> None:
        self._owner = owner
        self._fetch = fetch
        self._deliver = deliver
        self._ready = ready or (lambda: True)
        self._generation = generation or (lambda: getattr(owner.app, "generation", 0))
        self._clock = clock
        self._tick = tick
        self.group = group
        self.state = PollState(interval=interval, cap=max(cap, interval))
        #: the clock time the next poll is due (None: none armed), and the wait that was armed for it
        self.due: float | None = None
        self.wait: float | None = None
        self.in_flight = False
        #: requests started (tests and benchmarks read it)
        self.polls = 0
        self._shown = False
        self._paused = False
        self._stopped = False  # the screen said: nothing more to poll until asked (a session that ended)
        self._timer: Timer | None = None
        self._token = 0  # bumped by every poll and every reset: an answer carrying an older token is dropped
        self._delivering = False
        self._next_wait: float | None = None

    # -- what the screen reads ------------------------------------------------------------------------

    def now(self) -> float:
        return self._clock() if self._clock is not None else time.monotonic()

    @property
    def interval(self) -> float:
        return self.state.interval

    @interval.setter
    def interval(self, seconds: float) -> None:
        """A new base interval (a refresh-speed key, the Overview's fast polls while the agent changes state).
        The next poll is re-armed from now; during `deliver` it only sets the wait armed after it."""
        wait = self.state.with_interval(seconds)
        if self._delivering:
            self._next_wait = wait
        elif self.due is not None and not self.in_flight:
            self._arm(wait)

    @property
    def paused(self) -> bool:
        return self._paused

    @paused.setter
    def paused(self, paused: bool) -> None:
        self._paused = paused
        if paused:
            self._stop_timer()
        else:
            self._catch_up()

    @property
    def running(self) -> bool:
        """True while timers may run: the screen is shown and the user has not paused."""
        return self._shown and not self._paused

    @property
    def armed(self) -> bool:
        """True when a timer is waiting for the next poll."""
        return self._timer is not None

    @property
    def retry_in(self) -> float | None:
        """Seconds (on the poller's clock) until the armed poll; None when nothing is armed."""
        if self._timer is None or self.due is None:
            return None
        return max(0.0, self.due - self.now())

    @property
    def failures(self) -> int:
        return self.state.failures

    # -- what the screen calls ------------------------------------------------------------------------

    def resume(self, *, poll: bool = False) -> None:
        """The screen is shown: poll when one is due (or `poll`), else wait out the rest of the interval."""
        self._shown = True
        if poll:
            self._stopped = False
            self.due = None
        self._catch_up()

    def suspend(self) -> None:
        """The screen is hidden: stop the timers (an answer in flight is still delivered, and arms nothing)."""
        self._shown = False
        self._stop_timer()

    def refresh(self) -> None:
        """Poll now (a refresh key, a new connection): a poll already in flight is superseded."""
        self._stopped = False
        self._start(manual=True)

    def fire(self) -> None:
        """What the timer does when it goes off: poll if one is due and none is in flight."""
        self._stop_timer()
        if not self.running or self.in_flight or self._stopped:
            return
        if self.due is None or self.now() >= self.due:
            self._start(manual=False)
        else:
            self._arm_timer()

    def schedule(self, seconds: float) -> None:
        """Look again in `seconds` without asking now (nothing to poll yet: the demo is starting)."""
        self._stopped = False
        self._arm(seconds)

    def stop(self) -> None:
        """Nothing more to poll until `refresh()` or `resume(poll=True)` (a session that has ended)."""
        self._stopped = True
        self.due = None
        self._stop_timer()

    def reset(self) -> None:
        """What was shown no longer applies (another agent or connection): forget the backoff and any poll in
        flight; the next `resume`/`fire` polls at once."""
        self._token += 1
        self.in_flight = False
        self.state.failures = 0
        self.due = None
        self._stopped = False
        self._stop_timer()

    # -- inside -----------------------------------------------------------------------------------------

    def _catch_up(self) -> None:
        if not self.running or self.in_flight or self._stopped:
            return
        if self.due is None or self.now() >= self.due:
            # after the frame is drawn: a poll's first answer may load modules and would compete with drawing
            self._owner.call_after_refresh(self.fire)
        else:
            self._arm_timer()

    def _start(self, *, manual: bool) -> None:
        self._stop_timer()
        if not self._shown:
            return
        if not self._ready():
            return  # `ready` showed why, and may have scheduled a look later
        self._token += 1
        self.in_flight = True
        self.polls += 1
        self.due = None
        self._owner.run_worker(self._run(self._token, self._generation(), manual), group=self.group,
                               exclusive=True, exit_on_error=False)

    async def _run(self, token: int, generation: int, manual: bool) -> None:
        try:
            value = await self._fetch()
            partial = getattr(value, "error", None)  # a partial answer: shown, but the schedule backs off
            error = partial if isinstance(partial, WiroError) else None
        except WiroError as err:
            value, error = None, err
        except Exception as err:  # noqa: BLE001 - never stop polling over an unexpected failure
            self._owner.log.error("poll failed", err)
            value = None
            error = WiroError(f"Unexpected {type(err).__name__}; details are in the Textual log.")
        self._owner.call_later(self._answered, token, generation, value, error, manual)

    async def _answered(self, token: int, generation: int, value: T | None, error: WiroError | None,
                        manual: bool) -> None:
        if token != self._token:
            return  # superseded by a newer poll or a reset
        self.in_flight = False
        if generation != self._generation():
            # the connection or agent changed while this was in flight: ask again for the new one
            self.due = None
            self._catch_up()
            return
        wait = self.state.record(error)
        self._delivering, self._next_wait = True, None
        try:
            shown = self._deliver(PollAnswer(value, error, wait, manual))
            if inspect.isawaitable(shown):
                await shown
        finally:
            self._delivering = False
        if self._next_wait is not None:
            wait = self._next_wait
        if not self._stopped and token == self._token:  # (no newer poll started while it was shown)
            self._arm(wait)

    def _arm(self, seconds: float) -> None:
        self.wait = seconds
        self.due = self.now() + seconds
        self._arm_timer()

    def _arm_timer(self) -> None:
        self._stop_timer()
        if not self.running or self.due is None:
            return
        left = max(0.0, self.due - self.now())
        # real time: one timer for the whole wait; another clock: look every `tick` real seconds
        self._timer = self._owner.set_timer(left if self._clock is None else min(left, self._tick) or self._tick,
                                            self.fire, name=f"poll:{self.group}")

    def _stop_timer(self) -> None:
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
