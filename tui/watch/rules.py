"""The alert rules: which conditions hold after one poll of the fleet.

Each rule is a plain function of the poll (`FleetPoll`), the settings and the watcher's memory (`WatchState`:
which agents were seen Running, which numbers were seen routed to Wiro), returning the alerts that hold and
the key prefixes it could not judge this round. Where the doctor has a check for the same thing, the rule
asks the doctor and takes its words (title, detail, fix), so an alert and `wiro-voice doctor` say the same.

| rule               | key                                   | holds when                                                |
|--------------------|---------------------------------------|-----------------------------------------------------------|
| agent_not_running  | agent.not_running:<guid>              | an agent seen Running is Stopped, in Error or needs setup |
| number_not_routed  | number.not_routed:<guid>:<number>     | a number seen ringing the agent no longer does (Twilio)   |
| rejections         | rejections.burst:<guid>               | more than N rejected calls started within the window      |
| unreachable        | api.unreachable:<wiro or twilio>      | K polls in a row failed to reach that API                 |
| credits_low        | credits.low:<guid>                    | Detail's remainingcredits is under the threshold          |
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from .alerts import Alert
from .fleet import DOWN_STATUSES, AgentPoll, rejected_since, remaining_credits
from .settings import AlertSettings
from .state import WatchState

API_NAMES = {"wiro": "Wiro", "twilio": "Twilio"}


@dataclass(frozen=True)
class ApiHealth:
    """One API as the watcher sees it: `up` after the last request (None: not asked yet), how many polls in a
    row failed, and the last failure in words."""

    api: str
    up: bool | None = None
    failures: int = 0
    error: str | None = None


@dataclass(frozen=True)
class FleetPoll:
    """One round: every agent's poll, whether MyAgents answered (`listed`), and each API's health. When the
    list could not be read, `agents` holds the last known agents without fresh data."""

    at: float
    agents: tuple[AgentPoll, ...] = ()
    listed: bool = True
    apis: Mapping[str, ApiHealth] = field(default_factory=dict)


@dataclass(frozen=True)
class Judgement:
    alerts: tuple[Alert, ...] = ()
    undecided: tuple[str, ...] = ()


Rule = Callable[[FleetPoll, AlertSettings, WatchState], Judgement]


def _who(poll: AgentPoll) -> dict[str, str]:
    return {"agent": poll.guid, "agent_title": poll.title}


def agent_not_running(fleet: FleetPoll, settings: AlertSettings, state: WatchState) -> Judgement:
    """An agent this watcher has seen Running (remembered across restarts) is now Stopped, in Error or waits
    for setup. Agents never seen Running (a draft, a spare line) do not alert: the doctor covers them."""
    if not settings.agent_not_running:
        return Judgement()
    if not fleet.listed:
        return Judgement(undecided=("agent.not_running:",))
    alerts, unsure = [], []
    for poll in fleet.agents:
        key = f"agent.not_running:{poll.guid}"
        if poll.agent is None:
            unsure.append(key)
            continue
        if poll.status not in DOWN_STATUSES or poll.guid not in state.seen_running:
            continue
        from ..doctor.checks_agent import check_agent  # the doctor's words, loaded when first needed
        from ..doctor.evidence import Evidence

        finding = next(iter(check_agent(Evidence(poll.guid, fleet.at, poll.agent))), None)
        if finding is None:
            continue
        alerts.append(Alert(key, "agent_not_running", "critical", f"{poll.title}: {finding.title}", finding.detail,
                            finding.fix, **_who(poll)))
    return Judgement(tuple(alerts), tuple(unsure))


def number_not_routed(fleet: FleetPoll, settings: AlertSettings, state: WatchState) -> Judgement:
    """A number of the credential that Twilio's last check showed ringing the agent no longer does (moved to a
    TwiML App, a SIP Trunk, a Studio Flow, another URL, off the account). Needs a Twilio check."""
    if not settings.number_not_routed:
        return Judgement()
    if not fleet.listed:
        return Judgement(undecided=("number.not_routed:",))
    alerts, unsure = [], []
    for poll in fleet.agents:
        check = poll.numbers
        if check is None or not check.checked or poll.agent is None or not poll.from_detail:
            unsure.append(f"number.not_routed:{poll.guid}:")
            continue
        routed_before = state.routed.get(poll.guid, set())
        broken = [v for v in check.numbers if v.number in routed_before and not v.rings_agent]
        if not broken:
            continue
        from ..doctor.checks_numbers import check_numbers
        from ..doctor.evidence import Evidence

        findings = check_numbers(Evidence(poll.guid, fleet.at, poll.agent, twilio=check))
        for verdict in broken:
            finding = next((f for f in findings if f.severity == "error" and f.id.endswith(f":{verdict.number}")), None)
            title = finding.title if finding else f"{verdict.number}: {verdict.title}"
            detail = finding.detail if finding else verdict.detail
            fix = finding.fix if finding else (verdict.fix or "")
            alerts.append(Alert(f"number.not_routed:{poll.guid}:{verdict.number}", "number_not_routed", "critical",
                                f"{poll.title}: {title} (it rang the agent before)", detail, fix, **_who(poll)))
    return Judgement(tuple(alerts), tuple(unsure))


def rejections(fleet: FleetPoll, settings: AlertSettings, state: WatchState) -> Judgement:
    """More than `rejections` rejected calls started within `rejections_window`, per agent."""
    limit, window = settings.rejections, settings.rejections_window
    if not limit:
        return Judgement()
    if not fleet.listed:
        return Judgement(undecided=("rejections.burst:",))
    alerts, unsure = [], []
    for poll in fleet.agents:
        key = f"rejections.burst:{poll.guid}"
        if poll.sessions is None:
            unsure.append(key)
            continue
        recent = rejected_since(poll.sessions, fleet.at - window)
        if len(recent) <= limit:
            continue
        minutes = f"{window / 60:g} min" if window >= 60 else f"{window:g} s"
        alerts.append(Alert(
            key, "rejections", "warning", f"{poll.title}: {len(recent)} calls rejected in {minutes}",
            f"{len(recent)} calls to {poll.title} were rejected before the caller reached the agent within the last "
            f"{minutes} (the threshold is {limit}). Callers hear nothing or are cut off.",
            "Run `wiro-voice doctor` (or the Doctor screen, d): it reads each rejection's reason — too many calls at "
            "once, the agent slow to prepare, the voice connection failing — and says what to change.",
            **_who(poll)))
    return Judgement(tuple(alerts), tuple(unsure))


def unreachable(fleet: FleetPoll, settings: AlertSettings, state: WatchState) -> Judgement:
    """Wiro or Twilio failed `unreachable_polls` polls in a row."""
    limit = settings.unreachable_polls
    if not limit:
        return Judgement()
    alerts = []
    for api, health in sorted(fleet.apis.items()):
        if health.failures < limit:
            continue
        name = API_NAMES.get(api, api)
        what = ("agent statuses and calls are not being watched" if api == "wiro"
                else "where each number's calls go is not being checked")
        alerts.append(Alert(
            f"api.unreachable:{api}", "unreachable", "critical",
            f"{name} unreachable for {health.failures} polls in a row",
            f"The last {health.failures} polls of {name} failed, so {what}. The last error: "
            f"{health.error or 'none given'}",
            "Check the network and the API base URL (and the API key or Twilio credentials if the error says they "
            "were refused); the watcher keeps trying with backoff and sends a resolved message when it answers."))
    return Judgement(tuple(alerts))


def credits_low(fleet: FleetPoll, settings: AlertSettings, state: WatchState) -> Judgement:
    """Detail's `remainingcredits` below `credits_below` (Wiro stops answering with none left)."""
    limit = settings.credits_below
    if not limit:
        return Judgement()
    if not fleet.listed:
        return Judgement(undecided=("credits.low:",))
    alerts, unsure = [], []
    for poll in fleet.agents:
        key = f"credits.low:{poll.guid}"
        if not poll.from_detail:
            unsure.append(key)
            continue
        left = remaining_credits(poll.agent)
        if left is None or left >= limit:
            continue
        alerts.append(Alert(
            key, "credits_low", "warning" if left > 0 else "critical",
            f"{poll.title}: {'no credits left' if left <= 0 else f'only {left} credits left'}",
            f"Wiro reports {left} remaining credits for {poll.title} (the threshold is {limit}). With none left the "
            "agent cannot start and stops answering calls.",
            "Renew the subscription or buy a credit pack in the Wiro panel.", **_who(poll)))
    return Judgement(tuple(alerts), tuple(unsure))


RULES: tuple[Rule, ...] = (agent_not_running, number_not_routed, rejections, unreachable, credits_low)


def judge(fleet: FleetPoll, settings: AlertSettings, state: WatchState) -> Judgement:
    """Every rule over one poll: all the alerts that hold, and every prefix some rule could not judge."""
    alerts: list[Alert] = []
    unsure: list[str] = []
    for rule in RULES:
        found = rule(fleet, settings, state)
        alerts += found.alerts
        unsure += found.undecided
    return Judgement(tuple(alerts), tuple(unsure))


def remember(fleet: FleetPoll, state: WatchState) -> None:
    """Update the rules' memory from this poll, before judging it: agents seen Running, numbers seen ringing
    the agent (and numbers dropped from the credential, which are forgotten)."""
    for poll in fleet.agents:
        if poll.status == 4:
            state.saw_running(poll.guid)
        check = poll.numbers
        if check is not None and check.checked:
            state.saw_routed(poll.guid, (v.number for v in check.numbers if v.rings_agent))
            listed = {v.number for v in check.numbers}
            state.forget_routed(poll.guid, state.routed.get(poll.guid, set()) - listed)
