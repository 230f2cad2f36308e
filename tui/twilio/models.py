"""Tolerant models of Twilio's JSON: account, incoming phone number, TwiML App.

Twilio sends unset values as either "" or null; both become None here, so callers test one thing.
The account model has no auth_token field at all: the body Twilio sends carries the live token, and it
is dropped on parsing so nothing downstream can show, log or store it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..common.coerce import as_bool, as_dict, nonblank_str


@dataclass(frozen=True)
class TwilioAccount:
    """The account as `GET /Accounts/{Sid}.json` describes it, minus the auth token."""

    sid: str
    friendly_name: str | None = None
    status: str | None = None  # active | suspended | closed
    type: str | None = None  # Trial | Full
    owner_account_sid: str | None = None

    @classmethod
    def parse(cls, data: Any, fallback_sid: str = "") -> TwilioAccount:
        d = as_dict(data)
        return cls(
            sid=nonblank_str(d.get("sid")) or fallback_sid,
            friendly_name=nonblank_str(d.get("friendly_name")),
            status=(nonblank_str(d.get("status")) or "").lower() or None,
            type=nonblank_str(d.get("type")),
            owner_account_sid=nonblank_str(d.get("owner_account_sid")),
        )

    @property
    def is_subaccount(self) -> bool:
        return bool(self.owner_account_sid) and self.owner_account_sid != self.sid


@dataclass(frozen=True)
class Capabilities:
    voice: bool | None = None
    sms: bool | None = None
    mms: bool | None = None
    fax: bool | None = None


@dataclass(frozen=True)
class IncomingNumber:
    """One IncomingPhoneNumber, with only the fields that decide where calls go."""

    sid: str | None
    phone_number: str
    friendly_name: str | None = None
    voice_url: str | None = None
    voice_method: str | None = None
    voice_fallback_url: str | None = None
    status_callback: str | None = None
    status_callback_method: str | None = None
    voice_application_sid: str | None = None
    trunk_sid: str | None = None
    voice_receive_mode: str | None = None
    capabilities: Capabilities = Capabilities()
    status: str | None = None
    type: str | None = None
    origin: str | None = None

    @classmethod
    def parse(cls, data: Any) -> IncomingNumber | None:
        """The number, or None when the item has no phone_number (it could not be matched to anything)."""
        d = as_dict(data)
        phone = nonblank_str(d.get("phone_number"))
        if phone is None:
            return None
        caps = as_dict(d.get("capabilities"))

        def method(key: str) -> str | None:
            value = nonblank_str(d.get(key))
            return value.upper() if value else None

        return cls(
            sid=nonblank_str(d.get("sid")),
            phone_number=phone,
            friendly_name=nonblank_str(d.get("friendly_name")),
            voice_url=nonblank_str(d.get("voice_url")),
            voice_method=method("voice_method"),
            voice_fallback_url=nonblank_str(d.get("voice_fallback_url")),
            status_callback=nonblank_str(d.get("status_callback")),
            status_callback_method=method("status_callback_method"),
            voice_application_sid=nonblank_str(d.get("voice_application_sid")),
            trunk_sid=nonblank_str(d.get("trunk_sid")),
            voice_receive_mode=(nonblank_str(d.get("voice_receive_mode")) or "").lower() or None,
            capabilities=Capabilities(
                voice=_flag(caps, "voice"), sms=_flag(caps, "sms"), mms=_flag(caps, "mms"), fax=_flag(caps, "fax")
            ),
            status=nonblank_str(d.get("status")),
            type=nonblank_str(d.get("type")),
            origin=nonblank_str(d.get("origin")),
        )


def _flag(caps: Mapping[str, Any], key: str) -> bool | None:
    # Older resources spell capabilities in capitals ("Voice"); accept both.
    value = caps.get(key, caps.get(key.capitalize()))
    return None if value is None else as_bool(value)


@dataclass(frozen=True)
class TwiMLApp:
    """A TwiML App (AP…): when a number uses one, its voice URL answers the calls."""

    sid: str
    friendly_name: str | None = None
    voice_url: str | None = None
    voice_method: str | None = None

    @classmethod
    def parse(cls, data: Any, fallback_sid: str = "") -> TwiMLApp:
        d = as_dict(data)
        method = nonblank_str(d.get("voice_method"))
        return cls(
            sid=nonblank_str(d.get("sid")) or fallback_sid,
            friendly_name=nonblank_str(d.get("friendly_name")),
            voice_url=nonblank_str(d.get("voice_url")),
            voice_method=method.upper() if method else None,
        )
