"""Five changes to the pinned Textual (and the Rich it draws with), applied when the app's module is imported: a
leak fixed, a waste cut, frames drawn when due, key names read without Unicode's name table, and plain text
measured without a cache.

1. The leak. `StylesCache.get_inner_outer` (textual/_styles_cache.py) is an instance method under
   `functools.lru_cache(1024)`, so the cache's keys hold the `StylesCache` itself: every widget's styles cache,
   with every line it last rendered, stays alive after the widget is gone, up to 1024 of them (upstream:
   Textualize/textual#6665). Showing Help 60 times and 60 notifications grew the heap by 22.9 MiB; with the fix,
   1.3 MiB. Here the same function is cached on its two colours only, as it was meant to be.
2. The waste. Every `Strip` (one line of a widget) is born with seven empty caches, one per operation that may
   later be asked of it (crop, divide, style…), and most strips are never asked any. Here each cache is made
   when its operation is first used. A dashboard holds about a thousand strips: 0.8 MiB less at start, and
   opening Calls or Logs costs ~10 % less CPU (measured: tests/perf and the README).
3. Frames drawn when due. A screen draws what changed from a timer that allows one frame per 1/60 s. Textual's
   timer keeps to a fixed grid of ticks and sleeps towards the next one before it looks whether a frame is
   wanted; after a late tick it skips to the grid point after the next. So on a busy screen (a big answer
   filling a table) a key's frame waited up to two periods, 17-33 ms, behind its action. Here the screen's timer
   draws a wanted frame at once when the last one is at least a period old, and otherwise when it becomes so:
   still at most one frame per period. With a 5000-event answer filling Logs: key p99 to the frame 26-41 ms
   against 47-59 ms, and 12 ms against 28-34 ms with nothing arriving (tests/perf/test_key_latency.py).
   A frame wanted after a key or click is drawn at once, whatever the last frame's age (the app reports input:
   `FrameTimer.input_arrived`). Traced: a key answered just after a frame waited out the rest of the period,
   and the loop filled that wait with a big answer's slices, 15-20 ms in all, before its frame.
4. Key names without Unicode's name table. To see which keys a focused widget takes for itself, a screen asks
   `key_to_character` for every binding's key, and Textual answers with `unicodedata.lookup`, most of which fail
   ("ENTER", "MINUS") after reading part of the table; the terminal's key parser names a typed "+" with
   `unicodedata.name`. Here they call `key_display`'s functions, the same answers written out: ~0.8 MiB less of
   the table paged in on Calls (tests/perf/test_live_memory.py).
5. Plain text measured without a cache. Rich measures a string's width in cells through a cache of the last
   4096 strings (`rich.cells.cached_cell_len`, which Textual calls too), and a live screen measures new text on
   every refresh: times, durations, ids. So the cache went on filling for minutes, each entry keeping its string
   alive: 1168 entries 30 s into live Calls refresh, 3599 after 10 minutes. Printable ASCII is one cell per
   character in every Unicode version, so here it is measured by its length, and only other text goes through
   Rich's cache (tests/perf/test_live_memory.py).

Each change is skipped when the Textual it meets no longer looks as expected (a fixed or changed release).
"""

from __future__ import annotations

import asyncio
from functools import lru_cache
from time import monotonic
from typing import Any

from textual._styles_cache import StylesCache
from textual.cache import FIFOCache
from textual.screen import UPDATE_PERIOD, Screen
from textual.strip import Strip
from textual.timer import EventTargetGone, Timer


def _unpin_styles_caches() -> bool:
    """Cache `get_inner_outer` on its colours only; False when there is nothing to fix."""
    current = StylesCache.__dict__.get("get_inner_outer")
    original = getattr(current, "__wrapped__", None)
    if original is None or isinstance(current, (classmethod, staticmethod)):
        return False

    @lru_cache(1024)
    def inner_outer(base_background, background):  # the colours are hashable, and all the result depends on
        return original(StylesCache, base_background, background)

    StylesCache.get_inner_outer = staticmethod(inner_outer)
    return True


def _strip_caches_on_first_use() -> bool:
    """Give `Strip` an __init__ that leaves its caches unmade and a __getattr__ that makes one when first read
    (Python calls __getattr__ for a slot never set). Sizes and the other fields' starting values are read off
    a strip made by Textual's own __init__; False when Strip is not the slotted class this expects."""
    if "__getattr__" in Strip.__dict__ or not hasattr(Strip, "__slots__"):
        return False
    made_by_textual = Strip([])
    slots = set(getattr(Strip, "__slots__", ()))
    if not {"_segments", "_cell_length"} <= slots or any(not hasattr(made_by_textual, name) for name in slots):
        return False
    sizes = {name: getattr(made_by_textual, name)._maxsize for name in slots
             if isinstance(getattr(made_by_textual, name), FIFOCache)}
    starting = {name: getattr(made_by_textual, name) for name in slots - sizes.keys() - {"_segments", "_cell_length"}}
    if not sizes or starting != {"_render_cache": None, "_link_ids": None, "_cell_count": None}:
        return False  # other fields than these three (this __init__ sets them directly: a strip is made per line drawn)

    def __init__(self: Strip, segments: Any, cell_length: int | None = None) -> None:
        self._segments = list(segments)
        self._cell_length = cell_length
        self._render_cache = self._link_ids = self._cell_count = None

    def __getattr__(self: Strip, name: str) -> FIFOCache:
        size = sizes.get(name)
        if size is None:
            raise AttributeError(f"'Strip' object has no attribute {name!r}")
        cache: FIFOCache = FIFOCache(size)
        setattr(self, name, cache)
        return cache

    __init__.__doc__ = Strip.__init__.__doc__
    Strip.__init__ = __init__  # type: ignore[method-assign]
    Strip.__getattr__ = __getattr__  # type: ignore[attr-defined]
    return True


