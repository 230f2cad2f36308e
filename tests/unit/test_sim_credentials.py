"""Simulator: CredentialUpsert merge rules, webhook outcomes, and the save's side effects."""

from __future__ import annotations

import pytest

from tui.sim import wiro_voice_url


from .sim_http import post
OK, TWIML, SIP, STUDIO, MISSING = "+14155550142", "+14155550173", "+447700900123", "+902125550147", "+14155550163"


def scalar(name, value):
    return {"credentialkey": "twilio-voice", "fieldname": name, "fieldvalue": value}


def element(parent, ordinal, value):
    return {"credentialkey": "twilio-voice", "parentfield": parent, "ordinal": ordinal, "fieldname": "value",
            "fieldvalue": value}


def upsert(sim, guid, fields):
    return post(sim, "/UserAgent/CredentialUpsert", {"useragentguid": guid, "fields": fields})


def cred(sim, guid):
    return post(sim, "/UserAgent/Detail", {"guid": guid})["useragents"][0]["configuration"]["credentials"][
        "twilio-voice"]


def agent(sim, guid):
    return post(sim, "/UserAgent/Detail", {"guid": guid})["useragents"][0]


def twilio_number(sim, e164):
    with sim.world.lock:
        return dict(sim.world.twilio.accounts[sim.twilio_account_sid].number_by_e164(e164))


def test_resave_reports_updated_and_skipped(sim):
    answer = upsert(sim, sim.demo_agent_guid, [scalar("holdtext", "One moment please.")])
    assert answer["result"] is True
    assert answer["twilioWebhooksUpdated"] == [OK, TWIML, SIP, STUDIO]
    assert answer["twilioWebhookSkipped"] == [
        {"phonenumber": MISSING, "reason": "no matching IncomingPhoneNumber on Twilio account"}]
    assert answer["twilioWebhooksFailed"] == []
    assert "twilioWebhookError" not in answer


def test_save_writes_urls_but_keeps_app_and_trunk_routing(sim):
    upsert(sim, sim.demo_agent_guid, [scalar("holdtext", "x")])
    studio = twilio_number(sim, STUDIO)
    assert studio["voice_url"] == wiro_voice_url(sim.demo_agent_guid)
    assert studio["voice_method"] == "POST" and studio["status_callback_method"] == "POST"
    assert studio["status_callback"].startswith("https://api.wiro.ai/")
    assert twilio_number(sim, TWIML)["voice_application_sid"].startswith("AP")
    sip = twilio_number(sim, SIP)
    assert sip["trunk_sid"].startswith("TK") and sip["voice_url"] == wiro_voice_url(sim.demo_agent_guid)


def test_fields_not_sent_keep_their_values_and_arrays_are_replaced(sim):
    before = cred(sim, sim.demo_agent_guid)
    upsert(sim, sim.demo_agent_guid, [
        scalar("maxcallseconds", "900"),
        element("phonenumbers", 1, TWIML),
        element("phonenumbers", 0, OK),
        element("whitelistedcallers", 0, "+14155550100"),
    ])
    after = cred(sim, sim.demo_agent_guid)
    assert after["maxcallseconds"] == 900
    assert after["phonenumbers"] == [OK, TWIML]
    assert after["whitelistedcallers"] == ["+14155550100"]
    for key in ("accountsid", "authtoken", "holdstrategy", "holdtext", "holdvoice", "holdaudio", "holdmusic"):
        assert after[key] == before[key]
    with sim.world.lock:
        assert sim.world.agents[sim.demo_agent_guid].twilio["authtoken"] == sim.twilio_auth_token


def test_saving_the_mask_overwrites_the_token(sim):
    answer = upsert(sim, sim.demo_agent_guid, [scalar("authtoken", "***encrypted***")])
    with sim.world.lock:
        assert sim.world.agents[sim.demo_agent_guid].twilio["authtoken"] == "***encrypted***"
    assert answer["twilioWebhooksUpdated"] == [] and answer["twilioWebhookSkipped"] == []
    assert answer["twilioWebhooksFailed"] == [
        {"phoneNumber": n, "error": "Twilio 401 (20003): Authenticate"} for n in (OK, TWIML, SIP, STUDIO, MISSING)]
    # Putting the real token back repairs it.
    answer = upsert(sim, sim.demo_agent_guid, [scalar("authtoken", sim.twilio_auth_token)])
    assert answer["twilioWebhooksFailed"] == [] and OK in answer["twilioWebhooksUpdated"]


