"""The app's own state and navigation: the connection/agent Signals reach every screen, Escape goes back the
way the user came, `?` lists the screen's keys, config writes leave the event loop."""

from __future__ import annotations

import threading

import pytest
from textual.widgets import DataTable

from tui.ui.screens.help import HelpScreen
from tui.ui.state import Change, subscribe_changes

from .helpers import demo_app, goto, settle, text_of

SIZE = (120, 40)


def numbers_shown(app) -> set[str]:
    table = app.screen.query_one("#webhooks-table", DataTable)
    return {str(key.value) for key in table.rows}


async def test_an_agent_switch_reaches_a_screen_in_another_mode(sim, sim_settings):
    app = demo_app(sim, sim_settings)
    async with app.run_test(size=SIZE) as pilot:
        webhooks = await goto(app, pilot, "webhooks", rounds=6)
        before = numbers_shown(app)
        assert "+14155550142" in before
        heard: list[Change] = []
        subscribe_changes(webhooks, heard.append)
        await goto(app, pilot, "overview")
        app.use_agent(sim.stopped_agent_guid)
        await settle(app, pilot)
        # the Webhooks screen, not shown, dropped the other agent's numbers at once
        assert heard == [Change(app.generation, sim.stopped_agent_guid, "agent")]
        assert webhooks.query_one("#webhooks-table", DataTable).row_count == 0
        await goto(app, pilot, "webhooks", rounds=6)
        assert numbers_shown(app) != before


async def test_leaving_the_demo_is_a_connection_change_for_every_subscriber(sim, sim_settings):
    app = demo_app(sim, sim_settings)
    async with app.run_test(size=SIZE) as pilot:
        doctor = await goto(app, pilot, "doctor", rounds=8)
        assert doctor.findings
        connections: list[Change] = []
        agents: list[Change] = []
        app.connection_changed.subscribe(doctor, connections.append)
        app.agent_changed.subscribe(doctor, agents.append)
        app.use_settings(sim_settings.with_(agent=None))
        await settle(app, pilot)
        assert [c.what for c in connections] == ["connection"] and agents == []
        assert connections[0].agent_guid is None and connections[0].generation == app.generation
        assert doctor.findings == ()  # nothing about the old connection is kept
        await goto(app, pilot, "doctor")
        assert "No agent chosen" in text_of(app, "#doctor-state")


async def test_escape_goes_back_the_way_the_user_came(sim, sim_settings):
    app = demo_app(sim, sim_settings)
    async with app.run_test(size=SIZE) as pilot:
        await goto(app, pilot, "webhooks", rounds=6)
        await goto(app, pilot, "doctor", rounds=6)
        await goto(app, pilot, "connection")
        app.screen.set_focus(None)  # Connection focuses the key field: Escape would only leave it
        await pilot.press("escape")
        await settle(app, pilot)
        assert app.screen.id == "doctor"
        await pilot.press("escape")
        await settle(app, pilot)
        assert app.screen.id == "webhooks"
        await pilot.press("escape")
        await settle(app, pilot)
        assert app.screen.id == "overview"
        await pilot.press("escape")  # the start of the trail: nowhere further
        await settle(app, pilot)
        assert app.screen.id == "overview" and app.is_running


async def test_escape_in_a_field_leaves_the_field_first(sim, sim_settings):
    app = demo_app(sim, sim_settings)
    async with app.run_test(size=SIZE) as pilot:
        await goto(app, pilot, "doctor", rounds=6)
        await goto(app, pilot, "connection")
        assert app.focused is not None and app.focused.id == "in-api_key"
        await pilot.press("escape")
        assert app.screen.id == "connection" and app.focused is None
        await pilot.press("escape")
        await settle(app, pilot)
        assert app.screen.id == "doctor"


async def test_question_mark_lists_the_screens_keys_and_the_global_ones_with_ids(sim, sim_settings):
    app = demo_app(sim, sim_settings)
    async with app.run_test(size=(80, 24)) as pilot:
        await goto(app, pilot, "doctor", rounds=6)
        await pilot.press("question_mark")
        await settle(app, pilot)
        assert isinstance(app.screen, HelpScreen)
        shown = text_of(app, "#help-text")
        assert "On this screen (Doctor)" in shown and "Everywhere" in shown
        for line in ("Run again", "doctor.run", "goto.overview", "goto.connection", "app.quit", "app.help"):
            assert line in shown
        # `?` again closes it, as Escape does
        await pilot.press("question_mark")
        await settle(app, pilot)
        assert app.screen.id == "doctor" and app.is_running
        await pilot.press("question_mark")
        await settle(app, pilot)
        await pilot.press("escape")
        await settle(app, pilot)
        assert app.screen.id == "doctor"


@pytest.mark.parametrize("what", ["agent", "theme"])
async def test_config_writes_happen_off_the_event_loop(sim, sim_settings, monkeypatch, what):
    import tui.ui.app

    threads: list[threading.Thread] = []
    real = tui.ui.app.save_config

    def recording(path, updates):
        threads.append(threading.current_thread())
        real(path, updates)

    monkeypatch.setattr(tui.ui.app, "save_config", recording)
    app = demo_app(sim, sim_settings, agent=sim.demo_agent_guid)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        if what == "agent":
            app.use_agent(sim.stopped_agent_guid)
        else:
            app.theme = "wiro-light"
        await settle(app, pilot)
        assert threads and all(t is not threading.main_thread() for t in threads)
    written = sim_settings.config_path.read_text()
    assert (sim.stopped_agent_guid if what == "agent" else "wiro-light") in written


