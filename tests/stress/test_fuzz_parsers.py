"""Every response parser, and the clients' envelope handling, against generated answers.

Parsers (tui/wiro/models.py, tui/twilio/models.py) get any JSON value where an object is expected, objects
with their own keys holding wrong types, huge strings and unicode: they must return their typed result (every
field of the declared type) or None where the parser documents it, never raise. What the screens and
commands build from those results (table rows, strip figures, activity events, webhook verdicts, exports) is
run too, since a parser that "succeeds" with a value nobody can display is only a later crash.

The clients are driven over a real loopback server that answers whatever the example says (status, headers,
body): every endpoint must return its typed result or raise the client's own error type.
"""

from __future__ import annotations

import asyncio
import dataclasses
import functools
import json
import socket
import threading
import types
import typing
from collections.abc import Iterator, Mapping
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tui.activity.events import from_tail
from tui.calls.export import session_document
from tui.calls.rows import row_for
from tui.calls.stats import sparkline, strip_figures
from tui.twilio.classify import classify
from tui.twilio.errors import TwilioError
from tui.twilio.models import IncomingNumber, TwilioAccount, TwiMLApp
from tui.ui.screens.logs_text import cells, detail_rows
from tui.wiro.errors import WiroError
from tui.wiro.models import (
    Agent,
    CallSession,
    LogEvent,
    LogTail,
    MessageDetail,
    TwilioVoiceCredential,
    UploadedFile,
    UpsertResult,
    WebhookItem,
)

pytestmark = pytest.mark.long

FAST = {"deadline": None, "suppress_health_check": [HealthCheck.too_slow, HealthCheck.data_too_large]}
NOW_MS = 1_777_000_000_000

# -- generated JSON -------------------------------------------------------------------------------------------

UNICODE = ["", " ", "é", "日本語", "\u202e", "\x00", "\x1b[31m", "[bold]x[/bold]", "\ud7ff", "😀", "\n", "null", "NaN",
           "1e999", "-1", "0x10", "  42 ", "true", "{", "{\"a\": 1}", "***encrypted***", "+14155550142"]
huge = st.builds(lambda ch, n: ch * n, st.sampled_from(["a", "é", "9", " ", "😀", "{"]), st.integers(10_000, 200_000))
texts = st.one_of(st.text(max_size=30), st.sampled_from(UNICODE), huge)
numbers = st.one_of(st.integers(), st.integers(-(2**70), 2**70), st.floats(allow_nan=True, allow_infinity=True),
                    st.sampled_from([0, -1, 10**17, 10**20, 2**63, 1e18, -1e300]))
scalars = st.one_of(st.none(), st.booleans(), numbers, texts)
json_values = st.recursive(scalars, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                             st.dictionaries(texts, inner, max_size=4)), max_leaves=12)

WIRO_KEYS = ["guid", "title", "status", "setuprequired", "restartafter", "agent", "configuration", "credentials",
             "twilio-voice", "accountsid", "authtoken", "phonenumbers", "maxcallseconds", "whitelistedcallers",
             "holdstrategy", "holdtext", "holdvoice", "holdaudio", "holdmusic", "_connected", "messageguid",
             "agenttoken", "channel", "callsid", "callerInfo", "number", "country", "page_url", "display_identifier",
             "callerProfile", "endReason", "durationSeconds", "modelSlug", "startedAt", "endedAt", "createdat",
             "startedat", "endedat", "content", "response", "metadata", "reason", "ts", "kind", "ok", "error",
             "date", "totalLines", "events", "logs", "data", "list", "url", "id", "name", "contenttype", "size",
             "twilioWebhooksUpdated", "twilioWebhookSkipped", "twilioWebhooksFailed", "twilioWebhookError",
             "phonenumber", "phoneNumber", "phone_number", "message", "code", "useragents", "result", "errors"]
