"""Helpers for driving the app with Pilot."""

from __future__ import annotations

from textual.widgets import Static


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
