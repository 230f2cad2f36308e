"""Whitelist tester: would this caller ID reach the agent under the current whitelist, and why.

Wiro's matching is not documented beyond "E.164 allowlist". We assume the strictest reading, an exact
comparison of the caller ID as it arrives with each entry, and say so: that is what the seed's
troubleshooting describes ("if your test phone presents itself as 4155551234 instead of +14155551234,
the allowlist won't match. Add both forms while testing.").
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

Kind = Literal["e164", "digits", "formatted", "withheld", "client", "sip", "empty", "other"]

EXACT_MATCH_NOTE = ("Wiro is assumed to compare the caller ID exactly as it arrives with each whitelist entry "
                    "(no normalisation), so one number written two ways counts as two.")

#: Caller IDs worth trying, as the Webhooks screen offers them.
EXAMPLES = ("+14155551234", "4155551234", "(415) 555-1234", "+266696687", "client:alice")

# Withheld caller ID arrives as keypad spellings of these words (docs/twilio.md), also behind a +1.
_WITHHELD_WORDS = ("ANONYMOUS", "RESTRICTED", "UNAVAILABLE", "UNKNOWN", "BLOCKED")
_WITHHELD_DIGITS = {"266696687": "ANONYMOUS", "7378742833": "RESTRICTED", "86282452253": "UNAVAILABLE",
                    "8656696": "UNKNOWN", "2562533": "BLOCKED"}
_E164 = re.compile(r"^\+[1-9]\d{1,14}$")
_DIGITS = re.compile(r"^\d{4,15}$")
_PHONEISH = re.compile(r"^[\d\s()+.\-/]+$")


@dataclass(frozen=True)
class CallerCheck:
    """The answer for one caller ID. `add_forms` are the entries that would let this caller in (both forms
    of a number while testing); `same_number_entries` are entries that are this number written differently."""

    caller: str
    kind: Kind
    reaches: bool
    reason: str
    matched: str | None = None
    e164: str | None = None
    withheld_as: str | None = None
    same_number_entries: tuple[str, ...] = ()
    add_forms: tuple[str, ...] = ()


def withheld_word(caller: str) -> str | None:
    """ANONYMOUS, RESTRICTED, … when `caller` is how Twilio spells a withheld caller ID, else None."""
    text = caller.strip()
    if text.upper() in _WITHHELD_WORDS:
        return text.upper()
    digits = text.removeprefix("+")
    if digits in _WITHHELD_DIGITS:
        return _WITHHELD_DIGITS[digits]
    if digits.startswith("1") and digits[1:] in _WITHHELD_DIGITS:
        return _WITHHELD_DIGITS[digits[1:]]
    return None


def caller_kind(caller: str) -> Kind:
    """What sort of caller ID this is, as Twilio would deliver it."""
    text = caller.strip()
    if not text:
        return "empty"
    if withheld_word(text):
        return "withheld"
    lowered = text.lower()
    if lowered.startswith("client:"):
        return "client"
    if lowered.startswith(("sip:", "sips:")):
        return "sip"
    if _E164.match(text):
        return "e164"
    if _DIGITS.match(text):
        return "digits"
    if _PHONEISH.match(text) and sum(c.isdigit() for c in text) >= 4:
        return "formatted"
    return "other"


def _parse(number: str, region: str):
    import phonenumbers

    text = number.strip()
    try:
        return phonenumbers.parse(text, None if text.startswith("+") else region)
    except phonenumbers.NumberParseException:
        return None


def to_e164(number: str, region: str = "US") -> str | None:
    """The number in E.164, reading numbers without + as national numbers of `region`; None if unreadable."""
    import phonenumbers

    parsed = _parse(number, region)
    if parsed is None or not phonenumbers.is_possible_number(parsed):
        return None
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def whitelist_forms(number: str, region: str = "US") -> tuple[str, ...]:
    """Both forms worth listing while testing: E.164 and the bare national digits (+14155551234, 4155551234)."""
    import phonenumbers

    parsed = _parse(number, region)
    if parsed is None or not phonenumbers.is_possible_number(parsed):
        return ()
    e164 = phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
    national = phonenumbers.national_significant_number(parsed)
    return tuple(dict.fromkeys((e164, national)))


def check_caller(whitelist: Sequence[str], caller: str, *, region: str = "US") -> CallerCheck:
    """Would `caller` (as Twilio delivers it) reach the agent with this whitelist? Never raises."""
    raw = caller.strip() if isinstance(caller, str) else ""
    entries = [e for e in whitelist if isinstance(e, str) and e.strip()]
    kind = caller_kind(raw)
    word = withheld_word(raw) if kind == "withheld" else None
    e164 = to_e164(raw, region) if kind in ("e164", "digits", "formatted") else None
    base = {"caller": raw, "kind": kind, "e164": e164, "withheld_as": word}
    if kind == "empty":
        return CallerCheck(reaches=not entries, reason="Type a caller ID as it would arrive, e.g. "
                           + ", ".join(EXAMPLES[:3]) + ".", **base)
    if not entries:
        extra = " Withheld callers too." if word else ""
        return CallerCheck(reaches=True, reason="The whitelist is empty, so every caller reaches the agent "
                           f"(the production default).{extra}", **base)
    if raw in entries:
        note = (f" This entry lets in everyone who withholds their number ({word})." if word else "")
        return CallerCheck(reaches=True, matched=raw, reason=f"{raw!r} is on the whitelist exactly as it arrives, "
                           f"so the call reaches the agent.{note}", **base)
    busy = "is not on the whitelist, so the caller gets a busy signal."
    if word:
        return CallerCheck(reaches=False, reason=f"The caller withholds their number (it arrives as {raw}, "
                           f"{word}), which matches no entry, so they get a busy signal. Only an empty whitelist "
                           "lets withheld callers in.", **base)
    if kind in ("client", "sip"):
        what = "a browser/SDK client" if kind == "client" else "a SIP endpoint"
        return CallerCheck(reaches=False, add_forms=(raw,), reason=f"{raw!r} is {what} and {busy} It matches only "
                           f"an entry written exactly {raw!r}. {EXACT_MATCH_NOTE}", **base)
    if kind == "other" or e164 is None:
        return CallerCheck(reaches=False, reason=f"{raw!r} is not a phone number, client: or sip: identity Twilio "
                           f"would deliver; it matches no entry, so the caller gets a busy signal. Only an identical entry "
                           "would let it in.", **base)
    same = tuple(e for e in entries if to_e164(e, region) == e164)
    forms = tuple(dict.fromkeys(f for f in (*whitelist_forms(raw, region), raw) if f not in entries))
    if kind == "formatted":
        forms = tuple(f for f in forms if f != raw)  # Twilio never delivers spaces or brackets
    hint = (" Twilio delivers numbers as E.164 (+14155551234) or, from some phones, bare digits (4155551234) — "
            "never with spaces or brackets." if kind == "formatted" else "")
    if same:
        return CallerCheck(
            reaches=False, same_number_entries=same, add_forms=(raw,) if kind != "formatted" else forms,
            reason=f"The whitelist has {same[0]}, the same number written differently, but {raw!r} does not match "
                   f"{same[0]!r}: the caller gets a busy signal. While testing, list both forms "
                   f"({', '.join(dict.fromkeys((*same, *forms)))}).{hint} {EXACT_MATCH_NOTE}", **base)
    return CallerCheck(reaches=False, add_forms=forms,
                       reason=f"{raw!r} {busy} To let it in, add {' and '.join(forms) or e164}.{hint}", **base)
