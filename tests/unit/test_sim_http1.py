"""The simulator's HTTP/1.1 (tui/sim/http1.py) on raw sockets: kept-alive requests, what it answers to a request
it cannot read, HTTP/1.0, Expect: 100-continue, and the Date it sends."""

from __future__ import annotations

import email.utils
import json
import socket

import pytest

from tui.sim import DEMO_API_KEY
from tui.sim.http1 import http_date


def connect(sim) -> socket.socket:
    conn = socket.create_connection(("127.0.0.1", sim.port), timeout=5)
    return conn


def read_answer(conn: socket.socket) -> tuple[str, dict[str, str], bytes]:
    """One answer: (status line, headers, body by Content-Length)."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(65536)
        if not chunk:
            break
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:])}
    size = int(headers.get("content-length", "0"))
    while len(body) < size:
        chunk = conn.recv(65536)
        if not chunk:
            break
        body += chunk
    return lines[0], headers, body


def closed(conn: socket.socket) -> bool:
    try:
        return conn.recv(1) == b""
    except (ConnectionResetError, TimeoutError):
        return True


def agents_request(version: str = "HTTP/1.1", extra: str = "") -> bytes:
    body = b"{}"
    return (f"POST /v1/UserAgent/MyAgents {version}\r\nHost: x\r\nx-api-key: {DEMO_API_KEY}\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n{extra}\r\n").encode() + body


def test_requests_follow_each_other_on_one_connection_until_the_client_says_close(sim):
    with connect(sim) as conn:
        for _ in range(3):
            conn.sendall(agents_request())
            status, headers, body = read_answer(conn)
            assert status == "HTTP/1.1 200 OK" and json.loads(body)["result"] is True
            assert headers["content-type"].startswith("application/json") and "connection" not in headers
        conn.sendall(agents_request(extra="Connection: close\r\n"))
        status, headers, _ = read_answer(conn)
        assert status == "HTTP/1.1 200 OK" and headers["connection"] == "close"
        assert closed(conn)


def test_http_1_0_closes_after_its_answer_unless_it_asks_to_keep_alive(sim):
    with connect(sim) as conn:
        conn.sendall(agents_request("HTTP/1.0", "Connection: keep-alive\r\n"))
        assert read_answer(conn)[0] == "HTTP/1.1 200 OK"
        conn.sendall(agents_request("HTTP/1.0"))
        assert read_answer(conn)[0] == "HTTP/1.1 200 OK"
        assert closed(conn)


@pytest.mark.parametrize(("request_bytes", "status"), [
    (b"GARBAGE\r\n\r\n", "400 Bad Request"),
    (b"GET /\r\n\r\n", "400 Bad Request"),
    (b"GET / HTTP/2.0\r\n\r\n", "505 HTTP Version Not Supported"),
    (b"GET / SPDY/3\r\n\r\n", "400 Bad Request"),
    (b"GET /" + b"a" * 70_000 + b" HTTP/1.1\r\n\r\n", "414 URI Too Long"),
    (b"GET / HTTP/1.1\r\n" + b"X-A: b\r\n" * 101 + b"\r\n", "431 Request Header Fields Too Large"),
    (b"GET / HTTP/1.1\r\nnot a header\r\n\r\n", "400 Bad Request"),
    (b"BREW /v1/x HTTP/1.1\r\nContent-Length: 0\r\n\r\n", "501 Not Implemented"),
])
def test_a_request_it_cannot_read_gets_a_status_that_says_why_and_the_connection_closes(sim, request_bytes, status):
    with connect(sim) as conn:
        conn.sendall(request_bytes)
        line, headers, body = read_answer(conn)
        assert line == f"HTTP/1.1 {status}" and headers["connection"] == "close"
        assert body.decode().startswith(status.split()[0]) and headers["content-type"].startswith("text/plain")
        assert closed(conn)
    with connect(sim) as conn:  # and it goes on serving
        conn.sendall(agents_request())
        assert read_answer(conn)[0] == "HTTP/1.1 200 OK"


def test_expect_100_continue_is_answered_before_the_body_is_read(sim):
    body = b"{}"
    with connect(sim) as conn:
        conn.sendall((f"POST /v1/UserAgent/MyAgents HTTP/1.1\r\nHost: x\r\nx-api-key: {DEMO_API_KEY}\r\n"
                      f"Content-Length: {len(body)}\r\nExpect: 100-continue\r\n\r\n").encode())
        assert conn.recv(100) == b"HTTP/1.1 100 Continue\r\n\r\n"
        conn.sendall(body)
        assert read_answer(conn)[0] == "HTTP/1.1 200 OK"


def test_the_date_header_is_an_http_date_in_english():
    assert email.utils.parsedate_to_datetime(http_date(784111777)).timestamp() == 784111777
    assert http_date(784111777) == "Sun, 06 Nov 1994 08:49:37 GMT"
    for epoch in range(0, 2_000_000_000, 86_400 * 37 + 3_601):
        assert http_date(epoch) == email.utils.formatdate(epoch, usegmt=True)
