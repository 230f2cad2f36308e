"""Connection: the Wiro API key (and secret), API base and agent, checked as you type, tested, saved."""

from __future__ import annotations

from typing import Callable, Iterable

from textual import on, work
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.markup import escape
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Button, Input, Label, Static

from ...common.text import plural
from ...config import ConfigError, Secret
from ...connection import check_agent_guid, check_api_base, check_api_key, check_api_secret
from ...problems import Problem
from ...wiro import AuthError, WiroError
from ...wiro.client import RetryPolicy, WiroClient
from ..failures import ReportsWorkerFailures
from ..fresh_styles import FirstShowingKeepsStyles
from ..readiness import readiness
from ..state import Change, subscribe_changes
from ..widgets.header import AppHeader
from ..widgets.key_bar import KeyBar
from ..widgets.scroll_body import ScrollBody

FIELDS: dict[str, tuple[str, Callable[[str], list[Problem]], str]] = {
    "api_key": ("Wiro API key", check_api_key, "Required. From the Wiro panel → Projects → your project."),
    "api_secret": ("API secret", check_api_secret, "Only for projects created with signature authentication."),
    "api_base": ("API base", check_api_base, "Leave as is unless Wiro told you otherwise."),
    "agent": ("Agent guid", check_agent_guid, "Optional: leave empty to pick from your agents."),
}
SECRET_FIELDS = ("api_key", "api_secret")

#: the first line, by where the app stands (readiness, with the demo told apart)
INTRO = {
    "connecting": "The [b]demo[/b] is starting. Enter your Wiro API key to use your own account instead.",
    "demo": "You are in the [b]demo[/b]. Enter your Wiro API key to use your own account.",
    "no-key": "Not connected: enter your Wiro API key, test it, and save.",
    "no-agent": "Connected; no agent chosen yet: paste its guid below, or leave it empty and pick one on the Overview.",
    "ready": "Connected. Change the key, the API base or the agent here.",
}


class TestFinished(Message):
    """The outcome of "test connection", in words, with a level: "ok" or "error"."""

    def __init__(self, text: str, level: str) -> None:
        super().__init__()
        self.text = text
        self.level = level


