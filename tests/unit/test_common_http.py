"""The HTTP rules both API clients share (tui/common/http.py) and the failure kinds callers catch once
(tui/common/errors.py): each against the simulator where a server can answer, and as plain functions."""

from __future__ import annotations

import os
import ssl
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from tui.common import errors as common
from tui.common.http import (
    NOT_JSON,
    BrokenAnswerFailure,
    ClosedFailure,
    ConnectFailure,
    TimeoutFailure,
    TransportFailure,
    UnsendableFailure,
    UnusableFailure,
    RetryPolicy,
    connection_reason,
    content_type,
    error_fields,
    json_body,
    retry_after,
    retry_after_seconds,
    retrying,
    transport_failure,
)
from tui.common.httpx_session import HttpxSession, failure_from_httpx
from tui.common.plain_http import PlainSession
from tui.twilio import errors as twilio_errors
from tui.twilio.client import TwilioClient
from tui.wiro import errors as wiro_errors
from tui.wiro.client import WiroClient

NOW = datetime(2026, 4, 24, 3, 6, 40, tzinfo=UTC)


def test_retry_after_reads_seconds_or_a_date_and_ignores_junk():
    assert retry_after_seconds("2") == 2.0 and retry_after_seconds("-5") == 0.0
    assert retry_after_seconds("Fri, 24 Apr 2026 03:07:10 GMT", now=NOW) == 30.0
    assert retry_after_seconds("Fri, 24 Apr 2026 03:07:10 -0000", now=NOW) == 30.0  # a zone said as unknown: UTC
    assert retry_after_seconds("Wed, 21 Oct 2015 07:28:00 GMT", now=NOW) == 0.0  # in the past: go now
    for junk in (None, "", "soon", "Mon, 99 Foo 2015", "31 Dec 9999"):
        assert retry_after_seconds(junk, now=NOW) is None, junk
    response = httpx.Response(429, headers={"retry-after": "7"})
    assert retry_after(response) == 7.0 and retry_after(httpx.Response(429)) is None


def test_backoff_doubles_within_its_cap_and_gives_up_when_asked_to_wait_longer():
    policy = RetryPolicy(retries=5, base_delay=1.0, max_delay=4.0)
    waits = [policy.delay(attempt, None) for attempt in range(5)]
    for attempt, wait in enumerate(waits):
        assert 0.75 * min(4.0, 2**attempt) <= wait <= 1.25 * min(4.0, 2**attempt)
    assert policy.delay(0, 3.5) >= 3.5  # the server's wait is honoured
    assert policy.delay(0, 60.0) is None  # longer than we wait: the caller comes back then


class Flaky:
    """Fails with the given errors in turn, then answers "done"."""

    def __init__(self, *errors: Exception) -> None:
        self.errors = list(errors)
        self.calls = 0

    async def __call__(self) -> str:
        self.calls += 1
        if self.errors:
            raise self.errors.pop(0)
        return "done"


class Sleeps(list):
    async def __call__(self, seconds: float) -> None:
        self.append(seconds)


async def test_transient_and_rate_limited_failures_of_either_client_are_retried():
    sleeps = Sleeps()
    once = Flaky(wiro_errors.TransientError("w", kind="server"),
                 twilio_errors.RateLimitedError("t", retry_after=2.0),
                 wiro_errors.RateLimitedError("w"))
    assert await retrying(once, RetryPolicy(retries=3, base_delay=0.1, max_delay=5.0), sleeps) == "done"
    assert once.calls == 4 and len(sleeps) == 3 and sleeps[1] >= 2.0


async def test_a_write_is_not_retried_after_a_transient_failure_but_is_after_a_429():
    sleeps = Sleeps()
    timeout = Flaky(wiro_errors.TransientError("timed out", kind="timeout"))
    with pytest.raises(wiro_errors.TransientError):
        await retrying(timeout, RetryPolicy(), sleeps, retry_transient=False)
    assert timeout.calls == 1 and sleeps == []
    limited = Flaky(wiro_errors.RateLimitedError("slow down", retry_after=0.0))
    assert await retrying(limited, RetryPolicy(base_delay=0.01), sleeps, retry_transient=False) == "done"
    assert limited.calls == 2


