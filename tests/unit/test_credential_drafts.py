"""Drafts of unsaved credential edits: round trip, private file, no secret, damaged files ignored."""

from __future__ import annotations

import os
import stat

from tui.credential.drafts import DRAFT_FIELDS, discard_draft, draft_path, load_draft, save_draft


def test_a_draft_round_trips_and_is_private(tmp_path):
    path = draft_path(tmp_path / "config.toml", "9f3c-guid")
    values = {"accountsid": "AC" + "1" * 32, "phonenumbers": ("+14155550142", "+14155550173"),
              "maxcallseconds": "900", "holdtext": "Bitte warten — un momento"}
    save_draft(path, values, token_was_typed=True, now=1234.5)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    loaded = load_draft(path)
    assert loaded is not None
    assert loaded.values["phonenumbers"] == ("+14155550142", "+14155550173")
    assert loaded.values["holdtext"] == "Bitte warten — un momento"
    assert loaded.saved_at == 1234.5 and loaded.token_was_typed


def test_secrets_are_never_written(tmp_path):
    path = tmp_path / "d.json"
    save_draft(path, {"authtoken": "s3cr3t-token-value-0123456789ab", "maxcallseconds": "60"}, token_was_typed=True)
    assert "authtoken" not in DRAFT_FIELDS
    assert "s3cr3t" not in path.read_text()


def test_damaged_or_missing_drafts_are_no_draft(tmp_path):
    path = tmp_path / "d.json"
    assert load_draft(path) is None
    for junk in ("", "{", "[]", '{"values": 3}', '{"values": {"phonenumbers": "x", "maxcallseconds": {}}}'):
        path.write_text(junk)
        loaded = load_draft(path)
        assert loaded is None or loaded.values == {}
    discard_draft(path)
    discard_draft(path)  # twice: no error
    assert not path.exists()


def test_agent_guids_cannot_escape_the_drafts_folder(tmp_path):
    path = draft_path(tmp_path / "config.toml", "../../etc/passwd")
    assert path.parent == tmp_path / "drafts" and "/" not in path.name
