"""Every call accounted for: Twilio's call log joined with Wiro's sessions, in one pure function.

Per call:
- **reached** the agent: a Wiro session exists (its status and end reason say how it went);
- **rejected**: a Wiro session exists but Wiro turned it away before any audio (`realtime_session_rejected`);
- **missed**: Twilio has the call, Wiro has no session; the likely cause in words (`MISSED_CAUSES`).

Wiro sessions with no Twilio record are kept and labelled: web calls, or phone sessions whose Twilio record
was not fetched. Cost per call is Twilio's price plus the Wiro credits of the post-call turn (TransactionList
deductions joined by message guid); the live call audio is billed elsewhere and is not visible (`COST_CAVEAT`).

`tui.history.insights` computes the same classification in SQL for speed; a test holds the two together.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from .records import CREDIT_USD, MICRO, CreditRow, RoutingSnapshot, TwilioCall, WiroSession

REACHED, REJECTED, MISSED = "reached", "rejected", "missed"
OUTCOMES = (REACHED, REJECTED, MISSED)

REJECTED_STATUS = "realtime_session_rejected"

# -- why a call never reached Wiro --------------------------------------------------------------------

FAILED, NO_ANSWER, CANCELED = "failed", "no_answer", "canceled"
ROUTED_ELSEWHERE = "routed_elsewhere"
WHITELIST = "whitelist"
IN_PROGRESS = "in_progress"
NO_SESSION = "no_session"

#: cause → (label, what it means and what to do). In the order the rules are applied.
MISSED_CAUSES: dict[str, tuple[str, str]] = {
    FAILED: (
        "failed on Twilio",
        "Twilio could not complete the call (its status is failed): a carrier or network problem, or the number's "
        "configuration. Twilio's debugger (Console → Monitor → Errors) has the error code.",
    ),
    NO_ANSWER: (
        "not answered",
        "Twilio's status is no-answer: nothing picked the call up. If the number was routed to Wiro at the time, "
        "the agent was probably not running; check its status and the activity log.",
    ),
    CANCELED: (
        "caller hung up first",
        "Twilio's status is canceled: the caller hung up while it was still ringing or queued.",
    ),
    ROUTED_ELSEWHERE: (
        "routed elsewhere",
        "At the time of the call the number was not routed to Wiro, so Twilio sent it somewhere else. "
        "Fix the number's routing (the Webhooks screen says how) and save the credential again.",
    ),
    WHITELIST: (
        "busy: refused by the whitelist",
        "Twilio saw the call refused at once (busy, or answered and ended within seconds) and Wiro made no "
        "session: the caller's number is most likely not on the credential's whitelisted callers. Add it "
        "(in both the +E.164 and the digits-only form while testing), or empty the whitelist to let everyone in.",
    ),
    IN_PROGRESS: (
        "still in progress on Twilio",
        "Twilio still lists the call as queued, ringing or in progress and Wiro has no session yet; look again "
        "once it has ended.",
    ),
    NO_SESSION: (
        "no Wiro session",
        "Twilio connected the call but Wiro has no session for it: the agent may not have been running, or the "
        "Wiro history (the newest 200 sessions) did not reach back that far when it was polled.",
    ),
}
MISSED_CAUSE_ORDER = tuple(MISSED_CAUSES)

#: Twilio statuses that say the call is not over yet.
PENDING_STATUSES = ("queued", "ringing", "in-progress")
#: A completed call this short (seconds) with no Wiro session was refused, not talked to.
REFUSED_MAX_SECONDS = 3
#: The routing verdict meaning "Wiro's webhook answers the number" (tui.twilio.classify.WIRO_OK).
ROUTED_TO_WIRO = "wiro_ok"

#: What answered a number instead of Wiro, per routing verdict (tui.twilio.classify's verdicts).
ROUTING_WORDS: dict[str, str] = {
    "not_on_account": "the number was not on the Twilio account",
    "sip_trunk": "the number was on a SIP Trunk",
    "twiml_app": "the number was on a TwiML App",
    "no_voice_url": "the number had no voice URL",
    "studio_flow": "a Studio Flow answered the number",
    "elsewhere": "the number's webhook pointed away from Wiro",
}

# -- where a row came from --------------------------------------------------------------------------

BOTH = "both"  # a Twilio call with its Wiro session
TWILIO_ONLY = "twilio_only"  # a missed call
WEB = "web"  # a web voice session: there is no Twilio call
NOT_FETCHED = "twilio_not_fetched"  # a phone session whose Twilio record is not in the history
DUPLICATE = "duplicate"  # a second Wiro session carrying the same Call SID

SOURCE_LABELS = {
    BOTH: "Twilio and Wiro",
    TWILIO_ONLY: "Twilio only",
    WEB: "web call (no Twilio record)",
    NOT_FETCHED: "Wiro only: Twilio log not fetched",
    DUPLICATE: "Wiro only: another session for the same Call SID",
}

#: Twilio directions of a caller's call; other legs (outbound API calls, dialled legs) are left out.
CALLER_DIRECTIONS = (None, "inbound")

COST_CAVEAT = (
    "Cost here is Twilio's price for each call plus the Wiro credits of its post-call turn (1 credit = $0.01). "
    "The live call audio is billed per second to your Wiro project wallet (the int-wiro-aimodels skill) and is "
    "not visible here; check it in the Wiro dashboard."
)


@dataclass(frozen=True, slots=True)
class JoinedCall:
    """One call as the join sees it. `cause` is a `MISSED_CAUSES` key for a missed call, the rejection reason
    (or None when not known) for a rejected one, None for a reached one. `routing` is the number's routing
    snapshot at the time of a missed call, when one was recorded."""

    key: str
    at_ms: int
    outcome: str
    source: str
    cause: str | None = None
    twilio: TwilioCall | None = None
    session: WiroSession | None = None
    routing: RoutingSnapshot | None = None
    credits_micro: int = 0

    @property
    def duration_s(self) -> int | None:
        """Wiro's duration (talk time) when there is a session that has one, else Twilio's."""
        if self.session is not None and self.session.duration_s is not None:
            return self.session.duration_s
        return self.twilio.duration_s if self.twilio is not None else None

    @property
    def country(self) -> str:
        """Where the caller is: "web" for web calls, an ISO region, or "unknown"."""
        if self.session is not None and self.session.channel == "web":
            return "web"
        if self.session is not None and self.session.caller_country:
            return self.session.caller_country
        if self.twilio is not None and self.twilio.caller_country:
            return self.twilio.caller_country
        return "unknown"

    @property
    def price_unit(self) -> str:
        """The currency of the Twilio price (USD when Twilio does not say)."""
        return (self.twilio.price_unit if self.twilio is not None else None) or "USD"

    @property
    def twilio_cost_micro(self) -> int | None:
        """Twilio's charge in micro-units of `price_unit`; None when unsettled or when there is no Twilio call."""
        return self.twilio.cost_micro if self.twilio is not None else None

    @property
    def cost_usd(self) -> float | None:
        """Twilio's USD price plus the credits in dollars; None while Twilio's price is unsettled or not in USD."""
        twilio = self.twilio_cost_micro
        if self.twilio is not None and (twilio is None or self.price_unit != "USD"):
            return None
        return ((twilio or 0) + self.credits_micro * CREDIT_USD) / MICRO

    @property
    def cause_label(self) -> str:
        """The outcome's cause in a few words ("" for a reached call)."""
        if self.outcome == MISSED:
            label = MISSED_CAUSES.get(self.cause or "", (self.cause or "unknown", ""))[0]
            if self.cause == ROUTED_ELSEWHERE and self.routing is not None:
                return f"{label}: {ROUTING_WORDS.get(self.routing.verdict, self.routing.verdict)}"
            return label
        if self.outcome == REJECTED:
            from ..calls.catalog import REJECTION_REASONS

            return REJECTION_REASONS.get(self.cause or "", self.cause or "reason not known")
        return ""

    @property
    def cause_detail(self) -> str:
        """What a missed call's cause means and what to do ("" for other outcomes)."""
        if self.outcome != MISSED:
            return ""
        text = MISSED_CAUSES.get(self.cause or "", ("", ""))[1]
        if self.cause == ROUTED_ELSEWHERE and self.routing is not None:
            words = ROUTING_WORDS.get(self.routing.verdict, f"its routing was {self.routing.verdict}")
            if self.routing.at_ms > self.at_ms:
                return (f"When the number was first checked, after this call, {words}; how it was routed at the "
                        f"time of the call itself is not known. {text}")
            return f"At the time of the call {words}. {text}"
        return text


