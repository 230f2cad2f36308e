"""The Doctor against the simulator: a healthy world, the newcomer's two stories, and one world per finding.

Each test starts from the demo agent made healthy (`make_healthy`), adds one fault through the simulator's
own state, gathers over loopback and diagnoses — so every finding is shown to appear, and to lead, for the
reason it claims.
"""

from __future__ import annotations

from tui.credential.draft import CredentialDraft
from tui.credential.payload import upsert_fields
from tui.doctor.findings import healthy
from tui.sim.demo import NUMBER_NOT_ON_ACCOUNT, NUMBER_OK
from tui.twilio.access import TwilioAccess, twilio_access
from tui.webhooks.report import build_report
from tui.webhooks.store import report_path, reports_dir, save_report
from tui.wiro.client import WiroClient

from .doctor_worlds import (
    by_id,
    demo_agent,
    host_file,
    make_healthy,
    problems,
    run_doctor,
    wav_bytes,
)


async def saved(sim, settings, guid=None) -> None:
    """Save the credential as it stands (no token: Wiro keeps its own) and keep the report, as the app does."""
    guid = guid or sim.demo_agent_guid
    async with WiroClient(sim.api_key, None, sim.wiro_base) as client:
        agent = await client.detail(guid)
        fields = upsert_fields(CredentialDraft.from_credential(agent.credential), keep_files=("holdaudio", "holdmusic"))
        result = await client.credential_upsert(guid, fields)
    report = build_report(result, agent.credential.phonenumbers, agent_guid=guid, now=sim.now())
    save_report(report_path(reports_dir(settings.config_path), guid), report)


# -- healthy, and the two stories ------------------------------------------------------------------------


async def test_the_healthy_world_has_no_error_or_warning(sim, sim_settings):
    make_healthy(sim)
    evidence, found = await run_doctor(sim, sim_settings)
    assert evidence.twilio is not None and evidence.twilio.ok
    assert healthy(found), [f.title for f in problems(found)]
    await saved(sim, sim_settings)  # with a good save on record, not even the "no report" note
    _, found = await run_doctor(sim, sim_settings)
    assert [f.id for f in found] == ["agent.restarting"]  # Wiro restarts a running agent on every save
    with sim.world.lock:
        demo_agent(sim).status = 4  # the restart is over
    _, found = await run_doctor(sim, sim_settings)
    assert found == []


async def test_just_rings_because_the_agent_is_stopped(sim, sim_settings):
    make_healthy(sim)
    with sim.world.lock:
        demo_agent(sim).status = 0
    _, found = await run_doctor(sim, sim_settings)
    assert found[0].id == "agent.stopped" and found[0].severity == "error"
    assert "not answered" in found[0].title and "wiro-voice start" in found[0].fix


async def test_just_rings_because_the_number_is_on_a_twiml_app(sim, sim_settings):
    make_healthy(sim)
    with sim.world.lock:
        acct = sim.world.twilio.accounts[sim.twilio_account_sid]
        app_sid = next(iter(acct.applications))
        acct.number_by_e164(NUMBER_OK)["voice_application_sid"] = app_sid
    _, found = await run_doctor(sim, sim_settings)
    top = found[0]
    assert top.id == f"number.twiml_app:{NUMBER_OK}" and top.severity == "error"
    assert "TwiML App" in top.title and "Flip Configure with back to Webhook" in top.fix
    assert [f.id for f in problems(found)] == [top.id]


async def test_plays_music_forever_because_sessions_are_stuck_incoming(sim, sim_settings, clock):
    make_healthy(sim)
    with sim.world.lock:
        sim.world.add_call(sim.demo_agent_guid, started=sim.now() - 240, outcome="stuck")
    _, found = await run_doctor(sim, sim_settings)
    top = found[0]
    assert top.id == "calls.stuck_incoming" and top.severity == "error"
    assert "hold music forever" in top.detail and "agent never speaks" in top.detail
    # what the activity log said around it, in the finding itself
    assert "Realtime conversation did not start" in top.detail and "realtime_stream_timeout" in top.detail
    assert [f.id for f in problems(found)] == [top.id]


