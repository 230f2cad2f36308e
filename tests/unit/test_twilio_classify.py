"""Classification of one number by the rules in docs/twilio.md, from resources shaped like Twilio's JSON."""

from __future__ import annotations

import pytest

from tui.twilio import classify as c
from tui.twilio.models import IncomingNumber, TwiMLApp

GUID = "5d30c470-fded-4396-952e-c02b28bb44f2"
WIRO_URL = f"https://api.wiro.ai/v1/Twilio/Voice/{GUID}"
STATUS_URL = f"https://api.wiro.ai/v1/Twilio/Status/{GUID}"
FLOW_URL = "https://webhooks.twilio.com/v1/Accounts/AC" + "a" * 32 + "/Flows/FW" + "b" * 32


def number(**fields) -> IncomingNumber:
    base = {
        "sid": "PN" + "1" * 32, "phone_number": "+14155550142", "friendly_name": "Main",
        "voice_url": WIRO_URL, "voice_method": "POST", "status_callback": STATUS_URL,
        "status_callback_method": "POST", "voice_application_sid": None, "trunk_sid": None,
        "voice_receive_mode": "voice", "capabilities": {"voice": True, "sms": True, "mms": True, "fax": False},
    }
    base.update(fields)
    parsed = IncomingNumber.parse(base)
    assert parsed is not None
    return parsed


def verdict_of(res: IncomingNumber | None, **kwargs) -> c.NumberVerdict:
    return c.classify("+14155550142", res, agent_guid=GUID, **kwargs)


def test_webhook_to_wiro_with_post_is_ok():
    v = verdict_of(number())
    assert v.verdict == c.WIRO_OK and v.ok and v.rings_agent and v.problems == () and v.fix is None
    assert v.routing == "webhook" and v.host == "api.wiro.ai"


def test_not_on_the_account_quotes_wiros_skip_reason_and_says_buy_or_import():
    v = verdict_of(None)
    assert v.verdict == c.NOT_ON_ACCOUNT and not v.rings_agent and v.routing == "absent"
    assert "no matching IncomingPhoneNumber" in v.detail and v.fix.startswith("Buy or import the number on this account")


def test_not_on_the_account_but_present_in_another_spelling():
    v = c.classify("4155550142", None, same_number_as="+14155550142")
    assert v.verdict == c.NOT_ON_ACCOUNT and "+14155550142" in v.fix and "exactly" in v.detail


@pytest.mark.parametrize("app", ["", None, "AP" + "2" * 32])
def test_a_trunk_overrides_everything(app):
    v = verdict_of(number(trunk_sid="TK" + "3" * 32, voice_application_sid=app))
    assert v.verdict == c.SIP_TRUNK and v.routing == "sip_trunk" and not v.rings_agent
    assert v.fix == c.FLIP_TO_WEBHOOK and "flip configure with back to webhook" in v.fix.lower()
    assert "save the credential again in Wiro to rewrite VoiceUrl" in v.fix


def test_a_twiml_app_overrides_the_voice_url_and_shows_the_apps_url():
    app = TwiMLApp(sid="AP" + "2" * 32, friendly_name="Legacy IVR", voice_url="https://ivr.example/menu")
    v = verdict_of(number(voice_application_sid=app.sid), application=app)
    assert v.verdict == c.TWIML_APP and v.application == app and v.host == "ivr.example"
    assert "https://ivr.example/menu" in v.detail and "Legacy IVR" in v.detail and v.fix == c.FLIP_TO_WEBHOOK
    assert v.to_json()["application"]["voice_url"] == "https://ivr.example/menu"


def test_a_twiml_app_that_could_not_be_read_is_still_the_verdict():
    v = verdict_of(number(voice_application_sid="AP" + "2" * 32), application=None)
    assert v.verdict == c.TWIML_APP and "could not be read" in v.detail
    assert v.to_json()["application"]["sid"] == "AP" + "2" * 32


@pytest.mark.parametrize("unset", ["", None, "   "])
def test_empty_string_and_null_both_mean_unset(unset):
    v = verdict_of(number(voice_url=unset, voice_application_sid=unset, trunk_sid=unset, status_callback=unset))
    assert v.verdict == c.NO_VOICE_URL and v.routing == "none"
    assert "default demo app" in v.detail and v.fix == c.SAVE_AGAIN
    assert v.resource.voice_url is None and v.resource.trunk_sid is None


def test_studio_flow():
    v = verdict_of(number(voice_url=FLOW_URL))
    assert v.verdict == c.STUDIO_FLOW and v.routing == "studio_flow" and "Studio Flow" in v.detail
    assert v.fix.startswith(c.SAVE_AGAIN)


