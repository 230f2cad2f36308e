"""An 80x24 ops terminal: the Doctor's top lines, the key bar and the Webhooks table wrap instead of running off
the edge, and the Webhooks detail holds the whole fix at any width."""

from __future__ import annotations

import re

import pytest
from textual.widgets import DataTable, Input

from .helpers import demo_app, goto, settle, text_of


def screen_text(app) -> str:
    return "\n".join(strip.text for strip in app.screen._compositor.render_strips())


def words(text: str) -> str:
    """Text with every run of spaces, newlines and box edges made one space (to find wrapped sentences)."""
    return re.sub(r"[\s│╭╮╰╯─▁▂▃▄▅▆▇█▊▋▌▍▎▏]+", " ", text)


async def verified_webhooks(app, pilot, sim):
    await goto(app, pilot, "webhooks", rounds=6)
    app.screen.query_one("#in-twilio-token", Input).value = sim.twilio_auth_token
    await pilot.press("ctrl+t")
    await settle(app, pilot, rounds=4)
    return app.screen.query_one("#webhooks-table", DataTable)


async def test_webhooks_what_to_do_wraps_at_80_columns(sim, sim_settings):
    app = demo_app(sim, sim_settings)
    async with app.run_test(size=(80, 24)) as pilot:
        table = await verified_webhooks(app, pilot, sim)
        await settle(app, pilot)
        assert table.max_scroll_x == 0, "the table runs off the right edge"
        assert max(len(line.rstrip()) for line in screen_text(app).splitlines()) <= 80
        table.focus()
        table.move_cursor(row=1)  # the TwiML App number: its fix is a long sentence
        await settle(app, pilot)
        row = table.rows[table.coordinate_to_cell_key(table.cursor_coordinate).row_key]
        assert row.height > 2  # grown to hold the wrapped sentence
        shown = words(screen_text(app))
        assert "then save the credential again in Wiro to rewrite VoiceUrl." in shown


@pytest.mark.parametrize("width", [80, 200])
async def test_the_webhooks_detail_holds_the_whole_fix(sim, sim_settings, width):
    app = demo_app(sim, sim_settings)
    async with app.run_test(size=(width, 40)) as pilot:
        table = await verified_webhooks(app, pilot, sim)
        screen = app.screen
        for index in range(table.row_count):
            table.move_cursor(row=index)
            await settle(app, pilot, rounds=1)
            row = next(r for r in screen._rows if r.number == str(table.coordinate_to_cell_key(
                table.cursor_coordinate).row_key.value))
            detail = words(text_of(app, "#webhooks-detail"))
            if row.verdict is not None and row.verdict.fix and not row.verdict.ok:
                assert words(row.verdict.fix) in detail
            assert screen.query_one("#webhooks-detail").size.width <= width


async def test_the_doctor_top_lines_wrap_and_the_detail_keeps_room_at_80x24(sim, sim_settings):
    app = demo_app(sim, sim_settings)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await goto(app, pilot, "doctor", rounds=8)
        shown = words(screen_text(app))
        for selector in ("#doctor-state", "#doctor-skipped"):
            assert words(text_of(app, selector)).strip() in shown, selector
        assert max(len(line.rstrip()) for line in screen_text(app).splitlines()) <= 80
        assert screen.query_one("#doctor-detail-panel").size.height >= 6  # lines inside; 2 with the list at 60%
        first = screen.findings[0]
        assert words(first.title) in shown  # the highlighted finding's detail is on screen
