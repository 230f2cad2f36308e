"""Simulator: CredentialUpsert validation and saving, the Twilio webhook fields, and the save's side effects."""

from __future__ import annotations

import pytest

from tui.sim import Simulator

from tests.conftest import START_EPOCH

from .sim_http import (detail, element, http, make_sim, older, post, refused, scalar, shaped, stored,  # noqa: F401
                       twilio_cred, upsert)

OK, TWIML, SIP, STUDIO, MISSING = "+14155550142", "+14155550173", "+447700900123", "+902125550147", "+14155550163"
NOT_ON_ACCOUNT = "no matching IncomingPhoneNumber on Twilio account"


def twilio_number(sim, e164):
    with sim.world.lock:
        return dict(sim.world.twilio.holder_of(e164)[1])


# -- the Twilio fields --------------------------------------------------------------------------------


def test_newest_resave_reports_updated_and_failed_objects(sim):
    answer = upsert(sim, sim.demo_agent_guid, [scalar("holdtext", "One moment please.")])
    assert answer == {"result": True, "errors": [], "applied": 1,
                      "twilioWebhooksUpdated": [OK, TWIML, SIP, STUDIO],
                      "twilioWebhooksFailed": [{"phoneNumber": MISSING, "error": NOT_ON_ACCOUNT}]}


def test_older_resave_reports_three_lists_of_numbers(older):
    answer = upsert(older, older.demo_agent_guid, [scalar("holdtext", "One moment please.")])
    # Numbers already pointing at the voice URL are skipped (left alone); the rest are written or failed.
    assert answer == {"result": True, "errors": [], "twilioWebhooksUpdated": [SIP, STUDIO],
                      "twilioWebhookSkipped": [OK, TWIML], "twilioWebhooksFailed": [MISSING]}
    again = upsert(older, older.demo_agent_guid, [scalar("holdtext", "x")])
    assert again["twilioWebhooksUpdated"] == [] and again["twilioWebhookSkipped"] == [OK, TWIML, SIP, STUDIO]


def test_save_writes_urls_but_keeps_app_and_trunk_routing(shaped):
    upsert(shaped, shaped.demo_agent_guid, [scalar("holdtext", "x")])
    studio = twilio_number(shaped, STUDIO)
    assert studio["voice_url"] == shaped.wiro_voice_url(shaped.demo_agent_guid) == shaped.voice_url
    assert studio["voice_method"] == "POST" and studio["status_callback_method"] == "POST"
    assert studio["status_callback"] == shaped.voice_url + "/StatusCallback"
    assert twilio_number(shaped, TWIML)["voice_application_sid"].startswith("AP")
    sip = twilio_number(shaped, SIP)
    assert sip["trunk_sid"].startswith("TK") and sip["voice_url"] == shaped.voice_url


def test_the_voice_handler_url_is_configurable(clock):
    url = "https://voice.wiro.ai/twilio/{guid}/incoming"
    with make_sim(clock, voice_url=url) as sim:
        g = sim.demo_agent_guid
        assert sim.voice_url == url and sim.voice_handler_base == "https://voice.wiro.ai/twilio/"
        assert twilio_number(sim, OK)["voice_url"] == f"https://voice.wiro.ai/twilio/{g}/incoming"
        upsert(sim, g, [scalar("holdtext", "x")])
        studio = twilio_number(sim, STUDIO)
        assert studio["voice_url"] == sim.wiro_voice_url(g) == f"https://voice.wiro.ai/twilio/{g}/incoming"
        assert studio["status_callback"] == f"https://voice.wiro.ai/twilio/{g}/incoming/StatusCallback"
        assert http.get(sim.base_url + "/").json()["voice_url"] == url
    with pytest.raises(ValueError, match="voice URL"):
        Simulator(voice_url="ftp://x")


def test_the_default_voice_url_is_under_wiro_ai(sim):
    assert sim.voice_url == "https://api.wiro.ai/v1/AgentRealtime/Twilio"
    assert twilio_number(sim, OK)["voice_url"] == sim.voice_url


