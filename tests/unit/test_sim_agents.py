"""Simulator: MyAgents and Detail in both API shapes, Start/Stop transitions, refusals and access errors."""

from __future__ import annotations

import pytest

from tui.sim import DEMO_API_KEY, DEMO_TEAM_API_KEY

from tests.conftest import START_EPOCH as EPOCH

from .sim_http import detail, http, make_sim, older, post, refused, shaped  # noqa: F401 - fixtures

LIFECYCLE = ("queuedat", "startedat", "runningat", "stoppingat", "stopdat", "errordat")
SUBSCRIPTION = {"plan", "status", "amount", "currency", "currentperiodend", "renewaldate", "daysremaining",
                "pendingdowngrade", "provider"}
DETAIL_ONLY = {"credentials", "customskills", "scheduledskills", "skills", "skillsmeta", "remainingcredits"}


def agents(sim, key=DEMO_API_KEY, **body):
    answer = post(sim, "/UserAgent/MyAgents", body, key=key)
    assert answer["result"] is True
    return answer["useragents"]


def status(sim, guid):
    return detail(sim, guid)["status"]


# -- MyAgents ---------------------------------------------------------------------------------------


def test_my_agents_newest_rows(sim):
    rows = agents(sim)
    assert [r["guid"] for r in rows] == [sim.demo_agent_guid, sim.stopped_agent_guid, sim.setup_agent_guid,
                                         sim.nocredit_agent_guid]  # id DESC by default
    for row in rows:
        assert {"guid", "uuid", "agentguid", "teamguid", "title", "tier", "monthlycredits", "extracredits",
                "usedcredits", "creditperiod", "creditsyncat", "status", "setuprequired", "subscription", "agent",
                "agentModel", "enabledSkills", "createdat", "updatedat", *LIFECYCLE} <= row.keys()
        assert not DETAIL_ONLY & row.keys(), "MyAgents leaves the credentials and the rest to Detail"
        assert not {"id", "agentid", "restartafter", "configuration"} & row.keys()
        assert isinstance(row["createdat"], int) and isinstance(row["updatedat"], int)
        assert all(row[k] is None or isinstance(row[k], int) for k in LIFECYCLE)
        assert set(row["subscription"]) == SUBSCRIPTION and row["subscription"]["provider"] == "prepaid"
        assert len(row["creditperiod"]) == 7 and row["creditperiod"][4] == "-"
        assert row["teamguid"] is None
        assert row["setuprequired"] is (row["status"] == 6)  # a status check only on MyAgents
        assert set(row["agentModel"]) == {"chatModel", "cronModel", "voicePrepModel", "voicePostcallModel"}
    demo = rows[0]
    assert demo["status"] == 4 and demo["title"] == "Front Desk — Bosphorus Dental"
    assert demo["agent"]["slug"] == "voice-receptionist" and demo["agent"]["title"] == "Voice Receptionist"
    assert demo["runningat"] is not None and demo["runningat"] < EPOCH
    assert "int-twilio-channel" in demo["enabledSkills"]


def test_my_agents_older_rows(older):
    rows = agents(older)
    assert len(rows) == 4
    for row in rows:
        assert {"id", "guid", "title", "status", "setuprequired", "restartafter", "agentid", "agent",
                "createdat", "updatedat"} <= row.keys()
        assert isinstance(row["createdat"], str) and row["createdat"].isdigit()
        assert isinstance(row["updatedat"], str) and row["updatedat"].isdigit()
        assert "credentials" not in row and "subscription" not in row and "tier" not in row
    assert rows[0]["agent"] == {"id": 7, "title": "Voice Receptionist", "slug": "voice-receptionist"}


def test_my_agents_pages_and_sorts(shaped):
    everyone = agents(shaped, limit=1000)
    assert len(everyone) == 4
    pages = [agents(shaped, limit=1, start=i) for i in range(5)]
    assert [len(p) for p in pages] == [1, 1, 1, 1, 0]
    assert [p[0]["guid"] for p in pages[:4]] == [a["guid"] for a in everyone]
    asc = agents(shaped, sort="id", order="ASC")
    assert [a["guid"] for a in asc] == [a["guid"] for a in reversed(everyone)]
    by_title = [a["title"] for a in agents(shaped, sort="title", order="ASC")]
    assert by_title == sorted(by_title, key=str.lower)
    assert len(agents(shaped, limit=5000)) == 4


def test_my_agents_lists_the_keys_workspace_only(shaped):
    personal = {a["guid"] for a in agents(shaped)}
    team = agents(shaped, key=DEMO_TEAM_API_KEY)
    assert [a["guid"] for a in team] == [shaped.team_agent_guid]
    for hidden in (shaped.team_agent_guid, shaped.deleted_agent_guid, shaped.foreign_agent_guid):
        assert hidden not in personal
    if shaped.api_shape == "newest":
        assert team[0]["teamguid"] and team[0]["teamguid"].startswith("team-")


