"""Live verification against the simulator's Twilio world: the pair, then every number's verdict."""

from __future__ import annotations

import json

import pytest

from tui.sim.demo import (
    NUMBER_FAX,
    NUMBER_NOT_ON_ACCOUNT,
    NUMBER_OK,
    NUMBER_SIP_TRUNK,
    NUMBER_SPARE,
    NUMBER_STUDIO,
    NUMBER_TWIML_APP,
)
from tui.twilio import classify as c
from tui.twilio.verify import (
    check_inputs,
    token_warnings,
    verify_numbers,
    verify_pair,
    wiro_hosts_for,
)
from tui.wiro.client import WiroClient

CONFIGURED = [NUMBER_OK, NUMBER_TWIML_APP, NUMBER_SIP_TRUNK, NUMBER_STUDIO, NUMBER_NOT_ON_ACCOUNT]


def everything(*results) -> str:
    """Every way a result can be shown: repr and JSON."""
    return "\n".join(repr(r) + json.dumps(r.to_json(), default=str) for r in results)


# -- the pair -----------------------------------------------------------------------------------------


async def test_valid_pair_names_the_account(sim):
    check = await verify_pair(sim.twilio_account_sid, sim.twilio_auth_token, sim.twilio_base)
    assert check.ok and check.state == "valid"
    assert (check.friendly_name, check.type, check.status) == ("Bosphorus Dental", "Full", "active")
    assert "Bosphorus Dental" in check.message and check.warnings == ()
    assert sim.twilio_auth_token not in everything(check)


async def test_rejected_pair_names_the_account_and_warns_of_an_api_key_secret(sim):
    wrong = "Ab3" * 10 + "Zz"  # 32 mixed-case characters: what an API Key Secret looks like
    check = await verify_pair(sim.twilio_account_sid, wrong, sim.twilio_base)
    assert check.state == "rejected" and not check.ok
    assert "401" in check.message and "20003" in check.message and "suspended or closed" in check.message
    assert any("API Key Secret" in w for w in check.warnings)  # the token's shape, said as a hint
    assert wrong not in everything(check)


async def test_suspended_account_is_not_called_bad_credentials(sim):
    with sim.world.lock:
        sim.world.twilio.accounts[sim.twilio_account_sid].status = "suspended"
    check = await verify_pair(sim.twilio_account_sid, sim.twilio_auth_token, sim.twilio_base)
    assert check.state == "inactive" and check.status == "suspended"
    assert "suspended" in check.message and "not a credentials problem" in check.message


async def test_trial_account_is_told_about_trial_limits(sim):
    with sim.world.lock:
        sim.world.twilio.accounts[sim.twilio_account_sid].type = "Trial"
    check = await verify_pair(sim.twilio_account_sid, sim.twilio_auth_token, sim.twilio_base)
    assert check.ok and check.type == "Trial" and "verified caller IDs" in check.message


async def test_key_pair_is_checked_through_the_number_list(sim):
    # The simulator knows no API keys, so Twilio's answer is 401 — on the number list, not the account.
    key, secret = "SK" + "4" * 32, "K3y" * 10 + "Qq"
    check = await verify_pair(sim.twilio_account_sid, secret, sim.twilio_base, key_sid=key)
    assert check.state == "rejected" and check.via_key and "API Key SID" in check.message
    assert secret not in everything(check)


async def test_whitespace_around_pasted_values_is_trimmed(sim):
    check = await verify_pair(f" {sim.twilio_account_sid}\n", f"{sim.twilio_auth_token}\n", sim.twilio_base)
    assert check.ok


async def test_network_error_is_unreachable_not_rejected():
    from tui.twilio.client import TwilioClient
    from tui.common.http import RetryPolicy

    base = "http://127.0.0.1:9"  # nothing listens on the discard port
    async with TwilioClient("AC" + "1" * 32, "a" * 32, base, retry=RetryPolicy(retries=0)) as client:
        check = await verify_pair("AC" + "1" * 32, "a" * 32, base, client=client)
    assert check.state == "unreachable" and "a" * 32 not in check.message


@pytest.mark.parametrize(
    "sid, secret, key, words",
    [
        ("", "x" * 32, None, "Enter the Account SID"),
        ("SK" + "1" * 32, "x" * 32, None, "API Key SID"),
        ("AC123", "x" * 32, None, "32 hexadecimal"),
        ("AC" + "1" * 32, "  ", None, "Auth Token"),
        ("AC" + "1" * 32, "ab cd", None, "spaces"),
        ("AC" + "1" * 32, "x" * 32, "nope", "SK followed"),
    ],
)
async def test_unusable_input_is_refused_before_any_request(sid, secret, key, words):
    assert check_inputs(sid, secret, key) is not None
    check = await verify_pair(sid, secret, "http://127.0.0.1:9", key_sid=key)  # nothing listens there
    assert check.state == "invalid_input" and words in check.message


