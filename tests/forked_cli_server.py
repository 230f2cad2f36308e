"""Imported by tests/forked_cli.py's fork server only, once: every module of `tui` a command can use (all but the
Textual screens, which the dashboard and `serve` load and no forked run starts), so each forked run finds them
imported."""

from __future__ import annotations

import importlib
import pkgutil

import tui

for _module in pkgutil.walk_packages(tui.__path__, "tui."):
    if not _module.name.startswith(("tui.ui", "tui.__main__")):
        importlib.import_module(_module.name)
