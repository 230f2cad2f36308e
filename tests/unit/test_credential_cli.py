"""`wiro-voice check` and `wiro-voice save`: text, --json and exit codes 0 / 1 / 2."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tui.cli import main
from tui.credential import probes

from .credential_audio import write_wav

SID = "AC0123456789abcdef0123456789abcdef"
TOKEN = "9e107d9d372bb6826bd81d3542a419d6"
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def env(clean_env):
    probes.clear_probe_cache()
    return clean_env


def write(path: Path, data: dict) -> Path:
    path.write_text(json.dumps(data))
    return path


GOOD = {"accountsid": SID, "authtoken": TOKEN, "phonenumbers": ["+14155551234"], "holdstrategy": "text",
        "holdtext": "Please hold while we connect you.", "holdvoice": "Polly.Joanna-Neural"}


# -- check --------------------------------------------------------------------------------------------------


def test_check_a_valid_file_exits_0(env, tmp_path, capsys):
    assert main(["check", str(write(tmp_path / "c.json", GOOD))]) == 0
    out = capsys.readouterr().out
    assert "valid" in out and "Ready for `wiro-voice save`" in out and TOKEN not in out


def test_check_lists_errors_and_warnings_per_field_and_exits_1(env, tmp_path, capsys):
    path = tmp_path / "c.toml"
    path.write_text(f'accountsid = "SK{SID[2:]}"\nauthtoken = "{TOKEN}"\nphonenumbers = ["+1 (415) 555-1234"]\n'
                    'whitelistedcallers = ["4155551234"]\nholdstrategy = "text_then_music"\nholdtext = "Hi <s>there"\n')
    assert main(["check", str(path)]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].endswith("not valid — 4 errors, 2 warnings")
    assert lines[1].startswith("  accountsid: error: This is an API Key SID")
    assert lines[2] == ("  phonenumbers #1: error: Not in E.164 form: it is +14155551234. Use that form "
                        "(+, country code, digits only). [fix: use +14155551234]")
    assert any(line.startswith("  holdtext: error: The SSML is broken at line 1, column 4") for line in lines)
    assert any(line.startswith("  holdmusic: error: holdmusic is required with `text_then_music`") for line in lines)
    assert lines[-1] == "Fix the errors, then check again."


def test_check_counts_list_items_from_1_like_the_form_and_json_keeps_the_index(env, tmp_path, capsys):
    path = write(tmp_path / "c.json", {**GOOD, "phonenumbers": ["+14155551234", "+14155550142", "+14155551234"]})
    assert main(["check", str(path)]) == 1
    out = capsys.readouterr().out
    assert "  phonenumbers #3: error: Listed twice (same number as #1): remove this one." in out
    assert "phonenumbers[" not in out
    assert main(["check", str(path), "--json"]) == 1
    document = json.loads(capsys.readouterr().out)
    assert [e["field"] for e in document["errors"]] == ["phonenumbers[2]"]


def test_check_json_has_the_contract_shape_and_masks_the_token(env, tmp_path, capsys):
    path = write(tmp_path / "c.json", {**GOOD, "phonenumbers": ["4155551234"], "phonenumbr": []})
    assert main(["check", str(path), "--json"]) == 1
    out = capsys.readouterr().out
    document = json.loads(out)
    assert set(document) >= {"valid", "errors", "warnings", "normalized"} and document["valid"] is False
    assert document["errors"] == [{"field": "phonenumbers[0]", "message": document["errors"][0]["message"],
                                   "fix": "+14155551234", "fix_action": "replace"}]
    assert document["warnings"][0]["field"] == "phonenumbr"
    assert document["normalized"]["authtoken"] == "••••19d6" and TOKEN not in out
    assert document["normalized"]["maxcallseconds"] == 600


def test_check_reads_stereo_and_fake_audio_files(env, tmp_path, capsys):
    write_wav(tmp_path / "stereo.wav", 40, channels=2)
    (tmp_path / "fake.mp3").write_text("not audio at all\n" * 10)
    path = write(tmp_path / "c.json", {**GOOD, "holdstrategy": "audio_then_music", "holdaudio": "fake.mp3",
                                       "holdmusic": "stereo.wav"})
    assert main(["check", str(path), "--json"]) == 1
    errors = {e["field"]: e for e in json.loads(capsys.readouterr().out)["errors"]}
    assert "not MP3 or WAV" in errors["holdaudio"]["message"]
    assert errors["holdmusic"]["fix_action"] == "mono_copy" and errors["holdmusic"]["fix"] == str(tmp_path / "stereo-mono.wav")


@pytest.mark.parametrize("content, fragment", [(None, "does not exist"), ("{oops", "neither JSON nor TOML")])
def test_check_an_unusable_file_exits_2_with_the_reason(env, tmp_path, capsys, content, fragment):
    path = tmp_path / "c.cred"
    if content is not None:
        path.write_text(content)
    assert main(["check", str(path), "--json"]) == 2
    captured = capsys.readouterr()
    assert fragment in json.loads(captured.out)["error"] and fragment in captured.err and "Traceback" not in captured.err


def test_check_with_a_region_and_an_unknown_region(env, tmp_path, capsys):
    path = write(tmp_path / "c.json", {**GOOD, "phonenumbers": ["07911 123456"]})
    assert main(["check", str(path), "--region", "gb", "--json"]) == 1
    assert json.loads(capsys.readouterr().out)["errors"][0]["fix"] == "+447911123456"
    assert main(["check", str(path), "--region", "XX"]) == 2
    assert "--region 'XX'" in capsys.readouterr().err


# -- save ---------------------------------------------------------------------------------------------------


def save_argv(sim, path: Path, *extra: str) -> list[str]:
    return ["save", str(path), "--api-base", sim.wiro_base, "--agent", sim.demo_agent_guid, *extra]


def test_save_all_numbers_updated_exits_0(env, sim, tmp_path, capsys):
    env.setenv("WIRO_API_KEY", sim.api_key)
    path = write(tmp_path / "c.json", {**GOOD, "accountsid": sim.twilio_account_sid, "authtoken": sim.twilio_auth_token,
                                       "phonenumbers": ["+14155550142"]})
    assert main(save_argv(sim, path)) == 0
    out = capsys.readouterr().out
    assert f"Saved the twilio-voice credential of agent {sim.demo_agent_guid} (8 rows applied)." in out
    assert "  updated  +14155550142" in out and sim.twilio_auth_token not in out
    assert "Status: Running → Stopping: Wiro restarts the agent to apply the change." in out


def test_save_keeps_the_webhook_report_for_webhooks_and_doctor(env, sim, tmp_path, capsys):
    """Only the dashboard kept it: after a command-line save, `webhooks` and `doctor` showed an old report."""
    from tui.webhooks.store import load_report, report_path, reports_dir

    env.setenv("WIRO_API_KEY", sim.api_key)
    path = write(tmp_path / "c.json", {**GOOD, "accountsid": sim.twilio_account_sid, "authtoken": "***encrypted***",
                                       "phonenumbers": ["+14155550142", "+14155550163"]})
    assert main(save_argv(sim, path)) == 1
    capsys.readouterr()
    stored = report_path(reports_dir(tmp_path / "config.toml"), sim.demo_agent_guid)
    report = load_report(stored).report
    assert report is not None and report.agent_guid == sim.demo_agent_guid
    states = {n.number: n.state for n in report.numbers}
    assert states == {"+14155550142": "updated", "+14155550163": "failed"}
    assert sim.twilio_auth_token not in stored.read_text()


def test_save_json_reports_webhooks_and_uploads_exit_1_when_a_number_fails(env, sim, tmp_path, capsys):
    env.setenv("WIRO_API_KEY", sim.api_key)
    write_wav(tmp_path / "music.wav", 40)
    path = write(tmp_path / "c.json", {**GOOD, "authtoken": "***encrypted***", "accountsid": sim.twilio_account_sid,
                                       "phonenumbers": ["+14155550142", "+14155550163"],
                                       "holdstrategy": "text_then_music", "holdmusic": "music.wav"})
    assert main(save_argv(sim, path, "--json")) == 1
    captured = capsys.readouterr()
    document = json.loads(captured.out)
    assert document["saved"] is True and document["errors"] == [] and document["complete"] is True
    assert document["webhooks"] == {
        "updated": ["+14155550142"], "skipped": [], "error": None,
        "failed": [{"number": "+14155550163", "error": "no matching IncomingPhoneNumber on Twilio account"}]}
    assert document["files"] == ["holdmusic"] and document["uploaded"]["holdmusic"].startswith(sim.base_url)
    assert document["status"] == {"before": 4, "after": 1, "updated": False}
    assert "Uploading music.wav (holdmusic): done" in captured.err
    with sim.world.lock:
        assert sim.world.agents[sim.demo_agent_guid].twilio["authtoken"] == sim.twilio_auth_token


def test_save_with_validation_errors_exits_2_and_sends_nothing(env, sim, tmp_path, capsys):
    env.setenv("WIRO_API_KEY", sim.api_key)
    path = write(tmp_path / "c.json", {**GOOD, "accountsid": "SK" + SID[2:]})
    with sim.world.lock:
        before = dict(sim.world.agents[sim.demo_agent_guid].twilio)
    assert main(save_argv(sim, path, "--json")) == 2  # nothing saved
    document = json.loads(capsys.readouterr().out)
    assert document["saved"] is False and document["errors"][0]["field"] == "accountsid"
    assert document["webhooks"] == {"updated": [], "skipped": [], "failed": [], "error": None}
    with sim.world.lock:
        assert dict(sim.world.agents[sim.demo_agent_guid].twilio) == before


def test_save_when_wiro_fails_exits_2(env, sim, tmp_path, capsys):
    env.setenv("WIRO_API_KEY", sim.api_key)
    path = write(tmp_path / "c.json", {**GOOD, "accountsid": sim.twilio_account_sid})
    sim.set_faults("503:1")
    assert main(save_argv(sim, path)) == 2
    sim.set_faults(None)
    out = capsys.readouterr().out
    assert "Not saved" in out and "503" in out


def test_save_a_webhook_error_exits_1(env, sim, tmp_path, capsys):
    env.setenv("WIRO_API_KEY", sim.api_key)
    with sim.world.lock:
        sim.world.twilio_outage = True
    path = write(tmp_path / "c.json", {**GOOD, "accountsid": sim.twilio_account_sid})
    assert main(save_argv(sim, path)) == 1
    assert "Wiro could not configure any number this round: Twilio API request failed" in capsys.readouterr().out


def test_save_works_with_demo(env, tmp_path, capsys):
    path = write(tmp_path / "c.json", GOOD)  # not the demo's Twilio account: Wiro cannot reach it
    assert main(["save", str(path), "--demo", "--json"]) == 1
    document = json.loads(capsys.readouterr().out)
    assert document["saved"] is True and "20003" in document["webhooks"]["error"]


class NoTty:
    def isatty(self) -> bool:
        return False


def test_save_keeps_the_webhook_report_that_webhooks_then_shows(env, sim, tmp_path, capsys):
    """`save` from a script keeps the report as the TUI does: `webhooks` then shows this save, not an older one."""
    from tui.webhooks.report import build_report
    from tui.webhooks.store import report_path, reports_dir, save_report
    from tui.wiro.models import UpsertResult

    env.setenv("WIRO_API_KEY", sim.api_key)
    env.setenv("TWILIO_AUTH_TOKEN", sim.twilio_auth_token)
    env.setattr(sys, "stdin", NoTty())
    guid = sim.demo_agent_guid
    older = build_report(UpsertResult.parse({"twilioWebhookError": "Twilio API request failed: 503"}),
                         ["+14155550142"], agent_guid=guid, now=1_000_000_000.0)
    save_report(report_path(reports_dir(tmp_path / "config.toml"), guid), older)
    path = write(tmp_path / "c.json", {**GOOD, "authtoken": "***encrypted***", "accountsid": sim.twilio_account_sid,
                                       "phonenumbers": ["+14155550142", "+14155550163"]})
    assert main(save_argv(sim, path, "--json")) == 1  # +14155550163 is not on the Twilio account
    capsys.readouterr()

    assert main(["webhooks", "--api-base", sim.wiro_base, "--twilio-base", sim.twilio_base, "--agent", guid,
                 "--json"]) == 1
    captured = capsys.readouterr()
    doc = json.loads(captured.out)
    assert doc["last_save"]["made_at"] > older.made_at and doc["last_save"]["error"] is None
    states = {n["number"]: n["last_save"] for n in doc["numbers"]}
    assert states["+14155550142"]["state"] == "updated"
    assert states["+14155550163"] == {**states["+14155550163"], "state": "failed",
                                      "detail": "no matching IncomingPhoneNumber on Twilio account"}
    assert sim.twilio_auth_token not in captured.out + captured.err


def test_save_says_so_when_the_report_cannot_be_kept_and_still_saves(env, sim, tmp_path, capsys):
    env.setenv("WIRO_API_KEY", sim.api_key)
    (tmp_path / "webhook-reports").write_text("a file where the folder should be")
    path = write(tmp_path / "c.json", {**GOOD, "authtoken": "***encrypted***", "accountsid": sim.twilio_account_sid,
                                       "phonenumbers": ["+14155550142"]})
    assert main(save_argv(sim, path)) == 0  # the credential is saved and every number configured: still a success
    captured = capsys.readouterr()
    assert "Saved the twilio-voice credential" in captured.out
    assert "wiro-voice: Could not keep the webhook report:" in captured.err


def test_save_a_bad_file_exits_2(env, tmp_path, capsys):
    assert main(["save", str(tmp_path / "none.json"), "--demo"]) == 2
    assert "does not exist" in capsys.readouterr().err


def test_python_dash_m_catches_its_own_errors(tmp_path):
    # under `python -m tui` the running module is __main__, not tui.__main__: errors must still be messages
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "WIRO_VOICE_CONFIG": str(tmp_path / "config.toml")}
    path = write(tmp_path / "c.json", GOOD)
    done = subprocess.run([sys.executable, "-m", "tui", "save", str(path)], capture_output=True, text=True, env=env,
                          cwd=ROOT, check=False)
    assert done.returncode == 2 and "No Wiro API key is configured" in done.stderr and "Traceback" not in done.stderr
    done = subprocess.run([sys.executable, "-m", "tui", "check", str(path)], capture_output=True, text=True, env=env,
                          cwd=ROOT, check=False)
    assert done.returncode == 0 and "valid" in done.stdout
