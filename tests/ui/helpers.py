"""Helpers for driving the app with Pilot: make it, open a screen, wait for it to settle, read what it shows."""

from __future__ import annotations

from textual.screen import Screen
from textual.widgets import Static

from tui.ui.app import WiroVoiceApp
from tui.ui.widgets.live_table import LiveTable

#: The key that opens each screen from anywhere (README, "Screens and keys"), by screen id. Written out here
#: rather than read from the app, so a test notices when a key changes.
SCREEN_KEYS = {"overview": "o", "fleet": "f", "credentials": "e", "webhooks": "w", "hold": "h", "calls": "c",
               "logs": "l", "doctor": "d", "connection": "n", "insights": "i"}


def demo_app(sim, settings, **changes) -> WiroVoiceApp:
    """The app against `sim` on its clock, showing the demo agent (`agent=None` starts on the Fleet; the Overview
    then brings up the agent picker).
    `changes` go to `settings.with_` (a theme, another API base, …)."""
    changes.setdefault("agent", sim.demo_agent_guid)
    return WiroVoiceApp(settings.with_(**changes), clock=sim.now)


async def goto(app, pilot, screen_id: str, *, rounds: int = 3) -> Screen:
    """Let the app settle, press the screen's key and wait `rounds` times for what opening it starts (screens
    that load in several steps need more); fails unless that screen is shown. Returns the screen."""
    await settle(app, pilot)
    await pilot.press(SCREEN_KEYS[screen_id])
    await settle(app, pilot, rounds)
    assert app.screen.id == screen_id, f"pressing {SCREEN_KEYS[screen_id]!r} showed {app.screen.id!r}"
    return app.screen


async def goto_table(app, pilot, screen_id: str) -> tuple[Screen, LiveTable]:
    """`goto` a screen built around a live table (Calls, Logs); the screen and its table."""
    screen = await goto(app, pilot, screen_id)
    return screen, screen.query_one(LiveTable)


def notifications(app) -> list[str]:
    """The text of every notification raised so far (title and message)."""
    return [f"{n.title}: {n.message}" for n in app._notifications]


def text_of(app, selector: str) -> str:
    widget = app.screen.query_one(selector, Static)
    return str(widget.render())


async def settle(app, pilot, rounds: int = 3) -> None:
    """Let workers finish and their messages be handled (no sleeping on wall time)."""
    for _ in range(rounds):
        await app.workers.wait_for_complete()
        await pilot.pause()