@pytest.mark.parametrize("shape", ["newest", "older"])
def test_saving_the_mask_breaks_twilio_auth_but_saves_the_rows(clock, shape):
    with make_sim(clock, shape) as sim:
        answer = upsert(sim, sim.demo_agent_guid, [scalar("authtoken", "***encrypted***")])
        assert stored(sim, sim.demo_agent_guid)["authtoken"] == "***encrypted***"
        assert answer["result"] is True
        assert answer["twilioWebhookError"].startswith("Twilio authentication failed (401, code 20003)")
        assert not {"twilioWebhooksUpdated", "twilioWebhookSkipped", "twilioWebhooksFailed"} & answer.keys()
        repaired = upsert(sim, sim.demo_agent_guid, [scalar("authtoken", sim.twilio_auth_token)])
        assert OK in repaired["twilioWebhooksUpdated"] + repaired.get("twilioWebhookSkipped", [])


@pytest.mark.parametrize("change, error", [
    ("bad_sid", "Invalid Twilio Account SID format (expected AC followed by 32 hex characters)"),
    ("outage", "Twilio API request failed: 503 Service Unavailable"),
    ("unknown_account", "Twilio authentication failed (401, code 20003): check the Account SID and Auth Token"),
    ("suspended", "Twilio account is not active (suspended)"),
])
def test_the_whole_flow_failing_is_one_error_string(shaped, change, error):
    fields = [scalar("holdtext", "x")]
    with shaped.world.lock:
        if change == "outage":
            shaped.world.twilio_outage = True
        elif change == "suspended":
            shaped.world.twilio.accounts[shaped.twilio_account_sid].status = "suspended"
    if change == "bad_sid":
        fields = [scalar("accountsid", "SK" + "0" * 32)]
    elif change == "unknown_account":
        fields = [scalar("accountsid", "AC" + "1" * 32)]
    answer = upsert(shaped, shaped.demo_agent_guid, fields)
    assert answer["result"] is True and answer["twilioWebhookError"] == error
    assert not {"twilioWebhooksUpdated", "twilioWebhookSkipped", "twilioWebhooksFailed"} & answer.keys()
    if change == "bad_sid":  # the credential row is still saved; only the auto-configuration failed
        assert stored(shaped, shaped.demo_agent_guid)["accountsid"] == "SK" + "0" * 32


def test_newest_skipped_is_one_reason_instead_of_updated(sim):
    # The draft has no token yet: the VoiceUrl step is skipped, the row is saved.
    answer = upsert(sim, sim.setup_agent_guid, [scalar("holdtext", "Hello")])
    assert answer == {"result": True, "errors": [], "applied": 1,
                      "twilioWebhookSkipped": "Twilio credentials incomplete (Account SID and Auth Token are "
                                              "both needed)"}
    answer = upsert(sim, sim.demo_agent_guid, [element("phonenumbers", 0, MISSING), element("phonenumbers", 1,
                                                                                                  "+14155550111")])
    assert answer == {"result": True, "errors": [], "applied": 2, "twilioWebhookSkipped": NOT_ON_ACCOUNT}


def test_older_skips_as_lists_and_incomplete_as_an_error(older):
    answer = upsert(older, older.demo_agent_guid, [element("phonenumbers", 0, MISSING)])
    assert answer["twilioWebhooksFailed"] == [MISSING] and answer["twilioWebhooksUpdated"] == []
    answer = upsert(older, older.setup_agent_guid, [scalar("holdtext", "Hello")])
    assert answer["twilioWebhookError"].startswith("Twilio credentials incomplete")


