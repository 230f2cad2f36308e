"""Credentials, issues 14 and 15: a fix touches only what has focus and says what it changed; a failed worker is
reported once; an agent switch moves the form and its banners to the new agent while the old one's edits stay;
at 80×24 Ctrl+S works from anywhere and the keys scroll the form; a draft from an earlier demo run offers only
what the user changed."""

from __future__ import annotations

import json

from textual.containers import VerticalScroll
from textual.widgets import Input, OptionList

from tui.credential.drafts import draft_path, save_draft
from tui.ui.app import WiroVoiceApp
from tui.ui.widgets.list_editor import ListEditor

from .helpers import demo_app, goto, notifications, settle, text_of

SIZE = (120, 60)
SMALL = (80, 24)


def set_value(app, name: str, value: str) -> None:
    app.screen.query_one(f"#in-{name}", Input).value = value


def screen_text(app) -> str:
    """What the terminal shows, as text lines (the screen's composed strips)."""
    return "\n".join(strip.text for strip in app.screen._compositor.render_strips())


def numbers(app) -> ListEditor:
    return app.screen.query_one("#list-phonenumbers", ListEditor)


async def test_ctrl_f_in_an_unrelated_field_leaves_the_phone_list_alone(sim, sim_settings):
    """The reported case: with a duplicate and a non-E.164 number in the list, Ctrl+F in Max call changed the list."""
    app = demo_app(sim, sim_settings)
    async with app.run_test(size=SIZE) as pilot:
        await goto(app, pilot, "credentials", rounds=6)
        listed = ("+1 (415) 555-0142", "+14155550173", "+14155550173")
        numbers(app).set_items(listed)
        app.screen.query_one("#in-maxcallseconds", Input).focus()
        await pilot.pause()
        await pilot.press("ctrl+f")
        await settle(app, pilot)
        assert numbers(app).items == listed
        assert any("Nothing to fix in max call seconds" in n for n in notifications(app))
        app.screen.set_focus(None)
        await pilot.pause()
        await pilot.press("ctrl+f")  # focus nowhere: nothing anywhere is touched either
        await settle(app, pilot)
        assert numbers(app).items == listed
        assert any("fixes the field (or list item) that has focus" in n for n in notifications(app))


async def test_ctrl_f_fixes_only_the_focused_item_and_says_what_it_changed(sim, sim_settings):
    app = demo_app(sim, sim_settings)
    async with app.run_test(size=SIZE) as pilot:
        await goto(app, pilot, "credentials", rounds=6)
        numbers(app).set_items(["+1 (415) 555-0142", "+14155550173", "+14155550173", "+1 415 555 0199"])
        options = numbers(app).query_one(OptionList)
        options.focus()
        options.highlighted = 0
        await pilot.pause()
        await pilot.press("ctrl+f")
        await settle(app, pilot)
        assert numbers(app).items == ("+14155550142", "+14155550173", "+14155550173", "+1 415 555 0199")
        assert "Fixed: phone number #1: +1 (415) 555-0142 → +14155550142" in notifications(app)
        assert app.screen.dirty and "phone numbers" in text_of(app, "#cred-state")
        options = numbers(app).query_one(OptionList)
        assert options.has_focus  # still in the list, ready for the next one
        options.highlighted = 2
        await pilot.press("ctrl+f")
        await settle(app, pilot)
        # the duplicate went; item 4 (also not E.164) was not touched
        assert numbers(app).items == ("+14155550142", "+14155550173", "+1 415 555 0199")
        assert "Fixed: phone number #3: removed +14155550173" in notifications(app)
        numbers(app).query_one(OptionList).highlighted = 1
        await pilot.press("ctrl+f")
        await settle(app, pilot)
        assert any("Nothing to fix in phone number #2" in n for n in notifications(app))
        assert numbers(app).items[2] == "+1 415 555 0199"


async def test_the_duplicate_message_counts_from_1_like_the_list(sim, sim_settings):
    app = demo_app(sim, sim_settings)
    async with app.run_test(size=SIZE) as pilot:
        await goto(app, pilot, "credentials", rounds=6)
        numbers(app).set_items(["+14155550142", "+14155550173", "+14155550142"])
        app.screen._validate()
        await pilot.pause()
        shown = [str(option.prompt) for option in numbers(app).query_one(OptionList).options]
        assert shown[2].startswith(" 3. +14155550142") and "same number as #1" in shown[2]
        assert "[0]" not in shown[2] and "[2]" not in shown[2]