async def test_only_the_starting_theme_is_read_before_the_first_frame_the_others_right_after(tmp_path):
    from tui.cli.common import theme_catalog
    from tui.config import Settings
    from tui.ui.app import WiroVoiceApp

    settings = Settings(config_path=tmp_path / "config.toml", theme="wiro-light")
    catalog = theme_catalog(settings, None, partial=True)
    assert catalog.partial and catalog.names() == ["wiro-light"]
    app = WiroVoiceApp(settings, themes=catalog)
    assert app.theme == "wiro-light" and "wiro-dark" not in app.available_themes
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert {"wiro-dark", "wiro-high-contrast", "wiro-light"} <= set(app.available_themes)
        assert app.theme == "wiro-light" and not app.theme_start.catalog.partial


def test_an_unknown_theme_still_lists_every_choice(tmp_path):
    from tui.cli.common import CliError, theme_catalog
    from tui.config import Settings

    with pytest.raises(CliError) as refused:
        theme_catalog(Settings(config_path=tmp_path / "config.toml"), "wiro-lite", partial=True)
    message = str(refused.value)
    assert 'Did you mean "wiro-light"?' in message and "wiro-high-contrast" in message and "wiro-dark" in message


@pytest.mark.parametrize("dark", [True, False])
async def test_the_start_parses_the_stylesheets_once_with_the_themes_colours(tmp_path, monkeypatch, dark):
    """A second parse of every stylesheet before the first frame cost ~8 ms: a dark theme must not cause one
    (a light one goes Textual's usual way, which schedules it); either way the screen has the theme's colours."""
    from textual.css.stylesheet import Stylesheet

    from tui.config import Settings
    from tui.ui.app import WiroVoiceApp

    themes = tmp_path / "themes"
    themes.mkdir()
    (themes / "mine.toml").write_text(f'primary = "#7A3E9D"\nbackground = "#203040"\ndark = {str(dark).lower()}\n')
    reparses: list[int] = []
    real = Stylesheet.reparse
    monkeypatch.setattr(Stylesheet, "reparse", lambda self: (reparses.append(1), real(self))[1])
    app = WiroVoiceApp(Settings(config_path=tmp_path / "config.toml", theme="mine"))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert app.theme == "mine" and app.screen.styles.background.hex.upper() == "#203040"
        assert app.theme_variables["primary"].upper() == "#7A3E9D"
        assert app.has_class("-theme-mine") and app.has_class("-dark-mode") == dark
    assert (len(reparses) == 0) == dark


async def test_quitting_with_unsaved_edits_asks_and_y_answers_quit(sim, sim_settings):
    from textual.widgets import Input

    from tui.credential.drafts import draft_path
    from tui.ui.screens.confirm import Confirm

    app = demo_app(sim, sim_settings)
    async with app.run_test(size=(120, 60)) as pilot:
        await goto(app, pilot, "credentials", rounds=6)
        app.screen.query_one("#in-maxcallseconds", Input).value = "1700"
        await settle(app, pilot)
        assert app.credential_edits is not None and app.credential_edits.unsaved() == [sim.demo_agent_guid]
        app.screen.set_focus(None)
        await pilot.press("q")
        await settle(app, pilot)
        assert isinstance(app.screen, Confirm)  # asked first
        await pilot.press("y")
        await settle(app, pilot)
    assert app.return_code == 0
    assert '"1700"' in draft_path(sim_settings.config_path, sim.demo_agent_guid).read_text()


async def test_quitting_without_edits_does_not_ask(sim, sim_settings):
    app = demo_app(sim, sim_settings)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        assert app.credential_edits is None  # nothing opened that needs them: not even made
        await pilot.press("q")
        await pilot.pause()
        assert not app.is_running


async def test_help_lists_keys_that_do_nothing_right_now_too(tmp_path):
    from tui.config import Settings
    from tui.ui.app import WiroVoiceApp

    app = WiroVoiceApp(Settings(config_path=tmp_path / "config.toml", keymap={"webhooks.save_again": "f9"}))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("w")  # not connected: nothing loaded, so there is nothing to save again
        await settle(app, pilot)
        assert "Not connected" in text_of(app, "#webhooks-state")
        await pilot.press("question_mark")
        await settle(app, pilot)
        shown = text_of(app, "#help-text")
        line = next(line for line in shown.splitlines() if "webhooks.save_again" in line)
        assert "Save again (not now)" in line and line.strip().startswith("f9")
        assert "webhooks.verify" in shown and "goto.overview" in shown


async def test_a_demo_that_cannot_start_is_not_starting_forever(tmp_path):
    from tui.config import Settings
    from tui.ui.app import WiroVoiceApp

    from .helpers import notifications

    def broken():
        raise OSError("no free port")

    app = WiroVoiceApp(Settings(config_path=tmp_path / "config.toml"), start_demo=broken)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        assert any("could not start: no free port" in n for n in notifications(app))
        assert not app.demo_starting and not app.demo
        await pilot.press("w")
        await settle(app, pilot)
        assert "Not connected: no Wiro API key" in text_of(app, "#webhooks-state")


async def test_an_app_may_start_on_another_screen_and_come_back_to_it(sim, sim_settings):
    from tui.ui.app import WiroVoiceApp

    class StartsOnDoctor(WiroVoiceApp):  # as a branch that starts on another screen sets DEFAULT_MODE
        DEFAULT_MODE = "doctor"

    app = StartsOnDoctor(sim_settings.with_(agent=sim.demo_agent_guid), clock=sim.now)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot, rounds=6)
        assert app.screen.id == "doctor" and app.current_mode == "doctor" and app.screen.findings
        await goto(app, pilot, "webhooks", rounds=4)
        await goto(app, pilot, "logs", rounds=4)
        for back_to in ("webhooks", "doctor", "doctor"):  # back the way the user came, to the start, no further
            await pilot.press("escape")
            await settle(app, pilot)
            assert app.screen.id == back_to
