"""HTTP/1.1 without TLS on asyncio's streams: the session the API clients use for an http:// base.

An http:// base is the simulator on loopback (the demo, the tests) or a server of the same kind. It needs none of
what httpx brings for the real service: TLS, proxies, HTTP/2, cookies, redirects. httpx with httpcore, h11 and
anyio costs about 5.5 MiB of a running dashboard (measured: the resident set after the same 20 requests, with and
without it), more than a sixth of a bare Textual app; this module is standard library only, and the parts of it
(`asyncio`'s streams, `urllib.parse`, `zlib`) are loaded by then anyway.

What it does: keep-alive connections (a few per host, closed after 5 s idle or when the server says so), bodies by
Content-Length, chunked or to the end of the connection, gzip and deflate answers, a body given as bytes or
streamed from an async iterator (chunked unless its length is given), Basic auth, query parameters encoded as
httpx encodes them. Every failure is one of `tui.common.http`'s `TransportFailure`s, the same ones the httpx
session raises, so the clients cannot tell the two apart.

A request is never sent twice: a write that went out on a connection the server closed may have been acted on.
A kept connection the server has already closed is seen before it is used (the loop reads its end) and dropped.
"""

from __future__ import annotations

import asyncio
import json as jsonlib
import os
import socket
import time
import zlib
from base64 import b64encode
from collections.abc import AsyncIterator, Iterator, Mapping
from typing import Any, Final
from urllib.parse import urlencode, urlsplit

from .http import (
    BrokenAnswerFailure,
    ClosedFailure,
    ConnectFailure,
    TimeoutFailure,
    UnsendableFailure,
    UnusableFailure,
)

#: Idle connections kept per host, and for how long (httpx's own defaults are 20 and 5 s).
KEEP_IDLE: Final = 8
KEEP_SECONDS: Final = 5.0
#: The longest status or header line, and the most header lines, taken from a server.
LINE_LIMIT: Final = 64 * 1024
HEADER_LINES: Final = 200


class Headers:
    """An answer's headers: names without case, a repeated header's values joined with ", "."""

    __slots__ = ("_items", "_lookup")

    def __init__(self, items: list[tuple[str, str]]) -> None:
        self._items = items
        self._lookup: dict[str, str] = {}
        for name, value in items:
            key = name.lower()
            self._lookup[key] = f"{self._lookup[key]}, {value}" if key in self._lookup else value

    def get(self, name: str, default: Any = None) -> Any:
        return self._lookup.get(name.lower(), default)

    def __getitem__(self, name: str) -> str:
        return self._lookup[name.lower()]

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and name.lower() in self._lookup

    def __iter__(self) -> Iterator[str]:
        return iter(self._lookup)

    def items(self) -> list[tuple[str, str]]:
        """Every header as it came, in order."""
        return list(self._items)

    def __repr__(self) -> str:
        return f"Headers({len(self._items)} lines)"


class Reply:
    """One answer, read whole: what the clients read of an httpx `Response`, under the same names."""

    __slots__ = ("status_code", "reason_phrase", "headers", "content", "url")

    def __init__(self, status_code: int, reason_phrase: str, headers: Headers, content: bytes, url: str) -> None:
        self.status_code = status_code
        self.reason_phrase = reason_phrase
        self.headers = headers
        self.content = content
        self.url = url

    def json(self) -> Any:
        return jsonlib.loads(self.content)

    def __repr__(self) -> str:
        return f"<Reply {self.status_code} {self.reason_phrase}>"


class _Connection:
    __slots__ = ("reader", "writer", "idle_since")

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader, self.writer = reader, writer
        self.idle_since = 0.0

    def usable(self, now: float) -> bool:
        """Still open at both ends and not idle too long (the server may be about to close it)."""
        return (not self.reader.at_eof() and not self.writer.is_closing()
                and now - self.idle_since < KEEP_SECONDS)

    def close(self) -> None:
        self.writer.close()