async def test_retries_end_with_the_last_failure_and_other_errors_are_not_retried():
    sleeps = Sleeps()
    failing = Flaky(*(twilio_errors.TransientError(f"try {i}") for i in range(5)))
    with pytest.raises(twilio_errors.TransientError, match="try 2"):
        await retrying(failing, RetryPolicy(retries=2, base_delay=0.01), sleeps)
    assert failing.calls == 3 and len(sleeps) == 2
    refused = Flaky(wiro_errors.AuthError("no"))
    with pytest.raises(wiro_errors.AuthError):
        await retrying(refused, RetryPolicy(), sleeps)
    assert refused.calls == 1 and len(sleeps) == 2
    too_long = Flaky(wiro_errors.RateLimitedError("later", retry_after=3600.0))
    with pytest.raises(wiro_errors.RateLimitedError):
        await retrying(too_long, RetryPolicy(max_delay=30.0), sleeps)
    assert too_long.calls == 1


def test_transport_failures_are_told_apart():
    assert transport_failure(TimeoutFailure("no answer within 5 s")) == "timeout"
    assert transport_failure(UnsendableFailure("the authorization header has a line break in it")) == "unsendable"
    assert transport_failure(UnusableFailure("no scheme")) == "unusable"
    refused = ConnectFailure("[Errno 111] Connection refused")
    assert transport_failure(refused) == "connection" and transport_failure(ClosedFailure()) == "connection"
    assert connection_reason(refused) == "connection refused or host not found ([Errno 111] Connection refused)."
    assert connection_reason(refused, quote_library=False) == "connection refused or host not found."
    assert connection_reason(ClosedFailure("peer closed")) == "the connection closed without an answer."
    assert connection_reason(BrokenAnswerFailure("the answer is not HTTP/1.1")) == "the answer is not HTTP/1.1."
    assert connection_reason(TransportFailure("x" * 200)) == "the connection failed."
    assert connection_reason(BrokenAnswerFailure("the answer is not HTTP/1.1"), quote_library=False) == \
        "the connection failed."


def test_httpx_failures_become_the_same_kinds_and_never_quote_a_header():
    request = httpx.Request("GET", "https://api.wiro.ai/v1/")
    cases = [(httpx.ReadTimeout("slow", request=request), TimeoutFailure),
             (httpx.ConnectTimeout("slow", request=request), TimeoutFailure),
             (httpx.LocalProtocolError("Illegal header value b'Bearer s3cret'"), UnsendableFailure),
             (httpx.UnsupportedProtocol("no scheme"), UnusableFailure), (httpx.InvalidURL("bad port"), UnusableFailure),
             (OverflowError("port"), UnusableFailure),
             (httpx.ConnectError("[Errno 111] Connection refused", request=request), ConnectFailure),
             (httpx.RemoteProtocolError("peer closed"), ClosedFailure),
             (httpx.ReadError("reset", request=request), TransportFailure)]
    for raised, kind in cases:
        failure = failure_from_httpx(raised)
        assert type(failure) is kind, (raised, failure)
        assert "s3cret" not in str(failure)
    assert connection_reason(failure_from_httpx(cases[6][0])) == \
        "connection refused or host not found ([Errno 111] Connection refused)."
    assert connection_reason(failure_from_httpx(cases[7][0])) == "the connection closed without an answer."
    assert connection_reason(failure_from_httpx(cases[8][0])) == "reset."


def test_answer_bodies_are_read_without_trusting_them():
    assert json_body(httpx.Response(200, content=b'{"result": true}')) == {"result": True}
    assert json_body(httpx.Response(200, content=b"[1]")) == [1]
    for junk in (b"", b"<html>proxy</html>", b"{", b"[" * 100_000, b"\xff\xfe"):
        assert json_body(httpx.Response(200, content=junk)) is NOT_JSON
    assert error_fields(httpx.Response(404, content=b'{"code": 20404, "message": "no"}')) == {"code": 20404,
                                                                                              "message": "no"}
    assert error_fields(httpx.Response(500, content=b"[1, 2]")) == {}
    assert content_type(httpx.Response(502, headers={"content-type": "text/html; charset=utf-8"})) == "text/html"
    assert content_type(httpx.Response(502)) == "unknown type"