# -- Detail -----------------------------------------------------------------------------------------


def test_detail_newest_puts_credentials_at_the_top_level(sim):
    item = detail(sim, sim.demo_agent_guid)
    assert "configuration" not in item and "restartafter" not in item
    assert DETAIL_ONLY <= item.keys() and {"subscription", "timezone", "agentModel"} <= item.keys()
    assert item["remainingcredits"] == max(0, item["monthlycredits"] + item["extracredits"] - item["usedcredits"])
    assert set(item["credentials"]) == {"twilio-voice", "wiro"}
    cred = item["credentials"]["twilio-voice"]
    assert list(cred)[:8] == ["_connected", "optional", "extra", "_editable", "_schema", "_required_missing",
                              "connectedat", "tokenexpiresat"]
    assert list(cred)[8:] == ["accountsid", "authtoken", "phonenumbers", "maxcallseconds", "whitelistedcallers",
                              "holdstrategy", "holdtext", "holdvoice", "holdaudio", "holdmusic"]
    assert cred["_connected"] is False, "an API-key credential is not 'connected' (that flag is for OAuth)"
    assert cred["optional"] is False and cred["_required_missing"] is False
    assert cred["authtoken"] == "***encrypted***" and cred["accountsid"] == sim.twilio_account_sid
    assert isinstance(cred["connectedat"], int)
    assert cred["_editable"] == {name: True for name in list(cred)[8:]}
    fields = {f["key"]: f for f in cred["_schema"]["fields"]}
    assert fields["holdaudio"]["type"] == "fileinput" and fields["holdmusic"]["maxsize"] == 10240
    assert fields["accountsid"]["required"] and not fields["holdtext"]["required"]
    assert cred["maxcallseconds"] == 600 and cred["whitelistedcallers"] == []
    assert cred["holdstrategy"] == "text_then_music" and cred["holdvoice"] == "Polly.Joanna-Neural"
    assert cred["holdaudio"] is None and cred["holdmusic"].startswith(sim.base_url + "/files/")
    assert len(cred["phonenumbers"]) == 5
    assert item["credentials"]["wiro"]["apikey"] == "***encrypted***"


def test_detail_older_keeps_credentials_under_configuration(older):
    item = detail(older, older.demo_agent_guid)
    assert "credentials" not in item and "restartafter" in item
    cred = item["configuration"]["credentials"]["twilio-voice"]
    assert list(cred)[:3] == ["_connected", "optional", "extra"]
    assert "_schema" not in cred and "_required_missing" not in cred
    assert cred["authtoken"] == "***encrypted***" and len(cred["phonenumbers"]) == 5
    assert isinstance(item["createdat"], str)


def test_no_detail_ever_shows_a_stored_secret(shaped):
    with shaped.world.lock:
        secrets = [g[k] for a in shaped.world.agents.values() for g in a.credentials.values()
                   for k in ("authtoken", "apikey") if g.get(k)]
    assert len(secrets) >= 6
    for guid in (shaped.demo_agent_guid, shaped.stopped_agent_guid, shaped.setup_agent_guid,
                 shaped.nocredit_agent_guid, shaped.team_agent_guid):
        raw = http.post(shaped.wiro_base + "/UserAgent/Detail", json={"guid": guid},
                        headers={"x-api-key": DEMO_API_KEY}).text
        assert not any(s in raw for s in secrets)


def test_setup_agent_is_half_filled_in(sim):
    item = detail(sim, sim.setup_agent_guid)
    assert item["status"] == 6 and item["setuprequired"] is True
    cred = item["credentials"]["twilio-voice"]
    assert cred["_required_missing"] is True and cred["authtoken"] == ""
    assert cred["accountsid"] == sim.setup_account_sid and cred["phonenumbers"] == ["+14155550155"]
    assert item["credentials"]["wiro"]["_required_missing"] is False


def test_detail_setuprequired_also_checks_the_credential_rows(shaped):
    with shaped.world.lock:
        shaped.world.agents[shaped.stopped_agent_guid].twilio["authtoken"] = ""
    item = detail(shaped, shaped.stopped_agent_guid)
    assert item["status"] == 0 and item["setuprequired"] is True
    row = next(a for a in agents(shaped) if a["guid"] == shaped.stopped_agent_guid)
    assert row["setuprequired"] is (shaped.api_shape == "older")  # newest MyAgents: status only
    assert refused(shaped, "/UserAgent/Start", {"guid": shaped.stopped_agent_guid})[1].startswith(
        "Agent setup is not complete.")


# -- Start / Stop -----------------------------------------------------------------------------------


