"""Whether a screen can load anything yet, and the one line it shows when it cannot.

One rule for every screen's empty state (they had seven copies with different words):

- `no-key`: no Wiro API key and no demo coming — nothing to connect to;
- `connecting`: the demo simulator is starting;
- `no-agent`: connected, but no agent is chosen;
- `ready`: a client and an agent: load.

The keys named in the text follow the keymap (a user who moved Connection off `n` reads their own key).
"""

from __future__ import annotations

from typing import Any, Callable, Literal, NamedTuple

State = Literal["no-key", "connecting", "no-agent", "ready"]


class Readiness(NamedTuple):  # NamedTuple, not a dataclass: made at start-up, where a dataclass costs ~0.4 ms
    state: State
    #: the empty-state line (Textual markup, keys in bold); "" when ready
    text: str

    @property
    def ready(self) -> bool:
        return self.state == "ready"


def readiness_of(*, has_client: bool, demo_starting: bool, agent_guid: str | None,
                 key: Callable[[str], str] = lambda mode: "", needs_agent: bool = True) -> Readiness:
    """The rule itself, from plain values. `key(mode)` is the key that opens a screen ("" when none);
    `needs_agent=False` for a screen that is useful with a connection alone."""
    if demo_starting:
        return Readiness("connecting", "Starting the demo…")
    if not has_client:
        return Readiness("no-key", f"Not connected: no Wiro API key. {_press(key('connection'), 'to enter yours')}.")
    if agent_guid is None and needs_agent:
        overview = key("overview")
        where = f"on the Overview ([b]{overview}[/b], then [b]a[/b])" if overview else "on the Overview"
        return Readiness("no-agent", f"No agent chosen: pick one {where}.")
    return Readiness("ready", "")


def readiness(app: Any, *, needs_agent: bool = True) -> Readiness:
    """Where `app` (a WiroVoiceApp) stands; see the module doc."""
    return readiness_of(
        has_client=app.client is not None,
        demo_starting=bool(getattr(app, "demo_starting", False)),
        agent_guid=app.agent_guid,
        key=lambda mode: app.key_for(mode) or "",
        needs_agent=needs_agent,
    )


def _press(key: str, purpose: str) -> str:
    return f"Press [b]{key}[/b] (Connection) {purpose}" if key else f"Open Connection {purpose}"
