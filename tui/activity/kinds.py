"""Event kinds in words ("session_start" → "call started"), and the groups the kind filter offers.

Wiro documents only that events carry a `kind`; the ones named here are those seen in practice. A kind
this version does not know is shown as itself, tidied ("realtimeReconnect" → "realtime reconnect").
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from ..calls.sanitize import printable

#: kind → words; a failed completion (ok: false) is said differently, below
KIND_WORDS: dict[str, str] = {
    "session_start": "call started",
    "session_end": "call ended",
    "tool_started": "tool started",
    "tool_completed": "tool finished",
    "tool_failed": "tool failed",
    "cron_started": "scheduled job started",
    "cron_finished": "scheduled job finished",
    "cron_failed": "scheduled job failed",
    "agent_reply": "agent said",
    "user_message": "caller said",
    "turn_started": "agent turn started",
    "turn_ended": "agent turn ended",
}
_FAILED_WORDS = {"tool_completed": "tool failed", "cron_finished": "scheduled job failed"}

#: the kind filter's choices after "all kinds", in this order; kinds outside every group get their own choice
KIND_GROUPS: tuple[tuple[str, frozenset[str]], ...] = (
    ("calls", frozenset({"session_start", "session_end"})),
    ("conversation", frozenset({"user_message", "agent_reply", "turn_started", "turn_ended"})),
    ("tools", frozenset({"tool_started", "tool_completed", "tool_failed"})),
    ("scheduled jobs", frozenset({"cron_started", "cron_finished", "cron_failed"})),
)
#: other names people type for a group (`--kind cron`)
GROUP_ALIASES = {"call": "calls", "sessions": "calls", "tool": "tools", "cron": "scheduled jobs",
                 "crons": "scheduled jobs", "jobs": "scheduled jobs", "scheduled": "scheduled jobs",
                 "turns": "conversation", "messages": "conversation"}
#: not a kind: the events that say they failed (ok: false), whatever their kind
FAILURES = "failures"

_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
_SEPARATORS = re.compile(r"[\s_.\-/:]+")


def tidy_kind(kind: str | None) -> str:
    """An unknown kind made readable: separators and camelCase become spaces, lower case; "" → "event"."""
    text = printable(kind).strip()
    if not text:
        return "event"
    words = _SEPARATORS.sub(" ", _CAMEL.sub(" ", text)).strip().lower()
    return words or text


def kind_words(kind: str | None, *, ok: bool | None = None, raw: Mapping[str, Any] | None = None) -> str:
    """What an event is, in a few words. `ok` False turns a completion into a failure; `raw` (the event)
    lets a start or end say more: a web session, a rejected call."""
    summary = raw.get("summary") if raw is not None else None
    summary = summary if isinstance(summary, Mapping) else {}
    if kind == "session_start" and summary.get("channel") == "web":
        return "web session started"
    if kind == "session_end" and (summary.get("reason") or "rejected" in str(summary.get("status") or "")):
        return "call rejected"
    if ok is False and kind in _FAILED_WORDS:
        return _FAILED_WORDS[kind]
    if kind in KIND_WORDS:
        return KIND_WORDS[kind]
    words = tidy_kind(kind)
    return f"{words} (failed)" if ok is False and "fail" not in words else words


def group_of(kind: str | None) -> str | None:
    """The filter group a kind belongs to, or None for a kind outside every group."""
    return next((name for name, kinds in KIND_GROUPS if kind in kinds), None)


def resolve_kinds(names: Iterable[str]) -> tuple[frozenset[str], bool]:
    """`--kind` values (kinds, group names, comma-separated lists) → (kinds, failures only).

    A group name ("tools", "cron"…) stands for its kinds; "failures" asks for failed events of any kind;
    anything else is taken as a kind as Wiro spells it. An empty result means "every kind"."""
    kinds: set[str] = set()
    failures = False
    groups = dict(KIND_GROUPS)
    for value in names:
        for part in str(value).split(","):
            name = part.strip()
            if not name:
                continue
            lowered = name.lower()
            group = GROUP_ALIASES.get(lowered, lowered)
            if group == FAILURES:
                failures = True
            elif group in groups:
                kinds |= groups[group]
            else:
                kinds.add(name)
    return frozenset(kinds), failures
