"""The Twilio client against the simulator over loopback: auth, paging, filters, errors, concurrency, backoff."""

from __future__ import annotations

import asyncio

import pytest

from tui.sim.demo import NUMBER_OK, NUMBER_TWIML_APP
from tui.twilio.client import (
    REJECTED_MESSAGE,
    TwilioClient,
    check_twilio_base,
)
from tui.twilio.errors import (
    ProtocolError,
    RateLimitedError,
    RejectedError,
    TransientError,
)
from tui.common.http import RetryPolicy

DEMO_NUMBERS = 6  # numbers the demo's first Twilio account holds


class Waits:
    """Records the backoff the client asks for, and waits a little for real so in-flight requests finish."""

    def __init__(self, cap: float = 0.3, then=None) -> None:
        self.asked: list[float] = []
        self.cap = cap
        self.then = then

    async def __call__(self, seconds: float) -> None:
        self.asked.append(seconds)
        if self.then is not None:
            self.then()
        await asyncio.sleep(min(seconds, self.cap))


def client_for(sim, **kwargs) -> TwilioClient:
    return TwilioClient(sim.twilio_account_sid, sim.twilio_auth_token, sim.twilio_base, **kwargs)


def add_numbers(sim, count: int, prefix: str = "+1628555") -> list[str]:
    numbers = [f"{prefix}{i:04d}" for i in range(count)]
    with sim.world.lock:
        for n in numbers:
            sim.world.add_number(sim.twilio_account_sid, n)
    return numbers


async def test_account_is_read_without_its_auth_token(sim):
    async with client_for(sim) as client:
        account = await client.account()
        assert account.sid == sim.twilio_account_sid
        assert account.friendly_name == "Bosphorus Dental" and account.type == "Full" and account.status == "active"
        assert sim.twilio_auth_token not in repr(account)
        assert not hasattr(account, "auth_token")
        assert sim.twilio_auth_token not in repr(client) and sim.twilio_auth_token[-4:] in repr(client)


async def test_input_is_trimmed(sim):
    client = TwilioClient(f"  {sim.twilio_account_sid}\n", f"\t{sim.twilio_auth_token} \n", sim.twilio_base + "/")
    async with client:
        assert (await client.account()).sid == sim.twilio_account_sid


async def test_paging_follows_next_page_uri_through_three_pages(sim):
    extra = add_numbers(sim, 3)
    async with client_for(sim) as client:
        numbers = await client.numbers(page_size=3)
    phones = [n.phone_number for n in numbers]
    assert len(phones) == DEMO_NUMBERS + 3 == len(set(phones))  # 9 numbers: exactly three pages of three
    assert phones[-3:] == extra  # the last page's numbers were reached


async def test_find_number_sends_plus_encoded_and_wants_an_exact_match(sim):
    add_numbers(sim, 7)
    async with client_for(sim) as client:
        found = await client.find_number("+16285550006")
        assert found is not None and found.phone_number == "+16285550006"
        # "+1415555014" is a partial match for two numbers; find_number wants the exact one
        assert (await client.find_number(NUMBER_OK)).phone_number == NUMBER_OK
        assert await client.find_number("+19995550000") is None
        filtered = await client.numbers(phone_number="+1415555")
    assert filtered and all(n.phone_number.startswith("+1415555") for n in filtered)


async def test_application_and_missing_application(sim):
    async with client_for(sim) as client:
        numbers = {n.phone_number: n for n in await client.numbers()}
        app_sid = numbers[NUMBER_TWIML_APP].voice_application_sid
        app = await client.application(app_sid)
        assert app is not None and app.voice_url == "https://ivr.bosphorus-dental.example/twiml/menu"
        assert await client.application("AP" + "0" * 32) is None


