"""The read commands against documented answers: `status`, `webhooks`, `doctor`, `logs`, `start`/`stop`, and
the refusals every command shares (a wrong key at HTTP 200, no access, a deleted agent)."""

from __future__ import annotations

import pytest

from . import payloads as p

TWILIO = f"/twilio/2010-04-01/Accounts/{p.SID}"


def twilio_env(env, server):
    env.setenv("TWILIO_AUTH_TOKEN", "0" * 32)
    server.reply(f"{TWILIO}.json", p.twilio_account())
    server.reply(f"{TWILIO}/IncomingPhoneNumbers.json", p.twilio_numbers())


def quiet_sources(server):
    """The other reads the doctor makes, answered as an uneventful day."""
    server.reply("UserAgent/TwilioCallHistory/List", p.history_newest())
    server.reply("UserAgent/Logs", p.logs_newest())


# -- the credential is seen in the newest shape ----------------------------------------------------------------


@pytest.mark.parametrize("answer", [p.detail_newest(), p.detail_older()], ids=["newest", "older"])
def test_status_shows_the_credential(server, cli, answer):
    server.reply("UserAgent/Detail", answer)
    ran = cli("status")
    assert ran.code == 0 and f"numbers: {', '.join(p.NUMBERS)}" in ran.out and "no Twilio credential" not in ran.out
    doc = cli("status", "--json").json
    assert doc["credential"]["accountsid"] == p.SID and doc["credential"]["authtoken"] == p.MASK
    assert doc["status"] == 4 and doc["setuprequired"] is False


def test_status_of_an_agent_in_setup_says_what_is_missing(server, cli):
    server.reply("UserAgent/Detail", p.detail_setup_required())
    ran = cli("status")
    assert ran.code == 0 and "Setup required" in ran.out and "twilio-voice" in ran.out


def test_webhooks_verifies_the_numbers_of_the_newest_credential(server, cli, env):
    server.reply("UserAgent/Detail", p.detail_newest())
    twilio_env(env, server)
    ran = cli("webhooks", "--json")
    assert ran.code == 0, ran.err
    rows = ran.json["numbers"]
    assert [(r["number"], r["verdict"]) for r in rows] == [(n, "wiro_ok") for n in p.NUMBERS]
    assert "inferred from the host" in rows[0]["detail"]  # the URL is undocumented: the verdict says so


def test_a_voice_url_on_another_host_is_not_wiros_unless_listed(server, cli, env):
    server.reply("UserAgent/Detail", p.detail_newest())
    twilio_env(env, server)
    server.reply(f"{TWILIO}/IncomingPhoneNumbers.json", p.twilio_numbers("https://voice.example.net/hook"))
    assert [r["verdict"] for r in cli("webhooks", "--json").json["numbers"]] == ["elsewhere", "elsewhere"]
    env.setenv("WIRO_VOICE_HANDLER_HOSTS", "voice.example.net")
    assert [r["verdict"] for r in cli("webhooks", "--json").json["numbers"]] == ["wiro_ok", "wiro_ok"]


@pytest.mark.parametrize("status, code, words", [(401, 20003, "suspended or closed"), (403, 20403, "suspended or closed")])
def test_twilio_refusing_the_accounts_own_token_names_the_account(server, cli, env, status, code, words):
    server.reply("UserAgent/Detail", p.detail_newest())
    twilio_env(env, server)
    server.reply(f"{TWILIO}.json", p.twilio_error(status, code, "Authenticate"), status=status)
    ran = cli("webhooks")
    # 401: nothing can be listed (exit 2); 403: the account is read as inactive and reported (exit 1)
    assert ran.code == (2 if status == 401 else 1) and words in ran.out + ran.err
    assert "likely an API Key Secret" not in ran.out + ran.err


def test_doctor_sees_the_newest_credential(server, cli, env):
    server.reply("UserAgent/Detail", p.detail_newest())
    quiet_sources(server)
    twilio_env(env, server)
    ran = cli("doctor", "--json")
    ids = [f["id"] for f in ran.json["findings"]]
    assert "credential.missing" not in ids and "agent.setup_required" not in ids
    assert not any(i.startswith("credential.authtoken") for i in ids)
    assert ran.json["agent"]["status"] == 4


def test_doctor_on_a_complete_card_still_in_setup_says_to_save_once_more(server, cli):
    server.reply("UserAgent/Detail", p.detail_newest(status=6, setuprequired=True))
    quiet_sources(server)
    ran = cli("doctor", "--json")
    (finding,) = [f for f in ran.json["findings"] if f["id"] == "agent.setup_required"]
    assert "Update" in finding["detail"] + finding["fix"] and "complete" in finding["detail"]


