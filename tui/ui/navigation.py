"""The screens reachable from anywhere: one key each, also in the command palette.

Later screens add a Destination here; the app builds its modes, bindings and commands from this list.
"""

from __future__ import annotations

from importlib import import_module
from typing import NamedTuple

from textual.screen import Screen


class Destination(NamedTuple):  # NamedTuple, not a dataclass: made at start-up, where a dataclass costs ~0.4 ms
    mode: str
    key: str
    title: str
    help: str
    #: "module:Class" under tui.ui.screens, imported when the screen is first opened (not at start-up)
    screen_path: str

    def make_screen(self) -> Screen:
        module, _, name = self.screen_path.partition(":")
        return getattr(import_module(f"tui.ui.screens.{module}"), name)()


DESTINATIONS: tuple[Destination, ...] = (
    Destination("overview", "o", "Overview", "The agent, its status, the phone channel and recent calls", "overview:OverviewScreen"),
    Destination("fleet", "f", "Fleet", "Every agent at a glance: status, calls, webhooks, the doctor's worst finding; the alerts", "fleet:FleetScreen"),
    Destination("credentials", "e", "Credentials", "The twilio-voice credential: account, numbers, whitelist, hold", "credentials:CredentialsScreen"),
    Destination("webhooks", "w", "Webhooks", "Per number: what Wiro wrote on the last save and what Twilio really routes", "webhooks:WebhooksScreen"),
    Destination("hold", "h", "Hold", "Hear what callers hear while the agent connects; premix a voice over music", "hold:HoldScreen"),
    Destination("calls", "c", "Calls", "The live call history; Enter opens a session", "calls:CallsScreen"),
    Destination("insights", "i", "Insights", "Every call accounted for: reached, missed (and why), rejected, cost, charts", "insights:InsightsScreen"),
    Destination("logs", "l", "Logs", "The agent's activity log, newest first; Enter shows every key of an event", "logs:LogsScreen"),
    Destination("doctor", "d", "Doctor", "Every check that can be made from here, worst first, each with its fix", "doctor:DoctorScreen"),
    Destination("connection", "n", "Connection", "Your Wiro API key, API base and agent", "connection:ConnectionScreen"),
)
#: the screen the app starts on
START_MODE = "overview"


def destination(mode: str) -> Destination:
    return next(d for d in DESTINATIONS if d.mode == mode)


#: Keys every screen leaves alone (DESIGN.md, Keys): the screens' own keys, the reserved ones of screens other
#: branches add (`f` Fleet, `i` Insights), `?` this screen's keys, `q` quit, the palette.
GLOBAL_KEYS: tuple[str, ...] = ("o", "f", "e", "h", "w", "c", "i", "d", "l", "n", "question_mark", "q", "ctrl+p")


class Trail:
    """Where the user came from, for Escape: the screens (modes) passed through, most recent last.

    Going to a screen already on the trail cuts the trail back to before it, so the way back never loops
    (Overview → Calls → Logs → Calls, then Escape, goes to the Overview).
    """

    def __init__(self) -> None:
        self._modes: list[str] = []

    def moved(self, current: str, going: str) -> None:
        """The user goes from `current` to `going`."""
        if going == current:
            return
        if going in self._modes:
            del self._modes[self._modes.index(going):]
        else:
            self._modes.append(current)

    def back(self) -> str | None:
        """The screen to go back to (taken off the trail), or None at the start of the trail."""
        return self._modes.pop() if self._modes else None

    def __len__(self) -> int:
        return len(self._modes)
