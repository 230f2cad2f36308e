"""Figures over the sessions in view: the strip above the Calls table, and a sparkline of arrivals."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING, Iterable, Mapping, Sequence

if TYPE_CHECKING:  # annotations only: the models load with the first answer
    from ..wiro.models import CallSession
from .catalog import duration_text, rejection_label, status_group

#: Key under which rejections count when their reason is not known (yet): the history rows do not
#: carry metadata.reason, only Message/Detail does.
UNKNOWN_REASON = "unknown"

#: Suggest raising maxcallseconds when at least this many ended calls hit the limit…
RAISE_MIN_COUNT = 3
#: …and they are at least this share of the ended calls (a few long calls among hundreds are normal).
RAISE_MIN_SHARE = 0.10

#: Sparkline levels, lowest to highest.
SPARK_LEVELS = "▁▂▃▄▅▆▇█"
#: Default sparkline window: the last two hours, in 24 five-minute buckets.
DEFAULT_SPAN_MS = 2 * 3600 * 1000


@dataclass(frozen=True, slots=True)
class StripFigures:
    """The figures over a set of sessions.

    `rejections` is (reason, count) pairs, most frequent first, with `UNKNOWN_REASON` for rejections
    whose reason was not supplied. `average_seconds` covers ended calls with a duration (None if
    none). `suggest_raise` is True when enough calls end on max_duration that the limit is likely
    cutting real conversations short. `errors` counts wiro_error endings; `last_hour` the calls
    started in the hour before "now".
    """

    calls: int = 0
    active_now: int = 0
    incoming: int = 0
    talking: int = 0
    ended: int = 0
    rejected: int = 0
    average_seconds: float | None = None
    rejections: tuple[tuple[str, int], ...] = ()
    max_duration: int = 0
    maxcallseconds: int | None = None
    suggest_raise: bool = False
    errors: int = 0
    last_hour: int = 0

    @property
    def average_text(self) -> str:
        """The average duration as "2m 05s", or "–" when no call has ended yet."""
        return "–" if self.average_seconds is None else duration_text(round(self.average_seconds))

    @property
    def rejections_text(self) -> str:
        """"2 too many calls at once (concurrency limit), 1 reason unknown", or "" when none."""
        return ", ".join(f"{n} {rejection_label(None if r == UNKNOWN_REASON else r)}" for r, n in self.rejections)

    @property
    def max_duration_text(self) -> str:
        """"3 of 20 ended calls were cut off at the max call length", with a suggestion when `suggest_raise`; ""
        when none were. Each call is judged by its own end reason (max_duration), whatever the limit was then:
        today's setting is named only in the suggestion, as what to raise."""
        if not self.max_duration:
            return ""
        were = "was" if self.max_duration == 1 else "were"
        text = f"{self.max_duration} of {self.ended} ended calls {were} cut off at the max call length"
        if self.suggest_raise:
            now = f" (now {self.maxcallseconds} s)" if self.maxcallseconds else ""
            text += f" — consider raising maxcallseconds{now} in the Credentials"
        return text


def strip_figures(sessions: Iterable[CallSession], now_ms: int, maxcallseconds: int | None = None,
                  reasons: Mapping[str, str | None] | None = None) -> StripFigures:
    """Figures over `sessions` (typically the rows in view). `reasons` maps messageguid → rejection
    reason for the sessions whose Message/Detail has been read; other rejections count under
    `UNKNOWN_REASON`. `maxcallseconds` is the credential's current limit (named in the suggestion only: a call
    counts as cut off by its own end reason, not by its length against today's limit);
    `now_ms` dates the "last hour" count."""
    reasons = reasons or {}
    groups: Counter[str] = Counter()
    rejections: Counter[str] = Counter()
    durations: list[int] = []
    max_duration = errors = calls = last_hour = 0
    hour_ago = now_ms - 3_600_000
    for session in sessions:
        calls += 1
        if session.started_at_ms is not None and session.started_at_ms >= hour_ago:
            last_hour += 1
        group = status_group(session.status)
        groups[group] += 1
        if group == "rejected":
            rejections[reasons.get(session.messageguid) or UNKNOWN_REASON] += 1
        elif group == "ended":
            if session.duration_seconds is not None:
                durations.append(session.duration_seconds)
            if session.end_reason == "max_duration":
                max_duration += 1
            elif session.end_reason == "wiro_error":
                errors += 1
    ended = groups["ended"]
    suggest = max_duration >= RAISE_MIN_COUNT and max_duration >= RAISE_MIN_SHARE * ended
    # Most frequent first; ties by reason so the strip does not flicker between equal counts.
    ordered = tuple(sorted(rejections.items(), key=lambda item: (-item[1], item[0])))
    return StripFigures(
        calls=calls,
        active_now=groups["incoming"] + groups["active"],
        incoming=groups["incoming"],
        talking=groups["active"],
        ended=ended,
        rejected=groups["rejected"],
        average_seconds=sum(durations) / len(durations) if durations else None,
        rejections=ordered,
        max_duration=max_duration,
        maxcallseconds=maxcallseconds,
        suggest_raise=suggest,
        errors=errors,
        last_hour=last_hour,
    )


def bucket_counts(sessions: Iterable[CallSession], now_ms: int, buckets: int = 24,
                  span_ms: int = DEFAULT_SPAN_MS) -> tuple[int, ...]:
    """Sessions started per bucket over the `span_ms` before `now_ms`, oldest bucket first.

    Starts older than the window are left out; starts after `now_ms` (the server's clock ahead of
    ours) count in the newest bucket rather than vanishing.
    """
    if buckets < 1 or span_ms < 1:
        raise ValueError("buckets and span_ms must be positive")
    counts = [0] * buckets
    start = now_ms - span_ms
    for session in sessions:
        t = session.started_at_ms
        if t is None or t < start:
            continue
        index = min(buckets - 1, (t - start) * buckets // span_ms)
        counts[index] += 1
    return tuple(counts)


def spark(counts: Sequence[int], empty: str = " ") -> str:
    """One character per count, scaled to the largest: ▁ for the fewest, █ for the most.

    Empty buckets are `empty` (a space by default) so "no calls" reads differently from "a few
    calls": any non-zero count shows at least ▁.
    """
    peak = max(counts, default=0)
    if peak <= 0:
        return empty * len(counts)
    top = len(SPARK_LEVELS)
    # ceil(count / peak * levels) with integers: never 0 for a non-zero count, exactly top at the peak.
    return "".join(SPARK_LEVELS[(c * top + peak - 1) // peak - 1] if c > 0 else empty for c in counts)


def sparkline(sessions: Iterable[CallSession], now_ms: int, buckets: int = 24,
              span_ms: int = DEFAULT_SPAN_MS, empty: str = " ") -> str:
    """Calls started over time as `buckets` characters, oldest on the left (see `bucket_counts`, `spark`)."""
    return spark(bucket_counts(sessions, now_ms, buckets, span_ms), empty)