async def test_the_stuck_incoming_switch_makes_live_calls_stick(sim, sim_settings, clock):
    make_healthy(sim)
    with sim.world.lock:
        sim.world.stuck_incoming = True
    clock.advance(600)  # live calls arrive (about one every 40 s) and never leave `incoming`
    _, found = await run_doctor(sim, sim_settings)
    assert found[0].id == "calls.stuck_incoming"


# -- one world per finding -------------------------------------------------------------------------------


async def test_agent_in_error_quotes_the_last_logged_failure(sim, sim_settings):
    make_healthy(sim)
    with sim.world.lock:
        sim.world.add_log_event(sim.demo_agent_guid, "tool_completed", "Worker crashed", ok=False,
                                error="worker exited with code 137", at=sim.now() - 30)
        demo_agent(sim).status = 5
    _, found = await run_doctor(sim, sim_settings)
    assert found[0].id == "agent.error" and "worker exited with code 137" in found[0].detail


async def test_setup_required_says_fill_in_the_credential_and_nothing_more(sim, sim_settings):
    _, found = await run_doctor(sim, sim_settings, guid=sim.setup_agent_guid, twilio=None)
    assert [f.id for f in problems(found)] == ["agent.setup_required"]
    assert "Fill in the Twilio credential" in found[0].fix


async def test_credential_errors_come_from_the_credential_rules(sim, sim_settings):
    make_healthy(sim)
    with sim.world.lock:
        demo_agent(sim).twilio["accountsid"] = "SK" + "0" * 32
    _, found = await run_doctor(sim, sim_settings, twilio=None)
    finding = by_id(found)["credential.accountsid"]
    assert finding.severity == "error" and "API Key SID" in finding.detail and "Credentials screen" in finding.fix


async def test_whitelist_on_with_an_entry_in_one_form(sim, sim_settings):
    make_healthy(sim)
    with sim.world.lock:
        demo_agent(sim).twilio["whitelistedcallers"] = ["+14155550117"]
    _, found = await run_doctor(sim, sim_settings)
    ids = [f.id for f in problems(found)]
    assert ids == ["whitelist.on", "whitelist.one_form:+14155550117"]
    assert "busy signal" in found[0].detail and "4155550117" in found[1].fix


async def test_a_flow_error_with_no_save_after_it(sim, sim_settings):
    make_healthy(sim)
    with sim.world.lock:
        sim.world.twilio_outage = True
    await saved(sim, sim_settings)
    with sim.world.lock:
        sim.world.twilio_outage = False
    _, found = await run_doctor(sim, sim_settings, twilio=None)
    finding = by_id(found)["webhooks.flow_error"]
    assert finding.severity == "error" and "503 Service Unavailable" in finding.detail and "Save" in finding.fix
    # Twilio shows every number still routed to Wiro: the old save holds, so only a warning
    _, found = await run_doctor(sim, sim_settings)
    assert by_id(found)["webhooks.flow_error"].severity == "warning"
    await saved(sim, sim_settings)  # a successful save after it clears it
    _, found = await run_doctor(sim, sim_settings)
    assert "webhooks.flow_error" not in by_id(found)


async def test_a_number_skipped_on_the_last_save_without_twilio_access(sim, sim_settings):
    make_healthy(sim)
    with sim.world.lock:
        demo_agent(sim).twilio["phonenumbers"] = [NUMBER_OK, NUMBER_NOT_ON_ACCOUNT]
    await saved(sim, sim_settings)
    _, found = await run_doctor(sim, sim_settings, twilio=None)
    # the newest docs list such a number under twilioWebhooksFailed {phoneNumber, error}
    finding = by_id(found)[f"webhooks.not_on_account:{NUMBER_NOT_ON_ACCOUNT}"]
    assert finding.severity == "error" and "no matching IncomingPhoneNumber" in finding.detail
    assert "Buy or import the number" in finding.fix
    skipped = by_id(found)["skipped.twilio_routing"]
    assert skipped.severity == "info" and "TWILIO_ACCOUNT_SID/TWILIO_AUTH_TOKEN" in skipped.detail


