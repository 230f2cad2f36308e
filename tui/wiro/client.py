"""Async client for the parts of the Wiro API this dashboard uses.

One method per endpoint. Reads retry transient failures a bounded number of times; writes
(CredentialUpsert, CredentialFileUpload, Start, Stop, Upload) never do, because a write that timed out may
still have happened. A 429 was not processed, so every call may back off and try again after one. `Update
{guid}` carries no data (it only makes Wiro re-check setup), so it is retried like a read.

Refusals are typed by what Wiro said, since its codes mean different things on different endpoints:
an authorization message (even at HTTP 200) is an `AuthError`; `useragent-access-denied` /
`useragent-team-admin-required` (96/97, often HTTP 403) an `AccessDenied`; `useragent-not-found` (95) an
`AgentGone`; anything else at HTTP 200 with `result:false` an `ApiError` carrying the whole answer.
"""

from __future__ import annotations

import asyncio
import mimetypes
import os
import re
from pathlib import Path
from typing import Any, AsyncIterator, Awaitable, Callable

from ..common.coerce import as_int, as_list
from ..common.http import (
    NOT_JSON,
    TRANSPORT_FAILURES,
    Answer,
    RetryPolicy,
    connection_reason,
    content_type,
    error_fields,
    is_transient_status,
    json_body,
    open_session,
    retry_after,
    retrying,
    transport_failure,
)
from ..common.masking import mask
from ..common.offloop import off_loop
from ..config import DEFAULT_API_BASE  # one definition, shared with the settings
from ..connection import check_api_base
from .auth import auth_headers, usable_header_value
from .errors import (
    AccessDenied,
    AgentGone,
    ApiError,
    AuthError,
    FileUploadError,
    NotFoundError,
    ProtocolError,
    RateLimitedError,
    TransientError,
    WiroError,
)
from .models import (
    Agent,
    CallSession,
    FileUploadResult,
    LogTail,
    MessageDetail,
    TransactionPage,
    UploadedFile,
    UpsertResult,
)

HISTORY_LIMIT_CAP = 200
TRANSACTION_LIMIT_CAP = 500
#: Answers bigger than these are decoded and parsed in a thread, not on the event loop (a 5000-event log is
#: megabytes: tens of milliseconds in which no key would be answered).
OFF_LOOP_BYTES = 64 * 1024
OFF_LOOP_ITEMS = 100
#: CredentialFileUpload's default cap (the registry's `maxsize`, 10240 KB): checked here before any byte is sent
CREDENTIAL_FILE_MAX_BYTES = 10240 * 1024

#: Called after every finished call: (None) on success, (error) on failure. Drives "live"/"stale".
OutcomeListener = Callable[[WiroError | None], None]
ProgressCallback = Callable[[int, int], None]