def missed_cause(call: TwilioCall, routing: RoutingSnapshot | None) -> str:
    """Why a Twilio call with no Wiro session never reached the agent (a `MISSED_CAUSES` key)."""
    status = call.status
    if status == "failed":
        return FAILED
    if status == "no-answer":
        return NO_ANSWER
    if status == "canceled":
        return CANCELED
    if routing is not None and routing.verdict != ROUTED_TO_WIRO:
        return ROUTED_ELSEWHERE
    if status == "busy":
        return WHITELIST
    if status == "completed" and call.duration_s is not None and call.duration_s <= REFUSED_MAX_SECONDS:
        return WHITELIST
    if status in PENDING_STATUSES:
        return IN_PROGRESS
    return NO_SESSION


def routing_at(snapshots: list[RoutingSnapshot], times: list[int], at_ms: int) -> RoutingSnapshot | None:
    """The number's routing at `at_ms`: the latest snapshot at or before it; for a call older than every snapshot,
    the first one (the best there is: the history was started, or the number first checked, after the call —
    `JoinedCall.cause_detail` says so). `snapshots` sorted by time, `times` their times."""
    if not snapshots:
        return None
    i = bisect_right(times, at_ms)
    return snapshots[i - 1] if i else snapshots[0]


def session_outcome(session: WiroSession) -> tuple[str, str | None]:
    if session.status == REJECTED_STATUS:
        return REJECTED, session.reject_reason
    return REACHED, None


