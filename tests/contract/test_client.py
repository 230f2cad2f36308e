"""The Wiro client against every documented payload variant: what the models hold, what the client sends, and
which typed error each refusal becomes."""

from __future__ import annotations

import pytest

from tui.wiro import (
    AccessDenied,
    AgentGone,
    ApiError,
    AuthError,
    FileUploadError,
    RetryPolicy,
    WiroClient,
)
from tui.common import http as common_http
from tui.wiro.health import HealthTracker

from . import payloads as p
from .conftest import API_KEY


@pytest.fixture(params=["plain", "httpx"])
async def client(request, server, monkeypatch):
    """The client over each session it may use: plain_http's (an http:// base) and httpx's (https, the real
    service), both sent to the scripted server on loopback."""
    monkeypatch.setattr(common_http, "HTTPX_FOR_PLAIN", request.param == "httpx")
    async with WiroClient(API_KEY, base_url=server.wiro_base, retry=RetryPolicy(retries=0)) as c:
        assert type(c._http).__name__ == {"plain": "PlainSession", "httpx": "HttpxSession"}[request.param]
        yield c


# -- every variant has its documented shape (the checkers are what a simulator test reuses) ----------------


@pytest.mark.parametrize("endpoint, name, shape, make",
                         [(e, n, s, m) for e, variants in p.VARIANTS.items() for n, s, m in variants],
                         ids=lambda v: v if isinstance(v, str) else "")
def test_every_variant_passes_its_checker(endpoint, name, shape, make):
    assert p.CHECKERS[endpoint](make(), shape) == [], name
    assert p.CHECKERS[endpoint](make(), None) == [], name  # "either shape" accepts every documented one


def test_the_checkers_tell_the_shapes_apart():
    assert p.check_detail(p.detail_older(), "newest")  # configuration.credentials is not the newest shape
    assert p.check_detail(p.detail_newest(), "older")
    assert p.check_logs(p.logs_older(), "newest") and p.check_logs(p.logs_newest(), "older")
    assert p.check_logs(p.logs_iso_ascending(), "newest") == ["events are not newest first"]
    assert p.check_credential_upsert(p.upsert_older_skipped_numbers(), "newest")
    assert p.check_credential_upsert(p.upsert_skipped(), "older")
    assert p.check_message_detail(p.message_detail_older(), "newest")
    assert "looks like seconds" in " ".join(p.check_call_history(p.history_edges()))


# -- Detail: where the credential is, and whether Wiro holds a token ------------------------------------------


@pytest.mark.parametrize("answer", [p.detail_newest(), p.detail_older()], ids=["newest", "older"])
async def test_detail_reads_the_credential_in_both_shapes(server, client, answer):
    server.reply("UserAgent/Detail", answer)
    agent = await client.detail(p.GUID)
    cred = agent.credential
    assert cred is not None and cred.accountsid == p.SID and cred.phonenumbers == tuple(p.NUMBERS)
    assert cred.maxcallseconds == 900 and cred.holdstrategy == "text" and cred.holdvoice == "Polly.Joanna-Neural"
    assert cred.authtoken_set and not cred.authtoken_unknown
    assert server.to("UserAgent/Detail")[0].json == {"guid": p.GUID}


@pytest.mark.parametrize("token", [p.MASK, "", None, p.ABSENT], ids=["mask", "empty", "null", "absent"])
async def test_a_complete_card_means_the_token_is_kept_whatever_authtoken_shows(server, client, token):
    server.reply("UserAgent/Detail", p.detail_newest(credential=p.twilio_credential(authtoken=token)))
    cred = (await client.detail(p.GUID)).credential
    assert cred.authtoken_set  # `_required_missing: false`: nobody is asked to retype the token
    assert cred.raw.get("authtoken") in (p.MASK, "", None)  # never a real token in what is kept