class WiroClient:
    """The Wiro API over HTTPS. Create one per app and share it; close it with `aclose()`."""

    def __init__(
        self,
        api_key: str,
        api_secret: str | None = None,
        base_url: str = DEFAULT_API_BASE,
        *,
        timeout: float = 15.0,
        retry: RetryPolicy = RetryPolicy(),
        sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep,
        on_outcome: OutcomeListener | None = None,
    ) -> None:
        if not api_key or not api_key.strip():
            raise ValueError("A Wiro API key is required.")
        for name, value in (("API key", api_key), ("API secret", api_secret or "")):
            if not usable_header_value(value.strip()):
                # never include the value: it is a secret
                raise ValueError(f"The Wiro {name} contains characters an HTTP header cannot carry.")
        unusable = [p for p in check_api_base(base_url) if p.blocks]
        if unusable:
            raise ValueError(f"The API base URL {base_url!r} is not usable: {unusable[0].message}")
        self._api_key = api_key.strip()
        self._api_secret = api_secret.strip() if api_secret and api_secret.strip() else None
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.retry = retry
        self._sleep = sleep
        self.on_outcome = on_outcome
        # httpx (TLS that verifies) for https, the standard library's streams for the simulator on loopback
        self._http = open_session(self.base_url, headers={"user-agent": "wiro-voice-tui"}, timeout=timeout)

    def __repr__(self) -> str:
        mode = "signature" if self._api_secret else "key"
        return f"WiroClient(base_url={self.base_url!r}, api_key={mask(self._api_key)!r}, mode={mode!r})"

    @property
    def signature_mode(self) -> bool:
        return self._api_secret is not None

    async def aclose(self) -> None:
        await self._http.aclose()

    async def __aenter__(self) -> "WiroClient":
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    # -- endpoints ------------------------------------------------------------------------

    async def my_agents(self, *, page_size: int = 100, max_pages: int = 50) -> list[Agent]:
        """Every agent of the project, paging with `start` until a short page (the API gives no total)."""
        agents: list[Agent] = []
        seen: set[str] = set()
        for page in range(max_pages):
            data = await self._call("UserAgent/MyAgents", {"limit": page_size, "start": page * page_size, "sort": "id", "order": "DESC"})
            items = data.get("useragents")
            if not isinstance(items, list):
                raise ProtocolError("Wiro's MyAgents answer has no `useragents` list.", endpoint="UserAgent/MyAgents")
            fresh = [a for a in (Agent.parse(i) for i in items) if a is not None and a.guid not in seen]
            for agent in fresh:
                seen.add(agent.guid)
            agents.extend(fresh)
            # A short page ends the list; a page of only repeats means the server ignored `start`.
            if len(items) < page_size or not fresh:
                break
        return agents

    async def detail(self, guid: str) -> Agent:
        data = await self._call("UserAgent/Detail", {"guid": guid})
        items = data.get("useragents")
        if not isinstance(items, list):
            raise ProtocolError("Wiro's Detail answer has no `useragents` list.", endpoint="UserAgent/Detail")
        agent = next((a for a in (Agent.parse(i) for i in items) if a is not None), None)
        if agent is None:
            raise NotFoundError(f"Wiro has no agent {guid}.", endpoint="UserAgent/Detail")
        return agent

    async def credential_upsert(self, guid: str, fields: list[dict[str, Any]]) -> UpsertResult:
        """Save credential fields (see `tui.credential` for building them). Never retried on failure.

        A refusal of the rows (`result:false`: nothing saved, or a partial save with `applied`) comes back as
        an UpsertResult with `ok` False and the row errors; refusals of the key or the agent still raise."""
        try:
            data = await self._call("UserAgent/CredentialUpsert", {"useragentguid": guid, "fields": fields}, write=True)
        except ApiError as err:
            if not err.data:
                raise
            return UpsertResult.parse(err.data)
        return UpsertResult.parse(data)

    async def update(self, guid: str) -> Agent | None:
        """`Update {guid}`: Wiro re-checks `setuprequired` and moves a Setup-required (6) agent to Stopped (0).
        Returns the agent as Update answers it (None when the answer lists none). On a starting or running agent
        it triggers a restart: call it only for an agent that is not running."""
        data = await self._call("UserAgent/Update", {"guid": guid})
        items = as_list(data.get("useragents"))
        return next((a for a in (Agent.parse(i) for i in items) if a is not None), None)

    async def transaction_list(self, guid: str, limit: int = 50, start: int = 0) -> TransactionPage:
        """One page of the agent's credit ledger, newest first; `limit` is clamped to 1–500, the API's cap."""
        body = {"useragentguid": guid, "limit": max(1, min(TRANSACTION_LIMIT_CAP, int(limit))),
                "start": max(0, int(start))}
        return TransactionPage.parse(await self._call("UserAgent/TransactionList", body))

    async def start(self, guid: str) -> None:
        await self._call("UserAgent/Start", {"guid": guid}, write=True)

    async def stop(self, guid: str) -> None:
        await self._call("UserAgent/Stop", {"guid": guid}, write=True)

    async def call_history(self, guid: str, limit: int = 50) -> list[CallSession]:
        """Newest-first voice sessions (phone and web). `limit` is clamped to 1–200, the API's cap."""
        limit = max(1, min(HISTORY_LIMIT_CAP, int(limit)))
        data = await self._call("UserAgent/TwilioCallHistory/List", {"useragentguid": guid, "limit": limit})
        items = data.get("data")
        if not isinstance(items, list):
            raise ProtocolError("Wiro's call history answer has no `data` list.", endpoint="UserAgent/TwilioCallHistory/List")
        return await _off_loop(len(items) > OFF_LOOP_ITEMS, _parse_sessions, items)

    async def message_detail(self, *, messageguid: str | None = None, agenttoken: str | None = None) -> MessageDetail:
        if not (messageguid or agenttoken):
            raise ValueError("message_detail needs a messageguid or an agenttoken")
        body = {"messageguid": messageguid} if messageguid else {"agenttoken": agenttoken}
        data = await self._call("UserAgent/Message/Detail", body)
        if not isinstance(data.get("data"), dict):
            raise ProtocolError("Wiro's Message/Detail answer has no `data` object.", endpoint="UserAgent/Message/Detail")
        return MessageDetail.parse(data["data"])

    async def logs(self, guid: str, *, date: str | None = None, lines: int = 200) -> LogTail:
        body: dict[str, Any] = {"useragentguid": guid, "lines": max(1, min(5000, int(lines)))}
        if date:
            body["date"] = date
        data = await self._call("UserAgent/Logs", body)
        return await _off_loop(len(as_list(data.get("events"))) > OFF_LOOP_ITEMS, LogTail.parse, data)

    async def credential_file_upload(
        self,
        guid: str,
        credentialkey: str,
        fieldname: str,
        source: str | os.PathLike[str] | bytes,
        *,
        filename: str | None = None,
        progress: ProgressCallback | None = None,
        max_bytes: int = CREDENTIAL_FILE_MAX_BYTES,
        chunk_size: int = 64 * 1024,
    ) -> FileUploadResult:
        """Store a file in a `fileinput` credential field (`holdaudio`, `holdmusic`): Wiro keeps it in the
        account's uploads and writes the field itself. `progress(sent, total)` follows the bytes. A file over
        `max_bytes` (Wiro's default cap, 10 MB) is refused here, before anything is sent. Never retried."""
        endpoint = "UserAgent/CredentialFileUpload"
        payload, name = _read_source(source, filename, endpoint)
        if max_bytes and len(payload) > max_bytes:
            raise FileUploadError(
                f"{name} is {_size_text(len(payload))}; Wiro takes at most {_size_text(max_bytes)} for a hold file. "
                "Shorten it, or save it as a mono MP3 (a 60 s mono MP3 at 64 kbit/s is under 0.5 MB).",
                reason="too_large", endpoint=endpoint)
        fields = {"useragentguid": guid, "credentialkey": credentialkey, "fieldname": fieldname}
        content, headers = _multipart(fields, payload, name, progress, chunk_size)
        try:
            data = await self._call(endpoint, None, write=True, content=content, extra_headers=headers,
                                    timeout=max(self.timeout, 120.0))
        except ApiError as err:
            raise file_upload_error(err.message, name=name, fieldname=fieldname, status=err.status) from None
        return FileUploadResult.parse(data)

    async def upload(
        self,
        source: str | os.PathLike[str] | bytes,
        *,
        filename: str | None = None,
        folderid: str | None = None,
        progress: ProgressCallback | None = None,
        chunk_size: int = 64 * 1024,
    ) -> UploadedFile:
        """Upload a file (multipart) and return where Wiro stored it. `progress(sent, total)` follows the bytes."""
        payload, name = _read_source(source, filename, "File/Upload")
        content, headers = _multipart({"folderid": folderid} if folderid else {}, payload, name, progress, chunk_size)
        data = await self._call("File/Upload", None, write=True, content=content, extra_headers=headers,
                                timeout=max(self.timeout, 120.0))
        files = [f for f in (UploadedFile.parse(i) for i in as_list(data.get("list"))) if f is not None]
        if not files:
            raise ProtocolError("Wiro's upload answer lists no file URL.", endpoint="File/Upload")
        return files[0]

    # -- transport --------------------------------------------------------------------------

    async def _call(
        self,
        endpoint: str,
        body: dict[str, Any] | None,
        *,
        write: bool = False,
        content: Callable[[], AsyncIterator[bytes]] | None = None,
        extra_headers: dict[str, str] | None = None,
        timeout: float | None = None,
    ) -> dict[str, Any]:
        try:
            # a 429 was not processed, so even a write may go again; a write that timed out may have happened
            data = await retrying(lambda: self._once(endpoint, body, content, extra_headers, timeout), self.retry,
                                  self._sleep, retry_transient=not write)
        except WiroError as err:
            self._report(err)
            raise
        self._report(None)
        return data

    def _report(self, error: WiroError | None) -> None:
        if self.on_outcome is not None:
            self.on_outcome(error)

    async def _once(self, endpoint, body, content, extra_headers, timeout) -> dict[str, Any]:
        headers = auth_headers(self._api_key, self._api_secret)
        if extra_headers:
            headers.update(extra_headers)
        kwargs: dict[str, Any] = {"headers": headers, "timeout": timeout}
        if content is not None:
            kwargs["content"] = content()
        else:
            kwargs["json"] = body or {}
        where = f"Wiro ({self.base_url})"
        try:
            response = await self._http.request("POST", endpoint, **kwargs)
        except TRANSPORT_FAILURES as exc:
            raise _transport_error(exc, where, self.base_url, endpoint) from None
        if len(response.content) > OFF_LOOP_BYTES:  # decoding a big answer would hold up every key press
            return await off_loop(_read_envelope, response, endpoint, where)
        return _read_envelope(response, endpoint, where)


