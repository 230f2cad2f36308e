"""RFC 2822 and HTTP dates (tui/common/dates.py) read as email.utils reads them."""

from __future__ import annotations

import email.utils
import random
from datetime import UTC, datetime, timedelta, timezone

import pytest

from tui.common.dates import parse_rfc2822


def emails(value: str) -> datetime | None:
    try:
        return email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None


@pytest.mark.parametrize("value", [
    "Tue, 12 Mar 2024 18:22:47 +0000",  # Twilio's
    "Wed, 21 Oct 2015 07:28:00 GMT",  # HTTP's
    "Fri, 24 Apr 2026 03:07:10 -0000",  # UTC said without commitment: no zone
    "Mon, 1 Jan 2024 00:00:00 +0530", "Sun, 31 Dec 2023 23:59:59 -0800", "Thu, 29 Feb 2024 12:00 +0100",
    "12 Mar 2024 18:22:47 +0000", "Tue 12 Mar 2024 18:22:47 GMT", "Tue, 12 Mar 2024 18:22:47 EST",
    "Tue, 12 Mar 2024 18:22:47 pdt", "Tue, 12 Mar 2024 18:22:47 UT", "Tue, 12 Mar 2024 18:22:47",
    "Tue, 12 Mar 2024 18:22:47 CEST", "Tue, 12 March 2024 18:22:47 +0000", "Tue, Mar 12 2024 18:22:47 +0000",
    "Sunday, 06-Nov-94 08:49:37 GMT", "Sun Nov  6 08:49:37 1994", "Sat, 01 Jan 00 00:00:00 +0000",
    "Sat, 01 Jan 69 00:00:00 +0000",
])
def test_each_form_reads_as_email_utils_reads_it(value):
    assert parse_rfc2822(value) == emails(value) is not None


@pytest.mark.parametrize("junk", ["", "soon", "Mon, 99 Foo 2015", "31 Dec 9999", "Tue, 30 Feb 2024 10:00:00 GMT",
                                  "Tue, 12 Mar 2024 25:00:00 GMT", "Tue, 12 Mar 2024 18:22 +2460", "1710267767",
                                  "2024-03-12T18:22:47Z", "Tue, 12 Mar 2024", "Tue, x Mar 2024 18:22:47 GMT"])
def test_what_is_not_such_a_date_is_none(junk):
    assert parse_rfc2822(junk) is None


def test_a_thousand_random_moments_in_every_zone_read_back():
    rng = random.Random(7)
    for _ in range(1000):
        zone = timezone(timedelta(minutes=rng.randrange(-12 * 60, 14 * 60, 15)))
        moment = datetime(2000, 1, 1, tzinfo=UTC) + timedelta(seconds=rng.randrange(40 * 365 * 86400))
        text = email.utils.format_datetime(moment.astimezone(zone))
        assert parse_rfc2822(text) == emails(text) == moment, text
