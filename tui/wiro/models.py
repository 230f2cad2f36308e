"""Tolerant models of Wiro's answers.

The API documents some shapes loosely and leaves others open, so every parser here accepts missing,
extra, null and wrongly typed fields without raising. Each model keeps the raw dict (with secrets
masked) for generic display of keys this code does not know.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any, Mapping

from ..common.coerce import (
    as_bool,
    as_dict,
    as_float,
    as_int,
    as_list,
    as_str,
    epoch_ms,
    epoch_seconds,
    str_list,
)

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


# -- the twilio-voice credential ----------------------------------------------------------


@dataclass(frozen=True)
class TwilioVoiceCredential:
    """The `twilio-voice` credential as Detail returns it. The auth token is never kept: only whether Wiro holds
    one (`authtoken_set`), decided as `token_on_server` explains."""

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
    #: Wiro's `_required_missing` (the card needs attention); None when the answer has no such flag (older)
    required_missing: bool | None = None
    #: True when Detail did not say whether a token is stored (no token field, no telling flags): the token
    #: is then assumed kept, so nobody is made to type one Wiro may have
    authtoken_unknown: bool = False
    raw: Mapping[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def parse(cls, data: Any, *, setuprequired: bool | None = None, status: int | None = None) -> "TwilioVoiceCredential":
        """The credential from its Detail object. `setuprequired`/`status` are the agent's, used only to tell
        whether a token is stored when Detail leaves `authtoken` out or empty (see `token_on_server`)."""
        d = as_dict(data)
        raw = dict(d)
        if "authtoken" in raw and raw["authtoken"] not in (None, ""):
            raw["authtoken"] = AUTH_TOKEN_MASK  # whatever came back, never hold it
        accountsid = as_str(d.get("accountsid"))
        numbers = str_list(d.get("phonenumbers"))
        required_missing = as_bool(d.get("_required_missing")) if "_required_missing" in d else None
        token_set, unknown = token_on_server(d.get("authtoken"), required_missing=required_missing,
                                             setuprequired=setuprequired, status=status,
                                             sid_present=bool(accountsid and accountsid.strip()),
                                             numbers_present=bool(numbers))
        return cls(
            accountsid=accountsid,
            authtoken_set=token_set,
            phonenumbers=numbers,
            maxcallseconds=as_int(d.get("maxcallseconds")),
            whitelistedcallers=str_list(d.get("whitelistedcallers")),
            holdstrategy=as_str(d.get("holdstrategy")),
            holdtext=as_str(d.get("holdtext")),
            holdvoice=as_str(d.get("holdvoice")),
            holdaudio=as_str(d.get("holdaudio")),
            holdmusic=as_str(d.get("holdmusic")),
            connected=bool(as_bool(d.get("_connected"))),
            required_missing=required_missing,
            authtoken_unknown=unknown,
            raw=raw,
        )

    @property
    def is_empty(self) -> bool:
        return not (self.accountsid or self.authtoken_set or self.phonenumbers)


def token_on_server(value: Any, *, required_missing: bool | None, setuprequired: bool | None, status: int | None,
                    sid_present: bool, numbers_present: bool) -> tuple[bool, bool]:
    """(Wiro holds an Auth Token, that is only assumed) from Detail's `authtoken` and the flags around it.

    The docs disagree on what Detail shows for the token (the mask `***encrypted***`, or nothing: password
    fields are "never returned"), so the value alone cannot say. In order:
    a non-empty value (the mask) → held; `_required_missing: false` → the card is complete, so the required
    token is held; `_required_missing: true` with the SID and numbers present → the token is what is missing,
    and with neither → a fresh credential, nothing held; an older answer without the flag → held when the agent
    needs no setup and has its SID and numbers. What cannot be told (the flag is true and only one of the SID
    and the numbers is there) is taken as held: the user is never forced to retype a token Wiro may have, and
    a save without one leaves the agent in setup, which the save reports."""
    text = as_str(value)
    if text is not None and text.strip():
        return True, False
    if required_missing is False:
        return True, False
    if required_missing is True:
        if sid_present == numbers_present:
            return False, False
        return True, True
    needs_setup = setuprequired is True or status == 6
    known = setuprequired is not None or status is not None
    return (not needs_setup and known and sid_present and numbers_present), False


# -- agents -------------------------------------------------------------------------------

TWILIO_VOICE = "twilio-voice"
#: credential field names whose values are secrets: masked in every `raw` this module keeps
_SECRET_FIELDS = re.compile(r"(token|secret|password|apikey|api_key|private)", re.IGNORECASE)


def _masked_credentials(creds: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in creds.items():
        if isinstance(value, dict):
            out[key] = {name: (AUTH_TOKEN_MASK if _SECRET_FIELDS.search(str(name)) and item not in (None, "") else item)
                        for name, item in value.items()}
        else:
            out[key] = value
    return out


def credentials_of(d: Mapping[str, Any]) -> tuple[dict[str, Any], str | None]:
    """The useragent's credentials object and where it was found: top-level `credentials` (newest docs) or
    `configuration.credentials` (older docs); ({}, None) when neither holds an object."""
    top = d.get("credentials")
    if isinstance(top, dict):
        return top, "credentials"
    older = as_dict(d.get("configuration")).get("credentials")
    if isinstance(older, dict):
        return older, "configuration.credentials"
    return {}, None


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
    #: credential keys whose card says `_required_missing: true` (e.g. "twilio-voice", "wiro")
    credentials_missing: tuple[str, ...] = ()
    remaining_credits: int | None = None
    subscription_status: str | None = None
    queued_at: int | None = None
    stopping_at: int | None = None
    running_at: int | None = None
    raw: Mapping[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def parse(cls, data: Any) -> "Agent | None":
        """An Agent, or None when the item has no guid (it cannot be addressed, so it is useless)."""
        d = as_dict(data)
        guid = as_str(d.get("guid"))
        if not guid:
            return None
        template = as_dict(d.get("agent"))
        status = as_int(d.get("status"))
        setup = as_bool(d.get("setuprequired"))
        creds, where = credentials_of(d)
        credential = (TwilioVoiceCredential.parse(creds[TWILIO_VOICE], setuprequired=setup, status=status)
                      if isinstance(creds.get(TWILIO_VOICE), dict) else None)
        missing = tuple(str(k) for k, v in creds.items() if isinstance(v, dict) and as_bool(v.get("_required_missing")))
        raw = dict(d)
        if where == "credentials":
            raw["credentials"] = _masked_credentials(creds)
        elif where is not None:
            raw["configuration"] = {**as_dict(d.get("configuration")), "credentials": _masked_credentials(creds)}
        queued, stopping = epoch_seconds(d.get("queuedat")), epoch_seconds(d.get("stoppingat"))
        # Newest docs name no restart flag: a restart shows as Stopping with `queuedat` set at the same instant
        # as `stoppingat` (a plain Stop leaves an older `queuedat`). Older answers said `restartafter: true`.
        restarting = bool(as_bool(d.get("restartafter"))) or (
            status == 1 and queued is not None and stopping is not None and queued >= stopping)
        return cls(
            guid=guid,
            title=as_str(d.get("title")) or as_str(template.get("title")) or guid,
            status=status,
            setuprequired=bool(setup),
            template_title=as_str(template.get("title")),
            template_slug=as_str(template.get("slug")),
            restarting=restarting,
            credential=credential,
            credentials_missing=missing,
            remaining_credits=as_int(d.get("remainingcredits")),
            subscription_status=as_str(as_dict(d.get("subscription")).get("status")),
            queued_at=queued,
            stopping_at=stopping,
            running_at=epoch_seconds(d.get("runningat")),
            raw=raw,
        )

    @property
    def status_name(self) -> str:
        return status_name(self.status)

    @property
    def needs_setup(self) -> bool:
        return self.status == 6 or self.setuprequired

    @property
    def running(self) -> bool:
        """Starting or running (3/4): a credential change restarts it by itself."""
        return self.status in (3, 4)


# -- CredentialUpsert ---------------------------------------------------------------------

_NUMBER_KEYS = ("number", "phonenumber", "phoneNumber", "phone_number")
_TEXT_KEYS = ("reason", "error", "message")


_NUMBER_TEXT = re.compile(r"^\s*(?P<number>\+?\d[\d ()./-]{4,}\d)\s*(?:[:,;=—–-]\s*(?P<text>.*\S))?\s*$", re.DOTALL)


@dataclass(frozen=True)
class WebhookItem:
    """One element of a webhook list. `number` is None when the shape was not recognised; `text` then says what
    came. Strings are a number ("+14155550142"), a number with a reason ("+14155550142: no matching …"), or
    text alone; objects carry `phoneNumber` (newest docs) or another spelling, and `error`/`reason`."""

    number: str | None
    text: str | None = None

    @classmethod
    def parse(cls, value: Any) -> "WebhookItem":
        if isinstance(value, str):
            match = _NUMBER_TEXT.match(value)
            if match:
                return cls(number=match["number"].strip(), text=match["text"])
            return cls(number=None, text=value.strip() or "(empty)")
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


def _items(value: Any) -> tuple[WebhookItem, ...]:
    """A list's elements; a lone string or object is taken as a one-element list."""
    if value is None or value == "" or value == []:
        return ()
    if isinstance(value, (str, dict)):
        return (WebhookItem.parse(value),)
    return tuple(WebhookItem.parse(v) for v in as_list(value))


