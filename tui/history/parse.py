"""History rows from raw API dicts, tolerant of every variant the docs show and of plain junk.

Nothing here raises on a bad value: a field that cannot be read becomes None (or the row is skipped when
its key is missing), so one odd row never stops a poll from being recorded.

- times: RFC 2822 strings (Twilio: "Fri, 04 Dec 2026 13:35:08 +0000"), ISO 8601 ("2026-12-04T13:35:08Z",
  a bare date), epoch seconds or milliseconds as numbers or numeric strings (Wiro uses both);
- money: decimal strings or numbers ("-0.0085", -3), null or not a number → None;
- durations: seconds as numbers or strings ("64", "64.0", "64s", "1:04", "0:01:04").
"""

from __future__ import annotations

import json
import math
import re
from datetime import datetime, timezone
from decimal import Decimal, InvalidOperation, ROUND_HALF_EVEN
from typing import Any, Mapping

from ..common.dates import parse_rfc2822
from .records import MICRO, CreditRow, TwilioCall, WiroSession

#: Epoch values at or above this are milliseconds (1e11 s is the year 5138; 1e11 ms is 1973).
_MS_THRESHOLD = 100_000_000_000
#: The latest time accepted (9999-12-31): beyond it a value is junk, not a date.
_MAX_MS = 253_402_300_799_999
#: The longest call duration accepted (a week); anything longer is junk.
MAX_DURATION_S = 7 * 24 * 3600
#: The largest amount of money or credits accepted, in whole units.
_MAX_AMOUNT = Decimal(10) ** 9
#: Longer text values are cut to this many characters (an ID or a number never comes close).
MAX_TEXT = 256

_NUMERIC = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")
_CLOCK = re.compile(r"(?:(\d+):)?(\d+):(\d{1,2})(?:\.\d+)?")


def text(value: Any) -> str | None:
    """A string field: strings as sent (cut to MAX_TEXT), numbers as text, anything else or "" → None."""
    if type(value) is str:  # the usual case, first: this runs a dozen times per row of every poll
        value = value.strip()
        return value[:MAX_TEXT] or None
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        value = str(value)
    if not isinstance(value, str):
        return None
    value = value.strip()
    return value[:MAX_TEXT] or None


def _mapping(value: Any) -> Mapping[str, Any]:
    """`value` if it is a dict, a decoded JSON object if it is such a string, else {}."""
    if type(value) is dict or isinstance(value, Mapping):
        return value
    if isinstance(value, str) and value.lstrip().startswith("{"):
        try:
            decoded = json.loads(value)
        except (ValueError, RecursionError):
            return {}
        return decoded if isinstance(decoded, dict) else {}
    return {}


def _finite_number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def _epoch_to_ms(number: float) -> int | None:
    if number < 0:
        return None
    ms = number if number >= _MS_THRESHOLD else number * 1000
    return int(ms) if ms <= _MAX_MS else None


def time_ms(value: Any) -> int | None:
    """Epoch milliseconds from any of the documented time formats; None when there is no readable time."""
    if value is None:
        return None
    if type(value) is int:  # Wiro's epoch milliseconds: the usual case
        return _epoch_to_ms(value)
    number = _finite_number(value)
    if number is not None:
        return _epoch_to_ms(number)
    if not isinstance(value, str):
        return None
    value = value.strip()
    if not value:
        return None
    if _NUMERIC.fullmatch(value):
        try:
            number = float(value)
        except (ValueError, OverflowError):
            return None
        return _epoch_to_ms(number) if math.isfinite(number) else None
    moment = _iso(value) or parse_rfc2822(value)
    if moment is None:
        return None
    if moment.tzinfo is None:  # a time without a zone is read as UTC, the zone both APIs use
        moment = moment.replace(tzinfo=timezone.utc)
    try:
        ms = int(moment.timestamp() * 1000)
    except (OverflowError, OSError, ValueError):
        return None
    return ms if 0 <= ms <= _MAX_MS else None


def _iso(value: str) -> datetime | None:
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        return None


def micro_amount(value: Any) -> int | None:
    """An amount of money or credits in micro-units, sign kept; None when null, empty or not a number."""
    if isinstance(value, bool):
        return None
    if isinstance(value, float):
        if not math.isfinite(value):
            return None
        value = repr(value)
    if isinstance(value, int):
        value = str(value)
    if not isinstance(value, str):
        return None
    value = value.strip()
    if not _NUMERIC.fullmatch(value):
        return None
    try:
        amount = Decimal(value)
    except InvalidOperation:
        return None
    if not amount.is_finite() or abs(amount) > _MAX_AMOUNT:
        return None
    return int((amount * MICRO).to_integral_value(rounding=ROUND_HALF_EVEN))


