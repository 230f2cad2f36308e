"""The Twilio Account SID / Auth Token rule, written once: environment into Settings, then one function."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import tui
from tui.config import Secret, Settings, load_settings, read_config_file, save_config
from tui.twilio.access import DEMO, FROM_ENV, FROM_ENV_TOKEN, TYPED, NoAccess, TwilioAccess, twilio_access

CRED_SID = "AC" + "c" * 32
ENV_SID = "AC" + "e" * 32
ENV_TOKEN = "envtoken" * 4
TYPED_TOKEN = "typedtoken" * 3


class Demo:
    twilio_account_sid, twilio_auth_token = "AC" + "d" * 32, "demotoken" * 3


def settings(sid: str | None = None, token: str | None = None) -> Settings:
    return Settings(twilio_account_sid=sid, twilio_auth_token=Secret(token) if token else None,
                    config_path=Path("/nonexistent/config.toml"))


def test_the_environment_is_read_once_into_settings_and_never_saved(tmp_path):
    path = tmp_path / "config.toml"
    loaded = load_settings({"TWILIO_ACCOUNT_SID": f" {ENV_SID} ", "TWILIO_AUTH_TOKEN": f" {ENV_TOKEN}\n"},
                           config_path=path)
    assert loaded.twilio_account_sid == ENV_SID and loaded.twilio_auth_token == Secret(ENV_TOKEN)
    assert ENV_TOKEN not in repr(loaded) and ENV_TOKEN not in str(loaded)
    empty = load_settings({"TWILIO_ACCOUNT_SID": "  ", "TWILIO_AUTH_TOKEN": ""}, config_path=path)
    assert empty.twilio_account_sid is None and empty.twilio_auth_token is None
    save_config(path, {"agent": "x"})  # saving writes only config keys: the Twilio pair has none
    with pytest.raises(ValueError):
        save_config(path, {"twilio_auth_token": ENV_TOKEN})
    assert read_config_file(path) == {"agent": "x"} and ENV_TOKEN not in path.read_text()


def test_the_environment_sid_overrides_the_credentials_and_its_token_goes_with_it():
    access = twilio_access(CRED_SID, settings(ENV_SID, ENV_TOKEN))
    assert access == TwilioAccess(ENV_SID, ENV_TOKEN, FROM_ENV)


def test_a_token_alone_in_the_environment_goes_with_the_credentials_sid():
    assert twilio_access(f" {CRED_SID} ", settings(token=ENV_TOKEN)) == TwilioAccess(CRED_SID, ENV_TOKEN, FROM_ENV_TOKEN)


def test_a_token_typed_for_the_session_wins_over_the_environment():
    access = twilio_access(CRED_SID, settings(ENV_SID, ENV_TOKEN), typed_token=f" {TYPED_TOKEN} ")
    assert access == TwilioAccess(ENV_SID, TYPED_TOKEN, TYPED)
    assert twilio_access(CRED_SID, settings(), typed_token="   ") == NoAccess("token", CRED_SID)  # blank is none


def test_the_demo_token_opens_the_demo_account_only():
    demo = Demo()
    assert twilio_access(demo.twilio_account_sid, settings(), demo=demo) == \
        TwilioAccess(demo.twilio_account_sid, demo.twilio_auth_token, DEMO)
    assert twilio_access(None, settings(), demo=demo).account_sid == demo.twilio_account_sid  # nothing named one
    assert twilio_access(CRED_SID, settings(), demo=demo) == NoAccess("token", CRED_SID)  # another account
    # a token from the environment is the user's choice, even in the demo
    assert twilio_access(demo.twilio_account_sid, settings(token=ENV_TOKEN), demo=demo).token == ENV_TOKEN


def test_what_is_missing_is_said_without_the_token():
    no_sid = twilio_access(None, settings(token=ENV_TOKEN))
    assert no_sid == NoAccess("sid") and "TWILIO_ACCOUNT_SID" in no_sid.message
    no_token = twilio_access(CRED_SID, settings())
    assert no_token == NoAccess("token", CRED_SID) and "TWILIO_AUTH_TOKEN" in no_token.message
    shown = repr(twilio_access(CRED_SID, settings(token=ENV_TOKEN)))
    assert CRED_SID in shown and ENV_TOKEN not in shown


def test_the_credential_form_checks_its_own_pair():
    # Verify in the form checks the SID typed there: TWILIO_ACCOUNT_SID does not replace it, and the
    # environment's token is used only when it belongs to that SID
    form = dict(typed_token="", sid_from_env=False)
    assert twilio_access(CRED_SID, settings(ENV_SID, ENV_TOKEN), **form) == NoAccess("token", CRED_SID)
    assert twilio_access(CRED_SID, settings(CRED_SID, ENV_TOKEN), **form) == TwilioAccess(CRED_SID, ENV_TOKEN,
                                                                                             FROM_ENV_TOKEN)
    assert twilio_access(CRED_SID, settings(token=ENV_TOKEN), **form).token == ENV_TOKEN
    assert twilio_access(CRED_SID, settings(ENV_SID, ENV_TOKEN), typed_token=TYPED_TOKEN, sid_from_env=False) == \
        TwilioAccess(CRED_SID, TYPED_TOKEN, TYPED)


def test_no_other_module_reads_the_twilio_environment_variables():
    root = Path(tui.__file__).parent
    reading = re.compile(r"environ(\.get)?\s*[\[(]\s*[\"']TWILIO_(ACCOUNT_SID|AUTH_TOKEN)|getenv\([\"']TWILIO_")
    readers = sorted(str(p.relative_to(root)) for p in root.rglob("*.py") if reading.search(p.read_text()))
    assert readers == []  # config.py reads them through its ENV_TWILIO_* names, once
    named = sorted(str(p.relative_to(root)) for p in root.rglob("*.py")
                   if re.search(r"\bENV_(TWILIO_)?(TOKEN|SID)\b\s*=", p.read_text()))
    assert named == ["config.py"]
