"""Insights: the figures for a period, from the local history joined with Twilio's call log.

`insights(store, scope)` computes them with three reads over covering indexes (time slot, number, shape):
the file already holds each call's outcome code, derived by triggers with the rules of `tui.history.join`
(see `schema`), so SQL only groups — per local hour or day, code and currency; the missed calls the number's
routing sent elsewhere; talk time, country and rejection reason — and Python folds a few hundred groups.
`from_calls()` computes the same `Insights` from joined calls in plain Python (the benchmark's anchor, and
what the tests check the SQL against, to the last micro-dollar). `missed_calls()` lists a period's missed
calls for the screen.

Buckets follow local time (the process's time zone, DST included): a 15-minute slot maps to a local hour or
day by adding the zone's offset for that stretch of the period, in SQL as in Python, which is exact for every
zone offset in use (all are multiples of 15 minutes).
"""

from __future__ import annotations

import re
import time
from bisect import bisect_right
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, Literal

from .join import (
    BOTH, COST_CAVEAT, MISSED, MISSED_CAUSE_ORDER, MISSED_CAUSES, REACHED, REJECTED, ROUTED_TO_WIRO, TWILIO_ONLY,
    JoinedCall, join,
)
from . import schema
from .codec import decode_word
from .records import CREDIT_USD, MICRO
from .store import HistoryStore

SLOT_MS = 15 * 60 * 1000
HOUR_MS = 3_600_000
DAY_MS = 86_400_000
#: Periods up to two days (give or take the minute "now" adds) are charted per hour, longer ones per day.
HOURLY_UP_TO_MS = 2 * DAY_MS + HOUR_MS
#: Duration histogram: (label, from seconds, to seconds (exclusive; None = no end)).
DURATION_BUCKETS: tuple[tuple[str, int, int | None], ...] = (
    ("<10s", 0, 10), ("10–30s", 10, 30), ("30–60s", 30, 60), ("1–2m", 60, 120), ("2–5m", 120, 300),
    ("5–10m", 300, 600), ("10m+", 600, None),
)
#: Countries listed by name; the rest are summed as "other".
TOP_COUNTRIES = 8
#: The rejection reason key when the reason is not known (the list rows do not carry it).
UNKNOWN_REASON = "unknown"

Step = Literal["hour", "day"]


# -- what to look at --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    """[start_ms, end_ms) and how to chart it. `key` is "today", "7d", "30d" or "custom"."""

    start_ms: int
    end_ms: int
    key: str
    label: str

    def __post_init__(self) -> None:
        if self.end_ms <= self.start_ms:
            raise ValueError("a period must end after it starts")

    @property
    def step(self) -> Step:
        return "hour" if self.end_ms - self.start_ms <= HOURLY_UP_TO_MS else "day"


def _local_midnight(ms: int) -> int:
    moment = datetime.fromtimestamp(ms / 1000)
    return int(datetime(moment.year, moment.month, moment.day).timestamp() * 1000)


def _day_start(day: date) -> int:
    return int(datetime(day.year, day.month, day.day).timestamp() * 1000)


_SPAN = re.compile(r"(\d{1,4})\s*([dh])")


def period(spec: str, now_ms: int) -> Period:
    """A period from the words of `--since` and the period selector (local time):

    "today" (since local midnight), "7d" / "30d" / "Nd" / "Nh" (the last N days or hours), "YYYY-MM-DD" (that
    day's midnight until now), "YYYY-MM-DD..YYYY-MM-DD" (whole days, both included). Raises ValueError with a
    message that says what is accepted.
    """
    text = (spec or "").strip().lower()
    if text == "today":
        start = _local_midnight(now_ms)
        return Period(start, _day_start(datetime.fromtimestamp(start / 1000).date() + timedelta(days=1)), "today", "today")
    span = _SPAN.fullmatch(text)
    if span:
        n, unit = int(span.group(1)), span.group(2)
        if n < 1:
            raise ValueError(f'"{spec}" is an empty period: use at least 1{unit}.')
        key = text if text in ("7d", "30d") else "custom"
        label = f"last {n} {'day' if unit == 'd' else 'hour'}{'s' if n != 1 else ''}"
        return Period(now_ms - n * (DAY_MS if unit == "d" else HOUR_MS), now_ms + 1, key, label)
    first, sep, last = text.partition("..")
    try:
        start_day = date.fromisoformat(first.strip())
        end_day = date.fromisoformat(last.strip()) if sep else None
    except ValueError:
        raise ValueError(f'"{spec}" is not a period. Use today, 7d, 30d, a number of days or hours (14d, 6h), a '
                         "date (2026-12-01) or a range of dates (2026-12-01..2026-12-07).") from None
    start = _day_start(start_day)
    if end_day is None:
        if start > now_ms:
            raise ValueError(f'"{spec}" is in the future.')
        return Period(start, now_ms + 1, "custom", f"since {start_day.isoformat()}")
    if end_day < start_day:
        raise ValueError(f'"{spec}" ends before it starts: put the earlier date first.')
    end = _day_start(end_day + timedelta(days=1))
    label = start_day.isoformat() if end_day == start_day else f"{start_day.isoformat()} to {end_day.isoformat()}"
    return Period(start, end, "custom", label)


