"""Saving against the simulator: the upsert body as the server received it, hold files through
CredentialFileUpload, leaving setup through Update, and failures."""

from __future__ import annotations

import copy

import httpx
import pytest

from tui.credential import probes
from tui.credential.draft import CredentialDraft
from tui.credential.save import save_credential
from tui.sim import wiro_api
from tui.wiro import RetryPolicy, WiroClient

from .credential_audio import write_wav

NUMBER_OK, NUMBER_MISSING = "+14155550142", "+14155550163"


@pytest.fixture
async def client(sim):
    async with WiroClient(sim.api_key, base_url=sim.wiro_base, retry=RetryPolicy(retries=0)) as c:
        yield c


@pytest.fixture
def received(monkeypatch):
    """Every CredentialUpsert body as the simulator's handler got it off the wire."""
    bodies: list[dict] = []
    route = wiro_api.ROUTES["/v1/useragent/credentialupsert"]

    def recording(world, body, ctx):
        bodies.append(copy.deepcopy(body))
        return route(world, body, ctx)

    monkeypatch.setitem(wiro_api.ROUTES, "/v1/useragent/credentialupsert", recording)
    return bodies


@pytest.fixture(autouse=True)
def _fresh_probe_cache():
    probes.clear_probe_cache()


def stored(sim, guid) -> dict:
    with sim.world.lock:
        return copy.deepcopy(sim.world.agents[guid].credentials["twilio-voice"])


async def loaded_draft(client, guid) -> CredentialDraft:
    return CredentialDraft.from_credential((await client.detail(guid)).credential)


async def test_a_loaded_credential_saves_back_without_touching_the_token(sim, client, received):
    guid = sim.demo_agent_guid
    draft = (await loaded_draft(client, guid)).replace(holdtext="One moment please.", maxcallseconds="900")
    assert draft.authtoken is None and draft.token_on_server
    outcome = await save_credential(client, guid, draft)
    assert outcome.saved and outcome.failure is None and outcome.error is None
    (body,) = received
    assert body["useragentguid"] == guid
    fields = body["fields"]
    assert all(f["credentialkey"] == "twilio-voice" and isinstance(f["fieldvalue"], str) for f in fields)
    assert not any(f["fieldname"] == "authtoken" for f in fields)
    assert not any(f["fieldname"] == "holdmusic" for f in fields)  # the read-back URL is never written back
    assert "***encrypted***" not in str(fields)
    numbers = [f for f in fields if f.get("parentfield") == "phonenumbers"]
    assert [(f["ordinal"], f["fieldname"]) for f in numbers] == [(i, "value") for i in range(len(draft.phonenumbers))]
    assert [f["fieldvalue"] for f in numbers] == list(draft.phonenumbers)
    assert {"credentialkey": "twilio-voice", "fieldname": "maxcallseconds", "fieldvalue": "900"} in fields
    now = stored(sim, guid)
    assert now["authtoken"] == sim.twilio_auth_token  # the real token survived
    assert now["maxcallseconds"] == 900 and now["holdtext"] == "One moment please."
    assert NUMBER_OK in [item.number for item in outcome.result.updated]
    assert [(item.number, item.text) for item in outcome.result.failed] == [
        (NUMBER_MISSING, "no matching IncomingPhoneNumber on Twilio account")]
    assert not outcome.all_numbers_updated and outcome.applied == len(fields)
    assert outcome.status_before == 4 and not outcome.updated_setup  # a running agent is never Updated


async def test_the_mask_typed_into_the_token_field_is_not_sent(sim, client, received):
    guid = sim.demo_agent_guid
    draft = (await loaded_draft(client, guid)).replace(authtoken="***encrypted***")
    outcome = await save_credential(client, guid, draft)
    assert outcome.saved and len(outcome.validation.for_field("authtoken")) == 1  # a warning, not an error
    assert not any(f["fieldname"] == "authtoken" for f in received[0]["fields"])
    assert stored(sim, guid)["authtoken"] == sim.twilio_auth_token