async def test_bad_base_is_invalid_input_not_a_crash():
    check = await verify_pair("AC" + "1" * 32, "a" * 32, "api.twilio.com")
    assert check.state == "invalid_input" and "https://" in check.message


def test_token_format_heuristic():
    assert token_warnings("0123456789abcdef" * 2) == ()
    assert token_warnings("0123456789ABCDEFghijklmnopqrstuv") and token_warnings("short")


# -- the numbers -------------------------------------------------------------------------------------


async def test_demo_world_gives_every_verdict(sim):
    check = await verify_numbers(CONFIGURED, sim.twilio_account_sid, sim.twilio_auth_token, sim.twilio_base,
                                 agent_guid=sim.demo_agent_guid)
    assert check.checked and check.account.ok and not check.ok
    got = {v.number: v for v in check.numbers}
    assert [v.number for v in check.numbers] == CONFIGURED  # the credential's order
    assert got[NUMBER_OK].verdict == c.WIRO_OK and got[NUMBER_OK].ok
    assert got[NUMBER_TWIML_APP].verdict == c.TWIML_APP
    assert got[NUMBER_TWIML_APP].application.voice_url == "https://ivr.bosphorus-dental.example/twiml/menu"
    assert got[NUMBER_SIP_TRUNK].verdict == c.SIP_TRUNK
    assert got[NUMBER_STUDIO].verdict == c.STUDIO_FLOW
    assert got[NUMBER_NOT_ON_ACCOUNT].verdict == c.NOT_ON_ACCOUNT
    unlisted = {v.number: v for v in check.unlisted}
    assert set(unlisted) == {NUMBER_SPARE, NUMBER_FAX}  # on Twilio, not answered by this agent
    assert unlisted[NUMBER_SPARE].verdict == c.ELSEWHERE and unlisted[NUMBER_SPARE].host == "demo.twilio.com"
    assert unlisted[NUMBER_FAX].verdict == c.NO_VOICE_URL
    assert [f.id for f in unlisted[NUMBER_FAX].flags] == [c.FAX_MODE]
    seen = {v.verdict for v in (*check.numbers, *check.unlisted)}
    assert seen == set(c.VERDICTS)
    assert check.problem_count == 4
    assert sim.twilio_auth_token not in everything(check, *check.numbers, *check.unlisted, check.account)


async def test_a_number_only_on_a_later_page_is_matched(sim):
    with sim.world.lock:
        for i in range(5):
            sim.world.add_number(sim.twilio_account_sid, f"+1628555{i:04d}")
        sim.world.add_number(sim.twilio_account_sid, "+16285559999", voice_url="https://api.wiro.ai/v1/Twilio/Voice/"
                             + sim.demo_agent_guid, status_callback="https://api.wiro.ai/v1/Twilio/Status/x")
    check = await verify_numbers(["+16285559999"], sim.twilio_account_sid, sim.twilio_auth_token, sim.twilio_base,
                                 agent_guid=sim.demo_agent_guid, page_size=4)  # 12 numbers: the last is on page 3
    assert check.numbers[0].verdict == c.WIRO_OK and check.ok
    assert len(check.unlisted) == 11


async def test_a_differently_written_number_is_pointed_at(sim):
    check = await verify_numbers(["4155550142"], sim.twilio_account_sid, sim.twilio_auth_token, sim.twilio_base)
    v = check.numbers[0]
    assert v.verdict == c.NOT_ON_ACCOUNT and NUMBER_OK in v.fix
    assert NUMBER_OK in {u.number for u in check.unlisted}  # not matched, so listed as not answered by this agent


async def test_rejected_pair_checks_nothing(sim):
    check = await verify_numbers(CONFIGURED, sim.twilio_account_sid, "0" * 32, sim.twilio_base)
    assert not check.checked and check.numbers == () and "20003" in check.error
    assert not check.ok


async def test_suspended_account_still_shows_numbers_but_is_not_ok(sim):
    with sim.world.lock:
        sim.world.twilio.accounts[sim.twilio_account_sid].status = "suspended"
    check = await verify_numbers([NUMBER_OK], sim.twilio_account_sid, sim.twilio_auth_token, sim.twilio_base,
                                 agent_guid=sim.demo_agent_guid)
    assert check.checked and check.numbers[0].ok and not check.ok


