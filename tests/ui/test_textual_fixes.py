"""The fix for the pinned Textual's styles-cache leak (tui/ui/textual_fixes.py): a widget that is gone leaves
nothing behind in Textual's colour cache, and the cached colours are the ones Textual computes."""

from __future__ import annotations

import asyncio
import gc
import weakref

from textual._styles_cache import StylesCache
from textual.app import App, ComposeResult
from textual.color import Color
from textual.containers import Vertical
from textual.widgets import Label

from tui.ui import textual_fixes

from .helpers import demo_app, settle


class Cards(App):
    CSS = "Label { background: $panel; }"

    def compose(self) -> ComposeResult:
        yield Vertical(*(Label(f"card {n}") for n in range(20)), id="cards")


def test_a_finished_apps_styles_caches_are_freed():
    """Run to the end in a loop of its own, so nothing of the test's own frames holds the app."""

    async def run() -> list[weakref.ref]:
        app = Cards()
        async with app.run_test(size=(40, 24)) as pilot:
            await pilot.pause()
            labels = list(app.query(Label))
            assert all(len(label._styles_cache._cache) for label in labels)  # each drew its lines, through the cache
            return [weakref.ref(label._styles_cache) for label in labels]

    caches = asyncio.run(run())
    gc.collect()
    assert [ref for ref in caches if ref() is not None] == []


def test_the_cached_colours_are_textuals_own():
    assert textual_fixes.FIXED, "this Textual no longer has the bug: tui/ui/textual_fixes.py can go"
    for base, background in [(Color(10, 20, 30), Color(200, 100, 50, 0.5)), (Color(0, 0, 0), Color(255, 255, 255))]:
        inner, outer = StylesCache.get_inner_outer(base, background)
        assert inner.background == base + background and outer.background == base
        assert StylesCache.get_inner_outer(base, background) is StylesCache.get_inner_outer(base, background)


async def test_help_opened_and_closed_leaves_no_styles_caches_behind(sim, sim_settings):
    """The dashboard's own churn: each showing of Help builds its widgets anew. Before the fix every one of their
    caches stayed (measured: 60 showings of Help and 60 notifications grew the heap by 22.9 MiB, 1.3 MiB with it)."""
    app = demo_app(sim, sim_settings)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)

        async def caches_after(showings: int) -> int:
            for _ in range(showings):
                await pilot.press("question_mark")
                await pilot.pause()
                assert app.screen.id == "help"
                await pilot.press("escape")
                await pilot.pause()
            gc.collect()
            return sum(isinstance(o, StylesCache) for o in gc.get_objects())

        settled = await caches_after(1)
        assert await caches_after(5) <= settled
