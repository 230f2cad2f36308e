"""The Doctor screen: runs in a worker, lists findings by severity, shows the detail and fix of the selection."""

from __future__ import annotations

import re

from textual.widgets import OptionList

from tui.config import Secret
from tui.sim.demo import NUMBER_OK

from ..unit.doctor_worlds import demo_agent, make_healthy
from .helpers import demo_app, goto, settle, text_of

SIZE = (120, 40)


def listed(app) -> list[str]:
    listing = app.screen.query_one("#doctor-list", OptionList)
    return [str(listing.get_option_at_index(i).prompt) for i in range(listing.option_count)]


async def test_it_runs_on_opening_and_lists_findings_worst_first(sim, sim_settings):
    # as TWILIO_AUTH_TOKEN alone gives it: the SID comes from the credential
    app = demo_app(sim, sim_settings.with_(twilio_auth_token=Secret(sim.twilio_auth_token)))
    async with app.run_test(size=SIZE) as pilot:
        await goto(app, pilot, "doctor", rounds=5)
        screen = app.screen
        assert screen.findings and not screen.running
        lines = listed(app)
        headings = [m.group(1) for line in lines if (m := re.search(r"(Errors|Warnings|Notes) \(\d+\)", line))]
        assert headings == ["Errors", "Warnings", "Notes"]
        state = text_of(app, "#doctor-state")
        assert "Checked at" in state and "error" in state
        assert "Every check ran" in text_of(app, "#doctor-skipped")
        assert any("Routed to a TwiML App" in line for line in lines)
        # the first finding is highlighted and its detail shown
        detail = text_of(app, "#doctor-detail")
        assert "Seen:" in detail and "Fix:" in detail
        assert screen.highlighted_finding() == screen.findings[0]
        assert sim.twilio_auth_token not in detail + state + "".join(lines)


async def test_without_twilio_credentials_the_routing_checks_are_skipped_and_say_why(sim, sim_settings):
    app = demo_app(sim, sim_settings)  # no TWILIO_ACCOUNT_SID / TWILIO_AUTH_TOKEN in the settings
    async with app.run_test(size=SIZE) as pilot:
        await goto(app, pilot, "doctor", rounds=5)
        skipped = text_of(app, "#doctor-skipped")
        assert "Twilio routing" in skipped and "TWILIO_ACCOUNT_SID/TWILIO_AUTH_TOKEN" in skipped
        assert not any(f.id.startswith("number.") for f in app.screen.findings)


async def test_enter_on_another_finding_shows_its_detail_and_fix(sim, sim_settings):
    app = demo_app(sim, sim_settings)
    async with app.run_test(size=SIZE) as pilot:
        await goto(app, pilot, "doctor", rounds=5)
        screen = app.screen
        screen.query_one("#doctor-list", OptionList).focus()
        await pilot.press("down", "down", "enter")
        await settle(app, pilot)
        chosen = screen.highlighted_finding()
        assert chosen is not None and chosen != screen.findings[0]
        detail = text_of(app, "#doctor-detail")
        assert chosen.title.split(":")[0] in detail and "Fix:" in detail


async def test_r_runs_again_and_sees_a_fix(sim, sim_settings):
    app = demo_app(sim, sim_settings)
    async with app.run_test(size=SIZE) as pilot:
        await goto(app, pilot, "doctor", rounds=5)
        assert not any(f.id == "agent.stopped" for f in app.screen.findings)
        make_healthy(sim)
        with sim.world.lock:
            demo_agent(sim).status = 0
        await pilot.press("r")
        await settle(app, pilot, rounds=5)
        findings = app.screen.findings
        assert findings[0].id == "agent.stopped"
        assert not any(f.id.startswith("number.") for f in findings)
        assert "not answered" in text_of(app, "#doctor-detail")


async def test_a_healthy_agent_says_so(sim, sim_settings):
    make_healthy(sim)
    app = demo_app(sim, sim_settings)
    async with app.run_test(size=SIZE) as pilot:
        await goto(app, pilot, "doctor", rounds=5)
        assert "healthy, nothing to change" in text_of(app, "#doctor-state")
        assert all(f.severity == "info" for f in app.screen.findings)
        assert NUMBER_OK not in text_of(app, "#doctor-state")


async def test_the_palette_has_doctor_run(sim, sim_settings):
    app = demo_app(sim, sim_settings)
    async with app.run_test(size=SIZE) as pilot:
        await goto(app, pilot, "doctor", rounds=5)
        titles = [c.title for c in app.get_system_commands(app.screen)]
        assert "doctor: run" in titles and "doctor: open" in titles