async def test_twilio_verdicts_for_every_misrouted_demo_number(sim, sim_settings):
    _, found = await run_doctor(sim, sim_settings)  # the demo world as built: every verdict
    ids = {f.id for f in found if f.severity == "error"}
    assert {"number.twiml_app:+14155550173", "number.sip_trunk:+447700900123", "number.studio_flow:+902125550147",
            f"number.not_on_account:{NUMBER_NOT_ON_ACCOUNT}"} <= ids
    assert f"number.wiro_ok:{NUMBER_OK}" not in ids


async def test_an_api_key_secret_stored_as_the_token_is_named(sim, sim_settings):
    make_healthy(sim)
    with sim.world.lock:
        demo_agent(sim).twilio["authtoken"] = "Zq8" * 10 + "Xy"  # an API Key Secret: mixed case, not the token
    await saved(sim, sim_settings)
    _, found = await run_doctor(sim, sim_settings)
    finding = found[0]
    assert finding.id == "credential.token_rejected" and finding.severity == "error"
    assert "API Key Secret" in finding.detail and "Live Auth Token" in finding.fix
    assert f"webhooks.failed:{NUMBER_OK}" not in by_id(found)  # told once, by the token finding


async def test_twilio_account_trial_suspended_and_another_account(sim, sim_settings):
    make_healthy(sim)
    with sim.world.lock:
        sim.world.twilio.accounts[sim.twilio_account_sid].type = "Trial"
    _, found = await run_doctor(sim, sim_settings)
    assert by_id(found)["twilio.trial"].severity == "warning"
    with sim.world.lock:
        sim.world.twilio.accounts[sim.twilio_account_sid].status = "suspended"
    _, found = await run_doctor(sim, sim_settings)
    assert by_id(found)["twilio.account_inactive"].severity == "error"
    with sim.world.lock:
        other = next(a for a in sim.world.twilio.accounts.values() if a.sid != sim.twilio_account_sid)
    _, found = await run_doctor(sim, sim_settings, twilio=TwilioAccess(other.sid, other.auth_token, "TWILIO_ACCOUNT_SID"))
    assert by_id(found)["twilio.other_account"].severity == "warning"
    _, found = await run_doctor(sim, sim_settings, twilio=TwilioAccess(sim.twilio_account_sid, "0" * 32))
    assert by_id(found)["twilio.rejected"].severity == "warning"
    assert "skipped.twilio_routing" not in by_id(found)  # said once


async def test_hold_files_stereo_too_big_missing_and_a_long_greeting(sim, sim_settings):
    make_healthy(sim)
    stereo = host_file(sim, "stereo.wav", wav_bytes(40, channels=2))
    long_greeting = host_file(sim, "hello.wav", wav_bytes(25))
    with sim.world.lock:
        cred = demo_agent(sim).twilio
        cred.update(holdstrategy="audio_then_music", holdaudio=long_greeting, holdmusic=stereo)
    _, found = await run_doctor(sim, sim_settings, twilio=None)
    assert by_id(found)["hold.stereo:holdmusic"].severity == "error"
    assert by_id(found)["hold.too_long:holdaudio"].severity == "warning"
    big = host_file(sim, "huge.wav", wav_bytes(660))  # 8 kHz 16-bit: 10.6 MB
    with sim.world.lock:
        cred.update(holdaudio=sim.base_url + "/files/nothing-here/gone.wav", holdmusic=big)
    _, found = await run_doctor(sim, sim_settings, twilio=None)
    assert by_id(found)["hold.too_big:holdmusic"].severity == "error"
    missing = by_id(found)["hold.missing:holdaudio"]
    assert missing.severity == "error" and "404" in missing.detail


