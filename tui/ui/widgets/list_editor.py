"""A list of short strings (phone numbers, caller IDs): add many at once, edit, remove, reorder.

The Input on top takes one value or many pasted together; Enter adds them (or replaces the item being
edited). Below, one line per item with its problems beside it. On a highlighted item: Enter edits it,
Delete removes it, Alt+Up/Alt+Down move it. The screen applies suggested fixes (see target_index).
"""

from __future__ import annotations

from typing import Callable, Sequence

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.markup import escape
from textual.message import Message
from textual.widgets import Input, OptionList, Static

from ...problems import Problem


def problem_line(problem: Problem) -> str:
    """`✖ message` or `⚠ message`, as markup."""
    return f"{'✖' if problem.blocks else '⚠'} {escape(problem.message)}"


class ListEditor(Vertical):
    class Changed(Message):
        """The items or the text being typed changed."""

        def __init__(self, editor: "ListEditor") -> None:
            super().__init__()
            self.editor = editor

        @property
        def control(self) -> "ListEditor":
            return self.editor

    BINDINGS = [
        Binding("delete,backspace", "remove", "Remove", id="list.remove"),
        Binding("alt+up", "move(-1)", "Move up", id="list.up"),
        Binding("alt+down", "move(1)", "Move down", id="list.down"),
    ]

    def __init__(
        self,
        values: Sequence[str] = (),
        *,
        placeholder: str,
        split: Callable[[str], list[str]],
        id: str | None = None,
    ) -> None:
        super().__init__(id=id, classes="list-editor")
        self._items: list[str] = list(values)
        self._split = split
        self._placeholder = placeholder
        self._editing: int | None = None
        self._problems: dict[int, list[Problem]] = {}
        self._pending_problems: list[Problem] = []

    def compose(self) -> ComposeResult:
        yield Input(placeholder=self._placeholder, classes="list-input")
        yield Static("", classes="field-message list-pending")
        yield OptionList(classes="list-items")

    def on_mount(self) -> None:
        self._render_items()
        self.query_one(".list-pending", Static).display = False

    # -- state --------------------------------------------------------------------------------------

    @property
    def items(self) -> tuple[str, ...]:
        return tuple(self._items)

    @property
    def pending(self) -> list[str]:
        """What is typed in the input and not added yet, split into values."""
        return self._split(self.query_one(".list-input", Input).value)

    @property
    def editing(self) -> int | None:
        return self._editing

    def values_with_pending(self) -> tuple[str, ...]:
        """The list as it would be if Enter were pressed now (what Save uses, so nothing typed is lost)."""
        items = list(self._items)
        pending = self.pending
        if self._editing is not None and self._editing < len(items):
            items[self._editing : self._editing + 1] = pending
        else:
            items.extend(pending)
        return tuple(items)

    def set_items(self, values: Sequence[str]) -> None:
        self._items = list(values)
        self._editing = None
        self.query_one(".list-input", Input).value = ""
        self._render_items()

    def commit_pending(self) -> None:
        """Add (or put back) what is typed, as Enter would."""
        items = self.values_with_pending()
        if items != self.items or self.query_one(".list-input", Input).value:
            self._items = list(items)
            self._editing = None
            self.query_one(".list-input", Input).value = ""
            self._render_items()
            self.post_message(self.Changed(self))

    def show_problems(self, problems: dict[int, list[Problem]], pending: list[Problem]) -> None:
        """Problems per item index, and for the text being typed."""
        if problems != self._problems:
            self._problems = problems
            self._render_items()
        box = self.query_one(".list-pending", Static)
        if pending != self._pending_problems:
            self._pending_problems = pending
            box.update("\n".join(problem_line(p) for p in pending))
            box.set_class(any(p.blocks for p in pending), "error")
            box.set_class(bool(pending) and not any(p.blocks for p in pending), "warning")
        box.display = bool(pending)

    def _render_items(self) -> None:
        options = self.query_one(".list-items", OptionList)
        highlighted = options.highlighted
        prompts = []
        for index, value in enumerate(self._items):
            marker = "✎ " if index == self._editing else ""
            line = f"{index + 1:>2}. {marker}{escape(value)}"
            for problem in self._problems.get(index, []):
                line += f"\n    {problem_line(problem)}"
            prompts.append(line)
        options.set_options(prompts)
        options.display = bool(prompts)
        if prompts:
            options.highlighted = min(highlighted or 0, len(prompts) - 1)

    # -- keys -----------------------------------------------------------------------------------------

    @on(Input.Changed, ".list-input")
    def _typed(self, event: Input.Changed) -> None:
        event.stop()
        self.post_message(self.Changed(self))

    @on(Input.Submitted, ".list-input")
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.commit_pending()

    @on(OptionList.OptionSelected, ".list-items")
    def _edit(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self._editing = event.option_index
        box = self.query_one(".list-input", Input)
        box.value = self._items[event.option_index]
        box.placeholder = "Editing: Enter puts it back, Escape cancels"
        box.focus()
        self._render_items()

    def cancel_edit(self) -> bool:
        """Escape in the input while editing: leave the item as it was. True when there was an edit."""
        if self._editing is None:
            return False
        self._editing = None
        box = self.query_one(".list-input", Input)
        box.value = ""
        box.placeholder = self._placeholder
        self._render_items()
        self.post_message(self.Changed(self))
        return True

    def _highlighted(self) -> int | None:
        options = self.query_one(".list-items", OptionList)
        if not options.has_focus or options.highlighted is None or not self._items:
            return None
        return options.highlighted

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("remove", "move"):
            return self._highlighted() is not None
        return True

    def action_remove(self) -> None:
        index = self._highlighted()
        if index is None:
            return
        del self._items[index]
        self._editing = None
        self._problems = {}
        self._render_items()
        self.post_message(self.Changed(self))

    def action_move(self, step: int) -> None:
        index = self._highlighted()
        if index is None:
            return
        target = index + step
        if 0 <= target < len(self._items):
            self._items[index], self._items[target] = self._items[target], self._items[index]
            self._problems = {}
            self._render_items()
            self.query_one(".list-items", OptionList).highlighted = target
            self.post_message(self.Changed(self))

    def target_index(self) -> int | None:
        """The element a key like "apply fix" is about: the highlighted item, the one being edited,
        or the first value typed in the input (counted after the items, as `values_with_pending` does)."""
        index = self._highlighted()
        if index is not None:
            return index
        if self._editing is not None:
            return self._editing
        if self.query_one(".list-input", Input).has_focus and self.pending:
            return len(self._items)
        return None