async def test_after_a_save_verification_sees_what_the_save_wrote(sim):
    before = await verify_numbers(CONFIGURED, sim.twilio_account_sid, sim.twilio_auth_token, sim.twilio_base,
                                  agent_guid=sim.demo_agent_guid)
    assert {v.number: v.verdict for v in before.numbers}[NUMBER_STUDIO] == c.STUDIO_FLOW
    async with WiroClient(sim.api_key, None, sim.wiro_base) as wiro:
        result = await wiro.credential_upsert(sim.demo_agent_guid, [
            {"credentialkey": "twilio-voice", "fieldname": "maxcallseconds", "fieldvalue": "600"}])
    assert {i.number for i in result.updated} >= {NUMBER_STUDIO, NUMBER_TWIML_APP, NUMBER_SIP_TRUNK}
    after = await verify_numbers(CONFIGURED, sim.twilio_account_sid, sim.twilio_auth_token, sim.twilio_base,
                                 agent_guid=sim.demo_agent_guid)
    verdicts = {v.number: v for v in after.numbers}
    assert verdicts[NUMBER_STUDIO].verdict == c.WIRO_OK and verdicts[NUMBER_STUDIO].ok  # the save rewrote VoiceUrl
    # Listed as updated, yet still not routed to Wiro: the trap the pane exists to show.
    assert verdicts[NUMBER_TWIML_APP].verdict == c.TWIML_APP
    assert verdicts[NUMBER_SIP_TRUNK].verdict == c.SIP_TRUNK
    assert verdicts[NUMBER_SIP_TRUNK].resource.voice_url.startswith("https://api.wiro.ai/")


async def test_a_number_saved_by_another_agent_is_flagged(clock):
    # Wiro's voice URL is undocumented; when it carries an agent guid (a simulator told to put one in), a number
    # pointing at another agent is flagged. The stopped agent's number, checked as if this agent listed it.
    from tui.sim import Simulator

    with Simulator(seed=7, clock=clock, voice_url="https://api.wiro.ai/v1/AgentRealtime/Twilio/{guid}") as sim:
        second = next(a for s, a in sim.world.twilio.accounts.items() if s != sim.twilio_account_sid)
        check = await verify_numbers(["+16465550120"], second.sid, second.auth_token, sim.twilio_base,
                                     agent_guid=sim.demo_agent_guid)
        v = check.numbers[0]
        assert v.verdict == c.WIRO_OK and [f.id for f in v.flags] == [c.OTHER_AGENT] and not v.rings_agent
        assert sim.stopped_agent_guid in v.flags[0].message
        # the same number without a guid in its URL: nothing can be said about which agent answers
        own = await verify_numbers(["+16465550120"], second.sid, second.auth_token, sim.twilio_base,
                                   agent_guid=sim.stopped_agent_guid)
        assert own.numbers[0].flags == ()


async def test_configured_duplicates_and_blanks_are_checked_once(sim):
    check = await verify_numbers([NUMBER_OK, NUMBER_OK, " "], sim.twilio_account_sid, sim.twilio_auth_token,
                                 sim.twilio_base, agent_guid=sim.demo_agent_guid)
    assert [v.number for v in check.numbers] == [NUMBER_OK]


async def test_simulator_host_counts_as_wiro_when_configured(sim):
    with sim.world.lock:
        sim.world.add_number(sim.twilio_account_sid, "+16285550001", voice_url=sim.wiro_base + "/Twilio/Voice/x",
                             status_callback=sim.wiro_base + "/Twilio/Status/x")
    plain = await verify_numbers(["+16285550001"], sim.twilio_account_sid, sim.twilio_auth_token, sim.twilio_base)
    local = await verify_numbers(["+16285550001"], sim.twilio_account_sid, sim.twilio_auth_token, sim.twilio_base,
                                 wiro_hosts=wiro_hosts_for(sim.wiro_base))
    assert plain.numbers[0].verdict == c.ELSEWHERE and local.numbers[0].verdict == c.WIRO_OK


# -- API keys, against a loopback server that records what it was asked ---------------------------------


def _recording_server(status: int, body: dict):
    """A real HTTP server on loopback answering every GET with `status`/`body`, recording path and auth."""
    import base64
    import threading
    from contextlib import contextmanager
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    seen: list[tuple[str, str]] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            user = base64.b64decode(self.headers["Authorization"].split()[1]).decode().split(":")[0]
            seen.append((self.path, user))
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args) -> None:
            pass

    @contextmanager
    def running():
        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        # a short poll: shutdown() waits for the next one (the default 0.5 s cost each test half a second)
        thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True)
        thread.start()
        try:
            yield f"http://127.0.0.1:{server.server_address[1]}", seen
        finally:
            server.shutdown()
            server.server_close()

    return running()


async def test_a_working_key_is_verified_with_one_number_and_never_the_account():
    sid, key = "AC" + "1" * 32, "SK" + "2" * 32
    with _recording_server(200, {"incoming_phone_numbers": [], "next_page_uri": None}) as (base, seen):
        check = await verify_pair(sid, "s3cret" * 5, base, key_sid=key)
    assert check.ok and check.via_key and "Live Auth Token" in check.message
    assert seen == [(f"/2010-04-01/Accounts/{sid}/IncomingPhoneNumbers.json?PageSize=1", key)]


async def test_a_restricted_key_is_told_to_use_the_auth_token():
    body = {"code": 20003, "message": "Permission denied", "status": 403}
    with _recording_server(403, body) as (base, _seen):
        check = await verify_pair("AC" + "1" * 32, "s3cret" * 5, base, key_sid="SK" + "2" * 32)
    assert check.state == "rejected" and "restricted API key" in check.message
