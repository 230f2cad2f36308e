"""Reading values out of parsed JSON without trusting their types.

The Wiro and Twilio APIs document some shapes loosely, older answers spell numbers as strings, and a proxy
can answer anything at all. Every reader here takes any value and returns the type it promises or None (or
an empty container): it never raises. Booleans are never read as numbers (`True` is not the number 1 here).
"""

from __future__ import annotations

import json
import math
from datetime import UTC, datetime, timedelta
from typing import Any

# -- plain values --------------------------------------------------------------------------------


def as_dict(value: Any) -> dict:
    """`value` if it is a dict, a decoded JSON object if it is such a string, else {}."""
    if isinstance(value, dict):
        return value
    if isinstance(value, str) and value.lstrip().startswith("{"):
        try:
            decoded = json.loads(value)
        except (ValueError, RecursionError):
            return {}
        return decoded if isinstance(decoded, dict) else {}
    return {}


def as_list(value: Any) -> list:
    """`value` if it is a list, else []."""
    return value if isinstance(value, list) else []


def as_str(value: Any) -> str | None:
    """A string as is, a number spelled out; None for anything else (null, booleans, objects)."""
    if value is None:
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    return None


def nonblank_str(value: Any) -> str | None:
    """The text of `value` without surrounding blanks, or None when it is null, "", whitespace only, or not
    text at all (Twilio sends an unset value as either "" or null: callers then test one thing)."""
    text = as_str(value)
    if text is None or not text.strip():
        return None
    return text.strip()


def as_int(value: Any) -> int | None:
    """A whole number from an int, a float (truncated) or a numeric string ("12", "12.0"); else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value == value and abs(value) < 1e18:
        return int(value)
    if isinstance(value, str):
        try:
            return int(float(value.strip()))
        except (ValueError, OverflowError):
            return None
    return None


def as_float(value: Any) -> float | None:
    """A number from an int, a float or a numeric string; else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        try:
            return float(value)
        except OverflowError:  # an int too large for a float
            return None
    if isinstance(value, str):
        try:
            return float(value.strip())
        except ValueError:
            return None
    return None


def as_bool(value: Any) -> bool | None:
    """A boolean from a bool, a number (0 is False) or a word ("true"/"false", "1"/"0", "yes"/"no", "")."""
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)):
        return bool(value)
    if isinstance(value, str):
        lowered = value.strip().lower()
        if lowered in {"true", "1", "yes"}:
            return True
        if lowered in {"false", "0", "no", ""}:
            return False
    return None


def str_list(value: Any) -> tuple[str, ...]:
    """The strings (and spelled-out numbers) of a list, in order; anything else in it is left out."""
    return tuple(s for s in (as_str(v) for v in as_list(value)) if s is not None)


# -- times ---------------------------------------------------------------------------------------

#: a number at least this large is taken as milliseconds, below it as seconds (1e11 s is the year 5138;
#: 1e11 ms is 1973), so both spellings of a time are read right whatever an endpoint sends
MS_THRESHOLD = 1e11

# Beyond these (about the years 67 and 9900) a number means nothing useful as a time, and datetime could not
# show it anyway.
_EARLIEST_SECONDS, _LATEST_SECONDS = -6e10, 2.5e11

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_ONE_MS = timedelta(milliseconds=1)


def _time_reading(value: Any) -> tuple[float, int] | None:
    """(number, units per second) of a time value: (1776993013746, 1000) for milliseconds, (1776993013, 1)
    for seconds; None when absent, unreadable or out of range. ISO 8601 text is read as exact milliseconds."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, str):
        text = value.strip()
        try:
            number = float(text)
        except ValueError:
            ms = _iso_ms(text)
            if ms is None:
                return None
            number, scale = float(ms), 1000
        else:
            scale = 1000 if abs(number) >= MS_THRESHOLD else 1
    elif isinstance(value, (int, float)):
        try:
            number = float(value)
        except OverflowError:
            return None
        scale = 1000 if abs(number) >= MS_THRESHOLD else 1
    else:
        return None
    seconds = number / scale
    if not (math.isfinite(seconds) and _EARLIEST_SECONDS < seconds < _LATEST_SECONDS):
        return None
    return number, scale


def _iso_ms(text: str) -> int | None:
    """Epoch milliseconds of an ISO 8601 time ("2026-04-24T01:10:13.746Z"; no zone means UTC, as Wiro writes)."""
    try:
        moment = datetime.fromisoformat(text[:-1] + "+00:00" if text.endswith(("Z", "z")) else text)
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    try:
        return (moment - _EPOCH) // _ONE_MS
    except OverflowError:
        return None


def epoch_time(value: Any) -> float | None:
    """A time as epoch seconds with their fraction, from a number or numeric string in seconds or milliseconds,
    or from ISO 8601 text; None when absent, unreadable, or too far from now to be a time. Log lines carry
    `ts` as ISO text with milliseconds."""
    reading = _time_reading(value)
    return None if reading is None else reading[0] / reading[1]


def epoch_seconds(value: Any) -> int | None:
    """A time as whole epoch seconds, read as `epoch_time` reads it. Wiro documents seconds on agent rows,
    Message/Detail and TransactionList; older answers sent them as strings."""
    reading = _time_reading(value)
    return None if reading is None else int(reading[0] / reading[1])


def epoch_ms(value: Any) -> int | None:
    """A time as epoch milliseconds, read as `epoch_time` reads it. Wiro documents milliseconds on call-history
    rows."""
    reading = _time_reading(value)
    if reading is None:
        return None
    number, scale = reading
    return int(number) if scale == 1000 else int(number * 1000)
