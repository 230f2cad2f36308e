"""What worker results carry to handlers (workers produce, handlers mutate)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..wiro.errors import WiroError
    from ..wiro.models import Agent, CallSession


@dataclass(frozen=True)
class OverviewSnapshot:
    """One poll of the Overview: the agent, its recent sessions, and what failed (if anything)."""

    agent: Agent | None
    sessions: tuple[CallSession, ...] | None
    error: WiroError | None
    taken_at: float
    #: the app's connection/agent generation when the poll started; older answers are dropped
    generation: int = 0
