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
from tui.ui.navigation import DESTINATIONS  # noqa: E402

SIZE = (120, 40)
TALL = (120, 50)  # the forms
START_EPOCH = 1_777_000_000.0
SHOWN_CONFIG = Path("/home/you/.config/wiro-voice/config.toml")
SHOWN_MUSIC = "https://cdn.wiro.ai/uploads/bosphorus/hold-loop.mp3"  # the simulator's URL has a per-run port


async def settle(app, pilot, rounds: int = 3) -> None:
    for _ in range(rounds):
        await app.workers.wait_for_complete()
        await pilot.pause()


def no_blink(app) -> None:
    from textual.widgets import TextArea

    for field in app.screen.query(Input):
        field.cursor_blink = False
    for area in app.screen.query(TextArea):
        area.cursor_blink = False


async def to_session(app, pilot, sim) -> None:
    await pilot.press("c")
    await settle(app, pilot)
    table = app.screen.query_one("#calls-table")
    rejected = next(s for s in app.screen._view() if s.status == "realtime_session_rejected")
    table.move_cursor(row=table.get_row_index(rejected.messageguid))
    await pilot.press("enter")
    await settle(app, pilot)


async def to_credentials(app, pilot, sim) -> None:
    from tui.ui.widgets.list_editor import ListEditor

    await pilot.press("e")
    await settle(app, pilot, 4)
    screen = app.screen
    screen.query_one("#in-holdmusic", Input).value = SHOWN_MUSIC
    screen.query_one("#in-accountsid", Input).value = "SK" + "3f" * 16  # the classic mistake: an API Key SID
    screen.query_one("#list-whitelistedcallers", ListEditor).set_items(["4155550100", "+14155550100"])
    screen._validate()
    screen.set_focus(None)


async def to_webhooks(app, pilot, sim) -> None:
    await pilot.press("w")
    await settle(app, pilot, 4)
    app.screen.query_one("#in-twilio-token", Input).value = sim.twilio_auth_token
    await pilot.press("ctrl+t")
    await settle(app, pilot, 4)
    app.screen.query_one("#in-twilio-token", Input).value = ""
    app.screen.query_one("#webhooks-table").move_cursor(row=1)
    app.screen.set_focus(None)


async def to_connection(app, pilot, sim) -> None:
    await pilot.press("n")
    await settle(app, pilot)
    app.screen.query_one("#in-api_base", Input).value = "https://api.wiro.ai/v1"


def press(key: str, rounds: int = 4):
    async def go(app, pilot, sim) -> None:
        await pilot.press(key)
        await settle(app, pilot, rounds)
    return go


SMALL = (80, 24)  # an ops terminal over SSH

SHOTS = (  # name (the screen, then "-80x24" for a small terminal), size, how to get there from the Overview
    ("overview", SIZE, None),
    ("credentials", TALL, to_credentials),
    ("credentials-80x24", SMALL, to_credentials),
    ("calls-80x24", SMALL, press("c")),
    ("hold", SIZE, press("h", 8)),
    ("webhooks", TALL, to_webhooks),
    ("calls", SIZE, press("c")),
    ("session", SIZE, to_session),
    ("doctor", SIZE, press("d", 8)),
    ("insights", SIZE, press("i", 8)),
    ("fleet", SIZE, press("f", 8)),
    ("logs", SIZE, press("l")),
    ("connection", SIZE, to_connection),
)


async def shoot_one(name: str, size: tuple[int, int], go) -> Path | None:
    import tempfile

    with Simulator(seed=7, clock=FakeClock(), start_epoch=START_EPOCH) as sim, tempfile.TemporaryDirectory() as tmp:
        # drafts and reports go beside the config: a scratch folder, except where the path is on screen
        config = SHOWN_CONFIG if name == "connection" else Path(tmp) / "config.toml"
        settings = Settings(api_key=Secret(sim.api_key), api_base=sim.wiro_base, twilio_base=sim.twilio_base,
                            agent=sim.demo_agent_guid, config_path=config)
        # the demo as a newcomer sees it: the doctor and the webhooks know the demo's Twilio account
        app = WiroVoiceApp(settings, sim=sim, clock=sim.now)
        screen = name.split("-")[0]
        if screen != "overview" and not any(d.mode == screen for d in DESTINATIONS) and screen != "session":
            return None  # a screen this version does not have
        async with app.run_test(size=size) as pilot:
            await settle(app, pilot)
            if go is not None:
                await go(app, pilot, sim)
            no_blink(app)
            await settle(app, pilot)
            path = HERE / f"{name}.svg"
            path.write_text(app.export_screenshot(title=f"wiro-voice — {name}"), encoding="utf-8")
            return path


async def shoot() -> list[Path]:
    written = []
    for name, size, go in SHOTS:
        path = await shoot_one(name, size, go)
        if path is not None:
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
