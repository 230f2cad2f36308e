"""The agent activity log (UserAgent/Logs): events derived from sessions, their post-call turns and hourly crons.

Events are built in the newest shape (ISO ``ts``, fine kinds, ``tool``/``title``/``summary``…) and converted
to the older one (numeric ``ts``, coarse kinds with ``action``/``skill``/``session``/``details``) on the way out.
"""

from __future__ import annotations

import calendar
import random
import time

from .calls import ENDED, INCOMING, REJECTED, Call, CallState
from .ledger import Turn
from .timefmt import iso_z

CACHE_SECONDS = 30.0  # Wiro caches Logs answers this long, per (agent, date, lines)
SYSTEM = ("system", None)
NO_CREDITS = "Agent has no remaining credits. Renew your subscription or buy a credit pack to continue."

_REJECT_ERRORS = {
    "concurrent_limit": "Concurrent call limit reached (2 active sessions)",
    "agent_prep_timeout": "Agent prep did not finish within 15 s",
    "realtime_ws_open_failed": "Realtime WebSocket open failed: 502 Bad Gateway",
    "realtime_stream_timeout": "No audio from the realtime model within 10 s",
}


def user_object(uuid: str, username: str) -> dict:
    """Wiro's ``user`` object for the agent's owner."""
    return {"uuid": uuid, "firstname": "Deniz", "lastname": "Aksoy", "email": f"{username}@example.com",
            "username": username, "avatar": None, "avatarinitials": "DA"}


def _event(t: float, kind: str, title: str, user: tuple[str, dict | None], **more) -> tuple[float, dict]:
    ev = {"ts": iso_z(t), "kind": kind, "title": title}
    ev.update({k: v for k, v in more.items() if v is not None})
    ev["userUuid"], ev["user"] = user
    return t, ev


def _skill(skill: str, action: str, **more) -> dict:
    return {"skill": skill, "action": action, **more}


def call_events(call: Call, st: CallState, now: float, owner: tuple[str, dict | None],
                turn: Turn | None = None) -> list[tuple[float, dict]]:
    """Events one session (and its post-call turn) has produced by ``now``."""
    r = random.Random("logs:" + call.guid)
    t0 = call.started
    who = call.caller_info.get("number") or call.caller_info.get("page_url") or "unknown"
    session = call.callsid if call.callsid.startswith("voice-call-") else f"voice-call-{call.callsid}"
    title = f"Incoming call from {who}" if call.channel == "twilio" else f"Web voice session from {who}"
    out = [_event(t0, "session_start", title, owner,
                  summary={"messageguid": call.guid, "sessionkey": session, "channel": call.channel})]
    lookup_ms = int(r.uniform(250, 1400))
    t = t0 + 0.2
    lookup = _skill("int-hubspot", "lookup_contact", sessionkey=session)
    out.append(_event(t, "tool_started", "Looking up caller in HubSpot", owner, tool="exec", summary=lookup))
    out.append(_event(t + lookup_ms / 1000, "tool_completed", "Caller lookup finished", owner,
                      tool="exec", summary=lookup, durationMs=lookup_ms, ok=True))
    connect = _skill("util-voice-receptionist", "realtime_connect", sessionkey=session)
    if call.outcome == "stuck":
        out.append(_event(t0 + 1.0, "tool_started", "Opening realtime conversation", owner, tool="exec",
                          summary=connect))
        out.append(_event(t0 + 16.0, "tool_completed", "Realtime conversation did not start", owner,
                          tool="exec", summary=connect, durationMs=15000, ok=False,
                          error="realtime_stream_timeout: no audio from the realtime model; caller left on hold"))
    elif st.status == REJECTED or (call.outcome == "rejected" and st.status == INCOMING):
        at = t0 + call.prep
        err = _REJECT_ERRORS.get(call.reject_reason or "", "Session rejected")
        out.append(_event(at, "tool_completed", "Session rejected", owner, tool="exec", summary=connect,
                          durationMs=int(call.prep * 1000), ok=False, error=f"{call.reject_reason}: {err}"))
        out.append(_event(at + 0.05, "session_end", "Session rejected before audio", owner,
                          summary={"messageguid": call.guid, "sessionkey": session, "status": REJECTED,
                                   "reason": call.reject_reason}))
    else:
        end = st.ended if st.status == ENDED else None
        for line in call.transcript:
            lt = t0 + line.t
            if end is not None and lt > end:
                break
            if line.role == "caller":
                out.append(_event(lt, "user_message", "Caller", owner,
                                  summary={"sessionkey": session, "wordCount": len(line.text.split())}))
            else:
                speak_ms = 400 + 55 * len(line.text)
                out.append(_event(lt - 0.35, "turn_started", "Agent turn", owner, summary={"sessionkey": session}))
                out.append(_event(lt, "agent_reply", "Agent", owner,
                                  summary={"sessionkey": session, "wordCount": len(line.text.split())}))
                out.append(_event(lt + speak_ms / 1000, "turn_ended", "Agent turn", owner, durationMs=speak_ms,
                                  summary={"sessionkey": session}))
        if end is not None:
            if st.end_reason == "wiro_error":
                out.append(_event(end - 0.4, "tool_completed", "Realtime bridge failed", owner, tool="exec",
                                  summary=_skill("util-voice-receptionist", "realtime_bridge", sessionkey=session),
                                  ok=False, error="Realtime bridge closed unexpectedly (1011 internal error)"))
            elif st.end_reason == "max_duration":
                out.append(_event(end - 0.2, "agent_reply", "Fallback message (max call duration reached)",
                                  owner, summary={"sessionkey": session, "wordCount": 11}))
            out.append(_event(end, "session_end", "Session ended", owner,
                              summary={"messageguid": call.guid, "sessionkey": session,
                                       "status": st.end_reason, "elapsedTime": st.duration}))
    if turn is not None:
        out.extend(postcall_events(call, turn, r))
    return [(t, ev) for t, ev in out if t <= now]


