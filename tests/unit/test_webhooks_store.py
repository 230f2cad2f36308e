"""The stored last report: round trip, 0600, atomic, damaged files, and no secrets on disk."""

from __future__ import annotations

import json
import stat

import pytest

from tui.webhooks.report import build_report
from tui.webhooks.store import load_report, report_path, reports_dir, save_report
from tui.wiro.models import UpsertResult

GUID = "5d30c470-fded-4396-952e-c02b28bb44f2"
TOKEN = "0123456789abcdef0123456789abcdef"


def sample():
    answer = {"twilioWebhooksUpdated": ["+14155550142"],
              "twilioWebhooksFailed": [{"phoneNumber": "+14155550173", "error": f"401 with {TOKEN}"}]}
    return build_report(UpsertResult.parse(answer), ["+14155550142", "+14155550173"], agent_guid=GUID, now=1234.5)


def test_round_trip_is_private_and_keeps_when_it_was_made(tmp_path):
    path = report_path(reports_dir(tmp_path / "config.toml"), GUID)
    assert path.parent == tmp_path / "webhook-reports"
    report = sample()
    save_report(path, report)
    loaded = load_report(path)
    assert loaded.warning is None and loaded.report == report and loaded.report.made_at == 1234.5
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert [p.name for p in path.parent.iterdir()] == [path.name]  # no temporary file left behind
    assert TOKEN not in path.read_text()


def test_a_new_save_replaces_the_old_report(tmp_path):
    path = report_path(tmp_path, GUID)
    save_report(path, sample())
    newer = build_report(UpsertResult.parse({"twilioWebhookError": "boom"}), ["+1"], agent_guid=GUID, now=2000.0)
    save_report(path, newer)
    assert load_report(path).report.error == "boom"


def test_no_file_is_no_report_without_a_warning(tmp_path):
    loaded = load_report(tmp_path / "missing.json")
    assert loaded.report is None and loaded.warning is None


@pytest.mark.parametrize("content", [b"", b"{not json", b"\xff\xfe", b"[]", b'{"agent_guid": 3}', b"null"])
def test_a_damaged_file_is_no_report_plus_a_warning(tmp_path, content):
    path = tmp_path / "r.json"
    path.write_bytes(content)
    loaded = load_report(path)
    assert loaded.report is None and "damaged" in loaded.warning and str(path) in loaded.warning


def test_an_unreadable_path_is_a_warning(tmp_path):
    loaded = load_report(tmp_path)  # a directory
    assert loaded.report is None and loaded.warning


def test_agent_guid_cannot_escape_the_folder(tmp_path):
    path = report_path(tmp_path, "../../etc/passwd")
    assert path.parent == tmp_path


def test_the_file_is_plain_json_with_a_version(tmp_path):
    path = report_path(tmp_path, GUID)
    save_report(path, sample())
    doc = json.loads(path.read_text())
    assert doc["version"] == 1 and doc["agent_guid"] == GUID and doc["updated"] == ["+14155550142"]