@dataclass(frozen=True)
class Scope:
    """Which calls: a period, optionally one agent's sessions and calls to its numbers only."""

    period: Period
    agent_guid: str | None = None
    numbers: tuple[str, ...] | None = None


# -- the result -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SeriesPoint:
    bucket: str  # "2026-12-04 13:00" (hourly) or "2026-12-04" (daily), local time
    reached: int = 0
    rejected: int = 0
    missed: int = 0

    @property
    def total(self) -> int:
        return self.reached + self.rejected + self.missed


@dataclass(frozen=True)
class DayCost:
    day: str
    twilio_micro: int = 0  # USD
    credits_micro: int = 0

    @property
    def twilio_usd(self) -> float:
        return self.twilio_micro / MICRO

    @property
    def credits_usd(self) -> float:
        return self.credits_micro * CREDIT_USD / MICRO

    @property
    def total_usd(self) -> float:
        return (self.twilio_micro + self.credits_micro * CREDIT_USD) / MICRO


@dataclass(frozen=True)
class Insights:
    """The figures for one scope; every front end (screen, `insights --json/--csv`, doctor) renders this.

    Counts by outcome add up to `calls`. `missed_by_cause` lists every cause (0 included) in the order the
    causes are decided; `rejected_by_reason` is most frequent first. Durations are of reached calls (Wiro's
    talk time, else Twilio's duration), median and p90 by nearest rank. Money is in micro-units: Twilio's USD
    prices (`twilio_micro`), prices in other currencies per currency (not added to the dollar total), and the
    post-call credits; `unpriced` counts Twilio calls whose price Twilio has not settled yet.
    """

    scope: Scope
    calls: int = 0
    reached: int = 0
    rejected: int = 0
    missed: int = 0
    missed_by_cause: tuple[tuple[str, int], ...] = ()
    rejected_by_reason: tuple[tuple[str, int], ...] = ()
    sources: tuple[tuple[str, int], ...] = ()
    median_duration_s: int | None = None
    p90_duration_s: int | None = None
    durations_counted: int = 0
    twilio_micro: int = 0
    other_currencies: tuple[tuple[str, int], ...] = ()
    unpriced: int = 0
    credits_micro: int = 0
    series: tuple[SeriesPoint, ...] = ()
    duration_histogram: tuple[tuple[str, int], ...] = ()
    cost_per_day: tuple[DayCost, ...] = ()
    countries: tuple[tuple[str, int], ...] = ()
    caveat: str = COST_CAVEAT

    @property
    def twilio_usd(self) -> float:
        return self.twilio_micro / MICRO

    @property
    def credits(self) -> float:
        return self.credits_micro / MICRO

    @property
    def credits_usd(self) -> float:
        return self.credits_micro * CREDIT_USD / MICRO

    @property
    def cost_usd(self) -> float:
        return (self.twilio_micro + self.credits_micro * CREDIT_USD) / MICRO

    def to_json(self) -> dict[str, Any]:
        """The `insights --json` document (documented in the README)."""
        from ..calls.catalog import REJECTION_REASONS

        p = self.scope.period
        return {
            "period": {"key": p.key, "label": p.label, "start_ms": p.start_ms, "end_ms": p.end_ms, "step": p.step},
            "agent": self.scope.agent_guid,
            "numbers": list(self.scope.numbers) if self.scope.numbers is not None else None,
            "calls": self.calls, "reached": self.reached, "rejected": self.rejected, "missed": self.missed,
            "missed_by_cause": [{"cause": c, "label": MISSED_CAUSES[c][0], "count": n} for c, n in self.missed_by_cause],
            "rejected_by_reason": [{"reason": r, "label": REJECTION_REASONS.get(r, "reason not known" if r == UNKNOWN_REASON else r),
                                    "count": n} for r, n in self.rejected_by_reason],
            "sources": dict(self.sources),
            "duration": {"median_s": self.median_duration_s, "p90_s": self.p90_duration_s,
                         "counted": self.durations_counted},
            "cost": {"twilio_usd": round(self.twilio_usd, 6), "unpriced_calls": self.unpriced,
                     "other_currencies": {u: round(m / MICRO, 6) for u, m in self.other_currencies},
                     "credits": round(self.credits, 6), "credits_usd": round(self.credits_usd, 6),
                     "total_usd": round(self.cost_usd, 6), "caveat": self.caveat},
            "series": [{"bucket": s.bucket, "reached": s.reached, "rejected": s.rejected, "missed": s.missed}
                       for s in self.series],
            "duration_histogram": [{"bucket": label, "count": n} for label, n in self.duration_histogram],
            "cost_per_day": [{"day": d.day, "twilio_usd": round(d.twilio_usd, 6), "credits_usd": round(d.credits_usd, 6),
                              "total_usd": round(d.total_usd, 6)} for d in self.cost_per_day],
            "countries": [{"country": c, "count": n} for c, n in self.countries],
        }


