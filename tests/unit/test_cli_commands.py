"""Every command module of tui/cli as functions: a client (or settings), the streams to write to, no sys.argv.

The commands run against the simulator over loopback; `main()` is only used where the option itself is what
is tested (`--yes`).
"""

from __future__ import annotations

import io
import json
from pathlib import Path
from types import SimpleNamespace

import pytest

from tui.cli import agents, common, credential, doctor, hold, logs, main, serve, sim as sim_command, themes, webhooks
from tui.config import Secret
from tui.wiro import ApiError, RetryPolicy, WiroClient

from .credential_audio import write_wav


@pytest.fixture
async def client(sim):
    async with WiroClient(sim.api_key, base_url=sim.wiro_base, retry=RetryPolicy(retries=0)) as c:
        yield c


def streams() -> tuple[io.StringIO, io.StringIO]:
    return io.StringIO(), io.StringIO()


# -- agents: agents, status, start, stop ----------------------------------------------------------------------


async def test_agents_status_start_and_stop_as_functions(sim, client):
    out, _ = streams()
    assert await agents.list_agents(client, as_json=True, out=out) == 0
    listed = {a["guid"]: a for a in json.loads(out.getvalue())["agents"]}
    assert listed[sim.demo_agent_guid]["statusLabel"] == "Running" and sim.stopped_agent_guid in listed

    out, _ = streams()
    assert await agents.show_status(client, sim.demo_agent_guid, out=out) == 0
    text = out.getvalue()
    assert text.splitlines()[1].startswith("status: Running") and "numbers: +" in text

    out, _ = streams()
    assert await agents.start_stop(client, sim.demo_agent_guid, "stop", as_json=True, out=out) == 0
    assert json.loads(out.getvalue()) == {"ok": True, "action": "stop", "guid": sim.demo_agent_guid}
    with pytest.raises(ApiError):  # a refusal is Wiro's error, for common.run to turn into exit 1
        await agents.start_stop(client, sim.stopped_agent_guid, "stop", out=io.StringIO())


def test_start_and_stop_accept_yes_and_still_never_ask(sim, monkeypatch, tmp_path, capsys):
    monkeypatch.setenv("WIRO_VOICE_CONFIG", str(tmp_path / "config.toml"))
    monkeypatch.setenv("WIRO_API_KEY", sim.api_key)
    monkeypatch.setattr("sys.stdin", io.StringIO(""))  # nothing to answer a question with: none is asked
    base = ["--api-base", sim.wiro_base, "--json"]
    assert main(["stop", "--yes", "--agent", sim.demo_agent_guid, *base]) == 0
    assert json.loads(capsys.readouterr().out)["action"] == "stop"
    assert main(["start", "-y", "--agent", sim.stopped_agent_guid, *base]) == 0
    assert json.loads(capsys.readouterr().out)["action"] == "start"
    assert main(["stop", "--agent", sim.setup_agent_guid, *base]) == 1  # without --yes: as before, refused in words
    assert json.loads(capsys.readouterr().out)["error"]


# -- credential: check and save -------------------------------------------------------------------------------

SID = "AC0123456789abcdef0123456789abcdef"
TOKEN = "9e107d9d372bb6826bd81d3542a419d6"


def test_check_file_as_a_function(tmp_path):
    path = tmp_path / "c.json"
    path.write_text(json.dumps({"accountsid": SID, "authtoken": TOKEN, "phonenumbers": ["+14155551234", "x"],
                                "holdstrategy": "none", "colour": "blue"}))
    out = io.StringIO()
    assert credential.check_file(str(path), as_json=True, out=out) == 1
    document = json.loads(out.getvalue())
    assert not document["valid"] and [e["field"] for e in document["errors"]] == ["phonenumbers[1]"]
    assert [w["field"] for w in document["warnings"]] == ["colour"] and TOKEN not in out.getvalue()
    out = io.StringIO()
    assert credential.check_file(str(path), out=out) == 1
    assert out.getvalue().startswith(f"{path}: not valid — 1 error, 1 warning\n")  # one of each, said as one
    with pytest.raises(common.CliError) as bad:
        credential.check_file(str(path), region="ZZ", out=io.StringIO())
    assert bad.value.code == 2 and "--region" in str(bad.value)


async def test_save_file_as_a_function(sim, client, tmp_path):
    music = write_wav(tmp_path / "loop.wav", seconds=3.0)
    path = tmp_path / "c.json"
    path.write_text(json.dumps({"accountsid": sim.twilio_account_sid, "authtoken": sim.twilio_auth_token,
                                "phonenumbers": ["+14155550100"], "holdstrategy": "music", "holdmusic": str(music)}))
    out, err = streams()
    code = await credential.save_file(client, sim.demo_agent_guid, str(path), as_json=True, out=out, err=err)
    document = json.loads(out.getvalue())
    assert document["saved"] is True and document["agent"] == sim.demo_agent_guid
    assert document["uploaded"]["holdmusic"].startswith("http") and "(holdmusic): done" in err.getvalue()
    assert code in (0, 1) and (code == 0) == (not document["webhooks"]["skipped"] and not document["webhooks"]["failed"])
    assert sim.twilio_auth_token not in out.getvalue() + err.getvalue()


# -- hold -------------------------------------------------------------------------------------------------------


def hold_options(**given) -> SimpleNamespace:
    options = dict(hold_command="render", strategy=None, text=None, voice=None, audio=None, music=None, window="8",
                   phone_line=True, credential_file=None, settings_file=None, encoding="pcm16", mono_copy=False,
                   out=None)
    options.update(given)
    return SimpleNamespace(**options)


