"""Where a number's calls really go, by the routing rules in docs/twilio.md, with the fix in plain words.

Precedence (Twilio's): a SIP Trunk overrides everything, then a TwiML App overrides the voice URLs, then
the voice URL answers. Wiro only ever writes VoiceUrl/StatusCallback, so a number on a trunk or an app
stays mis-routed although Wiro lists it as updated — the trap this module exists to show.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal
from urllib.parse import urlsplit

from .models import IncomingNumber, TwiMLApp

# -- verdicts -------------------------------------------------------------------------------------

NOT_ON_ACCOUNT = "not_on_account"
SIP_TRUNK = "sip_trunk"
TWIML_APP = "twiml_app"
NO_VOICE_URL = "no_voice_url"
STUDIO_FLOW = "studio_flow"
ELSEWHERE = "elsewhere"
WIRO_OK = "wiro_ok"

#: Every verdict, in the order the rules are applied.
VERDICTS = (NOT_ON_ACCOUNT, SIP_TRUNK, TWIML_APP, NO_VOICE_URL, STUDIO_FLOW, ELSEWHERE, WIRO_OK)

# What routes the number, for the JSON `routing` key.
ROUTING = {
    NOT_ON_ACCOUNT: "absent",
    SIP_TRUNK: "sip_trunk",
    TWIML_APP: "twiml_app",
    NO_VOICE_URL: "none",
    STUDIO_FLOW: "studio_flow",
    ELSEWHERE: "webhook",
    WIRO_OK: "webhook",
}

# The fixes, in the words of the seed's Troubleshooting section.
FLIP_TO_WEBHOOK = (
    "Flip Configure with back to Webhook in the Twilio Console (the number → Voice Configuration → A call comes "
    "in), then save the credential again in Wiro to rewrite VoiceUrl."
)
SAVE_AGAIN = "Save the credential again in Wiro to rewrite VoiceUrl (the save re-runs the webhook setup)."
BUY_OR_IMPORT = (
    "Buy or import the number on this account (Twilio Console → Phone Numbers → Active numbers), or correct the "
    "Account SID in the credential so it names the account that owns the number."
)
ADD_TO_CREDENTIAL = "If this agent should answer it, add it to the credential's phone numbers and save."

# -- flags ----------------------------------------------------------------------------------------

VOICE_OFF = "voice_off"
FAX_MODE = "fax_mode"
NO_STATUS_CALLBACK = "no_status_callback"
GET_METHOD = "get_method"
OTHER_AGENT = "other_agent"

#: A few words per flag, for compact lists.
FLAG_LABELS = {
    VOICE_OFF: "no Voice capability",
    FAX_MODE: "set to receive faxes",
    NO_STATUS_CALLBACK: "no status callback",
    GET_METHOD: "GET instead of POST",
    OTHER_AGENT: "points at another Wiro agent",
}

Level = Literal["error", "warning"]


@dataclass(frozen=True)
class Flag:
    """Something else wrong with a number. An error stops calls from reaching the agent; a warning does not."""

    id: str
    message: str
    fix: str
    level: Level = "error"

    @property
    def text(self) -> str:
        return f"{self.message} Fix: {self.fix}"


@dataclass(frozen=True)
class NumberVerdict:
    """One number's verdict, ready to render: what routes it, why that matters, and what to do."""

    number: str
    verdict: str
    title: str
    detail: str
    fix: str | None = None
    flags: tuple[Flag, ...] = ()
    in_credential: bool = True
    resource: IncomingNumber | None = None
    application: TwiMLApp | None = None
    host: str | None = None

    @property
    def routing(self) -> str:
        return ROUTING[self.verdict]

    @property
    def rings_agent(self) -> bool:
        """Calls to this number reach the agent (a warning flag does not stop them)."""
        return self.verdict == WIRO_OK and not any(f.level == "error" for f in self.flags)

    @property
    def ok(self) -> bool:
        """Nothing at all to fix."""
        return self.verdict == WIRO_OK and not self.flags

    @property
    def problems(self) -> tuple[str, ...]:
        """Each problem as one sentence with its fix: the verdict's (unless OK) and then the flags'."""
        lines = [] if self.verdict == WIRO_OK else [f"{self.detail} Fix: {self.fix}" if self.fix else self.detail]
        return tuple(lines + [f.text for f in self.flags])

    def to_json(self) -> dict[str, Any]:
        """The DESIGN.md shape (`number`, `verdict`, `problems`, `voice_url`, `voice_method`,
        `status_callback`, `routing`) plus what the screen shows."""
        res = self.resource
        app = self.application
        return {
            "number": self.number,
            "verdict": self.verdict,
            "ok": self.ok,
            "rings_agent": self.rings_agent,
            "problems": list(self.problems),
            "voice_url": res.voice_url if res else None,
            "voice_method": res.voice_method if res else None,
            "status_callback": res.status_callback if res else None,
            "routing": self.routing,
            "title": self.title,
            "detail": self.detail,
            "fix": self.fix,
            "flags": [{"id": f.id, "level": f.level, "message": f.message, "fix": f.fix} for f in self.flags],
            "host": self.host,
            "sid": res.sid if res else None,
            "friendly_name": res.friendly_name if res else None,
            "trunk_sid": res.trunk_sid if res else None,
            "application": None if app is None and not (res and res.voice_application_sid) else {
                "sid": app.sid if app else res.voice_application_sid if res else None,
                "friendly_name": app.friendly_name if app else None,
                "voice_url": app.voice_url if app else None,
            },
            "in_credential": self.in_credential,
        }


