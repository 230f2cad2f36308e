"""One agent at a glance, from what one poll read: the raw `AgentPoll` and the figures `AgentView` shows.

`AgentPoll` keeps what was read (the agent, its recent sessions, Twilio's view of its numbers, the last save
report) and why a part is missing. `summarize` turns it into an `AgentView`: status with its meaning, calls on
the line now, calls and rejections in the last hour, the last call, the numbers' webhook health and the
credits left. The watcher's metrics and rules, the Fleet screen and `watch --once` all read these.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..calls.catalog import ACTIVE, INCOMING, REJECTED

if TYPE_CHECKING:  # annotations only: the models load with the first answer
    from ..doctor.findings import Finding
    from ..twilio.verify import NumbersCheck
    from ..webhooks.report import SaveReport
    from ..wiro.models import Agent, CallSession

HOUR = 3600.0
RUNNING = 4
#: statuses in which the agent does not answer and will not by itself: Stopped, Error, Setup required
DOWN_STATUSES = (0, 5, 6)
#: where a number's webhook state came from
SOURCE_TWILIO, SOURCE_SAVE, SOURCE_NONE = "twilio", "last_save", "none"


@dataclass(frozen=True)
class AgentPoll:
    """What one poll read about one agent. `agent` is Detail's answer, or the MyAgents row when Detail failed
    (`detail_error` says why). `sessions` is None when the history could not be read (`sessions_error`).
    `numbers` is Twilio's live view (None: not checked, `twilio_skipped` says why)."""

    guid: str
    title: str
    polled_at: float
    agent: Agent | None = None
    detail_error: str | None = None
    sessions: tuple[CallSession, ...] | None = None
    sessions_error: str | None = None
    numbers: NumbersCheck | None = None
    numbers_at: float | None = None
    twilio_skipped: str | None = None
    report: SaveReport | None = None

    @property
    def status(self) -> int | None:
        return self.agent.status if self.agent is not None else None

    @property
    def from_detail(self) -> bool:
        return self.agent is not None and self.detail_error is None


@dataclass(frozen=True)
class AgentView:
    """The figures of one agent row. Counts are None when their source could not be read."""

    guid: str
    title: str
    status: int | None
    status_name: str
    status_meaning: str
    calls_active: int | None
    calls_last_hour: int | None
    rejections_last_hour: int | None
    last_call_at: float | None
    webhooks: Mapping[str, int] = field(default_factory=dict)
    webhook_source: str = SOURCE_NONE
    remaining_credits: int | None = None
    problems: tuple[str, ...] = ()

    @property
    def running(self) -> bool:
        return self.status == RUNNING

    @property
    def webhooks_ok(self) -> bool | None:
        """True when every number routes to Wiro (or was updated on the last save); None when unknown."""
        if self.webhook_source == SOURCE_NONE or not self.webhooks:
            return None
        good = "wiro_ok" if self.webhook_source == SOURCE_TWILIO else "updated"
        return set(self.webhooks) == {good}

    def to_json(self) -> dict[str, Any]:
        return {"guid": self.guid, "title": self.title, "status": self.status, "status_name": self.status_name,
                "status_meaning": self.status_meaning, "calls_active": self.calls_active,
                "calls_last_hour": self.calls_last_hour, "rejections_last_hour": self.rejections_last_hour,
                "last_call_at": self.last_call_at, "webhooks": dict(self.webhooks),
                "webhook_source": self.webhook_source, "remaining_credits": self.remaining_credits,
                "problems": list(self.problems)}


def remaining_credits(agent: Agent | None) -> int | None:
    """`remainingcredits` from Detail (MyAgents does not carry it): a model field when the client has one,
    else the raw answer's value; None when absent or not a number."""
    if agent is None:
        return None
    for name in ("remaining_credits", "remainingcredits"):
        value = getattr(agent, name, None)
        if isinstance(value, int) and not isinstance(value, bool):
            return value
    from ..common.coerce import as_int

    raw = getattr(agent, "raw", None) or {}
    return as_int(raw.get("remainingcredits")) if isinstance(raw, Mapping) else None


