"""The Connection form: validation as you type, test connection, save (0600), leaving the demo."""

from __future__ import annotations

import os
import stat

from textual.widgets import Input

from tui.config import Secret, Settings, read_config_file
from tui.ui.app import WiroVoiceApp

from .helpers import demo_app, goto, settle, text_of

SIZE = (120, 40)


def set_value(app, name: str, value: str) -> None:
    app.screen.query_one(f"#in-{name}", Input).value = value


async def test_fields_are_checked_as_you_type(sim, sim_settings):
    app = demo_app(sim, sim_settings)
    async with app.run_test(size=SIZE) as pilot:
        await goto(app, pilot, "connection")
        set_value(app, "agent", "not-a-guid")
        set_value(app, "api_key", "has a space in it")
        set_value(app, "api_base", "ftp://example")
        await pilot.pause()
        assert "UUID" in text_of(app, "#msg-agent")
        assert "no spaces" in text_of(app, "#msg-api_key")
        assert "https://" in text_of(app, "#msg-api_base")
        set_value(app, "agent", sim.demo_agent_guid)
        await pilot.pause()
        assert text_of(app, "#msg-agent") == "" and not app.screen.query_one("#msg-agent").display
        await pilot.press("ctrl+s")  # blocked: the key field is still wrong
        await pilot.pause()
        assert "Fix the marked field" in text_of(app, "#connection-result")
        assert not sim_settings.config_path.exists()


async def test_test_connection_reports_the_servers_answer(sim, sim_settings):
    app = demo_app(sim, sim_settings)
    async with app.run_test(size=SIZE) as pilot:
        await goto(app, pilot, "connection")
        await pilot.press("ctrl+t")
        await settle(app, pilot)
        assert "Connected" in text_of(app, "#connection-result") and "Running" in text_of(app, "#connection-result")
        set_value(app, "api_key", "wrong-key-0123456789abcdef")
        await pilot.press("ctrl+t")
        await settle(app, pilot)
        result = text_of(app, "#connection-result")
        assert "refused" in result and "not founded" in result and "0123456789abcdef" not in result
        assert "does not recognise this key" in result and "signature" not in result
        from tui.sim import DEMO_SIG_API_KEY

        set_value(app, "api_key", DEMO_SIG_API_KEY)
        await pilot.press("ctrl+t")
        await settle(app, pilot)
        assert "uses signature authentication: fill in its API secret" in text_of(app, "#connection-result")


async def test_saving_leaves_the_demo_and_writes_a_private_file(sim, tmp_path):
    from tui.sim import Simulator

    demo = Simulator(seed=3).start()  # the app owns this one and must stop it
    settings = Settings(
        api_key=Secret(demo.api_key),
        api_base=demo.wiro_base,
        agent=demo.demo_agent_guid,
        config_path=tmp_path / "wiro" / "config.toml",
    )
    app = WiroVoiceApp(settings, sim=demo)
    async with app.run_test(size=SIZE) as pilot:
        await goto(app, pilot, "connection")
        assert app.demo and "DEMO" in app.screen.query_one("AppHeader").plain()
        set_value(app, "api_key", sim.api_key)
        set_value(app, "api_base", sim.wiro_base)
        set_value(app, "agent", sim.demo_agent_guid)
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert app.screen.id == "overview"
        assert not app.demo and app.sim is None
        assert app.client.base_url == sim.wiro_base
        assert "Running" in text_of(app, "#agent-info")
        svg = app.export_screenshot()
        assert sim.api_key not in svg
    path = settings.config_path
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert read_config_file(path)["agent"] == sim.demo_agent_guid
    # the demo simulator was stopped when the app left the demo
    import httpx

    try:
        httpx.post(demo.wiro_base + "/UserAgent/MyAgents", timeout=0.5)
        stopped = False
    except httpx.TransportError:
        stopped = True
    assert stopped


async def test_the_key_is_a_password_field_and_never_on_screen(sim, sim_settings):
    app = demo_app(sim, sim_settings)
    async with app.run_test(size=SIZE) as pilot:
        await goto(app, pilot, "connection")
        field = app.screen.query_one("#in-api_key", Input)
        assert field.password and field.value == sim.api_key
        assert sim.api_key not in app.export_screenshot()
        await pilot.press("f2")
        assert not field.password
        await pilot.press("f2")
        assert field.password


async def test_escape_leaves_the_field_then_the_screen(sim, sim_settings):
    app = demo_app(sim, sim_settings)
    async with app.run_test(size=SIZE) as pilot:
        await goto(app, pilot, "connection")
        assert app.focused is app.screen.query_one("#in-api_key", Input)
        await pilot.press("n")  # typed into the field, not a screen switch
        assert app.screen.id == "connection" and app.focused.value.endswith("n")
        await pilot.press("escape")
        assert app.focused is None
        await pilot.press("escape")
        await settle(app, pilot)
        assert app.screen.id == "overview"
