"""Async client for the Twilio REST API (2010-04-01): the account, its incoming numbers, TwiML Apps, the call log.

Read-only: every request is a GET, so transient failures are retried a bounded number of times. Twilio
limits *concurrent* requests per account (429/20429), so at most `max_in_flight` (5) requests are on the
wire at once, and a 429 is backed off exponentially, honouring Retry-After. Errors are typed by HTTP
status + Twilio code. Credentials travel only in the Basic-auth header and never appear in a message.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterable
from datetime import date
from typing import Any, Self
from urllib.parse import urlsplit

from ..common.coerce import as_int
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
from ..config import DEFAULT_TWILIO_BASE
from .errors import (
    ApiError,
    ForbiddenError,
    NotFoundError,
    ProtocolError,
    RateLimitedError,
    RejectedError,
    TransientError,
    TwilioError,
)
from .models import IncomingNumber, TwilioAccount, TwiMLApp

API_VERSION = "2010-04-01"
MAX_IN_FLIGHT = 5  # Twilio's advice for concurrency; the simulator refuses the sixth
MAX_PAGE_SIZE = 1000
DEFAULT_RETRY = RetryPolicy()

REJECTED_MESSAGE = (
    "Twilio rejected the Account SID / Auth Token pair (401, code 20003): either the token is not this account's "
    "Live Auth Token (an old token after a rotation, a test-credentials or subaccount token, an API Key Secret), or "
    "the Twilio account itself is suspended or closed, which Twilio refuses the same way. Check the account's status "
    "in the Twilio Console, then copy the Live Auth Token from its Live credentials section."
)
SUSPENDED_MESSAGE = (
    "Twilio refused this account's own Account SID and Auth Token (403{code}): the Twilio account is suspended or "
    "closed (or the token is wrong). Check the account's status in the Twilio Console (Billing); a suspended account "
    "routes no calls."
)
KEY_REJECTED_MESSAGE = (
    "Twilio rejected the API Key SID / secret (401, code 20003): check the key belongs to this account and the secret "
    "is the one shown when the key was made."
)


def check_twilio_base(url: str) -> str | None:
    """Why `url` cannot be a Twilio API base, or None when it can (http(s) with a host)."""
    try:
        parts = urlsplit(url.strip())
        parts.port  # noqa: B018 -- reading it validates the port
    except ValueError:
        return f"The Twilio API base {url!r} is not a usable URL; normally it is https://api.twilio.com."
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return f"The Twilio API base {url!r} must start with https:// (normally https://api.twilio.com)."
    return None


class TwilioClient:
    """Twilio's REST API for one account. With `key_sid`, authenticates as that API key (SK…) instead."""

    def __init__(
        self,
        account_sid: str,
        secret: str,
        base_url: str = DEFAULT_TWILIO_BASE,
        *,
        key_sid: str | None = None,
        timeout: float = 15.0,
        retry: RetryPolicy = DEFAULT_RETRY,
        sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep,
        max_in_flight: int = MAX_IN_FLIGHT,
    ) -> None:
        # Pasted values often carry a space or a line break; Twilio refuses them with a confusing 401.
        self.account_sid = (account_sid or "").strip()
        self._secret = (secret or "").strip()
        self.key_sid = key_sid.strip() if key_sid and key_sid.strip() else None
        if not self.account_sid:
            raise ValueError("A Twilio Account SID is required.")
        if not self._secret:
            raise ValueError("A Twilio Auth Token (or API key secret) is required.")
        problem = check_twilio_base(base_url)
        if problem:
            raise ValueError(problem)
        self.base_url = base_url.strip().rstrip("/")
        self.retry = retry
        self._sleep = sleep
        self._slots = asyncio.Semaphore(max(1, max_in_flight))
        # httpx (TLS that verifies) for https, the standard library's streams for the simulator on loopback; neither
        # follows a redirect, which could carry the credentials to another host
        self._http = open_session(self.base_url, headers={"user-agent": "wiro-voice-tui", "accept": "application/json"},
                                  timeout=timeout, auth=(self.key_sid or self.account_sid, self._secret))

    def __repr__(self) -> str:
        who = f"key_sid={self.key_sid!r}" if self.key_sid else "auth=token"
        return f"TwilioClient(base_url={self.base_url!r}, account_sid={self.account_sid!r}, {who}, secret={mask(self._secret)!r})"

    async def aclose(self) -> None:
        await self._http.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    # -- resources ------------------------------------------------------------------------------

    @property
    def _account_path(self) -> str:
        return f"/{API_VERSION}/Accounts/{self.account_sid}"

    async def account(self) -> TwilioAccount:
        """The account (friendly name, Trial/Full, status). The body's auth_token is dropped unread."""
        data = await self._get(f"{self._account_path}.json")
        return TwilioAccount.parse(data, self.account_sid)

    async def numbers(self, *, phone_number: str | None = None, page_size: int = MAX_PAGE_SIZE,
                      max_pages: int = 100) -> list[IncomingNumber]:
        """Every incoming number (optionally filtered by `PhoneNumber`), following `next_page_uri`."""
        params: dict[str, Any] = {"PageSize": max(1, min(MAX_PAGE_SIZE, int(page_size)))}
        if phone_number:
            params["PhoneNumber"] = phone_number.strip()  # sent as %2B, as Twilio needs
        items = await self._every_page(f"{self._account_path}/IncomingPhoneNumbers.json", params,
                                       "incoming_phone_numbers", "number list", max_pages)
        return [n for n in (IncomingNumber.parse(i) for i in items) if n is not None]

    async def calls(self, *, to: str | None = None, started_since: date | None = None,
                    page_size: int = MAX_PAGE_SIZE, max_pages: int = 100) -> list[dict[str, Any]]:
        """The call log (newest first), optionally only calls to `to` that started on or after the day
        `started_since` (UTC), following `next_page_uri`. Calls come as Twilio sent them (the history reads
        them with its own tolerant parser)."""
        params: dict[str, Any] = {"PageSize": max(1, min(MAX_PAGE_SIZE, int(page_size)))}
        if to:
            params["To"] = to.strip()
        if started_since is not None:
            params["StartTime>"] = started_since.isoformat()  # sent as StartTime%3E=…, i.e. StartTime>=…
        return await self._every_page(f"{self._account_path}/Calls.json", params, "calls", "call log", max_pages)

    async def call_log(self, numbers: Iterable[str], *, started_since: date | None = None,
                       max_pages: int = 100) -> list[dict[str, Any]]:
        """The calls to each of `numbers`, fetched side by side (at most `max_in_flight` requests on the wire)."""
        wanted = list(dict.fromkeys(n.strip() for n in numbers if n and n.strip()))
        pages = await asyncio.gather(*(self.calls(to=n, started_since=started_since, max_pages=max_pages)
                                       for n in wanted))
        return [call for page in pages for call in page]

    async def first_number_page(self) -> list[IncomingNumber]:
        """One number at most (`PageSize=1`): the cheapest request an API key can make to prove it works."""
        data = await self._get(f"{self._account_path}/IncomingPhoneNumbers.json", {"PageSize": 1})
        if not isinstance(data.get("incoming_phone_numbers"), list):
            raise ProtocolError("Twilio's number list has no `incoming_phone_numbers`. Is the Twilio API base right?")
        return [n for n in (IncomingNumber.parse(i) for i in data["incoming_phone_numbers"]) if n is not None]

    async def find_number(self, e164: str) -> IncomingNumber | None:
        """The number whose `phone_number` equals `e164` exactly (Twilio's filter is partial), or None."""
        wanted = e164.strip()
        for number in await self.numbers(phone_number=wanted, page_size=50):
            if number.phone_number == wanted:
                return number
        return None

    async def application(self, app_sid: str) -> TwiMLApp | None:
        """The TwiML App, or None when this account has no such app (404/20404)."""
        try:
            data = await self._get(f"{self._account_path}/Applications/{app_sid.strip()}.json")
        except NotFoundError:
            return None
        return TwiMLApp.parse(data, app_sid)

    # -- transport --------------------------------------------------------------------------------

    async def _every_page(self, target: str, params: dict[str, Any] | None, key: str, what: str,
                          max_pages: int) -> list[dict[str, Any]]:
        """The items under `key` of every page of a list: follow the relative `next_page_uri` until it is null,
        never building page tokens, and stop should a server send the same page link twice."""
        found: list[dict[str, Any]] = []
        seen_pages: set[str] = set()
        for _ in range(max(1, max_pages)):
            data = await self._get(target, params)
            items = data.get(key)
            if not isinstance(items, list):
                raise ProtocolError(f"Twilio's {what} has no `{key}`. Is the Twilio API base right?", path=target)
            found.extend(i for i in items if isinstance(i, dict))
            nxt = data.get("next_page_uri")
            if not isinstance(nxt, str) or not nxt.strip() or nxt.strip() in seen_pages:
                break
            target = nxt.strip()
            seen_pages.add(target)
            params = None  # next_page_uri carries every parameter
        return found

    def _url(self, target: str) -> str:
        if target.startswith(("http://", "https://")):
            # Only follow absolute page links back to the same API: never send the credentials elsewhere.
            if not target.startswith(self.base_url + "/"):
                raise ProtocolError("Twilio's next page points at another host; refusing to send credentials there.")
            return target
        return self.base_url + ("" if target.startswith("/") else "/") + target

    async def _get(self, target: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
        async def once() -> dict[str, Any]:
            async with self._slots:  # released while backing off, so others may use the slot
                return await self._once(target, params)

        return await retrying(once, self.retry, self._sleep)  # every request is a GET: all may be retried

    async def _once(self, target: str, params: dict[str, Any] | None) -> dict[str, Any]:
        url = self._url(target)
        path = urlsplit(url).path
        where = f"Twilio ({self.base_url})"
        try:
            response = await self._http.request("GET", url, params=params)
        except TRANSPORT_FAILURES as exc:
            raise _transport_error(exc, where, self.base_url, path) from None
        return _read(response, path, where, via_key=self.key_sid is not None)


def _transport_error(exc: BaseException, where: str, base_url: str, path: str) -> TwilioError:
    kind = transport_failure(exc)
    if kind == "timeout":
        return TransientError(f"{where} did not answer in time.", kind="timeout", path=path)
    if kind == "unsendable":  # a library's own text could quote the Authorization header
        return TwilioError("The request could not be sent: the Account SID or token has characters a request "
                           "cannot carry. Paste them again.", path=path)
    if kind == "unusable":
        return TwilioError(f"The Twilio API base {base_url} is not usable; normally it is https://api.twilio.com.",
                           path=path)
    # the library's own wording is left out: the kind of failure is enough here
    return TransientError(f"Could not reach {where}: {connection_reason(exc, quote_library=False)}",
                          kind="connection", path=path)


def _error_body(response: Answer) -> tuple[int | None, str | None]:
    """Twilio's error `code` and `message`, when the body is Twilio's error JSON."""
    data = error_fields(response)
    message = data.get("message")
    return as_int(data.get("code")), message if isinstance(message, str) else None


def _read(response: Answer, path: str, where: str, *, via_key: bool = False) -> dict[str, Any]:
    status = response.status_code
    code, message = _error_body(response) if status >= 400 else (None, None)
    # Server text is only quoted in the generic case, cut short; it never contains our credentials.
    said = f" Twilio said: {message[:200]}" if message else ""
    if status == 401:
        raise RejectedError(KEY_REJECTED_MESSAGE if via_key else REJECTED_MESSAGE, status=401, code=code, path=path)
    if status == 403 and not via_key:
        # With the account's own SID and token nothing on the account is out of reach, so a 403 (20403) says the
        # account itself is suspended or closed.
        raise ForbiddenError(SUSPENDED_MESSAGE.format(code=f", code {code}" if code else ""), status=403, code=code,
                             path=path)
    if status == 403:
        raise ForbiddenError(
            f"Twilio refused access (403{f', code {code}' if code else ''}): these credentials may not read this "
            "resource. A restricted API key cannot; use the Account SID and Live Auth Token.",
            status=403, code=code, path=path,
        )
    if status == 404:
        raise NotFoundError(f"{where} has no {path} (404{f', code {code}' if code else ''}).", status=404, code=code, path=path)
    if status == 429:
        raise RateLimitedError(
            f"{where} refused too many concurrent requests (429, code {code or 20429}); try again in a moment.",
            retry_after=retry_after(response), code=code, path=path,
        )
    if is_transient_status(status):
        raise TransientError(f"{where} had a server error ({status}).", kind="server", status=status, code=code, path=path)
    if status >= 400:
        raise ApiError(f"{where} refused the request ({status}{f', code {code}' if code else ''}).{said}",
                       status=status, code=code, path=path)
    data = json_body(response)
    if data is NOT_JSON:
        raise ProtocolError(f"{where} answered with something that is not JSON ({content_type(response)}). Is the "
                            "Twilio API base right?", status=status, path=path)
    if not isinstance(data, dict):
        raise ProtocolError(f"{where} answered with JSON that is not an object.", status=status, path=path)
    return data
