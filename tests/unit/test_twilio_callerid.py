"""The whitelist tester: caller IDs as they arrive, against whitelists, with the reason in words."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tui.twilio.callerid import (
    EXACT_MATCH_NOTE,
    EXAMPLES,
    caller_kind,
    check_caller,
    to_e164,
    whitelist_forms,
    withheld_word,
)

WL = ["+14155551234"]

# (whitelist, caller as it arrives, reaches?, kind, words the reason must contain)
CASES = [
    ([], "+14155551234", True, "e164", "empty"),
    ([], "+266696687", True, "withheld", "Withheld callers too"),
    (WL, "+14155551234", True, "e164", "exactly as it arrives"),
    (WL, " +14155551234 ", True, "e164", "exactly as it arrives"),  # typed with stray spaces
    # The seed's trap: the same number without + does not match.
    (WL, "4155551234", False, "digits", "does not match '+14155551234'"),
    (WL, "14155551234", False, "digits", "the same number written differently"),
    (WL, "(415) 555-1234", False, "formatted", "never with spaces or brackets"),
    (WL, "+14155559999", False, "e164", "busy signal"),
    (WL, "+266696687", False, "withheld", "ANONYMOUS"),
    (WL, "+1266696687", False, "withheld", "ANONYMOUS"),
    (WL, "+7378742833", False, "withheld", "RESTRICTED"),
    (WL, "+86282452253", False, "withheld", "UNAVAILABLE"),
    (WL, "+8656696", False, "withheld", "UNKNOWN"),
    (WL, "+2562533", False, "withheld", "BLOCKED"),
    (WL, "anonymous", False, "withheld", "ANONYMOUS"),
    (WL, "client:alice", False, "client", "browser/SDK"),
    (["client:alice"], "client:alice", True, "client", "exactly"),
    (WL, "sip:front@pbx.example.com", False, "sip", "SIP"),
    (WL, "hello", False, "other", "not a phone number"),
    (["4155551234"], "+14155551234", False, "e164", "does not match '4155551234'"),
    (["+14155551234", "4155551234"], "4155551234", True, "digits", "exactly"),
    (["+266696687"], "+266696687", True, "withheld", "lets in everyone who withholds"),
    ([""], "+14155551234", True, "e164", "empty"),  # a blank entry is not a whitelist
]


@pytest.mark.parametrize("whitelist, caller, reaches, kind, words", CASES)
def test_whitelist_cases(whitelist, caller, reaches, kind, words):
    result = check_caller(whitelist, caller)
    assert (result.reaches, result.kind) == (reaches, kind), result.reason
    assert words in result.reason


def test_the_trap_suggests_listing_both_forms_and_says_matching_is_assumed_exact():
    result = check_caller(WL, "4155551234")
    assert result.same_number_entries == ("+14155551234",) and result.add_forms == ("4155551234",)
    assert EXACT_MATCH_NOTE in result.reason and result.e164 == "+14155551234"


def test_an_unlisted_number_gets_both_forms_to_add():
    result = check_caller(WL, "+14155559999")
    assert result.add_forms == ("+14155559999", "4155559999")


def test_formatted_input_suggests_forms_twilio_delivers():
    result = check_caller([], "(415) 555-1234")
    assert result.reaches and result.e164 == "+14155551234"
    result = check_caller(["+19999999999"], "(415) 555-1234")
    assert result.add_forms == ("+14155551234", "4155551234")


def test_empty_input_asks_for_a_caller_id():
    result = check_caller(WL, "   ")
    assert not result.reaches and result.kind == "empty" and "Type a caller ID" in result.reason


def test_helpers():
    assert whitelist_forms("+447911123456") == ("+447911123456", "7911123456")
    assert whitelist_forms("nonsense") == ()
    assert to_e164("4155551234") == "+14155551234" and to_e164("12") is None
    assert withheld_word("+12562533") == "BLOCKED" and withheld_word("+14155551234") is None
    assert [caller_kind(e) for e in EXAMPLES] == ["e164", "digits", "formatted", "withheld", "client"]


@given(st.lists(st.text(max_size=20), max_size=4), st.text(max_size=40))
def test_never_raises_and_always_explains(whitelist, caller):
    result = check_caller(whitelist, caller)
    assert result.reason and isinstance(result.reaches, bool)
