"""The Webhooks screen: every verdict from the demo world, the last save report, save again, the tester."""

from __future__ import annotations

from textual.widgets import DataTable, Input

from .helpers import demo_app, goto, settle, text_of

SIZE = (130, 60)


def table_rows(app) -> dict[str, list[str]]:
    table = app.screen.query_one("#webhooks-table", DataTable)
    return {str(key.value): [str(c) for c in table.get_row(key)] for key in table.rows}


async def test_verification_shows_every_verdict_of_the_demo_world(sim, sim_settings):
    app = demo_app(sim, sim_settings)
    async with app.run_test(size=SIZE) as pilot:
        await goto(app, pilot, "webhooks", rounds=6)
        rows = table_rows(app)
        assert all(cells[2] == "not checked" for cells in rows.values())
        assert all(cells[1] == "no report" for cells in rows.values())
        app.screen.query_one("#in-twilio-token", Input).value = sim.twilio_auth_token
        await pilot.press("ctrl+t")
        await settle(app, pilot)
        rows = table_rows(app)
        twilio = {number: cells[2] for number, cells in rows.items()}
        assert twilio["+14155550142"].startswith("Webhook to Wiro")
        assert "TwiML App" in twilio["+14155550173"]
        assert "SIP Trunk" in twilio["+447700900123"]
        assert "Studio Flow" in twilio["+902125550147"]
        assert "Not on this Twilio account" in twilio["+14155550163"]
        assert rows["+14155550199"][1] == "not in credential"  # on the account, not answered by this agent
        assert "Twilio accepts the pair" in text_of(app, "#webhooks-account")
        assert "1 of 5 numbers ring the agent" in text_of(app, "#webhooks-state")
        assert sim.twilio_auth_token not in text_of(app, "#webhooks-account") + text_of(app, "#webhooks-detail")


async def test_a_wrong_token_is_named_and_nothing_is_classified(sim, sim_settings):
    app = demo_app(sim, sim_settings)
    async with app.run_test(size=SIZE) as pilot:
        await goto(app, pilot, "webhooks", rounds=6)
        app.screen.query_one("#in-twilio-token", Input).value = "0" * 32
        await pilot.press("ctrl+t")
        await settle(app, pilot)
        assert "20003" in text_of(app, "#webhooks-account") or "reject" in text_of(app, "#webhooks-account").lower()
        assert all(cells[2] == "not checked" for cells in table_rows(app).values())


async def test_a_failed_webhook_flow_leads_with_a_banner_and_save_again_fixes_it(sim, sim_settings):
    app = demo_app(sim, sim_settings)
    async with app.run_test(size=SIZE) as pilot:
        await goto(app, pilot, "credentials", rounds=6)
        with sim.world.lock:
            sim.world.twilio_outage = True
        await pilot.press("ctrl+s")
        await settle(app, pilot, rounds=6)
        assert "could not configure any number" in text_of(app, "#save-result")
        await goto(app, pilot, "webhooks", rounds=6)
        assert app.screen.query_one("#webhooks-banner").display
        assert "No number was configured this round" in text_of(app, "#webhooks-banner-text")
        assert all(cells[1] == "not in the last save" for cells in table_rows(app).values())
        with sim.world.lock:
            sim.world.twilio_outage = False
        await pilot.press("ctrl+g")
        await settle(app, pilot, rounds=6)
        assert not app.screen.query_one("#webhooks-banner").display
        rows = table_rows(app)
        assert rows["+14155550142"][1] == "updated"
        assert rows["+14155550163"][1] == "failed"  # newest docs: {phoneNumber, error} under twilioWebhooksFailed


async def test_the_report_survives_a_restart(sim, sim_settings):
    app = demo_app(sim, sim_settings)
    async with app.run_test(size=SIZE) as pilot:
        await goto(app, pilot, "credentials", rounds=6)
        await pilot.press("ctrl+s")
        await settle(app, pilot, rounds=6)
    again = demo_app(sim, sim_settings)
    async with again.run_test(size=SIZE) as pilot:
        await goto(again, pilot, "webhooks", rounds=6)
        assert "last save" in text_of(again, "#webhooks-state")
        assert table_rows(again)["+14155550142"][1] == "updated"


async def test_a_save_from_the_credentials_screen_writes_the_report_once(sim, sim_settings, monkeypatch):
    import tui.credential.save
    import tui.webhooks.store

    written = []
    for module in (tui.credential.save, tui.webhooks.store):
        original = module.save_report
        monkeypatch.setattr(module, "save_report", lambda path, report, original=original: (
            written.append((path, report.made_at)), original(path, report))[1])
    app = demo_app(sim, sim_settings)
    async with app.run_test(size=SIZE) as pilot:
        await goto(app, pilot, "credentials", rounds=6)
        await pilot.press("ctrl+s")
        await settle(app, pilot, rounds=6)
        assert "Saved" in str(app.screen.query_one("#save-result").render())
    assert len(written) == 1 and written[0][0].parent == sim_settings.config_path.parent / "webhook-reports"
    assert written[0][1] == sim.now()  # made at the app's clock (the simulator's, in the demo)


async def test_the_whitelist_tester_shows_the_two_forms_trap(sim, sim_settings):
    with sim.world.lock:
        sim.world.agents[sim.demo_agent_guid].twilio["whitelistedcallers"] = ["+14155551234"]
    app = demo_app(sim, sim_settings)
    async with app.run_test(size=SIZE) as pilot:
        await goto(app, pilot, "webhooks", rounds=6)
        caller = app.screen.query_one("#in-caller", Input)
        caller.value = "+14155551234"
        await pilot.pause()
        assert "reaches the agent" in text_of(app, "#tester-result")
        caller.value = "4155551234"
        await pilot.pause()
        line = text_of(app, "#tester-result")
        assert "busy" in line and "4155551234" in line
        assert app.screen.query_one("#tester-result").has_class("error")
        caller.value = "+266696687"
        await pilot.pause()
        assert "busy" in text_of(app, "#tester-result")
