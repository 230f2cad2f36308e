"""The demo world: agents in every situation the dashboard must explain, Twilio accounts, numbers covering every
webhook verdict, a call history on both sides (Wiro sessions and Twilio's own log), credits."""

from __future__ import annotations

from dataclasses import dataclass

from . import callgen
from .credentials import FILE_REF, TWILIO_KEY, WIRO_KEY, new_group
from .ids import rng_for
from .ledger import Plan
from .twilio_calls import TwilioCall
from .webhooks import wiro_status_url, wiro_voice_url
from .world import RUNNING, SETUP_REQUIRED, STOPPED, STOPPING, World

DAY = 86400.0
HOUR = 3600.0

# Credential numbers of the demo agent, each with a different verdict on Twilio.
NUMBER_OK = "+14155550142"          # webhook → Wiro voice URL, POST, status callback set
NUMBER_TWIML_APP = "+14155550173"   # on a TwiML App (AP…): Wiro's URL is ignored
NUMBER_SIP_TRUNK = "+447700900123"  # on a SIP Trunk (TK…): Wiro's URL is ignored
NUMBER_STUDIO = "+902125550147"     # voice URL is a Studio Flow
NUMBER_NOT_ON_ACCOUNT = "+14155550163"  # in the credential, not on the Twilio account
# On the demo Twilio account but not in the credential.
NUMBER_SPARE = "+14155550199"
NUMBER_FAX = "+14155550188"         # voice_receive_mode fax
# The stopped agent's own number, on a second Twilio account (its whitelist refuses most callers: busy).
NUMBER_SECOND = "+16465550120"
WHITELISTED_CALLER = "+16465550111"
# The setup-required agent's number, fresh on a third account (nothing configured yet).
NUMBER_SALES = "+14155550155"
# The agent whose credits ran out, and the team agent.
NUMBER_PILOT = "+16285550131"
NUMBER_PARTNER = "+902165550188"


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
    nocredit_agent_guid: str
    team_agent_guid: str
    deleted_agent_guid: str
    foreign_agent_guid: str
    setup_account_sid: str
    setup_auth_token: str


def _twilio_cred(acct, numbers: list[str], **more) -> dict:
    return {"accountsid": acct.sid, "authtoken": acct.auth_token, "phonenumbers": numbers, **more}


def _hold_music() -> bytes:
    """The music loop's bytes, made when the file is first read: synthesising them takes ~0.1 s of CPU, which
    at the demo's start would be taken from the dashboard's first frame."""
    from .music import hold_music_wav

    return hold_music_wav()


