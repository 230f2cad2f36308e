"""Network faults during the writes — Save (Credentials screen and `wiro-voice save`), the hold-file Upload,
Start and Stop (Overview `s`/`x` and the `start`/`stop` commands) — and a simulator that dies mid-request.

For each: the user is told in words, the simulator received the write exactly once (its request log counts
them: a write that may have happened is never sent again on its own), and every edit is still there. The one
documented exception is 429, which says the request was not processed: it is retried after Retry-After, a
bounded number of times, and the waits are checked.
"""

from __future__ import annotations

import asyncio
import json
import threading

import pytest
from textual.widgets import Input

from tui.cli import main
from tui.credential import probes
from tui.sim.world import RUNNING, STOPPED

from ..ui.helpers import goto, notifications, settle, text_of
from ..unit.credential_audio import write_wav
from .soak import SoakApp, alive

SIZE = (120, 60)
KINDS = ("500", "503", "timeout", "garbage", "html", "drop")
UPSERT, UPLOAD, START, STOP = ("UserAgent/CredentialUpsert", "UserAgent/CredentialFileUpload", "UserAgent/Start",
                               "UserAgent/Stop")


def stored(sim, guid=None) -> dict:
    with sim.world.lock:
        return dict(sim.world.agents[guid or sim.demo_agent_guid].twilio)


def status(sim, guid) -> int:
    with sim.world.lock:
        return sim.world.agents[guid].status


async def open_credentials(app, pilot):
    assert (await goto(app, pilot, "credentials", rounds=4)).loaded


def edit(app, **values: str) -> None:
    for name, value in values.items():
        app.screen.query_one(f"#in-{name}", Input).value = value


def values(app, *names: str) -> dict[str, str]:
    return {name: app.screen.query_one(f"#in-{name}", Input).value for name in names}


EDITS = {"maxcallseconds": "1200", "authtoken": "f" * 32, "holdvoice": "Polly.Matthew-Neural"}


async def wait_until(pilot, condition, rounds: int = 400) -> None:
    for _ in range(rounds):
        if condition():
            return
        await pilot.pause(0.01)
    raise AssertionError("the condition never came true")


# -- the Credentials screen ------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
async def test_a_failed_save_says_so_sends_once_and_keeps_every_edit(kind, sim, sim_settings):
    sim.timeout_hold = 2.0  # longer than the test client's 0.75 s: a real client timeout
    before = stored(sim)
    app = SoakApp(sim_settings.with_(agent=sim.demo_agent_guid), clock=sim.now)
    async with app.run_test(size=SIZE) as pilot:
        await open_credentials(app, pilot)
        edit(app, **EDITS)
        await pilot.pause()
        sim.requests.clear()
        sim.set_faults(f"{kind}:1.0")
        await pilot.press("ctrl+s")
        await settle(app, pilot, rounds=6)
        sim.set_faults(None)
        assert sim.requests.count(UPSERT) == 1, sim.requests.tail()
        result = text_of(app, "#save-result")
        if kind == "timeout":
            assert "may or may not have happened" in result and "reload the credential" in result
        else:
            assert "Not saved" in result and "Every edit is still here" in result
        assert "Not saved: Not saved" not in result and ".." not in result  # said once, one full stop
        assert values(app, *EDITS) == EDITS
        assert app.screen.dirty and not app.screen.query_one("#save").disabled
        assert stored(sim) == before
        assert "f" * 32 not in result + " ".join(notifications(app))
        # the user decides to try again: that save goes through
        await pilot.press("ctrl+s")
        await settle(app, pilot, rounds=6)
        assert sim.requests.count(UPSERT) == 2 and "Saved" in text_of(app, "#save-result")
        assert int(stored(sim)["maxcallseconds"]) == 1200 and stored(sim)["authtoken"] == "f" * 32
        alive(app)


