"""The plain-http session (tui/common/plain_http.py) on the wire: against a server on loopback that answers with
bytes scripted per test (chunked, gzip, closing, hanging, not HTTP at all), against a standard-library HTTP server,
and beside httpx, which the real services get: the same request must reach the server the same way."""

from __future__ import annotations

import asyncio
import gzip
import http.server
import json
import threading
import zlib
from collections.abc import Awaitable, Callable

import httpx
import pytest

from tui.common.http import (
    BrokenAnswerFailure,
    ClosedFailure,
    ConnectFailure,
    TimeoutFailure,
    UnsendableFailure,
    UnusableFailure,
)
from tui.common.plain_http import PlainSession, query_text
from tui.twilio.client import TwilioClient

Script = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]


async def read_request(reader: asyncio.StreamReader) -> tuple[bytes, dict[str, str], bytes]:
    """One request as the server saw it: (request line, headers, body by length or chunked)."""
    line = await reader.readuntil(b"\r\n")
    headers: dict[str, str] = {}
    while (raw := await reader.readuntil(b"\r\n")) != b"\r\n":
        name, _, value = raw.decode().partition(":")
        headers[name.strip().lower()] = value.strip()
    body = b""
    if headers.get("transfer-encoding") == "chunked":
        while (size := int((await reader.readuntil(b"\r\n")).strip(), 16)) > 0:
            body += await reader.readexactly(size)
            await reader.readuntil(b"\r\n")
        await reader.readuntil(b"\r\n")
    elif "content-length" in headers:
        body = await reader.readexactly(int(headers["content-length"]))
    return line.strip(), headers, body


