"""A real Prometheus server (Debian's `prometheus`) scrapes `wiro-voice watch --metrics` every second; its HTTP API
must report the simulator's world: calls on the line, calls counted, statuses, credits, Wiro up.

The simulator's clock is frozen (speed 0) so the world cannot move between Prometheus's scrape and the
comparison. Skipped, with the reason, when the prometheus binary is not installed (.ci/run installs it).
"""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tui.sim import Simulator
from tui.watch.metrics import ListenError, WatchMetrics, listen_warning, parse_listen
from tui.wiro import WiroClient

from .watch_helpers import world_view

PROMETHEUS = shutil.which("prometheus") or ("/usr/bin/prometheus" if Path("/usr/bin/prometheus").exists() else None)
START_EPOCH = 1_777_000_000.0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_listen_address_forms_and_the_no_auth_warning():
    assert parse_listen("127.0.0.1:9464") == ("127.0.0.1", 9464)
    assert parse_listen("9464") == ("127.0.0.1", 9464)
    assert parse_listen(":0") == ("127.0.0.1", 0)
    assert parse_listen("[::1]:9000") == ("::1", 9000)
    assert parse_listen("0.0.0.0:9464") == ("0.0.0.0", 9464)
    for bad in ("", "host:", "host:port", "::1:9464", "1.2.3.4:70000", "[::1]9464"):
        with pytest.raises(ListenError):
            parse_listen(bad)
    assert listen_warning("127.0.0.1") is None and listen_warning("::1") is None
    assert listen_warning("localhost") is None
    warning = listen_warning("0.0.0.0")
    assert warning and "no authentication" in warning


def test_the_endpoint_serves_the_registry_over_http():
    metrics = WatchMetrics()
    host, port = metrics.serve("127.0.0.1", 0)
    try:
        answer = httpx.get(f"http://{host}:{port}/metrics", timeout=5)
        assert answer.status_code == 200
        assert "# TYPE wiro_voice_calls_total counter" in answer.text
        assert "python_gc_objects_collected_total" not in answer.text  # our registry, not the global one
    finally:
        metrics.close()


@pytest.fixture
def prometheus_binary():
    if PROMETHEUS is None:
        pytest.skip("Debian's `prometheus` package is not installed (apt-get install prometheus; .ci/run does): "
                    "the real-scrape test needs /usr/bin/prometheus")
    return PROMETHEUS


async def query(http: httpx.AsyncClient, base: str, promql: str) -> list[dict]:
    answer = await http.get(f"{base}/api/v1/query", params={"query": promql})
    answer.raise_for_status()
    body = answer.json()
    assert body["status"] == "success", body
    return body["data"]["result"]


async def wait_for(http, base, promql, *, seconds=60.0) -> list[dict]:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            found = await query(http, base, promql)
        except httpx.HTTPError:
            found = []
        if found:
            return found
        await asyncio.sleep(0.5)
    raise AssertionError(f"Prometheus never had {promql!r}")


