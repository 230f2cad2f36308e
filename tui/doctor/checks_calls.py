"""What recent sessions show: calls stuck on hold, rejections by reason, calls cut at the time limit, agent
crashes — each with what the activity log said around them.
"""

from __future__ import annotations

from collections import Counter

from ..calls.catalog import (
    ENDED,
    INCOMING,
    REJECTED,
    explain_end_reason,
    explain_rejection,
    rejection_label,
)
from ..wiro.models import CallSession
from .evidence import Evidence
from .findings import Finding
from .logcontext import TimedEvent, failures_between, line, said_around, timed
from .text import clock_time, duration_words, plural

#: an `incoming` session older than this is stuck: prep takes seconds, and Wiro gives up on it after 15 s
STUCK_SECONDS = 60.0
#: this many max_duration ends (or this share of ended calls, with at least two) is "many"
MANY_MAX_DURATION, MAX_DURATION_SHARE = 3, 0.10
LOGS_HOW = "the activity log (Logs screen, l, or `wiro-voice logs`)"


def _start(session: CallSession) -> float | None:
    return session.started_at_ms / 1000 if session.started_at_ms is not None else None


def _end(session: CallSession) -> float | None:
    if session.ended_at_ms is not None:
        return session.ended_at_ms / 1000
    start = _start(session)
    return start + session.duration_seconds if start is not None and session.duration_seconds is not None else start


def check_calls(ev: Evidence) -> list[Finding]:
    """Stuck sessions first (the caller hears music forever), then crashes, rejections, time-limit ends."""
    if ev.agent is None or ev.sessions is None:
        return []
    sessions = ev.sessions
    events = timed(ev.logs) if ev.logs is not None else None
    out: list[Finding] = []
    out += _stuck(ev, sessions, events)
    out += _agent_errors(ev, sessions, events)
    out += _rejections(ev, sessions, events)
    out += _max_duration(ev, sessions)
    if not sessions and ev.agent.status == 4:
        out.append(Finding("calls.none", "info", "No calls in the history yet",
                           "Wiro has no voice session for this agent, phone or web.",
                           "Place a test call to one of the numbers, then run the doctor again."))
    return out


def _stuck(ev: Evidence, sessions, events) -> list[Finding]:
    now = ev.taken_at
    stuck = [s for s in sessions if s.status == INCOMING and (t := _start(s)) is not None and now - t > STUCK_SECONDS]
    if not stuck:
        return []
    oldest = min(_start(s) for s in stuck)  # type: ignore[type-var]
    newest = max(_start(s) for s in stuck)  # type: ignore[type-var]
    context = said_around(events, oldest - 5, now, now=now, logs_error=ev.logs_error)
    since = (f"since {clock_time(oldest, now)}" if len(stuck) == 1
             else f"started between {clock_time(oldest, now)} and {clock_time(newest, now)}")
    return [Finding(
        "calls.stuck_incoming", "error",
        f"{plural(len(stuck), 'call')} stuck on hold: the agent never started the conversation",
        f"{plural(len(stuck), 'session')} {'has' if len(stuck) == 1 else 'have'} stayed `incoming` for over a minute "
        f"(the longest for {duration_words(now - oldest)}, {since}): the caller hears the hold music forever and the "
        f"agent never speaks, because it failed to start the realtime conversation.{context}",
        f"Read {LOGS_HOW} for the failing step; restart the agent (Overview → x, then s) and place a test call. If it "
        "keeps happening, the realtime model provider may be having trouble.")]


def _agent_errors(ev: Evidence, sessions, events) -> list[Finding]:
    crashed = [s for s in sessions if s.status == ENDED and s.end_reason == "wiro_error"]
    if not crashed:
        return []
    latest = max(crashed, key=lambda s: s.started_at_ms or 0)
    end = _end(latest)
    explained = explain_end_reason("wiro_error")
    when = f" The latest ended at {clock_time(end, ev.taken_at)}." if end is not None else ""
    context = (said_around(events, end - 60, end + 5, now=ev.taken_at, logs_error=ev.logs_error)
               if end is not None else "")
    return [Finding("calls.wiro_error", "warning",
                    f"{plural(len(crashed), 'call')} ended with an agent error (wiro_error)",
                    f"{explained.meaning} The caller heard the fallback message, or silence.{when}{context}",
                    f"Read {LOGS_HOW} around that time; if the agent is now in Error, Start retries it.")]