async def test_wrong_token_is_rejected_401_20003_without_echoing_it(sim):
    wrong = "f" * 32
    async with TwilioClient(sim.twilio_account_sid, wrong, sim.twilio_base) as client:
        with pytest.raises(RejectedError) as caught:
            await client.account()
    assert caught.value.status == 401 and caught.value.code == 20003
    assert str(caught.value) == REJECTED_MESSAGE
    # a wrong token and a suspended account look alike: the message names both, and blames no API key
    assert "suspended or closed" in str(caught.value) and "Live Auth Token" in str(caught.value)
    assert wrong not in repr(caught.value) and wrong not in str(caught.value)


async def test_at_most_five_requests_in_flight_so_no_429(sim):
    with sim.world.lock:
        sim.world.twilio_latency = 0.1
    waits = Waits()
    async with client_for(sim, sleep=waits) as client:
        results = await asyncio.gather(*(client.account() for _ in range(12)))
    assert len(results) == 12
    assert waits.asked == []  # the semaphore kept the sixth request off the wire: nothing to back off from


async def test_beyond_the_limit_429_is_backed_off_honouring_retry_after(sim):
    with sim.world.lock:
        sim.world.twilio_latency = 0.2
    waits = Waits()
    # 8 in flight against a server that allows 5: some are refused with 429/20429 and Retry-After: 1.
    async with client_for(sim, sleep=waits, max_in_flight=8, retry=RetryPolicy(retries=6, base_delay=0.05)) as client:
        results = await asyncio.gather(*(client.account() for _ in range(8)))
    assert len(results) == 8
    assert waits.asked and all(w >= 1.0 for w in waits.asked)  # never sooner than Retry-After


async def test_a_429_then_success(sim):
    sim.set_faults("429:1")
    waits = Waits(then=lambda: sim.set_faults(None))
    async with client_for(sim, sleep=waits) as client:
        account = await client.account()
    assert account.sid == sim.twilio_account_sid and len(waits.asked) == 1 and waits.asked[0] >= 1.0


async def test_429_that_never_ends_raises_rate_limited(sim):
    sim.set_faults("429:1")
    waits = Waits(cap=0)
    async with client_for(sim, sleep=waits, retry=RetryPolicy(retries=2)) as client:
        with pytest.raises(RateLimitedError) as caught:
            await client.account()
    assert caught.value.code == 20429 and caught.value.retry_after == 1.0 and len(waits.asked) == 2


async def test_outage_is_retried_then_transient(sim):
    with sim.world.lock:
        sim.world.twilio_outage = True
    waits = Waits(cap=0)
    async with client_for(sim, sleep=waits, retry=RetryPolicy(retries=1)) as client:
        with pytest.raises(TransientError) as caught:
            await client.numbers()
    assert caught.value.status == 503 and len(waits.asked) == 1


async def test_garbage_answer_is_a_protocol_error(sim):
    sim.set_faults("garbage:1")
    async with client_for(sim) as client:
        with pytest.raises(ProtocolError, match="not JSON"):
            await client.numbers()


async def test_unreachable_base_is_a_connection_error():
    async with TwilioClient("AC" + "1" * 32, "a" * 32, "http://127.0.0.1:9", retry=RetryPolicy(retries=0)) as client:
        with pytest.raises(TransientError) as caught:
            await client.account()
    assert caught.value.kind == "connection" and "a" * 32 not in str(caught.value)


def test_page_links_to_another_host_are_refused():
    client = TwilioClient("AC" + "1" * 32, "a" * 32, "https://api.twilio.com")
    assert client._url("/2010-04-01/Accounts/x.json") == "https://api.twilio.com/2010-04-01/Accounts/x.json"
    assert client._url("https://api.twilio.com/2010-04-01/x.json").startswith("https://api.twilio.com/")
    with pytest.raises(ProtocolError, match="another host"):
        client._url("https://evil.example/2010-04-01/x.json")
    with pytest.raises(ProtocolError):
        client._url("https://api.twilio.com.evil.example/2010-04-01/x.json")


@pytest.mark.parametrize("base", ["", "api.twilio.com", "ftp://api.twilio.com", "https://:99999"])
def test_unusable_base_urls_are_named(base):
    assert check_twilio_base(base)
    with pytest.raises(ValueError):
        TwilioClient("AC" + "1" * 32, "a" * 32, base)

