import os
from pathlib import Path
import stat

import pytest

from tui.config import ConfigError, Secret, load_settings, read_config_file, save_config


def test_defaults_without_file_or_env(tmp_path):
    s = load_settings({}, config_path=tmp_path / "none.toml")
    assert s.api_key is None and s.agent is None
    assert s.api_base == "https://api.wiro.ai/v1"
    assert s.twilio_base == "https://api.twilio.com"
    assert not s.has_account


def test_env_beats_file_and_flag_beats_env(tmp_path):
    path = tmp_path / "c.toml"
    save_config(path, {"api_key": "file-key-0123456789", "agent": "11111111-1111-4111-8111-111111111111", "api_base": "https://file/v1"})
    env = {"WIRO_API_KEY": "env-key-0123456789", "WIRO_API_BASE": "https://env/v1"}
    s = load_settings(env, config_path=path, api_base="https://flag/v1")
    assert s.api_key.reveal() == "env-key-0123456789"
    assert s.api_base == "https://flag/v1"
    assert s.agent == "11111111-1111-4111-8111-111111111111"
    assert s.sources["api_key"] == "env" and s.sources["agent"] == "file" and s.sources["api_base"] == "flag"


def test_config_path_from_env(tmp_path):
    path = tmp_path / "elsewhere.toml"
    save_config(path, {"agent": "22222222-2222-4222-8222-222222222222"})
    s = load_settings({"WIRO_VOICE_CONFIG": str(path)})
    assert s.config_path == path and s.agent.startswith("2222")


def test_save_is_0600_and_merges(tmp_path):
    path = tmp_path / "dir" / "config.toml"
    save_config(path, {"api_key": Secret("secret-key-abcdef123456"), "agent": "x"})
    save_config(path, {"agent": None, "api_base": "https://api.wiro.ai/v1"})
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert read_config_file(path) == {"api_key": "secret-key-abcdef123456", "api_base": "https://api.wiro.ai/v1"}
    assert not [p for p in path.parent.iterdir() if p.name.startswith(".config-")], "temp file left behind"


def test_unknown_key_suggests_the_close_one(tmp_path):
    path = tmp_path / "c.toml"
    path.write_text('api_kye = "x"\n')
    with pytest.raises(ConfigError) as info:
        load_settings({}, config_path=path)
    text = str(info.value)
    assert str(path) in text and '"api_kye"' in text and 'Did you mean "api_key"?' in text


def test_wrong_type_and_bad_toml_name_the_file(tmp_path):
    path = tmp_path / "c.toml"
    path.write_text("agent = 5\n")
    with pytest.raises(ConfigError, match='"agent" must be a str'):
        load_settings({}, config_path=path)
    path.write_text("api_key = \n")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_settings({}, config_path=path)


def test_secret_never_shows_itself(tmp_path):
    s = Secret("sk-live-ABCDEFGHIJKLMNOP1234")
    assert "ABCDEFGH" not in repr(s) and "ABCDEFGH" not in str(s)
    assert repr(s).endswith("1234')")
    path = tmp_path / "c.toml"
    save_config(path, {"api_key": s})
    settings = load_settings({}, config_path=path)
    assert "ABCDEFGH" not in repr(settings)


@pytest.mark.parametrize(
    "env, where",
    [
        ({"WIRO_API_KEY": "secret\nkey-0123456789"}, "WIRO_API_KEY"),
        ({"WIRO_API_KEY": "mysecretkéy0123456789"}, "WIRO_API_KEY"),
        ({"WIRO_API_BASE": "http://localhost:99999/v1"}, "WIRO_API_BASE"),
        ({"WIRO_AGENT_GUID": "not-a-guid"}, "WIRO_AGENT_GUID"),
    ],
)
def test_unusable_values_are_refused_by_source_without_quoting_them(tmp_path, env, where):
    with pytest.raises(ConfigError) as info:
        load_settings(env, config_path=tmp_path / "none.toml")
    text = str(info.value)
    assert where in text
    assert "secret" not in text.replace("API secret", "") and "mysecretk" not in text


def test_a_key_in_a_file_others_can_read_is_warned_about(tmp_path):
    path = tmp_path / "c.toml"
    path.write_text('api_key = "a-long-enough-wiro-key-1234"\n')
    path.chmod(0o644)
    settings = load_settings({}, config_path=path)
    assert settings.warnings and "chmod 600" in settings.warnings[0]
    path.chmod(0o600)
    assert load_settings({}, config_path=path).warnings == ()


def test_export_dir_from_the_file_or_the_environment_with_home_expanded(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))
    path = tmp_path / "c.toml"
    assert load_settings({}, config_path=path).export_dir is None  # not set: the exporter picks its default
    path.write_text('export_dir = "~/exports here"\n')
    assert load_settings({}, config_path=path).export_dir == tmp_path / "exports here"
    settings = load_settings({"WIRO_VOICE_EXPORT_DIR": "/srv/out"}, config_path=path)
    assert settings.export_dir == Path("/srv/out") and settings.sources["export_dir"] == "env"


def test_export_dir_must_be_text(tmp_path):
    path = tmp_path / "c.toml"
    path.write_text("export_dir = 5\n")
    with pytest.raises(ConfigError, match='"export_dir" must be a str'):
        read_config_file(path)
