"""The Overview driven with Pilot against the simulator: pick, start, stop, refusals, failures."""

from __future__ import annotations

import asyncio
import socket

import pytest

from textual.widgets import OptionList

from tui.config import Secret
from tui.ui.app import WiroVoiceApp
from tui.ui.screens.agent_picker import AgentPicker
from tui.ui.screens.confirm import Confirm

from .helpers import demo_app, notifications, settle, text_of

SIZE = (120, 40)


async def test_picker_appears_without_an_agent_and_choosing_one_shows_it(sim, sim_settings):
    app = demo_app(sim, sim_settings, agent=None)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        assert app.screen.id == "fleet"  # no agent chosen and several on the account: the Fleet opens first
        await pilot.press("o")
        await settle(app, pilot)
        assert isinstance(app.screen, AgentPicker)
        options = app.screen.query_one(OptionList)
        ids = [options.get_option_at_index(i).id for i in range(options.option_count)]
        assert sim.demo_agent_guid in ids and sim.stopped_agent_guid in ids
        options.highlighted = ids.index(sim.demo_agent_guid)
        await pilot.press("enter")
        await settle(app, pilot)
        assert app.agent_guid == sim.demo_agent_guid
        assert "Running" in text_of(app, "#agent-info")
        assert "Front Desk" in text_of(app, "#agent-info")
        channel = app.screen.query_one("#channel-info")
        assert channel.value_text("Hold").startswith("spoken text, then music")
        assert "+14155550142" in channel.value_text("Numbers")
        assert "active" in app.screen.query_one("#recent-calls").plain()
        assert app.health.live
    # the choice is remembered for the next start
    assert sim.demo_agent_guid in sim_settings.config_path.read_text()


async def test_start_then_status_moves_through_queued_starting_running(sim, sim_settings, clock):
    app = demo_app(sim, sim_settings, agent=sim.stopped_agent_guid)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        assert "Stopped" in text_of(app, "#agent-info")
        await pilot.press("s", "y")
        await settle(app, pilot)
        assert any("Start requested" in n for n in notifications(app))
        assert "Queued" in text_of(app, "#agent-info")
        clock.advance(3)
        await pilot.press("r")
        await settle(app, pilot)
        assert "Starting" in text_of(app, "#agent-info")
        clock.advance(5)
        await pilot.press("r")
        await settle(app, pilot)
        assert "Running" in text_of(app, "#agent-info")
        await pilot.press("x", "y")
        await settle(app, pilot)
        assert "Stopping" in text_of(app, "#agent-info")


async def test_refusals_are_said_plainly(sim, sim_settings):
    app = demo_app(sim, sim_settings)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("s", "y")
        await settle(app, pilot)
        assert any("already running, so there is nothing to start" in n for n in notifications(app))
        await pilot.press("x", "y")
        await settle(app, pilot)
        await pilot.press("s", "y")
        await settle(app, pilot)
        assert any("still stopping" in n for n in notifications(app))


async def test_setup_required_agent_shows_the_hint_and_start_is_refused(sim, sim_settings):
    app = demo_app(sim, sim_settings, agent=sim.setup_agent_guid)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        hint = text_of(app, "#setup-hint")
        # Wiro's card holds the SID and a number but no token: the hint names what is missing, nothing more
        assert "Setup required" in hint and "Auth Token" in hint and "Account SID" not in hint
        await pilot.press("s", "y")
        await settle(app, pilot)
        assert any("Setup required" in n and "re-check setup" in n for n in notifications(app))


async def test_wrong_api_key_shows_the_401_reason_and_the_app_stays_up(sim, sim_settings):
    app = demo_app(sim, sim_settings, api_key=Secret("wrong-key-0123456789abcdef"))
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        error = text_of(app, "#overview-error")
        assert "Wiro refused the API key" in error and "not founded" in error
        assert "0123456789abcdef" not in error
        assert not app.health.live and "401" in app.health.reason
        await pilot.press("n")  # still responsive: the Connection screen opens
        await pilot.pause()
        assert app.screen.id == "connection"