@dataclass(frozen=True)
class RowError:
    """One entry of CredentialUpsert's `errors`: Wiro's message and code, plus any field or row it named."""

    message: str
    code: int | None = None
    fieldname: str | None = None
    row: int | None = None


def _row_errors(value: Any) -> tuple[RowError, ...]:
    out = []
    for item in as_list(value):
        if isinstance(item, str) and item.strip():
            out.append(RowError(item.strip()))
        elif isinstance(item, dict):
            message = as_str(item.get("message")) or as_str(item.get("error")) or ""
            fieldname = next((as_str(item[k]) for k in ("fieldname", "field", "name") if as_str(item.get(k))), None)
            row = next((as_int(item[k]) for k in ("row", "index") if as_int(item.get(k)) is not None), None)
            if message or fieldname:
                out.append(RowError(message or "refused", as_int(item.get("code")), fieldname, row))
    return tuple(out)


_WEBHOOK_KEYS = ("twilioWebhooksUpdated", "twilioWebhookSkipped", "twilioWebhooksFailed", "twilioWebhookError")


@dataclass(frozen=True)
class UpsertResult:
    """CredentialUpsert's answer: whether every row was saved, how many were (`applied`), the row errors, and
    what Wiro said about the webhooks.

    Newest docs: rows are validated first, and any invalid row rejects the request (`result:false`, no
    `applied`, nothing saved); a failure after validation leaves the others saved (`result:false` with
    `applied`). Older docs: invalid rows were skipped and the rest written (`result:true` with errors).
    Webhooks: `twilioWebhookSkipped` is one reason string (newest) sent instead of the updated list, or a list
    of numbers (older); `twilioWebhooksFailed` is `{phoneNumber, error}` objects (newest) or numbers (older);
    `twilioWebhookError` means no number was configured this round."""

    updated: tuple[WebhookItem, ...] = ()
    skipped: tuple[WebhookItem, ...] = ()
    failed: tuple[WebhookItem, ...] = ()
    error: str | None = None
    ok: bool = True
    applied: int | None = None
    errors: tuple[RowError, ...] = ()
    #: the reason the webhook step was skipped as a whole (the newest single string), else None
    skipped_reason: str | None = None
    #: False when the answer carried none of the four webhook fields
    reported: bool = True
    raw: Mapping[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def parse(cls, data: Any) -> "UpsertResult":
        d = as_dict(data)
        error = d.get("twilioWebhookError")
        skipped_value = d.get("twilioWebhookSkipped")
        reason = None
        skipped: tuple[WebhookItem, ...] = ()
        if isinstance(skipped_value, str):
            item = WebhookItem.parse(skipped_value)
            if item.number is None:
                reason = item.text  # the newest shape: one reason for the whole step
            else:
                skipped = (item,)
        else:
            skipped = _items(skipped_value)
        return cls(
            updated=_items(d.get("twilioWebhooksUpdated")),
            skipped=skipped,
            failed=_items(d.get("twilioWebhooksFailed")),
            error=None if error in (None, "") else _text(error),
            ok=d.get("result") is not False,
            applied=as_int(d.get("applied")),
            errors=_row_errors(d.get("errors")),
            skipped_reason=reason,
            reported=any(k in d for k in _WEBHOOK_KEYS),
            raw=d,
        )

    @property
    def saved_anything(self) -> bool:
        """True when at least some rows were written: a success, a newest post-validation failure (`applied`
        present), or an older partial write (result false, no `applied`, but the webhook step ran — which only
        happens once rows were saved). A newest all-or-nothing rejection has neither."""
        if self.ok:
            return True
        if self.applied is not None:
            return self.applied > 0
        return self.reported

    @property
    def complete(self) -> bool:
        """Every row saved: `result:true` and no row errors."""
        return self.ok and not self.errors

    @property
    def webhook_problems(self) -> bool:
        return bool(self.error or self.skipped or self.skipped_reason or self.failed)


@dataclass(frozen=True)
class FileUploadResult:
    """CredentialFileUpload's answer: the field it wrote and the URL Wiro serves the file at now (recomposed on
    every read, so never an identity and never to be written back)."""

    url: str | None
    credentialkey: str | None = None
    fieldname: str | None = None
    raw: Mapping[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def parse(cls, data: Any) -> "FileUploadResult":
        d = as_dict(data)
        return cls(url=as_str(d.get("url")), credentialkey=as_str(d.get("credentialkey")),
                   fieldname=as_str(d.get("fieldname")), raw=d)


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
            started_at_ms=epoch_ms(d.get("startedAt")),
            ended_at_ms=epoch_ms(d.get("endedAt")),
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
            created_at=epoch_seconds(d.get("createdat")),
            started_at=epoch_seconds(d.get("startedat")),
            ended_at=epoch_seconds(d.get("endedat")),
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


# -- credit ledger ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Transaction:
    """One row of TransactionList. `amount` is signed credits; `created_at` epoch seconds. `type` and `action`
    are kept as sent: legacy values (`message`, `create`, `cancel`, `realtime`) are tolerated, not mapped."""

    guid: str | None
    type: str | None
    action: str | None = None
    amount: float | None = None
    balance_after: float | None = None
    description: str | None = None
    messageguid: str | None = None
    model: str | None = None
    tokencost: float | None = None
    created_at: int | None = None
    raw: Mapping[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def parse(cls, data: Any) -> "Transaction | None":
        d = as_dict(data)
        if not d:
            return None
        return cls(
            guid=as_str(d.get("guid")),
            type=as_str(d.get("type")),
            action=as_str(d.get("action")),
            amount=as_float(d.get("amount")),
            balance_after=as_float(d.get("balanceafter")),
            description=as_str(d.get("description")),
            messageguid=as_str(d.get("messageguid")),
            model=as_str(d.get("model")),
            tokencost=as_float(d.get("tokencost")),
            created_at=epoch_seconds(d.get("createdat")),
            raw=d,
        )


@dataclass(frozen=True)
class TransactionPage:
    """One page of TransactionList, newest first, with `total` (for paging) and the period's `summary`."""

    total: int | None
    transactions: tuple[Transaction, ...]
    remaining_credits: int | None = None
    summary: Mapping[str, Any] = field(default_factory=dict)
    raw: Mapping[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def parse(cls, data: Any) -> "TransactionPage":
        d = as_dict(data)
        summary = as_dict(d.get("summary"))
        rows = tuple(t for t in (Transaction.parse(v) for v in as_list(d.get("transactions"))) if t is not None)
        return cls(total=as_int(d.get("total")), transactions=rows,
                   remaining_credits=as_int(summary.get("remainingcredits")), summary=summary, raw=d)