def started(session: CallSession) -> float | None:
    """When the session started, in epoch seconds (the API gives milliseconds)."""
    return session.started_at_ms / 1000 if session.started_at_ms is not None else None


def live(sessions: Iterable[CallSession]) -> list[CallSession]:
    """Sessions with a caller on the line: incoming (preparing, hearing the hold) or active (talking)."""
    return [s for s in sessions if s.status in (INCOMING, ACTIVE)]


def rejected_since(sessions: Iterable[CallSession], since: float) -> list[CallSession]:
    """Rejected sessions that started at or after `since` (epoch seconds)."""
    return [s for s in sessions if s.status == REJECTED and (t := started(s)) is not None and t >= since]


def webhook_states(poll: AgentPoll) -> tuple[str, dict[str, int]]:
    """How many of the credential's numbers are in each state, and from where: Twilio's live verdicts when
    Twilio was checked (wiro_ok, twiml_app, sip_trunk, …), else the last save's (updated, skipped, failed,
    not_in_save), else nothing known."""
    numbers = _numbers(poll.agent)
    check = poll.numbers
    if check is not None and check.checked and check.numbers:
        return SOURCE_TWILIO, dict(Counter(_live_state(v) for v in check.numbers))
    if poll.report is not None and numbers:
        if poll.report.error is not None:
            return SOURCE_SAVE, {"error": len(numbers)}
        return SOURCE_SAVE, dict(Counter(poll.report.state_of(n).state for n in numbers))
    return SOURCE_NONE, {}


def _live_state(verdict: Any) -> str:
    """Twilio's verdict, except that a number pointed at Wiro but unable to ring it (no Voice capability,
    set to fax, another agent's URL) is "flagged"."""
    if verdict.verdict == "wiro_ok" and not verdict.rings_agent:
        return "flagged"
    return verdict.verdict


def _numbers(agent: Agent | None) -> tuple[str, ...]:
    cred = getattr(agent, "credential", None)
    return tuple(dict.fromkeys(cred.phonenumbers)) if cred is not None else ()


def summarize(poll: AgentPoll, now: float) -> AgentView:
    """The row for one agent at `now` (epoch seconds, the clock the sessions' times are on)."""
    from ..wiro.models import status_meaning, status_name

    sessions = poll.sessions
    if sessions is not None:
        hour = [s for s in sessions if (t := started(s)) is not None and t >= now - HOUR]
        active: int | None = len(live(sessions))
        last_hour: int | None = len(hour)
        rejections: int | None = sum(1 for s in hour if s.status == REJECTED)
        last = max((t for s in sessions if (t := started(s)) is not None), default=None)
    else:
        active = last_hour = rejections = None
        last = None
    source, states = webhook_states(poll)
    problems = tuple(p for p in (poll.detail_error, poll.sessions_error) if p)
    return AgentView(
        guid=poll.guid, title=poll.title, status=poll.status, status_name=status_name(poll.status),
        status_meaning=status_meaning(poll.status), calls_active=active, calls_last_hour=last_hour,
        rejections_last_hour=rejections, last_call_at=last, webhooks=states, webhook_source=source,
        remaining_credits=remaining_credits(poll.agent) if poll.from_detail else None, problems=problems)


def worst_finding(poll: AgentPoll, now: float) -> Finding | None:
    """The doctor's worst finding over what this poll read (no activity log, no hold files: those checks
    stay quiet), or None when nothing needs changing. For the Fleet screen; the watcher does not need it."""
    if poll.agent is None:
        return None
    from ..doctor.diagnose import diagnose
    from ..doctor.evidence import Evidence

    evidence = Evidence(poll.guid, now, poll.agent if poll.from_detail else None,
                        agent_error=poll.detail_error, report=poll.report, twilio=poll.numbers,
                        twilio_skipped=poll.twilio_skipped, sessions=poll.sessions, sessions_error=poll.sessions_error,
                        logs=())
    problems = [f for f in diagnose(evidence) if f.is_problem]
    return problems[0] if problems else None