TWILIO_KEYS = ["sid", "friendly_name", "status", "type", "owner_account_sid", "auth_token", "phone_number",
               "voice_url", "voice_method", "voice_fallback_url", "status_callback", "status_callback_method",
               "voice_application_sid", "trunk_sid", "voice_receive_mode", "capabilities", "voice", "Voice", "sms",
               "mms", "fax", "origin", "incoming_phone_numbers", "next_page_uri", "code", "message"]


def keyed(keys: list[str]):
    """Objects using the parsers' own keys (nested, so sub-objects are found too) with any values."""
    return st.recursive(
        st.dictionaries(st.sampled_from(keys), json_values, max_size=8),
        lambda inner: st.dictionaries(st.sampled_from(keys), st.one_of(inner, st.lists(inner, max_size=3), json_values),
                                      max_size=8),
        max_leaves=6,
    )


anything = st.one_of(json_values, keyed(WIRO_KEYS))
# the documented shapes, with every leaf fuzzed, so the nested paths (credential, callerInfo) are reached often
agent_shaped = st.fixed_dictionaries(
    {"guid": st.one_of(st.text(min_size=1, max_size=8), json_values)},
    optional={"title": anything, "status": anything, "agent": anything, "restartafter": anything,
              "configuration": st.one_of(anything, st.fixed_dictionaries({"credentials": st.one_of(
                  anything, st.fixed_dictionaries({"twilio-voice": st.one_of(anything, anything.map(json.dumps))}))}))})
session_shaped = st.fixed_dictionaries(
    {"messageguid": st.one_of(st.text(min_size=1, max_size=8), json_values)},
    optional={"callerInfo": anything, "startedAt": numbers, "endedAt": numbers, "durationSeconds": anything,
              "status": st.one_of(anything, st.sampled_from(["realtime_session", "realtime_session_active",
                                                             "realtime_session_incoming", "realtime_session_rejected"])),
              "endReason": st.one_of(anything, st.sampled_from(["wiro_completed", "wiro_error", "max_duration"])),
              "channel": anything, "modelSlug": anything, "callsid": anything})
wiro_input = st.one_of(json_values, keyed(WIRO_KEYS), keyed(WIRO_KEYS).map(json.dumps),  # objects as JSON text, too
                       agent_shaped, session_shaped)
twilio_input = st.one_of(json_values, keyed(TWILIO_KEYS))


# -- typed results ---------------------------------------------------------------------------------------------


def conforms(value, hint) -> bool:
    """Does `value` have the declared type (unions, tuples, mappings and nested dataclasses included)?"""
    if hint is typing.Any:
        return True
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        return any(conforms(value, arm) for arm in typing.get_args(hint))
    if hint is type(None):
        return value is None
    if origin is tuple:
        args = typing.get_args(hint)
        return isinstance(value, tuple) and all(conforms(v, args[0]) for v in value)
    if origin in (Mapping, dict) or hint in (Mapping, dict):
        return isinstance(value, Mapping)
    if hint is int:
        return isinstance(value, int) and not isinstance(value, bool)
    if hint is bool:
        return isinstance(value, bool)
    if dataclasses.is_dataclass(hint):
        return isinstance(value, hint) and typed(value)
    return isinstance(value, hint)


@functools.cache
def hints_of(cls: type) -> dict[str, object]:
    """The resolved annotations of a dataclass (resolving them evaluates every annotation string: do it once)."""
    return typing.get_type_hints(cls)


def typed(result) -> bool:
    hints = hints_of(type(result))
    for f in dataclasses.fields(result):
        assert conforms(getattr(result, f.name), hints[f.name]), f"{type(result).__name__}.{f.name} = {getattr(result, f.name)!r:.200}"
    return True


def local(epoch: float) -> datetime:
    return datetime.fromtimestamp(epoch)


# -- the Wiro parsers ---------------------------------------------------------------------------------------------


