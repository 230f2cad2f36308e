"""A screen opened for the first time is styled once, as it mounts (tui/ui/fresh_styles.py); shown again later, it
is styled again as Textual does, so a theme changed while it was hidden still reaches it."""

from __future__ import annotations

from textual.screen import Screen

from .helpers import demo_app, goto, settle

SCREENS = ("credentials", "calls", "logs", "hold", "webhooks", "doctor", "insights", "fleet")


def record_resumes(monkeypatch) -> list[tuple[str, bool]]:
    seen: list[tuple[str, bool]] = []
    handler = Screen._on_screen_resume  # Textual's own handler: it restyles the screen when asked to

    def spy(self, event):
        seen.append((self.id or type(self).__name__, event.refresh_styles))
        return handler(self, event)

    monkeypatch.setattr(Screen, "_on_screen_resume", spy)
    return seen


async def test_a_first_opening_is_not_styled_again_but_a_later_showing_is(sim, sim_settings, monkeypatch):
    seen = record_resumes(monkeypatch)
    app = demo_app(sim, sim_settings)
    async with app.run_test(size=(120, 40)) as pilot:
        for screen_id in SCREENS:
            await goto(app, pilot, screen_id)
        first = [refresh for name, refresh in seen if name in SCREENS]
        assert len(first) >= len(SCREENS) and not any(first), seen
        seen.clear()
        await goto(app, pilot, "credentials")  # shown again
        assert ("credentials", True) in seen


async def test_a_theme_changed_while_a_screen_was_hidden_reaches_it(sim, sim_settings):
    app = demo_app(sim, sim_settings)
    async with app.run_test(size=(120, 40)) as pilot:
        await goto(app, pilot, "credentials")
        dark = app.screen.query_one("#cred-account").styles.border_top[1]
        await goto(app, pilot, "overview")
        app.theme = "wiro-light"
        await settle(app, pilot)
        shown_again = (await goto(app, pilot, "credentials")).query_one("#cred-account").styles.border_top[1]
    fresh = demo_app(sim, sim_settings, theme="wiro-light")
    async with fresh.run_test(size=(120, 40)) as pilot:
        opened_light = (await goto(fresh, pilot, "credentials")).query_one("#cred-account").styles.border_top[1]
    assert shown_again == opened_light != dark