async def test_a_first_save_sends_the_typed_token_then_update_leaves_setup(sim, client, received):
    guid = sim.setup_agent_guid
    draft = await loaded_draft(client, guid)
    assert not draft.token_on_server  # Detail: the card misses only the token, so it is asked for
    draft = draft.replace(authtoken=f" {sim.setup_auth_token}\n", holdstrategy="none")
    sim.requests.clear()
    outcome = await save_credential(client, guid, draft)
    assert outcome.saved and outcome.complete, outcome.error
    assert {"credentialkey": "twilio-voice", "fieldname": "authtoken", "fieldvalue": sim.setup_auth_token} in received[0]["fields"]
    assert stored(sim, guid)["authtoken"] == sim.setup_auth_token
    assert (outcome.status_before, outcome.status_after, outcome.updated_setup) == (6, 0, True)
    assert sim.requests.count("UserAgent/Update") == 1
    assert (await client.detail(guid)).status == 0  # out of "setup required", ready to start


async def test_local_hold_files_go_through_credential_file_upload_with_progress(sim, client, received, tmp_path):
    guid = sim.demo_agent_guid
    music = write_wav(tmp_path / "loop.mp3", 40)  # WAV content behind an .mp3 name
    seen: list[tuple[str, int, int | None]] = []
    draft = (await loaded_draft(client, guid)).replace(holdstrategy="audio_then_music", holdaudio=str(music),
                                                       holdmusic=str(music))
    sim.requests.clear()
    outcome = await save_credential(client, guid, draft, progress=lambda *a: seen.append(a))
    assert outcome.saved and outcome.complete, outcome.error
    assert outcome.files_written == ("holdaudio", "holdmusic")
    assert sim.requests.count("UserAgent/CredentialFileUpload") == 2 and sim.requests.count("File/Upload") == 0
    assert not any(f["fieldname"] in ("holdaudio", "holdmusic") for f in received[0]["fields"])
    cred = (await client.detail(guid)).credential
    async with httpx.AsyncClient() as http:
        for url in (cred.holdaudio, cred.holdmusic):
            served = await http.get(url)
            assert served.content == music.read_bytes() and served.headers["content-type"] == "audio/wav"
    assert cred.holdmusic.split("?")[0].endswith(".wav")  # named after what it is, so it is served as audio/wav
    uploads = [s for s in seen if s[0].startswith("Uploading loop.wav (holdmusic)")]
    assert uploads[-1][1] == uploads[-1][2] and [s[1] for s in uploads] == sorted(s[1] for s in uploads)
    assert ("Saving the credential", 0, None) in seen


async def test_validation_errors_send_nothing(sim, client, received, tmp_path):
    guid = sim.demo_agent_guid
    before = stored(sim, guid)
    stereo = write_wav(tmp_path / "s.wav", 40, channels=2)
    draft = (await loaded_draft(client, guid)).replace(holdmusic=str(stereo), phonenumbers=["+1 415 555 0142"])
    outcome = await save_credential(client, guid, draft)
    assert not outcome.saved and outcome.failure.stage == "validation" and outcome.failure.kind == "invalid"
    assert "2 errors" in outcome.error and outcome.failure.field == "phonenumbers[0]"
    assert received == [] and stored(sim, guid) == before
    assert sim.requests.count("UserAgent/CredentialFileUpload") == 0  # nothing uploaded


@pytest.mark.parametrize("fault, kind", [("500:1", "server"), ("garbage:1", "protocol"), ("drop:1", "network")])
async def test_a_failing_upsert_is_a_typed_failure_and_changes_nothing(sim, client, fault, kind):
    guid = sim.demo_agent_guid
    agent = await client.detail(guid)
    draft = CredentialDraft.from_credential(agent.credential).replace(holdtext="Changed.")
    before = stored(sim, guid)
    sim.set_faults(fault)
    outcome = await save_credential(client, guid, draft, check_whitelist=False, agent=agent)
    sim.set_faults(None)
    assert not outcome.saved and outcome.result is None
    assert outcome.failure.stage == "upsert" and outcome.failure.kind == kind and outcome.error.startswith("Not saved")
    assert draft.holdtext == "Changed."  # the caller's draft is whole: the edits are not lost
    assert stored(sim, guid) == before


async def test_a_failing_upload_stops_before_the_upsert(sim, client, received, tmp_path):
    guid = sim.demo_agent_guid
    music = write_wav(tmp_path / "music.wav", 40)
    agent = await client.detail(guid)
    draft = CredentialDraft.from_credential(agent.credential).replace(holdmusic=str(music))
    sim.set_faults("500:1")
    outcome = await save_credential(client, guid, draft, agent=agent)
    sim.set_faults(None)
    assert not outcome.saved and outcome.failure.stage == "upload" and outcome.failure.field == "holdmusic"
    assert "music.wav" in outcome.error and received == []


