"""Start and Stop asked first (opened from the Overview, only when s or x is pressed)."""

from __future__ import annotations

from textual.binding import Binding

from .confirm import Confirm


class AgentConfirm(Confirm):
    """Start/Stop asked first: `y` (or Enter on the focused first button) answers yes, Escape cancels."""

    BINDINGS = [Binding("y", "yes", "Yes", id="agent.confirm")]

    def action_yes(self) -> None:
        self.dismiss(self._answers[0][1])
