"""What the Wiro and the Twilio client do alike over HTTP: bounded retries, Retry-After, reading an error
body, and telling a failure worth retrying from one that is not.

Each client keeps its own typed errors and its own words; this module only decides. It imports httpx, so
only the clients import it (the dashboard's first frame needs neither).
"""

from __future__ import annotations

import json
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from typing import Any, Final, Literal, TypeVar

import httpx

from .errors import RateLimitedError, TransientError
from .json_pieces import loads_in_pieces

T = TypeVar("T")

#: A body bigger than this is decoded in pieces (json_pieces.py), so that decoding it in a thread does not hold
#: the event loop's thread up for its whole length.
PIECES_BYTES: Final = 64 * 1024


class PlainHTTPTransport(httpx.AsyncHTTPTransport):
    """httpx's own transport, for plain http (the simulator on loopback) only: without the TLS context httpx makes
    for every transport, even one that never speaks TLS (OpenSSL's context: 0.45 MiB for the dashboard's two
    clients, measured). Were an https URL ever sent through it, httpcore would make its own default context, one
    that verifies."""

    def __init__(self) -> None:  # (httpx's __init__ would make the context before the pool: the pool is made here)
        import httpcore

        # httpx's defaults: 100 connections, 20 kept alive for 5 s, HTTP/1.1
        self._pool = httpcore.AsyncConnectionPool(ssl_context=None, max_connections=100,
                                                  max_keepalive_connections=20, keepalive_expiry=5.0)


def transport_for(base_url: str) -> httpx.AsyncHTTPTransport | None:
    """The transport a client of `base_url` needs: PlainHTTPTransport for http://, httpx's default (None) else."""
    return PlainHTTPTransport() if base_url.startswith("http://") else None

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
    try:
        when = parsedate_to_datetime(value)
        if when.tzinfo is None:  # "-0000" in the date: UTC, said without commitment
            when = when.replace(tzinfo=timezone.utc)
        return max(0.0, (when - (now or datetime.now(timezone.utc))).total_seconds())
    except (TypeError, ValueError, OverflowError):  # not a date, or one no clock can reach
        return None


def retry_after(response: httpx.Response) -> float | None:
    """The answer's Retry-After header, as seconds from now."""
    return retry_after_seconds(response.headers.get("retry-after"))


# -- what went wrong -----------------------------------------------------------------------------

#: What sending a request can raise before any answer arrives: `except TRANSPORT_FAILURES` around a send,
#: then `transport_failure()` says which kind it was.
TRANSPORT_FAILURES: Final = (httpx.TransportError, httpx.InvalidURL, OverflowError, UnicodeError)

TransportKind = Literal["timeout", "connection", "unsendable", "unusable"]


def transport_failure(exc: BaseException) -> TransportKind:
    """Which kind of failure, of those in `TRANSPORT_FAILURES`, `exc` is.

    "timeout" and "connection" are transient (worth a retry); "unsendable" means httpx refused a header value
    (its own text would quote the header, i.e. a credential: never show it); "unusable" means the base URL
    cannot be used at all (no scheme, a bad port, a host that is not a name)."""
    if isinstance(exc, httpx.TimeoutException):
        return "timeout"
    if isinstance(exc, httpx.LocalProtocolError):
        return "unsendable"
    if isinstance(exc, (httpx.UnsupportedProtocol, httpx.InvalidURL, OverflowError, UnicodeError)):
        return "unusable"
    return "connection"


def connection_reason(exc: BaseException, *, quote_library: bool = True) -> str:
    """Why a connection failed, in a few words ending in a full stop. With `quote_library`, httpx's own short
    text is added when it says more ("[Errno 111] Connection refused"); without, only the kind is named."""
    text = str(exc).strip() if quote_library else ""
    if isinstance(exc, httpx.ConnectError):
        detail = f" ({text.rstrip('.')})" if text and len(text) < 120 else ""
        return f"connection refused or host not found{detail}."
    if isinstance(exc, httpx.RemoteProtocolError):
        return "the connection closed without an answer."
    return (text.rstrip(".") if text and len(text) < 160 else type(exc).__name__) + "."


def is_transient_status(status: int) -> bool:
    """A server error (5xx): this answer is no use, the next one may be."""
    return status >= 500


# -- reading an answer ---------------------------------------------------------------------------


class _NotJson:
    def __repr__(self) -> str:
        return "NOT_JSON"


#: What `json_body` returns for a body that is not JSON.
NOT_JSON: Final = _NotJson()


def json_body(response: httpx.Response) -> Any:
    """The body parsed as JSON, or `NOT_JSON` when it is not JSON (an HTML page from a proxy, a cut-off body,
    nesting too deep to parse)."""
    content = response.content
    try:
        return loads_in_pieces(content) if len(content) > PIECES_BYTES else json.loads(content)
    except (ValueError, RecursionError):
        return NOT_JSON


def error_fields(response: httpx.Response) -> dict[str, Any]:
    """The JSON object of an error answer, or {} when the body is not one (the service's own words are then
    unknown, and the status alone must speak)."""
    data = json_body(response)
    return data if isinstance(data, dict) else {}


def content_type(response: httpx.Response) -> str:
    """The answer's media type ("text/html"), or "unknown type", to say what came instead of JSON."""
    return response.headers.get("content-type", "unknown type").split(";")[0]
