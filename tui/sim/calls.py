"""Voice sessions and how each one looks at a given simulated time.

A ``Call`` is a plan fixed when it is created (start, prep time, outcome, duration, transcript).
Its status is never stored: rows and details are derived from the plan and "now", so answers
are identical for any two sims that share a seed, start epoch and clock.
"""

from __future__ import annotations

from array import array
from dataclasses import dataclass, field
from typing import NamedTuple

from .timefmt import epoch_ms, unix_str

INCOMING = "realtime_session_incoming"
ACTIVE = "realtime_session_active"
REJECTED = "realtime_session_rejected"
ENDED = "realtime_session"

END_REASONS = (
    "wiro_completed", "wiro_cancelled", "wiro_disconnect", "wiro_error",
    "max_duration", "browser_disconnect", "twilio_disconnect",
)
REJECT_REASONS = ("concurrent_limit", "agent_prep_timeout", "realtime_ws_open_failed", "realtime_stream_timeout")


class Line(NamedTuple):
    """One transcript line: who spoke, what, and when (seconds after the call started)."""

    role: str
    text: str
    t: float


@dataclass(slots=True)
class Call:
    """The plan of one voice session.

    ``outcome`` is ``ended`` (incoming for ``prep`` s, then active until ``started + duration``),
    ``rejected`` (incoming for ``prep`` s, then rejected with ``reject_reason``) or ``stuck``
    (incoming forever: the agent never opened the realtime conversation).
    ``follows_agent``: the session is cut short when its agent leaves Running mid-call.

    The transcript is kept as its script (the scenario's lines, shared by every call that follows it) and when
    each line was said, in tenths of a second: the simulator holds up to 2000 calls per agent and gains one
    every 40 simulated seconds per running agent, and as lists of `Line` the transcripts were over a third of
    what a call cost.
    """

    seq: int
    agent_guid: str
    guid: str
    agenttoken: str
    channel: str
    callsid: str
    caller_info: dict
    caller_profile: str | None
    model_slug: str
    started: float
    prep: float
    outcome: str = "ended"
    duration: int | None = None
    end_reason: str | None = None
    reject_reason: str | None = None
    dialled: str | None = None
    script: tuple[str, ...] = ()  # the lines, agent first, then taking turns
    said_at: array = field(default_factory=lambda: array("I"))  # tenths of a second after the start, per line
    summary: str = ""
    follows_agent: bool = True
    postcall_credits: int = 2  # what the post-call turn after this session costs (see ledger.py)

    @property
    def transcript(self) -> list[Line]:
        return [Line("agent" if i % 2 == 0 else "caller", text, tenths / 10)
                for i, (text, tenths) in enumerate(zip(self.script, self.said_at))]

    @property
    def extra(self) -> dict:
        """Keys of Message/Detail's metadata the UI has no special rendering for: it must show them generically."""
        return {
            "prep": {"prepMs": int(self.prep * 1000), "tools": ["hubspot.lookup_contact", "calendar.freebusy"]},
            "holdStrategy": "text_then_music",
            "language": "tr-TR" if self.caller_info.get("country") == "TR" else "en-US",
        }


@dataclass(frozen=True)
class CallState:
    """A call as seen at one instant."""

    status: str
    end_reason: str | None = None
    ended: float | None = None
    duration: int | None = None
    reject_reason: str | None = None

    @property
    def in_progress(self) -> bool:
        return self.status in (INCOMING, ACTIVE)


def state_at(call: Call, now: float, cut: float | None = None, crashed: bool = False) -> CallState:
    """Derive the status of ``call`` at ``now``.

    ``cut`` is when its agent stopped running, if it did; ``crashed`` says it went to Error then.
    """
    if call.outcome == "stuck":
        return CallState(INCOMING)
    answer_at = call.started + call.prep
    final = answer_at if call.outcome == "rejected" else call.started + (call.duration or 0)
    if cut is not None and call.follows_agent and call.started <= cut < final and cut <= now:
        # The worker went away under the call: before the audio bridge it is a cancel, after it a disconnect.
        if call.outcome == "ended" and cut >= answer_at:
            reason = "wiro_error" if crashed else "wiro_disconnect"
        else:
            reason = "wiro_cancelled"
        duration = max(0, int(cut - call.started))
        return CallState(ENDED, reason, call.started + duration, duration)
    if now < answer_at:
        return CallState(INCOMING)
    if call.outcome == "rejected":
        return CallState(REJECTED, reject_reason=call.reject_reason)
    if now < final:
        return CallState(ACTIVE)
    return CallState(ENDED, call.end_reason, final, call.duration)


