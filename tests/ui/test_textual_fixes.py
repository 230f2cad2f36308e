"""The changes to the pinned Textual (tui/ui/textual_fixes.py): a widget that is gone leaves nothing behind in
Textual's colour cache, and the cached colours are the ones Textual computes; a strip makes each cache when first
used, and answers as before (the snapshot tests check whole screens drawn with it); a screen draws a wanted frame
at once unless the last is younger than a period, and never more than one per period; plain text is measured as
Rich measures it, without going into its cache. (The key names: tests/ui/test_key_display.py.)"""

from __future__ import annotations

import asyncio
import gc
import weakref

import pytest
from rich.segment import Segment
from rich.style import Style as RichStyle
from textual._styles_cache import StylesCache
from textual.app import App, ComposeResult
from textual.color import Color
from textual.containers import Vertical
from textual.strip import Strip
from textual.widgets import Label

from tui.ui import textual_fixes

from .helpers import demo_app, goto_table, settle


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


def unmade(strip: Strip, name: str) -> bool:
    """Whether the slot `name` was never set (read through the slot itself, so nothing is made by looking)."""
    try:
        type(strip).__dict__[name].__get__(strip, type(strip))
    except AttributeError:
        return True
    return False


def test_a_strips_caches_are_made_when_first_used():
    assert textual_fixes.STRIP_CACHES_LAZY, "this Textual's Strip changed: see tui/ui/textual_fixes.py"
    caches = ["_crop_cache", "_divide_cache", "_style_cache", "_filter_cache", "_line_length_cache",
              "_crop_extend_cache", "_offsets_cache"]
    strip = Strip([Segment("hello "), Segment("wörld", RichStyle(bold=True))])
    assert all(unmade(strip, name) for name in caches)
    assert strip.text == "hello wörld" and strip.cell_length == 11 and strip._render_cache is None
    assert strip.crop(0, 5).text == "hello" and strip.crop(0, 5) is strip.crop(0, 5)  # the second from the cache
    assert not unmade(strip, "_crop_cache") and unmade(strip, "_divide_cache")
    assert [part.text for part in strip.divide([3, 8, 11])] == ["hel", "lo wö", "rld"]
    assert strip.extend_cell_length(14).cell_length == 14 and strip.crop_extend(6, 14, None).text == "wörld   "
    styled = strip.apply_style(RichStyle(italic=True))
    assert styled is strip.apply_style(RichStyle(italic=True)) and all(s.style.italic for s in styled)
    assert all(not unmade(strip, name) for name in ["_divide_cache", "_crop_extend_cache", "_style_cache"])
    with pytest.raises(AttributeError, match="no attribute 'nothing'"):
        strip.nothing  # noqa: B018 (a name that is no cache is still an AttributeError)


class FakeTime:
    """A clock that only the timer's sleeps move (and the test, between frames)."""

    def __init__(self) -> None:
        self.t = 1000.0
        self.slept: list[float] = []

    def now(self) -> float:
        return self.t

    async def sleep(self, seconds: float) -> None:
        self.slept.append(round(seconds, 6))
        self.t += seconds