def postcall_events(call: Call, turn: Turn, r: random.Random) -> list[tuple[float, dict]]:
    """The post-call text turn: billed (``token_usage``, sometimes replayed as ``token_usage_idempotent``)
    or refused by the balance gate (``balance_gate_blocked``)."""
    summary = {"trigger": "voice-postcall", "messageguid": call.guid}
    if turn.blocked:
        return [_event(turn.t, "balance_gate_blocked", "Post-call turn refused — no credits left", SYSTEM,
                       summary=summary, ok=False, error=NO_CREDITS)]
    ms = 1800 + turn.credits * 350
    note = _skill("int-hubspot", "create_note")
    out = [
        _event(turn.t - ms / 1000, "turn_started", "Post-call summary", SYSTEM, summary=summary),
        _event(turn.t - ms / 2000, "tool_started", "Saving the call note to HubSpot", SYSTEM, tool="exec",
               summary=note),
        _event(turn.t - ms / 2000 + 0.4, "tool_completed", "Call note saved", SYSTEM, tool="exec", summary=note,
               durationMs=400, ok=True, cost={"credits": 0, "skill": "int-hubspot", "action": "create_note"}),
        _event(turn.t - 0.01, "turn_ended", "Post-call summary", SYSTEM, summary=summary, durationMs=ms),
        _event(turn.t, "token_usage", f"Turn billed — {turn.credits} credits", SYSTEM, summary=summary,
               model=turn.model, tokens=dict(turn.tokens), tokencost=turn.credits, durationMs=ms, calls=1,
               remainingcredits=turn.remaining_after, ok=True),
    ]
    if r.random() < 0.1:  # the hand-off was delivered twice; Wiro notices and does not bill it again
        out.append(_event(turn.t + 2.5, "token_usage_idempotent", "Turn already billed — replay ignored", SYSTEM,
                          summary=summary, model=turn.model, tokens=dict(turn.tokens), tokencost=0, calls=1,
                          remainingcredits=turn.remaining_after, ok=True))
    return out


def cron_events(day_start: float, until: float, running_at) -> list[tuple[float, dict]]:
    """Hourly CRM sync runs at HH:00:05 while the agent was Running; ``running_at(t)`` says whether it was."""
    out = []
    summary = _skill("int-hubspot", "sync_contacts", interval="hourly")
    for hour in range(24):
        t = day_start + hour * 3600 + 5.0
        if t > until:
            break
        if not running_at(t):
            continue
        ms = 1800 + (hour * 137) % 900
        out.append(_event(t, "cron_started", "Hourly HubSpot sync", SYSTEM, summary=summary))
        if t + ms / 1000 <= until:
            out.append(_event(t + ms / 1000, "cron_finished", "Hourly HubSpot sync", SYSTEM,
                              summary=summary, durationMs=ms, ok=True))
    return out


def day_bounds(date: str) -> tuple[float, float]:
    """Epoch seconds of 00:00 UTC on ``date`` (YYYY-MM-DD) and of the next midnight; ValueError if malformed."""
    start = calendar.timegm(time.strptime(date, "%Y-%m-%d"))
    return float(start), float(start + 86400)


# -- the older shape --------------------------------------------------------------------------------

_COARSE = {
    "tool_started": ("tool", None), "tool_completed": ("tool", None),
    "turn_started": ("turn", "agent_start"), "turn_ended": ("turn", "agent_end"),
    "session_start": ("session", "session_start"), "session_end": ("session", "session_end"),
    "user_message": ("message", "user_message"), "agent_reply": ("message", "agent_reply"),
    "cron_started": ("cron", "cron-tick"), "cron_finished": ("cron", "cron-done"),
    "token_usage": ("deduct", "tokens"),
}


def to_older(t: float, ev: dict) -> dict:
    """One event in the older shape: unix-seconds ``ts``, a coarse ``kind`` with ``action``, ``skill``,
    ``session`` and ``details`` (unknown kinds become ``system`` events named by their kind)."""
    kind = ev.get("kind")
    coarse, action = _COARSE.get(kind, ("system", kind))
    summary = dict(ev.get("summary") or {})
    skill = summary.pop("skill", None)
    if coarse == "tool":
        act = summary.pop("action", None) or ev.get("tool") or "tool"
        action = f"{(skill or 'tool').split('-', 1)[-1]}-{act}".replace("_", "-")
    details = {"title": ev.get("title")}
    if kind in ("tool_started", "tool_completed", "cron_started", "cron_finished"):
        details["phase"] = "started" if kind.endswith("started") else "finished"
    session = summary.pop("sessionkey", None)
    details.update(summary)
    for key in ("ok", "error", "durationMs", "model", "tokens", "tokencost", "remainingcredits"):
        if key in ev:
            details[key] = ev[key]
    if kind == "token_usage":
        details["credits"] = ev.get("tokencost")
    return {"ts": int(t), "kind": coarse, "action": action, "skill": skill, "session": session,
            "userUuid": ev.get("userUuid"), "user": ev.get("user"), "details": details}