# -- telling URLs apart ---------------------------------------------------------------------------

WIRO_DOMAIN = "wiro.ai"
#: more hosts whose URLs count as Wiro's voice handler (comma-separated hosts or URLs), e.g. a simulator's
HANDLER_HOSTS_ENV = "WIRO_VOICE_HANDLER_HOSTS"
#: said with every verdict that rests on the host: Wiro does not document the URL it writes
HOST_INFERENCE = ("Wiro does not document the voice URL it writes, so this is inferred from the host "
                  "(wiro.ai or under it).")
_STUDIO = re.compile(r"/Flows/FW[0-9a-fA-F]*", re.IGNORECASE)
_GUID = re.compile(r"(?<![0-9a-f])[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}(?![0-9a-f])", re.IGNORECASE)


def url_host(url: str | None) -> str | None:
    """The URL's host in lower case, or None when there is none."""
    if not url:
        return None
    try:
        host = urlsplit(url.strip()).hostname
    except ValueError:
        return None
    return host.lower() if host else None


def is_wiro_url(url: str | None, extra_hosts: Iterable[str] = ()) -> bool:
    """True for Wiro's voice handler: a host that is wiro.ai or ends in .wiro.ai, or one of `extra_hosts`
    (the configured Wiro API base's host, the simulator's)."""
    host = url_host(url)
    if host is None:
        return False
    if host == WIRO_DOMAIN or host.endswith("." + WIRO_DOMAIN):
        return True
    return host in {h.lower() for h in extra_hosts if h}


def handler_hosts(api_base: str | None, *extra: str | None, env: Mapping[str, str] | None = None) -> tuple[str, ...]:
    """Hosts whose URLs count as Wiro's voice handler besides *.wiro.ai: the configured Wiro API base's host,
    any URL or host given, and those listed in WIRO_VOICE_HANDLER_HOSTS (the environment by default)."""
    listed = (env if env is not None else os.environ).get(HANDLER_HOSTS_ENV, "")
    found = []
    for item in (api_base, *extra, *listed.split(",")):
        text = (item or "").strip()
        if not text:
            continue
        host = url_host(text) if "://" in text else url_host("http://" + text)
        if host and host not in found:
            found.append(host)
    return tuple(found)


def is_studio_flow(url: str | None) -> bool:
    """A Studio Flow shows as https://webhooks.twilio.com/v1/Accounts/AC…/Flows/FW…."""
    return url_host(url) == "webhooks.twilio.com" and bool(url and _STUDIO.search(url))


def wiro_agent_in(url: str | None) -> str | None:
    """An agent guid the voice URL carries (anywhere in its path or query), or None. Wiro does not document
    the URL, so no path is assumed: a URL naming a guid is taken to name the agent it rings (an inference)."""
    if not url:
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    match = _GUID.search(f"{parts.path}?{parts.query}")
    return match.group(0) if match else None


# -- the rules --------------------------------------------------------------------------------------