# -- start / stop --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("key", ["credits_table", "credits_prose"])
def test_a_credit_refusal_says_credits(server, cli, key):
    server.reply("UserAgent/Start", p.start_refused(key))
    ran = cli("start")
    assert ran.code == 1 and "no credits left" in ran.err and "subscription is not active" not in ran.err
    if key == "credits_prose":
        assert "remaining 0" in ran.err


@pytest.mark.parametrize("key", ["subscription", "subscription_older"])
def test_a_subscription_refusal_says_subscription(server, cli, key):
    server.reply("UserAgent/Start", p.start_refused(key))
    ran = cli("start")
    assert ran.code == 1 and "no active subscription" in ran.err


def test_a_setup_refusal_says_to_save_so_wiro_rechecks(server, cli):
    server.reply("UserAgent/Start", p.start_refused("setup"))
    ran = cli("start")
    assert ran.code == 1 and "re-check setup" in ran.err


# -- each refusal its own message, exit 2 --------------------------------------------------------------------------


@pytest.mark.parametrize("command", [["status"], ["logs"], ["start"], ["webhooks"]])
def test_403_95_and_auth_at_200_each_have_their_own_message(server, cli, command):
    endpoint = {"status": "UserAgent/Detail", "logs": "UserAgent/Logs", "start": "UserAgent/Start",
                "webhooks": "UserAgent/Detail"}[command[0]]
    seen = []
    for answer, status in ((p.ACCESS_DENIED_403, 403), (p.TEAM_ADMIN_403, 403), (p.AGENT_GONE, 200),
                           (p.AUTH_AT_200, 200)):
        server.reply(endpoint, answer, status=status)
        ran = cli(*command)
        assert ran.code == 2, (answer, ran.err)
        seen.append(ran.err)
    denied, admin, gone, auth = seen
    assert "not the agent's owner" in denied and "wrong" not in denied and "key itself is fine" in denied
    assert "not a team admin" in admin
    assert "deleted" in gone and "wiro-voice agents" in gone
    assert "Wiro refused the API key: Project authorization is not valid" in auth and "WIRO_API_KEY" in auth
    assert len(set(seen)) == 4


# -- logs: both shapes, newest first, --kind tool ----------------------------------------------------------------------


@pytest.mark.parametrize("answer", [p.logs_newest(), p.logs_iso_ascending()], ids=["newest", "1b53047"])
def test_newest_logs_list_newest_first(server, cli, answer):
    server.reply("UserAgent/Logs", answer)
    doc = cli("logs", "--json").json
    stamps = [e["ts"] for e in doc["events"]]
    assert stamps == sorted(stamps, reverse=True) and len(stamps) == 5
    words = {e["kind"]: e["kindLabel"] for e in doc["events"]}
    assert words["token_usage"] == "turn billed" and words["balance_gate_blocked"] == "turn refused: no credits"
    assert words["reflection_saved"] == "reflection saved"  # a kind no doc lists: shown, not dropped


def test_older_logs_list_newest_first_with_their_actions(server, cli):
    server.reply("UserAgent/Logs", p.logs_older())
    ran = cli("logs", "--json")
    events = ran.json["events"]
    assert [e["ts"] for e in events] == [str(p.T0 + 50), p.T0 + 40, p.T0 + 30, p.T0 + 20, p.T0 + 10]
    assert [e["kindLabel"] for e in events][:2] == ["agent turn: agent end", "credits used: message"]
    text = cli("logs").out.splitlines()
    assert "agent turn: agent end" in text[2] and "session: session start" in text[-1]


@pytest.mark.parametrize("answer, kinds", [(p.logs_newest(), {"tool_started", "tool_completed"}),
                                           (p.logs_older(), {"tool"})], ids=["newest", "older"])
def test_kind_tool_selects_tool_events_in_both_shapes(server, cli, answer, kinds):
    server.reply("UserAgent/Logs", answer)
    doc = cli("logs", "--kind", "tool", "--json").json
    assert {e["kind"] for e in doc["events"]} == kinds


def test_an_unknown_kind_exits_2_listing_the_kinds(server, cli):
    server.reply("UserAgent/Logs", p.logs_newest())
    ran = cli("logs", "--kind", "bogus")
    assert ran.code == 2 and "'bogus' is not a kind" in ran.err
    assert "tool_completed" in ran.err and "deduct" in ran.err and "reflection_saved" in ran.err
    assert cli("logs", "--kind", "reflection_saved", "--json").json["events"][0]["kind"] == "reflection_saved"


def test_calls_and_session_read_every_time_spelling(server, cli):
    server.reply("UserAgent/TwilioCallHistory/List", p.history_edges())
    doc = cli("calls", "--json").json
    assert [s["durationSeconds"] for s in doc["sessions"]] == ["30", 12]
    text = cli("calls").out
    assert "web" in text.lower()
    server.reply("UserAgent/Message/Detail", p.message_detail_older())
    session = cli("session", "7e0f-1")
    assert session.code == 0 and "Traceback" not in session.err
