"""The demo world: three agents, two Twilio accounts, numbers covering every webhook verdict, history."""

from __future__ import annotations

from dataclasses import dataclass

from . import callgen
from .credentials import TWILIO_KEY, new_group
from .music import hold_music_wav
from .webhooks import wiro_status_url, wiro_voice_url
from .world import RUNNING, SETUP_REQUIRED, STOPPED, World

DAY = 86400.0

# Credential numbers of the demo agent, each with a different verdict on Twilio.
NUMBER_OK = "+14155550142"          # webhook → Wiro voice URL, POST, status callback set
NUMBER_TWIML_APP = "+14155550173"   # on a TwiML App (AP…): Wiro's URL is ignored
NUMBER_SIP_TRUNK = "+447700900123"  # on a SIP Trunk (TK…): Wiro's URL is ignored
NUMBER_STUDIO = "+902125550147"     # voice URL is a Studio Flow
NUMBER_NOT_ON_ACCOUNT = "+14155550163"  # in the credential, not on the Twilio account
# On the demo Twilio account but not in the credential.
NUMBER_SPARE = "+14155550199"
NUMBER_FAX = "+14155550188"         # voice_receive_mode fax
# The stopped agent's own number, on a second Twilio account.
NUMBER_SECOND = "+16465550120"


@dataclass(frozen=True)
class DemoIds:
    """What the Simulator exposes about the demo world."""

    demo_agent_guid: str
    stopped_agent_guid: str
    setup_agent_guid: str
    twilio_account_sid: str
    twilio_auth_token: str
    second_account_sid: str
    hold_music_url: str


def build_demo(world: World) -> DemoIds:
    """Populate an empty world; everything derives from the world's seed and clock."""
    now = world.now()
    music = world.files.add("bosphorus-hold-loop.wav", hold_music_wav(), now - 9 * DAY)

    # Created oldest first: the abandoned draft, the after-hours line, then the live front desk.
    setup = world.add_agent("Sales Hotline (draft)", status=SETUP_REQUIRED, created=now - 40 * DAY)
    stopped = world.add_agent("After-hours Line — Bosphorus Dental", status=STOPPED, created=now - 21 * DAY)
    stopped.ever_started = True  # it ran before; Logs answers for it
    demo = world.add_agent("Front Desk — Bosphorus Dental", status=RUNNING, created=now - 10 * DAY)

    tw = world.twilio
    acct = tw.add_account("Bosphorus Dental", now - 400 * DAY)
    other = tw.add_account("Bosphorus Dental — After Hours", now - 30 * DAY)
    app = tw.add_application(acct.sid, "Legacy IVR menu", "https://ivr.bosphorus-dental.example/twiml/menu")
    flow_sid = world.mint.sid("FW")
    trunk_sid = world.mint.sid("TK")
    voice, status = wiro_voice_url(demo.guid), wiro_status_url(demo.guid)

    world.add_number(acct.sid, NUMBER_OK, friendly_name="Front desk (main)", voice_url=voice,
                     status_callback=status)
    # After a Wiro save the URL is Wiro's, but the TwiML App still answers the calls.
    world.add_number(acct.sid, NUMBER_TWIML_APP, friendly_name="Old IVR line", voice_url=voice,
                     status_callback=status, voice_application_sid=app["sid"])
    world.add_number(acct.sid, NUMBER_SIP_TRUNK, friendly_name="London office (SIP)", trunk_sid=trunk_sid,
                     voice_url="", status_callback=None, type="mobile",
                     capabilities={"voice": True, "sms": True, "mms": False, "fax": False})
    world.add_number(acct.sid, NUMBER_STUDIO, friendly_name="Istanbul clinic (Studio)",
                     voice_url=f"https://webhooks.twilio.com/v1/Accounts/{acct.sid}/Flows/{flow_sid}",
                     status_callback="", capabilities={"voice": True, "sms": False, "mms": False, "fax": False})
    world.add_number(acct.sid, NUMBER_SPARE, friendly_name="Spare line",
                     voice_url="https://demo.twilio.com/welcome/voice/")
    world.add_number(acct.sid, NUMBER_FAX, friendly_name="Fax", voice_receive_mode="fax",
                     capabilities={"voice": True, "sms": False, "mms": False, "fax": True})
    world.add_number(other.sid, NUMBER_SECOND, friendly_name="After hours",
                     voice_url=wiro_voice_url(stopped.guid), status_callback=wiro_status_url(stopped.guid))

    demo.credentials[TWILIO_KEY] = new_group(TWILIO_KEY, {
        "accountsid": acct.sid,
        "authtoken": acct.auth_token,
        "phonenumbers": [NUMBER_OK, NUMBER_TWIML_APP, NUMBER_SIP_TRUNK, NUMBER_STUDIO, NUMBER_NOT_ON_ACCOUNT],
        "maxcallseconds": 600,
        "whitelistedcallers": [],
        "holdstrategy": "text_then_music",
        "holdtext": "Please hold while we connect you to our assistant.",
        "holdvoice": "Polly.Joanna-Neural",
        "holdaudio": None,
        "holdmusic": music.url,
    }, connected=True)
    # A second group, so clients must pick twilio-voice by key rather than take the first one.
    demo.credentials["wiro-aimodels"] = new_group("wiro-aimodels", {"apikey": world.mint.hex(32)}, connected=True)
    stopped.credentials[TWILIO_KEY] = new_group(TWILIO_KEY, {
        "accountsid": other.sid,
        "authtoken": other.auth_token,
        "phonenumbers": [NUMBER_SECOND],
        "maxcallseconds": 900,
        "whitelistedcallers": ["+16465550111", "6465550111"],
        "holdstrategy": "text",
        "holdtext": "Thanks for calling after hours. One moment please.",
        "holdvoice": "Polly.Lea-Neural",
    }, connected=True)
    setup.credentials[TWILIO_KEY] = new_group(TWILIO_KEY)

    demo.calls.extend(callgen.demo_history(
        world.seed, demo.guid, now, max_seconds=600,
        dialled=[NUMBER_OK]))  # only the correctly routed number reaches Wiro
    return DemoIds(demo.guid, stopped.guid, setup.guid, acct.sid, acct.auth_token, other.sid, music.url)
