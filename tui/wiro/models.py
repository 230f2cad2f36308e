"""Tolerant models of Wiro's answers.

The API documents some shapes loosely and leaves others open, so every parser here accepts missing,
extra, null and wrongly typed fields without raising. Each model keeps the raw dict (with secrets
masked) for generic display of keys this code does not know.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Mapping

AUTH_TOKEN_MASK = "***encrypted***"

#: Agent status codes: (name, what it means for the person running it).
AGENT_STATUSES: dict[int, tuple[str, str]] = {
    0: ("Stopped", "Not running: calls to your numbers are not answered by the agent."),
    1: ("Stopping", "Shutting down; it can be started again once it has stopped."),
    2: ("Queued", "Waiting for a worker to start it."),
    3: ("Starting", "Booting; it answers calls once it is running."),
    4: ("Running", "Answering calls."),
    5: ("Error", "It stopped because of an error. Start retries it; the activity log says why."),
    6: ("Setup required", "Credentials are missing: fill in the Twilio credential before starting."),
}


def status_name(status: int | None) -> str:
    """The status in words ("Running"); unknown codes are shown as such."""
    if status is None:
        return "Unknown"
    return AGENT_STATUSES.get(status, (f"Status {status}", ""))[0]


def status_meaning(status: int | None) -> str:
    if status is None:
        return "Wiro did not say what state the agent is in."
    return AGENT_STATUSES.get(status, ("", "A status this version of wiro-voice does not know."))[1]


# -- small tolerant readers ---------------------------------------------------------------


def as_dict(value: Any) -> dict:
    """`value` if it is a dict, a decoded JSON object if it is such a string, else {}."""
    if isinstance(value, dict):
        return value
    if isinstance(value, str) and value.lstrip().startswith("{"):
        try:
            decoded = json.loads(value)
        except (ValueError, RecursionError):
            return {}
        return decoded if isinstance(decoded, dict) else {}
    return {}


def as_list(value: Any) -> list:
    return value if isinstance(value, list) else []


def as_str(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    return None


def as_int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value == value and abs(value) < 1e18:
        return int(value)
    if isinstance(value, str):
        try:
            return int(float(value.strip()))
        except (ValueError, OverflowError):
            return None
    return None


def as_bool(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)):
        return bool(value)
    if isinstance(value, str):
        lowered = value.strip().lower()
        if lowered in {"true", "1", "yes"}:
            return True
        if lowered in {"false", "0", "no", ""}:
            return False
    return None


def str_list(value: Any) -> tuple[str, ...]:
    return tuple(s for s in (as_str(v) for v in as_list(value)) if s is not None)


# -- the twilio-voice credential ----------------------------------------------------------


@dataclass(frozen=True)
class TwilioVoiceCredential:
    """The `twilio-voice` credential as Detail returns it. The auth token is never kept: only whether one is set."""

    accountsid: str | None = None
    authtoken_set: bool = False
    phonenumbers: tuple[str, ...] = ()
    maxcallseconds: int | None = None
    whitelistedcallers: tuple[str, ...] = ()
    holdstrategy: str | None = None
    holdtext: str | None = None
    holdvoice: str | None = None
    holdaudio: str | None = None
    holdmusic: str | None = None
    connected: bool = False
    raw: Mapping[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def parse(cls, data: Any) -> "TwilioVoiceCredential":
        d = as_dict(data)
        token = d.get("authtoken")
        raw = dict(d)
        if "authtoken" in raw and raw["authtoken"] not in (None, ""):
            raw["authtoken"] = AUTH_TOKEN_MASK  # whatever came back, never hold it
        return cls(
            accountsid=as_str(d.get("accountsid")),
            authtoken_set=bool(as_str(token)),
            phonenumbers=str_list(d.get("phonenumbers")),
            maxcallseconds=as_int(d.get("maxcallseconds")),
            whitelistedcallers=str_list(d.get("whitelistedcallers")),
            holdstrategy=as_str(d.get("holdstrategy")),
            holdtext=as_str(d.get("holdtext")),
            holdvoice=as_str(d.get("holdvoice")),
            holdaudio=as_str(d.get("holdaudio")),
            holdmusic=as_str(d.get("holdmusic")),
            connected=bool(as_bool(d.get("_connected"))),
            raw=raw,
        )

    @property
    def is_empty(self) -> bool:
        return not (self.accountsid or self.authtoken_set or self.phonenumbers)


# -- agents -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Agent:
    """One agent instance ("useragent")."""

    guid: str
    title: str
    status: int | None = None
    setuprequired: bool = False
    template_title: str | None = None
    template_slug: str | None = None
    restarting: bool = False
    credential: TwilioVoiceCredential | None = None
    raw: Mapping[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def parse(cls, data: Any) -> "Agent | None":
        """An Agent, or None when the item has no guid (it cannot be addressed, so it is useless)."""
        d = as_dict(data)
        guid = as_str(d.get("guid"))
        if not guid:
            return None
        template = as_dict(d.get("agent"))
        creds = as_dict(as_dict(d.get("configuration")).get("credentials"))
        credential = TwilioVoiceCredential.parse(creds["twilio-voice"]) if "twilio-voice" in creds else None
        raw = dict(d)
        if credential is not None:
            raw["configuration"] = {**as_dict(d.get("configuration")), "credentials": {**creds, "twilio-voice": dict(credential.raw)}}
        return cls(
            guid=guid,
            title=as_str(d.get("title")) or as_str(template.get("title")) or guid,
            status=as_int(d.get("status")),
            setuprequired=bool(as_bool(d.get("setuprequired"))),
            template_title=as_str(template.get("title")),
            template_slug=as_str(template.get("slug")),
            restarting=bool(as_bool(d.get("restartafter"))),
            credential=credential,
            raw=raw,
        )

    @property
    def status_name(self) -> str:
        return status_name(self.status)

    @property
    def needs_setup(self) -> bool:
        return self.status == 6 or self.setuprequired


# -- CredentialUpsert ---------------------------------------------------------------------

_NUMBER_KEYS = ("number", "phonenumber", "phoneNumber", "phone_number")
_TEXT_KEYS = ("reason", "error", "message")


@dataclass(frozen=True)
class WebhookItem:
    """One element of a webhook list. `number` is None when the shape was not recognised; `text` then says what came."""

    number: str | None
    text: str | None = None

    @classmethod
    def parse(cls, value: Any) -> "WebhookItem":
        if isinstance(value, str):
            return cls(number=value)
        if isinstance(value, dict):
            number = next((as_str(value[k]) for k in _NUMBER_KEYS if as_str(value.get(k))), None)
            text = next((_text(value[k]) for k in _TEXT_KEYS if value.get(k) not in (None, "")), None)
            if number is None and text is None:
                return cls(number=None, text=json.dumps(value, ensure_ascii=False, default=str)[:500])
            return cls(number=number, text=text)
        return cls(number=None, text=json.dumps(value, ensure_ascii=False, default=str)[:500])


def _text(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, dict):
        message = as_str(value.get("message"))
        code = as_str(value.get("code"))
        if message:
            return f"{message} (code {code})" if code else message
    return json.dumps(value, ensure_ascii=False, default=str)[:500]


@dataclass(frozen=True)
class UpsertResult:
    """What CredentialUpsert said about the webhooks. `error` is set instead of the lists when the flow failed."""

    updated: tuple[WebhookItem, ...] = ()
    skipped: tuple[WebhookItem, ...] = ()
    failed: tuple[WebhookItem, ...] = ()
    error: str | None = None
    raw: Mapping[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def parse(cls, data: Any) -> "UpsertResult":
        d = as_dict(data)
        error = d.get("twilioWebhookError")
        return cls(
            updated=tuple(WebhookItem.parse(v) for v in as_list(d.get("twilioWebhooksUpdated"))),
            skipped=tuple(WebhookItem.parse(v) for v in as_list(d.get("twilioWebhookSkipped"))),
            failed=tuple(WebhookItem.parse(v) for v in as_list(d.get("twilioWebhooksFailed"))),
            error=None if error in (None, "") else _text(error),
            raw=d,
        )


# -- call history ---------------------------------------------------------------------------


@dataclass(frozen=True)
class CallSession:
    """One row of TwilioCallHistory/List (phone or web voice session)."""

    messageguid: str
    agenttoken: str | None = None
    channel: str | None = None
    callsid: str | None = None
    caller_number: str | None = None
    caller_country: str | None = None
    page_url: str | None = None
    display_identifier: str | None = None
    caller_profile: str | None = None
    status: str | None = None
    end_reason: str | None = None
    duration_seconds: int | None = None
    model_slug: str | None = None
    started_at_ms: int | None = None
    ended_at_ms: int | None = None
    raw: Mapping[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def parse(cls, data: Any) -> "CallSession | None":
        d = as_dict(data)
        key = as_str(d.get("messageguid")) or as_str(d.get("agenttoken")) or as_str(d.get("callsid"))
        if not key:
            return None
        caller = as_dict(d.get("callerInfo"))
        return cls(
            messageguid=key,
            agenttoken=as_str(d.get("agenttoken")),
            channel=as_str(d.get("channel")),
            callsid=as_str(d.get("callsid")),
            caller_number=as_str(caller.get("number")),
            caller_country=as_str(caller.get("country")),
            page_url=as_str(caller.get("page_url")),
            display_identifier=as_str(caller.get("display_identifier")),
            caller_profile=as_str(d.get("callerProfile")),
            status=as_str(d.get("status")),
            end_reason=as_str(d.get("endReason")),
            duration_seconds=as_int(d.get("durationSeconds")),
            model_slug=as_str(d.get("modelSlug")),
            started_at_ms=as_int(d.get("startedAt")),
            ended_at_ms=as_int(d.get("endedAt")),
            raw=d,
        )


@dataclass(frozen=True)
class MessageDetail:
    """Message/Detail: one session's record; `metadata` is decoded and otherwise left as the server sent it."""

    guid: str | None
    status: str | None = None
    content: str | None = None
    response: str | None = None
    metadata: Mapping[str, Any] = field(default_factory=dict)
    created_at: int | None = None
    started_at: int | None = None
    ended_at: int | None = None
    raw: Mapping[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def parse(cls, data: Any) -> "MessageDetail":
        d = as_dict(data)
        return cls(
            guid=as_str(d.get("guid")),
            status=as_str(d.get("status")),
            content=as_str(d.get("content")),
            response=as_str(d.get("response")),
            metadata=as_dict(d.get("metadata")),
            created_at=as_int(d.get("createdat")),
            started_at=as_int(d.get("startedat")),
            ended_at=as_int(d.get("endedat")),
            raw=d,
        )


# -- activity log ---------------------------------------------------------------------------


@dataclass(frozen=True)
class LogEvent:
    ts: str | None
    kind: str | None
    title: str | None
    ok: bool | None = None
    error: str | None = None
    raw: Mapping[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def parse(cls, data: Any) -> "LogEvent | None":
        d = as_dict(data)
        if not d:
            return None
        return cls(
            ts=as_str(d.get("ts")),
            kind=as_str(d.get("kind")),
            title=as_str(d.get("title")),
            ok=as_bool(d.get("ok")) if "ok" in d else None,
            error=as_str(d.get("error")),
            raw=d,
        )


@dataclass(frozen=True)
class LogTail:
    date: str | None
    total_lines: int | None
    events: tuple[LogEvent, ...]
    raw: Mapping[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def parse(cls, data: Any) -> "LogTail":
        d = as_dict(data)
        items = d.get("events")
        if not isinstance(items, list):  # tolerate other list keys the docs don't promise
            items = next((d[k] for k in ("logs", "data", "list") if isinstance(d.get(k), list)), [])
        events = tuple(e for e in (LogEvent.parse(v) for v in items) if e is not None)
        return cls(date=as_str(d.get("date")), total_lines=as_int(d.get("totalLines")), events=events, raw=d)


# -- files ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class UploadedFile:
    id: str | None
    name: str | None
    url: str
    contenttype: str | None = None
    size: int | None = None
    raw: Mapping[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def parse(cls, data: Any) -> "UploadedFile | None":
        d = as_dict(data)
        url = as_str(d.get("url"))
        if not url:
            return None
        return cls(
            id=as_str(d.get("id")),
            name=as_str(d.get("name")),
            url=url,
            contenttype=as_str(d.get("contenttype")),
            size=as_int(d.get("size")),
            raw=d,
        )
