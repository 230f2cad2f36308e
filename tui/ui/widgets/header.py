"""The header strip: app name, agent and its status, DEMO badge, connection health."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Label

from ...wiro import Agent
from ...wiro.health import Health

STATUS_CLASSES = {0: "stopped", 1: "busy", 2: "busy", 3: "busy", 4: "running", 5: "error", 6: "error"}


def status_class(status: int | None) -> str:
    return STATUS_CLASSES.get(status if status is not None else -1, "stopped")


class AppHeader(Horizontal):
    """Reads the app's `agent`, `health` and `demo` reactives; every screen shows one."""

    def compose(self) -> ComposeResult:
        yield Label("wiro-voice", id="brand")
        yield Label("", id="agent-title")
        yield Label("", id="agent-status", classes="status-badge")
        yield Label(" DEMO ", id="demo-badge")
        yield Label("", id="health")

    def on_mount(self) -> None:
        self.watch(self.app, "agent", self._show_agent)
        self.watch(self.app, "health", self._show_health)
        self.watch(self.app, "demo", self._show_demo)

    def _show_agent(self, agent: Agent | None) -> None:
        title = self.query_one("#agent-title", Label)
        badge = self.query_one("#agent-status", Label)
        if agent is None:
            title.update("no agent selected")
            badge.update("")
            badge.display = False
            return
        title.update(agent.title)
        badge.display = True
        label = agent.status_name + (" (restarting)" if agent.restarting else "")
        badge.update(f" {label} ")
        badge.set_classes(f"status-badge status-{status_class(agent.status)}")

    def _show_health(self, health: Health) -> None:
        label = self.query_one("#health", Label)
        label.update(health.describe(local=getattr(self.app, "local_time")))
        label.set_class(not health.live and health.stale_since is not None, "stale")
        label.set_class(health.live, "live")

    def _show_demo(self, demo: bool) -> None:
        self.query_one("#demo-badge", Label).display = demo