# -- folding: shared by the SQL and the Python paths ----------------------------------------------------


class _LocalTime:
    """Local time over a period: the zone's offset per stretch (a DST change splits the period in two), so that
    a 15-minute slot maps to a local hour or day by integer arithmetic, in SQL as in Python."""

    def __init__(self, p: Period) -> None:
        self.first, self.last = p.start_ms // SLOT_MS, (p.end_ms - 1) // SLOT_MS
        self.starts: list[int] = [self.first]
        self.offsets: list[int] = [self._offset_at(self.first)]
        day_slots = DAY_MS // SLOT_MS
        probe = self.first
        while probe < self.last:
            nxt = min(probe + day_slots, self.last)
            if self._offset_at(nxt) != self.offsets[-1]:  # a change within this day: find its slot
                low, high = probe, nxt
                while high - low > 1:
                    mid = (low + high) // 2
                    low, high = (mid, high) if self._offset_at(mid) == self.offsets[-1] else (low, mid)
                self.starts.append(high)
                self.offsets.append(self._offset_at(high))
            probe = nxt

    @staticmethod
    def _offset_at(slot: int) -> int:
        return time.localtime(slot * SLOT_MS / 1000).tm_gmtoff * 1000

    def local_ms(self, slot: int) -> int:
        """The local wall-clock time of a slot's start, as milliseconds since the epoch."""
        return slot * SLOT_MS + self.offsets[bisect_right(self.starts, slot) - 1]

    def sql(self, slot: str) -> str:
        """`local_ms()` as an SQL expression over the column `slot`."""
        offset = str(self.offsets[-1])
        for start, value in zip(reversed(self.starts[1:]), reversed(self.offsets[:-1])):
            offset = f"CASE WHEN {slot} < {start} THEN {value} ELSE {offset} END"
        return f"({slot} * {SLOT_MS} + {offset})"

    def buckets(self, step_ms: int) -> list[int]:
        """Every local bucket (local ms // step) the period touches, in order; a skipped DST hour is absent."""
        out: list[int] = []
        for slot in range(self.first, self.last + 1):
            bucket = self.local_ms(slot) // step_ms
            if not out or out[-1] != bucket:
                out.append(bucket)
        return out


def _label(bucket: int, step_ms: int) -> str:
    return time.strftime("%Y-%m-%d %H:00" if step_ms == HOUR_MS else "%Y-%m-%d", time.gmtime(bucket * step_ms / 1000))


