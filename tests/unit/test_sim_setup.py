"""Simulator: the first-time setup (status 6) and Update, in both API shapes."""

from __future__ import annotations

from tests.conftest import START_EPOCH as EPOCH

from .sim_http import detail, older, post, refused, scalar, stored, upsert  # noqa: F401 - fixtures

SALES = "+14155550155"


def twilio_number(sim, e164):
    with sim.world.lock:
        return dict(sim.world.twilio.holder_of(e164)[1])


def test_first_time_setup_newest_save_update_start(sim, clock):
    g = sim.setup_agent_guid
    assert twilio_number(sim, SALES)["voice_url"] == ""
    answer = upsert(sim, g, [scalar("authtoken", sim.setup_auth_token)])
    assert answer == {"result": True, "errors": [], "applied": 1, "twilioWebhooksUpdated": [SALES],
                      "twilioWebhooksFailed": []}
    assert twilio_number(sim, SALES)["voice_url"] == sim.wiro_voice_url(g)
    # Saving never leaves status 6 on the newest API: Start still refuses until Update re-checks.
    item = detail(sim, g)
    assert item["status"] == 6 and item["credentials"]["twilio-voice"]["_required_missing"] is False
    assert refused(sim, "/UserAgent/Start", {"guid": g})[1].startswith("Agent setup is not complete.")
    answer = post(sim, "/UserAgent/Update", {"guid": g})
    assert answer["result"] is True and len(answer["useragents"]) == 1
    updated = answer["useragents"][0]
    assert updated["status"] == 0 and updated["setuprequired"] is False
    assert "credentials" in updated and "title" in updated
    assert not {"subscription", "remainingcredits", "extracreditsexpiry"} & updated.keys()
    assert post(sim, "/UserAgent/Start", {"guid": g}) == {"result": True, "errors": [], "useragents": []}
    clock.advance(6.5)
    assert detail(sim, g)["status"] == 4


def test_update_leaves_an_incomplete_setup_in_6(sim):
    answer = post(sim, "/UserAgent/Update", {"guid": sim.setup_agent_guid})
    assert answer["result"] is True and answer["useragents"][0]["status"] == 6
    assert answer["useragents"][0]["setuprequired"] is True


def test_the_wiro_credential_is_required_too(sim):
    g = sim.setup_agent_guid
    upsert(sim, g, [scalar("authtoken", sim.setup_auth_token)])
    with sim.world.lock:
        sim.world.agents[g].credentials["wiro"]["apikey"] = ""
    assert post(sim, "/UserAgent/Update", {"guid": g})["useragents"][0]["status"] == 6
    assert upsert(sim, g, [scalar("apikey", "wk-0123456789", key="wiro")])["applied"] == 1
    assert post(sim, "/UserAgent/Update", {"guid": g})["useragents"][0]["status"] == 0


def test_newest_update_is_scalar_only(sim):
    g = sim.setup_agent_guid
    body = {"guid": g, "configuration": {"credentials": {"twilio-voice": {"authtoken": sim.setup_auth_token}}}}
    assert post(sim, "/UserAgent/Update", body)["useragents"][0]["status"] == 6
    assert stored(sim, g)["authtoken"] == ""


def test_older_save_takes_the_agent_out_of_setup(older):
    g = older.setup_agent_guid
    answer = upsert(older, g, [scalar("authtoken", older.setup_auth_token)])
    assert answer["result"] is True and "applied" not in answer
    assert answer["twilioWebhooksUpdated"] == [SALES] and answer["twilioWebhookSkipped"] == []
    item = detail(older, g)
    assert item["status"] == 0 and item["setuprequired"] is False
    assert item["configuration"]["credentials"]["twilio-voice"]["_connected"] is True


def test_older_update_writes_configuration_credentials_and_flips_6(older):
    g = older.setup_agent_guid
    body = {"guid": g, "configuration": {"credentials": {"twilio-voice": {
        "authtoken": older.setup_auth_token, "holdstrategy": "text", "holdtext": "One moment."}}}}
    answer = post(older, "/UserAgent/Update", body)
    assert answer["useragents"][0]["status"] == 0
    assert answer["twilioWebhooksUpdated"] == [SALES]
    values = stored(older, g)
    assert values["authtoken"] == older.setup_auth_token and values["holdtext"] == "One moment."
    # Writing back what Detail showed (the mask) keeps the stored token.
    shown = detail(older, g)["configuration"]["credentials"]["twilio-voice"]
    post(older, "/UserAgent/Update", {"guid": g, "configuration": {"credentials": {"twilio-voice": shown}}})
    assert stored(older, g)["authtoken"] == older.setup_auth_token


def test_update_restarts_a_running_agent(sim, clock):
    g = sim.demo_agent_guid
    answer = post(sim, "/UserAgent/Update", {"guid": g, "title": "Front Desk"})
    item = answer["useragents"][0]
    assert item["status"] == 1 and item["title"] == "Front Desk"
    assert item["stoppingat"] == item["queuedat"] == int(EPOCH) and item["runningat"] is None
    assert "restartafter" not in item
    clock.advance(3.1)
    assert detail(sim, g)["status"] == 2
    clock.advance(2)
    assert detail(sim, g)["status"] == 3
    clock.advance(4)
    assert detail(sim, g)["status"] == 4


def test_older_update_restart_shows_restartafter(older, clock):
    item = post(older, "/UserAgent/Update", {"guid": older.demo_agent_guid})["useragents"][0]
    assert item["status"] == 1 and item["restartafter"] is True
    clock.advance(3.1)
    assert detail(older, older.demo_agent_guid)["restartafter"] is False


def test_update_scalars_and_their_refusals(sim):
    g = sim.stopped_agent_guid
    item = post(sim, "/UserAgent/Update", {"guid": g, "description": "Nights and weekends", "cover": None,
                                            "categories": ["support", "dental"]})["useragents"][0]
    assert item["description"] == "Nights and weekends" and item["categories"] == ["support", "dental"]
    assert item["status"] == 0
    assert refused(sim, "/UserAgent/Update", {"guid": g, "categories": []}) == (0, "Categories cannot be empty")
    assert refused(sim, "/UserAgent/Update", {"guid": g, "title": 7})[1] == "title must be text"
