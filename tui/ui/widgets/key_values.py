"""A two-column list of labelled values whose wrapped lines stay aligned under the value."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Label, Static


class KeyValues(Vertical):
    """Fixed keys, values updated in place (no remounting on every refresh)."""

    def __init__(self, keys: tuple[str, ...], *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.keys = keys

    def compose(self) -> ComposeResult:
        for index, key in enumerate(self.keys):
            with Horizontal(classes="kv-row"):
                yield Label(key, classes="kv-key")
                yield Static("", id=f"kv-{index}", classes="kv-value")

    def show(self, values: dict[str, str]) -> None:
        """Update every value (markup); a key missing from `values` hides its row."""
        for index, key in enumerate(self.keys):
            static = self.query_one(f"#kv-{index}", Static)
            row = static.parent
            if key in values:
                static.update(values[key])
                if row is not None:
                    row.display = True
            elif row is not None:
                row.display = False

    def value_text(self, key: str) -> str:
        return str(self.query_one(f"#kv-{self.keys.index(key)}", Static).render())
