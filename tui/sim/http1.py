"""The server side of HTTP/1.1 the simulator needs, on socketserver: requests read one after another on a kept-alive
connection, answers written as a status line, headers and a body.

http.server does the same, but to read request headers it imports http.client and most of the email package:
1.4 MiB of the running demo's memory (measured: the resident set of a Textual app with and without importing it),
for a server that only ever reads a request line and a few headers. What this keeps of http.server's handler is
the part the simulator's handler uses, under the same names: `do_<METHOD>`, `command`, `path`, `headers`,
`close_connection`, `send_response`, `send_header`, `end_headers`, `rfile`/`wfile`, `log_message`.

A request it cannot read gets 400 (or 414, 431, 501, 505) and the connection is closed; a client that goes away
or stays idle past `timeout` just ends the connection.
"""

from __future__ import annotations

import socketserver
import sys
import time
from collections.abc import Iterator
from typing import Final

#: The longest request line or header line, and the most header lines, read from a client (http.server's own).
LINE_LIMIT: Final = 65536
HEADER_LINES: Final = 100

REASONS: Final = {
    100: "Continue", 200: "OK", 201: "Created", 204: "No Content", 301: "Moved Permanently", 302: "Found",
    304: "Not Modified", 400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found",
    405: "Method Not Allowed", 408: "Request Timeout", 409: "Conflict", 413: "Content Too Large",
    414: "URI Too Long", 422: "Unprocessable Content", 429: "Too Many Requests",
    431: "Request Header Fields Too Large", 500: "Internal Server Error", 501: "Not Implemented",
    502: "Bad Gateway", 503: "Service Unavailable", 504: "Gateway Timeout", 505: "HTTP Version Not Supported",
}

_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def http_date(epoch: float | None = None) -> str:
    """An HTTP Date ("Sun, 06 Nov 1994 08:49:37 GMT"), in English whatever the locale."""
    t = time.gmtime(epoch)
    return (f"{_DAYS[t.tm_wday]}, {t.tm_mday:02d} {_MONTHS[t.tm_mon - 1]} {t.tm_year} "
            f"{t.tm_hour:02d}:{t.tm_min:02d}:{t.tm_sec:02d} GMT")


class RequestHeaders:
    """A request's headers: names without case; `get` gives the first value of a repeated header (as
    http.server's did)."""

    __slots__ = ("_items",)

    def __init__(self, items: list[tuple[str, str]]) -> None:
        self._items = items

    def get(self, name: str, default: str | None = None) -> str | None:
        key = name.lower()
        for item, value in self._items:
            if item.lower() == key:
                return value
        return default

    def __getitem__(self, name: str) -> str | None:
        return self.get(name)

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and self.get(name) is not None

    def __iter__(self) -> Iterator[str]:
        return (name for name, _ in self._items)

    def keys(self) -> list[str]:
        return [name for name, _ in self._items]

    def items(self) -> list[tuple[str, str]]:
        return list(self._items)


class _Unreadable(Exception):
    def __init__(self, status: int, why: str) -> None:
        super().__init__(why)
        self.status = status


class Http1Handler(socketserver.StreamRequestHandler):
    """One connection: each request to `do_<METHOD>`, until the client or an answer closes it."""

    protocol_version = "HTTP/1.1"
    server_version = "http1"
    timeout: float | None = None  # seconds a kept-alive connection may stay idle (socketserver applies it)

    command = path = request_version = requestline = ""
    headers = RequestHeaders([])
    close_connection = True

    def handle(self) -> None:
        self.close_connection = True
        self.handle_one_request()
        while not self.close_connection:
            self.handle_one_request()

    def handle_one_request(self) -> None:
        try:
            line = self.rfile.readline(LINE_LIMIT + 1)
            if not line:  # the client closed the connection between requests
                self.close_connection = True
                return
            self._headers_out: list[bytes] = []
            try:
                self._read_head(line)
            except _Unreadable as unreadable:
                self.send_error(unreadable.status, str(unreadable))
                return
            handler = getattr(self, "do_" + self.command, None)
            if handler is None:
                self.send_error(501, f"unsupported method {self.command!r}")
                return
            handler()
            self.wfile.flush()
        except (TimeoutError, ConnectionError):  # idle past `timeout`, or the client went away
            self.close_connection = True

    def _read_head(self, line: bytes) -> None:
        if len(line) > LINE_LIMIT:
            raise _Unreadable(414, "request line too long")
        self.requestline = line.decode("latin-1").rstrip("\r\n")
        words = self.requestline.split()
        if len(words) != 3:
            raise _Unreadable(400, f"bad request line {self.requestline[:80]!r}")
        self.command, self.path, self.request_version = words
        if not self.request_version.startswith("HTTP/1.") or not self.request_version[7:].isdigit():
            raise _Unreadable(505 if self.request_version.startswith("HTTP/") else 400,
                              f"bad HTTP version {self.request_version[:20]!r}")
        items: list[tuple[str, str]] = []
        while True:
            raw = self.rfile.readline(LINE_LIMIT + 1)
            if len(raw) > LINE_LIMIT:
                raise _Unreadable(431, "header line too long")
            if raw in (b"\r\n", b"\n", b""):
                break
            if len(items) >= HEADER_LINES:
                raise _Unreadable(431, "too many headers")
            name, colon, value = raw.decode("latin-1").partition(":")
            if not colon or not name.strip() or name != name.strip():
                raise _Unreadable(400, "a header line that is not a header")
            items.append((name, value.strip()))
        self.headers = RequestHeaders(items)
        said = (self.headers.get("Connection") or "").lower()
        if self.request_version == "HTTP/1.0":
            self.close_connection = "keep-alive" not in said
        else:
            self.close_connection = "close" in said
        if (self.headers.get("Expect") or "").lower() == "100-continue":
            self.wfile.write(f"{self.protocol_version} 100 Continue\r\n\r\n".encode("latin-1"))

    # -- answering -------------------------------------------------------------------------------

    def send_response(self, code: int, message: str | None = None) -> None:
        """The status line, Server and Date; then `send_header` for more and `end_headers` to send them."""
        self.log_message('"%s" %s -', self.requestline, str(code))
        self._headers_out = [f"{self.protocol_version} {code} {message or REASONS.get(code, 'Unknown')}\r\n"
                             .encode("latin-1")]
        self.send_header("Server", self.server_version)
        self.send_header("Date", http_date())

    def send_header(self, name: str, value: str) -> None:
        self._headers_out.append(f"{name}: {value}\r\n".encode("latin-1"))
        if name.lower() == "connection":
            if value.lower() == "close":
                self.close_connection = True
            elif value.lower() == "keep-alive":
                self.close_connection = False

    def end_headers(self) -> None:
        self._headers_out.append(b"\r\n")
        self.wfile.write(b"".join(self._headers_out))
        self._headers_out = []

    def send_error(self, code: int, why: str) -> None:
        """A short plain-text answer saying what was wrong with the request; the connection is closed after it."""
        self.close_connection = True
        body = f"{code} {REASONS.get(code, 'Error')}: {why}\n".encode("utf-8", "replace")
        self.send_response(code)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Connection", "close")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def address_string(self) -> str:
        return str(self.client_address[0])

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - http.server's signature
        sys.stderr.write(f"{self.address_string()} {format % args}\n")
