"""What the Wiro and the Twilio client do alike over HTTP: the session they send through, bounded retries,
Retry-After, reading an error body, and telling a failure worth retrying from one that is not.

Each client keeps its own typed errors and its own words; this module only decides. A session is httpx's for
https (the real services: TLS that verifies, proxies from the environment) and `plain_http`'s for http:// (the
simulator on loopback), and either raises only the `TransportFailure`s below, so nothing here imports httpx.
"""

from __future__ import annotations

import json
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Final, Literal, Protocol, TypeVar

from .dates import parse_rfc2822
from .errors import RateLimitedError, TransientError
from .json_pieces import loads_in_pieces

T = TypeVar("T")

#: A body bigger than this is decoded in pieces (json_pieces.py), so that decoding it in a thread does not hold
#: the event loop's thread up for its whole length.
PIECES_BYTES: Final = 64 * 1024


class Answer(Protocol):
    """What the clients read of an answer: httpx's `Response` and `plain_http.Reply` both are one."""

    status_code: int
    content: bytes

    @property
    def headers(self) -> Any: ...


class Session(Protocol):
    """Where the clients send their requests: `open_session()` makes one."""

    async def request(self, method: str, url: str, *, params: Any = None, headers: Any = None, json: Any = None,
                      content: Any = None, timeout: float | None = None) -> Answer: ...

    async def aclose(self) -> None: ...


#: Tests set this to send http:// through httpx too, so that the session the real services get is checked against
#: the same loopback servers.
HTTPX_FOR_PLAIN = False


def open_session(base_url: str, *, headers: dict[str, str], timeout: float, auth: tuple[str, str] | None = None,
                 connect_timeout: float = 10.0) -> Session:
    """A session for `base_url`: plain_http's for http://, httpx's (loaded now) for https://."""
    connect = min(timeout, connect_timeout)
    if base_url.startswith("http://") and not HTTPX_FOR_PLAIN:
        from .plain_http import PlainSession

        return PlainSession(base_url, headers=headers, timeout=timeout, connect_timeout=connect, auth=auth)
    from .httpx_session import HttpxSession

    return HttpxSession(base_url, headers=headers, timeout=timeout, connect_timeout=connect, auth=auth)


# -- retrying ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RetryPolicy:
    """Bounded exponential backoff with jitter. Clients take a `sleep` so tests can record the waits."""

    retries: int = 3
    base_delay: float = 0.5
    max_delay: float = 30.0

    def delay(self, attempt: int, retry_after: float | None) -> float | None:
        """Seconds to wait before the next try, or None when the server asks for longer than we wait."""
        backoff = min(self.max_delay, self.base_delay * (2**attempt)) * (0.75 + random.random() / 2)
        if retry_after is not None:
            if retry_after > self.max_delay:
                return None  # give up now; the caller sees retry_after and can come back then
            return max(retry_after, backoff)
        return backoff


async def retrying(once: Callable[[], Awaitable[T]], policy: RetryPolicy, sleep: Callable[[float], Awaitable[Any]],
                   *, retry_transient: bool = True) -> T:
    """`once()`, tried again while it fails in a way worth retrying and the policy allows another try.

    A `RateLimitedError` was not processed, so it is always worth another try, after at least the wait the
    server asked for (and not at all when that is longer than the policy waits). A `TransientError` is tried
    again only when `retry_transient`: a write that timed out may still have happened. Anything else, and the
    last failure once the tries are used up, is raised as it came."""
    attempt = 0
    while True:
        try:
            return await once()
        except (RateLimitedError, TransientError) as err:
            if isinstance(err, TransientError) and not retry_transient:
                raise
            if attempt >= policy.retries:
                raise
            wait = policy.delay(attempt, err.retry_after if isinstance(err, RateLimitedError) else None)
            if wait is None:
                raise
            await sleep(wait)
            attempt += 1