def test_stop_then_start_follow_simulated_time(shaped, clock):
    g = shaped.demo_agent_guid
    assert post(shaped, "/UserAgent/Stop", {"guid": g}) == {"result": True, "errors": [], "useragents": []}
    assert status(shaped, g) == 1
    clock.advance(2.9)
    assert status(shaped, g) == 1
    clock.advance(0.2)
    assert status(shaped, g) == 0
    assert post(shaped, "/UserAgent/Start", {"guid": g}) == {"result": True, "errors": [], "useragents": []}
    assert status(shaped, g) == 2
    clock.advance(1.9)
    assert status(shaped, g) == 2
    clock.advance(0.2)
    assert status(shaped, g) == 3
    clock.advance(3.8)
    assert status(shaped, g) == 3
    clock.advance(0.2)
    assert status(shaped, g) == 4


def test_lifecycle_stamps_follow_the_transitions(sim, clock):
    g = sim.demo_agent_guid
    post(sim, "/UserAgent/Stop", {"guid": g})
    item = detail(sim, g)
    assert item["stoppingat"] == int(EPOCH) and item["runningat"] is None
    clock.advance(3.5)
    assert detail(sim, g)["stopdat"] == int(EPOCH + 3)
    post(sim, "/UserAgent/Start", {"guid": g})
    clock.advance(10)
    item = detail(sim, g)
    assert item["queuedat"] == int(EPOCH + 3.5) and item["startedat"] == int(EPOCH + 5.5)
    assert item["runningat"] == int(EPOCH + 9.5)


def test_speed_scales_transitions(clock):
    with make_sim(clock, speed=10.0) as sim:
        post(sim, "/UserAgent/Stop", {"guid": sim.demo_agent_guid})
        clock.advance(0.31)  # 3.1 simulated seconds
        assert status(sim, sim.demo_agent_guid) == 0
        assert sim.now() == pytest.approx(EPOCH + 3.1)


def test_start_and_stop_refusals(shaped, clock):
    g = shaped.demo_agent_guid
    start = lambda guid: refused(shaped, "/UserAgent/Start", {"guid": guid})  # noqa: E731
    assert start(g) == (0, "Agent is already running")
    post(shaped, "/UserAgent/Stop", {"guid": g})
    assert start(g) == (0, "Agent is currently stopping, please wait")
    assert refused(shaped, "/UserAgent/Stop", {"guid": g}) == (0, "Agent is currently stopping, please wait")
    clock.advance(3)
    assert refused(shaped, "/UserAgent/Stop", {"guid": g}) == (0, "Agent is already stopped")
    post(shaped, "/UserAgent/Start", {"guid": g})
    assert start(g) == (0, "Agent is already queued to start")
    clock.advance(2)
    assert status(shaped, g) == 3 and start(g) == (0, "Agent is already queued to start")
    assert start(shaped.setup_agent_guid) == (
        0, "Agent setup is not complete. Please fill in your credentials before starting.")
    with shaped.world.lock:
        shaped.world.agents[shaped.stopped_agent_guid].status = 5
    assert refused(shaped, "/UserAgent/Stop", {"guid": shaped.stopped_agent_guid}) == (
        0, "Agent is in error state, use Start to retry")
    assert post(shaped, "/UserAgent/Start", {"guid": shaped.stopped_agent_guid})["result"] is True
    assert status(shaped, shaped.stopped_agent_guid) == 2


def test_stopping_a_queued_agent_is_immediate(sim):
    post(sim, "/UserAgent/Start", {"guid": sim.stopped_agent_guid})
    assert status(sim, sim.stopped_agent_guid) == 2
    post(sim, "/UserAgent/Stop", {"guid": sim.stopped_agent_guid})
    assert status(sim, sim.stopped_agent_guid) == 0


def test_start_refused_for_credits_with_agentbalance(sim):
    answer = post(sim, "/UserAgent/Start", {"guid": sim.nocredit_agent_guid})
    assert answer["result"] is False
    assert answer["errors"] == [{"code": 0, "message": "Agent has no remaining credits. Renew your subscription or "
                                                     "buy a credit pack to continue."}]
    assert answer["agentbalance"] == {"monthlycredits": 60, "extracredits": 0, "usedcredits": 60,
                                      "remainingcredits": 0}
    item = detail(sim, sim.nocredit_agent_guid)
    assert item["remainingcredits"] == 0 and item["usedcredits"] == 60 and item["status"] == 0


def test_start_refused_for_credits_older_wording(older):
    answer = post(older, "/UserAgent/Start", {"guid": older.nocredit_agent_guid})
    assert answer["errors"][0]["message"] == (
        "No credits available. Please renew your subscription or purchase extra credits.")
    assert "agentbalance" not in answer


