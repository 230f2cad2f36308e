"""Insights: the figures for a period, from the local history joined with Twilio's call log.

`insights(store, scope)` computes them with one SQL statement over the indexes (start time, number): the join
of `tui.history.join` written as SQL, grouped into 15-minute slots per outcome, cause and currency, plus
duration and country counts; Python only folds those few thousand groups into the result. `from_calls()`
computes the same `Insights` from joined calls in plain Python (the benchmark's anchor, and what a test checks
the SQL against, to the last micro-dollar).

Buckets follow local time (the process's time zone, DST included): 15-minute slots are grouped in SQL on UTC
and mapped to local hours or days in Python, which is exact for every zone offset in use (all are multiples
of 15 minutes).
"""

from __future__ import annotations

import re
import time
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, Literal

from .join import (
    BOTH, CALLER_DIRECTIONS, COST_CAVEAT, DUPLICATE, IN_PROGRESS, MISSED, MISSED_CAUSE_ORDER, MISSED_CAUSES,
    CANCELED, FAILED, NO_ANSWER, NO_SESSION, NOT_FETCHED, PENDING_STATUSES, REACHED, REFUSED_MAX_SECONDS, REJECTED, REJECTED_STATUS,
    ROUTED_ELSEWHERE, ROUTED_TO_WIRO, TWILIO_ONLY, WEB, WHITELIST, JoinedCall, join,
)
from .codec import decode_word, word_code
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


def _bucket_label(slot_ms: int, step: Step) -> str:
    return time.strftime("%Y-%m-%d %H:00" if step == "hour" else "%Y-%m-%d", time.localtime(slot_ms / 1000))


def _day_label(slot_ms: int) -> str:
    return time.strftime("%Y-%m-%d", time.localtime(slot_ms / 1000))