def duration_s(value: Any) -> int | None:
    """Whole seconds from a number or a string ("64", "64.0", "64s", "1:04", "0:01:04"); None when unreadable,
    negative or longer than a week."""
    if value is None:
        return None
    number = _finite_number(value)
    if number is None and isinstance(value, str):
        raw = value.strip().lower().removesuffix("s").strip()
        clock = _CLOCK.fullmatch(raw)
        if clock:
            hours, minutes, seconds = (int(g) if g else 0 for g in clock.groups())
            number = hours * 3600 + minutes * 60 + seconds if seconds < 60 else None
        elif _NUMERIC.fullmatch(raw):
            try:
                number = float(raw)
            except (ValueError, OverflowError):
                number = None
            if number is not None and not math.isfinite(number):
                number = None
    if number is None or number < 0 or number > MAX_DURATION_S:
        return None
    return int(round(number))


def _lower(value: Any) -> str | None:
    found = text(value)
    return found.lower() if found else None


def wiro_session(row: Any, agent_guid: str | None = None) -> WiroSession | None:
    """A history row (§5.9 `data[]`), or None when it has no message guid (the history's key).

    A `reason` (or `metadata.reason`, when a
    Message/Detail answer is passed) becomes the rejection reason; a `to`/`calledNumber`, where present, the
    number called.
    """
    d = _mapping(row)
    guid = text(d.get("messageguid"))
    if not guid:
        return None
    caller = _mapping(d.get("callerInfo"))
    metadata = _mapping(d.get("metadata"))
    channel = _lower(d.get("channel"))
    who = text(caller.get("number")) or text(caller.get("display_identifier")) or text(caller.get("page_url"))
    return WiroSession(
        guid=guid,
        started_ms=time_ms(d.get("startedAt")),
        agent_guid=text(d.get("useragentguid")) or agent_guid,
        call_sid=text(d.get("callsid")),
        channel=channel,
        caller=who,
        caller_country=_upper_country(caller.get("country")),
        called_number=text(d.get("calledNumber")) or text(d.get("to")),
        status=text(d.get("status")),
        end_reason=text(d.get("endReason")),
        reject_reason=text(d.get("reason")) or text(metadata.get("reason")),
        duration_s=duration_s(d.get("durationSeconds")),
        model=text(d.get("modelSlug")),
        ended_ms=time_ms(d.get("endedAt")),
    )


def _upper_country(value: Any) -> str | None:
    found = text(value)
    return found.upper()[:8] if found else None


def twilio_call(row: Any) -> TwilioCall | None:
    """A call of Twilio's call log, or None when it has no `sid`. The start falls back to `date_created`."""
    d = _mapping(row)
    sid = text(d.get("sid"))
    if not sid:
        return None
    start = time_ms(d.get("start_time")) or time_ms(d.get("date_created"))
    unit = text(d.get("price_unit"))
    return TwilioCall(
        sid=sid,
        start_ms=start,
        to_number=text(d.get("to")),
        from_number=text(d.get("from")),
        status=_lower(d.get("status")),
        direction=_lower(d.get("direction")),
        end_ms=time_ms(d.get("end_time")),
        duration_s=duration_s(d.get("duration")),
        price_micro=micro_amount(d.get("price")),
        price_unit=unit.upper() if unit else None,
    )


def credit_row(row: Any) -> CreditRow | None:
    """A `TransactionList` row that charged a session: `type: deduct` with a transaction guid and a message
    guid. Other rows (renewals, purchases, grants, deductions without a message) give None."""
    d = _mapping(row)
    if _lower(d.get("type")) != "deduct":
        return None
    guid, message = text(d.get("guid")), text(d.get("messageguid"))
    if not guid or not message:
        return None
    amount = micro_amount(d.get("amount"))
    if amount is None:
        cost = micro_amount(d.get("tokencost"))
        amount = -abs(cost) if cost is not None else 0
    return CreditRow(
        guid=guid,
        message_guid=message,
        created_ms=time_ms(d.get("createdat")),
        amount_micro=amount,
        action=_lower(d.get("action")),
    )
