"""Regenerate the screenshots in this folder from the demo: fixed seed, clock, zone and size.

    python screenshots/generate.py

Writes one SVG per screen, and a PNG beside each when `rsvg-convert` (Debian: librsvg2-bin) is present.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

os.environ["TZ"] = "UTC"
time.tzset()

from textual.widgets import Input  # noqa: E402

from tui.config import Secret, Settings  # noqa: E402
from tui.sim import Simulator  # noqa: E402
from tui.sim.testing import FakeClock  # noqa: E402
from tui.ui.app import WiroVoiceApp  # noqa: E402

SIZE = (120, 40)
START_EPOCH = 1_777_000_000.0
SHOWN_CONFIG = Path("/home/you/.config/wiro-voice/config.toml")


async def settle(app, pilot) -> None:
    for _ in range(3):
        await app.workers.wait_for_complete()
        await pilot.pause()


async def shoot() -> list[Path]:
    written = []
    with Simulator(seed=7, clock=FakeClock(), start_epoch=START_EPOCH) as sim:
        settings = Settings(api_key=Secret(sim.api_key), api_base=sim.wiro_base, agent=sim.demo_agent_guid,
                            config_path=SHOWN_CONFIG)
        app = WiroVoiceApp(settings, sim=None, clock=sim.now)
        app.set_reactive(WiroVoiceApp.demo, True)  # shown as the demo a newcomer sees
        async with app.run_test(size=SIZE) as pilot:
            await settle(app, pilot)
            for name, key in (("overview", None), ("calls", "c"), ("session", "enter"), ("connection", "n")):
                if name == "session":
                    table = app.screen.query_one("#calls-table")
                    rejected = next(s for s in app.screen._view() if s.status == "realtime_session_rejected")
                    table.move_cursor(row=table.get_row_index(rejected.messageguid))
                    await settle(app, pilot)
                if name == "connection":
                    await pilot.press("escape")
                    await settle(app, pilot)
                if key:
                    await pilot.press(key)
                    await settle(app, pilot)
                    for field in app.screen.query(Input):
                        field.cursor_blink = False
                    if name == "connection":
                        app.screen.query_one("#in-api_base", Input).value = "https://api.wiro.ai/v1"
                    await pilot.pause()
                path = HERE / f"{name}.svg"
                path.write_text(app.export_screenshot(title=f"wiro-voice — {name}"), encoding="utf-8")
                written.append(path)
    return written


def main() -> int:
    svgs = asyncio.run(shoot())
    converter = shutil.which("rsvg-convert")
    for svg in svgs:
        print(svg.relative_to(HERE.parent))
        if converter:
            png = svg.with_suffix(".png")
            # rsvg draws Textual's leading no-break spaces with no width, which shifts indented text:
            # convert a copy that uses plain spaces preserved by xml:space instead.
            text = svg.read_text(encoding="utf-8").replace("&#160;", " ").replace("<svg ", '<svg xml:space="preserve" ', 1)
            subprocess.run([converter, "-o", str(png)], input=text.encode(), check=True)
            print(png.relative_to(HERE.parent))
    if not converter:
        print("rsvg-convert not found: SVGs only (apt-get install librsvg2-bin for PNGs)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
