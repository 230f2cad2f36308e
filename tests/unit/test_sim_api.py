"""Simulator: the public API surface, the standalone server, no Textual."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

import tui.sim as sim_pkg
from tui.cli import build_parser, main, parse_args
from tui.sim import (DEFAULT_VOICE_URL, DEMO_API_KEY, DEMO_REVOKED_API_KEY, DEMO_SIG_API_KEY, DEMO_SIG_API_SECRET,
                     DEMO_TEAM_API_KEY, Simulator, wiro_status_url, wiro_voice_url)
from tui.sim.testing import FakeClock

ROOT = Path(__file__).resolve().parents[2]


def test_public_names_and_properties():
    for name in ("Simulator", "DEMO_API_KEY", "DEMO_SIG_API_KEY", "DEMO_SIG_API_SECRET", "DEMO_TEAM_API_KEY",
                 "DEMO_REVOKED_API_KEY", "API_SHAPES", "serve_forever", "wiro_voice_url", "wiro_status_url"):
        assert hasattr(sim_pkg, name)
    assert sim_pkg.API_SHAPES == ("newest", "older")
    assert len({DEMO_API_KEY, DEMO_SIG_API_KEY, DEMO_SIG_API_SECRET, DEMO_TEAM_API_KEY, DEMO_REVOKED_API_KEY}) == 5
    assert wiro_voice_url("g-1") == DEFAULT_VOICE_URL == "https://api.wiro.ai/v1/AgentRealtime/Twilio"
    assert wiro_voice_url("g-1", "https://h.wiro.ai/{guid}/v") == "https://h.wiro.ai/g-1/v"
    assert wiro_status_url("g-1", "https://h.wiro.ai/{guid}/v/") == "https://h.wiro.ai/g-1/v/StatusCallback"
    with pytest.raises(ValueError, match="newest or older"):
        Simulator(api_shape="latest")
    clock = FakeClock()
    with Simulator(seed=3, clock=clock, start_epoch=1_700_000_000.0, speed=2.0) as sim:
        assert sim.base_url.startswith("http://127.0.0.1:")
        assert sim.wiro_base == sim.base_url + "/v1" and sim.twilio_base == sim.base_url + "/twilio"
        assert sim.api_key == DEMO_API_KEY and sim.api_shape == "newest"
        assert sim.team_api_key == DEMO_TEAM_API_KEY and sim.revoked_api_key == DEMO_REVOKED_API_KEY
        guids = {sim.demo_agent_guid, sim.stopped_agent_guid, sim.setup_agent_guid, sim.nocredit_agent_guid,
                 sim.team_agent_guid, sim.deleted_agent_guid, sim.foreign_agent_guid}
        assert len(guids) == 7
        assert sim.setup_account_sid.startswith("AC") and len(sim.setup_auth_token) == 32
        assert httpx.get(sim.base_url + "/").json()["api_shape"] == "newest"
        assert sim.twilio_account_sid.startswith("AC") and len(sim.twilio_account_sid) == 34
        assert sim.now() == 1_700_000_000.0
        clock.advance(1.5)
        assert sim.now() == 1_700_000_003.0
        with sim.world.lock:
            assert sim.world.agents[sim.demo_agent_guid].status == 4
    sim.stop()  # stopping twice is harmless


def test_the_server_sleeps_while_idle_and_stops_at_once(clock):
    with Simulator(seed=3, clock=clock) as sim:
        rounds = []
        sim._server.service_actions = lambda: rounds.append(1)  # once per turn of the serving loop
        time.sleep(0.3)
        assert rounds == []  # no turn without a request (a 20 ms poll would have made ~15)
        assert httpx.get(sim.base_url + "/", timeout=5).status_code == 200
        # a request wakes it: the loop's turn ends after it hands the connection to a thread, which may answer first
        deadline = time.monotonic() + 5
        while not rounds and time.monotonic() < deadline:
            time.sleep(0.005)
        assert rounds
        thread, base = sim._thread, sim.base_url
    assert thread is not None and not thread.is_alive()
    with pytest.raises(httpx.ConnectError):
        httpx.get(base + "/", timeout=2)


def test_sim_package_does_not_import_textual():
    code = "import sys, tui.sim, tui.sim.testing; print('textual' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def run_until_ready(args):
    """Start ``args`` in a subprocess, read its output up to the Ctrl-C line, ask the running sim for ``/``,
    then stop it with Ctrl-C; returns (printed text, the root JSON)."""
    proc = subprocess.Popen(args, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, "PYTHONUNBUFFERED": "1"})
    lines = []
    try:
        for line in proc.stdout:
            lines.append(line)
            if "Ctrl-C" in line:
                break
        base = next(line.split()[-1] for line in lines if "Wiro API base" in line)
        root = httpx.get(base.removesuffix("/v1") + "/", timeout=5).json()
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=10) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
    return "".join(lines), root


def test_serve_forever_prints_how_to_connect_and_stops_on_ctrl_c():
    text, root = run_until_ready([sys.executable, "-c", "from tui.sim import serve_forever; serve_forever(0, 7, 1.0, None)"])
    for expected in ("/v1", "/twilio", DEMO_API_KEY, DEMO_SIG_API_KEY, DEMO_SIG_API_SECRET, DEMO_TEAM_API_KEY,
                     DEMO_REVOKED_API_KEY, "demo agent guid", "setup-required agent guid", "out-of-credits agent guid",
                     "team agent guid", "deleted agent guid (95)", "someone else's agent guid (96)",
                     "demo Twilio Account SID", "demo Twilio auth token (simulated)",
                     "setup agent's Twilio auth token (simulated)", DEFAULT_VOICE_URL, "API shape newest",
                     "/Calls.json"):
        assert expected in text
    assert root["api_shape"] == "newest" and root["voice_url"] == DEFAULT_VOICE_URL


def test_the_sim_command_takes_the_api_shape_and_the_voice_url():
    url = "https://hooks.wiro.ai/twilio/{guid}"
    text, root = run_until_ready([sys.executable, "-m", "tui", "sim", "--api-shape", "older", "--voice-url", url,
                                  "--seed", "3"])
    assert "seed 3" in text and "API shape older" in text and url in text
    assert root == {**root, "api_shape": "older", "voice_url": url}


def test_bad_sim_options_are_refused(capsys):
    assert main(["sim", "--voice-url", "hooks.wiro.ai/x"]) == 2
    assert "voice URL must start with https://" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exit_info:
        build_parser().parse_args(["sim", "--api-shape", "latest"])
    assert exit_info.value.code == 2


@pytest.mark.parametrize("argv, shape", [
    (["--demo"], "newest"),
    (["--demo", "--api-shape", "older"], "older"),
    (["status", "--demo", "--api-shape", "older"], "older"),
    (["--api-shape", "older", "calls", "--demo"], "older"),
    (["logs", "--demo"], "newest"),
    (["sim", "--api-shape", "older"], "older"),
])
def test_the_api_shape_option_is_read_everywhere(argv, shape):
    assert parse_args(argv).api_shape == shape  # the dashboard's own hand reader for a plain start
    assert build_parser().parse_args(argv).api_shape == shape


def test_demo_subcommands_start_the_simulator_in_the_chosen_shape(monkeypatch, tmp_path):
    shapes = []

    class Recording(Simulator):
        def __init__(self, *args, **kwargs):
            shapes.append(kwargs.get("api_shape", "newest"))
            super().__init__(*args, **kwargs)

    monkeypatch.setattr(sim_pkg, "Simulator", Recording)
    monkeypatch.setenv("WIRO_VOICE_CONFIG", str(tmp_path / "config.toml"))
    for argv in (["agents", "--demo", "--api-shape", "older", "--json"], ["agents", "--demo", "--json"]):
        main(argv)
    assert shapes == ["older", "newest"]


def test_the_dashboard_and_serve_pass_the_api_shape_on(monkeypatch, tmp_path):
    import tui.ui.app as app_module
    import tui.ui.serve as serve_module

    started = []

    class Dashboard:  # stands in for the Textual app: runs the demo factory the command line built
        return_code = 0

        def __init__(self, settings, *, start_demo=None, themes=None, **_):
            self.start_demo = start_demo

        def run(self):
            sim = self.start_demo()
            started.append(sim.api_shape)
            sim.stop()

    planned = []
    monkeypatch.setattr(app_module, "WiroVoiceApp", Dashboard)
    monkeypatch.setattr(serve_module, "plan_serve", lambda tui_args, **kw: planned.append(tui_args) or
                        type("Plan", (), {"warnings": ()})())
    monkeypatch.setattr(serve_module, "run", lambda plan: None)
    monkeypatch.setenv("WIRO_VOICE_CONFIG", str(tmp_path / "config.toml"))
    assert main(["--demo", "--api-shape", "older"]) == 0
    assert main(["--demo"]) == 0
    assert started == ["older", "newest"]
    assert main(["serve", "--demo", "--api-shape", "older"]) == 0
    args = planned[0]
    assert args[args.index("--api-shape") + 1] == "older"
