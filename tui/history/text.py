"""Insights and joined calls in words and plain values: what `wiro-voice insights`, `history export` and the
Insights screen all show, written once."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timezone
from typing import Any

from ..calls.catalog import END_REASONS, REJECTION_REASONS, duration_text, status_label
from ..common.text import plural
from .insights import UNKNOWN_REASON, Insights
from .join import MISSED, MISSED_CAUSES, SOURCE_LABELS, JoinedCall
from .records import CREDIT_USD, MICRO

#: Sessions with no Twilio call of their own, counted: (one, many).
WIRO_ONLY = {
    "web": ("web call", "web calls"),
    "twilio_not_fetched": ("phone session whose Twilio record was not fetched",
                           "phone sessions whose Twilio record was not fetched"),
    "duplicate": ("second session of a Call SID", "second sessions of a Call SID"),
}
#: CSV columns of `insights --csv` (one row per hour or day of the period).
SERIES_COLUMNS = ("bucket", "calls", "reached", "rejected", "missed")
COST_COLUMNS = ("twilio_usd", "credits_usd", "total_usd")
#: CSV columns of `history export --csv` (one row per call).
CALL_COLUMNS = ("time", "outcome", "cause", "cause_label", "source", "number", "caller", "country", "twilio_status",
                "wiro_status", "end_reason", "duration_s", "price", "price_unit", "credits", "call_sid", "messageguid")


def usd(amount: float) -> str:
    """"$0.0085", "$1.24": cents with two decimals, fractions of a cent with up to four."""
    if amount and abs(amount) < 0.01:
        return f"${amount:.4f}".rstrip("0")
    return f"${amount:,.2f}"


def credits_text(micro: int) -> str:
    value = micro / MICRO
    return plural(int(value), "credit") if value == int(value) else f"{value:g} credits"


def reason_label(reason: str) -> str:
    return "reason not known" if reason == UNKNOWN_REASON else REJECTION_REASONS.get(reason, reason)


def headline(ins: Insights) -> str:
    """"412 calls: 320 reached the agent, 32 rejected, 60 missed"."""
    return (f"{plural(ins.calls, 'call')}: {ins.reached} reached the agent, {ins.rejected} rejected, "
            f"{ins.missed} missed")


def cost_line(ins: Insights) -> str:
    parts = [f"Cost: {usd(ins.cost_usd)} = Twilio {usd(ins.twilio_usd)} + {credits_text(ins.credits_micro)} "
             f"({usd(ins.credits_usd)})"]
    if ins.unpriced:
        parts.append(f"{plural(ins.unpriced, 'call')} not priced by Twilio yet")
    for unit, micro in ins.other_currencies:
        parts.append(f"{micro / MICRO:.4f} {unit} not added (another currency)")
    return "; ".join(parts)


def duration_line(ins: Insights) -> str:
    if ins.median_duration_s is None:
        return "Duration: no reached call with a duration yet"
    return (f"Duration: median {duration_text(ins.median_duration_s)}, 90th percentile "
            f"{duration_text(ins.p90_duration_s)} (over {plural(ins.durations_counted, 'call')})")


def summary_lines(ins: Insights) -> list[str]:
    """The figures at a glance, one fact per line."""
    lines = [f"Insights, {ins.scope.period.label}", headline(ins)]
    missed = [f"{n} {MISSED_CAUSES[c][0]}" for c, n in ins.missed_by_cause if n]
    if missed:
        lines.append("Missed: " + "; ".join(missed))
    if ins.rejected_by_reason:
        lines.append("Rejected: " + "; ".join(f"{n} {reason_label(r)}" for r, n in ins.rejected_by_reason))
    others = [plural(n, *WIRO_ONLY[s]) for s, n in ins.sources if s in WIRO_ONLY]
    if others:
        lines.append("Wiro only: " + "; ".join(others))
    lines.append(duration_line(ins))
    lines.append(cost_line(ins))
    if ins.countries:
        lines.append("Callers by country: " + ", ".join(f"{c} {n}" for c, n in ins.countries))
    lines.append(ins.caveat)
    return lines


def series_rows(ins: Insights) -> list[dict[str, Any]]:
    """`insights --csv`: one row per bucket (hour or day); daily rows carry that day's cost."""
    costs = {d.day: d for d in ins.cost_per_day} if ins.scope.period.step == "day" else {}
    rows = []
    for point in ins.series:
        row: dict[str, Any] = {"bucket": point.bucket, "calls": point.total, "reached": point.reached,
                               "rejected": point.rejected, "missed": point.missed}
        day = costs.get(point.bucket)
        if day is not None:
            row.update(twilio_usd=round(day.twilio_usd, 6), credits_usd=round(day.credits_usd, 6),
                       total_usd=round(day.total_usd, 6))
        rows.append(row)
    return rows


def call_document(call: JoinedCall, local: Callable[[float], datetime] | None = None) -> dict[str, Any]:
    """One joined call as plain values (`history export`, the screen's detail)."""
    t, s = call.twilio, call.session
    when = (local or (lambda e: datetime.fromtimestamp(e, tz=timezone.utc)))(call.at_ms / 1000)
    cost = call.twilio_cost_micro
    return {
        "time": when.isoformat(timespec="seconds"),
        "outcome": call.outcome,
        "cause": call.cause,
        "cause_label": call.cause_label,
        "source": call.source,
        "number": (t.to_number if t else None) or (s.called_number if s else None),
        "caller": (t.from_number if t else None) or (s.caller if s else None),
        "country": call.country,
        "twilio_status": t.status if t else None,
        "wiro_status": s.status if s else None,
        "end_reason": s.end_reason if s else None,
        "duration_s": call.duration_s,
        "price": None if cost is None else cost / MICRO,
        "price_unit": call.price_unit if t else None,
        "credits": call.credits_micro / MICRO,
        "call_sid": t.sid if t else (s.call_sid if s else None),
        "messageguid": s.guid if s else None,
    }


def call_lines(call: JoinedCall, local: Callable[[float], datetime]) -> list[str]:
    """A joined call in words: when, who, what Twilio and Wiro recorded, the cause and what to do."""
    doc = call_document(call, local)
    lines = [f"{doc['time'].replace('T', ' ')}  {doc['caller'] or 'unknown caller'} → {doc['number'] or '?'}"]
    if call.twilio is not None:
        t = call.twilio
        price = "not priced yet" if t.price_micro is None else f"{t.cost_micro / MICRO:.4f} {call.price_unit}"
        lines.append(f"Twilio: {t.status or 'no status'}, {duration_text(t.duration_s) or 'no duration'}, {price}, "
                     f"{t.direction or 'direction not given'} ({t.sid})")
    else:
        lines.append(f"Twilio: no record ({SOURCE_LABELS[call.source]})")
    if call.session is not None:
        s = call.session
        end = END_REASONS.get(s.end_reason or "", s.end_reason or "")
        lines.append(f"Wiro: {status_label(s.status)}{', ' + end if end else ''}"
                     f"{', ' + duration_text(s.duration_s) if s.duration_s is not None else ''} ({s.guid})")
    else:
        lines.append("Wiro: no session")
    if call.credits_micro:
        lines.append(f"Credits: {credits_text(call.credits_micro)} ({usd(call.credits_micro * CREDIT_USD / MICRO)})")
    if call.outcome == MISSED:
        lines.append(f"Why it was missed: {call.cause_label}")
        lines.append(call.cause_detail)
    elif call.cause_label:
        lines.append(f"Why: {call.cause_label}")
    return lines
