"""The screens reachable from anywhere: one key each, also in the command palette.

Later screens add a Destination here; the app builds its modes, bindings and commands from this list.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from textual.screen import Screen

from .screens.connection import ConnectionScreen
from .screens.overview import OverviewScreen


@dataclass(frozen=True)
class Destination:
    mode: str
    key: str
    title: str
    help: str
    screen: Callable[[], Screen]


DESTINATIONS: tuple[Destination, ...] = (
    Destination("overview", "o", "Overview", "The agent, its status, the phone channel and recent calls", OverviewScreen),
    Destination("connection", "n", "Connection", "Your Wiro API key, API base and agent", ConnectionScreen),
)
