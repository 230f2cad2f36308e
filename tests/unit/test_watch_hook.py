"""The --on-alert hook for real: a shell script that writes what it receives. Stopping the demo agent through
the simulator gives one alert, one reminder after the repeat interval and one resolved after Start; a hook that
fails or hangs is reported and never stops the watcher; the hook never sees a secret."""

from __future__ import annotations

import io
import json
import os
import stat
import time

from tui.watch.alerts import Alert, AlertEvent
from tui.watch.deliver import AlertDelivery, alert_environment
from tui.watch.settings import AlertSettings

from .watch_helpers import make_client, make_watcher

ONLY_RUNNING = AlertSettings(repeat=600, agent_not_running=True, number_not_routed=False, rejections=0,
                             unreachable_polls=0, credits_below=0)


def recorder(tmp_path):
    """A hook script appending one JSON line per run: its stdin and its WIRO_VOICE_* environment."""
    out = tmp_path / "received.jsonl"
    script = tmp_path / "hook.sh"
    script.write_text(
        "#!/bin/sh\n"
        f'OUT="{out}"\n'
        'python3 -c \'import json, os, sys; print(json.dumps({"stdin": sys.stdin.read(), "env": {k: v for k, v in '
        'os.environ.items() if k.startswith(("WIRO", "TWILIO"))}}))\' >> "$OUT"\n')
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    return str(script), out


def received(path):
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


async def test_stop_then_start_gives_one_alert_one_reminder_one_resolved(sim, clock, tmp_path):
    command, out = recorder(tmp_path)
    stderr = io.StringIO()
    client = make_client(sim, clock)
    delivery = AlertDelivery(command, timeout=20, stderr=stderr)
    watcher = make_watcher(sim, clock, client, alerts=ONLY_RUNNING, delivery=delivery, twilio=False, interval=30)
    guid = sim.demo_agent_guid
    await watcher.poll(stagger=False)  # Running: remembered
    await client.stop(guid)
    clock.advance(5)  # Stopping takes 3 s
    first = await watcher.poll(stagger=False)
    assert [(e.kind, e.alert.key) for e in first.events] == [("firing", f"agent.not_running:{guid}")]
    for _ in range(19):  # 19 × 30 s = 570 s: still within the repeat interval
        clock.advance(30)
        assert (await watcher.poll(stagger=False)).events == ()
    clock.advance(30)  # 600 s after the alert
    assert [e.kind for e in (await watcher.poll(stagger=False)).events] == ["repeat"]
    clock.advance(30)
    assert (await watcher.poll(stagger=False)).events == ()
    await client.start(guid)
    clock.advance(10)  # Queued 2 s, Starting 4 s, then Running
    assert [e.kind for e in (await watcher.poll(stagger=False)).events] == ["resolved"]
    clock.advance(30)
    assert (await watcher.poll(stagger=False)).events == ()
    await delivery.aclose(wait=30)

    runs = received(out)
    assert [json.loads(r["stdin"])["state"] for r in runs] == ["firing", "repeat", "resolved"]
    for run in runs:
        doc = json.loads(run["stdin"])
        env = run["env"]
        assert doc["id"] == env["WIRO_VOICE_ALERT_ID"] == f"agent.not_running:{guid}"
        assert doc["state"] == env["WIRO_VOICE_ALERT_STATE"]
        assert env["WIRO_VOICE_ALERT_SEVERITY"] == "critical"
        assert env["WIRO_VOICE_ALERT_AGENT"] == guid
        assert env["WIRO_VOICE_ALERT_AGENT_TITLE"] == doc["agent_title"] == "Front Desk — Bosphorus Dental"
        assert "stopped" in env["WIRO_VOICE_ALERT_TITLE"] and env["WIRO_VOICE_ALERT_FIX"]
    assert [json.loads(r["stdin"])["count"] for r in runs] == [1, 2, 2]
    since = {json.loads(r["stdin"])["since"] for r in runs}
    assert len(since) == 1  # the same alert throughout
    lines = stderr.getvalue().splitlines()
    assert [line.split()[0] for line in lines] == ["ALERT", "ALERT", "RESOLVED"]
    assert delivery.delivered == 3 and delivery.failed == 0
    await client.aclose()


def event(kind="firing"):
    alert = Alert("credits.low:g1", "credits_low", "warning", "Front desk: 3 credits left", "detail", "fix",
                  agent="g1", agent_title="Front desk")
    return AlertEvent(kind, alert, 1000.0, 990.0, 1)


async def test_a_failing_hook_is_reported_and_the_next_event_still_delivered(tmp_path):
    marker = tmp_path / "ran"
    stderr = io.StringIO()
    delivery = AlertDelivery(f'cat >/dev/null; echo run >> "{marker}"; echo "no route to pager" >&2; exit 3',
                             timeout=10, stderr=stderr)
    delivery.start()
    delivery.submit([event(), event("resolved")])
    await delivery.aclose(wait=30)
    assert marker.read_text().splitlines() == ["run", "run"]
    assert delivery.failed == 2
    text = stderr.getvalue()
    assert "failed (exit status 3): no route to pager" in text and "the watcher goes on" in text


async def test_a_hanging_hook_is_stopped_after_the_timeout(tmp_path):
    stderr = io.StringIO()
    pidfile = tmp_path / "pid"
    delivery = AlertDelivery(f'echo $$ > "{pidfile}"; sleep 30 & wait', timeout=0.5, stderr=stderr)
    started = time.monotonic()
    outcome = await delivery.run(event())
    assert time.monotonic() - started < 10
    assert not outcome.ok and "still running after 0.5 s and was stopped" in outcome.problem
    pid = int(pidfile.read_text())
    try:
        os.kill(pid, 0)
        alive = True
    except ProcessLookupError:
        alive = False
    assert not alive  # the shell was killed with its group, not left behind


async def test_the_hook_never_sees_the_secrets(tmp_path):
    dump = tmp_path / "env"
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "WIRO_API_KEY": "wk_live_SECRETKEY1234",
           "WIRO_API_SECRET": "SECRETSECRET5678", "TWILIO_AUTH_TOKEN": "0123456789abcdef0123456789abcdef",
           "HOME": str(tmp_path)}
    delivery = AlertDelivery(f'env > "{dump}"', stderr=io.StringIO(), env=env)
    assert (await delivery.run(event())).ok
    text = dump.read_text()
    for secret in ("SECRETKEY1234", "SECRETSECRET5678", "0123456789abcdef0123456789abcdef"):
        assert secret not in text
    assert "WIRO_VOICE_ALERT_TITLE=Front desk: 3 credits left" in text and f"HOME={tmp_path}" in text


async def test_a_missing_command_is_reported_not_raised():
    stderr = io.StringIO()
    delivery = AlertDelivery("/nonexistent/hook-script", stderr=stderr)
    outcome = await delivery.run(event())
    assert not outcome.ok and "exit status 127" in outcome.problem


def test_environment_names():
    env = alert_environment(event())
    assert env["WIRO_VOICE_ALERT_SINCE"] == "990" and env["WIRO_VOICE_ALERT_COUNT"] == "1"
    assert env["WIRO_VOICE_ALERT_RULE"] == "credits_low"
    assert set(env) == {f"WIRO_VOICE_ALERT_{n}" for n in ("STATE", "ID", "RULE", "SEVERITY", "TITLE", "DETAIL",
                                                           "FIX", "AGENT", "AGENT_TITLE", "SINCE", "AT", "COUNT")}
