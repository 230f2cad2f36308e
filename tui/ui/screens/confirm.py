"""A question with a few answers, as buttons. Escape answers "cancel"; `y` answers the question's "yes", when it has one."""

from __future__ import annotations

from typing import Sequence

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Static

from ..stylesheets import sheet


class Confirm(ModalScreen[str]):
    CSS_PATH = sheet("dialogs")
    BINDINGS = [
        Binding("escape", "answer('cancel')", "Cancel", id="confirm.cancel"),
        Binding("y", "yes", "Yes", id="confirm.yes"),
    ]

    def __init__(self, title: str, question: str, answers: Sequence[tuple[str, str, str]], *,
                 yes: str | None = None) -> None:
        """`answers`: (button label, value returned, button variant), the first one focused (Enter presses it).
        `yes`: the value `y` answers (the question's "yes"); without it `y` does nothing."""
        super().__init__(classes="confirm-screen")
        self._title = title
        self._question = question
        self._answers = answers
        self._yes = yes

    def compose(self) -> ComposeResult:
        with Vertical(id="confirm", classes="panel"):
            yield Static(self._question, id="confirm-question")
            with Horizontal(id="confirm-buttons"):
                for label, value, variant in self._answers:
                    yield Button(label, id=f"answer-{value}", variant=variant)  # type: ignore[arg-type]

    def on_mount(self) -> None:
        self.query_one("#confirm").border_title = self._title
        self.query(Button).first().focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss((event.button.id or "answer-cancel").removeprefix("answer-"))

    def action_answer(self, value: str) -> None:
        self.dismiss(value)

    def action_yes(self) -> None:
        if self._yes is not None:
            self.dismiss(self._yes)