@pytest.mark.parametrize("shape, switch, message", [
    ("newest", "no_credits", "No credits available. Please renew your subscription or purchase extra credits."),
    ("older", "no_credits", "No credits available. Please renew your subscription or purchase extra credits."),
    ("older", "no_subscription", "Active subscription required to start agent. Please renew your subscription."),
])
def test_start_refused_by_switches(clock, shape, switch, message):
    with make_sim(clock, shape) as sim:
        with sim.world.lock:
            setattr(sim.world.agents[sim.stopped_agent_guid], switch, True)
        assert refused(sim, "/UserAgent/Start", {"guid": sim.stopped_agent_guid}) == (0, message)
        with sim.world.lock:
            setattr(sim.world.agents[sim.stopped_agent_guid], switch, False)
            setattr(sim.world, switch, True)
        assert refused(sim, "/UserAgent/Start", {"guid": sim.stopped_agent_guid}) == (0, message)


def test_subscription_required_unless_extra_credits_remain(sim, clock):
    with sim.world.lock:
        sim.world.agents[sim.stopped_agent_guid].no_subscription = True
        sim.world.agents[sim.demo_agent_guid].no_subscription = True
    assert refused(sim, "/UserAgent/Start", {"guid": sim.stopped_agent_guid}) == (
        0, "Subscription required — please subscribe to this agent before starting it.")
    assert detail(sim, sim.stopped_agent_guid)["subscription"]["status"] == "expired"
    post(sim, "/UserAgent/Stop", {"guid": sim.demo_agent_guid})
    clock.advance(3.5)
    # The demo agent bought a credit pack: spendable extras let it start without a subscription.
    assert detail(sim, sim.demo_agent_guid)["extracredits"] == 100
    assert post(sim, "/UserAgent/Start", {"guid": sim.demo_agent_guid})["result"] is True


# -- access -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("path, field", [("/UserAgent/Detail", "guid"), ("/UserAgent/Start", "guid"),
                                         ("/UserAgent/Stop", "guid"), ("/UserAgent/Update", "guid"),
                                         ("/UserAgent/TwilioCallHistory/List", "useragentguid"),
                                         ("/UserAgent/CredentialUpsert", "useragentguid")])
def test_unknown_and_deleted_agents_are_95(shaped, path, field):
    for guid in ("nope", shaped.deleted_agent_guid):
        body = {field: guid, "fields": [{"credentialkey": "twilio-voice", "fieldname": "holdtext", "fieldvalue": "x"}]}
        assert refused(shaped, path, body) == (95, "User agent not found")
    code, message = refused(shaped, path, {})
    assert code == 0 and field in message


@pytest.mark.parametrize("path, field", [("/UserAgent/Detail", "guid"), ("/UserAgent/Start", "guid"),
                                         ("/UserAgent/Update", "guid"), ("/UserAgent/Logs", "useragentguid"),
                                         ("/UserAgent/TransactionList", "useragentguid"),
                                         ("/UserAgent/TwilioCallHistory/List", "useragentguid")])
def test_someone_elses_agent_is_403_access_denied(shaped, path, field):
    assert refused(shaped, path, {field: shaped.foreign_agent_guid}, status=403) == (96, "useragent-access-denied")


def test_a_team_member_reads_but_cannot_start_update_or_save(shaped):
    g = shaped.team_agent_guid
    assert detail(shaped, g)["title"] == "Partner Clinic — Kadıköy (team)"
    assert post(shaped, "/UserAgent/TwilioCallHistory/List", {"useragentguid": g})["result"] is True
    only_admin = (97, "Only a team admin can perform this action on a team-owned agent.")
    for path in ("/UserAgent/Start", "/UserAgent/Stop", "/UserAgent/Update"):
        assert refused(shaped, path, {"guid": g}, status=403) == only_admin
    body = {"useragentguid": g, "fields": [{"credentialkey": "twilio-voice", "fieldname": "holdtext", "fieldvalue": "x"}]}
    assert refused(shaped, "/UserAgent/CredentialUpsert", body, status=403) == only_admin
    # The team project's key sees it in MyAgents, with the same rights.
    assert refused(shaped, "/UserAgent/Start", {"guid": g}, status=403, key=DEMO_TEAM_API_KEY) == only_admin


def test_team_members_logs_and_ledger(shaped):
    g = shaped.team_agent_guid
    if shaped.api_shape == "newest":
        for path in ("/UserAgent/Logs", "/UserAgent/TransactionList"):
            assert refused(shaped, path, {"useragentguid": g}, status=403) == (97, "useragent-team-admin-required")
    else:  # older docs: any team member reads the logs
        assert post(shaped, "/UserAgent/Logs", {"useragentguid": g})["result"] is True


def test_deleted_agents_logs_and_ledger_are_95(shaped):
    for path in ("/UserAgent/Logs", "/UserAgent/TransactionList"):
        assert refused(shaped, path, {"useragentguid": shaped.deleted_agent_guid}) == (95, "useragent-not-found")
