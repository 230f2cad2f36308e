"""`wiro-voice serve`: the dashboard served by textual-serve, loaded in headless Chromium over loopback."""

from __future__ import annotations

import asyncio
import base64
import json
import os
import re
import shutil
import signal
import socket
import struct
import subprocess
import sys
import time
import zlib
from pathlib import Path

import pytest

from tui.ui.serve import ServeError, dashboard_command, plan_serve, run

CHROMIUM = shutil.which("chromium") or ("/usr/bin/chromium" if os.path.exists("/usr/bin/chromium") else None)
CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--disable-quic", "--no-first-run",
    "--window-size=1280,800", "--remote-debugging-port=0",
]
#: before the page's own script runs: keep every terminal byte the app sends over the websocket
RECORD_TERMINAL = r"""
window.__terminalBytes = [];
const NativeWebSocket = window.WebSocket;
window.WebSocket = class extends NativeWebSocket {
  constructor(...args) {
    super(...args);
    this.addEventListener("message", (event) => {
      if (typeof event.data !== "string") window.__terminalBytes.push(new Uint8Array(event.data));
    });
  }
};
window.__terminalText = () => {
  const size = window.__terminalBytes.reduce((n, chunk) => n + chunk.length, 0);
  const all = new Uint8Array(size);
  let at = 0;
  for (const chunk of window.__terminalBytes) { all.set(chunk, at); at += chunk.length; }
  return new TextDecoder().decode(all);
};
"""
ESCAPES = re.compile(r"\x1b\[[0-9;?<>=$]*[A-Za-z~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1bP[^\x1b]*\x1b\\|\x1b.")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


# -- planning: no server needed ---------------------------------------------------------------------


def test_loopback_is_quiet_and_other_addresses_are_warned_about():
    plan = plan_serve(["--demo"], host="127.0.0.1", port=8123)
    assert plan.public_url == "http://127.0.0.1:8123" and plan.warnings == ()
    assert plan.command.split()[-3:] == ["-m", "tui", "--demo"]
    exposed = plan_serve([], host="0.0.0.0", port=8123)
    assert any("anyone who can reach port 8123" in w and "ssh -L" in w for w in exposed.warnings)
    assert "0.0.0.0" not in exposed.public_url  # a browser cannot connect back to 0.0.0.0
    assert plan_serve([], host="0.0.0.0", port=8123, public_url="https://ops.example/").public_url == "https://ops.example"
    with pytest.raises(ServeError, match="must start with http"):
        plan_serve([], port=8123, public_url="ops.example")
    assert plan_serve([], port=0).port > 0  # 0 picks a free port


def test_the_dashboard_command_is_quoted():
    command = dashboard_command(["--config", "/tmp/my dir/config.toml", "--theme", "wiro-light"], python="/usr/bin/python3")
    assert command == "/usr/bin/python3 -m tui --config '/tmp/my dir/config.toml' --theme wiro-light"


def test_without_textual_serve_the_message_says_how_to_install_it(monkeypatch):
    monkeypatch.setitem(sys.modules, "textual_serve.server", None)  # as if the extra were not installed
    with pytest.raises(ServeError, match=re.escape("pip install 'wiro-voice-tui[serve]'")):
        run(plan_serve([], port=8123))


def cli_env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("WIRO_", "TWILIO_"))}
    env["WIRO_VOICE_CONFIG"] = str(tmp_path / "config.toml")
    return env


def test_a_port_in_use_is_explained(tmp_path):
    pytest.importorskip("textual_serve", reason="the `serve` extra (textual-serve) is not installed")
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = subprocess.run([sys.executable, "-m", "tui", "serve", "--demo", "--port", str(port)],
                              check=False, capture_output=True, text=True, timeout=30, env=cli_env(tmp_path))
    assert done.returncode == 2
    assert f"Cannot listen on 127.0.0.1:{port}" in done.stderr and "--port" in done.stderr


def test_an_unknown_theme_is_refused_before_serving(tmp_path):
    done = subprocess.run([sys.executable, "-m", "tui", "serve", "--demo", "--theme", "nope", "--port", "0"],
                          check=False, capture_output=True, text=True, timeout=30, env=cli_env(tmp_path))
    assert done.returncode == 2 and 'There is no theme "nope"' in done.stderr


# -- the real thing: a browser loads the served dashboard -------------------------------------------


