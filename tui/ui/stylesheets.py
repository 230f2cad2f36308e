"""Where each screen's stylesheet lives. Only app.tcss is read at start; a screen's own sheet is read when
the screen is first opened, so the first frame parses (and matches against) only what the Overview needs."""

from __future__ import annotations

from pathlib import Path

STYLES = Path(__file__).parent / "styles"


def sheet(name: str) -> Path:
    """The absolute path of `styles/<name>.tcss` (absolute, so Textual finds it from any module)."""
    return STYLES / f"{name}.tcss"