async def test_a_failed_worker_is_reported_once(sim, sim_settings, monkeypatch):
    """The screen's handler called the mixin's too, and Textual calls it by itself: two notifications."""
    from tui.ui.screens import credentials_jobs

    async def broken(*_args, **_kwargs):  # a bug, not a Twilio answer: the worker itself fails
        raise RuntimeError("boom")

    monkeypatch.setattr(credentials_jobs, "verify_pair", broken)
    app = demo_app(sim, sim_settings)
    async with app.run_test(size=SIZE) as pilot:
        await goto(app, pilot, "credentials", rounds=6)
        set_value(app, "authtoken", "f" * 32)
        await pilot.press("ctrl+t")
        await settle(app, pilot)
        failures = [n for n in notifications(app) if n.startswith("Something failed")]
        assert failures == ["Something failed: Unexpected RuntimeError. The app keeps running; details are in the Textual log."]
        assert "could not be made" in text_of(app, "#verify-result")


async def test_switching_agent_moves_the_form_and_banners_and_keeps_the_old_edits(sim, sim_settings):
    app = demo_app(sim, sim_settings)
    async with app.run_test(size=SIZE) as pilot:
        await goto(app, pilot, "credentials", rounds=6)
        set_value(app, "maxcallseconds", "1800")
        await pilot.pause()
        await pilot.press("ctrl+s")
        await settle(app, pilot, rounds=8)
        assert "Saved" in text_of(app, "#save-result")
        set_value(app, "maxcallseconds", "2400")  # an edit of the first agent's, not saved
        await pilot.pause()
        first = sim.demo_agent_guid
        app.use_agent(sim.stopped_agent_guid)
        await settle(app, pilot, rounds=6)
        screen = app.screen
        assert not screen.query_one("#save-result").display  # the save banner was the first agent's
        assert screen.query_one("#in-maxcallseconds", Input).value == "900"  # the second agent's credential
        assert not screen.dirty and "as saved in Wiro" in text_of(app, "#cred-state")
        assert app.credential_edits.get(first).current.maxcallseconds == "2400"  # kept for the first agent
        await app.credential_edits.write_now()
        stored = json.loads(draft_path(sim_settings.config_path, first).read_text())
        assert stored["values"]["maxcallseconds"] == "2400" and stored["changed"] == ["maxcallseconds"]
        app.use_agent(first)
        await settle(app, pilot, rounds=6)
        assert app.screen.query_one("#in-maxcallseconds", Input).value == "2400" and app.screen.dirty


async def test_at_80x24_ctrl_s_works_from_a_field_and_says_why_it_refused(sim, sim_settings):
    app = demo_app(sim, sim_settings)
    async with app.run_test(size=SMALL) as pilot:
        await goto(app, pilot, "credentials", rounds=6)
        set_value(app, "accountsid", "SK" + "0" * 32)
        app.screen.query_one("#in-accountsid", Input).focus()
        await pilot.pause()
        save = app.screen.query_one("#save")
        assert save.region.y >= 24 or not save.region  # Save is below the fold at this size
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        refused = [n for n in notifications(app) if n.startswith("Not saved")]
        assert refused and "Account SID" in refused[-1] and "API Key SID" in refused[-1]
        set_value(app, "accountsid", sim.twilio_account_sid)
        set_value(app, "maxcallseconds", "901")
        app.screen.query_one("#in-maxcallseconds", Input).focus()
        await pilot.pause()
        await pilot.press("ctrl+s")  # from inside a field
        await settle(app, pilot, rounds=8)
        with sim.world.lock:
            assert int(sim.world.agents[sim.demo_agent_guid].twilio["maxcallseconds"]) == 901


async def test_at_80x24_page_keys_scroll_the_form_once_escape_left_the_field(sim, sim_settings):
    app = demo_app(sim, sim_settings)
    async with app.run_test(size=SMALL) as pilot:
        await goto(app, pilot, "credentials", rounds=6)
        body = app.screen.query_one("#cred-body", VerticalScroll)
        box = app.screen.query_one("#in-maxcallseconds", Input)
        box.focus()
        await pilot.wait_for_scheduled_animations()  # focusing scrolls the field into view
        box.cursor_position = 1
        before = body.scroll_y
        await pilot.press("end")  # in a field, End is the field's own
        assert box.cursor_position == len(box.value) and body.scroll_y == before
        await pilot.press("escape", "home")
        await pilot.pause()
        assert app.screen.focused is None and body.scroll_y == 0
        await pilot.press("pagedown")
        await pilot.pause()
        assert body.scroll_y > 0
        await pilot.press("end")
        await pilot.pause()
        assert body.scroll_y == body.max_scroll_y > 0
        await pilot.press("home")
        await pilot.pause()
        assert body.scroll_y == 0
        await pilot.press("pagedown", "pageup")
        await pilot.pause()
        assert body.scroll_y == 0


