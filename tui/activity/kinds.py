"""Event kinds in words ("session_start" → "call started"), and the groups the kind filter offers.

Two documented sets: the newest docs' fine kinds (`tool_started` … `token_usage`, `balance_gate_blocked`)
and the older docs' coarse kinds (`tool`, `turn`, `session`, `message`, `cron`, `deduct`, `system`, with
`action`/`skill`/`details`). Each group of the filter holds both spellings, so `--kind tool` selects tool
events whichever shape the account sends. A kind neither set names is shown as itself, tidied
("realtimeReconnect" → "realtime reconnect"), never dropped.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from ..common.text import printable

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
    "token_usage": "turn billed",
    "token_usage_idempotent": "billing replayed (already billed)",
    "balance_gate_blocked": "turn refused: no credits",
    # the older docs' coarse kinds; `action` says what happened (see `kind_words`)
    "tool": "tool",
    "turn": "agent turn",
    "session": "session",
    "message": "message",
    "cron": "scheduled job",
    "deduct": "credits used",
    "system": "system",
}
#: the kinds the docs name (newest, then older); others are shown generically
NEWEST_KINDS = ("tool_started", "tool_completed", "turn_started", "turn_ended", "cron_started", "cron_finished",
                "session_start", "session_end", "user_message", "agent_reply", "token_usage",
                "token_usage_idempotent", "balance_gate_blocked")
OLDER_KINDS = ("tool", "turn", "session", "message", "cron", "deduct", "system")
DOCUMENTED_KINDS = NEWEST_KINDS + OLDER_KINDS + ("tool_failed", "cron_failed")
_FAILED_WORDS = {"tool_completed": "tool failed", "cron_finished": "scheduled job failed"}

#: the kind filter's choices after "all kinds", in this order; kinds outside every group get their own choice
KIND_GROUPS: tuple[tuple[str, frozenset[str]], ...] = (
    ("calls", frozenset({"session_start", "session_end", "session"})),
    ("conversation", frozenset({"user_message", "agent_reply", "turn_started", "turn_ended", "turn", "message"})),
    ("tools", frozenset({"tool_started", "tool_completed", "tool_failed", "tool"})),
    ("scheduled jobs", frozenset({"cron_started", "cron_finished", "cron_failed", "cron"})),
    ("credits", frozenset({"token_usage", "token_usage_idempotent", "balance_gate_blocked", "deduct"})),
)
#: other names people type for a group (`--kind cron`); the older coarse kinds name their group
GROUP_ALIASES = {"call": "calls", "sessions": "calls", "session": "calls", "tool": "tools", "cron": "scheduled jobs",
                 "crons": "scheduled jobs", "jobs": "scheduled jobs", "scheduled": "scheduled jobs",
                 "turn": "conversation", "turns": "conversation", "message": "conversation",
                 "messages": "conversation", "billing": "credits", "deduct": "credits", "tokens": "credits"}
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
    if kind in OLDER_KINDS and raw is not None and isinstance(raw.get("action"), str) and raw["action"].strip():
        base = KIND_WORDS[kind]
        return f"{base}: {tidy_kind(raw['action'])}" if base != tidy_kind(raw["action"]) else base
    if kind in KIND_WORDS:
        return KIND_WORDS[kind]
    words = tidy_kind(kind)
    return f"{words} (failed)" if ok is False and "fail" not in words else words


def group_of(kind: str | None) -> str | None:
    """The filter group a kind belongs to, or None for a kind outside every group."""
    return next((name for name, kinds in KIND_GROUPS if kind in kinds), None)


def resolve_kinds(names: Iterable[str], *, known: Iterable[str] | None = None) -> tuple[frozenset[str], bool]:
    """`--kind` values (kinds, group names, comma-separated lists) → (kinds, failures only).

    A group name ("tools", "cron"…) stands for its kinds; "failures" asks for failed events of any kind;
    anything else is taken as a kind as Wiro spells it. An empty result means "every kind". With `known`
    (the kinds that may be asked for: the documented ones and those seen), a name that is none of these
    raises UnknownKind."""
    kinds: set[str] = set()
    failures = False
    groups = dict(KIND_GROUPS)
    allowed = None if known is None else set(known)
    unknown = []
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
            elif allowed is not None and name not in allowed:
                unknown.append(name)
            else:
                kinds.add(name)
    if unknown:
        raise UnknownKind(unknown, sorted(allowed or ()))
    return frozenset(kinds), failures


class UnknownKind(ValueError):
    """`--kind` named something that is neither a group, `failures`, nor a kind the docs or the log know."""

    def __init__(self, names: list[str], known: list[str]) -> None:
        self.names, self.known = names, known
        groups = ", ".join(name for name, _ in KIND_GROUPS)
        super().__init__(f"--kind {', '.join(repr(n) for n in names)}: no such kind. Groups: {groups}, {FAILURES}. "
                         f"Kinds: {', '.join(known)}.")
