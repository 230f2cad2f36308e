"""The Textual application: navigation, shared client, header state, demo lifecycle."""

from __future__ import annotations

import asyncio
import gc
import time
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterable, Sequence

from textual import events
from textual.app import App, SystemCommand
from textual.filter import LineFilter, Monochrome, NoColor
from textual.binding import Binding
from textual.reactive import reactive
from textual.screen import Screen
from textual.widget import AwaitMount, Widget
from textual.theme import Theme

from ..config import ConfigError, Secret, Settings, save_config
from ..wiro.errors import WiroError
from ..wiro.health import Health, HealthTracker
from .failures import ReportsWorkerFailures
from .history_feed import KeepsHistory
from .key_display import key_display
from .navigation import DESTINATIONS, START_MODE, Trail, destination
from .state import AppSignals, Change
from .terminal import KEY_WORDS, AsciiOnly, ascii_notice
from .textual_fixes import FrameTimer  # (importing it applies the changes to Textual)
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
    from .credential_edits import CredentialEdits
    from ..wiro.client import WiroClient
    from ..wiro.models import Agent
    from .fleet_watch import FleetWatch


#: seconds after start-up when what the app built is set aside from garbage collection (the first screen drawn,
#: its first answers in, the demo's simulator started); None: never
SETTLED_SECONDS: float | None = 3.0


