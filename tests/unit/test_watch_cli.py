"""`wiro-voice watch`: the command as a function (client, settings, streams, sleep) against the simulator, its
options, the `[alerts]` table in the config file, and the real program serving metrics until SIGTERM."""

from __future__ import annotations

import asyncio
import io
import json
import os
import re
import signal
import subprocess
import sys
import time

import httpx
import pytest

from tui.cli import main
from tui.cli.common import CliError
from tui.cli.watch import run_watch
from tui.config import ConfigError, Settings, load_settings
from tui.watch.settings import AlertSettings

from .watch_helpers import fake_sleep, make_client


def settings_for(sim, tmp_path) -> Settings:
    return Settings(api_base=sim.wiro_base, twilio_base=sim.twilio_base, config_path=tmp_path / "config.toml")


async def test_once_against_the_simulator_exit_codes_and_json(sim, clock, tmp_path):
    client = make_client(sim, clock)
    settings = settings_for(sim, tmp_path)
    out, err = io.StringIO(), io.StringIO()
    code = await run_watch(client, settings, once=True, as_json=True, out=out, err=err, now=sim.now,
                           sleep=fake_sleep(clock))
    assert code == 1  # the Pilot Line has no credits left
    doc = json.loads(out.getvalue())
    assert [a["id"] for a in doc["alerts"]] == [f"credits.low:{sim.nocredit_agent_guid}"]
    assert {a["guid"] for a in doc["agents"]} >= {sim.demo_agent_guid, sim.nocredit_agent_guid}
    assert doc["apis"] == {"wiro": True} and doc["listed"] is True
    assert "4 agents polled; 1 alert" in err.getvalue()
    assert (tmp_path / "watch-state.json").exists()  # the counting state, beside the config file

    out, err = io.StringIO(), io.StringIO()
    code = await run_watch(client, settings, agents=[sim.demo_agent_guid], once=True, out=out, err=err,
                           now=sim.now, sleep=fake_sleep(clock))
    assert code == 0 and "1 agent polled; healthy" in err.getvalue() and out.getvalue() == ""
    code = await run_watch(client, settings, agents=["not-an-agent"], once=True, out=out, err=err, now=sim.now)
    assert code == 2 and "--agent not-an-agent is not among this key's agents" in err.getvalue()
    await client.aclose()


async def test_runs_until_stopped_serving_metrics_with_the_hook_from_the_settings(sim, clock, tmp_path):
    client = make_client(sim, clock)
    marker = tmp_path / "hook.jsonl"
    alerts = AlertSettings(on_alert=f'cat >> "{marker}"; echo >> "{marker}"', repeat=0)
    out, err = io.StringIO(), io.StringIO()
    polled = []
    code = await run_watch(client, settings_for(sim, tmp_path), alerts=alerts, listen=("127.0.0.1", 0),
                           interval=5, out=out, err=err, now=sim.now, sleep=fake_sleep(clock), polls=3,
                           on_poll=polled.append)
    assert code == 0 and len(polled) == 3
    text = err.getvalue()
    assert re.search(r"metrics on http://127\.0\.0\.1:\d+/metrics", text)
    assert "watching every agent every 5 s" in text and "hook: cat" in text and "stopped after 3 polls" in text
    assert "warning" not in text
    sent = [json.loads(line) for line in marker.read_text().splitlines() if line.strip()]
    assert [(s["state"], s["rule"]) for s in sent] == [("firing", "credits_low")]  # no reminders (repeat 0)
    await client.aclose()


async def test_a_second_watch_on_the_same_config_is_refused(sim, clock, tmp_path):
    from tui.watch.state import open_state, state_path

    settings = settings_for(sim, tmp_path)
    holder = open_state(state_path(settings.config_path))
    client = make_client(sim, clock)
    try:
        with pytest.raises(CliError, match="Another `wiro-voice watch` is using"):
            await run_watch(client, settings, once=True, out=io.StringIO(), err=io.StringIO(), now=sim.now)
    finally:
        holder.close()
        await client.aclose()