def test_hold_render_as_a_function(tmp_path):
    music = write_wav(tmp_path / "loop.wav", seconds=2.0)
    target = tmp_path / "out.wav"
    out, err = streams()
    assert hold.run(hold_options(strategy="music", music=str(music), window="4", out=str(target)), out=out, err=err) == 0
    assert target.exists() and out.getvalue().startswith(f"wrote {target} — ")
    out, err = streams()
    assert hold.run(hold_options(strategy="loud", out=str(tmp_path / "no.wav")), out=out, err=err) == 1
    assert "unknown hold strategy 'loud'" in err.getvalue() and not (tmp_path / "no.wav").exists()
    out, err = streams()
    assert hold.run(hold_options(settings_file="cred.json", out=str(target)), out=out, err=err) == 1
    assert "--credential FILE" in err.getvalue()


# -- webhooks ---------------------------------------------------------------------------------------------------


async def test_check_webhooks_as_a_function(sim, client, sim_settings):
    with_token = sim_settings.with_(twilio_auth_token=Secret(sim.twilio_auth_token))
    out, err = streams()
    assert await webhooks.check_webhooks(client, sim.demo_agent_guid, with_token, as_json=True, out=out, err=err) == 1
    document = json.loads(out.getvalue())
    assert len(document["numbers"]) == 5 and {n["verdict"] for n in document["numbers"]} >= {"wiro_ok"}
    assert sim.twilio_auth_token not in out.getvalue() + err.getvalue()
    asked = []
    with pytest.raises(common.CliError) as none:  # no token anywhere and nobody to ask
        await webhooks.check_webhooks(client, sim.demo_agent_guid, sim_settings, out=io.StringIO(), err=io.StringIO())
    assert none.value.code == 2 and "TWILIO_AUTH_TOKEN" in str(none.value)
    out, err = streams()
    code = await webhooks.check_webhooks(client, sim.demo_agent_guid, sim_settings, out=out, err=err,
                                         prompt=lambda text: asked.append(text) or sim.twilio_auth_token)
    assert code == 1 and len(asked) == 1 and sim.twilio_account_sid in asked[0]
    assert "1 of 5 numbers ring the agent; 4 need attention." in out.getvalue()


# -- logs -------------------------------------------------------------------------------------------------------


async def test_show_logs_as_a_function(sim, client):
    out, err = streams()
    assert await logs.show_logs(client, sim.demo_agent_guid, kinds=["calls"], as_json=True, out=out, err=err) == 0
    document = json.loads(out.getvalue())
    assert document["filter"] and document["events"]
    assert all(e["kindLabel"] for e in document["events"])
    with pytest.raises(common.CliError) as never_ran:  # an agent that never ran has no log: exit 1, what to do
        await logs.show_logs(client, sim.setup_agent_guid, out=io.StringIO(), err=io.StringIO())
    assert never_ran.value.code == 1


# -- doctor -----------------------------------------------------------------------------------------------------


async def test_run_doctor_as_a_function(sim, client, sim_settings):
    out, err = streams()
    code = await doctor.run_doctor(client, sim.demo_agent_guid, sim_settings, demo=sim, as_json=True, out=out, err=err)
    document = json.loads(out.getvalue())
    assert code == 1 and document["findings"] and not document["healthy"]
    assert any(f["id"].startswith("number.") for f in document["findings"])  # the demo's own Twilio account
    assert "wiro-voice doctor: reading the agent…" in err.getvalue()
    with pytest.raises(common.CliError) as unknown:
        await doctor.run_doctor(client, "no-such-agent", sim_settings, out=io.StringIO(), err=io.StringIO())
    assert unknown.value.code == 2 and "could not run" in str(unknown.value)


# -- themes, serve, sim -----------------------------------------------------------------------------------------


def test_list_themes_as_a_function(sim_settings):
    out = io.StringIO()
    assert themes.list_themes(sim_settings, wanted="wiro-light", as_json=True, out=out) == 0
    document = json.loads(out.getvalue())
    assert {"wiro-dark", "wiro-light", "wiro-high-contrast"} <= {t["name"] for t in document["themes"]}
    with pytest.raises(common.CliError) as unknown:
        themes.list_themes(sim_settings, wanted="wiro-lite", out=io.StringIO())
    assert "wiro-light" in str(unknown.value)


def test_serve_builds_each_tabs_command_line_from_the_options(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    options = SimpleNamespace(demo=True, agent=None, api_base="http://127.0.0.1:1/v1", twilio_base=None,
                              config="settings.toml", seed=3, speed=2.0, api_shape="older",
                              theme="wiro-light")
    assert serve.dashboard_args(options) == [
        "--demo", "--api-base", "http://127.0.0.1:1/v1", "--config", str(Path(tmp_path, "settings.toml").resolve()),
        "--seed", "3", "--speed", "2.0", "--api-shape", "older", "--theme", "wiro-light"]
    err = io.StringIO()
    with pytest.raises(common.CliError) as bad:  # refused before anything listens
        serve.serve(["--demo"], host="127.0.0.1", port=0, public_url="ftp://x", err=err)
    assert "--public-url" in str(bad.value)


def test_sim_refuses_a_bad_fault_spec():
    with pytest.raises(common.CliError) as bad:
        sim_command.serve_simulator(faults="500:lots")
    assert bad.value.code == 2 and "Bad simulator option" in str(bad.value)