def retry_after_seconds(value: str | None, *, now: datetime | None = None) -> float | None:
    """Retry-After as seconds from `now`: a number, or an HTTP date; None when absent or unreadable."""
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    when = parse_rfc2822(value)
    if when is None:  # not a date
        return None
    if when.tzinfo is None:  # "-0000" in the date: UTC, said without commitment
        when = when.replace(tzinfo=timezone.utc)
    try:
        return max(0.0, (when - (now or datetime.now(timezone.utc))).total_seconds())
    except OverflowError:  # a date no clock can reach
        return None


def retry_after(response: Answer) -> float | None:
    """The answer's Retry-After header, as seconds from now."""
    return retry_after_seconds(response.headers.get("retry-after"))


# -- what went wrong -----------------------------------------------------------------------------

TransportKind = Literal["timeout", "connection", "unsendable", "unusable"]


class TransportFailure(Exception):
    """No answer came: what either session raises when a request fails before any answer arrives. Its text is
    the session's own short account ("[Errno 111] Connection refused"), never a header's value."""

    kind: TransportKind = "connection"
    #: the connection failed in a way `connection_reason` words itself
    reason: str | None = None


class TimeoutFailure(TransportFailure):
    kind = "timeout"


class ConnectFailure(TransportFailure):
    """Refused, unreachable, or a host that is not found."""


class ClosedFailure(TransportFailure):
    """The server closed the connection before its answer was whole."""

    reason = "the connection closed without an answer."


class BrokenAnswerFailure(TransportFailure):
    """Something answered, but not in HTTP (or not all of it)."""


class UnsendableFailure(TransportFailure):
    """A header value cannot be sent (its text never quotes the value: it may be a credential)."""

    kind = "unsendable"


class UnusableFailure(TransportFailure):
    """The URL cannot be used at all: no scheme, a bad port, a host that is not a name."""

    kind = "unusable"


#: What sending a request can raise before any answer arrives: `except TRANSPORT_FAILURES` around a send,
#: then `transport_failure()` says which kind it was.
TRANSPORT_FAILURES: Final = (TransportFailure,)


def transport_failure(exc: BaseException) -> TransportKind:
    """Which kind of failure `exc` (a `TransportFailure`) is.

    "timeout" and "connection" are transient (worth a retry); "unsendable" means a header value could not be sent
    (a library's own text would quote the header, i.e. a credential: never show it); "unusable" means the base
    URL cannot be used at all (no scheme, a bad port, a host that is not a name)."""
    return exc.kind if isinstance(exc, TransportFailure) else "connection"


def connection_reason(exc: BaseException, *, quote_library: bool = True) -> str:
    """Why a connection failed, in a few words ending in a full stop. With `quote_library`, the session's own
    short text is added when it says more ("[Errno 111] Connection refused"); without, only the kind is named."""
    text = str(exc).strip().rstrip(".") if quote_library else ""
    if isinstance(exc, ConnectFailure):
        detail = f" ({text})" if text and len(text) < 120 else ""
        return f"connection refused or host not found{detail}."
    if isinstance(exc, TransportFailure) and exc.reason:
        return exc.reason
    return f"{text}." if text and len(text) < 160 else "the connection failed."


def is_transient_status(status: int) -> bool:
    """A server error (5xx): this answer is no use, the next one may be."""
    return status >= 500


# -- reading an answer ---------------------------------------------------------------------------


class _NotJson:
    def __repr__(self) -> str:
        return "NOT_JSON"


#: What `json_body` returns for a body that is not JSON.
NOT_JSON: Final = _NotJson()


def json_body(response: Answer) -> Any:
    """The body parsed as JSON, or `NOT_JSON` when it is not JSON (an HTML page from a proxy, a cut-off body,
    nesting too deep to parse)."""
    content = response.content
    try:
        return loads_in_pieces(content) if len(content) > PIECES_BYTES else json.loads(content)
    except (ValueError, RecursionError):
        return NOT_JSON


def error_fields(response: Answer) -> dict[str, Any]:
    """The JSON object of an error answer, or {} when the body is not one (the service's own words are then
    unknown, and the status alone must speak)."""
    data = json_body(response)
    return data if isinstance(data, dict) else {}


def content_type(response: Answer) -> str:
    """The answer's media type ("text/html"), or "unknown type", to say what came instead of JSON."""
    return response.headers.get("content-type", "unknown type").split(";")[0]
