"""Command-palette entries made from a screen's own bindings, so each action is written down once.

A binding's description is the verb ("Export CSV" → "calls: export CSV") and its tooltip says what it does. Only
the screen's own BINDINGS with an id are listed; the palette runs the binding's action on the screen.
"""

from __future__ import annotations

from typing import Iterable

from textual.app import SystemCommand
from textual.binding import Binding
from textual.screen import Screen


def commands_from_bindings(screen: Screen, area: str) -> Iterable[SystemCommand]:
    """One `area: verb` palette entry per binding of `screen`'s class (not inherited ones)."""
    seen: set[str] = set()
    for binding in Binding.make_bindings(type(screen).__dict__.get("BINDINGS", ())):
        if not binding.id or not binding.description or binding.id in seen:
            continue  # ("a,b" keys come back as one binding per key)
        seen.add(binding.id)
        verb = binding.description[0].lower() + binding.description[1:]
        yield SystemCommand(f"{area}: {verb}", binding.tooltip or binding.description,
                            lambda action=binding.action: screen.app.call_later(screen.run_action, action))