async def test_a_frame_is_drawn_at_once_unless_the_last_is_younger_than_a_period(monkeypatch):
    monkeypatch.setattr(textual_fixes.FrameTimer, "input_at", float("-inf"))  # (no key or click yet, on this clock)
    app = Cards()
    async with app.run_test(size=(40, 24)) as pilot:
        assert textual_fixes.FRAMES_WHEN_DUE, "this Textual's screen timer changed: see tui/ui/textual_fixes.py"
        assert isinstance(app.screen._update_timer, textual_fixes.FrameTimer)  # the screens' own timer
        time = FakeTime()
        drawn: list[float] = []

        def draw() -> None:  # as a screen does: the timer pauses when it draws, and resumes when it is wanted
            timer.pause()
            drawn.append(time.t)

        timer = textual_fixes.FrameTimer(app, 0.1, name="frames", callback=draw, pause=True)
        timer.now, timer.sleep = time.now, time.sleep
        timer._start()

        async def want_frame() -> None:
            count = len(drawn)
            timer.resume()
            while len(drawn) == count:
                await asyncio.sleep(0)

        try:
            await want_frame()  # the first frame: at once
            assert drawn == [1000.0] and time.slept == []
            time.t += 0.03
            await want_frame()  # 30 ms later: waits for the period to end, no longer
            assert drawn == pytest.approx([1000.0, 1000.1]) and time.slept == [0.07]
            time.t += 0.5
            await want_frame()  # long after: at once again (no grid to wait for)
            assert drawn[-1] == pytest.approx(1000.6) and time.slept == [0.07]
            await want_frame()
            await want_frame()  # wanted again and again: one frame per period
            assert drawn[-2:] == pytest.approx([1000.7, 1000.8]) and time.slept == [0.07, 0.1, 0.1]

            async def paused_while_waiting(seconds: float) -> None:  # as a layout does when it draws the screen
                await time.sleep(seconds)
                timer.pause()

            timer.sleep = paused_while_waiting
            timer.resume()
            for _ in range(20):
                await asyncio.sleep(0)
            assert len(drawn) == 5 and time.slept[-1] == pytest.approx(0.1)  # no frame once it is no longer wanted
            timer.sleep = time.sleep
            await want_frame()  # wanted again later: at once
            assert len(drawn) == 6 and len(time.slept) == 4
            time.t += 0.01
            textual_fixes.FrameTimer.input_at = time.t  # a key arrived since that frame began
            time.t += 0.01
            await want_frame()  # 20 ms after the last: at once, to show what the key did
            assert len(drawn) == 7 and drawn[-1] == pytest.approx(drawn[-2] + 0.02) and len(time.slept) == 4
            await want_frame()  # the next, with no new input: waits for the period again
            assert len(drawn) == 8 and time.slept[-1] == pytest.approx(0.1)
            await pilot.pause()
        finally:
            timer.stop()


async def test_the_app_tells_the_frame_timer_when_a_key_arrives(sim, sim_settings, monkeypatch):
    monkeypatch.setattr(textual_fixes.FrameTimer, "input_at", float("-inf"))
    app = demo_app(sim, sim_settings)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        assert textual_fixes.FrameTimer.input_at == float("-inf")  # frames of its own: no input
        await pilot.press("down")
        assert textual_fixes.FrameTimer.input_at > float("-inf")


WIDTH_SAMPLES = ["", "Calls", "  +44 7700 900123  ", "a\tb", "bell\x07", "esc\x1b[2J", "del\x7f", "Ayşe Kaya",
                 "live · 1 s", "─┼─", "日本語", "👍🏽 ok", "e\u0301", "zero\u200bwidth", "🇹🇷", "x" * 600, "日" * 600]


def test_widths_are_richs_own():
    """Every measure Textual and Rich use answers what Rich's own does: ASCII by its length, the rest by the table."""
    import rich.cells
    import rich.segment
    from textual import _cells

    assert textual_fixes.PLAIN_WIDTHS_UNCACHED, "Rich's or Textual's width cache moved: see tui/ui/textual_fixes.py"
    for text in WIDTH_SAMPLES:
        expected = rich.cells._cell_len(text, "auto")
        assert rich.cells.cell_len(text) == rich.cells.cached_cell_len(text) == expected, repr(text)
        assert rich.segment.cached_cell_len(text) == _cells.cell_len(text) == Segment(text).cell_length == expected


async def test_plain_text_stays_out_of_the_width_cache(sim, sim_settings, clock):
    """Rich keeps up to 4096 measured strings, and a live screen measures new text on every refresh (times,
    durations, ids), so the cache went on filling for minutes (tests/perf/test_live_memory.py). Only text that needs
    the Unicode table goes in now: after the Calls screen drew 20 refreshes, no printable ASCII string is in it."""
    import rich.cells

    cache = textual_fixes.RICH_WIDTH_CACHE
    cache.cache_clear()
    entered = []  # what the cache measured: each text put in it
    original = rich.cells._cell_len
    rich.cells._cell_len = lambda text, version: entered.append(text) or original(text, version)
    try:
        app = demo_app(sim, sim_settings)
        async with app.run_test(size=(120, 40)) as pilot:
            screen, table = await goto_table(app, pilot, "calls")
            for _ in range(20):
                clock.advance(30)
                screen.poller.fire()
                await settle(app, pilot)
            assert table.row_count > 10
    finally:
        rich.cells._cell_len = original
    assert [text for text in entered if text.isascii() and text.isprintable()] == []
    assert any("·" in text for text in entered)  # (what does need the table still goes through the cache)
    assert cache.cache_info().currsize == len(set(entered))