def test_webhook_elsewhere_shows_its_host():
    v = verdict_of(number(voice_url="https://hooks.example.com/voice?x=1"))
    assert v.verdict == c.ELSEWHERE and v.host == "hooks.example.com" and "hooks.example.com" in v.title
    assert not v.rings_agent and v.fix.startswith(c.SAVE_AGAIN)


@pytest.mark.parametrize(
    "url, extra, expected",
    [
        ("https://api.wiro.ai/v1/Twilio/Voice/x", (), True),
        ("https://WIRO.AI/hook", (), True),
        ("https://voice.eu.wiro.ai/x", (), True),
        ("https://wiro.ai.evil.example/x", (), False),
        ("https://notwiro.ai/x", (), False),
        ("http://127.0.0.1:8123/v1/Twilio/Voice/x", (), False),
        ("http://127.0.0.1:8123/v1/Twilio/Voice/x", ("127.0.0.1",), True),
        ("https://staging-api.example/v1/Twilio/Voice/x", ("staging-api.example",), True),
        ("not a url", (), False),
        (None, (), False),
    ],
)
def test_what_counts_as_a_wiro_url(url, extra, expected):
    assert c.is_wiro_url(url, extra) is expected


def test_flags_voice_off_and_fax_block_calls_even_on_a_wiro_webhook():
    v = verdict_of(number(capabilities={"voice": False, "fax": True}, voice_receive_mode="fax"))
    assert v.verdict == c.WIRO_OK and not v.rings_agent and not v.ok
    assert {f.id for f in v.flags} == {c.VOICE_OFF, c.FAX_MODE}
    assert all(f.level == "error" for f in v.flags) and len(v.problems) == 2


def test_missing_status_callback_is_a_warning_the_agent_still_rings():
    v = verdict_of(number(status_callback=""))
    assert [f.id for f in v.flags] == [c.NO_STATUS_CALLBACK]
    assert v.rings_agent and not v.ok and "StatusCallback" in v.flags[0].fix


def test_get_instead_of_post_is_flagged():
    v = verdict_of(number(voice_method="get"))
    assert [f.id for f in v.flags] == [c.GET_METHOD] and not v.rings_agent and v.title == "Webhook to Wiro (GET)"


def test_another_agents_webhook_is_flagged_wherever_the_url_carries_its_guid():
    other = "0b7c5d2e-1f3a-4b6c-8d9e-00000000beef"
    for url in (f"https://api.wiro.ai/v1/Twilio/Voice/{other}", f"https://api.wiro.ai/v1/AgentRealtime/Twilio?agent={other}"):
        v = verdict_of(number(voice_url=url))
        assert [f.id for f in v.flags] == [c.OTHER_AGENT] and not v.rings_agent and other in v.flags[0].message
    # no guid in the URL (the shape is undocumented): nothing is claimed about which agent answers
    v = verdict_of(number(voice_url="https://api.wiro.ai/v1/AgentRealtime/Twilio"))
    assert v.flags == () and v.rings_agent and "inferred from the host" in v.detail


def test_url_flags_do_not_apply_when_the_url_is_ignored():
    v = verdict_of(number(trunk_sid="TK" + "3" * 32, voice_method="GET", status_callback=None))
    assert v.flags == ()  # on a trunk the URL fields are not used, so they are not the problem


def test_a_number_not_in_the_credential_gets_the_add_it_fix():
    v = c.classify("+14155550199", number(phone_number="+14155550199", voice_url="https://demo.twilio.com/welcome/voice/"),
                   in_credential=False)
    assert v.verdict == c.ELSEWHERE and v.fix == c.ADD_TO_CREDENTIAL and v.to_json()["in_credential"] is False


def test_json_has_the_design_keys():
    doc = verdict_of(number(status_callback=None)).to_json()
    for key in ("number", "verdict", "problems", "voice_url", "voice_method", "status_callback", "routing"):
        assert key in doc
    assert doc["status_callback"] is None and doc["voice_method"] == "POST" and len(doc["problems"]) == 1


def test_every_verdict_has_a_routing():
    assert set(c.ROUTING) == set(c.VERDICTS)


@pytest.mark.parametrize("junk", [None, 3, "x", [], {"phone_number": ""}, {"phone_number": None}])
def test_unusable_number_items_parse_to_none(junk):
    assert IncomingNumber.parse(junk) is None


def test_odd_types_in_a_number_do_not_raise():
    parsed = IncomingNumber.parse({"phone_number": "+1", "voice_url": 5, "capabilities": "yes", "trunk_sid": ["x"]})
    assert parsed is not None and parsed.trunk_sid is None and parsed.capabilities.voice is None
    assert c.classify("+1", parsed).verdict == c.ELSEWHERE  # "5" is a URL with no host: elsewhere, unreadable
