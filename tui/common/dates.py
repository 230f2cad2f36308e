"""Reading the dates of RFC 2822 and HTTP: Twilio's "Tue, 12 Mar 2024 18:22:47 +0000", a Retry-After's
"Wed, 21 Oct 2015 07:28:00 GMT".

`email.utils.parsedate_to_datetime` reads them too, but importing it loads a good part of the email package
(0.25 MiB of the running demo's memory, measured) for three numbers and a month name. This reads what it reads
for the forms above, the older forms HTTP allows ("Sunday, 06-Nov-94 08:49:37 GMT", "Sun Nov  6 08:49:37 1994")
and the zone names RFC 2822 keeps; tests/unit/test_dates.py checks it against email.utils.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Final

_MONTHS: Final = {name: number for number, name in enumerate(
    ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), start=1)}
_DAYS: Final = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
#: the zone names RFC 2822 keeps (obsolete but still sent), as hours from UTC
_ZONES: Final = {"ut": 0, "utc": 0, "gmt": 0, "z": 0, "edt": -4, "est": -5, "cdt": -5, "cst": -6, "mdt": -6,
                 "mst": -7, "pdt": -7, "pst": -8, "ast": -4, "adt": -3}


def parse_rfc2822(value: str) -> datetime | None:
    """The moment `value` names, or None when it is not such a date. A date without a zone, or with "-0000"
    (RFC 2822's "UTC, said without commitment") or a zone name not listed, comes back without a zone (the caller
    decides, as email.utils leaves it)."""
    tokens = value.replace(",", " ").split()
    if tokens and tokens[0][:3].lower() in _DAYS and not tokens[0][:1].isdigit():
        tokens = tokens[1:]  # the day's name says nothing the date does not
    if len(tokens) in (2, 3) and tokens[0].count("-") == 2:  # RFC 850: 06-Nov-94 08:49:37 GMT
        tokens = tokens[0].split("-") + tokens[1:]
    elif len(tokens) == 4 and tokens[0][:3].lower() in _MONTHS and ":" in tokens[2]:  # asctime: Nov 6 08:49:37 1994
        tokens = [tokens[1], tokens[0], tokens[3], tokens[2]]
    if len(tokens) not in (4, 5):
        return None
    day, month, year, clock = tokens[:4]
    zone = tokens[4] if len(tokens) == 5 else ""
    if day[:3].lower() in _MONTHS:  # "Nov 06 1994": month and day the other way round
        day, month = month, day
    number = _MONTHS.get(month[:3].lower())
    if number is None or not day.isdigit() or not year.isdigit():
        return None
    parts = clock.split(":")
    if len(parts) not in (2, 3) or not all(p.isdigit() for p in parts):
        return None
    hour, minute, second = (int(p) for p in (parts + ["0"])[:3])
    full_year = int(year)
    if len(year) <= 2:  # two digits: 69-99 are 1900s, 00-68 are 2000s (RFC 2822, 4.3)
        full_year += 1900 if full_year > 68 else 2000
    offset = _offset(zone)
    try:
        moment = datetime(full_year, number, int(day), hour, minute, second)
        return moment if offset is None else moment.replace(tzinfo=timezone(timedelta(minutes=offset)))
    except (ValueError, OverflowError):
        return None


def _offset(zone: str) -> int | None:
    """Minutes east of UTC, or None for no zone, "-0000" and names not known."""
    if zone[:1] in ("+", "-") and len(zone) == 5 and zone[1:].isdigit():
        if zone == "-0000":
            return None
        minutes = int(zone[1:3]) * 60 + int(zone[3:5])
        return -minutes if zone[0] == "-" else minutes
    hours = _ZONES.get(zone.lower())
    return None if hours is None else hours * 60
