"""The Wiro client against the simulator over loopback: every endpoint and every error class."""

from __future__ import annotations

import socket

import pytest

from tui.sim import DEMO_SIG_API_KEY, DEMO_SIG_API_SECRET
from tui.wiro import (
    ApiError,
    AuthError,
    NotFoundError,
    ProtocolError,
    WiroError,
    RateLimitedError,
    RetryPolicy,
    TransientError,
    WiroClient,
)

from tui.wiro.health import failure_phrase

from .odd_server import odd_server


class Sleeps:
    """Records backoff waits instead of sleeping, so retry tests are fast and the waits can be checked."""

    def __init__(self) -> None:
        self.waits: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)


def make(sim, *, key=None, secret=None, base=None, sleeps=None, timeout=5.0, retries=3):
    return WiroClient(
        key or sim.api_key,
        secret,
        base or sim.wiro_base,
        timeout=timeout,
        retry=RetryPolicy(retries=retries, base_delay=0.01, max_delay=5.0),
        sleep=sleeps or Sleeps(),
    )


async def test_my_agents_pages_through_everything(sim):
    async with make(sim) as client:
        agents = await client.my_agents(page_size=1)
    guids = [a.guid for a in agents]
    assert {sim.demo_agent_guid, sim.stopped_agent_guid, sim.setup_agent_guid} <= set(guids)
    assert len(guids) == len(set(guids))


async def test_detail_parses_the_credential_and_never_holds_the_token(sim):
    async with make(sim) as client:
        agent = await client.detail(sim.demo_agent_guid)
    assert agent.status == 4 and agent.status_name == "Running"
    cred = agent.credential
    assert cred is not None and cred.authtoken_set
    assert cred.accountsid == sim.twilio_account_sid
    assert cred.holdstrategy == "text_then_music" and cred.phonenumbers
    assert sim.twilio_auth_token not in repr(agent) and sim.twilio_auth_token not in str(dict(agent.raw))


async def test_signature_mode(sim):
    async with make(sim, key=DEMO_SIG_API_KEY, secret=DEMO_SIG_API_SECRET) as client:
        assert client.signature_mode
        agents = await client.my_agents()
        agents_again = await client.my_agents()  # a fresh nonce each time is accepted
    assert agents and [a.guid for a in agents] == [a.guid for a in agents_again]


async def test_signature_project_without_secret_gets_the_documented_401(sim):
    async with make(sim, key=DEMO_SIG_API_KEY) as client:
        with pytest.raises(AuthError, match="requires signature authentication"):
            await client.my_agents()


async def test_wrong_secret_and_wrong_key(sim):
    async with make(sim, key=DEMO_SIG_API_KEY, secret="not-the-secret-0000") as client:
        with pytest.raises(AuthError, match="not valid"):
            await client.my_agents()
    async with make(sim, key="wrong-key-abcdefghijklmnop") as client:
        with pytest.raises(AuthError) as info:
            await client.detail(sim.demo_agent_guid)
    assert info.value.status == 401 and "not founded" in info.value.message
    assert "abcdefghijklmnop" not in str(info.value) and "abcdefghijklmnop" not in repr(info.value)


async def test_unknown_agent_is_not_found(sim):
    async with make(sim) as client:
        with pytest.raises(NotFoundError, match="not found"):
            await client.detail("00000000-0000-4000-8000-000000000000")
        with pytest.raises(NotFoundError):
            await client.start("00000000-0000-4000-8000-000000000000")


async def test_wrong_base_path_is_a_404_with_advice(sim):
    async with make(sim, base=sim.base_url + "/v2") as client:
        with pytest.raises(NotFoundError, match="ends in /v1"):
            await client.my_agents()


async def test_start_refusals_are_api_errors_in_the_servers_words(sim, clock):
    async with make(sim) as client:
        with pytest.raises(ApiError, match="already running"):
            await client.start(sim.demo_agent_guid)
        with pytest.raises(ApiError, match="setup is not complete"):
            await client.start(sim.setup_agent_guid)
        await client.stop(sim.demo_agent_guid)
        with pytest.raises(ApiError, match="currently stopping"):
            await client.start(sim.demo_agent_guid)
        clock.advance(10)
        assert (await client.detail(sim.demo_agent_guid)).status == 0
        await client.start(sim.demo_agent_guid)
        assert (await client.detail(sim.demo_agent_guid)).status == 2
        with pytest.raises(ApiError, match="already queued"):
            await client.start(sim.demo_agent_guid)


