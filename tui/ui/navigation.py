"""The screens reachable from anywhere: one key each, also in the command palette.

Later screens add a Destination here; the app builds its modes, bindings and commands from this list.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import import_module

from textual.screen import Screen


@dataclass(frozen=True)
class Destination:
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
