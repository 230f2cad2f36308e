"""What Wiro does on a twilio-voice credential save: point each number's webhooks at Wiro.

Runs in-process against the simulated Twilio world (Wiro's servers would call Twilio's REST API).
"""

from __future__ import annotations

import re

from .twilio_world import TwilioWorld

WIRO_PUBLIC_API = "https://api.wiro.ai/v1"
_ACCOUNT_SID = re.compile(r"^AC[0-9a-fA-F]{32}$")


def wiro_voice_url(agent_guid: str) -> str:
    """The voice webhook URL Wiro writes on a number for this agent."""
    return f"{WIRO_PUBLIC_API}/Twilio/Voice/{agent_guid}"


def wiro_status_url(agent_guid: str) -> str:
    """The status-callback URL Wiro writes on a number for this agent."""
    return f"{WIRO_PUBLIC_API}/Twilio/Status/{agent_guid}"


def configure_numbers(twilio: TwilioWorld, cred: dict, agent_guid: str, *, outage: bool,
                      now: float) -> dict:
    """Write Wiro's webhooks on every credential number; return the CredentialUpsert answer keys.

    Either ``{"twilioWebhookError": str}`` (the whole flow failed, nothing written) or the three
    lists ``twilioWebhooksUpdated`` (plain numbers), ``twilioWebhookSkipped`` (objects with
    ``phonenumber``/``reason``) and ``twilioWebhooksFailed`` (objects with ``phoneNumber``/``error``) —
    deliberately inconsistent key spelling, as the real answer is undocumented.
    """
    sid = str(cred.get("accountsid") or "")
    token = str(cred.get("authtoken") or "")
    numbers = [str(n) for n in (cred.get("phonenumbers") or [])]
    if not _ACCOUNT_SID.match(sid):
        # The value is not echoed: people paste tokens into the wrong field.
        return {"twilioWebhookError": "Invalid Twilio Account SID format (expected AC followed by 32 hex characters)"}
    if outage:
        return {"twilioWebhookError": "Twilio API request failed: 503 Service Unavailable"}
    updated: list[str] = []
    skipped: list[dict] = []
    failed: list[dict] = []
    acct = twilio.authenticate(sid, token)
    if acct is None or acct.status != "active":
        # Every per-number lookup fails the same way when the pair is wrong.
        failed = [{"phoneNumber": n, "error": "Twilio 401 (20003): Authenticate"} for n in numbers]
    else:
        for n in numbers:
            res = acct.number_by_e164(n)
            if res is None:
                skipped.append({"phonenumber": n, "reason": "no matching IncomingPhoneNumber on Twilio account"})
                continue
            # Only the URL fields are written: a TwiML App or SIP Trunk on the number keeps winning,
            # which is exactly why such numbers stay mis-routed although listed as updated.
            twilio.update_number(res, {
                "VoiceUrl": wiro_voice_url(agent_guid),
                "VoiceMethod": "POST",
                "StatusCallback": wiro_status_url(agent_guid),
                "StatusCallbackMethod": "POST",
            }, now)
            updated.append(n)
    return {"twilioWebhooksUpdated": updated, "twilioWebhookSkipped": skipped, "twilioWebhooksFailed": failed}
