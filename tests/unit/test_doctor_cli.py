"""`wiro-voice doctor [--json]` against the simulator: the JSON shape, exit codes 0/1/2, no secret anywhere."""

from __future__ import annotations

import json
import sys

import pytest

from tui.cli import main
from tui.sim.demo import NUMBER_TWIML_APP

from .doctor_worlds import make_healthy


class NoTty:
    def isatty(self) -> bool:
        return False


@pytest.fixture
def env(sim_env):
    sim_env.setattr(sys, "stdin", NoTty())
    return sim_env


def argv(sim, *extra, agent=None):
    return ["doctor", "--api-base", sim.wiro_base, "--twilio-base", sim.twilio_base,
            "--agent", agent or sim.demo_agent_guid, *extra]


def secrets_of(sim) -> list[str]:
    with sim.world.lock:
        agent = sim.world.agents[sim.demo_agent_guid]
        stored = [group.get(k) for group in agent.credentials.values() for k in ("authtoken", "apikey")]
    return [s for s in [sim.api_key, sim.twilio_auth_token, *stored] if s]


def test_json_lists_findings_worst_first_and_exits_1(env, sim, capsys):
    env.setenv("TWILIO_AUTH_TOKEN", sim.twilio_auth_token)
    assert main(argv(sim, "--json")) == 1
    captured = capsys.readouterr()
    doc = json.loads(captured.out)
    assert doc["findings"], "the demo world has plenty to fix"
    for finding in doc["findings"]:
        assert set(finding) == {"id", "severity", "title", "detail", "fix"}
    ranks = [("error", "warning", "info").index(f["severity"]) for f in doc["findings"]]
    assert ranks == sorted(ranks)
    ids = {f["id"] for f in doc["findings"]}
    assert f"number.twiml_app:{NUMBER_TWIML_APP}" in ids
    assert doc["healthy"] is False and doc["agent"]["guid"] == sim.demo_agent_guid and doc["skipped"] == []
    assert "wiro-voice doctor: reading the agent" in captured.err  # the progress line, on stderr only
    for secret in secrets_of(sim):
        assert secret not in captured.out and secret not in captured.err


def test_text_groups_by_severity_with_fixes(env, sim, capsys):
    assert main(argv(sim)) == 1
    captured = capsys.readouterr()
    text = captured.out
    assert text.index("Errors (") < text.index("Warnings (") < text.index("Notes (")
    assert "Fix: " in text and "Found " in text
    # no Twilio credentials in the environment: the routing checks are skipped, and say what to set
    assert "Twilio routing: not checked" in text and "TWILIO_ACCOUNT_SID/TWILIO_AUTH_TOKEN" in text
    for secret in secrets_of(sim):
        assert secret not in captured.out and secret not in captured.err


def test_a_healthy_agent_exits_0(env, sim, capsys):
    make_healthy(sim)
    env.setenv("TWILIO_AUTH_TOKEN", sim.twilio_auth_token)
    assert main(argv(sim, "--json")) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["healthy"] is True
    assert all(f["severity"] == "info" for f in doc["findings"])


def test_demo_uses_the_simulators_twilio_account(env, capsys):
    env.delenv("WIRO_API_KEY")
    assert main(["doctor", "--demo", "--json"]) == 1
    doc = json.loads(capsys.readouterr().out)
    assert not any(f["id"] == "skipped.twilio_routing" for f in doc["findings"])
    assert any(f["id"].startswith("number.sip_trunk:") for f in doc["findings"])


def test_an_unknown_agent_means_the_doctor_could_not_run(env, sim, capsys):
    code = main(argv(sim, "--json", agent="00000000-0000-4000-8000-000000000000"))
    assert code == 2
    captured = capsys.readouterr()
    assert "does not know the agent" in json.loads(captured.out)["error"]
    assert "could not run" in captured.err


def test_no_agent_chosen_is_exit_2_with_what_to_do(env, sim, capsys):
    assert main(["doctor", "--api-base", sim.wiro_base]) == 2
    assert "--agent" in capsys.readouterr().err



def test_the_text_report_fits_an_80_column_terminal(env, sim, capsys):
    env.setenv("COLUMNS", "80")
    assert main(argv(sim)) == 1
    out = capsys.readouterr().out
    assert out.startswith("Doctor: ") and "Not checked: Twilio routing" in out
    assert max(len(line) for line in out.splitlines()) <= 80  # wrapped, header and skipped line too