def start_watch(sim, tmp_path) -> tuple[subprocess.Popen, int]:
    """`wiro-voice watch --metrics 127.0.0.1:0` for real (the installed entry point) against the simulator."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("WIRO_", "TWILIO_"))}
    env.update(WIRO_API_KEY=sim.api_key, WIRO_VOICE_CONFIG=str(tmp_path / "config.toml"))
    proc = subprocess.Popen([sys.executable, "-m", "tui", "watch", "--api-base", sim.wiro_base,
                             "--twilio-base", sim.twilio_base, "--metrics", "127.0.0.1:0", "--interval", "1"],
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    line = proc.stderr.readline()
    found = re.search(r"metrics on http://127\.0\.0\.1:(\d+)/metrics", line)
    if not found:
        proc.kill()
        raise AssertionError(f"watch did not say where it listens: {line!r}")
    return proc, int(found.group(1))


def stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


@pytest.mark.long
async def test_a_real_prometheus_scrapes_the_watcher(prometheus_binary, tmp_path):
    with Simulator(seed=7, speed=0, start_epoch=START_EPOCH) as sim:
        watch, port = start_watch(sim, tmp_path)
        web = free_port()
        config = tmp_path / "prometheus.yml"
        config.write_text(
            "global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\n"
            "scrape_configs:\n  - job_name: wiro-voice\n    static_configs:\n"
            f"      - targets: ['127.0.0.1:{port}']\n")
        proc = subprocess.Popen(
            [prometheus_binary, f"--config.file={config}", f"--storage.tsdb.path={tmp_path / 'tsdb'}",
             f"--web.listen-address=127.0.0.1:{web}", "--log.level=warn"],
            stdout=subprocess.DEVNULL, stderr=(tmp_path / "prometheus.log").open("wb"))
        base = f"http://127.0.0.1:{web}"
        try:
            async with httpx.AsyncClient(timeout=5) as http, \
                    WiroClient(sim.api_key, None, sim.wiro_base) as client:
                up = await wait_for(http, base, 'up{job="wiro-voice"} == 1')
                assert up[0]["metric"]["instance"] == f"127.0.0.1:{port}"
                await wait_for(http, base, 'wiro_voice_api_up{api="wiro"} == 1')
                guids = [a.guid for a in await client.my_agents()]
                worlds = {g: world_view(sim, g) for g in guids}
                active = await wait_for(http, base, "wiro_voice_calls_active")
                got = {r["metric"]["agent"]: float(r["value"][1]) for r in active}
                assert got == {g: float(w.active) for g, w in worlds.items()}
                assert got[sim.demo_agent_guid] > 0
                total = await query(http, base, "sum(wiro_voice_calls_total)")
                assert float(total[0]["value"][1]) == sum(sum(w.finished.values()) for w in worlds.values())
                status = await query(http, base, "wiro_voice_agent_status")
                assert {r["metric"]["agent"]: float(r["value"][1]) for r in status} == {
                    g: float(w.status) for g, w in worlds.items()}
                info = await query(http, base, 'wiro_voice_agent_status_info{status="Setup required"}')
                assert [r["metric"]["agent"] for r in info] == [sim.setup_agent_guid]
                buckets = await query(http, base, 'wiro_voice_call_duration_seconds_bucket{le="+Inf"}')
                assert float(buckets[0]["value"][1]) == len(worlds[sim.demo_agent_guid].ended_durations)
                credits = await query(http, base, "wiro_voice_remaining_credits == 0")
                assert [r["metric"]["agent"] for r in credits] == [sim.nocredit_agent_guid]
                # an alert rule of the README, evaluated by Prometheus itself
                firing = await query(http, base, 'sum by (rule) (wiro_voice_alerts_firing) > 0')
                assert {r["metric"]["rule"] for r in firing} == {"credits_low"}
        finally:
            stop(proc)
            stop(watch)
        rest = watch.stderr.read()
        assert "Traceback" not in rest and sim.api_key not in rest


def test_the_readme_alert_rules_are_valid_promql(tmp_path):
    """The two PromQL rules the README gives, checked by Prometheus's own promtool."""
    promtool = shutil.which("promtool") or ("/usr/bin/promtool" if Path("/usr/bin/promtool").exists() else None)
    if promtool is None:
        pytest.skip("promtool (Debian's `prometheus` package) is not installed: the README's rules are not checked")
    readme = (Path(__file__).parents[2] / "README.md").read_text()
    block = re.search(r"```yaml\n(.*?)```", readme, re.S)
    assert block, "the README has no yaml block"
    rules = block.group(1).split("# rules file", 1)[1].split("\n", 1)[1]
    (tmp_path / "rules.yml").write_text(rules)
    checked = subprocess.run([promtool, "check", "rules", str(tmp_path / "rules.yml")], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "SUCCESS: 2 rules found" in checked.stdout
