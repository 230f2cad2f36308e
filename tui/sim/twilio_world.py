"""The Twilio side of the world: accounts, their incoming phone numbers and TwiML Apps.

Resources are plain dicts shaped like Twilio's JSON so the HTTP layer can return copies directly.
Tests may add accounts and numbers, or edit a number's dict, while holding ``World.lock``.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field

from .ids import IdMint
from .timefmt import rfc2822

API_VERSION = "2010-04-01"


def account_path(sid: str) -> str:
    """``/2010-04-01/Accounts/{sid}`` (no suffix), the root of every resource uri."""
    return f"/{API_VERSION}/Accounts/{sid}"


@dataclass
class TwilioAccount:
    """One Twilio account. ``status`` may be set to ``suspended``/``closed`` by tests."""

    sid: str
    auth_token: str
    friendly_name: str
    created: float
    status: str = "active"
    type: str = "Full"
    owner_account_sid: str | None = None
    numbers: dict[str, dict] = field(default_factory=dict)  # PN sid -> resource, insertion ordered
    applications: dict[str, dict] = field(default_factory=dict)  # AP sid -> resource
    calls: list = field(default_factory=list)  # TwilioCall plans of calls that never reached Wiro

    def resource(self) -> dict:
        """The account JSON, including ``auth_token`` exactly as Twilio returns it."""
        base = account_path(self.sid)
        return {
            "sid": self.sid,
            "friendly_name": self.friendly_name,
            "status": self.status,
            "type": self.type,
            "owner_account_sid": self.owner_account_sid or self.sid,
            "auth_token": self.auth_token,
            "date_created": rfc2822(self.created),
            "date_updated": rfc2822(self.created),
            "uri": base + ".json",
            "subresource_uris": {
                name: f"{base}/{path}.json"
                for name, path in (
                    ("incoming_phone_numbers", "IncomingPhoneNumbers"),
                    ("applications", "Applications"),
                    ("calls", "Calls"),
                    ("recordings", "Recordings"),
                    ("sip", "SIP"),
                    ("balance", "Balance"),
                    ("usage", "Usage"),
                )
            },
        }

    def number_by_e164(self, phone_number: str) -> dict | None:
        """The IncomingPhoneNumber whose ``phone_number`` equals ``phone_number`` exactly."""
        for res in self.numbers.values():
            if res["phone_number"] == phone_number:
                return res
        return None


class TwilioWorld:
    """All simulated Twilio accounts, keyed by Account SID."""

    def __init__(self, mint: IdMint) -> None:
        self._mint = mint
        self.accounts: dict[str, TwilioAccount] = {}

    def add_account(self, friendly_name: str, created: float, *, sid: str | None = None,
                    auth_token: str | None = None, type: str = "Full") -> TwilioAccount:
        """Create an account with a seeded SID and a 32-lowercase-hex auth token."""
        acct = TwilioAccount(
            sid=sid or self._mint.sid("AC"),
            auth_token=auth_token or self._mint.hex(32),
            friendly_name=friendly_name,
            created=created,
            type=type,
        )
        self.accounts[acct.sid] = acct
        return acct

    def add_application(self, account_sid: str, friendly_name: str, voice_url: str,
                        voice_method: str = "POST") -> dict:
        """A TwiML App (AP…) so a number routed to it can show where calls really go."""
        acct = self.accounts[account_sid]
        sid = self._mint.sid("AP")
        acct.applications[sid] = {
            "sid": sid,
            "account_sid": account_sid,
            "friendly_name": friendly_name,
            "voice_url": voice_url,
            "voice_method": voice_method,
            "uri": f"{account_path(account_sid)}/Applications/{sid}.json",
        }
        return acct.applications[sid]

    def add_number(self, account_sid: str, phone_number: str, created: float, **fields) -> dict:
        """Add an IncomingPhoneNumber; ``fields`` override the resource's defaults (same keys)."""
        acct = self.accounts[account_sid]
        sid = self._mint.sid("PN")
        res = {
            "sid": sid,
            "account_sid": account_sid,
            "friendly_name": _pretty(phone_number),
            "phone_number": phone_number,
            # Real Twilio mixes "" and null for unset values; clients must treat both as unset.
            "voice_url": "",
            "voice_method": "POST",
            "voice_fallback_url": "",
            "voice_fallback_method": "POST",
            "voice_caller_id_lookup": False,
            "status_callback": "",
            "status_callback_method": "POST",
            "voice_application_sid": None,
            "trunk_sid": None,
            "voice_receive_mode": "voice",
            "sms_url": "",
            "sms_method": "POST",
            "sms_application_sid": "",
            "capabilities": {"voice": True, "sms": True, "mms": True, "fax": False},
            "status": "in-use",
            "type": "local",
            "origin": "twilio",
            "beta": False,
            "api_version": API_VERSION,
            "date_created": rfc2822(created),
            "date_updated": rfc2822(created),
            "uri": f"{account_path(account_sid)}/IncomingPhoneNumbers/{sid}.json",
        }
        for key, value in fields.items():
            if key not in res:
                raise KeyError(f"not an IncomingPhoneNumber field: {key}")
            res[key] = value
        acct.numbers[sid] = res
        return res

    def holder_of(self, phone_number: str) -> tuple[TwilioAccount, dict] | None:
        """The account and IncomingPhoneNumber resource that own ``phone_number``, if any."""
        for acct in self.accounts.values():
            res = acct.number_by_e164(phone_number)
            if res is not None:
                return acct, res
        return None

    def authenticate(self, username: str, password: str) -> TwilioAccount | None:
        """The account for a Basic-auth pair, or None when Twilio would answer 401/20003."""
        acct = self.accounts.get(username)
        if acct is None or acct.auth_token != password or acct.status == "closed":
            return None
        return acct

    def update_number(self, res: dict, params: dict[str, str], now: float) -> dict:
        """Apply a form-encoded update (VoiceUrl, TrunkSid, …) the way Twilio does; returns a copy."""
        mapping = {
            "VoiceUrl": "voice_url",
            "VoiceMethod": "voice_method",
            "VoiceFallbackUrl": "voice_fallback_url",
            "VoiceFallbackMethod": "voice_fallback_method",
            "StatusCallback": "status_callback",
            "StatusCallbackMethod": "status_callback_method",
            "VoiceReceiveMode": "voice_receive_mode",
            "FriendlyName": "friendly_name",
        }
        for param, key in mapping.items():
            if param in params:
                res[key] = params[param]
        # Trunk and TwiML App routing are exclusive: setting one clears the other.
        if "VoiceApplicationSid" in params:
            res["voice_application_sid"] = params["VoiceApplicationSid"] or None
            if params["VoiceApplicationSid"]:
                res["trunk_sid"] = None
        if "TrunkSid" in params:
            res["trunk_sid"] = params["TrunkSid"] or None
            if params["TrunkSid"]:
                res["voice_application_sid"] = None
        res["date_updated"] = rfc2822(now)
        return copy.deepcopy(res)


def _pretty(e164: str) -> str:
    """Twilio's default friendly name for US numbers is ``(415) 555-0142``; others stay E.164."""
    if e164.startswith("+1") and len(e164) == 12:
        d = e164[2:]
        return f"({d[:3]}) {d[3:6]}-{d[6:]}"
    return e164
