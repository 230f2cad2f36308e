"""The watcher: poll every agent, count finished calls once, publish metrics, judge the alert rules.

One round ("poll") reads `MyAgents` once (paged by the client), then for each agent its `Detail` and call
history, the agents' reads spread evenly across the interval (so ten agents at 5 s are read half a second
apart rather than in a burst), with at most `max_in_flight` (4) Wiro requests on the wire. New rejected
sessions get one `Message/Detail` each for their reason. Where Twilio credentials are at hand (the
environment, or the demo's own account) each agent's numbers are looked up on Twilio every
`twilio_interval` seconds. Then the rules run, the alert engine says what to deliver, the metrics view is
replaced and the watch state saved.

The schedule is `PollState`'s: the next round `interval` after this one started; after a failed round (the
list could not be read, or Wiro answered 429 anywhere) the wait doubles up to the cap and honours
Retry-After. Nothing piles up: a round starts only when the previous one finished.

The client is any object with `my_agents()`, `detail(guid)`, `call_history(guid, limit)` and
`message_detail(messageguid=…)` (the WiroClient), so tests run it against the simulator over loopback. The
clock (`now`, epoch seconds) and `sleep` are injected: a test moves simulated time instead of waiting.
"""

from __future__ import annotations

import asyncio
import sys
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO, TypeVar

from ..common.polling import PollState
from ..wiro.errors import RateLimitedError, WiroError
from .alerts import AlertEngine, AlertEvent
from .deliver import AlertDelivery
from .fleet import AgentPoll, AgentView, summarize
from .rules import ApiHealth, FleetPoll, judge, remember
from .settings import AlertSettings
from .state import WatchState

if TYPE_CHECKING:
    from ..doctor.gather import TwilioAccess
    from ..twilio.verify import NumbersCheck
    from ..webhooks.report import SaveReport
    from .metrics import WatchMetrics

T = TypeVar("T")

DEFAULT_INTERVAL = 30.0
MAX_IN_FLIGHT = 4
#: sessions read per agent per round; a first read, or a gap (a full page of sessions never seen), reads the cap
HISTORY_LIMIT = 50
HISTORY_CAP = 200
#: rejection reasons read per agent per round (one Message/Detail each)
REASONS_PER_POLL = 5
#: how many distinct warnings are remembered as said (a long watch meets many error texts)
SAID_KEPT = 256
TWILIO_INTERVAL = 300.0

#: error class name (anywhere in its MRO) → the `kind` label of wiro_voice_poll_errors_total
_KINDS = {"RateLimitedError": "rate_limited", "AccessDenied": "access_denied", "AgentGone": "agent_gone",
          "AuthError": "auth", "NotFoundError": "not_found", "ProtocolError": "protocol", "ApiError": "refused"}

#: the credential's Account SID → the access to check its numbers with, or why there is none
TwilioLookup = Callable[[str | None], Any]


def error_kind(err: BaseException) -> str:
    """A short label for a failed request: timeout, connection, server, rate_limited, auth, …"""
    for cls in type(err).__mro__:
        if cls.__name__ in _KINDS:
            return _KINDS[cls.__name__]
        if cls.__name__ == "TransientError":
            return str(getattr(err, "kind", "") or "network")
    return "error"


@dataclass(frozen=True)
class PollReport:
    """One round as the caller sees it. `error` is what the schedule backs off on (the list could not be read,
    or a 429); `missing` the asked-for agents the key does not list; `problems` per-agent failures in words."""

    fleet: FleetPoll
    views: tuple[AgentView, ...]
    events: tuple[AlertEvent, ...]
    error: WiroError | None = None
    missing: tuple[str, ...] = ()
    problems: tuple[str, ...] = ()
    #: what `views` summarize: each agent's poll, or its last good data where this round failed
    shown: tuple[AgentPoll, ...] = ()

    @property
    def listed(self) -> bool:
        return self.fleet.listed


