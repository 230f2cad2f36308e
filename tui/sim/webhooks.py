"""What Wiro does on a twilio-voice credential save: point each number's webhooks at Wiro's voice handler.

Runs in-process against the simulated Twilio world (Wiro's servers would call Twilio's REST API). The handler
URL is undocumented; the simulator writes a configurable one (``{guid}`` in it becomes the agent guid).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .twilio_world import TwilioWorld

DEFAULT_VOICE_URL = "https://api.wiro.ai/v1/AgentRealtime/Twilio"
_ACCOUNT_SID = re.compile(r"^AC[0-9a-fA-F]{32}$")
NOT_ON_ACCOUNT = "no matching IncomingPhoneNumber on Twilio account"
INCOMPLETE = "Twilio credentials incomplete (Account SID and Auth Token are both needed)"
NO_NUMBERS = "no phone numbers configured"
BAD_SID = "Invalid Twilio Account SID format (expected AC followed by 32 hex characters)"
OUTAGE = "Twilio API request failed: 503 Service Unavailable"
AUTH_FAILED = "Twilio authentication failed (401, code 20003): check the Account SID and Auth Token"


def wiro_voice_url(agent_guid: str = "", template: str = DEFAULT_VOICE_URL) -> str:
    """The voice webhook URL a save writes for this agent."""
    return template.replace("{guid}", agent_guid)


def wiro_status_url(agent_guid: str = "", template: str = DEFAULT_VOICE_URL) -> str:
    """The status-callback URL a save writes for this agent (the voice URL plus ``/StatusCallback``)."""
    return wiro_voice_url(agent_guid, template).rstrip("/") + "/StatusCallback"


@dataclass
class Outcome:
    """What the VoiceUrl step did. ``error``: the whole flow failed; ``skipped``: the step was skipped (reason);
    otherwise ``updated`` numbers were written, ``already`` pointed at Wiro before, ``failed`` were not written."""

    error: str | None = None
    skipped: str | None = None
    updated: list[str] = field(default_factory=list)
    already: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)


def configure_numbers(twilio: TwilioWorld, cred: dict, voice_url: str, status_url: str, *, outage: bool,
                      rejected: dict[str, str], now: float, rewrite_correct: bool = True) -> Outcome:
    """Write Wiro's webhooks on every credential number that is on the credential's Twilio account.

    ``rewrite_correct=False`` leaves numbers that already point at Wiro untouched (the older behaviour).
    """
    sid = str(cred.get("accountsid") or "").strip()
    token = str(cred.get("authtoken") or "")
    numbers = [str(n) for n in (cred.get("phonenumbers") or [])]
    if not sid or not token:
        return Outcome(skipped=INCOMPLETE)
    if not numbers:
        return Outcome(skipped=NO_NUMBERS)
    if not _ACCOUNT_SID.match(sid):
        # The value is not echoed: people paste tokens into the wrong field.
        return Outcome(error=BAD_SID)
    if outage:
        return Outcome(error=OUTAGE)
    acct = twilio.authenticate(sid, token)
    if acct is None:
        return Outcome(error=AUTH_FAILED)
    if acct.status != "active":
        return Outcome(error=f"Twilio account is not active ({acct.status})")
    found = [(n, acct.number_by_e164(n)) for n in numbers]
    if all(res is None for _, res in found):
        return Outcome(skipped=NOT_ON_ACCOUNT)
    out = Outcome()
    for n, res in found:
        if res is None:
            out.failed.append((n, NOT_ON_ACCOUNT))
            continue
        if n in rejected:
            out.failed.append((n, rejected[n]))
            continue
        correct = (res.get("voice_url") == voice_url and res.get("voice_method") == "POST"
                   and res.get("status_callback") == status_url)
        if correct and not rewrite_correct:
            out.already.append(n)
            continue
        # Only the URL fields are written: a TwiML App or SIP Trunk on the number keeps winning,
        # which is exactly why such numbers stay mis-routed although listed as updated.
        twilio.update_number(res, {"VoiceUrl": voice_url, "VoiceMethod": "POST", "StatusCallback": status_url,
                                   "StatusCallbackMethod": "POST"}, now)
        (out.already if correct else out.updated).append(n)
    return out


def answer_newest(out: Outcome, numbers: list[str]) -> dict:
    """The Twilio keys of a newest CredentialUpsert answer: Skipped is one reason string sent instead of
    Updated, Failed holds ``{phoneNumber, error}`` objects, Error replaces the other three."""
    if out.error:
        return {"twilioWebhookError": out.error}
    if out.skipped:
        return {"twilioWebhookSkipped": out.skipped}
    done = set(out.updated) | set(out.already)
    return {"twilioWebhooksUpdated": [n for n in numbers if n in done],
            "twilioWebhooksFailed": [{"phoneNumber": n, "error": e} for n, e in out.failed]}


def answer_older(out: Outcome, numbers: list[str]) -> dict:
    """The older shapes: three lists of numbers (Skipped = already pointing at Wiro, Failed = not written),
    or the error string instead of the three."""
    if out.error:
        return {"twilioWebhookError": out.error}
    if out.skipped == NOT_ON_ACCOUNT:
        return {"twilioWebhooksUpdated": [], "twilioWebhookSkipped": [], "twilioWebhooksFailed": list(numbers)}
    if out.skipped:
        return {"twilioWebhookError": out.skipped}
    return {"twilioWebhooksUpdated": list(out.updated), "twilioWebhookSkipped": list(out.already),
            "twilioWebhooksFailed": [n for n, _ in out.failed]}