async def test_an_unknown_agent_is_gone_and_nothing_is_sent(sim, client, received):
    outcome = await save_credential(client, "no-such-agent", CredentialDraft(
        accountsid=sim.twilio_account_sid, authtoken=sim.twilio_auth_token, phonenumbers=(NUMBER_OK,)))
    assert not outcome.saved and outcome.failure.kind == "gone" and outcome.failure.stage == "read"
    assert "deleted" in outcome.error and received == []


async def test_a_team_member_is_told_it_is_not_a_team_admin(sim, client):
    agent = await client.detail(sim.team_agent_guid)  # members may read it…
    draft = CredentialDraft.from_credential(agent.credential).replace(holdtext="Changed.")
    outcome = await save_credential(client, sim.team_agent_guid, draft, agent=agent)  # …but not write it
    assert not outcome.saved and outcome.failure.kind == "access" and "team admin" in outcome.error


async def test_a_twilio_outage_is_saved_with_a_webhook_error(sim, client):
    with sim.world.lock:
        sim.world.twilio_outage = True
    outcome = await save_credential(client, sim.demo_agent_guid, await loaded_draft(client, sim.demo_agent_guid))
    assert outcome.saved and outcome.result.error and not outcome.all_numbers_updated


async def test_an_emptied_whitelist_is_cleared_with_an_empty_list(sim, client, received):
    guid = sim.stopped_agent_guid
    assert stored(sim, guid)["whitelistedcallers"]
    draft = (await loaded_draft(client, guid)).replace(whitelistedcallers=())
    outcome = await save_credential(client, guid, draft)
    assert outcome.saved and outcome.notes == ()
    assert {"credentialkey": "twilio-voice", "fieldname": "whitelistedcallers", "fieldvalue": []} in received[0]["fields"]
    assert stored(sim, guid)["whitelistedcallers"] == []


# -- the webhook report: kept by the save itself, for every front end ----------------------------------------------


async def test_the_save_keeps_its_webhook_report_made_at_the_given_clock(sim, client, tmp_path):
    from tui.webhooks.store import load_report, report_path

    guid = sim.demo_agent_guid
    outcome = await save_credential(client, guid, await loaded_draft(client, guid), reports=tmp_path / "reports",
                                    clock=lambda: 1_777_000_123.0)
    assert outcome.saved and outcome.report_problem is None
    kept = load_report(report_path(tmp_path / "reports", guid))
    assert kept.warning is None and kept.report == outcome.report
    assert kept.report.made_at == 1_777_000_123.0 and kept.report.agent_guid == guid
    assert kept.report.state_of(NUMBER_OK).state == "updated"
    assert (kept.report.state_of(NUMBER_MISSING).state, kept.report.state_of(NUMBER_MISSING).detail) == (
        "failed", "no matching IncomingPhoneNumber on Twilio account")


async def test_without_a_reports_folder_no_report_is_written(sim, client, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    outcome = await save_credential(client, sim.demo_agent_guid, await loaded_draft(client, sim.demo_agent_guid))
    assert outcome.saved and outcome.report is not None and outcome.report_problem is None
    assert list(tmp_path.iterdir()) == []


async def test_a_report_that_cannot_be_written_is_said_and_the_save_stands(sim, client, tmp_path):
    blocked = tmp_path / "reports"
    blocked.write_text("a file where the folder should be")
    outcome = await save_credential(client, sim.demo_agent_guid, await loaded_draft(client, sim.demo_agent_guid),
                                    reports=blocked)
    assert outcome.saved and outcome.failure is None
    assert outcome.report_problem.startswith("Could not keep the webhook report: ")


async def test_a_save_that_fails_leaves_the_last_report_alone(sim, client, tmp_path):
    from tui.webhooks.store import load_report, report_path

    guid = sim.demo_agent_guid
    draft = await loaded_draft(client, guid)
    assert (await save_credential(client, guid, draft, reports=tmp_path, clock=lambda: 1.0e9)).saved
    sim.set_faults("503:1")
    try:
        failed = await save_credential(client, guid, draft, reports=tmp_path, clock=lambda: 2.0e9)
    finally:
        sim.set_faults(None)
    assert not failed.saved and failed.report is None
    assert load_report(report_path(tmp_path, guid)).report.made_at == 1.0e9
