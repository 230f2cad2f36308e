"""Phone numbers as Wiro wants them: strict E.164, with the E.164 form worked out for anything unambiguous.

Strict E.164 is `+`, a country code that does not start with 0, digits only, at most 15 digits. Anything
else that still names one number — `+1 (415) 555-1234`, `00 44 7911 123456`, a national number read
with a default region — gets its E.164 form as a suggestion. The `phonenumbers` package (Google's
libphonenumber metadata) says whether a number is possible (right length for its country) and valid
(in a range that country has assigned). Results are cached: the form checks every number on every
keystroke.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

E164 = re.compile(r"^\+[1-9][0-9]{1,14}$")  # ASCII digits only: \d accepts other scripts
MAX_DIGITS = 15

#: How Twilio spells a withheld caller ID on the keypad (digits after the +), also seen behind a +1.
WITHHELD = {
    "266696687": "ANONYMOUS",
    "7378742833": "RESTRICTED",
    "86282452253": "UNAVAILABLE",
    "8656696": "UNKNOWN",
    "2562533": "BLOCKED",
}
_WITHHELD_WORDS = {name.casefold(): name for name in WITHHELD.values()}

_EXTENSION = re.compile(r"(?:;ext=|\bext\.?|\bx|#)\s*(\d+)\s*$", re.IGNORECASE)
_LIST_SEPARATORS = re.compile(r"[,;\n\r\t]+")
_DIGITS = re.compile(r"\d")
_ALLOWED_FORMATTING = re.compile(r"^[+\d\s().\-/]*$")


@dataclass(frozen=True)
class NumberCheck:
    """What one typed number is, as far as the phone-number database knows."""

    text: str  # as given
    strict: bool  # already strict E.164 (nothing to change)
    e164: str | None  # the E.164 form, when one can be worked out
    possible: bool  # right length for its country
    valid: bool  # in an assigned range of its country
    region: str | None  # ISO region of the number ("US", "GB"), when known
    problem: str = ""  # why there is no usable E.164 form, in words (empty when there is one)
    extension: str | None = None  # an extension found after the number (Twilio numbers have none)


def digits_of(text: str) -> str:
    return "".join(_DIGITS.findall(text))


def is_digits_only(text: str) -> bool:
    """`4155551234`: the form a caller ID may arrive in without its `+`."""
    return text.isascii() and text.isdigit()


def withheld_name(text: str) -> str | None:
    """"ANONYMOUS", "RESTRICTED", … when `text` is one of Twilio's withheld-caller spellings, else None."""
    stripped = text.strip()
    word = _WITHHELD_WORDS.get(stripped.casefold())
    if word:
        return word
    if not _ALLOWED_FORMATTING.match(stripped):
        return None
    digits = digits_of(stripped)
    if digits in WITHHELD:
        return WITHHELD[digits]
    if digits.startswith("1") and digits[1:] in WITHHELD:
        return WITHHELD[digits[1:]]
    return None


@lru_cache(maxsize=1024)
def check_number(text: str, default_region: str = "US") -> NumberCheck:
    """Look at one number. Never raises; `problem` says what is wrong when no E.164 form can be found."""
    s = text.strip()
    if not s:
        return NumberCheck(text, False, None, False, False, None, "it is empty")
    if E164.match(text):
        return _from_parse(text, text, None, strict=True)
    extension = None
    ext = _EXTENSION.search(s)
    if ext and digits_of(s[: ext.start()]):
        extension = ext.group(1)
        s = s[: ext.start()].rstrip(" ,;")
    if not _ALLOWED_FORMATTING.match(s):
        letters = re.sub(r"[+\d\s().\-/]", "", s)
        if not (letters.isascii() and letters.isalpha()):
            return NumberCheck(text, False, None, False, False, None,
                               "only digits, spaces, dashes, dots and brackets can be part of a number",
                               extension)
    body = s
    region: str | None = default_region
    if body.startswith("00"):
        body, region = "+" + body[2:].lstrip(), None  # the international call prefix most of the world dials
    elif body.startswith("+"):
        region = None
    digits = digits_of(body)
    if len(digits) > MAX_DIGITS:
        return NumberCheck(text, False, None, False, False, None,
                           f"it has {len(digits)} digits; E.164 allows at most {MAX_DIGITS}", extension)
    if body.startswith("+") and digits.startswith("0"):
        if digits.startswith("00"):
            body = "+" + digits.lstrip("0")  # "+0044…": an international prefix after the +
        else:
            # "+07911 123456": a national number with a stray +; read it with the default region
            national = _from_parse(text, digits, default_region, strict=False, extension=extension)
            if national.e164 and national.possible:
                return national
            return NumberCheck(text, False, None, False, False, None,
                               "a country code never starts with 0", extension)
    return _from_parse(text, body, region, strict=False, extension=extension)


