"""`wiro-voice webhooks [--json]` against the simulator: text, JSON, exit codes, credentials, no secrets."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tui.cli import main
from tui.sim.demo import (
    NUMBER_NOT_ON_ACCOUNT,
    NUMBER_OK,
    NUMBER_SIP_TRUNK,
    NUMBER_STUDIO,
    NUMBER_TWIML_APP,
)
from tui.webhooks.report import build_report
from tui.webhooks.store import report_path, reports_dir, save_report
from tui.wiro.models import UpsertResult


class NoTty:
    """stdin that is not a terminal (as in a script or CI)."""

    def isatty(self) -> bool:
        return False


class Tty(NoTty):
    def isatty(self) -> bool:
        return True


@pytest.fixture
def env(sim_env):
    sim_env.setattr(sys, "stdin", NoTty())
    return sim_env


def argv(sim, *extra, agent=None):
    return ["webhooks", "--api-base", sim.wiro_base, "--twilio-base", sim.twilio_base,
            "--agent", agent or sim.demo_agent_guid, *extra]


def with_token(env, sim):
    env.setenv("TWILIO_AUTH_TOKEN", sim.twilio_auth_token)


def test_json_gives_every_verdict_and_exit_1(env, sim, capsys):
    with_token(env, sim)
    assert main(argv(sim, "--json")) == 1
    out = capsys.readouterr().out
    doc = json.loads(out)
    verdicts = {n["number"]: n["verdict"] for n in doc["numbers"]}
    assert verdicts == {NUMBER_OK: "wiro_ok", NUMBER_TWIML_APP: "twiml_app", NUMBER_SIP_TRUNK: "sip_trunk",
                        NUMBER_STUDIO: "studio_flow", NUMBER_NOT_ON_ACCOUNT: "not_on_account"}
    for row in doc["numbers"]:
        assert {"number", "verdict", "problems", "voice_url", "voice_method", "status_callback", "routing"} <= set(row)
        assert (row["problems"] == []) == (row["verdict"] == "wiro_ok")
    assert {u["number"] for u in doc["unlisted"]} == {"+14155550199", "+14155550188"}
    assert doc["ok"] is False and doc["account"]["friendly_name"] == "Bosphorus Dental" and doc["last_save"] is None
    assert sim.twilio_auth_token not in out


def test_text_says_what_rings_and_how_to_fix_the_rest(env, sim, capsys):
    with_token(env, sim)
    assert main(argv(sim)) == 1
    captured = capsys.readouterr()
    text = captured.out
    assert "Twilio account: Bosphorus Dental" in text and "1 of 5 numbers ring the agent; 4 need attention." in text
    assert "Routed to a TwiML App" in text and "https://ivr.bosphorus-dental.example/twiml/menu" in text
    assert "Fix: Flip Configure with back to Webhook" in text and "Buy or import the number on this account" in text
    assert "On Twilio, not answered by this agent" in text and "Spare line" in text
    assert "no report stored on this machine" in text
    assert sim.twilio_auth_token not in captured.out + captured.err


def test_all_good_exits_0_and_shows_the_stored_report(env, sim, capsys, tmp_path):
    with sim.world.lock:
        sim.world.agents[sim.demo_agent_guid].credentials["twilio-voice"]["phonenumbers"] = [NUMBER_OK]
    report = build_report(UpsertResult.parse({"twilioWebhooksUpdated": [NUMBER_OK]}), [NUMBER_OK],
                          agent_guid=sim.demo_agent_guid, now=1_777_000_000.0)
    save_report(report_path(reports_dir(tmp_path / "config.toml"), sim.demo_agent_guid), report)
    with_token(env, sim)
    assert main(argv(sim)) == 0
    text = capsys.readouterr().out
    assert "Last save: 2026-04-24" in text and "[last save: updated]" in text and "nothing to fix" in text
    assert main(argv(sim, "--json")) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["ok"] is True and doc["numbers"][0]["last_save"]["state"] == "updated"
    assert doc["last_save"]["made_at"] == 1_777_000_000.0


def test_stored_banner_is_shown(env, sim, capsys, tmp_path):
    report = build_report(UpsertResult.parse({"twilioWebhookError": "Twilio API request failed: 503"}),
                          [NUMBER_OK], agent_guid=sim.demo_agent_guid, now=1_777_000_000.0)
    save_report(report_path(reports_dir(tmp_path / "config.toml"), sim.demo_agent_guid), report)
    with_token(env, sim)
    assert main(argv(sim)) == 1
    text = capsys.readouterr().out
    assert "No number was configured this round" in text and "[last save: not in the last save]" in text


def test_damaged_stored_report_is_a_warning_not_a_crash(env, sim, capsys, tmp_path):
    path = report_path(reports_dir(tmp_path / "config.toml"), sim.demo_agent_guid)
    path.parent.mkdir(parents=True)
    path.write_text("{oops")
    with_token(env, sim)
    assert main(argv(sim)) == 1
    captured = capsys.readouterr()
    assert "damaged" in captured.err and "Traceback" not in captured.err


def test_no_token_and_no_terminal_exits_2_naming_the_env_vars(env, sim, capsys):
    assert main(argv(sim, "--json")) == 2
    captured = capsys.readouterr()
    assert "TWILIO_AUTH_TOKEN" in captured.err and "TWILIO_AUTH_TOKEN" in json.loads(captured.out)["error"]


def test_token_prompted_when_stdin_is_a_terminal(env, sim, capsys):
    asked = []

    def fake_getpass(prompt):
        asked.append(prompt)
        return sim.twilio_auth_token + "\n"

    env.setattr(sys, "stdin", Tty())
    env.setattr("getpass.getpass", fake_getpass)
    assert main(argv(sim)) == 1
    assert len(asked) == 1 and sim.twilio_account_sid in asked[0] and "hidden" in asked[0]
    assert sim.twilio_auth_token not in capsys.readouterr().out


def test_rejected_token_exits_2_with_the_reason(env, sim, capsys):
    wrong = "Zz9" * 10 + "Yy"
    env.setenv("TWILIO_AUTH_TOKEN", wrong)
    assert main(argv(sim, "--json")) == 2
    captured = capsys.readouterr()
    # a refused pair may be a wrong token or a suspended account; the token's shape is a separate hint
    assert "Nothing could be checked" in captured.err and "suspended or closed" in captured.err
    assert "an API Key Secret" in captured.err and "does not look like a Live Auth Token" in captured.err
    assert wrong not in captured.out + captured.err


def test_env_account_that_differs_from_the_credential_is_warned_about(env, sim, capsys):
    second = next(a for s, a in sim.world.twilio.accounts.items() if s != sim.twilio_account_sid)
    env.setenv("TWILIO_ACCOUNT_SID", second.sid)
    env.setenv("TWILIO_AUTH_TOKEN", second.auth_token)
    assert main(argv(sim, "--json")) == 1
    captured = capsys.readouterr()
    assert "but the credential names" in captured.err
    doc = json.loads(captured.out)
    assert all(n["verdict"] == "not_on_account" for n in doc["numbers"]) and doc["warnings"]


def test_agent_without_numbers_exits_2(env, sim, capsys):
    with_token(env, sim)
    with sim.world.lock:
        sim.world.agents[sim.setup_agent_guid].twilio["phonenumbers"] = []
    assert main(argv(sim, agent=sim.setup_agent_guid)) == 2
    assert "lists no phone numbers" in capsys.readouterr().err


def test_demo_uses_the_simulators_account(env, sim, capsys):
    env.delenv("WIRO_API_KEY")
    assert main(["webhooks", "--demo", "--json"]) == 1
    doc = json.loads(capsys.readouterr().out)
    assert doc["account"]["ok"] and len(doc["numbers"]) == 5


def test_python_dash_m_runs_it_without_a_traceback(tmp_path, sim):
    # Under `python -m tui` the command-line module is __main__: its CliError must still be the one caught.
    env = {"PATH": "/usr/bin:/bin", "WIRO_VOICE_CONFIG": str(tmp_path / "config.toml"), "HOME": str(tmp_path)}
    done = subprocess.run([sys.executable, "-m", "tui", "webhooks", "--demo"], capture_output=True, text=True, check=False,
                          env=env, stdin=subprocess.DEVNULL, timeout=60)
    assert done.returncode == 1, done.stderr
    assert "Routed to a SIP Trunk" in done.stdout and "Traceback" not in done.stderr
    no_token = subprocess.run([sys.executable, "-m", "tui", *argv(sim)], capture_output=True, text=True, check=False,
                              env={**env, "WIRO_API_KEY": sim.api_key}, stdin=subprocess.DEVNULL, timeout=60)
    assert no_token.returncode == 2 and "TWILIO_AUTH_TOKEN" in no_token.stderr and "Traceback" not in no_token.stderr