async def test_unreachable_base_url_is_explained_and_keys_still_work(sim_settings, tmp_path):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    settings = sim_settings.with_(api_base=f"http://127.0.0.1:{port}/v1", agent="11111111-1111-4111-8111-111111111111")
    app = WiroVoiceApp(settings)
    app.client.retry = type(app.client.retry)(retries=1, base_delay=0.01)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        error = text_of(app, "#overview-error")
        assert "Could not reach" in error and "Retrying on its own" in error
        assert "stale since" in app.health.describe()
        await pilot.press("n")
        await pilot.pause()
        assert app.screen.id == "connection"


async def test_demo_shows_the_badge_and_the_running_agent_and_quitting_stops_the_simulator(tmp_path):
    import httpx

    from tui.config import Settings
    from tui.sim import Simulator

    demo = Simulator(seed=7).start()
    settings = Settings(api_key=Secret(demo.api_key), api_base=demo.wiro_base, agent=demo.demo_agent_guid,
                        config_path=tmp_path / "config.toml")
    app = WiroVoiceApp(settings, sim=demo)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        assert "DEMO" in app.screen.query_one("AppHeader").plain()
        assert "WIRO_API_KEY" in text_of(app, "#demo-banner")
        assert "Running" in text_of(app, "#agent-info")
        await pilot.press("q")
    with pytest.raises(httpx.TransportError):
        httpx.post(demo.wiro_base + "/UserAgent/MyAgents", json={}, timeout=0.5)
    assert not sim_settings_written(tmp_path)


def sim_settings_written(tmp_path) -> bool:
    return (tmp_path / "config.toml").exists()


async def test_palette_commands_are_named_area_verb(sim, sim_settings):
    app = demo_app(sim, sim_settings)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        titles = [c.title for c in app.get_system_commands(app.screen)]
        for expected in ("overview: open", "connection: open", "agent: start", "agent: stop", "agent: switch", "overview: refresh"):
            assert expected in titles
        ids = {b.id for b in app.BINDINGS + app.screen.BINDINGS}
        assert {"goto.overview", "goto.connection", "agent.start", "agent.stop", "app.quit"} <= ids


async def test_declining_the_picker_does_not_reopen_it_until_asked(sim, sim_settings):
    app = demo_app(sim, sim_settings, agent=None)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("o")  # the start screen is the Fleet; the Overview asks for an agent
        await settle(app, pilot)
        assert isinstance(app.screen, AgentPicker)
        await pilot.press("escape")
        await settle(app, pilot)
        assert app.screen.id == "overview" and "No agent chosen" in text_of(app, "#overview-status")
        await pilot.press("r")
        await settle(app, pilot)
        assert app.screen.id == "overview"
        await pilot.press("a")
        await settle(app, pilot)
        assert isinstance(app.screen, AgentPicker)


async def test_switching_agent_replaces_what_the_panels_show(sim, sim_settings):
    app = demo_app(sim, sim_settings)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        assert "Front Desk" in text_of(app, "#agent-info")
        await pilot.press("a")
        await settle(app, pilot)
        options = app.screen.query_one(OptionList)
        ids = [options.get_option_at_index(i).id for i in range(options.option_count)]
        assert ids[options.highlighted] == sim.demo_agent_guid  # the current agent is preselected
        options.highlighted = ids.index(sim.setup_agent_guid)
        await pilot.press("enter")
        await settle(app, pilot)
        assert "Front Desk" not in text_of(app, "#agent-info")
        assert "Setup required" in text_of(app, "#setup-hint")
        assert not app.screen.query_one("#channel-empty").display  # the setup agent's SID and number show…
        assert "missing" in str(app.screen.query_one("#channel-info").render())  # …and its token is missing


