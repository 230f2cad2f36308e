"""The app-owned credential edits model: per agent, dirty flag, rebasing on a new answer, drafts on disk that
name what changed (and never hold the token)."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys

from tui.credential.draft import CredentialDraft
from tui.credential.drafts import draft_path, load_draft, save_draft
from tui.credential.edits import CredentialEdits, changed_fields, rebase, restorable

GUID, OTHER = "3f2c9a1e-5b7d-4c8e-9f01-23456789abcd", "11111111-2222-3333-4444-555555555555"
TOKEN = "9e107d9d372bb6826bd81d3542a419d6"
WIRO = CredentialDraft(accountsid="AC" + "0" * 32, phonenumbers=("+14155551234",), maxcallseconds="600",
                       holdstrategy="music", holdmusic="http://127.0.0.1:40001/files/loop.mp3", token_on_server=True)


def write(model: CredentialEdits, config, now: float = 1000.0) -> list:
    return model.write_jobs(model.take_jobs(), config, now)


def test_edits_are_per_agent_and_dirty_only_when_a_value_differs():
    model = CredentialEdits()
    model.loaded(GUID, WIRO, title="Front desk")
    model.loaded(OTHER, CredentialDraft())
    assert model.unsaved() == []
    assert not model.edit(GUID, WIRO)  # the same values: nothing happened
    model.edit(GUID, WIRO.replace(holdstrategy=" music "))  # kept as typed, but spaces around a value…
    assert model.get(GUID).current.holdstrategy == " music " and model.unsaved() == []  # …are no edit
    model.edit(GUID, WIRO.replace(maxcallseconds="900"), touched={"maxcallseconds"})
    assert model.unsaved() == [GUID] and model.get(GUID).changed_fields() == ["maxcallseconds"]
    assert model.get(OTHER).current == CredentialDraft()  # …and the other agent's edits are its own
    assert model.get(GUID).touched == {"maxcallseconds"}


def test_a_new_answer_keeps_the_edits_made_on_top_of_the_old_one():
    model = CredentialEdits()
    model.loaded(GUID, WIRO)
    model.edit(GUID, WIRO.replace(maxcallseconds="900", authtoken=TOKEN))
    moved = WIRO.replace(holdmusic="http://127.0.0.1:40777/files/loop.mp3", accountsid="AC" + "1" * 32)
    edits = model.loaded(GUID, moved)
    assert edits.current.maxcallseconds == "900" and edits.current.authtoken == TOKEN  # the user's
    assert edits.current.holdmusic == moved.holdmusic and edits.current.accountsid == moved.accountsid  # Wiro's
    assert rebase(WIRO, WIRO, moved) == moved


def test_drafts_name_the_changed_fields_never_hold_the_token_and_are_private(tmp_path):
    config = tmp_path / "config.toml"
    model = CredentialEdits()
    model.loaded(GUID, WIRO)
    model.edit(GUID, WIRO.replace(maxcallseconds="900", authtoken=TOKEN))
    assert write(model, config) == []
    path = draft_path(config, GUID)
    document = json.loads(path.read_text())
    assert document["changed"] == ["maxcallseconds"] and document["token_was_typed"] is True
    assert TOKEN not in path.read_text() and stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert model.take_jobs() == []  # nothing is behind the edits any more
    model.revert(GUID)
    write(model, config)
    assert not path.exists()  # nothing unsaved: no draft


def test_an_older_write_never_replaces_a_newer_one(tmp_path):
    config = tmp_path / "config.toml"
    model = CredentialEdits()
    model.loaded(GUID, WIRO)
    model.edit(GUID, WIRO.replace(maxcallseconds="900"))
    older = model.take_jobs()
    model.edit(GUID, WIRO.replace(maxcallseconds="1200"))
    newer = model.take_jobs()
    model.write_jobs(newer, config, 1.0)
    model.write_jobs(older, config, 2.0)  # a slow thread finishing late
    assert load_draft(draft_path(config, GUID)).values["maxcallseconds"] == "1200"


def test_a_restored_draft_brings_back_what_the_user_changed_not_a_url_that_moved(tmp_path):
    """The demo's simulator comes up on another port each run: its hold URL is not an edit of the user's."""
    config = tmp_path / "config.toml"
    earlier = CredentialEdits()
    earlier.loaded(GUID, WIRO)
    earlier.edit(GUID, WIRO.replace(maxcallseconds="900"))
    write(earlier, config)

    later = CredentialEdits()
    moved = WIRO.replace(holdmusic="http://127.0.0.1:40999/files/loop.mp3")
    later.loaded(GUID, moved)
    offer = later.consider_offer(GUID, load_draft(draft_path(config, GUID)))
    assert offer is not None and changed_fields(moved, restorable(offer, moved)) == ["maxcallseconds"]
    later.restore_offer(GUID)
    edits = later.get(GUID)
    assert edits.current.maxcallseconds == "900" and edits.current.holdmusic == moved.holdmusic
    assert edits.changed_fields() == ["maxcallseconds"]


def test_a_draft_that_changes_nothing_is_not_offered_and_an_offer_not_taken_stays_on_disk(tmp_path):
    config = tmp_path / "config.toml"
    path = draft_path(config, GUID)
    save_draft(path, {"maxcallseconds": "600"}, token_was_typed=False, changed=["maxcallseconds"])
    model = CredentialEdits()
    model.loaded(GUID, WIRO)
    assert model.consider_offer(GUID, load_draft(path)) is None  # 600 is what Wiro has
    save_draft(path, {"maxcallseconds": "900"}, token_was_typed=False, changed=["maxcallseconds"])
    assert model.consider_offer(GUID, load_draft(path)) is not None
    model.edit(GUID, WIRO.replace(holdstrategy="none"))
    model.edit(GUID, WIRO)  # edited and back: nothing unsaved, but the offer is not answered yet
    write(model, config)
    assert path.exists()
    model.drop_offer(GUID)
    write(model, config)
    assert not path.exists()


def test_an_older_draft_without_the_changed_list_restores_every_stored_field(tmp_path):
    path = tmp_path / "d.json"
    path.write_text(json.dumps({"saved_at": 1.0, "token_was_typed": False,
                                "values": {"maxcallseconds": "900", "holdmusic": "x.mp3"}}))
    stored = load_draft(path)
    assert stored.changed is None
    assert changed_fields(WIRO, restorable(stored, WIRO)) == ["maxcallseconds", "holdmusic"]


def test_a_save_keeps_edits_made_while_it_ran_and_a_partial_save_keeps_them_all():
    model = CredentialEdits()
    model.loaded(GUID, WIRO)
    sent = WIRO.replace(maxcallseconds="900")
    model.edit(GUID, sent.replace(holdstrategy="none"))  # typed while the save ran
    model.saved(GUID, sent, sent, keep_all_edits=False, refused={})
    assert model.get(GUID).changed_fields() == ["holdstrategy"]
    model.saved(GUID, WIRO, sent, keep_all_edits=True, refused={"maxcallseconds": ["too long"]})
    edits = model.get(GUID)
    assert edits.refused == {"maxcallseconds": ["too long"]} and "maxcallseconds" in edits.changed_fields()
    model.answer_refusals(GUID, {"maxcallseconds"})
    assert edits.refused == {}


def test_the_model_loads_nothing_heavy():
    """The app makes its edits model before the first frame."""
    code = ("import sys, tui.ui.credential_edits; "
            "print(sorted(m for m in sys.modules if m.startswith(('tui.wiro', 'tui.credential.rules', 'numpy'))))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