class ConnectionScreen(FirstShowingKeepsStyles, ReportsWorkerFailures, Screen):
    BINDINGS = [
        Binding("ctrl+t", "test", "Test connection", id="connection.test"),
        Binding("ctrl+s", "save", "Save", id="connection.save"),
        Binding("f2", "toggle_secrets", "Show/hide key", id="connection.toggle"),
        Binding("escape", "leave", "Back", id="connection.back"),
    ]

    def __init__(self) -> None:
        super().__init__(id="connection")
        # An empty required field is not an error until the user has typed in it or tried to save.
        self._touched: set[str] = set()

    def compose(self) -> ComposeResult:
        settings = self.app.settings
        values = {
            "api_key": settings.api_key.reveal() if settings.api_key and not self.app.demo else "",
            "api_secret": settings.api_secret.reveal() if settings.api_secret and not self.app.demo else "",
            "api_base": settings.api_base if not self.app.demo else "https://api.wiro.ai/v1",
            "agent": (settings.agent or "") if not self.app.demo else "",
        }
        yield AppHeader()
        with ScrollBody(id="connection-body"):
            with Vertical(id="connection-form", classes="panel"):
                yield Static(self._intro(), id="connection-intro")
                for name, (label, _rule, help_text) in FIELDS.items():
                    with Horizontal(classes="field-row"):
                        yield Label(label, classes="field-label")
                        yield Input(
                            value=values[name],
                            id=f"in-{name}",
                            password=name in SECRET_FIELDS,
                            placeholder=help_text,
                        )
                    yield Static("", id=f"msg-{name}", classes="field-message")
                with Horizontal(id="connection-buttons"):
                    yield Button("Test connection", id="test", variant="primary")
                    yield Button("Save", id="save", variant="success")
                    yield Button("Show key", id="toggle")
                yield Static("", id="connection-result")
        yield KeyBar()

    def on_mount(self) -> None:
        self.query_one("#connection-form").border_title = "Connection"
        for name in FIELDS:
            self._validate(name)
        self.query_one("#in-api_key", Input).focus()
        subscribe_changes(self, self._app_changed)

    def on_screen_resume(self) -> None:
        self.query_one("#connection-intro", Static).update(self._intro())

    def _app_changed(self, _change: Change) -> None:
        self.query_one("#connection-intro", Static).update(self._intro())

    def action_leave(self) -> None:
        """Escape: out of a field first (so letter keys navigate again), then back to where the user came from."""
        if isinstance(self.focused, Input):
            self.set_focus(None)
        else:
            self.app.go_back()

    def _intro(self) -> str:
        path = escape(str(self.app.settings.config_path))
        saved = f"Saved to [b]{path}[/b] (readable only by you). Environment variables override the file."
        return f"{INTRO[self._where()]}\n{saved}"

    def _where(self) -> str:
        """This screen's reading of the one readiness rule (here is where a missing key gets fixed)."""
        state = readiness(self.app).state
        if self.app.demo and state != "connecting":
            return "demo"
        return state

    # -- validation ----------------------------------------------------------------------------

    @on(Input.Changed)
    def _changed(self, event: Input.Changed) -> None:
        name = (event.input.id or "").removeprefix("in-")
        if name in FIELDS:
            if event.input.has_focus:
                self._touched.add(name)
            self._validate(name)

    def _value(self, name: str) -> str:
        return self.query_one(f"#in-{name}", Input).value.strip()

    def _validate(self, name: str) -> list[Problem]:
        problems = FIELDS[name][1](self._value(name))
        if not self._value(name) and name not in self._touched:
            problems = []  # the placeholder already says what goes here
        box = self.query_one(f"#msg-{name}", Static)
        box.update("\n".join(f"{'✖' if p.blocks else '⚠'} {escape(p.message)}" for p in problems))
        box.display = bool(problems)
        box.set_class(any(p.blocks for p in problems), "error")
        box.set_class(bool(problems) and not any(p.blocks for p in problems), "warning")
        self.query_one(f"#in-{name}", Input).set_class(any(p.blocks for p in problems), "invalid-field")
        return problems

    def _all_ok(self) -> bool:
        self._touched.update(FIELDS)
        blocking = [p for name in FIELDS for p in self._validate(name) if p.blocks]
        if blocking:
            self._result(f"✖ Fix the marked field first: {escape(blocking[0].message)}", "error")
        return not blocking

    def _result(self, text: str, level: str = "") -> None:
        box = self.query_one("#connection-result", Static)
        box.update(text)
        box.set_classes(level)

    # -- actions -------------------------------------------------------------------------------

    def on_button_pressed(self, event: Button.Pressed) -> None:
        {"test": self.action_test, "save": self.action_save, "toggle": self.action_toggle_secrets}[event.button.id or "test"]()

    def action_toggle_secrets(self) -> None:
        key = self.query_one("#in-api_key", Input)
        hidden = not key.password
        for name in SECRET_FIELDS:
            self.query_one(f"#in-{name}", Input).password = hidden
        self.query_one("#toggle", Button).label = "Show key" if hidden else "Hide key"

    def action_test(self) -> None:
        if self._all_ok():
            self._result("Testing the connection…")
            self._test()

    def on_test_finished(self, message: TestFinished) -> None:
        self._result(message.text, message.level)

    def on_screen_suspend(self) -> None:
        # never leave the key shown for the next visit (or a screenshot taken elsewhere)
        if not self.query_one("#in-api_key", Input).password:
            self.action_toggle_secrets()

    @work(exclusive=True, group="connection-test", exit_on_error=False)
    async def _test(self) -> None:
        key, secret, base, guid = (self._value(n) for n in FIELDS)
        client = WiroClient(key, secret or None, base, timeout=10.0, retry=RetryPolicy(retries=1, max_delay=2.0))
        try:
            if guid:
                agent = await client.detail(guid)
                text = f"✔ Connected. Agent [b]{escape(agent.title)}[/b] is {escape(agent.status_name)}."
            else:
                agents = await client.my_agents()
                text = f"✔ Connected. The project has {plural(len(agents), 'agent')}; save, then pick one."
            self.post_message(TestFinished(text, "ok"))
        except AuthError as err:
            self.post_message(TestFinished(f"✖ Wiro refused the key: {escape(err.message)} {auth_hint(err.message, bool(secret))}", "error"))
        except WiroError as err:
            self.post_message(TestFinished(f"✖ {escape(err.message)}", "error"))
        finally:
            await client.aclose()

    def action_save(self) -> None:
        if not self._all_ok():
            return
        self._result("Saving…")
        self._save(*(self._value(n) for n in FIELDS))

    @work(exclusive=True, group="connection-save", exit_on_error=False)
    async def _save(self, key: str, secret: str, base: str, guid: str) -> None:
        """Write the config file in a thread (it fsyncs), then switch the app to the new settings."""
        settings = self.app.settings
        try:
            await self.app.write_config({"api_key": key, "api_secret": secret or None, "api_base": base,
                                         "agent": guid or None})
        except (OSError, ValueError, ConfigError) as err:
            self._result(f"✖ Could not write {escape(str(settings.config_path))}: {escape(str(err))}. Nothing was changed.", "error")
            return
        overridden = [k for k, src in settings.sources.items() if src == "env" and k in FIELDS]
        note = f" Note: environment variables still override {', '.join(overridden)} on the next start." if overridden else ""
        self.notify(f"Saved to {settings.config_path}.{note}", title="Connection saved")
        self.app.use_settings(
            settings.with_(
                api_key=Secret(key),
                api_secret=Secret(secret) if secret else None,
                api_base=base,
                agent=guid or None,
            )
        )
        self.app.switch_mode("overview")

    def commands(self) -> Iterable[SystemCommand]:
        yield SystemCommand("connection: test", "Try the API key against Wiro", self.action_test)
        yield SystemCommand("connection: save", "Save the connection settings", self.action_save)


def auth_hint(message: str, has_secret: bool) -> str:
    """What to do about a 401, from Wiro's reason."""
    lowered = message.lower()
    if "requires signature" in lowered:
        return "This project uses signature authentication: fill in its API secret too."
    if "not valid" in lowered and has_secret:
        return "The signature did not match: check that the key and the secret belong to the same project."
    if "ip" in lowered and "not allowed" in lowered:
        return "The project only accepts some IP addresses: allow this machine's address in the Wiro panel."
    return "Wiro does not recognise this key: copy it again from the Wiro panel (Projects → your project)."
