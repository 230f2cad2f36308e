"""The HTTP rules both API clients share (tui/common/http.py) and the failure kinds callers catch once
(tui/common/errors.py): each against the simulator where a server can answer, and as plain functions."""

from __future__ import annotations

import ssl
from datetime import UTC, datetime

import httpx
import pytest

from tui.common import errors as common
from tui.common.http import (
    NOT_JSON,
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
    request = httpx.Request("GET", "http://127.0.0.1:9/")
    assert transport_failure(httpx.ReadTimeout("slow", request=request)) == "timeout"
    assert transport_failure(httpx.LocalProtocolError("Illegal header value b'Bearer s3cret'")) == "unsendable"
    assert transport_failure(httpx.UnsupportedProtocol("no scheme")) == "unusable"
    assert transport_failure(httpx.InvalidURL("bad port")) == "unusable"
    refused = httpx.ConnectError("[Errno 111] Connection refused", request=request)
    assert transport_failure(refused) == "connection"
    assert connection_reason(refused) == "connection refused or host not found ([Errno 111] Connection refused)."
    assert connection_reason(refused, quote_library=False) == "connection refused or host not found."
    assert connection_reason(httpx.RemoteProtocolError("peer closed")) == "the connection closed without an answer."
    assert connection_reason(httpx.ReadError("x" * 200), quote_library=True) == "ReadError."


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


async def test_plain_http_clients_make_no_tls_context_and_https_ones_verify(sim):
    async with WiroClient(sim.api_key, None, sim.wiro_base) as plain:
        assert plain._http._transport._pool._ssl_context is None  # (httpx's and httpcore's own attributes)
        assert await plain.my_agents()  # and it talks to the simulator
    secure = WiroClient("key-0000", None, "https://api.wiro.ai/v1")
    context = secure._http._transport._pool._ssl_context
    assert context.verify_mode == ssl.CERT_REQUIRED and context.check_hostname
    await secure.aclose()
    twilio = TwilioClient("AC" + "0" * 32, "token-0000", base_url=sim.twilio_base)
    assert twilio._http._transport._pool._ssl_context is None
    await twilio.aclose()