async def _off_loop(big: bool, parse: Callable[..., Any], *args: Any) -> Any:
    """`parse(*args)`, in a thread when the answer is big (the event loop keeps answering keys meanwhile)."""
    return await off_loop(parse, *args) if big else parse(*args)


def _parse_sessions(items: list[Any]) -> list[CallSession]:
    return [s for s in (CallSession.parse(i) for i in items) if s is not None]


def _transport_error(exc: BaseException, where: str, base_url: str, endpoint: str) -> WiroError:
    kind = transport_failure(exc)
    if kind == "timeout":
        return TransientError(f"{where} did not answer {endpoint} in time.", kind="timeout", endpoint=endpoint)
    if kind == "unsendable":  # a library's own text would quote the header, i.e. the key
        return WiroError("The request could not be sent: a header value (the API key?) is malformed.", endpoint=endpoint)
    if kind == "unusable":
        return WiroError(f"The API base URL {base_url} is not usable; it should look like https://api.wiro.ai/v1.",
                         endpoint=endpoint)
    return TransientError(f"Could not reach {where}: {connection_reason(exc)}", kind="connection", endpoint=endpoint)


def _chunks(data: bytes, size: int) -> list[bytes]:
    return [data[i : i + size] for i in range(0, len(data), size)] or [b""]


