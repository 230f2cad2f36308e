"""The Credentials screen against documented answers (Pilot): the newest credential fills the form, a first
save leaves setup through Update, and what Wiro refused or skipped shows where the user looks — beside the
field, in the save result — while every edit stays."""

from __future__ import annotations

import pytest
from textual.widgets import Input

from tui.config import Secret, Settings
from tui.ui.app import WiroVoiceApp
from tui.ui.widgets.list_editor import ListEditor

from ..ui.helpers import settle, text_of
from . import payloads as p
from .conftest import API_KEY

SIZE = (120, 60)


@pytest.fixture
def app(server, tmp_path):
    server.reply("UserAgent/TwilioCallHistory/List", p.history_newest())
    settings = Settings(api_key=Secret(API_KEY), api_base=server.wiro_base, twilio_base=server.twilio_base,
                        agent=p.GUID, config_path=tmp_path / "config.toml")
    return WiroVoiceApp(settings, clock=lambda: float(p.T0 + 2000))


async def open_credentials(app, pilot):
    await settle(app, pilot)
    await pilot.press("e")
    await settle(app, pilot, rounds=4)
    assert app.screen.id == "credentials" and app.screen.loaded


def value(app, name: str) -> str:
    return app.screen.query_one(f"#in-{name}", Input).value


async def save(app, pilot):
    await pilot.press("ctrl+s")
    await settle(app, pilot, rounds=8)


@pytest.mark.parametrize("token", [p.MASK, "", p.ABSENT], ids=["mask", "empty", "absent"])
async def test_the_newest_credential_fills_the_form_and_keeps_the_token(server, app, token):
    server.reply("UserAgent/Detail", p.detail_newest(credential=p.twilio_credential(authtoken=token)))
    async with app.run_test(size=SIZE) as pilot:
        await open_credentials(app, pilot)
        assert value(app, "accountsid") == p.SID and value(app, "maxcallseconds") == "900"
        assert app.screen.query_one("#list-phonenumbers", ListEditor).items == tuple(p.NUMBERS)
        assert value(app, "authtoken") == "" and "unchanged" in text_of(app, "#note-authtoken")
        assert "as saved in Wiro" in text_of(app, "#cred-state") and not app.screen.dirty


async def test_a_first_save_leaves_setup_and_says_the_new_status(server, app):
    missing_token = p.twilio_credential(authtoken="", required_missing=True)
    server.reply("UserAgent/Detail", p.detail_newest(status=6, setuprequired=True, credential=missing_token))
    server.reply("UserAgent/CredentialUpsert", p.upsert_updated())
    server.reply("UserAgent/Update", p.update_left_setup())
    async with app.run_test(size=SIZE) as pilot:
        await open_credentials(app, pilot)
        assert "unchanged" not in text_of(app, "#note-authtoken")  # Wiro has no token: it must be typed
        app.screen.query_one("#in-authtoken", Input).value = p.TOKEN
        await pilot.pause()
        server.requests.clear()
        await save(app, pilot)
        result = text_of(app, "#save-result")
        assert "Saved (8 rows applied): 2 numbers configured by Wiro" in result
        assert "Status: Setup required → Stopped (Wiro re-checked setup)" in result
        wiro = [e for e in server.endpoints() if not e.startswith("/twilio/")]
        assert wiro == ["UserAgent/CredentialUpsert", "UserAgent/Detail", "UserAgent/Update"]
        # with the token typed, Twilio is asked where the configured numbers ring (this server has no Twilio:
        # the result says the count is Wiro's word only)
        assert server.endpoints()[-1].startswith("/twilio/") and "Twilio could not say where they ring" in result
        assert app.agent.status == 0  # the header follows
        assert p.TOKEN not in result


async def test_a_partial_save_shows_the_row_error_beside_its_field_and_keeps_the_edit(server, app):
    server.reply("UserAgent/Detail", p.detail_newest())
    server.reply("UserAgent/CredentialUpsert", p.upsert_partial())
    async with app.run_test(size=SIZE) as pilot:
        await open_credentials(app, pilot)
        app.screen.query_one("#in-maxcallseconds", Input).value = "1200"
        await pilot.pause()
        await save(app, pilot)
        assert "Wiro refused it: row 3 failed: maxcallseconds could not be stored" in text_of(app, "#msg-maxcallseconds")
        assert "Saved in part: Wiro applied 6 rows but refused 1 (maxcallseconds)" in text_of(app, "#save-result")
        assert value(app, "maxcallseconds") == "1200"  # the edit is still there…
        assert app.screen.dirty and "max call seconds" in text_of(app, "#cred-state")  # …and still unsaved
        app.screen.query_one("#in-maxcallseconds", Input).focus()
        await pilot.press("backspace")  # the user answers it: Wiro's old reason goes
        await pilot.pause()
        assert "Wiro refused it" not in text_of(app, "#msg-maxcallseconds")


async def test_a_rejected_save_keeps_every_edit_with_the_reason_beside_the_field(server, app):
    server.reply("UserAgent/Detail", p.detail_newest())
    server.reply("UserAgent/CredentialUpsert", p.upsert_rejected())
    async with app.run_test(size=SIZE) as pilot:
        await open_credentials(app, pilot)
        app.screen.query_one("#in-holdvoice", Input).value = "Polly.Matthew-Neural"
        await pilot.pause()
        await save(app, pilot)
        assert "Not saved: Wiro refused the credential" in text_of(app, "#save-result")
        assert "Every edit is still here" in text_of(app, "#save-result")
        assert "Wiro refused it: Account SID is managed by Wiro" in text_of(app, "#msg-accountsid")
        assert value(app, "holdvoice") == "Polly.Matthew-Neural" and app.screen.dirty
        assert "UserAgent/Update" not in server.endpoints()


async def test_a_skipped_webhook_step_shows_the_reason(server, app):
    server.reply("UserAgent/Detail", p.detail_newest())
    server.reply("UserAgent/CredentialUpsert", p.upsert_skipped())
    async with app.run_test(size=SIZE) as pilot:
        await open_credentials(app, pilot)
        app.screen.query_one("#in-maxcallseconds", Input).value = "1000"
        await pilot.pause()
        await save(app, pilot)
        result = text_of(app, "#save-result")
        assert "the webhook step skipped" in result and f"skipped (every number): {p.NO_MATCH}" in result


async def test_the_overview_tells_access_denied_and_gone_apart_from_a_wrong_key(server, app):
    server.reply("UserAgent/Detail", p.ACCESS_DENIED_403, status=403)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot, rounds=4)
        shown = text_of(app, "#overview-error")
        assert "not the agent's owner" in shown and "refused the API key" not in shown
    server.reply("UserAgent/Detail", p.AUTH_AT_200)  # a revoked key: every endpoint says so, at HTTP 200
    server.reply("UserAgent/TwilioCallHistory/List", p.AUTH_AT_200)
    again = WiroVoiceApp(app.settings, clock=app.clock)
    async with again.run_test(size=SIZE) as pilot:
        await settle(again, pilot, rounds=4)
        assert "Wiro refused the API key" in text_of(again, "#overview-error")
        assert "live" not in str(again.screen.query_one("AppHeader").render())