async def test_a_card_missing_only_the_token_says_so(server, client):
    cred = p.twilio_credential(authtoken="", required_missing=True)
    server.reply("UserAgent/Detail", p.detail_newest(status=6, setuprequired=True, credential=cred))
    agent = await client.detail(p.GUID)
    assert agent.needs_setup and not agent.credential.authtoken_set
    assert agent.credentials_missing == ("twilio-voice",)


async def test_a_fresh_agent_has_no_token_and_numbers_as_strings_are_read(server, client):
    server.reply("UserAgent/Detail", p.detail_setup_required())
    agent = await client.detail(p.GUID)
    assert agent.status == 6 and agent.setuprequired and not agent.credential.authtoken_set
    server.reply("UserAgent/Detail", p.detail_newest(credential=p.twilio_credential(maxcallseconds="600")))
    assert (await client.detail(p.GUID)).credential.maxcallseconds == 600


async def test_restart_is_seen_without_the_older_flag(server, client):
    server.reply("UserAgent/Detail", p.detail_restarting())
    assert (await client.detail(p.GUID)).restarting
    server.reply("UserAgent/Detail", p.detail_older(status=1, restartafter=True))
    assert (await client.detail(p.GUID)).restarting
    stopping = p.detail_newest(status=1, stoppingat=p.T0 + 900, queuedat=p.T0 + 300)  # a plain Stop
    server.reply("UserAgent/Detail", stopping)
    assert not (await client.detail(p.GUID)).restarting


async def test_other_secrets_in_detail_are_masked_in_raw(server, client):
    server.reply("UserAgent/Detail", p.detail_newest(wiro_apikey="wk_live_secret_value_123"))
    agent = await client.detail(p.GUID)
    assert "wk_live_secret_value_123" not in repr(agent.raw) and agent.raw["credentials"]["wiro"]["apikey"] == p.MASK


async def test_my_agents_in_both_shapes(server, client):
    server.reply("UserAgent/MyAgents", p.my_agents_newest())
    agents = await client.my_agents()
    assert [(a.guid, a.status, a.needs_setup) for a in agents] == [(p.GUID, 4, False), (p.OTHER_GUID, 6, True)]
    server.reply("UserAgent/MyAgents", p.my_agents_older())
    (agent,) = await client.my_agents()
    assert agent.status == 4 and agent.guid == p.GUID


# -- CredentialUpsert -------------------------------------------------------------------------------------------


async def test_upsert_newest_skipped_is_one_reason_for_every_number(server, client):
    server.reply("UserAgent/CredentialUpsert", p.upsert_skipped())
    result = await client.credential_upsert(p.GUID, [])
    assert result.ok and result.applied == 8 and result.skipped_reason == p.NO_MATCH
    assert result.updated == () and result.skipped == () and result.webhook_problems


async def test_upsert_failed_objects_and_older_number_lists(server, client):
    server.reply("UserAgent/CredentialUpsert", p.upsert_failed())
    result = await client.credential_upsert(p.GUID, [])
    assert [(i.number, i.text) for i in result.failed] == [(p.NUMBERS[1], "Twilio error 21452: number not owned")]
    server.reply("UserAgent/CredentialUpsert", p.upsert_older_skipped_numbers())
    result = await client.credential_upsert(p.GUID, [])
    assert [i.number for i in result.skipped] == [p.NUMBERS[1]] and result.skipped_reason is None


async def test_upsert_refusals_come_back_as_results_not_errors(server, client):
    server.reply("UserAgent/CredentialUpsert", p.upsert_rejected())
    rejected = await client.credential_upsert(p.GUID, [])
    assert not rejected.ok and rejected.applied is None and not rejected.saved_anything
    assert [e.message for e in rejected.errors] == ["Account SID is managed by Wiro"]
    server.reply("UserAgent/CredentialUpsert", p.upsert_partial())
    partial = await client.credential_upsert(p.GUID, [])
    assert not partial.ok and partial.applied == 6 and partial.saved_anything and not partial.complete
    server.reply("UserAgent/CredentialUpsert", p.upsert_older_partial())
    older = await client.credential_upsert(p.GUID, [])
    assert older.ok and older.saved_anything and not older.complete and older.errors[0].message.startswith("Invalid")


