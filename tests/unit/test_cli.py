"""The command line: exit codes, messages instead of tracebacks, JSON on stdout, `sim` answering curl."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys

import httpx
import pytest

from tui.cli import main


@pytest.fixture
def env(clean_env):
    return clean_env


def test_wrong_api_key_exits_2_with_the_servers_reason(env, sim, capsys):
    env.setenv("WIRO_API_KEY", "wrong-key-0123456789abcdef")
    code = main(["agents", "--api-base", sim.wiro_base])
    err = capsys.readouterr().err
    assert code == 2
    assert "not founded" in err and "0123456789abcdef" not in err and "Traceback" not in err


def test_agents_json_against_the_simulator(env, sim, capsys):
    env.setenv("WIRO_API_KEY", sim.api_key)
    assert main(["agents", "--json", "--api-base", sim.wiro_base]) == 0
    out = capsys.readouterr().out
    doc = json.loads(out)
    guids = {a["guid"]: a for a in doc["agents"]}
    assert guids[sim.demo_agent_guid]["statusLabel"] == "Running"
    assert sim.api_key not in out


def test_start_refused_exits_1_in_plain_words(env, sim, capsys):
    env.setenv("WIRO_API_KEY", sim.api_key)
    assert main(["start", "--api-base", sim.wiro_base, "--agent", sim.demo_agent_guid]) == 1
    assert "already running, so there is nothing to start" in capsys.readouterr().err
    assert main(["stop", "--json", "--api-base", sim.wiro_base, "--agent", sim.demo_agent_guid]) == 0
    assert json.loads(capsys.readouterr().out) == {"ok": True, "action": "stop", "guid": sim.demo_agent_guid}


def test_status_demo_flag_before_or_after_the_subcommand(env, capsys):
    assert main(["--demo", "status", "--json"]) == 0
    first = json.loads(capsys.readouterr().out)
    assert main(["status", "--demo", "--json"]) == 0
    second = json.loads(capsys.readouterr().out)
    assert first["statusLabel"] == second["statusLabel"] == "Running"
    assert first["credential"]["authtoken"] == "***encrypted***"


def test_no_key_and_no_demo_says_what_to_do(env, capsys):
    assert main(["agents"]) == 2
    assert "WIRO_API_KEY" in capsys.readouterr().err


@pytest.mark.parametrize(
    "text, expected",
    [('api_kye = "x"\n', 'Did you mean "api_key"?'), ("agent = 3\n", "must be a str"), ("[[oops\n", "not valid TOML")],
)
def test_bad_config_file_is_a_message_not_a_traceback(env, tmp_path, capsys, text, expected):
    path = tmp_path / "bad.toml"
    path.write_text(text)
    assert main(["agents", "--config", str(path)]) == 2
    err = capsys.readouterr().err
    assert expected in err and str(path) in err and "Traceback" not in err


def test_unreachable_api_exits_2(env, capsys, retry_waits):
    env.setenv("WIRO_API_KEY", "k" * 24)
    assert main(["agents", "--api-base", "http://127.0.0.1:9/v1"]) == 2
    assert "Could not reach" in capsys.readouterr().err
    assert len(retry_waits) == 3 and retry_waits == sorted(retry_waits)  # a read is retried, backing off, then given up


def test_sim_command_prints_its_urls_and_answers_like_the_docs(tmp_path):
    proc = subprocess.Popen(
        [sys.executable, "-m", "tui", "sim", "--seed", "7"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        lines = []
        for line in proc.stdout:
            lines.append(line)
            if line.startswith("Press Ctrl-C"):
                break
        text = "".join(lines)
        base = re.search(r"Wiro API base\s+(\S+)", text).group(1)
        key = re.search(r"Wiro API key \(key-only project\)\s+(\S+)", text).group(1)
        ok = httpx.post(f"{base}/UserAgent/MyAgents", json={}, headers={"x-api-key": key}).json()
        assert ok["result"] is True and ok["errors"] == [] and ok["useragents"]
        denied = httpx.post(f"{base}/UserAgent/MyAgents", json={})
        assert denied.status_code == 401 and denied.json()["result"] is False
        unknown = httpx.post(f"{base}/Nope", json={}, headers={"x-api-key": key})
        assert unknown.status_code == 404 and unknown.json()["errors"][0]["message"] == "Error parsing url."
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=10)
        finally:
            if proc.poll() is None:  # Ctrl-C did not stop it: fail without leaving a server behind
                proc.kill()
                proc.wait()
    assert proc.returncode == 0


def test_wrong_api_base_is_a_configuration_error_exit_2(env, sim, capsys):
    env.setenv("WIRO_API_KEY", sim.api_key)
    assert main(["agents", "--api-base", sim.base_url + "/v2"]) == 2
    assert "Check the API base URL" in capsys.readouterr().err


@pytest.mark.parametrize("argv", [["sim", "--port", "99999"], ["agents", "--demo", "--speed", "-1"]])
def test_out_of_range_options_are_usage_errors(env, argv, capsys):
    with pytest.raises(SystemExit) as info:
        main(argv)
    assert info.value.code == 2 and "Traceback" not in capsys.readouterr().err


def test_demo_runs_despite_a_broken_config_and_says_so(env, tmp_path, capsys):
    path = tmp_path / "bad.toml"
    path.write_text("api_kye = 1\n")
    assert main(["agents", "--demo", "--config", str(path), "--json"]) == 0
    captured = capsys.readouterr()
    assert json.loads(captured.out)["agents"] and "ignored for the demo" in captured.err


def test_missing_config_file_is_mentioned(env, tmp_path, capsys):
    assert main(["agents", "--config", str(tmp_path / "nope.toml")]) == 2
    assert "there is no config file at" in capsys.readouterr().err


def test_server_text_cannot_inject_terminal_escapes(env, sim, capsys):
    with sim.world.lock:
        sim.world.agents[sim.demo_agent_guid].title = "Evil\x1b]0;pwned\x07 title"
    env.setenv("WIRO_API_KEY", sim.api_key)
    assert main(["agents", "--api-base", sim.wiro_base]) == 0
    out = capsys.readouterr().out
    assert "\x1b" not in out and "\x07" not in out and "Evil" in out


def test_client_and_simulator_agree_on_the_signature():
    from tui.sim import sign as sim_sign
    from tui.wiro.auth import sign as client_sign

    assert client_sign("key-1", "secret-2", "12345") == sim_sign("key-1", "secret-2", "12345")


def test_calls_and_session_commands_through_main(env, sim, capsys):
    env.setenv("WIRO_API_KEY", sim.api_key)
    base = ["--api-base", sim.wiro_base, "--agent", sim.demo_agent_guid]
    assert main(["calls", "--json", "--limit", "500", *base]) == 0
    captured = capsys.readouterr()
    sessions = json.loads(captured.out)["sessions"]
    assert 0 < len(sessions) <= 200 and "200" in captured.err
    assert all("statusLabel" in s and "endReasonLabel" in s for s in sessions)
    rejected = next(s for s in sessions if s["status"] == "realtime_session_rejected")
    assert main(["session", rejected["messageguid"], *base]) == 0
    assert "rejected because" in capsys.readouterr().out
    assert main(["session", "00000000-0000-4000-8000-000000000000", *base]) == 2
