"""The session for https (the real Wiro and Twilio APIs): httpx's client, its failures told as
`tui.common.http`'s `TransportFailure`s.

httpx verifies TLS (its CA bundle, or SSL_CERT_FILE and SSL_CERT_DIR) and takes proxies from the environment, as a
client of a real service must. It is loaded only when such a session is made: the demo talks plain http to the
simulator on loopback (`plain_http`), and httpx costs about 5.5 MiB once loaded.
"""

from __future__ import annotations

from typing import Any

import httpx

from .http import (
    ClosedFailure,
    ConnectFailure,
    TimeoutFailure,
    TransportFailure,
    UnsendableFailure,
    UnusableFailure,
)


def failure_from_httpx(exc: BaseException) -> TransportFailure:
    """What httpx raised before any answer, as one of ours (its text kept only where it cannot hold a header)."""
    if isinstance(exc, httpx.TimeoutException):
        return TimeoutFailure(str(exc))
    if isinstance(exc, httpx.LocalProtocolError):  # its text quotes the header, i.e. maybe a credential
        return UnsendableFailure("a header value cannot be sent")
    if isinstance(exc, (httpx.UnsupportedProtocol, httpx.InvalidURL, OverflowError, UnicodeError)):
        return UnusableFailure(str(exc))
    if isinstance(exc, httpx.ConnectError):
        return ConnectFailure(str(exc))
    if isinstance(exc, httpx.RemoteProtocolError):
        return ClosedFailure(str(exc))
    return TransportFailure(str(exc) or type(exc).__name__)


class HttpxSession:
    """`Session` over an `httpx.AsyncClient` (no redirects: one could carry the credentials to another host)."""

    def __init__(self, base_url: str, *, headers: dict[str, str], timeout: float, connect_timeout: float,
                 auth: tuple[str, str] | None = None) -> None:
        self._client = httpx.AsyncClient(
            base_url=base_url.rstrip("/") + "/",
            timeout=httpx.Timeout(timeout, connect=connect_timeout),
            headers=headers,
            auth=httpx.BasicAuth(*auth) if auth is not None else None,
            follow_redirects=False,
        )
        self._connect = connect_timeout

    def __repr__(self) -> str:  # never the headers: they carry the credentials
        return f"HttpxSession(base_url={str(self._client.base_url)!r})"

    async def request(self, method: str, url: str, *, params: Any = None, headers: Any = None, json: Any = None,
                      content: Any = None, timeout: float | None = None) -> httpx.Response:
        extra: dict[str, Any] = {}
        if timeout is not None:
            extra["timeout"] = httpx.Timeout(timeout, connect=min(timeout, self._connect))
        try:
            return await self._client.request(method, url, params=params, headers=headers, json=json,
                                              content=content, **extra)
        except (httpx.TransportError, httpx.InvalidURL, OverflowError, UnicodeError) as exc:
            raise failure_from_httpx(exc) from None

    async def aclose(self) -> None:
        await self._client.aclose()
