"""`wiro-voice insights` and `wiro-voice history …`: called as functions with a client, streams and the
simulator's clock, and once through main() as a script would."""

from __future__ import annotations

import csv
import io
import json
import stat

import pytest

from tui.cli import main
from tui.cli.common import CliError
from tui.cli.insights import export_command, history_path_command, prune_command, run_insights
from tui.config import Settings
from tui.history import insights as I
from tui.history.keeper import History
from tui.wiro import WiroClient


@pytest.fixture
def history(tmp_path, sim):
    h = History(tmp_path / "history.sqlite3", clock=sim.now)
    yield h
    h.close()


async def insights_of(sim, history, settings, *, fmt="json", since="7d", offline=False):
    out, err = io.StringIO(), io.StringIO()
    async with WiroClient(sim.api_key, base_url=sim.wiro_base) as client:
        code = await run_insights(None if offline else client, sim.demo_agent_guid, settings, history, since=since,
                                  fmt=fmt, demo=sim, out=out, err=err, now=sim.now)
    return code, out.getvalue(), err.getvalue()


async def test_the_json_document_is_the_figures_of_the_refreshed_history(sim, history, sim_settings):
    code, out, err = await insights_of(sim, history, sim_settings)
    assert code == 0 and err == ""
    doc = json.loads(out)
    numbers = tuple(doc["numbers"])
    scope = I.Scope(I.period("7d", int(sim.now() * 1000)), agent_guid=sim.demo_agent_guid, numbers=numbers)
    expected = history.read(lambda s: I.insights(s, scope)).value.to_json()
    assert {k: doc[k] for k in expected} == expected
    assert doc["history"] == str(history.path) and doc["notes"] == []
    assert doc["missed"] > 0 and doc["reached"] > 0 and doc["cost"]["total_usd"] > 0
    assert sum(c["count"] for c in doc["missed_by_cause"]) == doc["missed"]
    assert {r["reason"] for r in doc["rejected_by_reason"]} <= {"concurrent_limit", "agent_prep_timeout",
                                                              "realtime_ws_open_failed", "realtime_stream_timeout"}


async def test_text_and_csv(sim, history, sim_settings):
    code, text, _ = await insights_of(sim, history, sim_settings, fmt="text", since="today")
    assert code == 0
    lines = text.splitlines()
    assert lines[0] == "Insights, today" and " reached the agent, " in lines[1]
    assert any(line.startswith("Missed: ") for line in lines) and lines[-1].startswith("Cost here is Twilio's price")
    code, text, _ = await insights_of(sim, history, sim_settings, fmt="csv", since="today")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == 24 and list(rows[0]) == ["bucket", "calls", "reached", "rejected", "missed"]
    _, week, _ = await insights_of(sim, history, sim_settings, fmt="csv", since="7d")
    days = list(csv.DictReader(io.StringIO(week)))
    assert len(days) == 8 and "total_usd" in days[0] and float(days[-1]["total_usd"]) > 0
    assert sum(int(r["calls"]) for r in days) == json.loads((await insights_of(sim, history, sim_settings))[1])["calls"]


async def test_offline_uses_only_what_the_history_holds(sim, history, sim_settings):
    _, empty, _ = await insights_of(sim, history, sim_settings, offline=True)
    assert json.loads(empty)["calls"] == 0
    _, online, _ = await insights_of(sim, history, sim_settings)
    _, offline, _ = await insights_of(sim, history, sim_settings, offline=True)
    online, offline = json.loads(online), json.loads(offline)
    # offline has no credential to read the numbers from: every number the history holds is in scope
    assert offline["reached"] == online["reached"] and offline["calls"] >= online["calls"]


async def test_without_a_twilio_token_missed_calls_are_not_counted_and_it_says_so(sim, history, tmp_path):
    settings = Settings(config_path=tmp_path / "config.toml")
    out, err = io.StringIO(), io.StringIO()
    async with WiroClient(sim.api_key, base_url=sim.wiro_base) as client:
        code = await run_insights(client, sim.demo_agent_guid, settings, history, since="7d", fmt="json",
                                  out=out, err=err, now=sim.now)  # not the demo: no token of its own
    doc = json.loads(out.getvalue())
    assert code == 0 and doc["missed"] == 0 and doc["reached"] > 0
    assert "TWILIO_AUTH_TOKEN" in err.getvalue() and doc["notes"] and "missed calls" in doc["notes"][0]


async def test_a_period_that_cannot_be_read_is_an_error(sim, history, sim_settings):
    with pytest.raises(CliError) as caught:
        await insights_of(sim, history, sim_settings, since="last tuesday")
    assert caught.value.code == 2 and "--since" in str(caught.value) and "2026-12-01..2026-12-07" in str(caught.value)


async def test_export_prune_and_path(sim, history, sim_settings, tmp_path):
    await insights_of(sim, history, sim_settings)
    out, err = io.StringIO(), io.StringIO()
    assert export_command(history, since="7d", as_csv=False, out_path=None, clock=sim.now, out=out, err=err) == 0
    calls = json.loads(out.getvalue())["calls"]
    assert calls and {c["outcome"] for c in calls} == {"reached", "rejected", "missed"}
    missed = [c for c in calls if c["outcome"] == "missed"]
    assert all(c["cause"] and c["cause_label"] and c["twilio_status"] for c in missed)
    target = tmp_path / "out" / "calls.csv"
    assert export_command(history, since=None, as_csv=True, out_path=str(target), clock=sim.now, out=out, err=err) == 0
    assert stat.S_IMODE(target.stat().st_mode) == 0o600 and f"to {target}" in err.getvalue()
    assert len(list(csv.DictReader(target.open()))) == len(calls)

    out = io.StringIO()
    assert prune_command(history, days=0, as_json=True, out=out, err=err) == 0
    pruned = json.loads(out.getvalue())
    assert pruned["removed"]["calls"] == len(calls) and pruned["days"] == 0
    with pytest.raises(CliError):
        prune_command(history, days=-1, as_json=False, out=out, err=err)

    out = io.StringIO()
    history_path_command(Settings(config_path=tmp_path / "cfg" / "config.toml"), demo=False, out=out)
    assert out.getvalue().splitlines() == [str(tmp_path / "cfg" / "history.sqlite3"),
                                           "(not created yet; calls are kept 90 days)"]


def test_through_main_with_the_demo(capsys, clean_env):
    assert main(["insights", "--demo", "--since", "today", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["period"]["key"] == "today" and doc["calls"] == doc["reached"] + doc["rejected"] + doc["missed"] > 0
    assert "wiro-voice-demo-" in doc["history"]
    assert main(["history", "path", "--demo"]) == 0
    assert "temporary folder" in capsys.readouterr().out
    assert main(["insights", "--demo", "--since", "nope"]) == 2
    assert "--since" in capsys.readouterr().err
