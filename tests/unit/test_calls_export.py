"""CSV and JSON export: the content, parsed back; file names; atomic, private writes."""

from __future__ import annotations

import csv
import io
import json
import os
import stat
from pathlib import Path
from datetime import datetime

import pytest

from tui.calls.export import CSV_FIELDS, ExportError, to_csv, to_json, write_export
from tui.wiro import WiroClient
from tui.wiro.models import CallSession


async def history(sim) -> list[CallSession]:
    async with WiroClient(sim.api_key, base_url=sim.wiro_base) as client:
        return await client.call_history(sim.demo_agent_guid, 200)


async def test_json_is_the_api_rows_plus_labels(sim):
    sessions = await history(sim)
    document = json.loads(to_json(sessions))
    assert list(document) == ["sessions"] and len(document["sessions"]) == len(sessions)
    for row, session in zip(document["sessions"], sessions):
        assert {k: v for k, v in row.items() if not k.endswith("Label")} == dict(session.raw)
        assert set(row) - set(session.raw) == {"statusLabel", "endReasonLabel"}
    labels = {(r["status"], r["statusLabel"]) for r in document["sessions"]}
    assert ("realtime_session_rejected", "rejected") in labels
    capped = next(r for r in document["sessions"] if r["endReason"] == "max_duration")
    assert capped["endReasonLabel"] == "hit the time limit"
    assert sim.api_key not in to_json(sessions)


async def test_csv_parses_back_with_one_row_per_session(sim):
    sessions = await history(sim)
    text = to_csv(sessions)
    assert text.endswith("\r\n") and "\r\n" in text.split("\n", 1)[0] + "\n"
    rows = list(csv.DictReader(io.StringIO(text, newline="")))
    assert len(rows) == len(sessions) and tuple(rows[0]) == CSV_FIELDS
    for row, session in zip(rows, sessions):
        assert row["messageguid"] == session.messageguid and row["callsid"] == (session.callsid or "")
        assert row["durationSeconds"] == ("" if session.duration_seconds is None else str(session.duration_seconds))
        assert row["startedAt"] == str(session.started_at_ms) and row["startedUtc"].endswith("Z")
    withheld = next(r for r in rows if r["callerNumber"] == "+266696687")
    assert withheld["callerWithheld"] == "yes" and withheld["channelLabel"] == "phone"
    web = next(r for r in rows if r["channel"] == "web")
    assert web["pageUrl"].startswith("https://") and web["callerWithheld"] == "" and web["callerNumber"] == ""
    assert "agenttoken" not in text and not any(s.agenttoken in text for s in sessions if s.agenttoken)
    assert sim.api_key not in text


def test_csv_quotes_hard_values_and_defuses_formulas():
    tricky = CallSession.parse({
        "messageguid": "m-1", "channel": "web", "status": "realtime_session", "endReason": "browser_disconnect",
        "callerInfo": {"page_url": 'https://x.example/?a=1,b="2"\nnext', "display_identifier": "=HYPERLINK(\"x\")"},
        "callerProfile": "-2+3 is not a number", "startedAt": 1_777_000_000_000,
    })
    phone = CallSession.parse({"messageguid": "m-2", "channel": "twilio", "callerInfo": {"number": "+14155550100"},
                               "durationSeconds": -1})
    rows = list(csv.DictReader(io.StringIO(to_csv([tricky, phone]), newline="")))
    assert rows[0]["pageUrl"] == 'https://x.example/?a=1,b="2"\nnext'
    assert rows[0]["displayIdentifier"] == "'=HYPERLINK(\"x\")"
    assert rows[0]["callerProfile"] == "'-2+3 is not a number"
    assert rows[0]["startedUtc"] == "2026-04-24T03:06:40Z" and rows[0]["endedUtc"] == ""
    assert rows[1]["callerNumber"] == "+14155550100" and rows[1]["durationSeconds"] == "-1"


def test_json_of_sessions_built_in_code_has_the_documented_fields():
    session = CallSession(messageguid="m", channel="web", page_url="https://x.example", status="realtime_session")
    [row] = json.loads(to_json([session]))["sessions"]
    assert row["callerInfo"] == {"page_url": "https://x.example"} and row["statusLabel"] == "ended"


async def test_write_export_names_files_by_time_and_never_overwrites(sim, tmp_path):
    sessions = await history(sim)
    when = datetime(2026, 4, 24, 9, 5, 7)
    folder = tmp_path / "exports" / "nested"
    first = write_export(sessions, folder, "csv", when)
    second = write_export(sessions, folder, "csv", when)
    as_json = write_export(sessions, folder, "json", when.timestamp())
    assert first.name == "wiro-voice-calls-20260424-090507.csv"
    assert second.name == "wiro-voice-calls-20260424-090507-2.csv"
    assert as_json.name == "wiro-voice-calls-20260424-090507.json"
    assert first.read_bytes().decode("utf-8") == to_csv(sessions)
    assert json.loads(as_json.read_text(encoding="utf-8")) == json.loads(to_json(sessions))
    assert stat.S_IMODE(os.stat(first).st_mode) == 0o600  # callers' numbers: owner only
    assert sorted(p.name for p in folder.iterdir()) == sorted([first.name, second.name, as_json.name])


def test_write_export_refuses_bad_formats_and_says_where_it_failed(tmp_path):
    with pytest.raises(ValueError, match="csv or json"):
        write_export([], tmp_path, "xlsx", 0.0)
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    with pytest.raises(ExportError, match="a-file"):
        write_export([], blocker, "csv", 0.0)


def test_export_folder_is_the_configured_one_else_downloads_else_beside_the_config(tmp_path):
    from tui.calls.export import export_folder

    config = tmp_path / "cfg" / "config.toml"
    home = tmp_path / "home"
    home.mkdir()
    assert export_folder(None, config, home=home) == tmp_path / "cfg" / "exports"  # no Downloads folder
    (home / "Downloads").mkdir()
    assert export_folder(None, config, home=home) == home / "Downloads"
    assert export_folder(str(tmp_path / "mine"), config, home=home) == tmp_path / "mine"
    assert export_folder("~/x", config, home=home) == Path("~/x").expanduser()
