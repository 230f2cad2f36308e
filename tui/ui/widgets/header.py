"""The header strip: app name, agent and its status, DEMO badge, connection health.

One widget that renders one line, rather than a row of labels: it is on every screen and in the
first frame, where each extra widget costs start-up time.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.content import Content
from textual.markup import escape
from textual.widget import Widget

from ...wiro.health import Health

if TYPE_CHECKING:
    from ...wiro.models import Agent

STATUS_CLASSES = {0: "stopped", 1: "busy", 2: "busy", 3: "busy", 4: "running", 5: "error", 6: "error"}


def status_class(status: int | None) -> str:
    return STATUS_CLASSES.get(status if status is not None else -1, "stopped")


class AppHeader(Widget):
    """Reads the app's `agent`, `health`, `demo` and `alerts` reactives; every screen shows one."""

    def __init__(self) -> None:
        super().__init__()
        self._shown: tuple[str, str] | None = None  # the markup last drawn

    def on_mount(self) -> None:
        for name in ("agent", "health", "demo", "history_problem", "alerts"):
            self.watch(self.app, name, self._changed, init=False)

    def _changed(self, _value: object) -> None:
        # `agent` and `health` are set after every poll, mostly to what they were: repaint only a difference
        if (self.left_markup(), self.right_markup()) != self._shown:
            self.refresh()

    def left_markup(self) -> str:
        parts = ["[b $accent]wiro-voice[/]"]
        agent: Agent | None = getattr(self.app, "agent", None)
        if agent is None:
            parts.append("[dim]no agent selected[/]" if not getattr(self.app, "demo_starting", False) else "[dim]starting the demo…[/]")
        else:
            cls = status_class(agent.status)
            label = agent.status_name + (" (restarting)" if agent.restarting else "")
            parts.append(f"[b]{escape(agent.title)}[/]")
            parts.append(f"[b $agent-{cls} on $agent-{cls} 25%] {escape(label)} [/]")
        if getattr(self.app, "demo", False):
            parts.append("[b $background on $demo] DEMO [/]")
        alerts = len(getattr(self.app, "alerts", ()))
        if alerts:  # across the fleet (f lists them)
            parts.append(f"[b $background on $agent-error] {alerts} alert{'s' if alerts != 1 else ''} [/]")
        return "  ".join(parts)

    def right_markup(self) -> str:
        health: Health = self.app.health
        text = escape(health.describe(local=self.app.local_time))
        problem = getattr(self.app, "history_problem", None)
        history = f"[b $stale]{escape(problem.short)}[/]  " if problem is not None else ""
        if health.live:
            return f"{history}[$live]{text}[/]"
        if health.stale_since is not None:
            return f"{history}[b $stale]{text}[/]"
        return f"{history}[dim]{text}[/]"

    def render(self) -> Content:
        self._shown = (self.left_markup(), self.right_markup())
        left = Content.from_markup(" " + self._shown[0])
        right = Content.from_markup(self._shown[1] + " ")
        gap = max(1, self.size.width - left.cell_length - right.cell_length)
        return left + Content(" " * gap) + right

    def plain(self) -> str:
        """The header as plain text (for tests)."""
        return self.render().plain