# -- one catch for both clients, against the simulator ----------------------------------------------


async def test_one_not_found_type_catches_either_clients_not_found(sim):
    caught = []
    async with WiroClient(sim.api_key, base_url=sim.wiro_base, retry=RetryPolicy(retries=0)) as wiro:
        try:
            await wiro.detail("00000000-0000-4000-8000-000000000000")
        except common.NotFoundError as err:
            caught.append(err)
    # authenticated as the demo account, asking for another account's resource: Twilio answers 404 (20404)
    other = "AC" + "0" * 32
    async with TwilioClient(other, sim.twilio_auth_token, sim.twilio_base, key_sid=sim.twilio_account_sid,
                            retry=RetryPolicy(retries=0)) as twilio:
        try:
            await twilio.account()
        except common.NotFoundError as err:
            caught.append(err)
    assert len(caught) == 2 and type(caught[1]) is twilio_errors.NotFoundError
    assert isinstance(caught[0], wiro_errors.NotFoundError) and isinstance(caught[0], wiro_errors.WiroError)
    assert isinstance(caught[1], twilio_errors.TwilioError) and caught[1].status == 404 and caught[1].code == 20404


def test_the_shared_kinds_keep_each_clients_own_fields():
    limited = twilio_errors.RateLimitedError("slow", retry_after=3.0)
    assert isinstance(limited, common.RateLimitedError) and limited.retry_after == 3.0 and limited.status == 429
    gone = wiro_errors.TransientError("down", kind="server", endpoint="UserAgent/Detail", status=503)
    assert isinstance(gone, common.TransientError) and gone.kind == "server" and str(gone) == "down"
    assert not isinstance(wiro_errors.AuthError("no"), (common.NotFoundError, common.TransientError,
                                                         common.RateLimitedError))


async def test_plain_http_clients_load_no_httpx_and_https_ones_verify(sim):
    async with WiroClient(sim.api_key, None, sim.wiro_base) as plain:
        assert isinstance(plain._http, PlainSession)
        assert await plain.my_agents()  # and it talks to the simulator
    secure = WiroClient("key-0000", None, "https://api.wiro.ai/v1")
    assert isinstance(secure._http, HttpxSession)
    context = secure._http._client._transport._pool._ssl_context  # (httpx's and httpcore's own attributes)
    assert context.verify_mode == ssl.CERT_REQUIRED and context.check_hostname
    assert not secure._http._client.follow_redirects
    await secure.aclose()
    twilio = TwilioClient("AC" + "0" * 32, "token-0000", base_url=sim.twilio_base)
    assert isinstance(twilio._http, PlainSession) and "token-0000" not in repr(twilio._http)
    await twilio.aclose()
    secure_twilio = TwilioClient("AC" + "0" * 32, "token-0000")
    assert isinstance(secure_twilio._http, HttpxSession) and not secure_twilio._http._client.follow_redirects
    await secure_twilio.aclose()


def test_the_dashboard_with_a_plain_http_base_never_loads_httpx(tmp_path):
    """In a fresh interpreter: both clients made and used against the simulator on loopback, and httpx never
    imported (with httpcore, h11 and anyio it costs ~5.5 MiB of a running dashboard)."""
    script = (
        "import asyncio, sys\n"
        "from tui.sim import Simulator\n"
        "from tui.wiro.client import WiroClient\n"
        "from tui.twilio.client import TwilioClient\n"
        "async def main():\n"
        "    sim = Simulator(seed=3).start()\n"
        "    try:\n"
        "        async with WiroClient(sim.api_key, None, sim.wiro_base) as wiro:\n"
        "            assert await wiro.my_agents()\n"
        "        async with TwilioClient(sim.twilio_account_sid, sim.twilio_auth_token, sim.twilio_base) as tw:\n"
        "            assert await tw.account()\n"
        "    finally:\n"
        "        sim.stop()\n"
        "asyncio.run(main())\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('httpx', 'httpcore', 'anyio', 'h11')))\n"
    )
    ran = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60,
                         env={**os.environ, "HOME": str(tmp_path)}, cwd=Path(__file__).resolve().parents[2])
    assert ran.returncode == 0, ran.stderr[-2000:]
    assert ran.stdout.strip().splitlines()[-1] == "[]"
