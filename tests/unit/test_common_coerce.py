"""Reading JSON values without trusting their types: one set of readers for every package (tui/common/coerce.py)."""

from __future__ import annotations

import math
from datetime import UTC, datetime

from hypothesis import given
from hypothesis import strategies as st

from tui.common.coerce import (
    as_bool,
    as_dict,
    as_float,
    as_int,
    as_list,
    as_str,
    epoch_ms,
    epoch_seconds,
    epoch_time,
    nonblank_str,
    str_list,
)

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=8,
)
READERS = (as_bool, as_dict, as_float, as_int, as_list, as_str, epoch_ms, epoch_seconds, epoch_time, nonblank_str,
           str_list)


def test_numbers_are_read_from_numbers_and_numeric_text_but_never_from_booleans():
    assert [as_int(v) for v in (12, 12.9, "12", " 12.0 ", True, None, "twelve", "", [], float("nan"), 1e300)] == [
        12, 12, 12, 12, None, None, None, None, None, None, None]
    assert [as_float(v) for v in (2, 2.5, " 2.5 ", False, "x", None, {})] == [2.0, 2.5, 2.5, None, None, None, None]
    assert as_float(10**400) is None  # an integer too large for a float


def test_text_is_kept_numbers_are_spelled_and_blanks_are_unset():
    assert [as_str(v) for v in ("a", 3, 2.5, True, None, {"a": 1})] == ["a", "3", "2.5", None, None, None]
    assert [nonblank_str(v) for v in (" AC12 ", "", "   ", None, 7, False)] == ["AC12", None, None, None, "7", None]
    assert str_list(["a", 1, None, True, {"b": 2}, "c"]) == ("a", "1", "c")
    assert str_list("not a list") == ()


def test_booleans_are_read_from_words_and_numbers():
    assert [as_bool(v) for v in (True, 0, 1.0, "yes", " FALSE ", "", "maybe", None)] == [
        True, False, True, True, False, False, None, None]


def test_containers_are_kept_or_decoded_from_json_text_else_empty():
    assert as_dict({"a": 1}) == {"a": 1}
    assert as_dict(' {"a": 1}') == {"a": 1}
    assert [as_dict(v) for v in ("{broken", "[1]", "x", None, [1])] == [{}, {}, {}, {}, {}]
    assert as_dict("{" * 100_000) == {}  # too deep to decode: nothing, not a RecursionError
    assert as_list([1]) == [1] and as_list("[1]") == [] and as_list(None) == []


T0_MS = 1776993013746  # 2026-04-24T01:10:13.746Z


def test_times_are_read_in_seconds_milliseconds_or_iso_text():
    for spelled in (T0_MS, str(T0_MS), "2026-04-24T01:10:13.746Z", "2026-04-24T03:10:13.746+02:00",
                    "2026-04-24T01:10:13.746"):  # no zone: UTC, as Wiro writes it
        assert epoch_ms(spelled) == T0_MS, spelled
        assert epoch_seconds(spelled) == T0_MS // 1000, spelled
        assert epoch_time(spelled) == T0_MS / 1000, spelled
    assert epoch_seconds(1776993013) == 1776993013 and epoch_ms("1776993013") == 1776993013000
    assert epoch_time(1776993013.5) == 1776993013.5


def test_an_iso_time_before_1973_is_not_mistaken_for_seconds():
    # its milliseconds are below the seconds/milliseconds threshold; ISO text says which unit it is
    assert epoch_seconds("1970-01-02T00:00:00Z") == 86_400
    assert epoch_ms("1970-01-02T00:00:00Z") == 86_400_000


def test_unreadable_or_impossible_times_are_none():
    for bad in (None, True, "", "yesterday", "2026-13-45T00:00:00Z", float("nan"), float("inf"), 10**30, 10**400,
                [], {}):
        assert epoch_time(bad) is None and epoch_seconds(bad) is None and epoch_ms(bad) is None, bad


def test_every_time_read_can_be_shown_as_a_date():
    for value in (2.49e11, -5.9e10, 2.49e14, "9999-12-31T23:59:59Z", "0001-01-01T00:00:00+14:00"):
        seconds = epoch_time(value)
        if seconds is not None:
            datetime.fromtimestamp(seconds, UTC)  # would raise for a time out of range


@given(json_values)
def test_no_reader_raises_on_any_json_value(value):
    for reader in READERS:
        reader(value)
    seconds = epoch_time(value)
    assert seconds is None or math.isfinite(seconds)