async def test_an_answer_arriving_while_the_old_panels_go_mounts_the_new_ones_once(sim, sim_settings):
    """After a switch the stale panels' removal starts when polling resumes; the first answer may arrive before it
    is done (a fast server). Its panels must wait for it, not collide with the old ones' ids."""
    app = demo_app(sim, sim_settings)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        screen = app.screen
        assert "Front Desk" in text_of(app, "#agent-info")
        app.use_agent(sim.stopped_agent_guid)
        for _ in range(3):  # the removal worker starts and is under way
            await asyncio.sleep(0)
        await screen._ensure_panels()  # what the first answer does
        await settle(app, pilot)
        assert len(screen.query("#overview-top")) == 1 and len(screen.query("#agent-info")) == 1
        assert "After-hours Line" in text_of(app, "#agent-info")


async def test_a_wrong_api_base_says_so(sim, sim_settings):
    app = demo_app(sim, sim_settings, api_base=sim.base_url + "/v2")
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        assert "Wrong API base?" in text_of(app, "#overview-error")
        assert "404 from Wiro" in app.health.describe()


async def test_a_failing_worker_is_a_notification_not_a_crash(sim, sim_settings):
    from textual import work

    from tui.ui.screens.overview import OverviewScreen

    app = demo_app(sim, sim_settings)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        screen = app.screen
        assert isinstance(screen, OverviewScreen)

        @work(exit_on_error=False)
        async def explode(self):
            raise UnicodeEncodeError("ascii", "key-with-é-SECRET", 9, 10, "no")

        worker = explode(screen)
        # not settle(): waiting on a failed worker re-raises its error; let the loop run instead
        assert worker is not None
        for _ in range(5):
            await pilot.pause()
        messages = notifications(app)
        assert any("Unexpected UnicodeEncodeError" in m for m in messages)
        assert not any("SECRET" in m for m in messages)
        assert app.is_running


async def test_stop_asks_first_naming_the_agent_and_its_calls_and_escape_keeps_it_running(sim, sim_settings):
    app = demo_app(sim, sim_settings)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        active = [s for s in app.screen.query_one("#recent-calls").sessions if s.status in ("realtime_session_active", "realtime_session_incoming")]
        sim.requests.clear()
        await pilot.press("x")
        await settle(app, pilot)
        assert isinstance(app.screen, Confirm)
        question = str(app.screen.query_one("#confirm-question").render())
        assert question.startswith("Stop Front Desk") and "?" in question and "stops answering" in question
        assert (f"{len(active)} call" in question) if active else "No call is in progress" in question
        await pilot.press("escape")
        await settle(app, pilot)
        assert app.screen.id == "overview" and sim.requests.count("/v1/UserAgent/Stop") == 0
        assert "Running" in text_of(app, "#agent-info")
        await pilot.press("x", "enter")  # Enter on the focused "Stop the agent" confirms too
        await settle(app, pilot)
        assert sim.requests.count("/v1/UserAgent/Stop") == 1 and "Stopping" in text_of(app, "#agent-info")


async def test_start_asks_first_and_says_it_takes_a_while(sim, sim_settings):
    app = demo_app(sim, sim_settings, agent=sim.stopped_agent_guid)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("s")
        await settle(app, pilot)
        question = str(app.screen.query_one("#confirm-question").render())
        assert question.startswith("Start ") and "queues" in question and "Running" in question
        sim.requests.clear()
        await pilot.press("n")  # any other key: nothing happens (n is Connection elsewhere, not here)
        await pilot.press("escape")
        await settle(app, pilot)
        assert sim.requests.count("/v1/UserAgent/Start") == 0
        assert any("not started" in n for n in notifications(app))
        await pilot.press("s", "y")
        await settle(app, pilot)
        assert sim.requests.count("/v1/UserAgent/Start") == 1 and "Queued" in text_of(app, "#agent-info")
