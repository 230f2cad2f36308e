"""The config file's [keymap]: its shape checked when the file is read, then each id and key against the app's
real bindings (unknown ids with "did you mean", keys no terminal sends, keys that now mean two things)."""

from __future__ import annotations

import json
import sys

import pytest

from tui.cli import main
from tui.config import ConfigError, load_settings, read_config_file, save_config
from tui.doctor.checks_keymap import APP_SCOPE, BoundKey, check_keymap
from tui.ui.keymap import binding_table, is_key, keymap_findings, normalise

from .doctor_worlds import make_healthy


def write(tmp_path, text: str):
    path = tmp_path / "config.toml"
    path.write_text(text)
    return path


def test_the_table_is_read_into_settings(tmp_path):
    path = write(tmp_path, '[keymap]\n"calls.export_csv" = "ctrl+e"\n"goto.calls" = "c, f4"\n')
    settings = load_settings({}, config_path=path)
    assert settings.keymap == {"calls.export_csv": "ctrl+e", "goto.calls": "c,f4"}


@pytest.mark.parametrize(("text", "words"), [
    ('keymap = "ctrl+e"\n', "must be a table"),
    ('[keymap]\n"Calls Export" = "ctrl+e"\n', "is not a binding id"),
    ('[keymap]\n"calls.export_csv" = 5\n', "must be keys in quotes"),
    ('[keymap]\n"calls.export_csv" = ""\n', "must be keys in quotes"),
    ('[keymap]\n"calls.export_csv" = "ctrl+e,"\n', "must be keys in quotes"),
])
def test_a_bad_table_is_refused_naming_the_file_and_the_entry(tmp_path, text, words):
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as caught:
        read_config_file(path)
    assert str(path) in str(caught.value) and words in str(caught.value)


def test_saving_other_keys_keeps_the_keymap(tmp_path):
    path = write(tmp_path, '[keymap]\n"doctor.run" = "f5"\n')
    save_config(path, {"theme": "wiro-light"})
    assert read_config_file(path) == {"keymap": {"doctor.run": "f5"}, "theme": "wiro-light"}


@pytest.mark.parametrize("key", ["ctrl+e", "f5", "f24", "?", "question_mark", "enter", "pageup", "alt+shift+x",
                                 "ctrl++", "slash", "left_square_bracket", "escape", "x", "7"])
def test_keys_textual_can_bind(key):
    assert is_key(key)


@pytest.mark.parametrize("key", ["ctrl+ee", "f25", "foo", "x y", "", " ", "ctrl+", "hyperspace+a", "ctrl+ctrl+a"])
def test_keys_no_terminal_sends(key):
    assert not is_key(key)


def test_keys_are_named_as_bindings_name_them():
    assert [normalise(k) for k in ("?", "+", "/", "[", "x", "ctrl+e")] == [
        "question_mark", "plus", "slash", "left_square_bracket", "x", "ctrl+e"]


BINDINGS = [
    BoundKey(APP_SCOPE, "goto.overview", ("o",), "Overview"),
    BoundKey(APP_SCOPE, "app.quit", ("q",), "Quit"),
    BoundKey("Calls", "calls.pause", ("p",), "Pause"),
    BoundKey("Calls", "calls.export_csv", ("x",), "Export CSV"),
    BoundKey("Hold", "hold.play", ("space",), "Play/pause"),
]


def check(keymap):
    return check_keymap(keymap, BINDINGS, is_key=is_key, normalise=normalise, where="/c.toml")


def test_an_empty_or_sound_keymap_finds_nothing():
    assert check({}) == []
    assert check({"calls.export_csv": "ctrl+e", "hold.play": "p"}) == []  # p on Hold is not p on Calls


def test_an_unknown_id_suggests_the_close_one():
    [finding] = check({"calls.export": "ctrl+e"})
    assert finding.id == "keymap.unknown_id:calls.export" and finding.severity == "warning"
    assert 'Did you mean "calls.export_csv"?' in finding.detail and "/c.toml" in finding.detail
    assert "press ?" in finding.fix


def test_an_unknown_key_is_named_with_what_to_use():
    [finding] = check({"calls.pause": "ctrl+pp"})
    assert finding.id == "keymap.unknown_key:calls.pause" and '"ctrl+pp"' in finding.title
    assert "ctrl+" in finding.fix


def test_two_screen_keys_on_one_key_clash_on_that_screen_only():
    [finding] = check({"calls.pause": "x"})
    assert finding.id == "keymap.clash:x:Calls"
    assert "calls.pause" in finding.detail and "calls.export_csv" in finding.detail and "Only one" in finding.detail


def test_a_screen_key_moved_onto_a_global_key_wins_there_and_is_reported():
    [finding] = check({"calls.pause": "o"})
    assert finding.id == "keymap.clash:o:Calls" and "the screen's own key wins" in finding.detail


def test_a_global_key_moved_onto_a_screen_key_is_reported_for_that_screen():
    [finding] = check({"goto.overview": "space"})
    assert finding.id == "keymap.clash:space:Hold"


def test_moving_a_key_away_frees_it():
    assert check({"calls.export_csv": "e", "calls.pause": "x"}) == []


def test_the_real_table_has_the_app_keys_textuals_palette_and_every_screen():
    table = binding_table()
    ids = {b.binding_id for b in table}
    assert {"goto.overview", "app.quit", "app.help", "doctor.run", "webhooks.verify"} <= ids
    assert any(b.description == "Command palette" and b.keys == ("ctrl+p",) for b in table)
    [finding] = keymap_findings({"doctor.run": "ctrl+p"}, "/c.toml")
    assert finding.id == "keymap.clash:ctrl+p:Doctor" and "built in" in finding.detail


class NoTty:
    def isatty(self) -> bool:
        return False


def test_doctor_reports_the_keymap_with_the_rest(sim_env, sim, tmp_path, capsys):
    make_healthy(sim)
    sim_env.setattr(sys, "stdin", NoTty())
    sim_env.setenv("TWILIO_AUTH_TOKEN", sim.twilio_auth_token)
    config = tmp_path / "config.toml"
    config.write_text('[keymap]\n"doctor.rn" = "f5"\n"webhooks.verify" = "ctrl+tt"\n')
    code = main(["doctor", "--json", "--api-base", sim.wiro_base, "--twilio-base", sim.twilio_base,
                 "--agent", sim.demo_agent_guid])
    doc = json.loads(capsys.readouterr().out)
    ids = [f["id"] for f in doc["findings"]]
    assert "keymap.unknown_id:doctor.rn" in ids and "keymap.unknown_key:webhooks.verify" in ids
    assert code == 1 and doc["healthy"] is False  # warnings: something to change

