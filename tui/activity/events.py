"""One log event as the screen and the command show it, and the day's events newest first.

Events carry no id. Each is keyed by a digest of its whole content, so the same event answered by two
polls has the same key (and changes nothing), while two identical events in one answer are told apart
by their order ("…~2").
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..calls.catalog import duration_text, end_reason_label, rejection_label
from ..common.coerce import epoch_time
from ..common.text import printable
from ..wiro.models import LogEvent, LogTail
from .flatten import Pair, flatten, scalar_text
from .kinds import kind_words

#: texts longer than this are cut in the one-line summary (the detail view shows all of it)
SUMMARY_TEXT_CHARS = 120


@dataclass(frozen=True, slots=True)
class ActivityEvent:
    """A log event ready to show. `at` is epoch seconds (None when `ts` is missing or unreadable);
    `ts`, `kind` and `title` are as sent, made printable; `words` says the kind in words; `summary` is
    one line; `fields` are every other key, flattened. Equality is by `key` and content."""

    key: str
    at: float | None
    ts: str
    kind: str
    words: str
    title: str
    summary: str
    fields: tuple[Pair, ...]
    ok: bool | None = None
    raw: Mapping[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @property
    def failed(self) -> bool:
        """True when the event says it failed (`ok: false`)."""
        return self.ok is False

    def search_texts(self) -> Iterable[str]:
        """The texts a text filter looks in: title, kind (as sent and in words), summary, every value and
        every `name=value` (so "ok=false" finds failures)."""
        yield self.title
        yield self.kind
        yield self.words
        yield self.summary
        for name, value in self.fields:
            yield value
            yield f"{name}={value}"


def content_key(raw: Mapping[str, Any]) -> str:
    """A short digest of the event's whole content (key order does not matter)."""
    try:
        text = json.dumps(raw, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    except (TypeError, ValueError):  # keys JSON cannot sort (not from a parsed answer)
        text = repr(sorted(raw.items(), key=lambda item: str(item[0])))
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=8).hexdigest()


def _ms_text(value: Any) -> str:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return ""
    if value < 1000:
        return f"{int(value)} ms"
    return f"{value / 1000:.1f} s" if value < 60_000 else duration_text(int(value // 1000))


def _clip(text: str, limit: int = SUMMARY_TEXT_CHARS) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def summary_line(raw: Mapping[str, Any], words: str) -> str:
    """One line for the event: its title (or the kind in words), then what matters most in it — what
    was said, the tool, how long it took, the error, why a call ended."""
    summary = raw.get("summary")
    summary = summary if isinstance(summary, Mapping) else {}
    title = printable(raw.get("title") if isinstance(raw.get("title"), str) else None).strip() or words
    parts = [title]
    said = summary.get("text")
    if isinstance(said, str) and said.strip():
        parts.append(f"“{_clip(printable(said).strip())}”")
    tool = raw.get("tool")
    if isinstance(tool, str) and tool:
        parts.append(printable(tool))
    skill = raw.get("skill") or summary.get("skill")
    if isinstance(skill, str) and skill:
        parts.append(printable(skill))
    took = _ms_text(raw.get("durationMs"))
    if took:
        parts.append(took)
    if isinstance(summary.get("endReason"), str):
        parts.append(end_reason_label(summary["endReason"]))
    if isinstance(summary.get("reason"), str):
        parts.append(rejection_label(summary["reason"]))
    seconds = summary.get("durationSeconds")
    if isinstance(seconds, (int, float)) and not isinstance(seconds, bool):
        parts.append(duration_text(int(seconds)))
    error = raw.get("error")
    if error is not None and error != "":
        parts.append("error: " + _clip(scalar_text(error)))
    return " · ".join(parts)


def from_log(event: LogEvent, key: str | None = None) -> ActivityEvent:
    """The event ready to show; `key` defaults to its content digest."""
    raw = event.raw
    ok = raw.get("ok") if isinstance(raw.get("ok"), bool) else event.ok
    words = kind_words(event.kind, ok=ok, raw=raw)
    return ActivityEvent(
        key=key or content_key(raw),
        at=epoch_time(raw.get("ts")),
        ts=scalar_text(raw["ts"]) if raw.get("ts") is not None else "",
        kind=printable(event.kind),
        words=words,
        title=printable(event.title),
        summary=summary_line(raw, words),
        fields=flatten(raw),
        ok=ok,
        raw=raw,
    )


def newest_first(events: Iterable[ActivityEvent]) -> tuple[ActivityEvent, ...]:
    """Events by time, newest first; equal times keep their given order; events without a time come last."""
    timed = [e for e in events]
    with_time = [e for e in timed if e.at is not None]
    without = [e for e in timed if e.at is None]
    with_time.sort(key=lambda e: e.at, reverse=True)  # type: ignore[arg-type, return-value]
    return tuple(with_time) + tuple(without)


def from_tail(tail: LogTail | Sequence[LogEvent], *, keep: int | None = None) -> tuple[ActivityEvent, ...]:
    """An answer's events, newest first, each with a key unique in it; with `keep`, only the newest `keep` of
    them (the others are keyed but not made ready to show: a screen that keeps 1000 events has no use for the
    rest of a 5000-event answer, and making them is most of the work).

    The newest docs send the day newest first (`events[0]` is the latest); older accounts send it oldest
    first. Which one came is read from the times (the first and last event with one), and the order is then
    made newest first, so of two events with the same time the one sent as the newer stays first. (Mostly
    rising times mean oldest first; anything else is taken as the newest docs' order.)"""
    events = tail.events if isinstance(tail, LogTail) else tuple(tail)
    seen: dict[str, int] = {}
    keyed: list[tuple[str, LogEvent, float | None]] = []
    for event in events:
        base = content_key(event.raw)
        seen[base] = seen.get(base, 0) + 1
        keyed.append((base if seen[base] == 1 else f"{base}~{seen[base]}", event, epoch_time(event.raw.get("ts"))))
    timed = [at for _key, _event, at in keyed if at is not None]
    ups = sum(1 for x, y in zip(timed, timed[1:]) if y > x)
    downs = sum(1 for x, y in zip(timed, timed[1:]) if y < x)
    if ups > downs:
        keyed.reverse()  # sent oldest first (older accounts)
    # newest first, as newest_first orders them: by time, equal times as given, events without a time last
    with_time = [item for item in keyed if item[2] is not None]
    with_time.sort(key=lambda item: item[2], reverse=True)  # type: ignore[arg-type, return-value]
    ordered = with_time + [item for item in keyed if item[2] is None]
    if keep is not None:
        ordered = ordered[:keep]
    return tuple(from_log(event, key) for key, event, _at in ordered)
