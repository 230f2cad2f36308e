"""The "what Wiro said" report: per-number states from a CredentialUpsert answer, tolerant of odd shapes."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tui.sim.demo import NUMBER_NOT_ON_ACCOUNT, NUMBER_OK, NUMBER_STUDIO
from tui.webhooks.report import (
    FAILED,
    NOT_IN_SAVE,
    SKIPPED,
    UPDATED,
    SaveReport,
    build_report,
    scrub,
)
from tui.wiro.client import WiroClient
from tui.wiro.models import UpsertResult

GUID = "5d30c470-fded-4396-952e-c02b28bb44f2"
NUMBERS = ["+14155550142", "+14155550173", "+447700900123", "+902125550147"]


def report_of(answer: dict, numbers=NUMBERS) -> SaveReport:
    return build_report(UpsertResult.parse(answer), numbers, agent_guid=GUID, now=1000.0)


def states(report: SaveReport) -> dict[str, tuple[str, str | None]]:
    return {s.number: (s.state, s.detail) for s in report.numbers}


def test_the_three_lists_in_their_undocumented_shapes():
    report = report_of({
        "twilioWebhooksUpdated": ["+14155550142", {"phoneNumber": "+14155550173"}],
        "twilioWebhookSkipped": [{"phonenumber": "+447700900123", "reason": "no matching IncomingPhoneNumber on Twilio account"}],
        "twilioWebhooksFailed": [{"number": "+902125550147", "error": {"message": "Authenticate", "code": 20003}}],
    })
    assert states(report) == {
        "+14155550142": (UPDATED, None),
        "+14155550173": (UPDATED, None),
        "+447700900123": (SKIPPED, "no matching IncomingPhoneNumber on Twilio account"),
        "+902125550147": (FAILED, "Authenticate (code 20003)"),
    }
    assert not report.ok and report.banner is None and report.made_at == 1000.0
    doc = report.to_json()
    assert doc["updated"] == ["+14155550142", "+14155550173"]
    assert doc["skipped"] == [{"number": "+447700900123", "reason": "no matching IncomingPhoneNumber on Twilio account"}]
    assert doc["failed"] == [{"number": "+902125550147", "error": "Authenticate (code 20003)"}]
    assert doc["error"] is None


def test_a_number_the_save_did_not_mention_is_not_in_the_last_save():
    report = report_of({"twilioWebhooksUpdated": NUMBERS[:3]})
    assert report.state_of(NUMBERS[3]).state == NOT_IN_SAVE
    assert report.state_of("+10000000000").label == "not in the last save"


def test_all_updated_is_ok():
    assert report_of({"twilioWebhooksUpdated": NUMBERS}).ok


def test_webhook_error_is_a_banner_and_nothing_was_configured():
    report = report_of({"twilioWebhookError": "Twilio API request failed: 503 Service Unavailable"})
    assert report.error == "Twilio API request failed: 503 Service Unavailable"
    assert "No number was configured this round" in report.banner and "Save again" in report.banner
    assert "token is not needed" in report.banner
    assert all(s.state == NOT_IN_SAVE for s in report.numbers) and len(report.numbers) == 4 and not report.ok


def test_unknown_shapes_are_shown_as_text_not_dropped():
    report = report_of({"twilioWebhooksUpdated": [NUMBERS[0], 42, {"what": "is this"}],
                        "twilioWebhookSkipped": [None]})
    assert report.unknown == ("updated: 42", 'updated: {"what": "is this"}', "skipped: null")
    assert not report.ok


def test_numbers_wiro_mentions_that_were_not_sent_are_kept():
    report = report_of({"twilioWebhooksUpdated": ["+19998887777"]}, numbers=["+14155550142"])
    extra = report.state_of("+19998887777")
    assert extra.state == UPDATED and not extra.in_credential


def test_the_worst_state_wins_and_reformatted_numbers_match():
    report = report_of({"twilioWebhooksUpdated": ["+1 (415) 555-0142"],
                        "twilioWebhooksFailed": [{"phoneNumber": "+14155550142", "error": "Twilio 500"}]},
                       numbers=["+14155550142"])
    assert states(report) == {"+14155550142": (FAILED, "Twilio 500")}


def test_states_for_the_current_credential():
    report = report_of({"twilioWebhooksUpdated": ["+14155550142", "+14155550100"]}, numbers=["+14155550142", "+14155550100"])
    rows = report.states_for(["+14155550142", "+14155550177"])
    assert [(r.number, r.state, r.in_credential) for r in rows] == [
        ("+14155550142", UPDATED, True), ("+14155550177", NOT_IN_SAVE, True), ("+14155550100", UPDATED, False)]


def test_token_shaped_text_from_the_server_is_masked():
    token = "0123456789abcdef0123456789abcdef"
    report = report_of({"twilioWebhookError": f"bad token {token}"})
    assert token not in report.error and token not in repr(report) and report.error.endswith("cdef")
    assert scrub("AC" + "a" * 32) == "AC" + "a" * 32  # an Account SID is not a secret and stays readable


def test_json_round_trip():
    report = report_of({"twilioWebhooksUpdated": [NUMBERS[0], 7], "twilioWebhookSkipped": [{"phonenumber": NUMBERS[1], "reason": "r"}]})
    assert SaveReport.from_json(report.to_json()) == report


@pytest.mark.parametrize("junk", [None, [], "x", {"agent_guid": GUID}, {"agent_guid": GUID, "made_at": True}])
def test_from_json_refuses_what_is_not_a_report(junk):
    assert SaveReport.from_json(junk) is None


async def test_built_from_a_real_save_on_the_simulator(sim):
    async with WiroClient(sim.api_key, None, sim.wiro_base) as wiro:
        result = await wiro.credential_upsert(sim.demo_agent_guid, [
            {"credentialkey": "twilio-voice", "fieldname": "maxcallseconds", "fieldvalue": "600"}])
        agent = await wiro.detail(sim.demo_agent_guid)
    report = build_report(result, agent.credential.phonenumbers, agent_guid=sim.demo_agent_guid)
    assert report.state_of(NUMBER_OK).state == UPDATED and report.state_of(NUMBER_STUDIO).state == UPDATED
    missing = report.state_of(NUMBER_NOT_ON_ACCOUNT)  # newest docs: failed, as {phoneNumber, error}
    assert missing.state == FAILED and "no matching IncomingPhoneNumber" in missing.detail
    assert report.unknown == () and not report.ok


async def test_built_from_a_real_outage_on_the_simulator(sim):
    with sim.world.lock:
        sim.world.twilio_outage = True
    async with WiroClient(sim.api_key, None, sim.wiro_base) as wiro:
        result = await wiro.credential_upsert(sim.demo_agent_guid, [
            {"credentialkey": "twilio-voice", "fieldname": "maxcallseconds", "fieldvalue": "600"}])
    report = build_report(result, [NUMBER_OK], agent_guid=sim.demo_agent_guid)
    assert report.banner and "503" in report.banner and report.state_of(NUMBER_OK).state == NOT_IN_SAVE


@given(st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=8),
                    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=12), inner, max_size=3),
                    max_leaves=12))
def test_any_answer_builds_a_report(answer):
    data = {"twilioWebhooksUpdated": answer, "twilioWebhookSkipped": [answer], "twilioWebhooksFailed": answer}
    report = report_of(data)
    assert SaveReport.from_json(report.to_json()) is not None