class FrameTimer(Timer):
    """A screen's update timer: a frame as soon as one is wanted (the timer resumed) and the last is at least one
    period old, or a key or click arrived since the last began. Textual's screen pauses the timer when it draws
    and resumes it when something changes."""

    now = staticmethod(monotonic)
    sleep = staticmethod(asyncio.sleep)
    input_at = float("-inf")  # when the last key or click arrived (the app says so: `input_arrived`)

    @classmethod
    def input_arrived(cls) -> None:
        """A key or click arrived: the next frame wanted is drawn at once (the one that shows what it did)."""
        cls.input_at = cls.now()

    async def _run(self) -> None:
        last = float("-inf")
        frames = 0
        while True:
            await self._active.wait()  # a frame is wanted
            early = last + self._interval - self.now()
            if early > 0 and FrameTimer.input_at <= last:
                await self.sleep(early)
                if not self._active.is_set():  # drawn meanwhile (a layout draws the screen and pauses the timer)
                    continue
            last = self.now()
            frames += 1
            self._reset = False  # (no grid to start again from)
            try:
                await self._tick(next_timer=last, count=frames)
            except EventTargetGone:
                return


def _frames_when_due() -> bool:
    """Screens draw from a FrameTimer; False when Textual's screen no longer makes its timer as expected."""
    made = Screen.__dict__.get("_update_timer")
    if not isinstance(made, property) or made.fget is None or "_tick" not in Timer.__dict__:
        return False
    if not {"_Screen__update_timer", "set_interval"} <= set(made.fget.__code__.co_names):
        return False  # (it no longer makes the timer lazily, in the attribute this replaces)

    def _update_timer(self: Screen) -> Timer:
        timer = self._Screen__update_timer  # type: ignore[attr-defined]
        if timer is None:
            timer = FrameTimer(self, UPDATE_PERIOD, name="screen_update", callback=self._on_timer_update, pause=True)
            timer._start()
            self._timers.add(timer)
            self._Screen__update_timer = timer  # type: ignore[attr-defined]
        return timer

    Screen._update_timer = property(_update_timer, doc=made.__doc__)  # type: ignore[method-assign, assignment]
    return True


def _key_names_written_out() -> bool:
    """Screens call `key_display.key_to_character`, and the terminal's key parser and bindings
    `key_display.character_to_key`; False when Textual's modules no longer call the ones in `textual.keys`."""
    from textual import _xterm_parser, binding, keys, screen

    from .key_display import character_to_key, key_to_character

    if getattr(screen, "key_to_character", None) is not keys.key_to_character or any(
            getattr(module, "_character_to_key", None) is not keys._character_to_key
            for module in (_xterm_parser, binding)):
        return False
    screen.key_to_character = key_to_character  # type: ignore[attr-defined]
    _xterm_parser._character_to_key = character_to_key  # type: ignore[attr-defined]
    binding._character_to_key = character_to_key  # type: ignore[attr-defined]
    return True


RICH_WIDTH_CACHE: Any = None  # Rich's own cached measure, which cell_len below passes the rest to


def _plain_widths_uncached() -> bool:
    """Measure printable ASCII by its length, and keep only other text in Rich's width cache; False when Rich's
    cached measure is not where this expects it (rich.cells, rich.segment and textual._cells)."""
    import sys

    import rich.cells
    import rich.segment
    from textual import _cells

    cached = rich.cells.cached_cell_len
    if not hasattr(cached, "cache_info") or rich.segment.cached_cell_len is not cached or _cells.cell_len is not cached:
        return False

    def cell_len(text: str, unicode_version: str = "auto") -> int:
        if text.isascii() and text.isprintable():
            return len(text)  # each a one-cell character in every Unicode version
        return cached(text, unicode_version)

    cell_len.__doc__ = cached.__doc__
    global RICH_WIDTH_CACHE
    RICH_WIDTH_CACHE = cached
    for name, module in list(sys.modules.items()):
        if name.partition(".")[0] in ("rich", "textual"):
            for attribute, value in list(vars(module).items()):
                if value is cached:
                    setattr(module, attribute, cell_len)
    return True


FIXED = _unpin_styles_caches()
STRIP_CACHES_LAZY = _strip_caches_on_first_use()
FRAMES_WHEN_DUE = _frames_when_due()
KEY_NAMES_WRITTEN_OUT = _key_names_written_out()
PLAIN_WIDTHS_UNCACHED = _plain_widths_uncached()