class Watcher:
    """Polls the fleet. One instance per watch state; `poll()` for one round, `run()` to keep going.

    `delivery` is anything with `start()`, `submit(events)` and `aclose()` (default: an AlertDelivery that says
    each event on `stderr`); `on_warning(text)` hears what would otherwise be said on `stderr` (the TUI has
    no stderr to write to)."""

    def __init__(
        self,
        client: Any,
        state: WatchState,
        *,
        alerts: AlertSettings = AlertSettings(),
        interval: float = DEFAULT_INTERVAL,
        agents: Sequence[str] = (),
        now: Callable[[], float] = time.time,
        sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep,
        metrics: WatchMetrics | None = None,
        delivery: Any = None,
        twilio: TwilioLookup | None = None,
        twilio_base: str = "https://api.twilio.com",
        api_base: str | None = None,
        twilio_interval: float = TWILIO_INTERVAL,
        twilio_retry: Any = None,
        reports_dir: Path | None = None,
        max_in_flight: int = MAX_IN_FLIGHT,
        history_limit: int = HISTORY_LIMIT,
        stderr: TextIO | None = None,
        on_warning: Callable[[str], Any] | None = None,
    ) -> None:
        self.client = client
        self.state = state
        self.alerts = alerts
        self.interval = interval
        self.only = tuple(dict.fromkeys(a.strip() for a in agents if a and a.strip()))
        self.now = now
        self.sleep = sleep
        self.metrics = metrics
        self.delivery = delivery or AlertDelivery(None, stderr=stderr)
        self.engine = AlertEngine(alerts.repeat)
        self.schedule = PollState(interval)
        self.twilio = twilio
        self.twilio_base = twilio_base
        self.api_base = api_base  # its host counts as Wiro's in the Twilio verdicts (besides *.wiro.ai)
        self.twilio_interval = twilio_interval
        self.twilio_retry = twilio_retry
        self.reports_dir = reports_dir
        self.history_limit = max(1, min(HISTORY_CAP, history_limit))
        self.stderr = stderr if stderr is not None else sys.stderr
        self.on_warning = on_warning
        self.polls = 0
        self.poll_errors: Counter[tuple[str, str]] = Counter()
        self.apis: dict[str, ApiHealth] = {"wiro": ApiHealth("wiro")}
        self._slots = asyncio.Semaphore(max(1, max_in_flight))
        self._known: tuple[tuple[str, str], ...] = ()  # (guid, title) of the last list read
        self._last_good: dict[str, AgentPoll] = {}
        self._twilio_checks: dict[str, tuple[float, NumbersCheck]] = {}
        self._reports: dict[str, tuple[float, SaveReport | None]] = {}
        self._said: dict[str, None] = {}  # warnings said once, oldest first
        self._rate_limited: RateLimitedError | None = None

    # -- one round -------------------------------------------------------------------------------------

    async def poll(self, *, stagger: bool = True) -> PollReport:
        """One round over the fleet. Never raises for an API failure: that is in the report and the metrics."""
        started = self.now()
        self.delivery.start()
        self._rate_limited = None
        listed, list_error = await self._request("UserAgent/MyAgents", lambda: self.client.my_agents())
        missing: tuple[str, ...] = ()
        if listed is not None:
            self._set_api("wiro", None)
            rows = [a for a in listed if not self.only or a.guid in self.only]
            missing = tuple(g for g in self.only if g not in {a.guid for a in listed})
            self._known = tuple((a.guid, a.title) for a in rows)
            self._forget_others({a.guid for a in rows})
            polls = await self._poll_agents(rows, started, stagger)
        else:
            self._set_api("wiro", list_error)
            polls = [AgentPoll(guid, title, started) for guid, title in self._known]
        at = self.now()
        fleet = FleetPoll(at, tuple(polls), listed=listed is not None, apis=dict(self.apis))
        remember(fleet, self.state)
        judgement = judge(fleet, self.alerts, self.state)
        events = self.engine.evaluate(judgement.alerts, at, undecided=judgement.undecided)
        self.delivery.submit(events)
        shown = tuple(self._shown(p) for p in polls)
        views = tuple(summarize(p, at) for p in shown)
        self.polls += 1
        self._publish(views, at)
        self._warn(self.state.save())
        problems = tuple(p for poll in polls for p in (poll.detail_error, poll.sessions_error) if p)
        error = list_error or self._rate_limited
        return PollReport(fleet, views, tuple(events), error, missing, problems, shown)

    async def _poll_agents(self, rows: list[Any], started: float, stagger: bool) -> list[AgentPoll]:
        gap = self.interval / len(rows) if stagger and rows else 0.0
        tasks: list[asyncio.Task[AgentPoll]] = []
        for i, row in enumerate(rows):
            if gap and i:
                delay = started + i * gap - self.now()
                if delay > 0:
                    await self.sleep(delay)
            tasks.append(asyncio.ensure_future(self._poll_agent(row)))
        return list(await asyncio.gather(*tasks))

    async def _poll_agent(self, row: Any) -> AgentPoll:
        guid = row.guid
        limit = self.history_limit if guid in self.state.agents else HISTORY_CAP
        (agent, detail_error), (sessions, history_error) = await asyncio.gather(
            self._request("UserAgent/Detail", lambda: self.client.detail(guid)),
            self._request("UserAgent/TwilioCallHistory/List", lambda: self.client.call_history(guid, limit)))
        at = self.now()
        if sessions is not None and self._gap(guid, sessions, limit):
            more, history_error = await self._request("UserAgent/TwilioCallHistory/List",
                                                      lambda: self.client.call_history(guid, HISTORY_CAP))
            sessions = more if more is not None else None
        if sessions is not None:
            sessions = tuple(sessions)
            self.state.count_sessions(guid, sessions, at)
            await self._read_reasons(guid)
        shown = agent if agent is not None else row
        poll = AgentPoll(
            guid, getattr(shown, "title", None) or guid, at, agent=shown,
            detail_error=None if agent is not None else f"{row.title}: {_text(detail_error)}",
            sessions=sessions, sessions_error=None if sessions is not None else f"{row.title}: {_text(history_error)}",
            report=self._report(guid))
        if agent is not None:
            poll = await self._with_twilio(poll)
        else:
            poll = self._with_last_twilio(poll)
        self._remember_good(poll)
        return poll

    def _gap(self, guid: str, sessions: Sequence[Any], limit: int) -> bool:
        """A full page whose oldest finished session was never counted and is above the floor: sessions may
        have been missed between rounds, so read the whole history once."""
        if limit >= HISTORY_CAP or len(sessions) < limit:
            return False
        ledger = self.state.agents.get(guid)
        oldest = sessions[-1]
        if ledger is None or oldest.messageguid in ledger.counted:
            return False
        return ledger.floor_ms is None or (oldest.started_at_ms or 0) >= ledger.floor_ms

    async def _read_reasons(self, guid: str) -> None:
        wanted = self.state.pending_reasons(guid, REASONS_PER_POLL)
        if not wanted:
            return

        async def one(messageguid: str) -> None:
            detail, _ = await self._request("UserAgent/Message/Detail",
                                            lambda: self.client.message_detail(messageguid=messageguid))
            if detail is None:
                self.state.reason_failed(guid, messageguid)
                return
            from ..common.coerce import as_str

            self.state.reason_read(guid, messageguid, as_str(detail.metadata.get("reason")))

        await asyncio.gather(*(one(g) for g in wanted))

    # -- Twilio ------------------------------------------------------------------------------------------

    async def _with_twilio(self, poll: AgentPoll) -> AgentPoll:
        cred = getattr(poll.agent, "credential", None)
        numbers = tuple(dict.fromkeys(cred.phonenumbers)) if cred is not None else ()
        if not numbers:
            self._twilio_checks.pop(poll.guid, None)
            return replace(poll, twilio_skipped="the credential lists no phone numbers")
        if self.twilio is None:
            return replace(poll, twilio_skipped="no Twilio credentials were given")
        last = self._twilio_checks.get(poll.guid)
        if last is not None and poll.polled_at - last[0] < self.twilio_interval:
            return replace(poll, numbers=last[1], numbers_at=last[0])
        access = self.twilio(cred.accountsid if cred is not None else None)
        if not hasattr(access, "token"):  # the reason there is no access (text, or an object saying it)
            return replace(poll, twilio_skipped=str(getattr(access, "message", access)))
        check = await self._verify(numbers, access, poll.guid)
        at = self.now()
        self._set_twilio(check)
        if check.checked:
            self._twilio_checks[poll.guid] = (at, check)
            return replace(poll, numbers=check, numbers_at=at)
        # keep the last good view for the screen, but the rules see that this round could not check
        self._twilio_checks.pop(poll.guid, None)
        return replace(poll, twilio_skipped=check.error)

    def _with_last_twilio(self, poll: AgentPoll) -> AgentPoll:
        last = self._twilio_checks.get(poll.guid)
        return replace(poll, numbers=last[1], numbers_at=last[0]) if last else poll

    async def _verify(self, numbers: tuple[str, ...], access: TwilioAccess, guid: str) -> NumbersCheck:
        from ..twilio.client import TwilioClient
        from ..twilio.verify import verify_numbers, wiro_hosts_for

        options: dict[str, Any] = {"sleep": self.sleep}
        if self.twilio_retry is not None:
            options["retry"] = self.twilio_retry
        try:
            async with TwilioClient(access.account_sid, access.token, self.twilio_base, **options) as client:
                return await verify_numbers(numbers, access.account_sid, access.token, self.twilio_base,
                                            wiro_hosts=wiro_hosts_for(self.api_base), agent_guid=guid,
                                            client=client)
        except ValueError as err:  # an unusable SID or base: said once, then skipped like no credentials
            from ..twilio.verify import AccountCheck, NumbersCheck

            return NumbersCheck(AccountCheck("invalid_input", str(err)), error=str(err))

    def _set_twilio(self, check: NumbersCheck) -> None:
        state = check.account.state
        if state in ("invalid_input",):
            return  # nothing was asked of Twilio
        reached = check.checked or state in ("rejected", "inactive")  # valid but unchecked: the list failed
        if not reached:
            self.poll_errors[("twilio", "unreachable" if state == "unreachable" else "error")] += 1
        previous = self.apis.get("twilio", ApiHealth("twilio"))
        self.apis["twilio"] = ApiHealth("twilio", reached, 0 if reached else previous.failures + 1,
                                        None if reached else (check.error or check.account.message))

    # -- helpers -------------------------------------------------------------------------------------------

    async def _request(self, endpoint: str, call: Callable[[], Awaitable[T]]) -> tuple[T | None, WiroError | None]:
        """One Wiro request within the in-flight limit; a WiroError is counted and returned, not raised."""
        async with self._slots:
            try:
                return await call(), None
            except WiroError as err:
                self.poll_errors[(err.endpoint or endpoint, error_kind(err))] += 1
                if isinstance(err, RateLimitedError) and self._rate_limited is None:
                    self._rate_limited = err
                return None, err

    def _set_api(self, api: str, error: WiroError | None) -> None:
        previous = self.apis.get(api, ApiHealth(api))
        if error is None:
            self.apis[api] = ApiHealth(api, True, 0, None)
        else:
            self.apis[api] = ApiHealth(api, False, previous.failures + 1, _text(error))

    def _report(self, guid: str) -> SaveReport | None:
        """The last save report for this agent (re-read only when its file changed)."""
        if self.reports_dir is None:
            return None
        from ..webhooks.store import load_report, report_path

        path = report_path(self.reports_dir, guid)
        try:
            stamp = path.stat().st_mtime
        except OSError:
            self._reports.pop(guid, None)
            return None
        cached = self._reports.get(guid)
        if cached is not None and cached[0] == stamp:
            return cached[1]
        loaded = load_report(path)
        self._warn(loaded.warning)
        self._reports[guid] = (stamp, loaded.report)
        return loaded.report

    def _remember_good(self, poll: AgentPoll) -> None:
        last = self._last_good.get(poll.guid)
        if last is None or (poll.from_detail and poll.sessions is not None):
            self._last_good[poll.guid] = poll
            return
        self._last_good[poll.guid] = replace(
            last, title=poll.title, polled_at=poll.polled_at,
            agent=poll.agent if poll.from_detail or not last.from_detail else last.agent,
            detail_error=None if poll.from_detail else last.detail_error,
            sessions=poll.sessions if poll.sessions is not None else last.sessions,
            numbers=poll.numbers or last.numbers, report=poll.report)

    def _shown(self, poll: AgentPoll) -> AgentPoll:
        """What the metrics and screens show: this round's data, or the last good data where it failed (with
        this round's problems)."""
        last = self._last_good.get(poll.guid)
        if last is None or (poll.from_detail and poll.sessions is not None):
            return poll
        return replace(last, detail_error=poll.detail_error, sessions_error=poll.sessions_error)

    def _publish(self, views: tuple[AgentView, ...], at: float) -> None:
        if self.metrics is None:
            return
        from .metrics import MetricsView

        firing = Counter((a.rule, a.severity) for a in self.engine.firing)
        apis = {name: h.up for name, h in self.apis.items()}
        self.metrics.publish(MetricsView.build(views, self.state, poll_errors=self.poll_errors, apis=apis,
                                               last_poll=at, alerts=firing))

    def _forget_others(self, listed: set[str]) -> None:
        """An agent no longer listed (deleted, or out of `--agent`) leaves the per-agent caches: a watch that
        runs for months must not keep every agent it ever saw."""
        for cache in (self._last_good, self._twilio_checks, self._reports):
            for guid in [g for g in cache if g not in listed]:
                del cache[guid]

    def _warn(self, text: str | None) -> None:
        if text and text not in self._said:
            self._said[text] = None
            if len(self._said) > SAID_KEPT:  # the oldest may be said again, rather than every text kept forever
                del self._said[next(iter(self._said))]
            if self.on_warning is not None:
                self.on_warning(text)
            else:
                print(f"watch: {text}", file=self.stderr, flush=True)

    # -- rounds --------------------------------------------------------------------------------------------

    async def run(self, *, polls: int | None = None, stop: asyncio.Event | None = None,
                  on_poll: Callable[[PollReport], Any] | None = None) -> None:
        """Poll until `stop` is set (or `polls` rounds), waiting as the schedule says between rounds. An
        unexpected error in a round is reported on stderr and the next round goes ahead."""
        self.delivery.start()
        done = 0
        while (polls is None or done < polls) and not (stop is not None and stop.is_set()):
            started = self.now()
            try:
                report = await self.poll(stagger=True)
            except Exception as exc:  # noqa: BLE001 - a bug in one round must not end the watch
                self.poll_errors[("watch", "internal")] += 1
                text = f"a poll failed unexpectedly ({type(exc).__name__}: {exc}); trying again"
                self._said.pop(text, None)  # said each time it happens
                self._warn(text)
                wait = self.schedule.failed()
            else:
                wait = self.schedule.record(report.error)
                if on_poll is not None:
                    on_poll(report)
            done += 1
            if polls is not None and done >= polls:
                break
            delay = max(0.0, started + wait - self.now()) if not self.schedule.backing_off else wait
            if stop is None:
                await self.sleep(delay)
            else:
                await _sleep_or_stop(self.sleep, delay, stop)

    async def once(self) -> tuple[PollReport, int]:
        """One full round without spreading the agents out, the hook's deliveries awaited, and the exit code:
        0 healthy, 1 alerts hold, 2 the fleet could not be read (or an asked-for agent is not there)."""
        self.delivery.start()
        report = await self.poll(stagger=False)
        await self.delivery.aclose(wait=max(30.0, self.delivery.timeout * 3))
        return report, exit_code(report, self.engine.firing)


def exit_code(report: PollReport, firing: Sequence[Any]) -> int:
    if not report.listed or report.missing:
        return 2
    if firing:
        return 1
    return 0


async def _sleep_or_stop(sleep: Callable[[float], Awaitable[Any]], delay: float, stop: asyncio.Event) -> None:
    waiter = asyncio.ensure_future(stop.wait())
    sleeper = asyncio.ensure_future(sleep(delay))
    try:
        await asyncio.wait({waiter, sleeper}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for task in (waiter, sleeper):
            task.cancel()


def _text(error: BaseException | None) -> str:
    if error is None:
        return "no answer"
    return str(getattr(error, "message", None) or error)
