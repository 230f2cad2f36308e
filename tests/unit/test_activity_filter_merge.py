"""Filtering log events by kind and text, and merging poll answers so a repeated answer changes nothing."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from tui.activity.events import from_tail
from tui.activity.filters import ActivityFilter, kind_choices, next_choice
from tui.activity.merge import merge_events
from tui.wiro.models import LogTail


def at(second: int) -> str:
    return f"2026-04-24T01:00:{second:02d}.000Z"


EVENTS = [
    {"ts": at(1), "kind": "session_start", "title": "Incoming call from +14155550142", "summary": {"channel": "twilio"}},
    {"ts": at(2), "kind": "tool_started", "title": "Looking up caller in HubSpot", "tool": "hubspot.lookup_contact"},
    {"ts": at(3), "kind": "tool_completed", "title": "Realtime conversation did not start", "tool": "realtime.connect",
     "ok": False, "error": "realtime_stream_timeout"},
    {"ts": at(4), "kind": "user_message", "title": "Caller", "summary": {"text": "Is there PARKING?"}},
    {"ts": at(5), "kind": "cron_finished", "title": "Hourly HubSpot sync", "ok": True},
    {"ts": at(6), "kind": "billing_alert", "title": "Low balance", "balance": {"usd": 3}},
]


def answer(raws):
    return from_tail(LogTail.parse({"events": list(raws)}))


def titles(events):
    return [e.title for e in events]


# -- filter ------------------------------------------------------------------------------------------------


def test_no_filter_keeps_everything_in_order():
    events = answer(EVENTS)
    assert not ActivityFilter().is_active
    assert ActivityFilter().apply(events) == events


def test_filter_by_a_set_of_kinds():
    events = answer(EVENTS)
    tools = ActivityFilter(frozenset({"tool_started", "tool_completed"}))
    assert titles(tools.apply(events)) == ["Realtime conversation did not start", "Looking up caller in HubSpot"]
    assert ActivityFilter(frozenset({"nothing_like_this"})).apply(events) == ()


def test_filter_by_failures_only():
    events = answer(EVENTS)
    assert titles(ActivityFilter(failures=True).apply(events)) == ["Realtime conversation did not start"]


def test_text_is_case_insensitive_over_title_kind_words_and_values():
    events = answer(EVENTS)

    def find(text):
        return titles(ActivityFilter(text=text).apply(events))

    assert find("parking") == ["Caller"]  # a value (summary.text), any case
    assert find("HUBSPOT") == ["Hourly HubSpot sync", "Looking up caller in HubSpot"]  # titles
    assert find("billing_alert") == ["Low balance"]  # the kind as sent
    assert find("caller said") == ["Caller"]  # the kind in words
    assert find("ok=false") == ["Realtime conversation did not start"]  # name=value
    assert find("balance.usd=3") == ["Low balance"]  # a nested key
    assert find("  ") == titles(events)  # blank text filters nothing
    assert find("no such thing") == []


def test_kind_and_text_combine():
    events = answer(EVENTS)
    both = ActivityFilter(frozenset({"tool_started", "tool_completed"}), text="realtime")
    assert titles(both.apply(events)) == ["Realtime conversation did not start"]


def test_the_kind_cycle_goes_through_groups_unknown_kinds_and_failures_then_back():
    events = answer(EVENTS)
    labels = [c.label for c in kind_choices(events)]
    assert labels == ["all kinds", "calls", "conversation", "tools", "scheduled jobs", "credits", "billing_alert",
                      "failures"]
    f = ActivityFilter(text="hub")
    seen = []
    for _ in range(len(labels)):
        f = next_choice(f, events)
        seen.append(f.label)
        assert f.text == "hub"  # the text part stays
    assert seen == labels[1:] + ["all kinds"]
    assert not next_choice(ActivityFilter(label="gone kind"), events).is_active  # a choice no longer offered: start over


# -- merge --------------------------------------------------------------------------------------------------


def test_the_same_answer_twice_changes_nothing():
    first = merge_events((), answer(EVENTS))
    assert first.changed and len(first.events) == len(EVENTS)
    again = merge_events(first.events, answer(EVENTS))
    assert not again.changed and again.events is first.events  # the very same tuple


def test_new_events_go_on_top_and_events_that_left_the_window_are_kept():
    first = merge_events((), answer(EVENTS[:4]))
    newer = {"ts": at(9), "kind": "agent_reply", "title": "Agent", "summary": {"text": "Yes, on the left."}}
    # the server's tail moved on: the oldest events are no longer in the answer
    second = merge_events(first.events, answer(EVENTS[2:] + [newer]))
    assert second.changed and len(second.added) == 3
    assert titles(second.events)[0] == "Agent"
    assert [e.title for e in second.events][-1] == "Incoming call from +14155550142"  # kept from before
    assert len(second.events) == len(EVENTS) + 1
    assert [e.at for e in second.events] == sorted((e.at for e in second.events), reverse=True)


def test_merge_keeps_at_most_the_newest_n():
    merged = merge_events((), answer(EVENTS), keep=3)
    assert titles(merged.events) == ["Low balance", "Hourly HubSpot sync", "Caller"]
    assert len(merged.added) == 3


raw_event = st.fixed_dictionaries(
    {"ts": st.integers(0, 59).map(at), "kind": st.sampled_from(["a", "b", "tool_completed"])},
    optional={"title": st.text(max_size=5), "ok": st.booleans()},
)


@given(st.lists(raw_event, max_size=12), st.lists(raw_event, max_size=12))
def test_merging_is_idempotent_and_newest_first(one, two):
    a = merge_events((), answer(one)).events
    b = merge_events(a, answer(two))
    again = merge_events(b.events, answer(two))
    assert again.events is b.events and not again.changed
    keys = [e.key for e in b.events]
    assert len(keys) == len(set(keys))
    assert [e.at for e in b.events] == sorted((e.at for e in b.events), reverse=True)