@settings(max_examples=250, **FAST)
@given(wiro_input)
def test_wiro_parsers_return_typed_results(data):
    for parser in (TwilioVoiceCredential.parse, MessageDetail.parse, UpsertResult.parse, LogTail.parse, WebhookItem.parse):
        assert typed(parser(data))
    for parser in (Agent.parse, CallSession.parse, LogEvent.parse, UploadedFile.parse):
        result = parser(data)
        assert result is None or typed(result)
    upsert = UpsertResult.parse(data)
    for item in upsert.updated + upsert.skipped + upsert.failed:
        assert item.number is not None or item.text  # an unrecognised item still says what came
    agent = Agent.parse(data)
    if agent is not None and agent.credential is not None:
        assert agent.credential.raw.get("authtoken") in (None, "", "***encrypted***")  # never the token itself
        assert agent.status_name and isinstance(agent.needs_setup, bool)


@settings(max_examples=150, **FAST)
@given(st.lists(wiro_input, max_size=6))
def test_what_screens_build_from_call_sessions_and_log_events(items):
    sessions = [s for s in (CallSession.parse(i) for i in items) if s is not None]
    for session in sessions:
        row = row_for(session, NOW_MS, local)
        assert all(isinstance(c, str) for c in row.cells())
        json.dumps(session_document(session), default=str)
    strip_figures(sessions, NOW_MS)
    sparkline(sessions, NOW_MS)
    tail = LogTail.parse({"events": items})
    for event in from_tail(tail):
        assert all(isinstance(v, str) for v in cells(event, local).values())
        detail_rows(event, local)


# -- the Twilio parsers ---------------------------------------------------------------------------------------------


@settings(max_examples=200, **FAST)
@given(twilio_input, texts)
def test_twilio_parsers_return_typed_results_and_verdicts(data, fallback):
    account = TwilioAccount.parse(data, fallback)
    assert typed(account) and not hasattr(account, "auth_token")
    assert typed(TwiMLApp.parse(data, fallback))
    number = IncomingNumber.parse(data)
    assert number is None or typed(number)
    verdict = classify("+14155550142", number, application=TwiMLApp.parse(data, "AP1"), agent_guid="g")
    assert isinstance(verdict.title, str) and isinstance(verdict.detail, str)


# -- the clients, over loopback ------------------------------------------------------------------------------------


class Scripted:
    """What the loopback server answers next: status, headers and body."""

    status = 200
    headers: typing.ClassVar[dict[str, str]] = {}
    body = b"{}"


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def setup(self) -> None:
        super().setup()
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)  # no 40 ms Nagle wait per answer

    def _answer(self) -> None:
        length = int(self.headers.get("content-length") or 0)
        if length:
            self.rfile.read(length)
        self.send_response(Scripted.status)
        for name, value in Scripted.headers.items():
            self.send_header(name, value)
        self.send_header("content-length", str(len(Scripted.body)))
        self.end_headers()
        self.wfile.write(Scripted.body)

    do_GET = do_POST = _answer  # http.server's naming

    def log_message(self, *args) -> None:
        pass


@pytest.fixture(scope="module")
def scripted() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    server.daemon_threads = True
    # a short poll: shutdown() waits for the next one (the default is 0.5 s)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


STATUSES = st.sampled_from([200, 200, 200, 201, 400, 401, 403, 404, 409, 418, 429, 500, 502, 503])
RETRY_AFTER = st.one_of(st.none(), st.sampled_from(["1", "0", "-5", "nan", "inf", "1e400", "soon", "",
                                                    "Wed, 21 Oct 2015 07:28:00 GMT", "Mon, 99 Foo 2015", "31 Dec 9999"]))
CONTENT_TYPES = st.sampled_from(["application/json", "text/html", "text/plain", "application/octet-stream", ""])


def envelope(data):
    """Wiro-shaped answers: result true/false with fuzzed payload keys."""
    return st.one_of(
        st.fixed_dictionaries({"result": st.sampled_from([True, False, None, "true", 1]), "errors": json_values},
                              optional={k: data for k in ("useragents", "data", "list", "events", "date", "totalLines",
                                                          "twilioWebhooksUpdated", "twilioWebhookError")}),
        json_values,
    ).map(lambda d: json.dumps(d).encode())