async def test_metrics_beyond_loopback_are_warned_about_and_a_taken_port_is_an_error(sim, clock, tmp_path):
    client = make_client(sim, clock)
    err = io.StringIO()
    await run_watch(client, settings_for(sim, tmp_path), listen=("0.0.0.0", 0), out=io.StringIO(), err=err,
                    now=sim.now, sleep=fake_sleep(clock), polls=1)
    assert "warning: The metrics endpoint listens on 0.0.0.0" in err.getvalue()
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(CliError, match=f"cannot listen on 127.0.0.1:{port}"):
            await run_watch(client, settings_for(sim, tmp_path), listen=("127.0.0.1", port), out=io.StringIO(),
                            err=io.StringIO(), now=sim.now, polls=1)
    await client.aclose()


def test_option_errors(sim_env, capsys):
    assert main(["watch", "--json"]) == 2
    assert "--json goes with --once" in capsys.readouterr().err
    assert main(["watch", "--metrics", "here:there", "--once"]) == 2
    assert "write HOST:PORT" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["watch", "--interval", "0.1"])
    assert "at least 1 s" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["watch", "--repeat", "soon"])
    assert "not a duration" in capsys.readouterr().err


def test_the_alerts_table_in_the_config_file(tmp_path):
    path = tmp_path / "config.toml"
    path.write_text('[alerts]\nrepeat = "30m"\nrejections = 2\n')
    settings = load_settings({}, config_path=path)
    assert settings.alerts == AlertSettings(repeat=1800, rejections=2)
    path.write_text('[alerts]\nrejection = 2\n')
    with pytest.raises(ConfigError, match=r'config.toml: \[alerts\] has an unknown key "rejection". Did you mean '
                                          r'"rejections"'):
        load_settings({}, config_path=path)
    path.write_text('[alerts]\ncredits_below = "fifty"\n')
    with pytest.raises(ConfigError, match='"credits_below" must be a whole number'):
        load_settings({}, config_path=path)
    path.write_text('alerts = "on"\n')
    with pytest.raises(ConfigError, match=r"write \[alerts\] on its own line"):
        load_settings({}, config_path=path)
    path.write_text('theme = "wiro-light"\n')
    assert load_settings({}, config_path=path).alerts is None


def test_the_command_line_flags_override_the_table(sim_env, tmp_path, capsys):
    (tmp_path / "config.toml").write_text('[alerts]\non_alert = "false"\nrepeat = "1h"\ncredits_below = 0\n')
    assert main(["watch", "--once", "--demo", "--on-alert", "", "--repeat", "5m"]) == 0
    err = capsys.readouterr().err
    assert "alert hook" not in err and "polled; healthy" in err


def test_the_program_serves_metrics_until_sigterm(sim, tmp_path):
    """The installed entry point, against the test's simulator, stopped as systemd stops it."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("WIRO_", "TWILIO_"))}
    env.update(WIRO_API_KEY=sim.api_key, WIRO_VOICE_CONFIG=str(tmp_path / "config.toml"))
    proc = subprocess.Popen([sys.executable, "-m", "tui", "watch", "--api-base", sim.wiro_base, "--metrics",
                             "127.0.0.1:0", "--interval", "1"], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    try:
        line = proc.stderr.readline()
        found = re.search(r"metrics on (http://127\.0\.0\.1:\d+/metrics)", line)
        assert found, line
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            body = httpx.get(found.group(1), timeout=5).text
            if 'wiro_voice_api_up{api="wiro"} 1.0' in body:
                break
            time.sleep(0.2)
        assert f'wiro_voice_agent_status{{agent="{sim.demo_agent_guid}"' in body
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=15) == 0
        rest = proc.stderr.read()
        assert "stopped after" in rest and "Traceback" not in rest
        assert sim.api_key not in line + rest
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