async def test_a_long_hold_text(sim, sim_settings):
    make_healthy(sim)
    with sim.world.lock:
        demo_agent(sim).twilio["holdtext"] = ("Thank you for calling Bosphorus Dental by the ferry pier in Karaköy. "
                                               "Please stay on the line while we connect you to our assistant, who "
                                               "can book, move or cancel your visit.")
    _, found = await run_doctor(sim, sim_settings, twilio=None)
    assert [f.id for f in problems(found)] == ["hold.text_long"]


async def test_recent_calls_max_duration_rejections_and_agent_errors(sim, sim_settings):
    make_healthy(sim)
    world, guid, now = sim.world, sim.demo_agent_guid, sim.now()
    with world.lock:
        for i in range(3):
            world.add_call(guid, started=now - 5000 + i * 700, end_reason="max_duration", duration=600)
        for i, reason in enumerate(["concurrent_limit", "concurrent_limit", "realtime_ws_open_failed"]):
            world.add_call(guid, started=now - 2000 + i * 60, outcome="rejected", reject_reason=reason)
        world.add_call(guid, started=now - 900, end_reason="wiro_error", duration=90)
    _, found = await run_doctor(sim, sim_settings)
    got = by_id(found)
    assert got["calls.max_duration"].severity == "warning" and "600 s" in got["calls.max_duration"].detail
    assert got["calls.rejected.concurrent_limit"].title.startswith("2 calls rejected")
    assert "Concurrent call limit reached" in got["calls.rejected.concurrent_limit"].detail  # from the log
    assert got["calls.rejected.realtime_ws_open_failed"].title.startswith("1 call rejected")
    crash = got["calls.wiro_error"]
    assert crash.severity == "warning" and "Realtime bridge closed unexpectedly" in crash.detail


async def test_a_signature_failure_in_the_activity_log(sim, sim_settings):
    make_healthy(sim)
    with sim.world.lock:
        sim.world.add_log_event(sim.demo_agent_guid, "webhook_rejected", "Twilio webhook refused", ok=False,
                                error="X-Twilio-Signature does not match", at=sim.now() - 60)
    _, found = await run_doctor(sim, sim_settings)
    assert found[0].id == "logs.signature" and "Live Auth Token" in found[0].fix


async def test_unreadable_sources_are_skipped_not_failed(sim, sim_settings):
    make_healthy(sim)
    evidence, found = await run_doctor(sim, sim_settings, guid=sim.setup_agent_guid, twilio=None)
    assert evidence.logs is None  # Wiro keeps no log for an agent that never ran
    skipped = by_id(found)["skipped.activity_log"]
    assert skipped.severity == "info" and "Start the agent" in skipped.detail
    assert found[0].id == "agent.setup_required"


async def test_the_doctor_gets_twilio_access_from_the_one_rule(sim, sim_settings):
    # the same function of the credential's SID the doctor command and screen pass to gather()
    make_healthy(sim)
    evidence, _found = await run_doctor(sim, sim_settings, twilio=lambda sid: twilio_access(sid, sim_settings, demo=sim))
    assert evidence.twilio is not None and evidence.twilio_source == "the demo's Twilio account"
    evidence, found = await run_doctor(sim, sim_settings, twilio=lambda sid: twilio_access(sid, sim_settings))
    assert evidence.twilio is None and "TWILIO_ACCOUNT_SID/TWILIO_AUTH_TOKEN" in evidence.twilio_skipped
    assert not any(f.id.startswith("number.") and f.severity == "error" for f in found)


async def test_a_damaged_save_report_is_a_note_not_a_crash(sim, sim_settings):
    make_healthy(sim)
    path = report_path(reports_dir(sim_settings.config_path), sim.demo_agent_guid)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("{not json")
    _, found = await run_doctor(sim, sim_settings)
    assert healthy(found)
    assert "damaged" in by_id(found)["webhooks.report_unreadable"].detail
