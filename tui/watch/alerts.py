"""Alerts as a pure state machine: fire once, repeat at most every `repeat` seconds while held, then resolve.

The rules (see `rules`) say which conditions hold after a poll; `AlertEngine.evaluate` compares them with
what was already firing and returns the events to deliver. It owns no clock (the caller passes `now`) and
does no I/O, so every transition is tested directly. A condition the rules could not judge this round (its
data was not read: Wiro down, one agent's Detail failed) is *undecided*: it keeps its state, because "not
seen" is not "fixed".
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Literal

Severity = Literal["critical", "warning"]
EventKind = Literal["firing", "repeat", "resolved"]
SEVERITIES: tuple[Severity, ...] = ("critical", "warning")


@dataclass(frozen=True)
class Alert:
    """One condition that holds now. `key` is stable across polls ("agent.not_running:<guid>") and decides
    identity: the same key on the next poll is the same alert, whatever its words say by then."""

    key: str
    rule: str
    severity: Severity
    title: str
    detail: str
    fix: str = ""
    agent: str | None = None
    agent_title: str | None = None

    def __post_init__(self) -> None:
        if self.severity not in SEVERITIES:
            raise ValueError(f"severity must be one of {', '.join(SEVERITIES)}, not {self.severity!r}")


@dataclass(frozen=True)
class AlertEvent:
    """What to deliver: an alert started (`firing`), still holds (`repeat`), or cleared (`resolved`).
    `since` is when it started firing; `count` how many times it has been sent, this one included."""

    kind: EventKind
    alert: Alert
    at: float
    since: float
    count: int = 1

    def to_json(self) -> dict[str, Any]:
        a = self.alert
        return {"state": self.kind, "id": a.key, "rule": a.rule, "severity": a.severity, "title": a.title,
                "detail": a.detail, "fix": a.fix, "agent": a.agent, "agent_title": a.agent_title,
                "since": self.since, "at": self.at, "count": self.count}

    def line(self) -> str:
        """One line for stderr: `ALERT firing critical agent.not_running:… — The agent is stopped …`."""
        word = {"firing": "ALERT", "repeat": "ALERT (still)", "resolved": "RESOLVED"}[self.kind]
        who = f" [{self.alert.agent_title}]" if self.alert.agent_title else ""
        return f"{word} {self.alert.severity} {self.alert.key}{who}: {self.alert.title}"


@dataclass
class _Held:
    alert: Alert
    since: float
    last_sent: float
    count: int = 1


@dataclass
class AlertEngine:
    """Remembers what is firing. `repeat` seconds between reminders while an alert holds (0 or less: never)."""

    repeat: float = 3600.0
    _held: dict[str, _Held] = field(default_factory=dict, repr=False)

    def evaluate(self, holding: Iterable[Alert], now: float, *, undecided: Iterable[str] = ()) -> list[AlertEvent]:
        """Events for this round. `holding`: every condition true now (duplicated keys: the first wins).
        `undecided`: key prefixes the rules could not judge; their firing alerts neither resolve nor change."""
        current: dict[str, Alert] = {}
        for alert in holding:
            current.setdefault(alert.key, alert)
        unsure = tuple(undecided)
        events: list[AlertEvent] = []
        for key, held in list(self._held.items()):
            if key in current:
                continue
            if unsure and key.startswith(unsure):
                events += self._maybe_repeat(held, now)
                continue
            del self._held[key]
            events.append(AlertEvent("resolved", held.alert, now, held.since, held.count))
        for key, alert in current.items():
            held = self._held.get(key)
            if held is None:
                self._held[key] = _Held(alert, now, now)
                events.append(AlertEvent("firing", alert, now, now, 1))
                continue
            held.alert = alert  # the newest words (counts, times) for reminders and the resolution
            events += self._maybe_repeat(held, now)
        return events

    def _maybe_repeat(self, held: _Held, now: float) -> list[AlertEvent]:
        if self.repeat <= 0 or now - held.last_sent < self.repeat:
            return []
        held.last_sent = now
        held.count += 1
        return [AlertEvent("repeat", held.alert, now, held.since, held.count)]

    @property
    def firing(self) -> tuple[Alert, ...]:
        """What holds now, oldest first (for a header count, a list, the `--once` exit code)."""
        return tuple(h.alert for h in sorted(self._held.values(), key=lambda h: (h.since, h.alert.key)))

    def since(self, key: str) -> float | None:
        held = self._held.get(key)
        return held.since if held is not None else None
