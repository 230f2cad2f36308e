"""One activity-log event with every key it has (Enter on the Logs screen). Escape closes."""

from __future__ import annotations

import json
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.markup import escape
from textual.screen import ModalScreen
from textual.widgets import Static

from ...activity.events import ActivityEvent
from ..stylesheets import sheet
from ..widgets.scroll_body import ScrollBody
from .logs_text import LocalTime, detail_rows


class LogEventScreen(ModalScreen[None]):
    CSS_PATH = sheet("logs")
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,enter", "close", "Close", id="logs.event.close"),
        Binding("y", "copy", "Copy JSON", id="logs.event.copy"),
    ]

    def __init__(self, event: ActivityEvent, local: LocalTime) -> None:
        super().__init__()
        self.event = event
        self._local = local

    def compose(self) -> ComposeResult:
        with Vertical(id="log-event", classes="panel"):
            with ScrollBody(id="log-event-body"):
                yield Static(self.body_markup(), id="log-event-keys")
            yield Static("[dim]escape closes · y copies the event as JSON[/dim]", id="log-event-hint")

    def on_mount(self) -> None:
        self.query_one("#log-event").border_title = escape(self.event.words)

    def body_markup(self) -> str:
        """Each key in bold, its value after it (values are escaped: server text is never markup)."""
        rows = detail_rows(self.event, self._local)
        width = min(28, max(len(name) for name, _value in rows))
        return "\n".join(f"[b]{escape(name.ljust(width))}[/b]  {escape(value)}" for name, value in rows)

    def action_close(self) -> None:
        self.dismiss(None)

    def action_copy(self) -> None:
        text = json.dumps(dict(self.event.raw), ensure_ascii=False, default=str)
        self.app.copy_to_clipboard(text)
        self.notify("The event is on the clipboard as JSON.", timeout=3)