def history_row(call: Call, st: CallState) -> dict:
    """One TwilioCallHistory/List row, fields as in the seed's Call History table."""
    # The prep summary exists once prep finished; rejected rows never show it.
    profile = call.caller_profile if st.status in (ACTIVE, ENDED) else None
    return {
        "messageguid": call.guid,
        "agenttoken": call.agenttoken,
        "channel": call.channel,
        "callsid": call.callsid,
        "callerInfo": dict(call.caller_info),
        "callerProfile": profile,
        "status": st.status,
        "endReason": st.end_reason if st.status == ENDED else None,
        "durationSeconds": st.duration if st.status == ENDED else None,
        "modelSlug": call.model_slug,
        "startedAt": epoch_ms(call.started),
        "endedAt": epoch_ms(st.ended) if st.status == ENDED else None,
    }


def visible_transcript(call: Call, st: CallState, now: float) -> list[dict]:
    """Transcript lines said so far (all of them once ended; none for rejected or stuck calls)."""
    if st.status in (INCOMING, REJECTED):
        return []
    limit = (st.ended if st.ended is not None else now) - call.started
    return [line._asdict() for line in call.transcript if line.t <= limit]


def message_detail(call: Call, st: CallState, now: float, *, older: bool = False) -> dict:
    """The ``data`` object of Message/Detail for a voice session.

    Newest: numeric timestamps, ``agent_*`` statuses, the documented seed keys (``callsid``, ``startedAt``),
    the user/timeline/token columns. Older: numeric-string timestamps and the older keys.
    """
    meta: dict = {
        "type": st.status,
        "channel": call.channel,
        ("callSid" if older else "callsid"): call.callsid,
        "callerInfo": dict(call.caller_info),
        "callerProfile": call.caller_profile if st.status in (ACTIVE, ENDED) else None,
        "model": call.model_slug,
        "endReason": st.end_reason if st.status == ENDED else None,
        "durationSeconds": st.duration if st.status == ENDED else None,
        "transcript": visible_transcript(call, st, now),
    }
    if not older:
        meta["startedAt"] = epoch_ms(call.started)
    if st.status == REJECTED:
        meta["reason"] = call.reject_reason
    if call.channel == "twilio":
        meta["twilio"] = {
            "from": call.caller_info.get("number"),
            "to": call.dialled,
            "direction": "inbound",
            "fromCountry": call.caller_info.get("country"),
        }
    else:
        meta["web"] = {"pageUrl": call.caller_info.get("page_url"), "transport": "webrtc"}
    meta.update(call.extra)
    if st.status == ENDED:
        meta["usage"] = {
            "audioInputSeconds": round((st.duration or 0) * 0.55, 1),
            "audioOutputSeconds": round((st.duration or 0) * 0.4, 1),
        }
    who = call.caller_info.get("number") or call.caller_info.get("page_url") or "unknown caller"
    via = "Twilio call" if call.channel == "twilio" else "Web voice session"
    ended = st.ended if st.status == ENDED else None
    if older:
        status = {INCOMING: "processing", ACTIVE: "processing", REJECTED: "failed", ENDED: "completed"}[st.status]
        return {
            "guid": call.guid,
            "agenttoken": call.agenttoken,
            "useragentguid": call.agent_guid,
            "status": status,
            "content": f"{via} from {who}",
            "response": call.summary if st.status == ENDED else "",
            "metadata": meta,
            "createdat": unix_str(call.started),
            "startedat": unix_str(call.started),
            "endedat": unix_str(ended),
        }
    status = {INCOMING: "agent_start", ACTIVE: "agent_output", REJECTED: "agent_error", ENDED: "agent_end"}[st.status]
    session = call.callsid if call.callsid.startswith("voice-call-") else f"voice-call-{call.callsid}"
    return {
        "guid": call.guid,
        "uuid": None,
        "agenttoken": call.agenttoken,
        "useragentguid": call.agent_guid,
        "user": None,
        "sessionkey": session,
        "content": f"{via} from {who}",
        "response": call.summary if st.status == ENDED else "",
        "debugoutput": "",
        "timeline": [],
        "status": status,
        "metadata": meta,
        "attachments": [],
        "deletestatus": 0,
        "createdat": int(call.started),
        "startedat": int(call.started),
        "endedat": None if ended is None else int(ended),
        "inputtokens": None, "outputtokens": None, "cachereadtokens": None, "cachewritetokens": None,
        "totaltokens": None, "model": None, "tokencost": None, "processedms": None,
    }
