"""The Textual application: navigation, shared client, header state, demo lifecycle."""

from __future__ import annotations

import asyncio
import time
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterable

from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.reactive import reactive
from textual.screen import Screen
from textual.theme import Theme

from ..config import ConfigError, Secret, Settings, save_config
from ..wiro.errors import WiroError
from ..wiro.health import Health, HealthTracker
from .failures import ReportsWorkerFailures
from .history_feed import KeepsHistory
from .navigation import DESTINATIONS
from .theme_vars import APP_COLOUR_DEFAULTS
from .themes import (
    ThemeCatalog,
    load_catalog,
    register_catalog,
    start_theme,
    user_themes_dir,
)

if TYPE_CHECKING:
    from ..sim import Simulator
    from ..wiro.client import WiroClient
    from ..wiro.models import Agent
    from .fleet_watch import FleetWatch


class WiroVoiceApp(ReportsWorkerFailures, KeepsHistory, App[None]):
    """The dashboard.

    Demo: pass `start_demo` (a callable returning a started simulator) and the app starts it after
    its first frame, or pass an already started `sim`. Either way the app stops it on exit.
    """

    TITLE = "wiro-voice"
    CSS_PATH = Path(__file__).parent / "styles" / "app.tcss"  # absolute, so subclasses elsewhere find it
    MODES = {d.mode: d.make_screen for d in DESTINATIONS}
    DEFAULT_MODE = "overview"
    BINDINGS = [
        *(Binding(d.key, f"goto('{d.mode}')", d.title, id=f"goto.{d.mode}") for d in DESTINATIONS),
        Binding("q", "quit", "Quit", id="app.quit"),
    ]

    agent: reactive[Agent | None] = reactive(None, always_update=True)
    health: reactive[Health] = reactive(Health(live=False), always_update=True)
    demo: reactive[bool] = reactive(False)
    #: the local call history's latest problem (a HistoryProblem), None while it records fine
    history_problem: reactive[object | None] = reactive(None, always_update=True)
    #: the alerts holding across the fleet (tui.watch.alerts.Alert), for the header's count
    alerts: reactive[tuple] = reactive((), always_update=True)

    def __init__(
        self,
        settings: Settings,
        *,
        sim: "Simulator | None" = None,
        start_demo: "Callable[[], Simulator] | None" = None,
        clock: Callable[[], float] = time.time,
        themes: ThemeCatalog | None = None,
    ) -> None:
        if settings.agent is None and settings.has_account and sim is None and start_demo is None:
            # no agent chosen yet: start on the Fleet, where every agent shows (with one agent it is chosen and
            # the Overview opens). The demo always has its agent, so it opens on the Overview.
            self.DEFAULT_MODE = "fleet"
        super().__init__()
        self.settings = settings
        self.sim = sim
        self._start_demo = start_demo
        self.clock = clock
        self._base_clock = clock  # the demo swaps in the simulator's clock; leaving it restores this
        self._health = HealthTracker(clock)
        self.agent_guid: str | None = settings.agent
        self._client: WiroClient | None = None
        self._fleet: FleetWatch | None = None
        #: bumped whenever the connection or the agent changes, so screens drop what they showed
        self.generation = 0
        self.set_reactive(WiroVoiceApp.demo, sim is not None or start_demo is not None)
        # themes are registered here, not at import, and set before the first frame (no flash of another theme)
        catalog = themes if themes is not None else load_catalog(user_themes_dir(settings.config_path))
        self.theme_start = start_theme(catalog, settings.theme)
        register_catalog(self, catalog)
        self.theme = self.theme_start.name
        self._remembered_theme = self.theme_start.name

    # -- state shared by screens ------------------------------------------------------------------

    @property
    def client(self) -> "WiroClient | None":
        """The shared client, made on first use (its imports are not needed for the first frame)."""
        if self._client is None and self.settings.api_key:
            self._client = self._make_client(self.settings)
        return self._client

    @property
    def fleet(self) -> "FleetWatch":
        """The fleet poller (every agent, the alerts), made when first needed: the Fleet screen starts it."""
        if self._fleet is None:
            from .fleet_watch import FleetWatch

            self._fleet = FleetWatch(self)
        return self._fleet

    @property
    def demo_starting(self) -> bool:
        return self._start_demo is not None and self.sim is None

    def _make_client(self, settings: Settings) -> "WiroClient":
        from ..wiro.client import WiroClient

        assert settings.api_key is not None
        return WiroClient(
            settings.api_key.reveal(),
            settings.api_secret.reveal() if settings.api_secret else None,
            settings.api_base,
            on_outcome=self._on_outcome,
        )

    def _on_outcome(self, error: WiroError | None) -> None:
        self.health = self._health.record(error)

    def local_time(self, epoch: float) -> datetime:
        return datetime.fromtimestamp(epoch)

    def has_screen(self, mode: str) -> bool:
        return mode in self.MODES

    def key_for(self, mode: str) -> str | None:
        """The key that opens a screen, or None when there is no such screen (yet)."""
        return next((d.key for d in DESTINATIONS if d.mode == mode), None)

    def use_agent(self, guid: str) -> None:
        """Make `guid` the current agent; remember it in the config file (not in the demo)."""
        self.agent_guid = guid
        self.agent = None
        self.generation += 1
        if self.demo:
            return
        try:
            save_config(self.settings.config_path, {"agent": guid})
        except OSError as err:
            self.notify(f"Could not remember the agent in {self.settings.config_path}: {err}", severity="warning")
        else:
            self.settings = self.settings.with_(agent=guid)

    def use_settings(self, settings: Settings) -> None:
        """Switch to new connection settings (leaving the demo when there was one)."""
        old = self._client
        self.settings = settings
        self._client = None
        self._start_demo = None
        self.agent_guid = settings.agent
        self.agent = None
        self.generation += 1
        self.clock = self._base_clock
        self._health = HealthTracker(self.clock)
        self.health = self._health.current
        self.close_history()  # another account (or leaving the demo): another history file
        if old is not None:
            self.run_worker(old.aclose(), group="close-client", exit_on_error=False)
        if self.sim is not None:
            sim, self.sim = self.sim, None
            self.run_worker(asyncio.to_thread(sim.stop), group="stop-sim", exit_on_error=False)
        self.demo = False

    def on_mount(self) -> None:
        for warning in self.settings.warnings:
            self.notify(warning, title="Config file", severity="warning", timeout=15)
        if self.theme_start.message:
            self.notify(self.theme_start.message, title="Themes", severity="warning", timeout=20)
        self.theme_changed_signal.subscribe(self, self._remember_theme)
        if self.demo_starting:
            # after the first frame: importing and starting the simulator would compete with drawing it
            self.call_after_refresh(
                lambda: self.run_worker(self._launch_demo(), group="demo", exclusive=True, exit_on_error=False)
            )

    async def _launch_demo(self) -> None:
        """Start the simulator off the event loop, after the first frame, then connect to it."""
        assert self._start_demo is not None
        try:
            sim = await asyncio.to_thread(self._start_demo)
        except (OSError, ValueError) as err:
            self.notify(f"The demo simulator could not start: {err}", title="Demo", severity="error", timeout=15)
            return
        if self._start_demo is None or not self.is_running:  # left the demo, or quitting, meanwhile
            await asyncio.to_thread(sim.stop)
            return
        self.sim = sim
        # the simulator's clock runs at --speed: times on screen (durations, ages) must follow it
        self.clock = sim.now
        self._health = HealthTracker(sim.now)
        self.settings = self.settings.with_(
            api_key=Secret(sim.api_key),
            api_secret=None,
            api_base=sim.wiro_base,
            twilio_base=sim.twilio_base,
            agent=self.settings.agent or sim.demo_agent_guid,
        )
        self.agent_guid = self.settings.agent
        self._client = None
        self.generation += 1
        changed = getattr(self.screen, "connection_changed", None)
        if callable(changed):
            changed()

    def watch_theme(self, _name: str) -> None:
        # Textual refreshes `theme_variables` on its next turn, but screens that watch "theme" repaint their
        # Rich-drawn cells at once and must read the new colours: refresh them now.
        self.get_css_variables()

    def _remember_theme(self, theme: Theme) -> None:
        """A theme chosen in the palette is the one to start with next time (a --theme flag is not saved)."""
        if theme.name == self._remembered_theme:
            return
        self._remembered_theme = theme.name
        try:
            save_config(self.settings.config_path, {"theme": theme.name})
        except (OSError, ConfigError) as err:
            self.notify(f"Could not remember the theme in {self.settings.config_path}: {err}", severity="warning")
        else:
            self.settings = self.settings.with_(theme=theme.name)

    # -- navigation and commands ----------------------------------------------------------------

    def get_theme_variable_defaults(self) -> dict[str, str]:
        return dict(APP_COLOUR_DEFAULTS)

    def action_goto(self, mode: str) -> None:
        self.switch_mode(mode)

    def credentials_form(self) -> Screen | None:
        """The Credentials screen once it has loaded, so other screens can read (or set) its current edits."""
        for stack in getattr(self, "_screen_stacks", {}).values():
            for screen in stack:
                if screen.id == "credentials" and getattr(screen, "loaded", False):
                    return screen
        return None

    def screens_with_unsaved_edits(self) -> list[Screen]:
        """Screens (in any mode) holding edits not saved yet."""
        stacks = getattr(self, "_screen_stacks", {})  # Textual keeps each mode's screens here
        return [screen for stack in stacks.values() for screen in stack
                if callable(getattr(screen, "has_unsaved_edits", None)) and screen.has_unsaved_edits()]

    async def action_quit(self) -> None:
        """Quit; with unsaved edits somewhere, say they are kept as a draft and ask first."""
        from .screens.confirm import Confirm  # not needed for the first frame

        unsaved = self.screens_with_unsaved_edits()
        if not unsaved or isinstance(self.screen, Confirm):
            for screen in unsaved:
                screen.keep_draft()
            self.exit()
            return

        def answered(answer: str | None) -> None:
            if answer == "quit":
                for screen in unsaved:
                    screen.keep_draft()
                self.exit()

        self.push_screen(
            Confirm("Quit", "There are unsaved credential edits. They are kept as a draft (without the Auth "
                    "Token) and offered back next time.", [("Stay", "cancel", "primary"), ("Quit", "quit", "error")]),
            answered,
        )

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        for d in DESTINATIONS:
            yield SystemCommand(f"{d.mode}: open", d.help, lambda mode=d.mode: self.switch_mode(mode))
        commands = getattr(screen, "commands", None)
        if callable(commands):
            yield from commands()
        # Textual's own commands ("Quit", "Theme", …), named like ours: "app: quit"
        for command in super().get_system_commands(screen):
            yield command._replace(title=f"app: {command.title.lower()}")

    async def on_unmount(self) -> None:
        self.close_history()
        if self._client is not None:
            await self._client.aclose()
        if self.sim is not None:
            await asyncio.to_thread(self.sim.stop)
            self.sim = None