bodies = st.one_of(envelope(st.one_of(json_values, st.lists(keyed(WIRO_KEYS), max_size=3), keyed(WIRO_KEYS))),
                   st.binary(max_size=300),
                   st.sampled_from([b"", b"{", b'{"result": true, "data": [{"messageguid": "5c4', b"<html>502</html>",
                                    b"[" * 5000 + b"]" * 5000, b"\xff\xfe{}", b"null", b'"text"', b"1e999"]))


@settings(max_examples=120, **FAST)
@given(STATUSES, RETRY_AFTER, CONTENT_TYPES, bodies)
def test_wiro_client_gives_typed_results_or_wiro_errors(scripted, status, retry_after, ctype, body):
    from tui.wiro import RetryPolicy, WiroClient

    Scripted.status, Scripted.body = status, body
    Scripted.headers = {k: v for k, v in (("content-type", ctype), ("retry-after", retry_after)) if v is not None}

    async def no_wait(_seconds: float) -> None:
        return None

    async def calls() -> None:
        async with WiroClient("fuzz-key-0000", None, scripted + "/v1", timeout=5, retry=RetryPolicy(retries=1),
                              sleep=no_wait) as client:
            for call in (client.my_agents, lambda: client.detail("g"), lambda: client.credential_upsert("g", []),
                         lambda: client.start("g"), lambda: client.call_history("g"),
                         lambda: client.message_detail(messageguid="m"), lambda: client.logs("g"),
                         lambda: client.upload(b"RIFF", filename="a.wav")):
                try:
                    result = await call()
                except WiroError as err:
                    assert isinstance(err.message, str) and err.message
                    continue
                for item in result if isinstance(result, list) else [result]:
                    assert item is None or typed(item)

    asyncio.run(calls())


twilio_bodies = st.one_of(
    st.fixed_dictionaries({}, optional={"incoming_phone_numbers": st.one_of(json_values, st.lists(keyed(TWILIO_KEYS), max_size=3)),
                                        "next_page_uri": st.one_of(texts, st.sampled_from(["/2010-04-01/x.json", "http://evil.example/x",
                                                                                           "//evil", "/\x00", "/a b"])),
                                        "sid": texts, "code": json_values, "message": json_values}).map(lambda d: json.dumps(d).encode()),
    st.binary(max_size=200), st.sampled_from([b"", b"[]", b"{", b"<html/>"]))


@settings(max_examples=100, **FAST)
@given(STATUSES, RETRY_AFTER, twilio_bodies)
def test_twilio_client_gives_typed_results_or_twilio_errors(scripted, status, retry_after, body):
    from tui.common.http import RetryPolicy
    from tui.twilio.client import TwilioClient

    Scripted.status, Scripted.body = status, body
    Scripted.headers = {"content-type": "application/json", **({"retry-after": retry_after} if retry_after is not None else {})}

    async def no_wait(_seconds: float) -> None:
        return None

    async def calls() -> None:
        async with TwilioClient("AC" + "0" * 32, "token-0000", scripted + "/twilio", timeout=5,
                                retry=RetryPolicy(retries=1), sleep=no_wait) as client:
            for call in (client.account, lambda: client.numbers(max_pages=3), client.first_number_page,
                         lambda: client.find_number("+14155550142"), lambda: client.application("AP1")):
                try:
                    result = await call()
                except TwilioError as err:
                    assert str(err) and "token-0000" not in str(err)
                    continue
                for item in result if isinstance(result, list) else [result]:
                    assert item is None or typed(item)

    asyncio.run(calls())


async def test_the_simulators_garbage_fault_is_a_protocol_error(sim):
    """The simulator's own cut-off answer (valid start, cut mid-string) reaches the client as ProtocolError."""
    from tui.wiro import ProtocolError, RetryPolicy, WiroClient

    sim.set_faults("garbage:1.0")
    async with WiroClient(sim.api_key, None, sim.wiro_base, retry=RetryPolicy(retries=0)) as client:
        with pytest.raises(ProtocolError, match="not JSON"):
            await client.call_history(sim.demo_agent_guid)
    assert sim.requests.count("TwilioCallHistory/List", fault="garbage") == 1