async def test_the_voice_picker_fits_80_columns(sim, sim_settings):
    app = demo_app(sim, sim_settings)
    async with app.run_test(size=SMALL) as pilot:
        await goto(app, pilot, "credentials", rounds=6)
        app.screen.query_one("#in-holdvoice", Input).focus()
        await pilot.press("f3")
        await settle(app, pilot)
        assert app.screen.__class__.__name__ == "VoicePicker"
        panel = app.screen.query_one("#voice-picker")
        assert panel.region.x >= 0 and panel.region.right <= 80
        app.screen.query_one("#voice-search", Input).value = "Chirp3-HD-Charon"
        await pilot.pause()
        shown = screen_text(app)
        # the help wraps instead of running off the edge, and a long voice name shows whole, language included
        assert "gets a warning." in shown
        assert "Google.ar-XA-Chirp3-HD-Charon  ar-XA" in shown


async def test_a_draft_from_an_earlier_demo_run_offers_only_what_the_user_changed(sim, sim_settings):
    """The demo's simulator listens on another port each run: the hold music URL in the draft is not an edit."""
    path = draft_path(sim_settings.config_path, sim.demo_agent_guid)
    save_draft(path, {"maxcallseconds": "1500", "holdmusic": "http://127.0.0.1:1/files/hold-loop.mp3"},
               token_was_typed=False, now=sim.now() - 3600, changed=["maxcallseconds"])
    app = demo_app(sim, sim_settings)
    async with app.run_test(size=SIZE) as pilot:
        await goto(app, pilot, "credentials", rounds=6)
        offer = text_of(app, "#cred-draft-text")
        assert "max call seconds" in offer and "music" not in offer
        music = app.screen.query_one("#in-holdmusic", Input).value
        await pilot.click("#draft-restore")
        await pilot.pause()
        assert app.screen.query_one("#in-maxcallseconds", Input).value == "1500"
        assert app.screen.query_one("#in-holdmusic", Input).value == music  # Wiro's URL, not the old port's
        assert app.screen.changed_fields() == ["maxcallseconds"]


async def test_the_save_says_how_many_numbers_really_ring_the_agent(sim, sim_settings):
    """The demo's numbers cover every routing: Wiro configures some that Twilio still routes elsewhere."""
    app = WiroVoiceApp(sim_settings.with_(agent=sim.demo_agent_guid), sim=sim, clock=sim.now)
    async with app.run_test(size=SIZE) as pilot:
        await goto(app, pilot, "credentials", rounds=6)
        set_value(app, "maxcallseconds", "900")
        await pilot.pause()
        await pilot.press("ctrl+s")
        await settle(app, pilot, rounds=10)
        result = text_of(app, "#save-result")
        assert "4 numbers configured by Wiro; 2 still routed elsewhere on Twilio — see Webhooks" in result
        assert "Routed to a TwiML App — it does not ring the agent" in result
        assert "Routed to a SIP Trunk — it does not ring the agent" in result
        assert any("2 still routed elsewhere" in n for n in notifications(app))
        assert not any("now answer through Wiro" in n for n in notifications(app))  # the old overstatement


async def test_a_very_narrow_terminal_does_not_crash_the_forms(sim, sim_settings):
    """At 12 columns the number list had no width left beside its indent: Rich's line chopping raised."""
    app = demo_app(sim, sim_settings)
    async with app.run_test(size=(12, 24)) as pilot:
        await goto(app, pilot, "credentials", rounds=6)
        assert app.screen.loaded and numbers(app).items
        await goto(app, pilot, "hold", rounds=6)
        assert app.is_running and app.screen.id == "hold"


async def test_a_save_running_when_the_agent_changes_finishes_for_its_own_agent(sim, sim_settings):
    app = demo_app(sim, sim_settings)
    async with app.run_test(size=SIZE) as pilot:
        await goto(app, pilot, "credentials", rounds=6)
        first = sim.demo_agent_guid
        set_value(app, "maxcallseconds", "1700")
        await pilot.pause()
        app.screen.action_save()  # what ctrl+s does, without waiting for the app to go idle…
        app.use_agent(sim.stopped_agent_guid)  # …so the agent changes while the save is on its way
        await settle(app, pilot, rounds=10)
        with sim.world.lock:
            assert int(sim.world.agents[first].twilio["maxcallseconds"]) == 1700  # not cancelled half-way
        screen = app.screen
        assert not screen.query_one("#save-result").display and not screen.saving
        assert screen.query_one("#in-maxcallseconds", Input).value == "900"  # the second agent's form
        assert any(n.startswith("Credential saved (previous agent)") for n in notifications(app)), notifications(app)
        edits = app.credential_edits.get(first)
        assert edits.loaded.maxcallseconds == "1700" and not edits.dirty  # the first agent's edits know it saved