def build_demo(world: World) -> DemoIds:
    """Populate an empty world; everything derives from the world's seed, clock and voice URL."""
    now = world.now()
    music = world.files.add("bosphorus-hold-loop.wav", _hold_music, now - 9 * DAY)

    # Created oldest first: the abandoned draft, the after-hours line, then the live front desk.
    setup = world.add_agent("Sales Hotline (draft)", status=SETUP_REQUIRED, created=now - 40 * DAY)
    stopped = world.add_agent("After-hours Line — Bosphorus Dental", status=STOPPED, created=now - 21 * DAY)
    demo = world.add_agent("Front Desk — Bosphorus Dental", status=RUNNING, created=now - 10 * DAY)

    tw = world.twilio
    acct = tw.add_account("Bosphorus Dental", now - 400 * DAY)
    other = tw.add_account("Bosphorus Dental — After Hours", now - 30 * DAY)
    app = tw.add_application(acct.sid, "Legacy IVR menu", "https://ivr.bosphorus-dental.example/twiml/menu")
    flow_sid = world.mint.sid("FW")
    trunk_sid = world.mint.sid("TK")
    voice, status = wiro_voice_url(demo.guid, world.voice_url), wiro_status_url(demo.guid, world.voice_url)

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
                     voice_url=wiro_voice_url(stopped.guid, world.voice_url),
                     status_callback=wiro_status_url(stopped.guid, world.voice_url))

    demo.credentials[TWILIO_KEY] = new_group(TWILIO_KEY, _twilio_cred(
        acct, [NUMBER_OK, NUMBER_TWIML_APP, NUMBER_SIP_TRUNK, NUMBER_STUDIO, NUMBER_NOT_ON_ACCOUNT],
        maxcallseconds=600, whitelistedcallers=[], holdstrategy="text_then_music",
        holdtext="Please hold while we connect you to our assistant.", holdvoice="Polly.Joanna-Neural",
        holdaudio=None, holdmusic=FILE_REF + music.id))
    # A second group, so clients must pick twilio-voice by key rather than take the first one.
    demo.credentials[WIRO_KEY] = new_group(WIRO_KEY, {"apikey": world.mint.hex(32)})
    stopped.credentials[TWILIO_KEY] = new_group(TWILIO_KEY, _twilio_cred(
        other, [NUMBER_SECOND], maxcallseconds=900, whitelistedcallers=[WHITELISTED_CALLER, WHITELISTED_CALLER[1:]],
        holdstrategy="text", holdtext="Thanks for calling after hours. One moment please.",
        holdvoice="Polly.Lea-Neural"))
    demo.calls.extend(callgen.demo_history(
        world.seed, demo.guid, now, max_seconds=600,
        dialled=[NUMBER_OK]))  # only the correctly routed number reaches Wiro

    # -- added for the newest docs (after everything above, so the seeded ids above stay as they were) --------
    wiro_key = rng_for(world.seed, "demo-wiro-keys")
    for agent in (setup, stopped):
        agent.credentials[WIRO_KEY] = new_group(WIRO_KEY, {"apikey": f"{wiro_key.getrandbits(128):032x}"})
    for a in (demo, stopped):
        for key in (TWILIO_KEY, WIRO_KEY):
            a.connected_at[key] = a.created + 600
    demo.plan = Plan(tier="pro", monthlycredits=2000, monthlypriceusd=99, anchor=demo.created,
                     purchases=[(now - 5 * DAY, "small")])
    demo.stamps.update(queuedat=now - 7 * HOUR - 6, startedat=now - 7 * HOUR - 4, runningat=now - 7 * HOUR)
    _demo_twilio_only(world, now)

    # The after-hours line ran last night; every caller but the whitelisted one heard busy (none reached Wiro).
    stopped.ever_started = True
    stopped.timeline += [(now - 30 * HOUR, RUNNING), (now - 22 * HOUR - 3, STOPPING), (now - 22 * HOUR, STOPPED)]
    stopped.stamps.update(queuedat=now - 30 * HOUR - 6, startedat=now - 30 * HOUR - 4, stoppingat=now - 22 * HOUR - 3,
                          stopdat=now - 22 * HOUR)
    r = rng_for(world.seed, "demo-busy")
    for i in range(6):
        t = now - 30 * HOUR + (i + 0.5) * (8 * HOUR / 6) + r.uniform(-1200, 1200)
        caller = callgen.random_caller(r)
        while caller == WHITELISTED_CALLER:
            caller = callgen.random_caller(r)
        other.calls.append(TwilioCall(_sid(r), other.sid, NUMBER_SECOND, caller,
                                      other.number_by_e164(NUMBER_SECOND)["sid"], t, "busy",
                                      cause="caller not on the whitelist"))

    # The draft: deployed, Twilio half filled in (SID and number, no token yet) on a fresh account.
    sales = tw.add_account("Bosphorus Dental — Sales", now - 41 * DAY)
    world.add_number(sales.sid, NUMBER_SALES, friendly_name="Sales hotline")
    setup.credentials[TWILIO_KEY] = new_group(TWILIO_KEY, {"accountsid": sales.sid, "phonenumbers": [NUMBER_SALES]})

    nocredit = _pilot_agent(world, now)
    team = world.add_agent("Partner Clinic — Kadıköy (team)", status=STOPPED, created=now - 15 * DAY, id=98,
                           live_calls=False)
    partner = tw.add_account("Kadıköy Partner Clinic", now - 200 * DAY)
    world.add_number(partner.sid, NUMBER_PARTNER, friendly_name="Partner clinic",
                     voice_url=wiro_voice_url(team.guid, world.voice_url),
                     status_callback=wiro_status_url(team.guid, world.voice_url))
    team.credentials[TWILIO_KEY] = new_group(TWILIO_KEY, _twilio_cred(partner, [NUMBER_PARTNER],
                                                                      holdstrategy="none"))
    team.credentials[WIRO_KEY] = new_group(WIRO_KEY, {"apikey": f"{wiro_key.getrandbits(128):032x}"})
    team.teamguid, team.team_admin = world.team_guid, False
    team.ever_started = True

    deleted = world.add_agent("Old test agent (deleted)", status=STOPPED, created=now - 60 * DAY, id=97,
                              live_calls=False)
    deleted.deleted = True
    foreign = world.add_agent("Someone else's receptionist", status=RUNNING, created=now - 5 * DAY, id=96,
                              live_calls=False)
    foreign.foreign = True
    foreign.owner_uuid = foreign.uuid = world.mint.uuid()

    return DemoIds(demo.guid, stopped.guid, setup.guid, acct.sid, acct.auth_token, other.sid, music.url,
                   nocredit.guid, team.guid, deleted.guid, foreign.guid, sales.sid, sales.auth_token)