async def test_call_history_limit_is_capped_and_rows_parse(sim):
    async with make(sim) as client:
        rows = await client.call_history(sim.demo_agent_guid, limit=1000)
        few = await client.call_history(sim.demo_agent_guid, limit=3)
    assert len(few) == 3 and 3 < len(rows) <= 200
    starts = [r.started_at_ms for r in rows]
    assert starts == sorted(starts, reverse=True)
    assert {r.channel for r in rows} == {"twilio", "web"}
    assert any(r.page_url for r in rows)


async def test_message_detail_and_logs(sim):
    async with make(sim) as client:
        rows = await client.call_history(sim.demo_agent_guid, limit=50)
        rejected = next(r for r in rows if r.status == "realtime_session_rejected")
        detail = await client.message_detail(messageguid=rejected.messageguid)
        by_token = await client.message_detail(agenttoken=rejected.agenttoken)
        tail = await client.logs(sim.demo_agent_guid, lines=50)
    assert detail.metadata.get("type") == "realtime_session_rejected"
    assert detail.metadata.get("reason") in {"concurrent_limit", "agent_prep_timeout", "realtime_ws_open_failed", "realtime_stream_timeout"}
    assert by_token.guid == detail.guid
    assert tail.events and all(e.kind for e in tail.events)


async def test_credential_upsert_reports_webhooks(sim):
    async with make(sim) as client:
        result = await client.credential_upsert(
            sim.demo_agent_guid,
            [{"credentialkey": "twilio-voice", "fieldname": "maxcallseconds", "fieldvalue": "900"}],
        )
        agent = await client.detail(sim.demo_agent_guid)
    assert result.error is None and result.ok and result.applied == 1
    assert result.updated and all(item.number for item in result.updated)
    # newest docs: a number missing from the Twilio account fails as {phoneNumber, error}
    assert any(item.text and "no matching IncomingPhoneNumber" in item.text for item in result.failed)
    assert agent.credential.maxcallseconds == 900


async def test_upload_streams_with_progress_and_the_file_is_served_back(sim):
    import httpx

    payload = bytes(range(256)) * 1000  # 256 kB
    seen: list[tuple[int, int]] = []
    async with make(sim) as client:
        uploaded = await client.upload(payload, filename="greeting.wav", progress=lambda s, t: seen.append((s, t)), chunk_size=16384)
    assert uploaded.url.startswith(sim.base_url)
    assert seen[-1][0] == seen[-1][1] and len(seen) > 5
    assert [s for s, _ in seen] == sorted(s for s, _ in seen)
    async with httpx.AsyncClient() as http:
        served = await http.get(uploaded.url)
    assert served.content == payload


async def test_rate_limit_backs_off_honouring_retry_after_then_gives_up(sim):
    sim.set_faults("429:1.0")
    sleeps = Sleeps()
    async with make(sim, sleeps=sleeps, retries=3) as client:
        with pytest.raises(RateLimitedError) as info:
            await client.my_agents()
    assert len(sleeps.waits) == 3
    assert all(w >= 1.0 for w in sleeps.waits)  # the simulator sends Retry-After: 1
    assert info.value.retry_after == 1.0


async def test_rate_limited_write_is_retried_because_it_was_not_processed(sim):
    sim.set_faults("429:1.0")
    sleeps = Sleeps()
    async with make(sim, sleeps=sleeps, retries=2) as client:
        with pytest.raises(RateLimitedError):
            await client.stop(sim.demo_agent_guid)
    assert len(sleeps.waits) == 2


async def test_server_errors_retry_reads_but_never_writes(sim):
    sim.set_faults("500:1.0")
    sleeps = Sleeps()
    async with make(sim, sleeps=sleeps, retries=2) as client:
        with pytest.raises(TransientError) as info:
            await client.detail(sim.demo_agent_guid)
        assert len(sleeps.waits) == 2 and info.value.status == 500
        sleeps.waits.clear()
        for write in (client.start(sim.demo_agent_guid), client.stop(sim.demo_agent_guid),
                      client.credential_upsert(sim.demo_agent_guid, []), client.upload(b"x", filename="a.wav")):
            with pytest.raises(TransientError):
                await write
    assert sleeps.waits == []


async def test_recovers_when_faults_stop(sim):
    sim.set_faults("500:1.0")

    class HealAfterTwo(Sleeps):
        async def __call__(self, seconds):
            await super().__call__(seconds)
            if len(self.waits) == 2:
                sim.set_faults(None)

    healer = HealAfterTwo()
    async with make(sim, sleeps=healer, retries=3) as client:
        agent = await client.detail(sim.demo_agent_guid)
    assert agent.guid == sim.demo_agent_guid and len(healer.waits) == 2


async def test_timeout_is_transient(sim):
    sim.set_faults("timeout:1.0")
    async with make(sim, timeout=0.2, retries=1) as client:
        with pytest.raises(TransientError) as info:
            await client.detail(sim.demo_agent_guid)
    assert info.value.kind == "timeout"