def test_bad_sid_format_gives_one_error_instead_of_the_lists(sim):
    answer = upsert(sim, sim.demo_agent_guid, [scalar("accountsid", "SK" + "0" * 32)])
    assert answer["result"] is True
    assert isinstance(answer["twilioWebhookError"], str) and answer["twilioWebhookError"]
    for key in ("twilioWebhooksUpdated", "twilioWebhookSkipped", "twilioWebhooksFailed"):
        assert key not in answer


def test_twilio_outage_gives_webhook_error(sim):
    with sim.world.lock:
        sim.world.twilio_outage = True
    answer = upsert(sim, sim.demo_agent_guid, [scalar("holdtext", "x")])
    assert answer["twilioWebhookError"] == "Twilio API request failed: 503 Service Unavailable"
    assert "twilioWebhooksUpdated" not in answer


def test_unknown_account_fails_every_number(sim):
    answer = upsert(sim, sim.demo_agent_guid, [scalar("accountsid", "AC" + "1" * 32)])
    assert [f["phoneNumber"] for f in answer["twilioWebhooksFailed"]] == [OK, TWIML, SIP, STUDIO, MISSING]


def test_save_restarts_a_running_agent(sim, clock):
    g = sim.demo_agent_guid
    upsert(sim, g, [scalar("holdtext", "x")])
    a = agent(sim, g)
    assert a["status"] == 1 and a["restartafter"] is True
    clock.advance(3.1)
    a = agent(sim, g)
    assert a["status"] == 2 and a["restartafter"] is False
    clock.advance(2)
    assert agent(sim, g)["status"] == 3
    clock.advance(4)
    assert agent(sim, g)["status"] == 4


def test_save_does_not_restart_a_stopped_agent(sim):
    upsert(sim, sim.stopped_agent_guid, [scalar("holdtext", "x")])
    assert agent(sim, sim.stopped_agent_guid)["status"] == 0


def test_complete_credential_takes_agent_out_of_setup(sim):
    g = sim.setup_agent_guid
    answer = upsert(sim, g, [scalar("accountsid", sim.twilio_account_sid)])
    assert agent(sim, g)["status"] == 6  # still incomplete
    assert cred(sim, g)["_connected"] is True
    answer = upsert(sim, g, [scalar("authtoken", sim.twilio_auth_token), element("phonenumbers", 0, "+14155550199")])
    assert answer["twilioWebhooksUpdated"] == ["+14155550199"]
    a = agent(sim, g)
    assert a["status"] == 0 and a["setuprequired"] is False
    assert post(sim, "/UserAgent/Start", {"guid": g})["result"] is True


@pytest.mark.parametrize("body, fragment", [
    ({"fields": []}, "useragentguid"),
    ({"useragentguid": "x"}, "fields"),
    ({"useragentguid": "x", "fields": "accountsid=AC"}, "fields must be a list"),
    ({"useragentguid": "x", "fields": [{"credentialkey": "twilio-voice", "fieldvalue": "1"}]}, "fieldname"),
    ({"useragentguid": "x", "fields": [{"fieldname": "holdtext", "fieldvalue": "1"}]}, "credentialkey"),
    ({"useragentguid": "x", "fields": ["holdtext"]}, "fields[0]"),
])
def test_malformed_bodies_are_refused(sim, body, fragment):
    r = post(sim, "/UserAgent/CredentialUpsert", body)
    assert r["result"] is False and r["errors"][0]["code"] == 0
    assert fragment in r["errors"][0]["message"]


def test_bad_values_and_unknown_agent(sim):
    r = upsert(sim, sim.demo_agent_guid, [scalar("maxcallseconds", "ten minutes")])
    assert r["result"] is False and "maxcallseconds" in r["errors"][0]["message"]
    assert cred(sim, sim.demo_agent_guid)["maxcallseconds"] == 600
    r = upsert(sim, sim.demo_agent_guid, [element("phonenumbers", "first", OK)])
    assert r["result"] is False and "ordinal" in r["errors"][0]["message"]
    r = upsert(sim, "nope", [scalar("holdtext", "x")])
    assert r["errors"] == [{"code": 1, "message": "User agent not found"}]