async def test_update_posts_only_the_guid(server, client):
    server.reply("UserAgent/Update", p.update_left_setup())
    agent = await client.update(p.GUID)
    assert agent.status == 0 and not agent.needs_setup
    assert server.to("UserAgent/Update")[0].json == {"guid": p.GUID}


# -- CredentialFileUpload -----------------------------------------------------------------------------------------


async def test_file_upload_sends_the_documented_multipart_fields(server, client):
    server.reply("UserAgent/CredentialFileUpload", p.file_upload_ok("holdmusic"))
    seen = []
    result = await client.credential_file_upload(p.GUID, "twilio-voice", "holdmusic", b"RIFF" + b"\0" * 5000,
                                                 filename="loop.wav", progress=lambda a, b: seen.append((a, b)))
    assert result.fieldname == "holdmusic" and result.url.startswith("https://cdn.wiro.ai/")
    (sent,) = server.to("UserAgent/CredentialFileUpload")
    parts = sent.parts
    assert {k: parts[k].text for k in ("useragentguid", "credentialkey", "fieldname")} == {
        "useragentguid": p.GUID, "credentialkey": "twilio-voice", "fieldname": "holdmusic"}
    assert parts["file"].filename == "loop.wav" and parts["file"].content_type == "audio/wav"
    assert parts["file"].value == b"RIFF" + b"\0" * 5000
    assert seen[-1][0] == seen[-1][1] == len(sent.raw)


async def test_a_file_over_10_mb_is_refused_before_sending(server, client):
    with pytest.raises(FileUploadError) as caught:
        await client.credential_file_upload(p.GUID, "twilio-voice", "holdaudio", b"\0" * (10240 * 1024 + 1),
                                            filename="big.wav")
    assert caught.value.reason == "too_large" and "10.0 MB" in caught.value.message
    assert server.requests == []


@pytest.mark.parametrize("message, reason, words", [
    ("File required (form field name: file)", "missing", "arrived empty"),
    ("Unknown credential: twilio-voice", "unknown_credential", "no twilio-voice credential"),
    ("Unknown field: holdmusic", "unknown_field", "no field holdmusic"),
    ("Field is not a fileinput type", "not_fileinput", "not a file field"),
    ("Invalid file type. Allowed: audio/mpeg, audio/wav", "type", "it takes audio/mpeg, audio/wav"),
    ("File too large. Max: 10240 KB", "too_large", "at most 10.0 MB"),
    ("Could not resolve upload folder", "transient", "save again in a moment"),
    ("Upload failed", "transient", "save again in a moment"),
])
async def test_each_documented_upload_refusal_says_what_to_do(server, client, message, reason, words):
    server.reply("UserAgent/CredentialFileUpload", p.refusal(message))
    with pytest.raises(FileUploadError) as caught:
        await client.credential_file_upload(p.GUID, "twilio-voice", "holdmusic", b"abc", filename="m.mp3")
    assert caught.value.reason == reason and words in caught.value.message


# -- refusals become typed errors -------------------------------------------------------------------------------


@pytest.mark.parametrize("message", p.AUTH_401_MESSAGES)
async def test_401_messages_are_auth_errors(server, client, message):
    server.reply("UserAgent/Detail", p.refusal(message), status=401)
    with pytest.raises(AuthError, match=message[:20]):
        await client.detail(p.GUID)


async def test_an_auth_refusal_at_http_200_is_an_auth_error_and_not_live(server):
    tracker = HealthTracker(clock=lambda: 1000.0)
    server.reply("UserAgent/Detail", p.AUTH_AT_200)
    async with WiroClient(API_KEY, base_url=server.wiro_base, retry=RetryPolicy(retries=0),
                          on_outcome=tracker.record) as client:
        with pytest.raises(AuthError) as caught:
            await client.detail(p.GUID)
    assert caught.value.status == 200 and not tracker.current.live
    assert tracker.current.reason == "Wiro refused the key"