def classify(
    number: str,
    resource: IncomingNumber | None,
    *,
    application: TwiMLApp | None = None,
    wiro_hosts: Iterable[str] = (),
    agent_guid: str | None = None,
    in_credential: bool = True,
    same_number_as: str | None = None,
) -> NumberVerdict:
    """Classify one number. `resource` is None when the account has no such number; `same_number_as` is the
    account's spelling of the same number when only a normalised comparison matched (e.g. 4155550142 vs
    +14155550142). `application` is the TwiML App named by the number, fetched by the caller."""
    if resource is None:
        return _absent(number, same_number_as)
    flags = list(_capability_flags(resource))
    common = {"number": number, "in_credential": in_credential, "resource": resource}
    redirect = FLIP_TO_WEBHOOK if in_credential else f"{ADD_TO_CREDENTIAL} Then: {FLIP_TO_WEBHOOK[0].lower()}{FLIP_TO_WEBHOOK[1:]}"
    if resource.trunk_sid:
        return NumberVerdict(
            verdict=SIP_TRUNK, title="Routed to a SIP Trunk",
            detail=f"A SIP Trunk ({resource.trunk_sid}) answers calls to this number; Wiro does not drive SIP Trunk "
                   "routing, so its VoiceUrl is ignored and callers hear Twilio's default voicemail or your PBX.",
            fix=redirect, flags=tuple(flags), **common)
    if resource.voice_application_sid:
        app = application
        name = f' "{app.friendly_name}"' if app and app.friendly_name else ""
        where = (f"its voice URL is {app.voice_url}" if app and app.voice_url
                 else "the app could not be read" if app is None else "the app has no voice URL")
        return NumberVerdict(
            verdict=TWIML_APP, title="Routed to a TwiML App",
            detail=f"The TwiML App{name} ({resource.voice_application_sid}) answers calls to this number — {where}. "
                   "Wiro does not drive TwiML App routing, so the VoiceUrl Wiro writes is ignored.",
            fix=redirect, flags=tuple(flags), application=app, host=url_host(app.voice_url) if app else None, **common)
    if resource.voice_url is None:
        return NumberVerdict(
            verdict=NO_VOICE_URL, title="No voice URL",
            detail="Nothing is configured for incoming calls: Twilio answers with its default demo app "
                   "(which can incur TTS charges), not the agent.",
            fix=SAVE_AGAIN if in_credential else ADD_TO_CREDENTIAL, flags=tuple(flags), **common)
    if is_studio_flow(resource.voice_url):
        return NumberVerdict(
            verdict=STUDIO_FLOW, title="Studio Flow",
            detail="A Studio Flow answers calls to this number, not Wiro.",
            fix=(f"{SAVE_AGAIN} That replaces the flow on this number; if the flow should keep it, remove the "
                 "number from the credential instead.") if in_credential else ADD_TO_CREDENTIAL,
            flags=tuple(flags), host=url_host(resource.voice_url), **common)
    host = url_host(resource.voice_url)
    if not is_wiro_url(resource.voice_url, wiro_hosts):
        return NumberVerdict(
            verdict=ELSEWHERE, title=f"Webhook elsewhere ({host or 'unreadable URL'})",
            detail=f"Calls go to a webhook at {host or resource.voice_url!r}, not Wiro. {HOST_INFERENCE}",
            fix=(f"{SAVE_AGAIN} If it points elsewhere again later, another tool or script is rewriting it."
                 if in_credential else ADD_TO_CREDENTIAL),
            flags=tuple(flags), host=host, **common)
    flags.extend(_wiro_flags(resource, agent_guid, in_credential))
    method = resource.voice_method or "POST"  # Twilio's default when unset
    return NumberVerdict(
        verdict=WIRO_OK, title=f"Webhook to Wiro ({method})",
        detail=f"Calls go to Wiro's voice handler at {host}. {HOST_INFERENCE}",
        fix=None if in_credential else ADD_TO_CREDENTIAL,
        flags=tuple(flags), host=host, **common)


def _absent(number: str, same_number_as: str | None) -> NumberVerdict:
    if same_number_as:
        return NumberVerdict(
            number=number, verdict=NOT_ON_ACCOUNT, title="Not on this Twilio account (as written)",
            detail=f"The account has {same_number_as}, but the credential says {number!r}; Wiro matches numbers "
                   "exactly, so it reports: skipped, no matching IncomingPhoneNumber.",
            fix=f"Write the number as {same_number_as} (E.164: +, country code, digits only) in the credential and "
                "save again.")
    return NumberVerdict(
        number=number, verdict=NOT_ON_ACCOUNT, title="Not on this Twilio account",
        detail="This account has no such IncomingPhoneNumber, so Wiro skips it on every save "
               "(\"no matching IncomingPhoneNumber on Twilio account\") and calls to it never reach the agent.",
        fix=BUY_OR_IMPORT)


def _capability_flags(res: IncomingNumber) -> Iterable[Flag]:
    if res.capabilities.voice is False:
        yield Flag(VOICE_OFF, "The number has no Voice capability, so it cannot receive calls.",
                   "Use a number with Voice capability (Twilio Console → Buy a number, with Voice ticked), "
                   "and put that one in the credential.")
    if res.voice_receive_mode == "fax":
        yield Flag(FAX_MODE, "The number is set to receive faxes, so voice calls are not answered.",
                   "In the Twilio Console, open the number → Voice Configuration and set Accept incoming to Voice calls.")


def _wiro_flags(res: IncomingNumber, agent_guid: str | None, in_credential: bool) -> Iterable[Flag]:
    # These only matter when Wiro's URL is what answers; on a trunk or an app the URL fields are ignored.
    if res.voice_method == "GET":
        yield Flag(GET_METHOD, "The webhook uses HTTP GET; Wiro's voice handler expects POST.",
                   "Set HTTP to POST in the Twilio Console (the number → Voice Configuration), or save the "
                   "credential again in Wiro, which writes POST.")
    other = wiro_agent_in(res.voice_url)
    if agent_guid and other and other.lower() != agent_guid.lower():
        yield Flag(OTHER_AGENT, f"The webhook points at another Wiro agent ({other}), so that agent answers.",
                   "Save this agent's credential again to take the number over, or remove it from the other "
                   "agent's credential." if in_credential else
                   "Nothing to do if the other agent should answer it.",
                   level="error" if in_credential else "warning")
    if res.status_callback is None:
        yield Flag(NO_STATUS_CALLBACK, "No status callback: Wiro is not told when calls end, so call history "
                   "may miss durations and end reasons.",
                   "Save the credential again in Wiro to rewrite StatusCallback.", level="warning")
