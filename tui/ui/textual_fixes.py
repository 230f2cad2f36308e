"""A fix for a bug in the pinned Textual, applied when the app's module is imported.

`StylesCache.get_inner_outer` (textual/_styles_cache.py) is an instance method under `functools.lru_cache(1024)`,
so the cache's keys hold the `StylesCache` itself: every widget's styles cache, with every line it last
rendered, stays alive after the widget is gone, up to 1024 of them (upstream: Textualize/textual#6665). Here
the same function is cached on its two colours only, as it was meant to be. Nothing changes when Textual
no longer decorates an instance method there (a fixed release): the fix is then skipped.
"""

from __future__ import annotations

from functools import lru_cache

from textual._styles_cache import StylesCache


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


FIXED = _unpin_styles_caches()