async def test_429_on_save_is_retried_after_retry_after_a_bounded_number_of_times(sim, sim_settings):
    app = SoakApp(sim_settings.with_(agent=sim.demo_agent_guid), clock=sim.now)
    async with app.run_test(size=SIZE) as pilot:
        await open_credentials(app, pilot)
        edit(app, maxcallseconds="1300")
        await pilot.pause()
        sim.requests.clear()
        app.retry_waits.clear()
        sim.set_faults("429:1.0")
        await pilot.press("ctrl+s")
        await settle(app, pilot, rounds=6)
        sim.set_faults(None)
        attempts = app.client.retry.retries + 1
        assert sim.requests.count(UPSERT) == attempts == sim.requests.count(UPSERT, fault="429")
        assert len(app.retry_waits) == attempts - 1 and all(w >= 1.0 for w in app.retry_waits)  # Retry-After: 1
        assert "Not saved" in text_of(app, "#save-result") and "rate limiting" in text_of(app, "#save-result")
        assert values(app, "maxcallseconds") == {"maxcallseconds": "1300"}


@pytest.mark.parametrize("kind", ("500", "drop", "garbage"))
async def test_a_failed_hold_file_upload_sends_no_credential_and_keeps_the_local_path(kind, sim, sim_settings, tmp_path):
    music = write_wav(tmp_path / "loop.wav", 30)
    before = stored(sim)
    app = SoakApp(sim_settings.with_(agent=sim.demo_agent_guid), clock=sim.now)
    async with app.run_test(size=SIZE) as pilot:
        await open_credentials(app, pilot)
        edit(app, holdmusic=str(music), maxcallseconds="1400")
        await settle(app, pilot)
        sim.requests.clear()
        sim.set_faults(f"{kind}:1.0")
        await pilot.press("ctrl+s")
        await settle(app, pilot, rounds=6)
        sim.set_faults(None)
        assert sim.requests.count(UPLOAD) == 1 and sim.requests.count(UPSERT) == 0
        result = text_of(app, "#save-result")
        assert "Not saved" in result and "uploading loop.wav failed" in result
        assert values(app, "holdmusic", "maxcallseconds") == {"holdmusic": str(music), "maxcallseconds": "1400"}
        assert stored(sim) == before
        assert sim.requests.count("File/Upload") == 0  # hold files go through CredentialFileUpload only


async def test_upload_done_then_the_credential_save_fails_keeps_the_local_path(sim, sim_settings, tmp_path):
    music = write_wav(tmp_path / "loop.wav", 30)
    app = SoakApp(sim_settings.with_(agent=sim.demo_agent_guid), clock=sim.now)
    async with app.run_test(size=SIZE) as pilot:
        await open_credentials(app, pilot)
        edit(app, holdmusic=str(music))
        await settle(app, pilot)
        original = app.client.credential_upsert

        async def failing_upsert(*args, **kwargs):
            sim.set_faults("drop:1.0")  # the upload went through; the connection drops on the save
            return await original(*args, **kwargs)

        app.client.credential_upsert = failing_upsert
        sim.requests.clear()
        await pilot.press("ctrl+s")
        await settle(app, pilot, rounds=6)
        sim.set_faults(None)
        assert sim.requests.count(UPLOAD, fault=None) == 1 and sim.requests.count(UPSERT) == 1
        assert "Not saved" in text_of(app, "#save-result")
        assert values(app, "holdmusic") == {"holdmusic": str(music)}  # not swapped for an URL that was never saved
        assert app.screen.dirty


async def test_the_simulator_dying_mid_save_is_said_and_nothing_is_lost(sim, sim_settings):
    sim.timeout_hold = 30.0  # the save is held until the simulator stops
    app = SoakApp(sim_settings.with_(agent=sim.demo_agent_guid), clock=sim.now, client_timeout=15.0)
    async with app.run_test(size=SIZE) as pilot:
        await open_credentials(app, pilot)
        edit(app, **EDITS)
        await pilot.pause()
        sim.requests.clear()
        sim.set_faults("timeout:1.0")
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: sim.requests.count(UPSERT) == 1 and sim.requests.in_flight == 1)
        await asyncio.to_thread(sim.stop)
        await settle(app, pilot, rounds=6)
        result = text_of(app, "#save-result")
        assert "Not saved" in result and "closed without an answer" in result
        assert values(app, *EDITS) == EDITS and app.screen.dirty
        await pilot.press("ctrl+s")  # nobody is listening any more
        await settle(app, pilot, rounds=6)
        assert "Not saved" in text_of(app, "#save-result") and "connection refused" in text_of(app, "#save-result")
        assert values(app, *EDITS) == EDITS
        assert sim.requests.count(UPSERT) == 1
        alive(app)


