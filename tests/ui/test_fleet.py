"""The Fleet screen (f) with Pilot against the simulator: every agent with live figures equal to the world's,
alerts as a bell, a notification, a header count and a list; Enter makes an agent current; the `f` key is
never shadowed; the start screen when no agent is chosen."""

from __future__ import annotations

import pytest
from textual.widgets import Input

from tests.unit.watch_helpers import world_view
from tui.config import Secret
from tui.ui.navigation import DESTINATIONS
from tui.ui.widgets.header import AppHeader
from tui.ui.widgets.live_table import LiveTable

from .helpers import demo_app, goto, notifications, settle, text_of

SIZE = (140, 40)


def with_twilio(sim, settings):
    """Settings that can ask Twilio (the demo account's own SID and token, as TWILIO_* would give them)."""
    return settings.with_(twilio_account_sid=sim.twilio_account_sid,
                          twilio_auth_token=Secret(sim.twilio_auth_token))


def rows(app) -> dict[str, list[str]]:
    table = app.screen.query_one(LiveTable)
    return {row.key.value: [str(c) for c in table.get_row(row.key)] for row in table.ordered_rows}


async def test_every_agent_with_live_figures_and_the_alerts(sim, sim_settings):
    app = demo_app(sim, with_twilio(sim, sim_settings))
    bells = []
    app.bell = lambda: bells.append(1)
    async with app.run_test(size=SIZE) as pilot:
        await goto(app, pilot, "fleet")
        await settle(app, pilot)
        shown = rows(app)
        assert {sim.demo_agent_guid, sim.stopped_agent_guid, sim.setup_agent_guid, sim.nocredit_agent_guid} <= set(shown)
        for guid, cells in shown.items():
            world = world_view(sim, guid)
            assert cells[2] == str(world.active)
        demo = shown[sim.demo_agent_guid]
        assert demo[1] == "Running — answering" and int(demo[2]) > 0
        assert demo[5] == "1 of 5 ring (Twilio)"  # one number routed to Wiro, four elsewhere
        assert demo[6].startswith("✖")  # the doctor's worst: a number that does not reach the agent
        assert shown[sim.stopped_agent_guid][1] == "Stopped — not answering"
        assert shown[sim.setup_agent_guid][1] == "Setup required — no credentials"
        table = app.screen.query_one(LiveTable)
        table.move_cursor(row=table.get_row_index(sim.nocredit_agent_guid))
        await pilot.pause()
        assert "Credits left: 0." in text_of(app, "#fleet-detail")
        # the alert: a bell, a notification, the header's count and the list under the table
        assert bells == [1]
        assert any("Pilot Line" in n and "no credits left" in n for n in notifications(app))
        assert "1 alert" in app.screen.query_one(AppHeader).plain()
        alerts = text_of(app, "#fleet-alerts")
        assert "1 alert holding" in alerts and "CRITICAL" in alerts and "no credits left" in alerts
        assert "4 agents" in text_of(app, "#fleet-state") or "agents · polled" in text_of(app, "#fleet-state")
        # the count stays in the header on every screen
        await goto(app, pilot, "calls")
        assert "1 alert" in app.screen.query_one(AppHeader).plain()


async def test_enter_makes_the_agent_current(sim, sim_settings):
    app = demo_app(sim, sim_settings)
    async with app.run_test(size=SIZE) as pilot:
        await goto(app, pilot, "fleet")
        table = app.screen.query_one(LiveTable)
        table.move_cursor(row=table.get_row_index(sim.stopped_agent_guid))
        await pilot.pause()
        assert "After-hours Line" in text_of(app, "#fleet-detail") and "Not running" in text_of(app, "#fleet-detail")
        await pilot.press("enter")
        await settle(app, pilot)
        assert app.agent_guid == sim.stopped_agent_guid
        assert app.screen.id == "overview"
        assert "After-hours Line" in text_of(app, "#agent-info")


async def test_refresh_polls_again_and_a_stopped_agent_alerts_then_resolves(sim, sim_settings, clock):
    app = demo_app(sim, sim_settings)
    async with app.run_test(size=SIZE) as pilot:
        await goto(app, pilot, "fleet")
        rounds = app.fleet.rounds
        with sim.world.lock:
            sim.world.stop(sim.world.agents[sim.demo_agent_guid])
        clock.advance(10)
        await pilot.press("r")
        await settle(app, pilot)
        assert app.fleet.rounds == rounds + 1
        assert rows(app)[sim.demo_agent_guid][1] == "Stopped — not answering"
        assert "2 alerts" in app.screen.query_one(AppHeader).plain()
        assert "Front Desk — Bosphorus Dental: The agent is stopped" in text_of(app, "#fleet-alerts")
        with sim.world.lock:
            sim.world.start(sim.world.agents[sim.demo_agent_guid])
        clock.advance(10)
        await pilot.press("r")
        await settle(app, pilot)
        assert "1 alert" in app.screen.query_one(AppHeader).plain()
        assert any(n.startswith("Resolved: Front Desk") for n in notifications(app))


@pytest.mark.long
async def test_the_f_key_is_never_shadowed(sim, sim_settings):
    for destination in DESTINATIONS:
        cls = destination.make_screen().__class__
        for binding in getattr(cls, "BINDINGS", []):
            keys = binding.key if hasattr(binding, "key") else binding[0]
            assert "f" not in [k.strip() for k in keys.split(",")], f"{cls.__name__} binds f"
    app = demo_app(sim, sim_settings)
    async with app.run_test(size=SIZE) as pilot:
        for destination in DESTINATIONS:
            if destination.mode == "fleet":
                continue
            await goto(app, pilot, destination.mode)
            if isinstance(app.focused, Input):
                await pilot.press("escape")  # letters type into a field that has focus
            await pilot.press("f")
            await settle(app, pilot)
            assert app.screen.id == "fleet", f"f on {destination.mode} showed {app.screen.id}"


async def test_no_agent_chosen_starts_on_the_fleet_and_a_single_agent_is_chosen(sim, sim_settings):
    with sim.world.lock:
        for guid, agent in sim.world.agents.items():
            if guid != sim.demo_agent_guid:
                agent.deleted = True  # an account with one agent
    app = demo_app(sim, sim_settings, agent=None)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await settle(app, pilot)
        assert app.agent_guid == sim.demo_agent_guid
        assert app.screen.id == "overview"
        assert "Front Desk" in text_of(app, "#agent-info")


async def test_the_fleet_fits_the_terminal_width_and_follows_a_resize(sim, sim_settings):
    app = demo_app(sim, sim_settings)
    async with app.run_test(size=(80, 24)) as pilot:
        await goto(app, pilot, "fleet")
        await settle(app, pilot)
        table = app.screen.query_one(LiveTable)
        titles = [str(c.label) for c in table.ordered_columns]
        assert titles[:3] == ["Agent", "Status", "Now"] and "Webhooks" in titles
        assert table.virtual_size.width <= table.scrollable_content_region.width  # no horizontal scrolling
        assert rows(app)[sim.stopped_agent_guid][1].startswith("Stopped")
        await pilot.resize_terminal(140, 40)
        await settle(app, pilot)
        assert [str(c.label) for c in table.ordered_columns][-1] == "Doctor's worst finding"
        assert table.virtual_size.width <= table.scrollable_content_region.width
        assert rows(app)[sim.demo_agent_guid][6][:1] in ("✖", "!")  # the rows were drawn again for the new columns
