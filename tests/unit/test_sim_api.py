"""Simulator: the public API surface, the standalone server, no Textual."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import tui.sim as sim_pkg
from tui.sim import DEMO_API_KEY, DEMO_SIG_API_KEY, DEMO_SIG_API_SECRET, Simulator, wiro_voice_url
from tui.sim.testing import FakeClock

ROOT = Path(__file__).resolve().parents[2]


def test_public_names_and_properties():
    for name in ("Simulator", "DEMO_API_KEY", "DEMO_SIG_API_KEY", "DEMO_SIG_API_SECRET", "serve_forever",
                 "wiro_voice_url"):
        assert hasattr(sim_pkg, name)
    assert len({DEMO_API_KEY, DEMO_SIG_API_KEY, DEMO_SIG_API_SECRET}) == 3
    assert wiro_voice_url("g-1") == "https://api.wiro.ai/v1/Twilio/Voice/g-1"
    clock = FakeClock()
    with Simulator(seed=3, clock=clock, start_epoch=1_700_000_000.0, speed=2.0) as sim:
        assert sim.base_url.startswith("http://127.0.0.1:")
        assert sim.wiro_base == sim.base_url + "/v1" and sim.twilio_base == sim.base_url + "/twilio"
        assert sim.api_key == DEMO_API_KEY
        assert len({sim.demo_agent_guid, sim.stopped_agent_guid, sim.setup_agent_guid}) == 3
        assert sim.twilio_account_sid.startswith("AC") and len(sim.twilio_account_sid) == 34
        assert sim.now() == 1_700_000_000.0
        clock.advance(1.5)
        assert sim.now() == 1_700_000_003.0
        with sim.world.lock:
            assert sim.world.agents[sim.demo_agent_guid].status == 4
    sim.stop()  # stopping twice is harmless


def test_sim_package_does_not_import_textual():
    code = "import sys, tui.sim, tui.sim.testing; print('textual' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_serve_forever_prints_how_to_connect_and_stops_on_ctrl_c():
    proc = subprocess.Popen(
        [sys.executable, "-c", "from tui.sim import serve_forever; serve_forever(0, 7, 1.0, None)"],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"})
    lines = []
    try:
        for line in proc.stdout:
            lines.append(line)
            if "Ctrl-C" in line:
                break
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=10) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
    text = "".join(lines)
    for expected in ("/v1", "/twilio", DEMO_API_KEY, DEMO_SIG_API_KEY, DEMO_SIG_API_SECRET,
                     "demo agent guid", "demo Twilio Account SID", "demo Twilio auth token (simulated)"):
        assert expected in text