# -- the Overview: Start and Stop ---------------------------------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
async def test_start_and_stop_under_a_fault_are_sent_once_and_said(kind, sim, sim_settings):
    sim.timeout_hold = 2.0
    stopped, running = sim.stopped_agent_guid, sim.demo_agent_guid
    for guid, key, endpoint, verb, unchanged in ((stopped, "s", START, "Start", STOPPED), (running, "x", STOP, "Stop", RUNNING)):
        app = SoakApp(sim_settings.with_(agent=guid), clock=sim.now)
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(app, pilot)
            sim.requests.clear()
            sim.set_faults(f"{kind}:1.0")
            await pilot.press(key, "y")  # asked first; y confirms
            await wait_until(pilot, lambda endpoint=endpoint: sim.requests.count(endpoint) == 1)
            sim.set_faults(None)  # the polls after it may succeed again
            await settle(app, pilot)
            assert sim.requests.count(endpoint) == 1, (verb, sim.requests.tail())
            said = [n for n in notifications(app) if n.startswith(f"{verb} failed")]
            assert said and "not retried automatically" in said[0], notifications(app)
            assert status(sim, guid) == unchanged
            alive(app)


async def test_start_on_429_waits_and_retries_a_bounded_number_of_times(sim, sim_settings):
    app = SoakApp(sim_settings.with_(agent=sim.stopped_agent_guid), clock=sim.now)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        sim.requests.clear()
        app.retry_waits.clear()
        sim.set_faults("429:1.0")
        await pilot.press("s", "y")
        await settle(app, pilot)
        sim.set_faults(None)
        assert sim.requests.count(START) == app.client.retry.retries + 1
        assert all(w >= 1.0 for w in app.retry_waits[: app.client.retry.retries])
        assert any(n.startswith("Start failed") for n in notifications(app))
        assert status(sim, sim.stopped_agent_guid) == STOPPED


async def test_the_simulator_dying_mid_start_is_said(sim, sim_settings):
    sim.timeout_hold = 30.0
    app = SoakApp(sim_settings.with_(agent=sim.stopped_agent_guid), clock=sim.now, client_timeout=15.0)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        sim.requests.clear()
        sim.set_faults("timeout:1.0")
        await pilot.press("s", "y")
        await wait_until(pilot, lambda: sim.requests.count(START) == 1 and sim.requests.in_flight == 1)
        await asyncio.to_thread(sim.stop)
        await settle(app, pilot)
        said = [n for n in notifications(app) if n.startswith("Start failed")]
        assert said and "closed without an answer" in said[0] and "not retried automatically" in said[0]
        assert sim.requests.count(START) == 1
        await pilot.press("r")  # the next poll says the connection is gone; the app stays up
        await settle(app, pilot)
        assert app.screen.query_one("#overview-error").display
        alive(app)


# -- the commands ----------------------------------------------------------------------------------------------


@pytest.fixture
def env(sim_env, sim):
    probes.clear_probe_cache()
    sim.timeout_hold = 0.5
    return sim_env


def credential_file(sim, tmp_path, **more) -> str:
    data = {"accountsid": sim.twilio_account_sid, "authtoken": sim.twilio_auth_token, "phonenumbers": ["+14155550142"],
            "holdstrategy": "text", "holdtext": "Please hold.", "holdvoice": "Polly.Joanna-Neural", "maxcallseconds": 1500,
            **more}
    path = tmp_path / "cred.json"
    path.write_text(json.dumps(data))
    return str(path)


