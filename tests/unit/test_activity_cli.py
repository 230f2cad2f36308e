"""`wiro-voice logs` against the simulator: text and --json newest first, kinds, dates, exit codes."""

from __future__ import annotations

import json
import sys

import pytest

from tui.cli import main
from tui.cli.logs import check_date
from tui.activity.kinds import KIND_WORDS


@pytest.fixture
def env(sim_env):
    return sim_env


def argv(sim, *extra, agent=None):
    return ["logs", "--api-base", sim.wiro_base, "--agent", agent or sim.demo_agent_guid, *extra]


def run_json(sim, capsys, *extra, agent=None):
    code = main(argv(sim, "--json", *extra, agent=agent))
    captured = capsys.readouterr()
    return code, json.loads(captured.out), captured.err


def test_json_is_one_document_newest_first_with_words(env, sim, capsys):
    code, doc, err = run_json(sim, capsys, "--lines", "50")
    assert code == 0 and err == ""
    assert doc["date"] == "2026-04-24" and doc["totalLines"] > 50 and doc["filter"] is None
    events = doc["events"]
    assert len(events) == 50
    stamps = [e["ts"] for e in events]
    assert stamps == sorted(stamps, reverse=True)  # ISO times in UTC sort as text
    for e in events:
        assert {"ts", "kind", "title", "kindLabel", "summaryLine"} <= set(e)
        if e["kind"] in KIND_WORDS and e.get("ok") is not False:
            assert e["kindLabel"] == KIND_WORDS[e["kind"]] or e["kind"] in ("session_start", "session_end")
    # the events are Wiro's, untouched apart from the two added keys
    assert any("summary" in e and isinstance(e["summary"], dict) for e in events)


def test_text_lists_events_newest_first_with_their_other_keys(env, sim, capsys):
    assert main(argv(sim, "--lines", "30")) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("Activity log, 2026-04-24: 30 of ") and "newest first" in lines[0]
    rows = lines[2:]
    assert len(rows) == 30
    times = [row[:8] for row in rows]
    assert times == sorted(times, reverse=True) and all(t.count(":") == 2 for t in times)  # local (UTC here)
    words = set(KIND_WORDS.values()) | {"web session started", "call rejected", "tool failed", "scheduled job failed"}
    assert all(any(f"  {w}" in row for w in words) for row in rows)
    assert any("userUuid=" in row for row in rows)  # other keys, generically


def test_kind_filters_by_group_and_failures(env, sim, capsys):
    code, doc, _err = run_json(sim, capsys, "--lines", "5000", "--kind", "tools")
    assert code == 0 and doc["events"]
    assert {e["kind"] for e in doc["events"]} <= {"tool_started", "tool_completed", "tool_failed", "tool"}
    assert doc["filter"] == {"kinds": ["tool", "tool_completed", "tool_failed", "tool_started"], "failuresOnly": False}
    code, doc, _err = run_json(sim, capsys, "--lines", "5000", "--kind", "failures")
    assert code == 0 and doc["events"] and all(e["ok"] is False for e in doc["events"])
    assert all(e["kindLabel"].endswith("failed") for e in doc["events"])
    code, doc, _err = run_json(sim, capsys, "--lines", "5000", "--kind", "cron_started,cron_finished")
    assert {e["kind"] for e in doc["events"]} == {"cron_started", "cron_finished"}


def test_an_unknown_kind_exits_2_saying_which_kinds_there_are(env, sim, capsys):
    code, doc, err = run_json(sim, capsys, "--kind", "nonsense")
    assert code == 2 and "'nonsense' is not a kind" in doc["error"]
    assert "session_start" in err and "tool_completed" in err and "deduct" in err  # both documented sets


def test_a_known_kind_absent_today_says_which_kinds_were_seen(env, sim, capsys):
    code, doc, err = run_json(sim, capsys, "--kind", "system")  # an older-docs kind the newest log never has
    assert code == 0 and doc["events"] == []
    assert "no event of kind system" in err and "session_start" in err


def test_another_day(env, sim, capsys):
    code, doc, _err = run_json(sim, capsys, "--date", "2026-04-23", "--lines", "5000")
    assert code == 0 and doc["date"] == "2026-04-23" and doc["events"]
    assert all(e["ts"].startswith("2026-04-23") for e in doc["events"])
    code, doc, _err = run_json(sim, capsys, "--date", "2099-01-01")
    assert code == 0 and doc["events"] == []
    assert main(argv(sim, "--date", "2099-01-01")) == 0
    assert "No events for this day yet" in capsys.readouterr().out


@pytest.mark.parametrize("bad, reason", [
    ("2026-13-01", "is not a date: give it as YYYY-MM-DD"),
    ("yesterday", "is not a date: give it as YYYY-MM-DD"),
    ("2026-4-2", "zero-padded"),
])
def test_a_bad_date_exits_2_with_the_reason(env, sim, capsys, bad, reason):
    assert main(argv(sim, "--date", bad)) == 2
    assert reason in capsys.readouterr().err
    assert main(argv(sim, "--date", bad, "--json")) == 2
    out = capsys.readouterr().out
    assert reason in json.loads(out)["error"]


@pytest.mark.parametrize("lines", ["0", "5001", "-3"])
def test_lines_out_of_range_exits_2(env, sim, capsys, lines):
    assert main(argv(sim, "--lines", lines)) == 2
    assert "--lines must be between 1 and 5000" in capsys.readouterr().err


def test_an_agent_that_never_ran_has_no_log_and_the_user_is_told_what_to_do(env, sim, capsys):
    assert main(argv(sim, agent=sim.setup_agent_guid)) == 1
    err = capsys.readouterr().err
    assert "not running" in err and "Start the agent" in err


def test_an_unreadable_answer_exits_2(env, sim, capsys):
    sim.set_faults("garbage:1.0")
    assert main(argv(sim)) == 2
    assert "wiro-voice:" in capsys.readouterr().err


def test_no_agent_exits_2_and_says_how_to_choose(env, sim, capsys):
    assert main(["logs", "--api-base", sim.wiro_base]) == 2
    assert "Which agent?" in capsys.readouterr().err


def test_the_demo_flag_works_without_any_configuration(monkeypatch, tmp_path, capsys):
    monkeypatch.delenv("WIRO_API_KEY", raising=False)
    monkeypatch.delenv("WIRO_AGENT_GUID", raising=False)
    monkeypatch.setenv("WIRO_VOICE_CONFIG", str(tmp_path / "config.toml"))
    assert main(["logs", "--demo", "--lines", "3", "--json"]) == 0
    assert len(json.loads(capsys.readouterr().out)["events"]) == 3


def test_check_date():
    assert check_date(" 2026-04-24 ") == "2026-04-24"
    with pytest.raises(ValueError, match="not a date"):
        check_date("2026-02-30")


def test_python_dash_m_runs_it(env, sim):
    import subprocess

    done = subprocess.run([sys.executable, "-m", "tui", *argv(sim, "--date", "nope")], check=False, capture_output=True, text=True,
                          env={**__import__("os").environ})
    assert done.returncode == 2 and "is not a date" in done.stderr and "Traceback" not in done.stderr