class WiroVoiceApp(ReportsWorkerFailures, KeepsHistory, App[None]):
    """The dashboard.

    Demo: pass `start_demo` (a callable returning a started simulator) and the app starts it after
    its first frame, or pass an already started `sim`. Either way the app stops it on exit.
    """

    TITLE = "wiro-voice"
    CSS_PATH = Path(__file__).parent / "styles" / "app.tcss"  # absolute, so subclasses elsewhere find it
    MODES = {d.mode: d.make_screen for d in DESTINATIONS}
    DEFAULT_MODE = START_MODE
    BINDINGS = [
        *(Binding(d.key, f"goto('{d.mode}')", d.title, id=f"goto.{d.mode}") for d in DESTINATIONS),
        Binding("question_mark", "help", "Keys", id="app.help", key_display="?"),
        Binding("q", "quit", "Quit", id="app.quit"),
        # a screen's own Escape binding (leaving a field first, asking about edits…) ends in go_back() too
        Binding("escape", "back", "Back", id="app.back", show=False),
    ]

    # repaint=False: on an App a repainting reactive redraws the whole screen each time it is set (after every
    # request, every poll) — over SSH that is kilobytes a second with nothing changed. What shows them watches them.
    agent: reactive[Agent | None] = reactive(None, always_update=True, repaint=False)
    health: reactive[Health] = reactive(Health(live=False), always_update=True, repaint=False)
    demo: reactive[bool] = reactive(False, repaint=False)
    #: the local call history's latest problem (a HistoryProblem), None while it records fine
    history_problem: reactive[object | None] = reactive(None, always_update=True, repaint=False)
    #: the alerts holding across the fleet (tui.watch.alerts.Alert), for the header's count
    alerts: reactive[tuple] = reactive((), always_update=True, repaint=False)

    def __init__(
        self,
        settings: Settings,
        *,
        sim: "Simulator | None" = None,
        start_demo: "Callable[[], Simulator] | None" = None,
        clock: Callable[[], float] = time.time,
        themes: ThemeCatalog | None = None,
        ascii_only: bool = False,
    ) -> None:
        if settings.agent is None and settings.has_account and sim is None and start_demo is None:
            # no agent chosen yet: start on the Fleet, where every agent shows (with one agent it is chosen and
            # the Overview opens). The demo always has its agent, so it opens on the Overview.
            self.DEFAULT_MODE = "fleet"
        # The starting screen (DEFAULT_MODE's) is Textual's default screen, not a mode: a mode's first screen makes
        # Textual re-parse every stylesheet once more before the first frame (~8 ms). So this app's modes leave it
        # out until it runs (on_mount makes it a mode like the others). Set DEFAULT_MODE before this line to start
        # elsewhere.
        self.MODES = {mode: make for mode, make in type(self).MODES.items() if mode != self.DEFAULT_MODE}
        super().__init__()
        #: draw in ASCII (the locale is not UTF-8; see terminal.py); decided by the command line
        self.ascii_only = ascii_only
        self._line_filters = self._our_filters()
        self.settings = settings
        self.sim = sim
        self._start_demo = start_demo
        self.clock = clock
        self._base_clock = clock  # the demo swaps in the simulator's clock; leaving it restores this
        self._health = HealthTracker(clock)
        self.agent_guid: str | None = settings.agent
        self._client: WiroClient | None = None
        self._frozen = False  # gc.freeze() done (see _freeze_settled_objects)
        self._fleet: FleetWatch | None = None
        #: bumped whenever the connection or the agent changes, so screens drop what they showed
        self.generation = 0
        signals = AppSignals(self)
        #: Signals (see state.py): published with a `Change` after the connection / the agent changed
        self.connection_changed = signals.connection_changed
        self.agent_changed = signals.agent_changed
        #: the unsaved credential edits, per agent: made by credential_edits.edits_of() on first use (see state.py)
        self.credential_edits: CredentialEdits | None = None
        self._config_lock = asyncio.Lock()
        self.trail = Trail()
        self._going_back = False
        self.set_reactive(WiroVoiceApp.demo, sim is not None or start_demo is not None)
        if settings.keymap:  # the config file's [keymap]: binding id -> keys (checked by keymap.py)
            self.set_keymap(dict(settings.keymap))
        # themes are registered here, not at import, and set before the first frame (no flash of another theme)
        catalog = themes if themes is not None else load_catalog(user_themes_dir(settings.config_path))
        self.theme_start = start_theme(catalog, settings.theme)
        register_catalog(self, catalog)
        self._start_with_theme(self.theme_start.name)
        self._remembered_theme = self.theme_start.name

    def _start_with_theme(self, name: str) -> None:
        """Set the first theme. Setting `theme` runs Textual's watcher, which schedules a second parse of every
        stylesheet before the first frame (~8 ms); the first parse reads this theme's variables anyway. So for a
        dark, non-ANSI theme — what Textual's own start assumes (its ANSI filter, its dark-mode class) — the value
        is set without the watcher, with the theme's class and variables; any other theme goes the usual way."""
        theme = self.get_theme(name)
        if theme is None or not theme.dark or theme.ansi:
            self.theme = name
            return
        self.set_reactive(App.theme, name)
        self.set_class(True, f"-theme-{name}", update=False)
        # nothing is parsed yet: the first parse reads these (Textual gave the stylesheet its default theme's)
        self.stylesheet.set_variables(self.get_css_variables())

    # -- terminal conditions (terminal.py) ---------------------------------------------------------

    def _our_filters(self) -> list[LineFilter]:
        filters: list[LineFilter] = []
        if self.no_color:
            filters.append(NoColor())  # Textual adds Monochrome, whose greys are still colour codes
        if self.ascii_only:
            filters.append(AsciiOnly())
        return filters

    def get_line_filters(self) -> Sequence[LineFilter]:
        filters = super().get_line_filters()
        if not self._line_filters:
            return filters
        return [*(f for f in filters if not isinstance(f, Monochrome)), *self._line_filters]

    def get_key_display(self, binding: Binding) -> str:
        display = key_display(binding)
        if self.ascii_only and not display.isascii():
            modifiers, key = binding.parse_key()
            return "+".join([*modifiers, KEY_WORDS.get(key, key)])
        return display

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
        return any(d.mode == mode for d in DESTINATIONS)

    def get_default_screen(self) -> Screen:
        """The first screen (DEFAULT_MODE's; see __init__); its own stylesheets join the first parse."""
        screen = destination(self.DEFAULT_MODE).make_screen()
        for path in screen.css_path:
            if not self.stylesheet.has_source(str(path), ""):
                self.stylesheet.read(path)
        return screen

    def key_for(self, mode: str) -> str | None:
        """The key that opens a screen (as the keymap has it), or None when there is no such screen (yet)."""
        default = next((d.key for d in DESTINATIONS if d.mode == mode), None)
        if default is None:
            return None
        keys = self.settings.keymap.get(f"goto.{mode}", default)
        return keys.split(",")[0]

    def _changed(self, what: str) -> None:
        """The connection or the agent changed: start a new generation and tell every screen. (The credential
        edits are kept per agent by their model, so nothing is dropped here.)"""
        self.generation += 1
        change = Change(self.generation, self.agent_guid, what)
        (self.connection_changed if what == "connection" else self.agent_changed).publish(change)

    def use_agent(self, guid: str) -> None:
        """Make `guid` the current agent; remember it in the config file (not in the demo)."""
        self.agent_guid = guid
        self.agent = None
        self._changed("agent")
        if self.demo:
            return
        self.remember_config({"agent": guid}, "the agent", lambda: self.settings.with_(agent=guid))

    def use_settings(self, settings: Settings) -> None:
        """Switch to new connection settings (leaving the demo when there was one)."""
        old = self._client
        self.settings = settings
        self._client = None
        self._start_demo = None
        self.agent_guid = settings.agent
        self.agent = None
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
        self._changed("connection")

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, (events.Key, events.MouseDown, events.MouseUp)) and not event.is_forwarded:
            FrameTimer.input_arrived()  # the frame that shows what it did is drawn at once (textual_fixes.py, 3)
        await super().on_event(event)

    def on_mount(self) -> None:
        # the starting screen's stack exists already (Textual's default screen): this makes its mode one like the
        # others, so switch_mode() can return to it; its factory is never called
        self.add_mode(self.DEFAULT_MODE, destination(self.DEFAULT_MODE).make_screen)
        if self.ascii_only:
            self.notify(ascii_notice(), title="Terminal", severity="warning", timeout=15)
        for warning in self.settings.warnings:
            self.notify(warning, title="Config file", severity="warning", timeout=15)
        if self.theme_start.message:
            self.notify(self.theme_start.message, title="Themes", severity="warning", timeout=20)
        self.theme_changed_signal.subscribe(self, self._remember_theme)
        if self.theme_start.catalog.partial:  # only the starting theme was read: the others after the first frame
            self.call_after_refresh(self._register_other_themes)
        if self.settings.keymap:  # checking it imports every screen: after the first frame, in a thread
            self.call_after_refresh(
                lambda: self.run_worker(self._check_keymap(), group="keymap", exit_on_error=False))
        if SETTLED_SECONDS is not None:
            self.set_timer(SETTLED_SECONDS, self._freeze_settled_objects)
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
            # no longer "starting": every screen now says there is nothing to connect to, and where to fix it
            self._start_demo = None
            self.demo = False
            self._changed("connection")
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
        self._changed("connection")

    async def _check_keymap(self) -> None:
        """Say once, at start, what is wrong with the [keymap] (`wiro-voice doctor` says it too)."""
        problems = await asyncio.to_thread(keymap_problems, dict(self.settings.keymap), str(self.settings.config_path))
        if problems:
            self.notify("\n".join(f"• {p}" for p in problems), title="Keymap", severity="warning", timeout=20)

    def _register_other_themes(self) -> None:
        """The rest of the bundled themes, for the palette and `--theme` next time (~1 ms each)."""
        started = self.theme_start.catalog
        full = load_catalog(user_themes_dir(self.settings.config_path))
        register_catalog(self, full, skip={item.name for item in started.effective()})
        self.theme_start = self.theme_start._replace(catalog=full)

    def watch_theme(self, _name: str) -> None:
        # Textual refreshes `theme_variables` on its next turn, but screens that watch "theme" repaint their
        # Rich-drawn cells at once and must read the new colours: refresh them now (not before the app runs:
        # nothing is drawn yet, and Textual computes them for the first frame anyway).
        if self.is_running:
            self.get_css_variables()

    def _remember_theme(self, theme: Theme) -> None:
        """A theme chosen in the palette is the one to start with next time (a --theme flag is not saved)."""
        if theme.name == self._remembered_theme:
            return
        self._remembered_theme = theme.name
        self.remember_config({"theme": theme.name}, "the theme", lambda: self.settings.with_(theme=theme.name))

    def remember_config(self, updates: dict[str, object], what: str, settings_after: Callable[[], Settings]) -> None:
        """Write `updates` into the config file in a thread (an fsync must not stall the screen); once written,
        the app's settings become `settings_after()`. A failure is a warning naming the file."""
        self.run_worker(self._write_config(updates, what, settings_after), group="config-write", exit_on_error=False)

    async def write_config(self, updates: dict[str, object]) -> None:
        """Merge `updates` into the config file off the event loop, one write at a time (each write reads the
        file first, so two at once could lose one). Raises OSError or ConfigError."""
        async with self._config_lock:
            await asyncio.to_thread(save_config, self.settings.config_path, updates)

    async def _write_config(self, updates: dict[str, object], what: str, settings_after: Callable[[], Settings]) -> None:
        path = self.settings.config_path
        try:
            await self.write_config(updates)
        except (OSError, ConfigError) as err:
            self.notify(f"Could not remember {what} in {path}: {err}", severity="warning")
        else:
            self.settings = settings_after()

    # -- navigation and commands ----------------------------------------------------------------

    def get_theme_variable_defaults(self) -> dict[str, str]:
        return dict(APP_COLOUR_DEFAULTS)

    def action_goto(self, mode: str) -> None:
        self.switch_mode(mode)

    def switch_mode(self, mode: str) -> AwaitMount:
        """Every change of screen goes on the trail (see `go_back`), whoever asked for it."""
        if not self._going_back and self.has_screen(mode):
            self.trail.moved(self.current_mode, mode)
        return super().switch_mode(mode)

    def go_back(self) -> None:
        """Escape: back to where the user came from — the screen under a pushed one, else the previous screen
        on the trail, else the screen the app started on (there, with nothing behind it, nothing happens)."""
        if len(self.screen_stack) > 1:
            self.pop_screen()
            return
        home = self.DEFAULT_MODE  # the screen the app started on
        target = self.trail.back() or (home if self.current_mode != home else None)
        if target is None:
            return
        self._going_back = True
        try:
            self.switch_mode(target)
        finally:
            self._going_back = False

    def action_back(self) -> None:
        """Escape where the screen has no binding of its own: out of a text field first, then `go_back`."""
        if is_text_entry(self.focused):
            self.set_focus(None)
        else:
            self.go_back()

    def action_help(self) -> None:
        """`?`: every key of the screen shown (and the global ones), with their ids."""
        from .screens.help import HelpScreen  # not needed for the first frame

        self.push_screen(HelpScreen.for_screen(self, self.screen))

    async def action_quit(self) -> None:
        """Quit; with unsaved credential edits, say they are kept as a draft and ask first."""
        from .screens.confirm import Confirm  # not needed for the first frame

        edits = self.credential_edits
        unsaved = edits.unsaved() if edits is not None else []
        if not unsaved or isinstance(self.screen, Confirm):
            if edits is not None:
                edits.keep_all()
            self.exit()
            return

        def answered(answer: str | None) -> None:
            if answer == "quit" and edits is not None:
                edits.keep_all()
                self.exit()

        self.push_screen(
            Confirm("Quit", "There are unsaved credential edits. They are kept as a draft (without the Auth "
                    "Token) and offered back next time.", [("Stay", "cancel", "primary"), ("Quit", "quit", "error")],
                    yes="quit"),
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

    def _freeze_settled_objects(self) -> None:
        """Leave what the app built at start (modules, classes, screens, styles: ~150 000 objects) out of every
        later garbage collection. Python's full collections scan every object alive; with these in, each took
        ~100 ms, a stall a key press waited behind whenever a big answer's objects set one off. One collection
        now (what start-up left as garbage goes), then `gc.freeze()`; `on_unmount` gives them back."""
        if not self._frozen:
            gc.collect()
            gc.freeze()
            self._frozen = True

    async def on_unmount(self) -> None:
        if self._frozen:
            gc.unfreeze()  # (an app run inside a longer-lived process, as in the tests, leaves nothing behind)
            self._frozen = False
        self.close_history()
        if self._client is not None:
            await self._client.aclose()
        if self.sim is not None:
            await asyncio.to_thread(self.sim.stop)
            self.sim = None


#: widgets that take typed text: Escape leaves them before it leaves the screen
TEXT_ENTRY_CLASSES = frozenset({"Input", "TextArea"})


def is_text_entry(widget: Widget | None) -> bool:
    """True for an Input or TextArea (or a subclass), by name: importing TextArea costs ~0.4 s at start."""
    return widget is not None and any(cls.__name__ in TEXT_ENTRY_CLASSES for cls in type(widget).__mro__)


def keymap_problems(keymap: dict[str, str], where: str) -> list[str]:
    """What is wrong with `keymap`, one sentence each (imports every screen module: call it in a thread)."""
    from .keymap import keymap_findings

    return [f"{f.detail} {f.fix}" for f in keymap_findings(keymap, where)]
