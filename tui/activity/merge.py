"""Folding a poll's answer into the events already shown.

Wiro answers the last N lines of the day, so older events slide out of the answer as new ones arrive;
the screen keeps them (up to `KEEP`) rather than letting them vanish. An answer with nothing new returns
the very same tuple, so the caller can tell "no change" by identity and touch nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from .events import ActivityEvent, newest_first

KEEP = 1000  # events kept across polls; the oldest go first


@dataclass(frozen=True, slots=True)
class Merged:
    """The events to show, newest first, and the keys this answer brought that were not shown before."""

    events: tuple[ActivityEvent, ...]
    added: tuple[str, ...] = ()

    @property
    def changed(self) -> bool:
        return bool(self.added)


def merge_events(current: tuple[ActivityEvent, ...], incoming: Sequence[ActivityEvent], *,
                 keep: int = KEEP) -> Merged:
    """`current` (newest first) plus what is new in `incoming`, newest first, at most `keep` of them.
    Nothing new: `current` itself comes back unchanged."""
    known = {e.key for e in current}
    fresh = [e for e in incoming if e.key not in known]
    if not fresh:
        return Merged(current)
    combined = newest_first([*fresh, *current])
    if len(combined) > keep:
        combined = combined[:keep]
    kept = {e.key for e in combined}
    return Merged(combined, tuple(e.key for e in fresh if e.key in kept))