def _sid(r) -> str:
    return "CA" + f"{r.getrandbits(128):032x}"


def _demo_twilio_only(world: World, now: float) -> None:
    """Six hours of calls to the demo agent's numbers that never reached Wiro: answered by the TwiML App or the
    Studio Flow, and failed, unanswered or cancelled calls to the main number."""
    plan = ([(NUMBER_TWIML_APP, None)] * 4 + [(NUMBER_STUDIO, None)] * 3
            + [(NUMBER_OK, "failed"), (NUMBER_OK, "failed"), (NUMBER_OK, "no-answer"), (NUMBER_OK, "no-answer"),
               (NUMBER_OK, "no-answer"), (NUMBER_OK, "canceled")])
    r = rng_for(world.seed, "demo-twilio-only")
    times = sorted(r.uniform(now - 6 * HOUR, now - 15 * 60) for _ in plan)
    for i, ((number, outcome), t) in enumerate(zip(plan, times, strict=True)):
        ri = rng_for(world.seed, "demo-twilio-only", i)
        world.twilio_only_call(ri, number, callgen.random_caller(ri), t, outcome)


def _pilot_agent(world: World, now: float):
    """An agent on a small plan whose credit pool ran dry yesterday: its last post-call turns were refused by
    the balance gate, and Start is refused for credits."""
    pilot = world.add_agent("Pilot Line — Bosphorus Dental", status=STOPPED, created=now - 9 * DAY, id=99,
                            live_calls=False)
    acct = world.twilio.add_account("Bosphorus Dental — Pilot", now - 20 * DAY)
    world.add_number(acct.sid, NUMBER_PILOT, friendly_name="Pilot line",
                     voice_url=wiro_voice_url(pilot.guid, world.voice_url),
                     status_callback=wiro_status_url(pilot.guid, world.voice_url))
    pilot.credentials[TWILIO_KEY] = new_group(TWILIO_KEY, _twilio_cred(acct, [NUMBER_PILOT], holdstrategy="none"))
    pilot.credentials[WIRO_KEY] = new_group(WIRO_KEY, {"apikey": f"{rng_for(world.seed, 'pilot').getrandbits(128):032x}"})
    pilot.plan = Plan(tier="starter", monthlycredits=60, monthlypriceusd=9, anchor=now - 9 * DAY)
    pilot.ever_started = True
    pilot.timeline += [(now - 50 * HOUR, RUNNING), (now - 26 * HOUR - 3, STOPPING), (now - 26 * HOUR, STOPPED)]
    pilot.stamps.update(runningat=None, stoppingat=now - 26 * HOUR - 3, stopdat=now - 26 * HOUR)
    r = rng_for(world.seed, "pilot-history")
    times = sorted(r.uniform(now - 49 * HOUR, now - 27 * HOUR) for _ in range(20))
    for i, t in enumerate(times):
        pilot.calls.append(callgen.make_call(
            world.seed, f"pilot-{i}", i, pilot.guid, t, end_reason="wiro_completed", duration=r.randint(40, 240),
            dialled=NUMBER_PILOT, postcall_credits=4))  # 15 turns use the 60 credits up; the last 5 are refused
    return pilot