class Scripted:
    """A server on loopback running `script` for each connection; counts connections."""

    def __init__(self, script: Script) -> None:
        self.script, self.connections = script, 0
        self.seen: list[tuple[bytes, dict[str, str], bytes]] = []

    async def __aenter__(self) -> str:
        async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            self.connections += 1
            try:
                await self.script(reader, writer)
            except (asyncio.IncompleteReadError, ConnectionError):
                pass
            finally:
                writer.close()

        self.server = await asyncio.start_server(handle, "127.0.0.1", 0)
        return f"http://127.0.0.1:{self.server.sockets[0].getsockname()[1]}"

    async def __aexit__(self, *exc: object) -> None:
        self.server.close()

    def answering(self, *answers: bytes, keep: bool = True) -> Script:
        """A script: read a request, send the next answer, for each answer (then close unless `keep`)."""

        async def script(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            for answer in answers:
                self.seen.append(await read_request(reader))
                writer.write(answer)
                await writer.drain()
            if keep:
                await reader.read()  # until the client closes

        return script


def ok(body: bytes, *extra: str) -> bytes:
    head = ["HTTP/1.1 200 OK", f"Content-Length: {len(body)}", "Content-Type: application/json", *extra]
    return ("\r\n".join(head) + "\r\n\r\n").encode() + body


async def test_bodies_by_length_chunked_to_the_end_and_compressed_are_read_whole():
    data = json.dumps({"items": list(range(3000))}).encode()
    chunked = (b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
               + b"".join(b"%x;ext=1\r\n%b\r\n" % (len(data[i:i + 700]), data[i:i + 700]) for i in range(0, len(data), 700))
               + b"0\r\nX-Trailer: t\r\n\r\n")
    gzipped, deflated = gzip.compress(data), zlib.compress(data)
    scripted = Scripted(lambda r, w: None)
    scripted.script = scripted.answering(ok(data), chunked, ok(gzipped, "Content-Encoding: gzip"),
                                         ok(deflated, "Content-Encoding: deflate"),
                                         b"HTTP/1.1 100 Continue\r\n\r\n" + ok(b"{}"),
                                         b"HTTP/1.1 204 No Content\r\n\r\n",
                                         b"HTTP/1.0 200 OK\r\n\r\n" + data, keep=False)
    async with scripted as base, PlainSession(base) as session:
        for _ in range(4):
            reply = await session.request("GET", "/x")
            assert reply.status_code == 200 and reply.json() == {"items": list(range(3000))}
        assert (await session.request("GET", "/x")).content == b"{}"  # the interim 100 skipped
        empty = await session.request("GET", "/x")
        assert empty.status_code == 204 and empty.content == b"" and empty.reason_phrase == "No Content"
        to_the_end = await session.request("GET", "/x")
        assert to_the_end.content == data and to_the_end.headers.get("CONTENT-LENGTH") is None
    assert scripted.connections == 1  # every answer but the last kept the connection for the next request


async def test_a_kept_connection_the_server_closed_is_not_used_and_close_is_obeyed():
    scripted = Scripted(lambda r, w: None)
    scripted.script = scripted.answering(ok(b"{}"), keep=False)  # answers one request, then closes
    async with scripted as base, PlainSession(base) as session:
        for _ in range(3):
            assert (await session.request("POST", "/x", json={"a": 1})).status_code == 200
            await asyncio.sleep(0.05)  # the loop reads the server's close
    assert scripted.connections == 3
    closing = Scripted(lambda r, w: None)
    closing.script = closing.answering(ok(b"{}", "Connection: close"), ok(b"{}"))
    async with closing as base, PlainSession(base) as session:
        await session.request("GET", "/")
        assert not session._idle.get(("127.0.0.1", int(base.rsplit(":", 1)[1])))  # not kept


@pytest.mark.parametrize(("answer", "failure", "words"), [
    (b"", ClosedFailure, "closed without an answer"),
    (b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc", BrokenAnswerFailure, "middle of the answer"),
    (b"SSH-2.0-OpenSSH_9.2\r\n", BrokenAnswerFailure, "not HTTP"),
    (b"HTTP/1.1 200 OK\r\nContent-Len", BrokenAnswerFailure, "answer's head"),
    (b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", BrokenAnswerFailure, "chunks"),
    (b"HTTP/1.1 200 OK\r\nContent-Length: x\r\n\r\n", BrokenAnswerFailure, "Content-Length"),
    (b"HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: 3\r\n\r\nabc", BrokenAnswerFailure, "gzip"),
    (b"HTTP/1.1 200 OK\r\nContent-Encoding: br\r\nContent-Length: 3\r\n\r\nabc", BrokenAnswerFailure, "br"),
    (b"HTTP/1.1 200 OK\r\n" + b"X: y\r\n" * 300 + b"\r\n", BrokenAnswerFailure, "header lines"),
])
async def test_an_answer_that_is_cut_or_not_http_is_a_failure_that_says_so(answer, failure, words):
    async def script(reader, writer):
        await read_request(reader)
        writer.write(answer)
        await writer.drain()

    async with Scripted(script) as base, PlainSession(base) as session:
        with pytest.raises(failure) as raised:
            await session.request("GET", "/")
    assert words in str(raised.value)


async def test_a_server_that_never_answers_is_a_timeout_and_a_refused_port_a_connect_failure():
    async def silent(reader, writer):
        await read_request(reader)
        await asyncio.sleep(5)

    async with Scripted(silent) as base, PlainSession(base, timeout=0.2) as session:
        with pytest.raises(TimeoutFailure):
            await session.request("GET", "/")
        with pytest.raises(TimeoutFailure):
            await session.request("GET", "/", timeout=0.1)  # a request's own timeout
    server = await asyncio.start_server(lambda r, w: None, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    server.close()
    await server.wait_closed()
    async with PlainSession(f"http://127.0.0.1:{port}") as session:
        with pytest.raises(ConnectFailure) as refused:
            await session.request("GET", "/")
    assert str(refused.value) == "[Errno 111] Connection refused"


async def test_what_cannot_be_sent_is_refused_before_connecting_and_never_quoted():
    async with PlainSession("http://127.0.0.1:9") as session:
        for value in ("Bearer s3cret\r\nX-Evil: 1", "s3cret\n", "s3crét\u2028"):
            with pytest.raises(UnsendableFailure) as raised:
                await session.request("GET", "/", headers={"authorization": value})
            assert "s3cr" not in str(raised.value)
        for url in ("https://api.wiro.ai/v1/x", "http://127.0.0.1:99999/", "http:///nohost"):
            with pytest.raises(UnusableFailure):
                await session.request("GET", url)
    closed = PlainSession("http://127.0.0.1:9")
    await closed.aclose()
    with pytest.raises(UnusableFailure):
        await closed.request("GET", "/")
    assert "Basic" not in repr(PlainSession("http://x", auth=("AC1", "tok")))


async def test_a_request_reaches_a_server_as_httpx_sends_it():
    """The same request through both sessions to a standard-library server: method, path, query, body, and the
    headers that carry meaning are the same."""
    seen: list[tuple[str, str, dict[str, str], bytes]] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("content-length") or 0))
            seen.append((self.command, self.path, {k.lower(): v for k, v in self.headers.items()}, body))
            self.send_response(201)
            self.send_header("Content-Length", "2")
            self.send_header("Retry-After", "3")
            self.end_headers()
            self.wfile.write(b"{}")

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}/v1"
    params = {"PhoneNumber": "+1 555/0100", "PageSize": 50, "Flag": True, "Empty": None, "Many": ["a", "b&c"]}
    body = {"name": "Café ☕", "n": [1, 2.5, None], "ok": False}
    try:
        async with PlainSession(base, headers={"user-agent": "wiro-voice-tui"}, auth=("AC1", "tok")) as plain, \
                httpx.AsyncClient(base_url=base + "/", headers={"user-agent": "wiro-voice-tui"},
                                  auth=httpx.BasicAuth("AC1", "tok")) as reference:
            ours = await plain.request("POST", "Things/List", params=params, json=body)
            theirs = await reference.request("POST", "Things/List", params=params, json=body)
    finally:
        server.shutdown()
        server.server_close()
    assert ours.status_code == theirs.status_code == 201 and ours.headers.get("retry-after") == "3"
    (m1, path1, h1, b1), (m2, path2, h2, b2) = seen
    assert (m1, path1, b1) == (m2, path2, b2)
    assert path1.startswith("/v1/Things/List?PhoneNumber=%2B1+555%2F0100&PageSize=50&Flag=true&Empty=&Many=a")
    for name in ("host", "authorization", "content-type", "content-length", "user-agent"):
        assert h1[name] == h2[name], name
    assert query_text({"a": 1.5, "b": False}) == "a=1.5&b=false"


async def test_a_streamed_body_goes_chunked_or_as_its_given_length():
    scripted = Scripted(lambda r, w: None)
    scripted.script = scripted.answering(ok(b"{}"), ok(b"{}"))

    async def pieces():
        for piece in (b"abc", b"", b"defg"):
            yield piece

    async with scripted as base, PlainSession(base) as session:
        await session.request("POST", "/up", content=pieces())
        await session.request("POST", "/up", content=pieces(), headers={"content-length": "7"})
    (_, chunked, body1), (_, sized, body2) = scripted.seen
    assert chunked["transfer-encoding"] == "chunked" and "content-length" not in chunked and body1 == b"abcdefg"
    assert sized["content-length"] == "7" and "transfer-encoding" not in sized and body2 == b"abcdefg"


@pytest.mark.parametrize("through_httpx", [False, True])
async def test_the_twilio_client_reads_the_simulator_through_either_session(sim, monkeypatch, through_httpx):
    from tui.common import http as common_http

    monkeypatch.setattr(common_http, "HTTPX_FOR_PLAIN", through_httpx)
    async with TwilioClient(sim.twilio_account_sid, sim.twilio_auth_token, sim.twilio_base) as twilio:
        assert type(twilio._http).__name__ == ("HttpxSession" if through_httpx else "PlainSession")
        account = await twilio.account()
        numbers = await twilio.numbers()
        assert numbers
        found = await twilio.numbers(phone_number=numbers[0].phone_number)  # "+1…": sent as %2B1…
    assert account.sid == sim.twilio_account_sid
    assert [n.phone_number for n in found] == [numbers[0].phone_number]
