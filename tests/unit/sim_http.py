"""Raw HTTP against the simulator, for the tests of its rules (no client in between)."""

from __future__ import annotations

import httpx

from tui.sim import DEMO_API_KEY

http = httpx.Client(timeout=5)  # one client: creating one per request costs ~20 ms


def post(sim, path: str, body: dict | None = None) -> dict:
    """POST a Wiro endpoint with the demo key; the envelope must come back with HTTP 200."""
    r = http.post(sim.wiro_base + path, json=body or {}, headers={"x-api-key": DEMO_API_KEY})
    assert r.status_code == 200
    return r.json()