def _read_source(source: str | os.PathLike[str] | bytes, filename: str | None, endpoint: str) -> tuple[bytes, str]:
    if isinstance(source, bytes):
        return source, filename or "upload.bin"
    path = Path(source)
    try:
        return path.read_bytes(), filename or path.name
    except OSError as exc:
        raise WiroError(f"Cannot read {path}: {exc.strerror or exc}.", endpoint=endpoint) from None


def _multipart(fields: dict[str, str], payload: bytes, name: str, progress: ProgressCallback | None,
               chunk_size: int) -> tuple[Callable[[], AsyncIterator[bytes]], dict[str, str]]:
    """A multipart/form-data body (text fields, then `file`) streamed in chunks, and its headers."""
    ctype = mimetypes.guess_type(name)[0] or "application/octet-stream"
    if ctype == "audio/x-wav":
        ctype = "audio/wav"
    boundary = "wiro-voice-" + os.urandom(12).hex()  # (secrets.token_hex, without loading hashlib)
    safe_name = name.replace('"', "'").replace("\r", " ").replace("\n", " ")
    head = b""
    for key, value in fields.items():
        head += f'--{boundary}\r\nContent-Disposition: form-data; name="{key}"\r\n\r\n{value}\r\n'.encode()
    head += (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{safe_name}"\r\n'
        f"Content-Type: {ctype}\r\n\r\n"
    ).encode()
    tail = f"\r\n--{boundary}--\r\n".encode()
    total = len(head) + len(payload) + len(tail)

    async def body() -> AsyncIterator[bytes]:
        sent = 0
        for piece in _chunks(head + payload + tail, chunk_size):
            yield piece
            sent += len(piece)
            if progress is not None:
                progress(sent, total)

    return body, {"content-type": f"multipart/form-data; boundary={boundary}", "content-length": str(total)}


