"""State the app owns for every screen: the connection and agent signals, and the unsaved credential edits.

Screens talk through the app, never by looking at each other. Two Textual `Signal`s say what changed:

- `app.connection_changed`: the client is another one (the demo came up, settings were saved, the demo was
  left). Everything a screen shows came from the old connection: drop it and load again.
- `app.agent_changed`: same connection, another agent (picked on the Overview). Per-agent state goes.

Both carry a `Change`. A screen subscribes once, in `on_mount`, usually to both with one handler
(`subscribe_changes`). Callbacks run on the subscriber's own message queue, so a screen in another mode
hears about it too and can reload at once or when it is shown again (compare `change.generation` with
what it shows).

The unsaved credential edits live in one model owned by the app (`app.credential_edits`, the class is in
`credential_edits.py`, made by `edits_of(app)` on first use), so Hold can read and offer a premix to them even
when Credentials never opened, and the app asks it before quitting instead of walking screens.
"""

from __future__ import annotations

from typing import Any, Callable, NamedTuple

from textual.dom import DOMNode
from textual.signal import Signal


class Change(NamedTuple):  # NamedTuple, not a dataclass: made at start-up, where a dataclass costs ~0.4 ms
    """What a signal carries: the app's generation after the change (answers tagged with an older one are
    stale) and the agent now chosen (None when none is)."""

    generation: int
    agent_guid: str | None
    #: "connection" or "agent"
    what: str


class AppSignals:
    """The two signals, owned by the app (a Signal needs a running owner to publish)."""

    def __init__(self, owner: DOMNode) -> None:
        self.connection_changed: Signal[Change] = Signal(owner, "connection_changed")
        self.agent_changed: Signal[Change] = Signal(owner, "agent_changed")


def subscribe_changes(node: DOMNode, callback: Callable[[Change], Any]) -> None:
    """Call `callback` on `node` whenever the connection or the agent changes (the node must be mounted)."""
    app: Any = node.app
    app.connection_changed.subscribe(node, callback)
    app.agent_changed.subscribe(node, callback)
