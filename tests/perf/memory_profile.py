"""Where the demo's memory goes under live refresh: tracemalloc attribution by package.

Run in a fresh interpreter with tracing from the start (`python -X tracemalloc=1 memory_profile.py SECONDS`), so
imported modules count too: the app with the simulator in-process, headless at 120x40, on the Calls screen polling
every second at --speed 15 (what test_live_memory.py runs in a terminal). At the end it prints one JSON document:
the traced total and the largest owners, grouped by where the allocation was made (a package, or one of our own
packages; module code and data built while importing count under "imports").
"""

from __future__ import annotations

import asyncio
import gc
import json
import sys
import tracemalloc
from collections import Counter
from pathlib import Path

SPEED = 15


def group_of(filename: str) -> str:
    """The owner of an allocation made in `filename`."""
    path = filename.replace("\\", "/")
    if path.startswith("<frozen importlib") or "/importlib/" in path:
        return "imports (module code and data)"
    if "/tui/" in path:
        part = path.split("/tui/", 1)[1].split("/")
        if part[0] == "ui" and len(part) > 2:
            return f"tui/ui/{part[1]}/{Path(part[2]).stem}"
        return f"tui/{part[0]}" if len(part) > 1 else f"tui/{Path(part[0]).stem}"
    if "site-packages/" in path:
        package = path.split("site-packages/", 1)[1].split("/")[0]
        if package == "textual":
            inner = path.split("site-packages/textual/", 1)[1]
            return f"textual/{inner.split('/')[0].removesuffix('.py')}"
        return package
    return "python stdlib" if "/lib/python" in path else path


async def run(seconds: float) -> dict:
    from tui.config import Secret, Settings
    from tui.sim import Simulator
    from tui.ui.app import WiroVoiceApp

    sim = Simulator(seed=7, speed=SPEED).start()
    settings = Settings(api_key=Secret(sim.api_key), api_base=sim.wiro_base, twilio_base=sim.twilio_base,
                        agent=sim.demo_agent_guid, config_path=Path("/nonexistent/wiro-voice/config.toml"))
    app = WiroVoiceApp(settings, sim=sim, clock=sim.now)
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.pause(2.0)
            await pilot.press("c")
            await pilot.pause(1.0)
            await pilot.press("plus", "plus", "plus")  # every second
            await pilot.pause(seconds)
            gc.collect()
            snapshot = tracemalloc.take_snapshot()
            polls = app.screen.poller.polls
    finally:
        sim.stop()
    groups: Counter[str] = Counter()
    blocks: Counter[str] = Counter()
    for stat in snapshot.statistics("filename"):
        name = group_of(stat.traceback[0].filename)
        groups[name] += stat.size
        blocks[name] += stat.count
    total = sum(groups.values())
    return {"total_kib": round(total / 1024), "polls": polls, "seconds": seconds,
            "top": [{"owner": name, "kib": round(size / 1024), "blocks": blocks[name]}
                    for name, size in groups.most_common(14)]}


if __name__ == "__main__":
    if not tracemalloc.is_tracing():
        sys.exit("run with python -X tracemalloc=1")
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    print(json.dumps(asyncio.run(run(float(sys.argv[1]) if len(sys.argv) > 1 else 30.0))))