def test_a_number_twilio_refuses_is_failed(shaped):
    with shaped.world.lock:
        shaped.world.twilio_reject_numbers[STUDIO] = "Twilio 400 (21452): VoiceUrl is not valid"
    answer = upsert(shaped, shaped.demo_agent_guid, [scalar("holdtext", "x")])
    if shaped.api_shape == "newest":
        assert {"phoneNumber": STUDIO, "error": "Twilio 400 (21452): VoiceUrl is not valid"} in answer[
            "twilioWebhooksFailed"]
        assert STUDIO not in answer["twilioWebhooksUpdated"]
    else:
        assert answer["twilioWebhooksFailed"] == [STUDIO, MISSING]
    assert "/Flows/FW" in twilio_number(shaped, STUDIO)["voice_url"]


def test_only_twilio_voice_rows_run_the_webhook_step(sim):
    answer = upsert(sim, sim.demo_agent_guid, [scalar("apikey", "wk-new-key", key="wiro")])
    assert answer == {"result": True, "errors": [], "applied": 1}


# -- validation -----------------------------------------------------------------------------------------


def test_newest_one_bad_row_rejects_the_whole_request(sim):
    before = stored(sim, sim.demo_agent_guid)
    answer = upsert(sim, sim.demo_agent_guid, [scalar("holdtext", "Changed"), scalar("maxcallseconds", "ten"),
                                               scalar("holdvoice", "Polly.Lea-Neural"), scalar("_connected", True)])
    assert answer == {"result": False, "errors": [
        {"code": 0, "message": "Max call seconds (maxcallseconds): must be a whole number of seconds from 10 to 14400"},
        {"code": 0, "message": "fields[3]: field names starting with _ cannot be written (_connected)"}]}
    assert stored(sim, sim.demo_agent_guid) == before
    assert detail(sim, sim.demo_agent_guid)["status"] == 4  # nothing saved, nothing restarted


def test_older_bad_rows_are_skipped_and_the_rest_written(older):
    answer = upsert(older, older.demo_agent_guid, [scalar("holdtext", "Changed"), scalar("maxcallseconds", "ten")])
    assert answer["result"] is False and "applied" not in answer
    assert [e["message"] for e in answer["errors"]] == [
        "Max call seconds (maxcallseconds): must be a whole number of seconds from 10 to 14400"]
    values = stored(older, older.demo_agent_guid)
    assert values["holdtext"] == "Changed" and values["maxcallseconds"] == 600
    assert "twilioWebhooksUpdated" in answer


@pytest.mark.parametrize("row, message", [
    (scalar("optional", True), "Optional is managed by Wiro"),
    (scalar("connectedat", 1), "Connected at is managed by Wiro"),
    (scalar("_schema", {}), "field names starting with _ cannot be written"),
    ({"credentialkey": "twilio-voice", "parentfield": "_x", "fieldname": "value", "fieldvalue": "1"},
     "field names starting with _ cannot be written"),
    (scalar("apikey", "x", key="hubspot"), "Unknown credential: hubspot"),
    (scalar("holdcolour", "blue"), "Unknown field: holdcolour"),
    (scalar("maxcallseconds", "5"), "Max call seconds (maxcallseconds): must be a whole number of seconds"),
    (scalar("maxcallseconds", 90.5), "Max call seconds (maxcallseconds): must be a whole number"),
    (scalar("holdstrategy", "jazz"), "Hold strategy (holdstrategy): must be one of: none, text, audio"),
    (scalar("holdvoice", "Joanna"), "Hold voice (holdvoice): must be a Twilio voice name"),
    (scalar("holdtext", "x" * 3001), "Hold text (holdtext): must be at most 3000 characters"),
    (scalar("holdtext", ["a"]), "Hold text (holdtext): must be a single value"),
    (scalar("phonenumbers", "+14155550142"), "Phone numbers (phonenumbers): is a list"),
    (scalar("phonenumbers", ["4155550142"]), "Phone numbers (phonenumbers): '4155550142' is not an E.164 number"),
    (element("phonenumbers", 0, "+0123"), "Phone numbers (phonenumbers): '+0123' is not an E.164 number"),
    (element("phonenumbers", -1, OK), "Phone numbers (phonenumbers): ordinal must be a whole number from 0"),
    (element("phonenumbers", "first", OK), "ordinal must be a whole number"),
    (element("holdtext", 0, "x"), "Hold text (holdtext): is not a list"),
    ({**element("phonenumbers", 0, OK), "fieldname": "number"}, 'list elements use fieldname "value"'),
    (scalar("accountsid", ""), "Account SID (accountsid): is required and cannot be cleared"),
    (scalar("phonenumbers", []), "Phone numbers (phonenumbers): is required and cannot be cleared"),
    (scalar("authtoken", None), "Auth Token (authtoken): is required and cannot be cleared"),
    (scalar("holdmusic", "https://cdn.example/loop.mp3"), "Hold music (holdmusic): is a file field: upload the file "
                                                          "with CredentialFileUpload"),
    ({"credentialkey": "twilio-voice", "fieldvalue": "1"}, "fields[0]: credentialkey and fieldname are required"),
    ("holdtext", "fields[0] must be an object"),
])
def test_each_kind_of_bad_row_is_named(sim, row, message):
    answer = upsert(sim, sim.demo_agent_guid, [row])
    assert answer["result"] is False and "applied" not in answer
    assert len(answer["errors"]) == 1 and answer["errors"][0]["code"] == 0
    assert message in answer["errors"][0]["message"]