def _size_text(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB" if size >= 1024 * 1024 else f"{max(1, size // 1024)} KB"


# CredentialFileUpload's documented refusals, by a lower-case fragment of the message
_UPLOAD_REFUSALS: tuple[tuple[str, str], ...] = (
    ("file required", "missing"),
    ("unknown credential", "unknown_credential"),
    ("unknown field", "unknown_field"),
    ("not a fileinput", "not_fileinput"),
    ("invalid file type", "type"),
    ("file too large", "too_large"),
    ("could not resolve upload folder", "transient"),
    ("upload failed", "transient"),
)


def file_upload_error(message: str, *, name: str, fieldname: str, status: int | None = None) -> FileUploadError:
    """CredentialFileUpload's refusal in the user's words, with what to do."""
    lowered = message.lower()
    reason = next((r for fragment, r in _UPLOAD_REFUSALS if fragment in lowered), "")
    said = f" (Wiro: {message.strip()})"
    if reason == "missing":
        text = f"Wiro received no file for {fieldname}: the upload of {name} arrived empty or cut off. Save again."
    elif reason == "unknown_credential":
        text = (f"This agent has no twilio-voice credential to store {name} in: is it a voice agent with the "
                f"Twilio channel enabled?{said}")
    elif reason == "unknown_field":
        text = f"This agent's twilio-voice credential has no field {fieldname}, so {name} has nowhere to go.{said}"
    elif reason == "not_fileinput":
        text = f"Wiro does not take a file for {fieldname} on this agent (it is not a file field).{said}"
    elif reason == "type":
        allowed = message.split(":", 1)[1].strip() if ":" in message else "MP3 or WAV"
        text = f"Wiro refused the type of {name}: it takes {allowed}. Convert it to MP3 or WAV and save again."
    elif reason == "too_large":
        match = re.search(r"(\d+)\s*kb", lowered)
        cap = f" (at most {_size_text(int(match.group(1)) * 1024)})" if match else ""
        text = f"{name} is too large for Wiro{cap}: shorten it or save it as a mono MP3, then save again."
    elif reason == "transient":
        text = f"Wiro could not store {name} just now{said}. Nothing else was changed; save again in a moment."
    else:
        text = f"Wiro refused {name} for {fieldname}: {message.strip()}"
    return FileUploadError(text, reason=reason, endpoint="UserAgent/CredentialFileUpload", status=status)


def _server_message(response: Answer, data: Any = None) -> tuple[str | None, int | None]:
    """The first error message and code in a Wiro envelope, if the body is one (`data`: the body already parsed)."""
    data = error_fields(response) if data is None else data
    if not isinstance(data, dict):
        return None, None
    for item in as_list(data.get("errors")):
        if isinstance(item, dict) and isinstance(item.get("message"), str):
            return item["message"], as_int(item.get("code"))
        if isinstance(item, str):
            return item, None
    if isinstance(data.get("message"), str):
        return data["message"], None
    return None, None


_AUTH_FRAGMENTS = ("project authorization", "signature authentication", "x-signature", "requested ip",
                   "bearer token", "api key is not valid", "invalid api key")
_TEAM_ADMIN = ("useragent-team-admin-required", "only a team admin", "team-admin")
_ACCESS_DENIED = ("useragent-access-denied", "access denied", "access-denied")
_WORKSPACE = ("switch to the team context", "switch to personal context", "belongs to a different team")
_GONE = ("useragent-not-found", "user agent not found")


def refusal_error(message: str | None, code: int | None, *, status: int, endpoint: str,
                  data: dict[str, Any] | None = None) -> WiroError:
    """The typed error for a refusal Wiro explained (HTTP 200 `result:false`, or a 4xx with an envelope).

    Branches on the message first: the same code means different things on model runs and agent endpoints."""
    text = (message or "").strip()
    lowered = text.lower()
    said = f" (Wiro: {text})" if text else ""
    if any(f in lowered for f in _AUTH_FRAGMENTS) or code == 98 or (code == 99 and "token" in lowered):
        return AuthError(text or "Wiro refused the API key.", endpoint=endpoint, status=status)
    if code == 95 or any(f in lowered for f in _GONE):
        return AgentGone(
            "Wiro has no such agent: it was deleted, or the guid is wrong" + said + ". `wiro-voice agents` lists "
            "the agents this API key can see; pick one with --agent (or on the Overview, a).",
            code=code, endpoint=endpoint, status=status)
    credits_like = any(w in lowered for w in ("credit", "balance", "concurren", "subscription"))
    if any(f in lowered for f in _TEAM_ADMIN) or (code == 97 and not credits_like and (status == 403 or not text)):
        return AccessDenied(
            "Wiro refused: this API key's project is a member of the agent's team but not a team admin, and only the "
            "owner or a team admin may do this" + said + ". The key itself is fine: use the key of the owner's or a "
            "team admin's project.", code=code, reason="team-admin-required", endpoint=endpoint, status=status)
    if any(f in lowered for f in _ACCESS_DENIED) or (code == 96 and not credits_like and (status == 403 or not text)):
        return AccessDenied(
            "Wiro refused access to this agent: this API key's project is not the agent's owner (nor, for a team "
            "agent, a team admin)" + said + ". The key itself is fine: use the key of the project that owns the "
            "agent (a team agent needs a key of that team's project).",
            code=code, reason="access-denied", endpoint=endpoint, status=status)
    if any(f in lowered for f in _WORKSPACE):
        return AccessDenied(
            "Wiro refused: the agent is in another workspace than this API key's project" + said + ". Use a key of "
            "the project in the agent's workspace (a team agent needs the team project's key).",
            code=code, reason="workspace", endpoint=endpoint, status=status)
    if status in (401, 403):
        return AuthError(text or f"Wiro refused the API key (HTTP {status}).", endpoint=endpoint, status=status)
    if code == 1:
        return NotFoundError(text or "Not found.", endpoint=endpoint, status=status)
    return ApiError(text or f"Wiro refused {endpoint} without saying why.", code=code, endpoint=endpoint,
                    status=status, data=data)


def _read_envelope(response: Answer, endpoint: str, where: str) -> dict[str, Any]:
    status = response.status_code
    body = json_body(response)  # parsed once: an answer can be megabytes (5000 log events)
    message, code = _server_message(response, body)
    if status == 401 or status == 403:
        raise refusal_error(message or f"{where} refused the API key (HTTP {status}).", code,
                            status=status, endpoint=endpoint)
    if status == 404:
        detail = f" ({message.rstrip('.')})" if message else ""
        raise NotFoundError(
            f"{where} does not know {endpoint}{detail}. Check the API base URL (it ends in /v1).",
            endpoint=endpoint,
            status=404,
        )
    if status == 429:
        raise RateLimitedError(
            f"{where} is rate limiting requests (429); slow down and try again.",
            retry_after=retry_after(response),
            endpoint=endpoint,
        )
    if is_transient_status(status):
        raise TransientError(f"{where} had a server error ({status}) on {endpoint}.", kind="server", endpoint=endpoint, status=status)
    if status >= 400:
        if message and (code in (95, 96, 97) or any(f in message.lower() for f in (*_GONE, *_ACCESS_DENIED, *_TEAM_ADMIN))):
            raise refusal_error(message, code, status=status, endpoint=endpoint)
        raise ApiError(message or f"{where} rejected {endpoint} (HTTP {status}).", code=code, endpoint=endpoint, status=status)
    data = body
    if data is NOT_JSON:
        raise ProtocolError(
            f"{where} answered {endpoint} with something that is not JSON ({content_type(response)}). Is the API "
            "base URL right?",
            endpoint=endpoint,
            status=status,
        )
    if not isinstance(data, dict):
        raise ProtocolError(f"{where} answered {endpoint} with JSON that is not an object.", endpoint=endpoint, status=status)
    result = data.get("result")
    if result is True:
        return data
    if result is False:
        raise refusal_error(message, code, status=status, endpoint=endpoint, data=data)
    raise ProtocolError(f"{where} answered {endpoint} without a `result` field.", endpoint=endpoint, status=status)