def png_pixels(data: bytes) -> tuple[int, int, list[bytes]]:
    """Width, height and rows of RGBA/RGB bytes of an 8-bit, non-interlaced PNG (what Chromium writes)."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    at, idat, header = 8, b"", None
    while at < len(data):
        length, kind = struct.unpack(">I4s", data[at:at + 8])
        body = data[at + 8:at + 8 + length]
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat += body
        at += 12 + length
    width, height, depth, colour_type, _, _, interlace = header
    assert depth == 8 and colour_type in (2, 6) and interlace == 0
    step = 4 if colour_type == 6 else 3
    raw, stride, rows, previous = zlib.decompress(idat), width * step, [], bytearray(width * step)
    for y in range(height):
        kind, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for x in range(stride):
            left = line[x - step] if x >= step else 0
            up, corner = previous[x], previous[x - step] if x >= step else 0
            if kind == 1:
                line[x] = (line[x] + left) & 255
            elif kind == 2:
                line[x] = (line[x] + up) & 255
            elif kind == 3:
                line[x] = (line[x] + (left + up) // 2) & 255
            elif kind == 4:
                p = left + up - corner
                pa, pb, pc = abs(p - left), abs(p - up), abs(p - corner)
                line[x] = (line[x] + (left if pa <= pb and pa <= pc else up if pb <= pc else corner)) & 255
        rows.append(bytes(line))
        previous = line
    return width, height, rows


def colours_in(data: bytes) -> set[tuple[int, int, int]]:
    width, _height, rows = png_pixels(data)
    step = len(rows[0]) // width
    return {tuple(row[i:i + 3]) for row in rows for i in range(0, len(row), step)}


class DevTools:
    """Just enough of the Chrome DevTools Protocol: call a method, get its result."""

    def __init__(self, ws) -> None:
        self.ws, self.next_id = ws, 0

    async def call(self, method: str, **params):
        self.next_id += 1
        await self.ws.send_json({"id": self.next_id, "method": method, "params": params})
        async for message in self.ws:
            answer = json.loads(message.data)
            if answer.get("id") == self.next_id:
                if "error" in answer:
                    raise AssertionError(f"{method}: {answer['error']}")
                return answer["result"]
        raise AssertionError(f"Chromium closed the DevTools connection during {method}")


def stop_group(process: subprocess.Popen) -> None:
    """Stop a process we started and everything it started (its own session)."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(5)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(5)


@pytest.mark.long
@pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed (Debian: apt-get install chromium; .ci/run does it)")
def test_the_served_dashboard_draws_the_overview_in_a_browser(tmp_path):
    pytest.importorskip("textual_serve", reason="the `serve` extra (textual-serve) is not installed")
    aiohttp = pytest.importorskip("aiohttp", reason="aiohttp comes with textual-serve")
    port = free_port()
    server_log = tmp_path / "serve.log"  # a file, not a pipe: a pipe nobody reads could fill and stall it
    with server_log.open("wb") as log:
        server = subprocess.Popen([sys.executable, "-m", "tui", "serve", "--demo", "--port", str(port)],
                                  stdout=log, stderr=log, env=cli_env(tmp_path), start_new_session=True)
    profile = tmp_path / "chromium"
    browser_log = (tmp_path / "chromium.log").open("wb")
    browser = subprocess.Popen([CHROMIUM, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", "about:blank"],
                               stdout=browser_log, stderr=browser_log, start_new_session=True)
    try:
        text, full, header = asyncio.run(load_in_browser(aiohttp, f"http://127.0.0.1:{port}/", profile, server))
    finally:
        stop_group(browser)
        stop_group(server)
        browser_log.close()
    server_output = server_log.read_text(errors="replace")
    screen = ESCAPES.sub("", text)
    # the Overview, drawn by the dashboard process that textual-serve started for this tab
    for expected in ("wiro-voice", "DEMO", "Agent", "Phone channel", "Recent calls", "Front Desk"):
        assert expected in screen, f"{expected!r} not drawn; server said:\n{server_output[-2000:]}"
    # and the browser painted it: many colours, including the DEMO badge in the theme's demo colour
    assert len(colours_in(full)) > 20
    assert (218, 112, 214) in colours_in(header)  # orchid, the default theme's $demo
    assert "GET /ws" in server_output.replace("\n", " ")


async def load_in_browser(aiohttp, url: str, profile: Path, server: subprocess.Popen) -> tuple[str, bytes, bytes]:
    """Open `url` in the running Chromium; wait for the Overview; the terminal text and two screenshots."""
    deadline = time.monotonic() + 25
    active_port = profile / "DevToolsActivePort"
    async with aiohttp.ClientSession() as http:
        while True:  # both processes are starting
            ready = active_port.exists() and active_port.read_text().strip()
            try:
                async with http.get(url) as page:
                    served = page.status == 200 and "wiro-voice" in await page.text()
            except aiohttp.ClientError:
                served = False
            if ready and served:
                break
            assert server.poll() is None, "wiro-voice serve exited early"
            assert time.monotonic() < deadline, "the server or Chromium did not start in time"
            await asyncio.sleep(0.1)
        devtools_port = active_port.read_text().split()[0]
        async with http.get(f"http://127.0.0.1:{devtools_port}/json/list") as listing:
            target = next(t for t in await listing.json() if t["type"] == "page")
        async with http.ws_connect(target["webSocketDebuggerUrl"], max_msg_size=0) as ws:
            tools = DevTools(ws)
            await tools.call("Page.enable")
            await tools.call("Page.addScriptToEvaluateOnNewDocument", source=RECORD_TERMINAL)
            await tools.call("Page.navigate", url=url)
            text = ""
            while "Recent calls" not in ESCAPES.sub("", text) or "Front Desk" not in ESCAPES.sub("", text):
                assert time.monotonic() < deadline, f"the Overview did not arrive; got:\n{ESCAPES.sub('', text)[-1500:]}"
                await asyncio.sleep(0.25)
                found = await tools.call("Runtime.evaluate", expression="window.__terminalText?.() ?? ''",
                                         returnByValue=True)
                text = found["result"].get("value", "")
            await asyncio.sleep(0.5)  # let the browser paint the last frame
            full = await tools.call("Page.captureScreenshot", format="png",
                                    clip={"x": 0, "y": 0, "width": 1280, "height": 800, "scale": 0.25})
            header = await tools.call("Page.captureScreenshot", format="png",
                                      clip={"x": 0, "y": 0, "width": 1280, "height": 24, "scale": 1})
    return text, base64.b64decode(full["data"]), base64.b64decode(header["data"])
