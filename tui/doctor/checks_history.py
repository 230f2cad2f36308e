"""What the local history shows once Twilio's call log is joined with Wiro's sessions: callers turned away by
the whitelist, calls that never reached Wiro in the last hour, and calls that cost far more than the others
(held to the maximum length). `missed_call_advice` is the fix for one missed call, also shown by the Insights
screen, so a call and the doctor give the same advice.
"""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Sequence
from typing import Any

from ..history.join import (
    CANCELED, FAILED, IN_PROGRESS, MISSED, MISSED_CAUSES, NO_ANSWER, NO_SESSION, ROUTED_ELSEWHERE, WHITELIST,
    JoinedCall,
)
from ..history.records import MICRO
from .evidence import Evidence
from .findings import Finding
from .text import plural

HOUR_MS = 3_600_000
#: a call is "far above" the median price at this multiple of it
PRICE_OUTLIER_FACTOR = 3.0
#: the median means something from this many priced calls on
PRICE_MIN_CALLS = 5
#: a call this close to the credential's maxcallseconds (a share of it) was held to the limit
NEAR_LIMIT = 0.95
#: callers named in a finding, at most
NAMED = 5

LOGS = "the activity log (Logs screen, l, or `wiro-voice logs`)"


def _whitelist(ev: Evidence) -> list[str]:
    cred = ev.credential
    return [w.strip() for w in (cred.whitelistedcallers if cred is not None else ()) if w and w.strip()]


def missed_call_advice(call: JoinedCall, whitelist: Sequence[str] = ()) -> str:
    """What to do about one missed call, by its cause (and the number's routing at the time)."""
    from ..twilio import classify

    cause = call.cause
    if cause == WHITELIST:
        caller = call.twilio.from_number if call.twilio is not None else None
        if whitelist:
            who = f"{caller} (and {caller.lstrip('+')})" if caller else "the caller's number"
            return (f"Add {who} to the credential's whitelisted callers and save, or empty the whitelist to let "
                    "every caller in.")
        return ("The whitelist is empty, so Wiro should not refuse callers: the agent was probably not running or at "
                f"its concurrency limit at the time. Check the agent's status and {LOGS} around the call.")
    if cause == ROUTED_ELSEWHERE:
        verdict = call.routing.verdict if call.routing is not None else None
        if verdict == classify.NOT_ON_ACCOUNT:
            return classify.BUY_OR_IMPORT
        if verdict in (classify.TWIML_APP, classify.SIP_TRUNK):
            return classify.FLIP_TO_WEBHOOK  # Wiro's VoiceUrl is ignored until "Configure with" is Webhook again
        return classify.SAVE_AGAIN  # a Studio Flow, no voice URL or another webhook: the save rewrites VoiceUrl
    if cause == FAILED:
        sid = call.twilio.sid if call.twilio is not None else "the call"
        return (f"Look {sid} up in Twilio's debugger (Console → Monitor → Errors) for the error code; if calls to "
                "this number keep failing, check the number's Voice configuration.")
    if cause == NO_ANSWER:
        return f"Make sure the agent is running (Overview, o) and look at {LOGS} at the time of the call."
    if cause == CANCELED:
        return ("Nothing to fix for one call. If callers often hang up before the agent answers, shorten the hold "
                "(Hold screen, h) or check that the agent starts quickly.")
    if cause == IN_PROGRESS:
        return "Nothing yet: look again once Twilio has ended the call."
    if cause == NO_SESSION:
        return (f"Check that the agent was running then and what {LOGS} said at the time. Wiro's call history keeps "
                "only the newest 200 sessions: leave the dashboard (or `wiro-voice watch`) running so none are lost.")
    return MISSED_CAUSES.get(cause or "", ("", ""))[1]


def check_history(ev: Evidence) -> list[Finding]:
    """Findings from the joined calls of the last day (see `gather`)."""
    calls = ev.history_calls
    if calls is None or ev.agent is None:
        return []
    now_ms = int(ev.taken_at * 1000)
    whitelist = _whitelist(ev)
    return [*_refused(calls, whitelist), *_missed_last_hour(calls, now_ms, whitelist), *_costly(ev, calls)]