def test_whitelist_elements_may_lack_the_plus(shaped):
    answer = upsert(shaped, shaped.demo_agent_guid, [scalar("whitelistedcallers", ["+16465550111", "16465550111"])])
    assert answer["errors"] == []
    assert stored(shaped, shaped.demo_agent_guid)["whitelistedcallers"] == ["+16465550111", "16465550111"]


def test_older_accepts_a_url_in_a_file_field(older):
    answer = upsert(older, older.demo_agent_guid, [scalar("holdmusic", "https://cdn.example/loop.mp3")])
    assert answer["result"] is True
    assert twilio_cred(older, older.demo_agent_guid)["holdmusic"] == "https://cdn.example/loop.mp3"


@pytest.mark.parametrize("body, fragment", [
    ({"useragentguid": None, "fields": []}, "useragentguid is required"),
    ({}, "fields is required"),
    ({"fields": "accountsid=AC"}, "fields must be a list"),
    ({"fields": []}, "fields must not be empty"),
])
def test_malformed_bodies_are_refused(shaped, body, fragment):
    body = {"useragentguid": shaped.demo_agent_guid, **body}
    code, message = refused(shaped, "/UserAgent/CredentialUpsert", body)
    assert code == 0 and fragment in message


# -- saving ---------------------------------------------------------------------------------------------


def test_fields_not_sent_keep_their_values_and_element_rows_replace_the_list(shaped):
    before = stored(shaped, shaped.demo_agent_guid)
    answer = upsert(shaped, shaped.demo_agent_guid, [
        scalar("maxcallseconds", "900"), element("phonenumbers", 1, TWIML), element("phonenumbers", 0, OK),
        element("whitelistedcallers", 0, "+14155550100")])
    assert answer["result"] is True
    if shaped.api_shape == "newest":
        assert answer["applied"] == 4
    after = stored(shaped, shaped.demo_agent_guid)
    assert after["maxcallseconds"] == 900 and after["phonenumbers"] == [OK, TWIML]
    assert after["whitelistedcallers"] == ["+14155550100"]
    for key in ("accountsid", "authtoken", "holdstrategy", "holdtext", "holdvoice", "holdaudio", "holdmusic"):
        assert after[key] == before[key]
    assert twilio_cred(shaped, shaped.demo_agent_guid)["maxcallseconds"] == 900