@pytest.mark.parametrize("kind", ["garbage", "drop"])
async def test_garbage_and_dropped_connections(sim, kind):
    sim.set_faults(f"{kind}:1.0")
    async with make(sim, retries=1) as client:
        with pytest.raises(ProtocolError if kind == "garbage" else TransientError):
            await client.detail(sim.demo_agent_guid)


async def test_unreachable_base_url_is_a_connection_error_after_backoff():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed again when the block ends: nothing listens there
    sleeps = Sleeps()
    client = WiroClient("k" * 20, base_url=f"http://127.0.0.1:{port}/v1", retry=RetryPolicy(retries=2, base_delay=0.01), sleep=sleeps)
    async with client:
        with pytest.raises(TransientError) as info:
            await client.my_agents()
    assert info.value.kind == "connection" and "Could not reach" in info.value.message
    assert len(sleeps.waits) == 2


@pytest.mark.parametrize(
    "status, body, ctype",
    [
        (200, b"<html><body>Welcome to nginx</body></html>", "text/html"),
        (200, b'{"result": true, "useragents": [', "application/json"),
        (200, b"[1, 2, 3]", "application/json"),
        (200, b'{"useragents": []}', "application/json"),
    ],
)
async def test_answers_that_are_not_the_envelope_are_protocol_errors(status, body, ctype):
    with odd_server(status, body, ctype) as base:
        async with WiroClient("k" * 20, base_url=base, retry=RetryPolicy(retries=0)) as client:
            with pytest.raises(ProtocolError) as info:
                await client.my_agents()
    assert info.value.endpoint == "UserAgent/MyAgents" and "UserAgent/MyAgents" in info.value.message
    if ctype == "text/html":
        assert "not JSON (text/html)" in info.value.message


async def test_html_error_page_is_transient_not_a_crash():
    with odd_server(502, b"<html>Bad gateway</html>") as base:
        async with WiroClient("k" * 20, base_url=base, retry=RetryPolicy(retries=0)) as client:
            with pytest.raises(TransientError) as info:
                await client.detail("x")
    assert info.value.status == 502 and failure_phrase(info.value) == "502 from Wiro"


def test_repr_masks_the_key():
    client = WiroClient("wiro-secret-key-ABCDEFGH1234", "the-api-secret-XYZ", base_url="http://127.0.0.1:9/v1")
    text = repr(client)
    assert "ABCDEFGH" not in text and "the-api-secret" not in text and text.count("1234") == 1


async def test_a_retry_after_longer_than_we_wait_is_not_waited_out_blindly():
    sleeps = Sleeps()
    with odd_server(429, b'{"result": false}', "application/json", {"Retry-After": "120"}) as base:
        async with WiroClient("k" * 20, base_url=base, retry=RetryPolicy(retries=3, max_delay=30.0), sleep=sleeps) as client:
            with pytest.raises(RateLimitedError) as info:
                await client.my_agents()
    assert sleeps.waits == [] and info.value.retry_after == 120.0


@pytest.mark.parametrize("key", ["secret\nkey-0123456789", "mysecretkéy0123456789", "zero\u200bwidth-key-0123"])
def test_keys_no_header_can_carry_are_refused_without_quoting_them(key):
    with pytest.raises(ValueError) as info:
        WiroClient(key, base_url="http://127.0.0.1:9/v1")
    assert "key" in str(info.value).lower() and "0123" not in str(info.value)


@pytest.mark.parametrize("base", ["http://localhost:99999/v1", "http://[::1/v1", "ftp://example.com/v1"])
async def test_unusable_base_urls_are_typed_errors(base):
    try:
        client = WiroClient("k" * 20, base_url=base, retry=RetryPolicy(retries=0))
    except ValueError:
        return  # refused up front: also fine
    async with client:
        with pytest.raises(WiroError) as info:
            await client.my_agents()
    assert "API base URL" in info.value.message or "Could not reach" in info.value.message


@pytest.mark.parametrize(
    "body, error",
    [
        (b'{"result": true, "useragents": ' + b"[" * 100_000 + b"]" * 100_000 + b"}", ProtocolError),
        (b'{"result": false, "errors": [{"code": "1", "message": "User agent not found"}]}', NotFoundError),
        (b'{"result": true}', ProtocolError),
    ],
)
async def test_odd_but_valid_answers(body, error):
    with odd_server(200, body, "application/json") as base:
        async with WiroClient("k" * 20, base_url=base, retry=RetryPolicy(retries=0)) as client:
            with pytest.raises(error):
                await client.my_agents()