def faults_on_writes(env, sim, kind: str) -> None:
    """Arm the fault only once the save starts writing: the agent is read first (Detail) and that read is not
    what these tests are about (a fault there is `test_save_command_with_a_fault_on_the_first_read`)."""
    from tui.wiro.client import WiroClient

    for name in ("credential_upsert", "credential_file_upload"):
        original = getattr(WiroClient, name)

        async def armed(self, *args, _original=original, **kwargs):
            sim.set_faults(f"{kind}:1.0")
            return await _original(self, *args, **kwargs)

        env.setattr(WiroClient, name, armed)


def test_save_command_with_a_fault_on_the_first_read_sends_nothing(env, sim, tmp_path, capsys):
    path = credential_file(sim, tmp_path)
    before = stored(sim)
    sim.set_faults("500:1.0")
    code = main(["save", path, "--json", "--api-base", sim.wiro_base, "--agent", sim.demo_agent_guid])
    sim.set_faults(None)
    document = json.loads(capsys.readouterr().out)
    assert code == 2 and document["saved"] is False and document["errors"][-1]["stage"] == "read"
    assert sim.requests.count(UPSERT) == 0 and stored(sim) == before


@pytest.mark.parametrize("kind", ("500", "timeout", "garbage", "drop"))
def test_save_command_under_a_fault_exits_2_and_sends_once(kind, env, sim, tmp_path, capsys):
    path = credential_file(sim, tmp_path)
    before = stored(sim)
    faults_on_writes(env, sim, kind)
    code = main(["save", path, "--json", "--api-base", sim.wiro_base, "--agent", sim.demo_agent_guid])
    sim.set_faults(None)
    document = json.loads(capsys.readouterr().out)
    assert code == 2 and document["saved"] is False
    assert document["errors"][-1]["stage"] == "upsert" and document["errors"][-1]["message"]
    assert sim.requests.count(UPSERT) == 1 and stored(sim) == before


@pytest.mark.parametrize("kind", ("500", "drop"))
def test_save_command_upload_fault_sends_no_credential(kind, env, sim, tmp_path, capsys):
    write_wav(tmp_path / "music.wav", 30)
    path = credential_file(sim, tmp_path, holdstrategy="text_then_music", holdmusic="music.wav")
    faults_on_writes(env, sim, kind)
    code = main(["save", path, "--api-base", sim.wiro_base, "--agent", sim.demo_agent_guid])
    sim.set_faults(None)
    out = capsys.readouterr().out
    assert code == 2 and "uploading music.wav failed" in out
    assert sim.requests.count(UPLOAD) == 1 and sim.requests.count(UPSERT) == 0


@pytest.mark.parametrize("kind", ("500", "timeout", "garbage", "drop"))
@pytest.mark.parametrize("verb", ("start", "stop"))
def test_start_stop_commands_under_a_fault_exit_2_and_send_once(verb, kind, env, sim, capsys):
    guid = sim.stopped_agent_guid if verb == "start" else sim.demo_agent_guid
    before = status(sim, guid)
    sim.set_faults(f"{kind}:1.0")
    code = main([verb, "--json", "--api-base", sim.wiro_base, "--agent", guid])
    sim.set_faults(None)
    captured = capsys.readouterr()
    assert code == 2 and json.loads(captured.out)["error"] and "wiro-voice:" in captured.err
    assert "Traceback" not in captured.err
    assert sim.requests.count(START if verb == "start" else STOP) == 1 and status(sim, guid) == before


def test_save_command_when_the_simulator_dies_mid_request(env, sim, tmp_path, capsys):
    sim.timeout_hold = 30.0
    path = credential_file(sim, tmp_path)
    faults_on_writes(env, sim, "timeout")  # the agent is read first; the save itself is held
    result: dict[str, int] = {}
    runner = threading.Thread(target=lambda: result.update(code=main(
        ["save", path, "--api-base", sim.wiro_base, "--agent", sim.demo_agent_guid])))
    runner.start()
    for _ in range(500):
        if sim.requests.count(UPSERT) == 1 and sim.requests.in_flight == 1:
            break
        threading.Event().wait(0.01)
    sim.stop()
    runner.join(timeout=30)
    assert not runner.is_alive() and result["code"] == 2
    out = capsys.readouterr().out
    assert "Not saved" in out and "closed without an answer" in out
    assert sim.requests.count(UPSERT) == 1
