"""The agent activity log (UserAgent/Logs): events derived from sessions and hourly crons."""

from __future__ import annotations

import calendar
import random
import time

from .calls import ENDED, INCOMING, REJECTED, Call, CallState
from .timefmt import iso_z

CACHE_SECONDS = 30.0  # Wiro caches Logs answers this long for non-admin callers

_REJECT_ERRORS = {
    "concurrent_limit": ("call.accept", "Concurrent call limit reached (2 active sessions)"),
    "agent_prep_timeout": ("call.prep", "Agent prep did not finish within 15 s"),
    "realtime_ws_open_failed": ("realtime.connect", "Realtime WebSocket open failed: 502 Bad Gateway"),
    "realtime_stream_timeout": ("realtime.connect", "No audio from the realtime model within 10 s"),
}


def _event(t: float, kind: str, title: str, user: tuple[str, str | None], **more) -> tuple[float, dict]:
    ev = {"ts": iso_z(t), "kind": kind, "title": title}
    ev.update({k: v for k, v in more.items() if v is not None})
    ev["userUuid"], ev["user"] = user
    return t, ev


def call_events(call: Call, st: CallState, now: float, owner: tuple[str, str | None]) -> list[tuple[float, dict]]:
    """Events one session has produced by ``now`` (session start/end, prep tools, turns, failures)."""
    r = random.Random("logs:" + call.guid)
    t0 = call.started
    who = call.caller_info.get("number") or call.caller_info.get("page_url") or "unknown"
    title = f"Incoming call from {who}" if call.channel == "twilio" else f"Web voice session from {who}"
    out = [_event(t0, "session_start", title, owner,
                  summary={"messageguid": call.guid, "channel": call.channel, "callsid": call.callsid})]
    lookup_ms = int(r.uniform(250, 1400))
    t = t0 + 0.2
    out.append(_event(t, "tool_started", "Looking up caller in HubSpot", owner, tool="hubspot.lookup_contact"))
    out.append(_event(t + lookup_ms / 1000, "tool_completed", "Caller lookup finished", owner,
                      tool="hubspot.lookup_contact", durationMs=lookup_ms, ok=True))
    if call.outcome == "stuck":
        out.append(_event(t0 + 1.0, "tool_started", "Opening realtime conversation", owner, tool="realtime.connect"))
        out.append(_event(t0 + 16.0, "tool_completed", "Realtime conversation did not start", owner,
                          tool="realtime.connect", durationMs=15000, ok=False,
                          error="realtime_stream_timeout: no audio from the realtime model; caller left on hold"))
    elif st.status == REJECTED or (call.outcome == "rejected" and st.status == INCOMING):
        at = t0 + call.prep
        tool, err = _REJECT_ERRORS.get(call.reject_reason or "", ("call.accept", "Session rejected"))
        out.append(_event(at, "tool_completed", "Session rejected", owner, tool=tool,
                          durationMs=int(call.prep * 1000), ok=False, error=f"{call.reject_reason}: {err}"))
        out.append(_event(at + 0.05, "session_end", "Session rejected before audio", owner,
                          summary={"messageguid": call.guid, "status": REJECTED, "reason": call.reject_reason}))
    else:
        end = st.ended if st.status == ENDED else None
        for line in call.transcript:
            lt = t0 + line["t"]
            if end is not None and lt > end:
                break
            if line["role"] == "caller":
                out.append(_event(lt, "user_message", "Caller", owner, summary={"text": line["text"]}))
            else:
                speak_ms = 400 + 55 * len(line["text"])
                out.append(_event(lt - 0.35, "turn_started", "Agent turn", owner))
                out.append(_event(lt, "agent_reply", "Agent", owner, summary={"text": line["text"]}))
                out.append(_event(lt + speak_ms / 1000, "turn_ended", "Agent turn", owner, durationMs=speak_ms))
        if end is not None:
            if st.end_reason == "wiro_error":
                out.append(_event(end - 0.4, "tool_completed", "Realtime bridge failed", owner,
                                  tool="realtime.bridge", ok=False,
                                  error="Realtime bridge closed unexpectedly (1011 internal error)"))
            elif st.end_reason == "max_duration":
                out.append(_event(end - 0.2, "agent_reply", "Fallback message (max call duration reached)",
                                  owner, summary={"text": "We have reached the time limit for this call. Goodbye."}))
            out.append(_event(end, "session_end", "Session ended", owner,
                              summary={"messageguid": call.guid, "endReason": st.end_reason,
                                       "durationSeconds": st.duration}))
    return [(t, ev) for t, ev in out if t <= now]


def cron_events(day_start: float, until: float, running_at) -> list[tuple[float, dict]]:
    """Hourly CRM sync runs at HH:00:05 while the agent was Running; ``running_at(t)`` says whether it was."""
    system = ("system", None)
    out = []
    for hour in range(24):
        t = day_start + hour * 3600 + 5.0
        if t > until:
            break
        if not running_at(t):
            continue
        ms = 1800 + (hour * 137) % 900
        out.append(_event(t, "cron_started", "Hourly HubSpot sync", system, tool="cron.hubspot_sync"))
        if t + ms / 1000 <= until:
            out.append(_event(t + ms / 1000, "cron_finished", "Hourly HubSpot sync", system,
                              tool="cron.hubspot_sync", durationMs=ms, ok=True))
    return out


def day_bounds(date: str) -> tuple[float, float]:
    """Epoch seconds of 00:00 UTC on ``date`` (YYYY-MM-DD) and of the next midnight; ValueError if malformed."""
    start = calendar.timegm(time.strptime(date, "%Y-%m-%d"))
    return float(start), float(start + 86400)
