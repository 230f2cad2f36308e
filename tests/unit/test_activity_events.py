"""Log events in words: kinds, the one-line summary, every other key flattened, times, keys, newest first."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from tui.activity.events import (
    content_key,
    from_log,
    from_tail,
    newest_first,
)
from tui.activity.flatten import flatten, scalar_text
from tui.activity.kinds import kind_words, resolve_kinds, tidy_kind
from tui.calls.catalog import end_reason_label
from tui.common.coerce import epoch_time
from tui.wiro.models import LogEvent, LogTail

T0 = "2026-04-24T01:10:13.746Z"
T0_EPOCH = 1776993013.746


def event(**raw):
    return from_log(LogEvent.parse(raw))


def tail(*raws):
    return LogTail.parse({"date": "2026-04-24", "totalLines": len(raws), "events": list(raws)})


# -- kinds in words -----------------------------------------------------------------------------------


def test_known_kinds_in_words():
    assert kind_words("session_start") == "call started"
    assert kind_words("session_end") == "call ended"
    assert kind_words("user_message") == "caller said" and kind_words("agent_reply") == "agent said"
    assert kind_words("turn_started") == "agent turn started" and kind_words("turn_ended") == "agent turn ended"
    assert kind_words("cron_started") == "scheduled job started"
    assert kind_words("cron_finished") == "scheduled job finished"


def test_a_completion_that_failed_says_so():
    assert kind_words("tool_completed", ok=True) == "tool finished"
    assert kind_words("tool_completed", ok=None) == "tool finished"
    assert kind_words("tool_completed", ok=False) == "tool failed"
    assert kind_words("cron_finished", ok=False) == "scheduled job failed"
    assert kind_words("webhook_delivered", ok=False) == "webhook delivered (failed)"
    assert kind_words("upload_failed", ok=False) == "upload failed"  # not "failed (failed)"


def test_a_start_or_end_says_more_from_its_summary():
    assert kind_words("session_start", raw={"summary": {"channel": "web"}}) == "web session started"
    assert kind_words("session_end", raw={"summary": {"status": "realtime_session_rejected"}}) == "call rejected"
    assert kind_words("session_end", raw={"summary": "not an object"}) == "call ended"


def test_unknown_kinds_are_shown_as_themselves_tidied():
    assert tidy_kind("realtimeReconnect") == "realtime reconnect"
    assert tidy_kind("billing.low-balance") == "billing low balance"
    assert tidy_kind("WS_CLOSED") == "ws closed"
    assert tidy_kind("evil\x1b[2Jkind").isprintable()  # no escape sequence reaches the terminal
    assert tidy_kind(None) == "event" and tidy_kind("   ") == "event"
    assert kind_words("realtime_reconnect") == "realtime reconnect"


def test_kind_options_resolve_groups_aliases_and_raw_kinds():
    kinds, failures = resolve_kinds(["tools", "cron_finished,session_start", " "])
    # each group holds the newest docs' fine kinds and the older docs' coarse one
    assert kinds == {"tool_started", "tool_completed", "tool_failed", "tool", "cron_finished", "session_start"}
    assert not failures
    assert resolve_kinds(["cron"])[0] == {"cron_started", "cron_finished", "cron_failed", "cron"}
    assert resolve_kinds(["failures"]) == (frozenset(), True)
    assert resolve_kinds(["Mystery_Kind"]) == ({"Mystery_Kind"}, False)  # as Wiro spells it
    assert resolve_kinds([]) == (frozenset(), False)


# -- the summary line -----------------------------------------------------------------------------------


def test_summary_lines_say_what_matters():
    said = event(ts=T0, kind="user_message", title="Caller", summary={"text": "Can I\nmove my appointment?"})
    assert said.words == "caller said"
    assert said.summary == "Caller · “Can I move my appointment?”"
    tool = event(ts=T0, kind="tool_completed", title="Caller lookup finished", tool="hubspot.lookup_contact",
                 durationMs=428, ok=True)
    assert tool.summary == "Caller lookup finished · hubspot.lookup_contact · 428 ms" and not tool.failed
    failed = event(ts=T0, kind="tool_completed", title="Realtime conversation did not start", tool="realtime.connect",
                   durationMs=15000, ok=False, error="realtime_stream_timeout: no audio")
    assert failed.failed and failed.words == "tool failed"
    assert failed.summary.endswith("· realtime.connect · 15.0 s · error: realtime_stream_timeout: no audio")
    ended = event(ts=T0, kind="session_end", title="Session ended",
                  summary={"messageguid": "m1", "endReason": "max_duration", "durationSeconds": 600})
    assert ended.summary == f"Session ended · {end_reason_label('max_duration')} · 10m 00s"
    untitled = event(ts=T0, kind="cron_started")
    assert untitled.summary == "scheduled job started" and untitled.title == ""


def test_odd_values_never_break_the_summary():
    odd = event(ts=T0, kind="tool_completed", title=["not", "text"], durationMs="slow", ok="yes", error={"code": 5},
                summary={"text": 42, "durationSeconds": True})
    assert odd.summary == 'tool finished · error: {"code":5}'  # no title, no duration, no text: only what reads
    assert event(ts=T0, kind="tool_completed", ok="false").failed  # a quoted false is still false


# -- flattening ------------------------------------------------------------------------------------------


def test_other_keys_are_flattened_and_none_is_dropped():
    e = event(ts=T0, kind="session_start", title="Incoming call",
              summary={"messageguid": "m1", "caller": {"number": "+14155550142", "tags": ["vip", {"tier": 2}]}},
              empty={}, none=[], flag=False, nothing=None, ratio=0.5)
    assert e.fields == (
        ("summary.messageguid", "m1"),
        ("summary.caller.number", "+14155550142"),
        ("summary.caller.tags[0]", "vip"),
        ("summary.caller.tags[1].tier", "2"),
        ("empty", "{}"),
        ("none", "[]"),
        ("flag", "false"),
        ("nothing", "null"),
        ("ratio", "0.5"),
    )


def test_flattened_text_is_printable():
    pairs = flatten({"bad\nkey": "line1\nline2\x1b[31m", "ok": True})
    assert pairs == (("bad key", "line1 line2 [31m"), ("ok", "true"))
    assert all(name.isprintable() and value.isprintable() for name, value in pairs)


def test_very_deep_values_end_as_one_line_of_json():
    deep: dict = {"leaf": 1}
    for _ in range(40):
        deep = {"d": deep}
    pairs = flatten({"deep": deep})
    assert len(pairs) == 1 and pairs[0][0].startswith("deep.d.d") and pairs[0][1].endswith('{"leaf":1}' + "}" * 29)


json_leaf = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8)
json_value = st.recursive(json_leaf, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner, max_size=3), max_leaves=20)


def _leaves(value) -> int:
    if isinstance(value, dict):
        return sum(_leaves(v) for v in value.values()) if value else 1
    if isinstance(value, list):
        return sum(_leaves(v) for v in value) if value else 1
    return 1


@given(st.dictionaries(st.text(min_size=1, max_size=6), json_value, max_size=5))
def test_flattening_never_drops_a_value(raw):
    pairs = flatten(raw, skip=())
    assert len(pairs) == sum(_leaves(v) for v in raw.values())
    assert all(name.isprintable() and value.isprintable() for name, value in pairs)


def test_scalar_text_spells_values_like_json():
    assert [scalar_text(v) for v in (None, True, 3, 2.5, "x\ty")] == ["null", "true", "3", "2.5", "x y"]


# -- times, keys, order ----------------------------------------------------------------------------------


def test_times_are_read_from_iso_or_numbers():
    assert epoch_time(T0) == T0_EPOCH
    assert epoch_time("2026-04-24T01:10:13.746+00:00") == T0_EPOCH
    assert epoch_time("2026-04-24T01:10:13.746") == T0_EPOCH  # no zone: UTC, like the rest of Wiro
    assert epoch_time(1776993013746) == T0_EPOCH  # milliseconds
    assert epoch_time(1776993013) == 1776993013.0  # seconds
    assert epoch_time("1776993013") == 1776993013.0
    for bad in (None, True, "", "yesterday", "2026-13-45T00:00:00Z", float("nan"), 10**30, [], {}):
        assert epoch_time(bad) is None


@given(st.one_of(json_leaf, st.text()))
def test_reading_a_time_never_raises(value):
    epoch_time(value)


def test_the_same_content_has_the_same_key_whatever_the_key_order():
    assert content_key({"a": 1, "b": {"c": 2}}) == content_key({"b": {"c": 2}, "a": 1})
    assert content_key({"a": 1}) != content_key({"a": 2})


def test_an_answer_is_shown_newest_first_and_identical_events_get_their_own_keys():
    a = {"ts": "2026-04-24T01:00:00.000Z", "kind": "cron_started", "title": "sync"}
    b = {"ts": "2026-04-24T01:00:02.000Z", "kind": "cron_finished", "title": "sync", "ok": True}
    same_time = {"ts": "2026-04-24T01:00:02.000Z", "kind": "note", "title": "after b in the answer"}
    c = {"ts": "2026-04-24T01:00:05.000Z", "kind": "cron_started", "title": "later"}
    no_time = {"kind": "mystery", "title": "when?"}
    # an older account: oldest first, so of b and same_time the one sent later is the newer
    events = from_tail(tail(a, dict(a), no_time, b, same_time, c))
    titles = [(e.kind, e.title) for e in events]
    assert titles[:3] == [("cron_started", "later"), ("note", "after b in the answer"), ("cron_finished", "sync")]
    assert titles[3:5] == [("cron_started", "sync"), ("cron_started", "sync")]
    assert titles[-1] == ("mystery", "when?")  # no time: last
    keys = [e.key for e in events]
    assert len(set(keys)) == len(keys)
    twins = [e.key for e in events if e.kind == "cron_started" and e.title == "sync"]
    assert {k.split("~")[0] for k in twins} == {content_key(a)} and any(k.endswith("~2") for k in twins)
    assert from_tail(tail(a, dict(a), no_time, b, same_time, c)) == events  # the same answer: the same keys
    # the newest docs: newest first, so of b and same_time the one sent first is the newer
    newest = from_tail(tail(c, same_time, b, a))
    assert [(e.kind, e.title) for e in newest] == [("cron_started", "later"), ("note", "after b in the answer"),
                                                   ("cron_finished", "sync"), ("cron_started", "sync")]


def test_newest_first_is_stable_for_equal_times():
    a, b = event(ts=T0, kind="x", title="1"), event(ts=T0, kind="x", title="2")
    assert newest_first([a, b]) == (a, b) and newest_first([b, a]) == (b, a)