def query_text(params: Mapping[str, Any]) -> str:
    """Query parameters as httpx writes them: True as "true", None as "", lists as repeated names."""
    pairs: list[tuple[str, str]] = []
    for name, value in params.items():
        for one in value if isinstance(value, (list, tuple)) else (value,):
            pairs.append((name, "true" if one is True else "false" if one is False else "" if one is None
                          else str(one)))
    return urlencode(pairs)


def _header_value(name: str, value: str) -> bytes:
    """A header value as sent; `UnsendableFailure` for one that cannot be (the message never quotes it: it may be
    a credential)."""
    try:
        raw = value.encode("latin-1")
    except UnicodeEncodeError:
        raise UnsendableFailure(f"the {name} header has characters a request cannot carry") from None
    if any(c in raw for c in b"\r\n\0"):
        raise UnsendableFailure(f"the {name} header has a line break in it")
    return raw


class PlainSession:
    """Requests to one plain-http base (or to absolute http:// URLs), with a few connections kept alive."""

    def __init__(self, base_url: str = "", *, headers: Mapping[str, str] | None = None, timeout: float = 30.0,
                 connect_timeout: float = 10.0, auth: tuple[str, str] | None = None) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.connect_timeout = connect_timeout
        self._headers = {name.lower(): value for name, value in (headers or {}).items()}
        if auth is not None:
            token = b64encode(f"{auth[0]}:{auth[1]}".encode()).decode("ascii")
            self._headers["authorization"] = f"Basic {token}"
        self._idle: dict[tuple[str, int], list[_Connection]] = {}
        self._closed = False

    def __repr__(self) -> str:  # never the headers: they carry the credentials
        return f"PlainSession(base_url={self.base_url!r})"

    async def aclose(self) -> None:
        self._closed = True
        for kept in self._idle.values():
            for conn in kept:
                conn.close()
        self._idle.clear()

    async def __aenter__(self) -> PlainSession:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    # -- the request -------------------------------------------------------------------------------

    async def request(self, method: str, url: str, *, params: Mapping[str, Any] | None = None,
                      headers: Mapping[str, str] | None = None, json: Any = None,
                      content: bytes | AsyncIterator[bytes] | None = None, timeout: float | None = None) -> Reply:
        """Send one request and read its whole answer. Any status is an answer; only a failure to get one raises
        (a `TransportFailure`)."""
        if self._closed:
            raise UnusableFailure("the session is closed")
        full = url if "://" in url else f"{self.base_url}/{url.lstrip('/')}"
        if params:
            full += ("&" if "?" in full else "?") + query_text(params)
        try:
            parts = urlsplit(full)
            port = parts.port or 80
        except ValueError as exc:
            raise UnusableFailure(f"the URL is not usable ({exc})") from None
        if parts.scheme != "http" or not parts.hostname:
            raise UnusableFailure(f"only http:// URLs go through this session, not {parts.scheme or 'none'}://")
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        fields = dict(self._headers)
        fields.update({name.lower(): value for name, value in (headers or {}).items()})
        body: bytes | AsyncIterator[bytes] | None = content
        if json is not None:
            body = jsonlib.dumps(json, ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode()
            fields.setdefault("content-type", "application/json")
        if isinstance(body, (bytes, bytearray)):
            fields["content-length"] = str(len(body))
        elif body is not None and "content-length" not in fields:
            fields["transfer-encoding"] = "chunked"
        elif body is None and method in ("POST", "PUT", "PATCH"):
            fields["content-length"] = "0"
        host = parts.netloc.rpartition("@")[2]
        if not host.isascii() or not target.isascii():  # (the base URL's own check says so before this)
            raise UnusableFailure("the URL has characters that are not ASCII")
        head = [f"{method} {target} HTTP/1.1".encode("ascii"), b"host: " + host.encode("ascii")]
        fields.setdefault("accept", "*/*")
        for name, value in fields.items():
            head.append(name.encode("ascii") + b": " + _header_value(name, value))
        message = b"\r\n".join(head) + b"\r\n\r\n"
        wait = self.timeout if timeout is None else timeout
        return await self._exchange((parts.hostname, port), method, message, body,
                                    fields.get("transfer-encoding") == "chunked", wait,
                                    min(wait, self.connect_timeout), full)

    async def _exchange(self, address: tuple[str, int], method: str, head: bytes,
                        body: bytes | AsyncIterator[bytes] | None, chunked: bool, wait: float,
                        connect_wait: float, url: str) -> Reply:
        conn = self._kept(address)
        if conn is None:
            conn = await self._connect(address, connect_wait)
        try:
            await self._send(conn, head, body, chunked, wait)
            status, reason, headers, keep = await self._read_head(conn.reader, wait)
            content, keep = await self._read_body(conn.reader, method, status, headers, keep, wait)
        except BaseException:  # a failure, or the caller gave up: the connection's state is unknown
            conn.close()
            raise
        if keep and not self._closed:
            self._keep(address, conn)
        else:
            conn.close()
        return Reply(status, reason, headers, _decoded(content, headers), url)

    # -- connections -------------------------------------------------------------------------------

    def _kept(self, address: tuple[str, int]) -> _Connection | None:
        kept = self._idle.get(address)
        now = time.monotonic()
        while kept:
            conn = kept.pop()
            if conn.usable(now):
                return conn
            conn.close()
        return None

    def _keep(self, address: tuple[str, int], conn: _Connection) -> None:
        conn.idle_since = time.monotonic()
        kept = self._idle.setdefault(address, [])
        kept.append(conn)
        while len(kept) > KEEP_IDLE:
            kept.pop(0).close()

    async def _connect(self, address: tuple[str, int], wait: float) -> _Connection:
        try:
            async with asyncio.timeout(wait):
                reader, writer = await asyncio.open_connection(*address, limit=LINE_LIMIT)
        except TimeoutError:
            raise TimeoutFailure(f"no connection within {wait:g} s") from None
        except OSError as exc:  # refused, unreachable, a host that is not found
            raise ConnectFailure(_os_text(exc)) from None
        return _Connection(reader, writer)

    # -- the wire ----------------------------------------------------------------------------------

    async def _send(self, conn: _Connection, head: bytes, body: bytes | AsyncIterator[bytes] | None,
                    chunked: bool, wait: float) -> None:
        """The head and the body; a streamed body chunk by chunk, each within `wait`."""
        writer = conn.writer
        try:
            async with asyncio.timeout(wait):
                writer.write(head)
                if isinstance(body, (bytes, bytearray)):
                    writer.write(body)
                await writer.drain()
            if body is None or isinstance(body, (bytes, bytearray)):
                return
            async for piece in body:
                if not piece:
                    continue
                async with asyncio.timeout(wait):
                    writer.write(b"%x\r\n%b\r\n" % (len(piece), piece) if chunked else piece)
                    await writer.drain()
            if chunked:
                async with asyncio.timeout(wait):
                    writer.write(b"0\r\n\r\n")
                    await writer.drain()
        except TimeoutError:
            raise TimeoutFailure(f"the request was not sent within {wait:g} s") from None
        except OSError as exc:
            raise ClosedFailure(f"the connection closed while sending ({_os_text(exc)})") from None

    async def _read_head(self, reader: asyncio.StreamReader, wait: float) -> tuple[int, str, Headers, bool]:
        try:
            async with asyncio.timeout(wait):
                while True:
                    line = await reader.readuntil(b"\n")
                    status, reason, version = _status_line(line)
                    items: list[tuple[str, str]] = []
                    while True:
                        line = await reader.readuntil(b"\n")
                        if line in (b"\r\n", b"\n"):
                            break
                        if len(items) >= HEADER_LINES:
                            raise BrokenAnswerFailure("the answer has too many header lines")
                        name, colon, value = line.decode("latin-1").partition(":")
                        if not colon or not name.strip():
                            raise BrokenAnswerFailure("the answer has a header line that is not a header")
                        items.append((name.strip(), value.strip()))
                    if 100 <= status < 200 and status != 101:
                        continue  # an interim answer (100 Continue): the real one follows
                    headers = Headers(items)
                    said = (headers.get("connection") or "").lower()
                    keep = "close" not in said if version == "HTTP/1.1" else "keep-alive" in said
                    return status, reason, headers, keep
        except TimeoutError:
            raise TimeoutFailure(f"no answer within {wait:g} s") from None
        except asyncio.IncompleteReadError as exc:
            if exc.partial:
                raise BrokenAnswerFailure("the connection closed in the middle of the answer's head") from None
            raise ClosedFailure("the connection closed without an answer") from None
        except asyncio.LimitOverrunError:
            raise BrokenAnswerFailure("the answer has a line too long to be HTTP") from None
        except OSError as exc:
            raise ClosedFailure(f"the connection closed without an answer ({_os_text(exc)})") from None

    async def _read_body(self, reader: asyncio.StreamReader, method: str, status: int, headers: Headers,
                         keep: bool, wait: float) -> tuple[bytes, bool]:
        if method == "HEAD" or status in (204, 304) or 100 <= status < 200:
            return b"", keep
        try:
            async with asyncio.timeout(wait):
                if "chunked" in (headers.get("transfer-encoding") or "").lower():
                    return await _read_chunked(reader), keep
                length = headers.get("content-length")
                if length is not None:
                    try:
                        size = int(length.split(",")[0])
                    except ValueError:
                        raise BrokenAnswerFailure("the answer's Content-Length is not a number") from None
                    if size < 0:
                        raise BrokenAnswerFailure("the answer's Content-Length is negative")
                    return await reader.readexactly(size), keep
                return await reader.read(), False  # to the end of the connection
        except TimeoutError:
            raise TimeoutFailure(f"the answer did not arrive whole within {wait:g} s") from None
        except asyncio.IncompleteReadError:
            raise BrokenAnswerFailure("the connection closed in the middle of the answer") from None
        except asyncio.LimitOverrunError:
            raise BrokenAnswerFailure("the answer's chunks are not HTTP") from None
        except OSError as exc:
            raise ClosedFailure(f"the connection closed in the middle of the answer ({_os_text(exc)})") from None


def _status_line(line: bytes) -> tuple[int, str, str]:
    version, _, rest = line.decode("latin-1").strip().partition(" ")
    code, _, reason = rest.partition(" ")
    if not version.startswith("HTTP/1.") or len(code) != 3 or not code.isdigit():
        raise BrokenAnswerFailure("the answer is not HTTP/1.1")
    return int(code), reason, version


async def _read_chunked(reader: asyncio.StreamReader) -> bytes:
    parts: list[bytes] = []
    while True:
        line = await reader.readuntil(b"\n")
        try:
            size = int(line.split(b";")[0].strip(), 16)
        except ValueError:
            raise BrokenAnswerFailure("the answer's chunks are not HTTP") from None
        if size == 0:
            while (await reader.readuntil(b"\n")) not in (b"\r\n", b"\n"):  # trailers, ignored
                pass
            return b"".join(parts)
        parts.append(await reader.readexactly(size))
        await reader.readuntil(b"\n")


def _decoded(content: bytes, headers: Headers) -> bytes:
    coding = (headers.get("content-encoding") or "").lower().strip()
    if not content or coding in ("", "identity"):
        return content
    try:
        if coding == "gzip":
            return zlib.decompress(content, 16 + zlib.MAX_WBITS)
        if coding == "deflate":
            try:
                return zlib.decompress(content)
            except zlib.error:
                return zlib.decompress(content, -zlib.MAX_WBITS)  # raw deflate, as some servers send it
    except zlib.error:
        raise BrokenAnswerFailure(f"the answer's {coding} body does not decode") from None
    raise BrokenAnswerFailure(f"the answer is encoded as {coding}, which this client does not read")


def _os_text(exc: OSError) -> str:
    """"[Errno 111] Connection refused": the error's number and the system's words for it, not asyncio's text
    (which names the address as a tuple). A name that is not found keeps its resolver's words."""
    if isinstance(exc, socket.gaierror) or not exc.errno:
        return str(exc) or type(exc).__name__
    return f"[Errno {exc.errno}] {os.strerror(exc.errno)}"