def _callers(calls: Sequence[JoinedCall]) -> str:
    seen = list(dict.fromkeys(c.twilio.from_number or "a withheld number" for c in calls if c.twilio is not None))
    shown = ", ".join(seen[:NAMED])
    return shown + (f" and {plural(len(seen) - NAMED, 'other')}" if len(seen) > NAMED else "")


def _refused(calls: Sequence[JoinedCall], whitelist: list[str]) -> list[Finding]:
    refused = [c for c in calls if c.outcome == MISSED and c.cause == WHITELIST]
    if not refused:
        return []
    if whitelist:
        return [Finding(
            "history.whitelist_refused", "warning",
            f"{plural(len(refused), 'call')} in the last day got busy: the whitelist turned the caller away",
            f"Twilio answered these calls busy (or ended them at once) and Wiro made no session: callers "
            f"{_callers(refused)} are not on the whitelist ({plural(len(whitelist), 'entry', 'entries')}).",
            missed_call_advice(refused[0], whitelist))]
    return [Finding(
        "history.refused_without_whitelist", "warning",
        f"{plural(len(refused), 'call')} in the last day got busy although the whitelist is empty",
        f"Twilio answered these calls busy (or ended them at once) and Wiro made no session, for callers "
        f"{_callers(refused)}.", missed_call_advice(refused[0], whitelist))]


def _missed_last_hour(calls: Sequence[JoinedCall], now_ms: int, whitelist: list[str]) -> list[Finding]:
    # still ringing, hung up by the caller, or refused by the whitelist (its own finding): not the system failing
    recent = [c for c in calls if c.outcome == MISSED and c.at_ms >= now_ms - HOUR_MS
              and c.cause not in (IN_PROGRESS, CANCELED, WHITELIST)]
    if not recent:
        return []
    causes = Counter(c.cause for c in recent)
    worst = causes.most_common(1)[0][0]
    first = next(c for c in recent if c.cause == worst)
    said = "; ".join(f"{n} {MISSED_CAUSES[c][0]}" for c, n in causes.most_common())
    return [Finding(
        "history.missed_last_hour", "error",
        f"{plural(len(recent), 'call')} in the last hour never reached Wiro",
        f"Twilio has these calls and Wiro has no session for them: {said}. {first.cause_detail}",
        missed_call_advice(first, whitelist))]


def _costly(ev: Evidence, calls: Sequence[JoinedCall]) -> list[Finding]:
    priced = [c for c in calls if c.twilio is not None and c.twilio.cost_micro and c.price_unit == "USD"]
    if len(priced) < PRICE_MIN_CALLS:
        return []
    median = statistics.median(c.twilio.cost_micro for c in priced)  # type: ignore[union-attr]
    costly = [c for c in priced if c.twilio.cost_micro > PRICE_OUTLIER_FACTOR * median]  # type: ignore[union-attr]
    if not costly:
        return []
    cap = ev.credential.maxcallseconds if ev.credential is not None else None
    held = [c for c in costly if cap and c.duration_s is not None and c.duration_s >= NEAR_LIMIT * cap]
    dearest = max(c.twilio.cost_micro for c in costly) / MICRO  # type: ignore[union-attr]
    detail = (f"The median call cost ${median / MICRO:.4f} on Twilio; {plural(len(costly), 'call')} cost more than "
              f"{PRICE_OUTLIER_FACTOR:g} times that (up to ${dearest:.4f}).")
    if held:
        detail += (f" {plural(len(held), 'call')} of them lasted to the {cap} s limit (maxcallseconds): held until "
                   "the cap rather than ended by the conversation.")
        fix = ("Look at how those calls ended (Calls screen, c: end reason \"hit the time limit\") and what the "
               f"agent did ({LOGS}). If they are stuck lines or silent callers, lower maxcallseconds on the "
               "Credentials screen (e) so Twilio bills less for them.")
    else:
        fix = "Open the dearest calls on the Insights screen (i) to see who called and how long they lasted."
    return [Finding("history.price_outliers", "warning",
                    f"{plural(len(costly), 'call')} cost far more than the median"
                    + (" (held to the time limit)" if held else ""), detail, fix)]


def history_skip(ev: Evidence) -> Any:
    """The reason the history checks could not run, or None."""
    return ev.history_error