def test_empty_values_clear_optional_fields(sim):
    upsert(sim, sim.demo_agent_guid, [scalar("whitelistedcallers", ["+14155550100"])])
    answer = upsert(sim, sim.demo_agent_guid, [scalar("holdtext", ""), scalar("maxcallseconds", ""),
                                               scalar("whitelistedcallers", []), scalar("holdmusic", None),
                                               scalar("holdvoice", "")])
    assert answer["result"] is True and answer["applied"] == 5
    cred = twilio_cred(sim, sim.demo_agent_guid)
    assert cred["holdtext"] == "" and cred["maxcallseconds"] == 600 and cred["whitelistedcallers"] == []
    assert cred["holdmusic"] is None and cred["holdvoice"] == ""


def test_a_failure_after_validation_keeps_the_other_rows(sim):
    with sim.world.lock:
        sim.world.upsert_fail_fields.add("holdvoice")
    answer = upsert(sim, sim.demo_agent_guid, [scalar("holdtext", "Saved"), scalar("holdvoice", "Polly.Lea-Neural")])
    assert answer["result"] is False and answer["applied"] == 1
    assert answer["errors"] == [{"code": 0, "message": "Hold voice (holdvoice): could not be saved (storage write "
                                                       "failed); send the request again"}]
    assert "twilioWebhooksUpdated" in answer  # a twilio-voice row was saved
    values = stored(sim, sim.demo_agent_guid)
    assert values["holdtext"] == "Saved" and values["holdvoice"] == "Polly.Joanna-Neural"
    with sim.world.lock:
        sim.world.upsert_fail_fields.clear()
    resent = upsert(sim, sim.demo_agent_guid, [scalar("holdtext", "Saved"), scalar("holdvoice", "Polly.Lea-Neural")])
    assert resent["result"] is True and resent["applied"] == 2  # re-sending the same request is safe


def test_the_partial_fault_fails_the_last_row(clock):
    with make_sim(clock, faults="partial:1") as sim:
        answer = upsert(sim, sim.demo_agent_guid, [scalar("holdtext", "A"), scalar("holdstrategy", "text")])
        assert answer["result"] is False and answer["applied"] == 1
        assert "Hold strategy (holdstrategy): could not be saved" in answer["errors"][0]["message"]
        assert stored(sim, sim.demo_agent_guid)["holdtext"] == "A"
        # Other endpoints answer normally under this fault.
        assert post(sim, "/UserAgent/MyAgents")["result"] is True


def test_save_restarts_a_running_agent_only(shaped, clock):
    g = shaped.demo_agent_guid
    upsert(shaped, g, [scalar("holdtext", "x")])
    item = detail(shaped, g)
    assert item["status"] == 1
    clock.advance(3.1)
    assert detail(shaped, g)["status"] == 2
    clock.advance(6)
    assert detail(shaped, g)["status"] == 4
    upsert(shaped, shaped.stopped_agent_guid, [scalar("holdtext", "x")])
    assert detail(shaped, shaped.stopped_agent_guid)["status"] == 0


def test_connected_flag_by_shape(shaped):
    upsert(shaped, shaped.setup_agent_guid, [scalar("holdtext", "x")])
    cred = twilio_cred(shaped, shaped.setup_agent_guid)
    assert cred["_connected"] is (shaped.api_shape == "older")
    if shaped.api_shape == "newest":
        assert cred["connectedat"] == int(START_EPOCH)


def test_credentials_detail_serves_the_schema_without_auth(shaped):
    r = http.post(shaped.wiro_base + "/Credentials/Detail", json={"key": "twilio-voice"})
    assert r.status_code == 200
    credential = r.json()["credential"]
    assert credential["key"] == "twilio-voice" and "int-twilio-channel" in credential["used_by_skills"]
    types = {f["key"]: f["type"] for f in credential["credential_schema"]}
    assert types["holdaudio"] == types["holdmusic"] == "fileinput" and types["authtoken"] == "password"
    r = http.post(shaped.wiro_base + "/Credentials/Detail", json={"key": "nope"})
    assert r.json() == {"result": False, "errors": [{"code": 404, "message": "Credential not found: nope"}]}