def _rejections(ev: Evidence, sessions, events) -> list[Finding]:
    rejected = [s for s in sessions if s.status == REJECTED]
    if not rejected:
        return []
    by_reason: dict[str | None, list[CallSession]] = {}
    unread = 0
    for session in rejected:
        if session.messageguid in ev.rejections:
            by_reason.setdefault(ev.rejections[session.messageguid], []).append(session)
        else:
            unread += 1
    out: list[Finding] = []
    for reason, group in sorted(by_reason.items(), key=lambda item: -len(item[1])):
        explained = explain_rejection(reason)
        latest = max(group, key=lambda s: s.started_at_ms or 0)
        start = _start(latest)
        when = f" The latest at {clock_time(start, ev.taken_at)}." if start is not None else ""
        context = (said_around(events, start - 5, start + 30, now=ev.taken_at, logs_error=ev.logs_error)
                   if start is not None else "")
        out.append(Finding(f"calls.rejected.{reason or 'unknown'}", "warning",
                           f"{plural(len(group), 'call')} rejected: {rejection_label(reason)}",
                           f"{explained.meaning}{when}{context}",
                           explained.advice))
    if unread:
        out.append(Finding("calls.rejected.unread", "warning",
                           f"{plural(unread, 'call')} rejected (reason not read)",
                           f"Wiro rejected {plural(unread, 'more session')} before audio; the doctor reads the reason of "
                           f"the newest {len(ev.rejections) or 'few'} only.",
                           "Open them on the Calls screen (c, Enter) to see why."))
    return out


def _max_duration(ev: Evidence, sessions) -> list[Finding]:
    ended = [s for s in sessions if s.status == ENDED]
    capped = [s for s in ended if s.end_reason == "max_duration"]
    if not capped:
        return []
    cred = ev.credential
    cap = cred.maxcallseconds if cred is not None and cred.maxcallseconds else 600
    many = len(capped) >= MANY_MAX_DURATION or (len(capped) >= 2 and len(capped) / len(ended) >= MAX_DURATION_SHARE)
    lengths = Counter(s.duration_seconds for s in capped if s.duration_seconds is not None)
    typical = f" (after {lengths.most_common(1)[0][0]} s)" if lengths else ""
    return [Finding("calls.max_duration", "warning" if many else "info",
                    f"{len(capped)} of the last {plural(len(ended), 'ended call')} were cut off at the time limit",
                    f"They ended with max_duration{typical}: at maxcallseconds ({cap} s) Wiro ends the call and the "
                    "caller hears the fallback message.",
                    f"Raise maxcallseconds (Credentials → Max call seconds) if calls need longer than "
                    f"{duration_words(cap)}; Twilio bills each call up to the cap.")]


def check_logs(ev: Evidence) -> list[Finding]:
    """Today's activity log on its own: Twilio signature failures, and how many events failed."""
    if ev.agent is None or ev.logs is None:
        return []
    events = timed(ev.logs)
    failures = failures_between(events, float("-inf"), float("inf"))
    out: list[Finding] = []
    signature = [t for t in events if _mentions_signature(t)]
    if signature:
        out.append(Finding("logs.signature", "error", "Calls fail Twilio's signature check",
                           f"Today's activity log mentions a signature failure {plural(len(signature), 'time')}; the "
                           f"latest: {line(signature[-1], ev.taken_at)}. Wiro checks each call's X-Twilio-Signature "
                           "with the stored Auth Token: an API Key Secret there fails every call.",
                           "Re-paste the Live Auth Token from Twilio Console → Account → Keys & Credentials → Live "
                           "credentials (not an API Key Secret) and save."))
    if failures:
        out.append(Finding("logs.failures", "info", f"{plural(len(failures), 'failed event')} in today's activity log",
                           f"The latest: {line(failures[-1], ev.taken_at)}.",
                           f"Read {LOGS_HOW}: its failure filter lists them."))
    return out


def _mentions_signature(item: TimedEvent) -> bool:
    event = item.event
    text = " ".join(str(x) for x in (event.title, event.error, event.kind) if x).lower()
    return "signature" in text