@pytest.mark.parametrize("answer, status, reason", [
    (p.ACCESS_DENIED_403, 403, "access-denied"), (p.TEAM_ADMIN_403, 403, "team-admin-required"),
    (p.ACCESS_DENIED_403, 200, "access-denied"), (p.TEAM_ADMIN_403, 200, "team-admin-required"),
])
async def test_access_refusals_are_not_a_wrong_key(server, client, answer, status, reason):
    server.reply("UserAgent/Logs", answer, status=status)
    with pytest.raises(AccessDenied) as caught:
        await client.logs(p.GUID)
    assert caught.value.reason == reason and not isinstance(caught.value, AuthError)
    assert "key itself is fine" in caught.value.message


@pytest.mark.parametrize("answer", [p.AGENT_GONE, p.AGENT_GONE_TEXT], ids=["code 95", "text"])
async def test_a_deleted_agent_is_agent_gone(server, client, answer):
    server.reply("UserAgent/Detail", answer)
    with pytest.raises(AgentGone) as caught:
        await client.detail(p.GUID)
    assert "deleted" in caught.value.message and "wiro-voice agents" in caught.value.message


async def test_start_credit_refusal_keeps_the_balance(server, client):
    server.reply("UserAgent/Start", p.start_refused("credits_prose"))
    with pytest.raises(ApiError) as caught:
        await client.start(p.GUID)
    assert caught.value.data["agentbalance"]["remainingcredits"] == 0


# -- times: numbers or numeric strings, seconds or milliseconds ----------------------------------------------------


async def test_call_history_times_in_every_spelling(server, client):
    server.reply("UserAgent/TwilioCallHistory/List", p.history_newest())
    rows = await client.call_history(p.GUID)
    assert rows[0].started_at_ms == p.MS0 + 1_000_000 and rows[0].ended_at_ms == p.MS0 + 1_064_000
    assert rows[1].ended_at_ms is None and rows[1].duration_seconds is None and rows[1].caller_profile is None
    server.reply("UserAgent/TwilioCallHistory/List", p.history_edges())
    web, seconds = await client.call_history(p.GUID)
    assert web.callsid is None and web.started_at_ms == p.MS0 + 2_000_000 and web.duration_seconds == 30
    assert seconds.started_at_ms == (p.T0 + 1500) * 1000  # seconds sent where ms are documented: still right


@pytest.mark.parametrize("answer", [p.message_detail_newest(), p.message_detail_older()], ids=["numbers", "strings"])
async def test_message_detail_times(server, client, answer):
    server.reply("UserAgent/Message/Detail", answer)
    detail = await client.message_detail(messageguid="7e0f-1")
    assert (detail.created_at, detail.ended_at) == (p.T0 + 1000, p.T0 + 1064)


async def test_transaction_list_newest_and_legacy(server, client):
    server.reply("UserAgent/TransactionList", p.transactions_newest())
    page = await client.transaction_list(p.GUID, limit=900, start=-3)
    assert page.total == 42 and page.remaining_credits == 363
    (row,) = page.transactions
    assert (row.type, row.action, row.amount, row.created_at) == ("deduct", "tokens", -3, p.T0 + 1070)
    assert server.to("UserAgent/TransactionList")[0].json == {"useragentguid": p.GUID, "limit": 500, "start": 0}
    server.reply("UserAgent/TransactionList", p.transactions_legacy())
    legacy = await client.transaction_list(p.GUID)
    assert legacy.total == 2 and [t.action for t in legacy.transactions] == ["realtime", None]
    assert legacy.transactions[0].amount == -1.5 and legacy.transactions[1].created_at == p.T0 + 1000
