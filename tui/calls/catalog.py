"""What each session status, end reason and rejection reason means, in words, and what to do about it.

Everything here takes values exactly as the API sends them and never raises on ones it does not
know: those are shown as sent (minus control characters), so a new server value is visible, not lost.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # annotations only: the models load with the first answer
    from ..wiro.models import CallSession
from ..common.text import printable as _clean  # unknown values are shown as sent, minus control characters

INCOMING = "realtime_session_incoming"
ACTIVE = "realtime_session_active"
REJECTED = "realtime_session_rejected"
ENDED = "realtime_session"

#: status → (group, label). The group is one of incoming · active · rejected · ended.
STATUSES: dict[str, tuple[str, str]] = {
    INCOMING: ("incoming", "incoming — preparing"),
    ACTIVE: ("active", "active — talking"),
    REJECTED: ("rejected", "rejected"),
    ENDED: ("ended", "ended"),
}

END_REASONS: dict[str, str] = {
    "wiro_completed": "completed normally",
    "wiro_cancelled": "cancelled",
    "wiro_disconnect": "agent disconnected",
    "wiro_error": "agent error",
    "max_duration": "hit the time limit",
    "browser_disconnect": "browser closed",
    "twilio_disconnect": "caller hung up",
}

REJECTION_REASONS: dict[str, str] = {
    "concurrent_limit": "too many calls at once (concurrency limit)",
    "agent_prep_timeout": "the agent took too long to prepare",
    "realtime_ws_open_failed": "the voice connection could not be opened",
    "realtime_stream_timeout": "the voice stream timed out",
}


def status_group(status: str | None) -> str:
    """incoming · active · rejected · ended, or "unknown" for a status this catalog does not know."""
    if status in STATUSES:
        return STATUSES[status][0]
    return "unknown"


def status_label(status: str | None) -> str:
    """The status in a few words; unknown statuses are shown as sent (without control characters)."""
    if status in STATUSES:
        return STATUSES[status][1]
    return _clean(status) if status else "unknown"


def end_reason_label(reason: str | None) -> str:
    """The end reason in a few words ("" when there is none); unknown reasons are shown as sent."""
    if not reason:
        return ""
    return END_REASONS.get(reason, _clean(reason))


#: Caller IDs that mean "withheld": keypad spellings of ANONYMOUS, RESTRICTED, UNAVAILABLE, UNKNOWN, BLOCKED.
WITHHELD_NUMBERS = frozenset({"+266696687", "+7378742833", "+86282452253", "+8656696", "+2562533"})
WITHHELD_WORDS = frozenset({"anonymous", "restricted", "unavailable", "unknown", "blocked", "private"})


def is_withheld(number: str | None) -> bool:
    """True for a missing caller ID and for the withheld sentinels (keypad spellings or the words)."""
    if not number:
        return True
    n = number.strip()
    if n.lower().removeprefix("+") in WITHHELD_WORDS:
        return True
    digits = "+" + n.lstrip("+")
    return digits in WITHHELD_NUMBERS or (digits.startswith("+1") and "+" + digits[2:] in WITHHELD_NUMBERS)


def caller_text(session: CallSession) -> str:
    """Who called, for a table that has a channel column: "+14155551234 (US)", "withheld", or for web
    sessions the display identifier, else the page URL, else "web visitor"."""
    if session.channel == "web":
        return _clean(session.display_identifier or session.page_url or "web visitor")
    if is_withheld(session.caller_number):
        return "withheld"
    number = _clean(str(session.caller_number))
    return f"{number} ({_clean(session.caller_country)})" if session.caller_country else number


def caller_label(session: CallSession) -> str:
    """Who called, in a few words: number and country, page for web sessions, "withheld" for the sentinels."""
    who = caller_text(session)
    return f"web: {who}" if session.channel == "web" else who


def duration_text(seconds: int | None) -> str:
    """"42s", "3m 07s"; "" when there is no duration (rejected, or unknown)."""
    if seconds is None:
        return ""
    minutes, secs = divmod(max(0, int(seconds)), 60)
    if minutes >= 60:  # only sessions with a raised maxcallseconds get here
        hours, minutes = divmod(minutes, 60)
        return f"{hours}h {minutes:02d}m {secs:02d}s"
    return f"{minutes}m {secs:02d}s" if minutes else f"{secs}s"


# -- explanations: what a value means and what to do about it --------------------------------

#: Where the user reads what the agent did; quoted in the advice that sends them there.
ACTIVITY_LOG = "the agent's activity log (wiro-voice Logs / POST /UserAgent/Logs)"


@dataclass(frozen=True)
class Explanation:
    """One status or reason in words: a short label, a one-sentence meaning, and what to do about it.

    `raw` is the value as the server sent it; `known` is False when this catalog does not know it
    (the label then shows the raw value, so nothing the server says is hidden).
    """

    label: str
    meaning: str
    advice: str
    raw: str | None = None
    known: bool = True


#: status → (meaning, advice)
STATUS_TEXT: dict[str, tuple[str, str]] = {
    INCOMING: (
        "Wiro accepted the call and the agent is preparing it (caller lookup, tools) while the caller hears the hold.",
        f"Nothing to do: it turns active once the voice connection opens. If sessions stay here for minutes, check {ACTIVITY_LOG}.",
    ),
    ACTIVE: (
        "The audio bridge is live: the caller and the agent are talking.",
        "Nothing to do; the duration keeps counting until the call ends.",
    ),
    REJECTED: (
        "Wiro turned the session away before any audio reached the agent.",
        "The rejection reason (in the session's detail) says why and what to do.",
    ),
    ENDED: (
        "The session is over.",
        "The end reason says how it ended and whether anything needs doing.",
    ),
}

#: endReason → (meaning, advice). wiro-api.md lists the values without their causes; the causes
#: given for wiro_cancelled and wiro_disconnect are the known ones (agent stop/restart), hence "for example".
END_REASON_TEXT: dict[str, tuple[str, str]] = {
    "wiro_completed": (
        "The agent finished the conversation and ended the call itself.",
        "Nothing to do.",
    ),
    "wiro_cancelled": (
        "Wiro cancelled the session before the conversation got going, for example because the agent was stopped or restarted while the call was being set up.",
        f"If nobody stopped, restarted or reconfigured the agent at that time, check {ACTIVITY_LOG}.",
    ),
    "wiro_disconnect": (
        "Wiro's side dropped the call mid-conversation, for example because the agent was stopped or restarted (saving its configuration restarts it).",
        f"Avoid saving the configuration or stopping the agent while calls are live; if neither happened, check {ACTIVITY_LOG}.",
    ),
    "wiro_error": (
        "The agent crashed mid-call.",
        f"Check {ACTIVITY_LOG} for the error; if the agent is now in Error, Start retries it.",
    ),
    "max_duration": (
        "The call reached the per-call time limit and the caller heard the fallback message.",
        "The call hit maxcallseconds; raise it in the Credentials if calls need longer.",
    ),
    "browser_disconnect": (
        "The visitor closed or left the web page (web sessions only).",
        "Nothing to do.",
    ),
    "twilio_disconnect": (
        "The caller hung up, or their phone line dropped.",
        "Nothing to do.",
    ),
}

#: metadata.reason of a rejected session → (meaning, advice)
REJECTION_TEXT: dict[str, tuple[str, str]] = {
    "concurrent_limit": (
        "Too many simultaneous calls for your plan, so this one was turned away.",
        "Upgrade the plan for more concurrent calls, or expect callers to be turned away at peak times.",
    ),
    "agent_prep_timeout": (
        "The agent did not finish preparing the call (caller lookup, tools) in time.",
        f"Check {ACTIVITY_LOG} for the slow or failing preparation step.",
    ),
    "realtime_ws_open_failed": (
        "The realtime voice connection to the model could not be opened.",
        f"Check {ACTIVITY_LOG}; if it keeps happening, the model provider may be having trouble.",
    ),
    "realtime_stream_timeout": (
        "The realtime voice connection opened but the audio stream did not start in time.",
        f"Check {ACTIVITY_LOG}; if it keeps happening, the model provider may be having trouble.",
    ),
}


def _explain(value: str | None, texts: dict[str, tuple[str, str]], label: str, *, missing: Explanation,
             kind: str, unknown_advice: str) -> Explanation:
    """Look `value` up in `texts`; a missing value gets `missing`, an unknown one is shown as sent."""
    if value in texts:
        meaning, advice = texts[value]
        return Explanation(label, meaning, advice, value)
    if not value:
        return missing
    shown = _clean(value)
    return Explanation(shown, f"{kind} this version of wiro-voice does not know: {shown}.", unknown_advice, value, False)


def explain_status(status: str | None) -> Explanation:
    """The session status in words. Never raises: unknown or missing statuses get a generic explanation."""
    missing = Explanation("unknown", "Wiro did not say what state this session is in.",
                          "Refresh; if it persists, open the session for details.", status, False)
    return _explain(status, STATUS_TEXT, status_label(status), missing=missing, kind="A session status",
                    unknown_advice=f"Open the session for its details, and check {ACTIVITY_LOG}.")


def explain_end_reason(reason: str | None) -> Explanation:
    """How a session ended, in words, with what to do. None (still in progress, or rejected) → an empty label."""
    missing = Explanation("", "No end reason: the session is still in progress, or it was rejected before it began.",
                          "", reason, False)
    return _explain(reason, END_REASON_TEXT, end_reason_label(reason), missing=missing, kind="An end reason",
                    unknown_advice=f"Check {ACTIVITY_LOG} around the time the call ended.")


def rejection_label(reason: str | None) -> str:
    """A rejection reason (metadata.reason) in a few words; unknown values are shown as sent."""
    if not reason:
        return "reason unknown"
    return REJECTION_REASONS.get(reason, _clean(reason))


def explain_rejection(reason: str | None) -> Explanation:
    """Why Wiro rejected a session (metadata.reason from Message/Detail), with what to do. Never raises."""
    advice = f"Check {ACTIVITY_LOG} around the time of the call."
    missing = Explanation("reason unknown", "Wiro did not record why it rejected this session.", advice, reason, False)
    return _explain(reason, REJECTION_TEXT, rejection_label(reason), missing=missing,
                    kind="A rejection reason", unknown_advice=advice)


# -- small display helpers -------------------------------------------------------------------

CHANNELS: dict[str, str] = {"twilio": "phone", "web": "web"}


def channel_label(channel: str | None) -> str:
    """"phone" for Twilio sessions, "web" for Web Channel sessions; anything else as sent (or "unknown")."""
    if not channel:
        return "unknown"
    return CHANNELS.get(channel, _clean(channel))


def is_in_progress(status: str | None) -> bool:
    """True while the session is incoming or active, i.e. its duration is still growing."""
    return status in (INCOMING, ACTIVE)


def age_text(started_ms: int | None, now_ms: int) -> str:
    """How long ago a session started: "just now", "2 min ago", "3 h ago", "yesterday", "4 days ago".

    Counted in elapsed time, not calendar days: "yesterday" means 24–48 hours ago. A start in the
    future (the server's clock ahead of ours) reads "just now" rather than a negative age.
    """
    if started_ms is None:
        return ""
    seconds = (now_ms - started_ms) // 1000
    if seconds < 60:
        return "just now"
    if seconds < 3600:
        return f"{seconds // 60} min ago"
    if seconds < 86_400:
        return f"{seconds // 3600} h ago"
    if seconds < 2 * 86_400:
        return "yesterday"
    return f"{seconds // 86_400} days ago"


def live_duration(session: CallSession, now_ms: int) -> int | None:
    """Seconds the session has lasted: counted from startedAt while in progress, else durationSeconds.

    Ended rows without durationSeconds fall back to endedAt − startedAt; rejected rows have none.
    """
    if is_in_progress(session.status):
        if session.started_at_ms is None:
            return None
        return max(0, (now_ms - session.started_at_ms) // 1000)
    if session.duration_seconds is not None:
        return max(0, session.duration_seconds)
    if session.ended_at_ms is not None and session.started_at_ms is not None:
        return max(0, (session.ended_at_ms - session.started_at_ms) // 1000)
    return None