def _from_parse(text: str, body: str, region: str | None, *, strict: bool, extension: str | None = None) -> NumberCheck:
    import phonenumbers
    from phonenumbers import NumberParseException, PhoneNumberFormat, ValidationResult

    try:
        number = phonenumbers.parse(body, region)
    except NumberParseException as err:
        if err.error_type == NumberParseException.INVALID_COUNTRY_CODE:
            digits = digits_of(body)
            if body.lstrip().startswith("+") or region is None:
                problem = f"no country code matches its first digits (+{digits[:3]}…)"
            else:
                problem = f"it has no country code, and {region} is not a region the phone-number database knows"
        elif err.error_type == NumberParseException.TOO_SHORT_NSN or err.error_type == NumberParseException.TOO_SHORT_AFTER_IDD:
            problem = "it is too short to be a phone number"
        elif err.error_type == NumberParseException.TOO_LONG:
            problem = "it is too long to be a phone number"
        else:
            problem = "it is not a phone number"
        return NumberCheck(text, strict, None, False, False, None, problem, extension)
    e164 = phonenumbers.format_number(number, PhoneNumberFormat.E164)
    reason = phonenumbers.is_possible_number_with_reason(number)
    possible = reason == ValidationResult.IS_POSSIBLE
    region_code = phonenumbers.region_code_for_number(number) or phonenumbers.region_code_for_country_code(number.country_code)
    region_code = None if region_code in (None, "ZZ", "001") else region_code
    where = f" for {region_code} (+{number.country_code})" if region_code else f" for +{number.country_code}"
    problem = ""
    if reason == ValidationResult.INVALID_COUNTRY_CODE:
        problem = f"no country has the code +{number.country_code}"
    elif reason in (ValidationResult.TOO_SHORT, ValidationResult.IS_POSSIBLE_LOCAL_ONLY):
        problem = f"it is too short{where}"
    elif reason == ValidationResult.TOO_LONG:
        problem = f"it is too long{where}"
    elif reason == ValidationResult.INVALID_LENGTH:
        problem = f"its length is not one used{where}"
    if len(digits_of(e164)) > MAX_DIGITS:
        return NumberCheck(text, False, None, False, False, region_code,
                           f"it has {len(digits_of(e164))} digits; E.164 allows at most {MAX_DIGITS}", extension)
    valid = possible and phonenumbers.is_valid_number(number)
    ext = extension or (number.extension or None)
    return NumberCheck(text, strict and e164 == text, e164, possible, valid, region_code, problem, ext)


def split_list(text: str, default_region: str = "US") -> list[str]:
    """Split pasted text into numbers: commas, semicolons, tabs and newlines always separate; spaces
    separate too, except inside one number written with spaces (`+1 (415) 555-1234` stays whole).

    Within a run of space-separated pieces, a piece starting with `+` or `00` begins a new number, and a
    number that is already complete (valid) ends before a piece that would make it invalid.
    """
    out: list[str] = []
    for chunk in _LIST_SEPARATORS.split(text):
        pieces = chunk.split()
        if not pieces:
            continue
        if len(pieces) == 1:
            out.append(pieces[0])
            continue
        current: list[str] = []
        for piece in pieces:
            if current and _starts_number(piece):
                out.append(" ".join(current))
                current = [piece]
                continue
            if current and _complete(" ".join(current), default_region):
                joined = " ".join([*current, piece])
                if not _complete(joined, default_region):
                    out.append(" ".join(current))
                    current = [piece]
                    continue
            current.append(piece)
        if current:
            out.append(" ".join(current))
    return out


def _starts_number(piece: str) -> bool:
    return piece.startswith("+") or (piece.startswith("00") and len(digits_of(piece)) > 2)


def _complete(text: str, default_region: str) -> bool:
    if len(digits_of(text)) > MAX_DIGITS:
        return False
    check = check_number(text, default_region)
    return check.e164 is not None and check.valid