def _percentile(counts: dict[int, int], total: int, fraction: float) -> int | None:
    """Nearest rank: the smallest value with at least ceil(fraction × total) values at or below it."""
    if total == 0:
        return None
    rank = max(1, -(-int(fraction * 1000) * total // 1000))
    seen = 0
    for value in sorted(counts):
        seen += counts[value]
        if seen >= rank:
            return value
    return max(counts)  # pragma: no cover - rank never exceeds total


def _histogram(durations: dict[int, int]) -> tuple[tuple[str, int], ...]:
    out = []
    for label, low, high in DURATION_BUCKETS:
        out.append((label, sum(n for d, n in durations.items() if d >= low and (high is None or d < high))))
    return tuple(out)


def _top_countries(counts: Counter) -> tuple[tuple[str, int], ...]:
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    top = ranked[:TOP_COUNTRIES]
    rest = sum(n for _, n in ranked[TOP_COUNTRIES:])
    return tuple(top) + ((("other", rest),) if rest else ())


class _Fold:
    """Accumulates grouped counts (from SQL rows or from joined calls) into an `Insights`."""

    def __init__(self, scope: Scope) -> None:
        self.scope = scope
        self.clock = _LocalTime(scope.period)
        self.step_ms = HOUR_MS if scope.period.step == "hour" else DAY_MS
        self.outcomes: Counter = Counter()
        self.missed: Counter = Counter()
        self.rejected: Counter = Counter()
        self.sources: Counter = Counter()
        self.series: dict[int, Counter] = defaultdict(Counter)
        self.day_twilio: Counter = Counter()
        self.day_credits: Counter = Counter()
        self.other_currencies: Counter = Counter()
        self.twilio_micro = 0
        self.unpriced = 0
        self.credits_micro = 0
        self.durations: Counter = Counter()
        self.countries: Counter = Counter()

    def add(self, bucket: int, outcome: str, cause: str | None, source: str, unit: str, n: int, priced: int,
            cost_micro: int, credits_micro: int) -> None:
        """`n` calls of one local bucket (local ms // step), outcome (with a missed call's cause), source and
        currency."""
        self.outcomes[outcome] += n
        if outcome == MISSED:
            self.missed[cause] += n
        self.sources[source] += n
        self.series[bucket][outcome] += n
        day = bucket * self.step_ms // DAY_MS
        if source in (BOTH, TWILIO_ONLY):
            self.unpriced += n - priced
            if unit == "USD":
                self.twilio_micro += cost_micro
                self.day_twilio[day] += cost_micro
            elif priced:
                self.other_currencies[unit] += cost_micro
        self.credits_micro += credits_micro
        self.day_credits[day] += credits_micro

    def result(self) -> Insights:
        counted = sum(self.durations.values())
        series = self.series
        return Insights(
            scope=self.scope,
            calls=sum(self.outcomes.values()),
            reached=self.outcomes[REACHED], rejected=self.outcomes[REJECTED], missed=self.outcomes[MISSED],
            missed_by_cause=tuple((c, self.missed[c]) for c in MISSED_CAUSE_ORDER),
            rejected_by_reason=tuple(sorted(((r, n) for r, n in self.rejected.items() if n),
                                            key=lambda kv: (-kv[1], kv[0]))),
            sources=tuple(sorted((s, n) for s, n in self.sources.items() if n)),
            median_duration_s=_percentile(self.durations, counted, 0.5),
            p90_duration_s=_percentile(self.durations, counted, 0.9),
            durations_counted=counted,
            twilio_micro=self.twilio_micro,
            other_currencies=tuple(sorted(self.other_currencies.items())),
            unpriced=self.unpriced,
            credits_micro=self.credits_micro,
            series=tuple(SeriesPoint(_label(b, self.step_ms), series[b][REACHED], series[b][REJECTED], series[b][MISSED])
                         for b in self.clock.buckets(self.step_ms)),
            duration_histogram=_histogram(self.durations),
            cost_per_day=tuple(DayCost(_label(d, DAY_MS), self.day_twilio[d], self.day_credits[d])
                               for d in self.clock.buckets(DAY_MS)),
            countries=_top_countries(self.countries),
        )


# -- plain Python -------------------------------------------------------------------------------------


def in_scope(call: JoinedCall, scope: Scope) -> bool:
    """The scope's rule, the same as the SQL's: the period on the call's time; a Twilio call to one of the
    scope's numbers; a Wiro-only session of the scope's agent."""
    p = scope.period
    if not p.start_ms <= call.at_ms < p.end_ms:
        return False
    if call.twilio is not None:
        return scope.numbers is None or call.twilio.to_number in scope.numbers
    return scope.agent_guid is None or (call.session is not None and call.session.agent_guid == scope.agent_guid)


def from_calls(calls: Iterable[JoinedCall], scope: Scope) -> Insights:
    """The figures over joined calls, in plain Python (calls outside the scope are ignored)."""
    fold = _Fold(scope)
    for call in calls:
        if not in_scope(call, scope):
            continue
        cost = call.twilio_cost_micro
        fold.add(fold.clock.local_ms(call.at_ms // SLOT_MS) // fold.step_ms, call.outcome, call.cause if call.outcome == MISSED else None,
                 call.source, call.price_unit, 1, int(cost is not None), cost or 0, call.credits_micro)
        if call.outcome == REJECTED:
            fold.rejected[call.cause or UNKNOWN_REASON] += 1
        if call.outcome == REACHED and call.duration_s is not None:
            fold.durations[call.duration_s] += 1
        fold.countries[call.country] += 1
    return fold.result()


def load_joined(store: HistoryStore, scope: Scope) -> list[JoinedCall]:
    """The scope's calls read from the history as plain records and joined in Python, newest first.

    Reads the rows of the period, the call's row of any duplicate session among them, the credit rows of
    their sessions and the routing of their numbers: exactly what the SQL sees, so the figures agree.
    """
    p = scope.period
    calls, sessions = store.records("c.slot BETWEEN ? AND ? AND c.at_ms >= ? AND c.at_ms < ?",
                                    (p.start_ms // SLOT_MS, (p.end_ms - 1) // SLOT_MS, p.start_ms, p.end_ms))
    have = {c.sid for c in calls}
    more_calls, more_sessions = store.records_by_sid(sorted({s.call_sid for s in sessions if s.call_sid} - have))
    known = {s.guid for s in sessions}
    calls += more_calls
    sessions += [s for s in more_sessions if s.guid not in known]
    credits = store.credits([s.guid for s in sessions])
    routing = store.routing(sorted({c.to_number for c in calls if c.to_number}))
    return [c for c in join(calls, sessions, credits, routing) if in_scope(c, scope)]


# -- SQL ----------------------------------------------------------------------------------------------
#
# The file keeps, per row, what the figures group by (`schema`: slot, outcome code, talk time, country, reason,
# currency), derived by triggers with the same rules as join(). Three reads, each over an index whose order is
# the grouping's, so SQLite streams the groups (no sort) and never touches the table:
#   1. slot × code × currency over `calls_by_slot`: counts, prices, credits (every count and sum);
#   2. the missed calls the number's routing at the time sends elsewhere, over `calls_by_number`, per
#      away-interval of the routing snapshots (few), moved to "routed elsewhere";
#   3. talk time × country × rejection reason over `calls_by_shape`.


def _scope_sql(store: HistoryStore, scope: Scope) -> tuple[str, str]:
    """The scope's rule over a row, and its rule over rows with a Twilio call (their number; the other rows
    answer to their agent). Numbers and agent are looked up first, so each row compares small integers."""
    number_rule = agent_rule = "1"
    if scope.numbers is not None:
        ids = [row[0] for row in store.query(
            f"SELECT id FROM numbers WHERE number IN ({', '.join('?' * len(scope.numbers))})", scope.numbers)]
        number_rule = f"number_id IN ({', '.join(str(int(i)) for i in ids)})" if ids else "0"
    if scope.agent_guid is not None:
        ids = [row[0] for row in store.query("SELECT id FROM agents WHERE guid = ?", (scope.agent_guid,))]
        agent_rule = f"agent_id = {int(ids[0])}" if ids else "0"
    if number_rule == agent_rule == "1":
        return "1", "1"
    return f"CASE WHEN code < {schema.TWILIO_CODES_BELOW} THEN {number_rule} ELSE {agent_rule} END", number_rule


def _away_intervals(store: HistoryStore, period: Period) -> list[tuple[str, int, int]]:
    """Per number, the stretches of time (within the period) when its routing was not Wiro's webhook, by the rule
    of `join.routing_at`: each snapshot holds until the next, and the first also holds for everything before it."""
    out: list[tuple[str, int, int]] = []
    by_number: dict[str, list] = defaultdict(list)
    for snap in store.routing():
        by_number[snap.number].append(snap)
    for number, snaps in by_number.items():
        for i, snap in enumerate(snaps):
            if snap.verdict == ROUTED_TO_WIRO:
                continue
            begin = snap.at_ms if i else period.start_ms
            end = snaps[i + 1].at_ms if i + 1 < len(snaps) else period.end_ms
            start, end = max(begin, period.start_ms), min(end, period.end_ms)
            if start < end:
                if out and out[-1][0] == number and out[-1][2] == start:
                    out[-1] = (number, out[-1][1], end)
                else:
                    out.append((number, start, end))
    return out


def insights(store: HistoryStore, scope: Scope) -> Insights:
    """The figures for `scope`, computed in SQL (raises HistoryError when the file cannot be read)."""
    p = scope.period
    params: dict[str, Any] = {"start": p.start_ms, "end": p.end_ms,
                              "slot0": p.start_ms // SLOT_MS, "slot1": (p.end_ms - 1) // SLOT_MS}
    rule, number_rule = _scope_sql(store, scope)
    fold = _Fold(scope)
    params["step"] = fold.step_ms
    rows = store.query(f"""
        SELECT {fold.clock.sql("slot")} / :step AS bucket, code, unit, sum(n), sum(priced), sum(cost), sum(credits)
          FROM (SELECT slot, code, unit, count(*) AS n, count(price_micro) AS priced,
                       coalesce(sum(abs(price_micro)), 0) AS cost, sum(credits_micro) AS credits
                  FROM calls INDEXED BY calls_by_slot
                 WHERE slot BETWEEN :slot0 AND :slot1 AND at_ms >= :start AND at_ms < :end AND code IS NOT NULL
                   AND {rule}
                 GROUP BY slot, code, unit)
         GROUP BY bucket, code, unit""", params, "computing insights")
    for bucket, code, unit, n, priced, cost, credits in rows:
        outcome, cause, source = schema.ROW_CODES[code]
        fold.add(bucket, outcome, cause, source, unit or "USD", n, priced, cost, credits)
    away = _away_intervals(store, p) if number_rule != "0" else []
    for i in range(0, len(away), 100):
        chunk = away[i:i + 100]
        codes = ", ".join(str(c) for c in schema.ROUTABLE_CODES)
        spans = " OR ".join(f"(number_id = (SELECT id FROM numbers WHERE number = :r{j}) AND code IN ({codes}) "
                            f"AND at_ms >= :a{j} AND at_ms < :b{j})"
                            for j in range(len(chunk)))
        for j, (number, start, end) in enumerate(chunk):
            params.update({f"r{j}": number, f"a{j}": start, f"b{j}": end})
        moved = store.query(f"""
            SELECT code, count(*) FROM calls
             WHERE ({spans}) AND {number_rule} GROUP BY code""", params, "computing insights")
        for code, n in moved:
            fold.missed[schema.ROW_CODES[code][1]] -= n
            fold.missed[schema.ROW_CODES[schema.ROUTED_CODE][1]] += n
    shapes = store.query(f"""
        SELECT dur, country, reason, count(*) FROM calls INDEXED BY calls_by_shape
         WHERE at_ms >= :start AND at_ms < :end AND code IS NOT NULL AND {rule}
         GROUP BY dur, country, reason""", params, "computing insights")
    for duration, country, reason, n in shapes:
        if duration is not None:
            fold.durations[duration] += n
        fold.countries[country] += n
        if reason is not None:
            fold.rejected[decode_word("reject_reason", reason) or UNKNOWN_REASON] += n
    return fold.result()


def missed_calls(store: HistoryStore, scope: Scope, limit: int = 200) -> list[JoinedCall]:
    """The scope's newest missed calls (Twilio has them, Wiro does not), joined with the routing of their
    numbers so each carries its cause; at most `limit`."""
    p = scope.period
    rule, number_rule = _scope_sql(store, scope)
    codes = ", ".join(str(c) for c, (outcome, _, _) in schema.ROW_CODES.items() if outcome == MISSED)
    calls, _ = store.records(
        f"c.slot BETWEEN ? AND ? AND c.at_ms >= ? AND c.at_ms < ? AND c.code IN ({codes}) AND {number_rule} "
        "ORDER BY c.at_ms DESC LIMIT ?",
        (p.start_ms // SLOT_MS, (p.end_ms - 1) // SLOT_MS, p.start_ms, p.end_ms, limit))
    routing = store.routing(sorted({c.to_number for c in calls if c.to_number}))
    return join(calls, [], [], routing)
