"""The country of a caller's number, for "callers by country" (Twilio's call log does not say it)."""

from __future__ import annotations

from functools import lru_cache


@lru_cache(maxsize=4096)
def country_of(number: str | None) -> str | None:
    """The ISO region of an E.164 number ("GB" for +44…), or None for withheld IDs, SIP/client identities
    and anything unreadable. A number that is not valid in any region (a fictional +1 555 number) gets the
    main region of its country code, which is what a person reading the chart expects."""
    if not number or not number.startswith("+"):
        return None
    import phonenumbers  # loaded when the first Twilio call is recorded, never at start

    from ..calls.catalog import is_withheld

    if is_withheld(number):
        return None
    try:
        parsed = phonenumbers.parse(number, None)
    except phonenumbers.NumberParseException:
        return None
    region = phonenumbers.region_code_for_number(parsed)
    if not region:
        region = phonenumbers.region_code_for_country_code(parsed.country_code or 0)
    return region if region and region.isalpha() and region != "ZZ" else None
