"""Which events to show: by kind (a set, or failures only) and by text, case-insensitively."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from .events import ActivityEvent
from .kinds import FAILURES, KIND_GROUPS, group_of


@dataclass(frozen=True, slots=True)
class ActivityFilter:
    """`kinds`: the kinds to show (empty = every kind); `failures`: only events that failed (ok: false);
    `text`: looked for, case-insensitively, in the title, the kind (as sent and in words), the summary
    and every value (also as `name=value`). `label` names the kind choice for people ("tools")."""

    kinds: frozenset[str] = frozenset()
    failures: bool = False
    text: str = ""
    label: str = "all kinds"

    @property
    def is_active(self) -> bool:
        """True when anything is filtered out at all."""
        return bool(self.kinds or self.failures or self.text.strip())

    def matches(self, event: ActivityEvent) -> bool:
        """True when `event` passes every part of the filter."""
        if self.kinds and event.kind not in self.kinds:
            return False
        if self.failures and not event.failed:
            return False
        needle = self.text.strip().casefold()
        if not needle:
            return True
        return any(needle in text.casefold() for text in event.search_texts() if text)

    def apply(self, events: Iterable[ActivityEvent]) -> tuple[ActivityEvent, ...]:
        """The events that match, in their given order."""
        return tuple(e for e in events if self.matches(e))

    def with_text(self, text: str) -> ActivityFilter:
        return ActivityFilter(self.kinds, self.failures, text, self.label)


@dataclass(frozen=True, slots=True)
class KindChoice:
    """One step of the kind filter's cycle."""

    label: str
    kinds: frozenset[str] = frozenset()
    failures: bool = False


ALL_KINDS = KindChoice("all kinds")


def kind_choices(events: Iterable[ActivityEvent]) -> tuple[KindChoice, ...]:
    """The kind filter's cycle: all kinds, each group, each kind seen outside every group (as itself),
    then failures only."""
    extra = sorted({e.kind for e in events if group_of(e.kind) is None}, key=str.casefold)
    choices = [ALL_KINDS] + [KindChoice(name, kinds) for name, kinds in KIND_GROUPS]
    choices += [KindChoice(kind or "(no kind)", frozenset({kind})) for kind in extra]
    choices.append(KindChoice(FAILURES, failures=True))
    return tuple(choices)


def next_choice(current: ActivityFilter, events: Iterable[ActivityEvent]) -> ActivityFilter:
    """The filter with the next kind choice (the text stays); after the last, all kinds again."""
    choices = kind_choices(events)
    labels = [c.label for c in choices]
    index = labels.index(current.label) + 1 if current.label in labels else 0
    choice = choices[index % len(choices)]
    return ActivityFilter(choice.kinds, choice.failures, current.text, choice.label)