def join(
    calls: Iterable[TwilioCall],
    sessions: Iterable[WiroSession],
    credits: Iterable[CreditRow] = (),
    routing: Iterable[RoutingSnapshot] = (),
) -> list[JoinedCall]:
    """Join Twilio calls with Wiro sessions by Call SID; newest first.

    A Twilio call takes the session carrying its SID (the smallest message guid, should Wiro ever have two;
    the other is kept on its own as `DUPLICATE`). Twilio calls that are not a caller's (outbound legs) are left
    out, with their sessions. Credits are summed per session by message guid.
    """
    calls_by_sid: dict[str, TwilioCall] = {}
    for call in calls:
        calls_by_sid[call.sid] = call
    credit_by_guid: dict[str, int] = defaultdict(int)
    for row in credits:
        credit_by_guid[row.message_guid] += row.credits_micro
    by_number: dict[str, list[RoutingSnapshot]] = defaultdict(list)
    for snap in routing:
        by_number[snap.number].append(snap)
    timelines = {}
    for number, snaps in by_number.items():
        snaps.sort(key=lambda s: s.at_ms)
        timelines[number] = (snaps, [s.at_ms for s in snaps])

    matched: dict[str, WiroSession] = {}
    alone: list[tuple[WiroSession, str]] = []
    for session in sorted(sessions, key=lambda s: s.guid):
        call = calls_by_sid.get(session.call_sid) if session.call_sid else None
        if call is None:
            alone.append((session, WEB if session.channel == "web" else NOT_FETCHED))
        elif call.direction not in CALLER_DIRECTIONS:
            continue  # the session of an outbound leg goes with it
        elif call.sid in matched:
            alone.append((session, DUPLICATE))
        else:
            matched[call.sid] = session

    out: list[JoinedCall] = []
    for call in calls_by_sid.values():
        if call.direction not in CALLER_DIRECTIONS:
            continue
        at = call.start_ms or 0
        session = matched.get(call.sid)
        if session is not None:
            outcome, cause = session_outcome(session)
            out.append(JoinedCall(call.sid, at, outcome, BOTH, cause, call, session,
                                  credits_micro=credit_by_guid.get(session.guid, 0)))
            continue
        snap = None
        if call.to_number in timelines:
            snap = routing_at(*timelines[call.to_number], at)
        out.append(JoinedCall(call.sid, at, MISSED, TWILIO_ONLY, missed_cause(call, snap), call, None, snap))
    for session, source in alone:
        outcome, cause = session_outcome(session)
        out.append(JoinedCall(session.guid, session.started_ms or 0, outcome, source, cause, None, session,
                              credits_micro=credit_by_guid.get(session.guid, 0)))
    out.sort(key=lambda c: (-c.at_ms, c.key))
    return out