def _all_buckets(p: Period, step: Step) -> list[str]:
    """Every bucket label of the period, in order (empty ones included, so charts show gaps)."""
    labels: list[str] = []
    slot = p.start_ms - p.start_ms % SLOT_MS
    while slot < p.end_ms:
        label = _bucket_label(slot, step)
        if not labels or labels[-1] != label:
            labels.append(label)
        slot += SLOT_MS
    return labels


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
        self.step = scope.period.step
        self.outcomes: Counter = Counter()
        self.missed: Counter = Counter()
        self.rejected: Counter = Counter()
        self.sources: Counter = Counter()
        self.series: dict[str, Counter] = defaultdict(Counter)
        self.day_twilio: Counter = Counter()
        self.day_credits: Counter = Counter()
        self.other_currencies: Counter = Counter()
        self.twilio_micro = 0
        self.unpriced = 0
        self.credits_micro = 0
        self.durations: Counter = Counter()
        self.countries: Counter = Counter()

    def add(self, slot_ms: int, outcome: str, cause: str | None, source: str, unit: str, n: int, priced: int,
            cost_micro: int, credits_micro: int) -> None:
        self.outcomes[outcome] += n
        if outcome == MISSED:
            self.missed[cause] += n
        elif outcome == REJECTED:
            self.rejected[cause or UNKNOWN_REASON] += n
        self.sources[source] += n
        self.series[_bucket_label(slot_ms, self.step)][outcome] += n
        day = _day_label(slot_ms)
        has_twilio = source in (BOTH, TWILIO_ONLY)
        if has_twilio:
            self.unpriced += n - priced
            if unit == "USD":
                self.twilio_micro += cost_micro
                self.day_twilio[day] += cost_micro
            elif priced:
                self.other_currencies[unit] += cost_micro
        self.credits_micro += credits_micro
        self.day_credits[day] += credits_micro

    def result(self) -> Insights:
        p = self.scope.period
        counted = sum(self.durations.values())
        days = _all_buckets(p, "day")
        return Insights(
            scope=self.scope,
            calls=sum(self.outcomes.values()),
            reached=self.outcomes[REACHED], rejected=self.outcomes[REJECTED], missed=self.outcomes[MISSED],
            missed_by_cause=tuple((c, self.missed[c]) for c in MISSED_CAUSE_ORDER),
            rejected_by_reason=tuple(sorted(self.rejected.items(), key=lambda kv: (-kv[1], kv[0]))),
            sources=tuple(sorted((s, n) for s, n in self.sources.items() if n)),
            median_duration_s=_percentile(self.durations, counted, 0.5),
            p90_duration_s=_percentile(self.durations, counted, 0.9),
            durations_counted=counted,
            twilio_micro=self.twilio_micro,
            other_currencies=tuple(sorted(self.other_currencies.items())),
            unpriced=self.unpriced,
            credits_micro=self.credits_micro,
            series=tuple(SeriesPoint(b, self.series[b][REACHED], self.series[b][REJECTED], self.series[b][MISSED])
                         for b in _all_buckets(p, self.step)),
            duration_histogram=_histogram(self.durations),
            cost_per_day=tuple(DayCost(d, self.day_twilio[d], self.day_credits[d]) for d in days),
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
        fold.add(call.at_ms - call.at_ms % SLOT_MS, call.outcome, call.cause, call.source, call.price_unit, 1,
                 int(cost is not None), cost or 0, call.credits_micro)
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
    calls, sessions = store.records("c.at_ms >= ? AND c.at_ms < ?", (p.start_ms, p.end_ms))
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
# The statement classifies each row into a small integer code (outcome × cause × source) with the same rules
# as join() and groups twice over the period's rows: by 15-minute slot × code × rejection reason × currency
# (every count and sum), and by duration × country (the duration histogram, percentiles and countries).
# Integer codes keep the grouping cheap; `_CODES` turns them back into words.

#: code → (outcome, missed cause, source)
_CODES: dict[int, tuple[str, str | None, str]] = {
    **{i: (MISSED, cause, TWILIO_ONLY) for i, cause in enumerate(MISSED_CAUSE_ORDER)},
    10: (REACHED, None, BOTH), 11: (REJECTED, None, BOTH),
    12: (REACHED, None, WEB), 13: (REJECTED, None, WEB),
    14: (REACHED, None, NOT_FETCHED), 15: (REJECTED, None, NOT_FETCHED),
    16: (REACHED, None, DUPLICATE), 17: (REJECTED, None, DUPLICATE),
}
_CAUSE_CODE = {cause: i for i, cause in enumerate(MISSED_CAUSE_ORDER)}
_SOURCE_BASE = {BOTH: 10, WEB: 12, NOT_FETCHED: 14, DUPLICATE: 16}

def _w(column: str, word: str) -> int:
    return word_code(column, word)


_ROUTED_AWAY_SQL = (f"coalesce((SELECT r.verdict FROM routing r WHERE r.number = c.to_number AND r.at_ms <= c.t_start_ms "
                    f"ORDER BY r.at_ms DESC LIMIT 1), '{ROUTED_TO_WIRO}') <> '{ROUTED_TO_WIRO}'")
_MISSED_SQL = f"""CASE WHEN c.t_status = {_w('t_status', 'failed')} THEN {_CAUSE_CODE[FAILED]}
                  WHEN c.t_status = {_w('t_status', 'no-answer')} THEN {_CAUSE_CODE[NO_ANSWER]}
                  WHEN c.t_status = {_w('t_status', 'canceled')} THEN {_CAUSE_CODE[CANCELED]}
                  WHEN {_ROUTED_AWAY_SQL} THEN {_CAUSE_CODE[ROUTED_ELSEWHERE]}
                  WHEN c.t_status = {_w('t_status', 'busy')} THEN {_CAUSE_CODE[WHITELIST]}
                  WHEN c.t_status = {_w('t_status', 'completed')} AND c.t_duration_s <= {REFUSED_MAX_SECONDS}
                       THEN {_CAUSE_CODE[WHITELIST]}
                  WHEN c.t_status IN ({', '.join(str(_w('t_status', s)) for s in PENDING_STATUSES)})
                       THEN {_CAUSE_CODE[IN_PROGRESS]}
                  ELSE {_CAUSE_CODE[NO_SESSION]} END"""
#: For a duplicate session's row, what its call's row holds: 0 no such row, 1 no Twilio record, 2 an outbound
#: Twilio call (the session is left out with it, as join() does), 3 a caller's Twilio call (a duplicate).
_MAIN_SQL = ("coalesce((SELECT (m.t_start_ms IS NOT NULL) * 2 + (m.direction IS NULL OR m.direction = "
             f"{_w('direction', 'inbound')}) FROM calls m WHERE m.call_sid = c.dup_sid), 0)")
_REJECTED_SQL = f"(c.w_status = {_w('w_status', REJECTED_STATUS)})"
_WEB_SQL = f"c.channel = {_w('channel', 'web')}"
_CODE_SQL = f"""CASE WHEN c.guid IS NULL THEN {_MISSED_SQL}
             WHEN c.dup_sid IS NOT NULL THEN
                  CASE WHEN {_MAIN_SQL} = 3 THEN {_SOURCE_BASE[DUPLICATE]}
                       WHEN {_WEB_SQL} THEN {_SOURCE_BASE[WEB]} ELSE {_SOURCE_BASE[NOT_FETCHED]} END
                  + {_REJECTED_SQL}
             WHEN c.t_start_ms IS NOT NULL THEN {_SOURCE_BASE[BOTH]} + {_REJECTED_SQL}
             WHEN {_WEB_SQL} THEN {_SOURCE_BASE[WEB]} + {_REJECTED_SQL}
             ELSE {_SOURCE_BASE[NOT_FETCHED]} + {_REJECTED_SQL} END"""
_INBOUND_SQL = f"(c.direction IS NULL OR c.direction = {_w('direction', 'inbound')})"
_DURATION_SQL = ("CASE WHEN c.guid IS NOT NULL AND c.w_duration_s IS NOT NULL THEN c.w_duration_s "
                 "WHEN c.t_start_ms IS NOT NULL THEN c.t_duration_s END")
_COUNTRY_SQL = (f"CASE WHEN c.guid IS NOT NULL AND {_WEB_SQL} THEN 'web' "
                "ELSE coalesce(CASE WHEN c.guid IS NOT NULL THEN c.w_country END, "
                "CASE WHEN c.t_start_ms IS NOT NULL THEN c.t_country END, 'unknown') END")

assert CALLER_DIRECTIONS == (None, "inbound"), "the SQL's direction rule must follow the join's"


def _statement(scope: Scope) -> tuple[str, dict[str, Any]]:
    """The statement and its parameters for `scope` (see the comment above)."""
    p = scope.period
    params: dict[str, Any] = {"start": p.start_ms, "end": p.end_ms}
    number_rule = agent_rule = "1"
    if scope.numbers is not None:
        names = [f"n{i}" for i in range(len(scope.numbers))]
        number_rule = f"c.to_number IN ({', '.join(':' + n for n in names)})" if names else "0"
        params.update(zip(names, scope.numbers))
    if scope.agent_guid is not None:
        agent_rule = "c.agent_id = (SELECT id FROM agents WHERE guid = :agent)"
        params["agent"] = scope.agent_guid
    where = f"""c.at_ms >= :start AND c.at_ms < :end
       AND CASE WHEN c.dup_sid IS NOT NULL THEN {_MAIN_SQL} <> 2 AND {agent_rule}
                WHEN c.t_start_ms IS NOT NULL THEN {_INBOUND_SQL} AND {number_rule}
                ELSE {agent_rule} END"""
    sql = f"""
SELECT 0, c.at_ms / {SLOT_MS} AS slot, {_CODE_SQL} AS code,
       CASE WHEN c.guid IS NOT NULL AND {_REJECTED_SQL} THEN c.reject_reason END AS reason,
       CASE WHEN c.t_start_ms IS NULL THEN NULL ELSE coalesce(c.price_unit, 'USD') END AS unit,
       count(*), count(c.price_micro * (c.t_start_ms IS NOT NULL)), coalesce(sum(abs(c.price_micro)), 0),
       sum(c.credits_micro)
  FROM calls c
 WHERE {where}
 GROUP BY slot, code, reason, unit
UNION ALL
SELECT 1, CASE WHEN c.guid IS NOT NULL AND NOT {_REJECTED_SQL} THEN {_DURATION_SQL} END AS duration,
       {_COUNTRY_SQL} AS country, NULL, NULL, count(*), NULL, NULL, NULL
  FROM calls c
 WHERE {where}
 GROUP BY duration, country
"""
    return sql, params


def insights(store: HistoryStore, scope: Scope) -> Insights:
    """The figures for `scope`, computed in SQL (raises HistoryError when the file cannot be read)."""
    sql, params = _statement(scope)
    fold = _Fold(scope)
    for kind, a, b, c, d, n, priced, cost, credits in store.query(sql, params, "computing insights"):
        if kind == 0:
            outcome, cause, source = _CODES[b]
            reason = decode_word("reject_reason", c) if outcome == REJECTED else cause
            fold.add(a * SLOT_MS, outcome, reason, source, d or "USD", n, priced, cost, credits)
        else:
            if a is not None:
                fold.durations[a] += n
            fold.countries[b] += n
    return fold.result()
