"""The `[alerts]` table: defaults, durations, "did you mean", wrong types and ranges."""

import tomllib

import pytest

from tui.watch.settings import AlertsConfigError, AlertSettings, check_alerts_table, describe, parse_duration


def test_defaults_when_the_table_is_absent():
    assert check_alerts_table(None) == AlertSettings()
    assert check_alerts_table({}) == AlertSettings()


def test_a_full_table_from_toml():
    table = tomllib.loads("""
[alerts]
repeat = "30m"
agent_not_running = false
rejections = 3
rejections_window = 600
unreachable_polls = 0
credits_below = 100
on_alert = "logger -t wiro-voice"
hook_timeout = "5s"
""")["alerts"]
    settings = check_alerts_table(table)
    assert settings == AlertSettings(repeat=1800, agent_not_running=False, number_not_routed=True, rejections=3,
                                     rejections_window=600, unreachable_polls=0, credits_below=100,
                                     on_alert="logger -t wiro-voice", hook_timeout=5)
    lines = describe(settings)
    assert "more than 3 rejected calls within 10 min" in lines
    assert not any("unreachable" in line for line in lines)
    assert lines[-1] == "reminders every 30 min"


@pytest.mark.parametrize(("text", "seconds"), [(90, 90), (1.5, 1.5), ("90s", 90), ("15m", 900), ("1h", 3600),
                                               ("2 hours", 7200), ("0", 0), ("10 min", 600)])
def test_durations(text, seconds):
    assert parse_duration(text) == seconds


@pytest.mark.parametrize("bad", ["soon", "-5m", "5d", "", True, [1], -1, float("nan")])
def test_bad_durations_say_how_to_write_one(bad):
    with pytest.raises(AlertsConfigError) as err:
        parse_duration(bad, "repeat")
    assert '"repeat"' in str(err.value)


def test_unknown_key_suggests_the_close_one():
    with pytest.raises(AlertsConfigError, match='unknown key "rejection_window". Did you mean "rejections_window"'):
        check_alerts_table({"rejection_window": "5m"})
    with pytest.raises(AlertsConfigError, match="Known keys: repeat, agent_not_running"):
        check_alerts_table({"zzz": 1})


@pytest.mark.parametrize(("key", "value", "words"), [
    ("agent_not_running", "yes", "true or false"),
    ("rejections", "5", "whole number"),
    ("rejections", True, "whole number"),
    ("rejections", 2.5, "whole number"),
    ("credits_below", -1, "0 or more"),
    ("rejections_window", 0, "longer than 0"),
    ("hook_timeout", "2h", "between 1 second and 1 hour"),
    ("on_alert", 5, "command in quotes"),
])
def test_wrong_types_and_ranges_name_the_key(key, value, words):
    with pytest.raises(AlertsConfigError) as err:
        check_alerts_table({key: value})
    assert f'"{key}"' in str(err.value) and words in str(err.value)


def test_not_a_table():
    with pytest.raises(AlertsConfigError, match=r"write \[alerts\]"):
        check_alerts_table("on")


def test_over_a_base_and_blank_command():
    base = AlertSettings(rejections=9)
    assert check_alerts_table({"on_alert": "  "}, base) == AlertSettings(rejections=9, on_alert=None)
    assert describe(AlertSettings(repeat=0))[-1] == "no reminders"
