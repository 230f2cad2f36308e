"""Heavy work in a thread that leaves the event loop responsive: `off_loop(fn, *args)`.

A thread alone is not enough. Python runs one thread at a time, and a busy thread keeps the interpreter for 5 ms
before the loop's thread gets a turn (every time the loop waits for input it gives the interpreter up again), so a
key press that takes several loop turns waits many of those 5 ms. Parsing a big answer also makes tens of thousands
of objects that outlive the young collections, and that sets off full garbage collections, each 50-100 ms in which
nothing else runs. So while such work runs the interpreter switches threads every `SWITCH_SECONDS`, and automatic
collection waits: the parsed JSON holds no reference cycles, so what is dropped is freed at once without it.
"""

from __future__ import annotations

import asyncio
import gc
import sys
import threading
from typing import Any, Callable, TypeVar

T = TypeVar("T")

SWITCH_SECONDS = 0.001

_lock = threading.Lock()
_running = 0
_saved: tuple[float, bool] | None = None


def _begin() -> None:
    global _running, _saved
    with _lock:
        if _running == 0:
            _saved = (sys.getswitchinterval(), gc.isenabled())
            sys.setswitchinterval(min(SWITCH_SECONDS, _saved[0]))
            gc.disable()
        _running += 1


def _end() -> None:
    global _running, _saved
    with _lock:
        _running -= 1
        if _running == 0 and _saved is not None:
            interval, collecting = _saved
            _saved = None
            sys.setswitchinterval(interval)
            if collecting:
                gc.enable()


def _run(fn: Callable[..., T], args: tuple[Any, ...]) -> T:
    _begin()
    try:
        return fn(*args)
    finally:
        _end()


async def off_loop(fn: Callable[..., T], *args: Any) -> T:
    """`fn(*args)` in a thread, with the loop's thread first in line for the interpreter meanwhile."""
    return await asyncio.to_thread(_run, fn, args)
