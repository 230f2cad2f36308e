"""The counting ledger: each finished session counted once, across polls and across restarts (a real file)."""

import json
import os
import stat

import pytest

from tui.calls.catalog import ACTIVE, ENDED, INCOMING, REJECTED
from tui.watch.state import (
    DURATION_BUCKETS,
    FLOOR_LAG_MS,
    REASON_TRIES,
    STATE_VERSION,
    StateError,
    WatchState,
    open_state,
    state_path,
)
from tui.wiro.models import CallSession

NOW = 1_777_000_000.0
MS = int(NOW * 1000)


def session(guid, status, *, ago=60, reason=None, duration=None):
    return CallSession(messageguid=guid, status=status, end_reason=reason, duration_seconds=duration,
                       started_at_ms=MS - ago * 1000)


def history():
    return [session("live", ACTIVE, ago=30), session("prep", INCOMING, ago=5),
            session("e1", ENDED, ago=100, reason="wiro_completed", duration=42),
            session("e2", ENDED, ago=200, reason="twilio_disconnect", duration=700),
            session("r1", REJECTED, ago=300)]


def total(state):
    return sum(state.calls.values())


def test_counts_each_finished_session_once_across_polls():
    state = WatchState()
    first = state.count_sessions("a", history(), NOW)
    assert (first.ended, first.rejected) == (2, 1)
    assert state.calls[("a", "ended", "wiro_completed")] == 1
    assert state.calls[("a", "ended", "twilio_disconnect")] == 1
    assert state.calls[("a", "rejected", "")] == 1
    for _ in range(5):
        assert not state.count_sessions("a", history(), NOW + 5).any
    assert total(state) == 3
    # the live call ends: counted then, once
    later = [session("live", ENDED, ago=30, reason="max_duration", duration=25), *history()[1:]]
    assert state.count_sessions("a", later, NOW + 10).ended == 1
    assert state.count_sessions("a", later, NOW + 15).ended == 0
    assert total(state) == 4
    durations = state.durations["a"]
    assert durations.count == 3 and durations.total == 42 + 700 + 25
    assert durations.cumulative()[-1] == 3
    assert durations.counts[DURATION_BUCKETS.index(30)] == 1  # 25 s lands in the ≤30 bucket


def test_the_floor_forgets_old_guids_without_counting_them_again():
    state = WatchState()
    old = session("old", ENDED, ago=3 * 86400, reason="wiro_completed", duration=10)
    state.count_sessions("a", [old, *history()], NOW)
    assert total(state) == 4  # the first poll counts everything in the history
    ledger = state.agents["a"]
    assert "old" not in ledger.counted  # below the floor: forgotten
    assert ledger.floor_ms == MS - FLOOR_LAG_MS
    state.count_sessions("a", [old, *history()], NOW + 60)
    assert total(state) == 4
    # a day later, with nothing in progress, the floor moves up to a day ago
    done = [session("e1", ENDED, ago=100, reason="wiro_completed", duration=42)]
    state.count_sessions("a", done, NOW + 2 * 86400)
    assert ledger.floor_ms == int((NOW + 2 * 86400) * 1000) - FLOOR_LAG_MS
    assert ledger.counted == {}
    assert total(state) == 4


def test_the_floor_stays_below_a_call_still_in_progress():
    state = WatchState()
    long_call = session("long", ACTIVE, ago=30 * 3600)  # in progress for 30 h: older than the day's lag
    state.count_sessions("a", [long_call], NOW)
    assert state.agents["a"].floor_ms == long_call.started_at_ms


def test_a_session_stuck_for_days_does_not_hold_the_floor_down():
    state = WatchState()
    stuck = session("stuck", INCOMING, ago=10 * 86400)
    state.count_sessions("a", [stuck], NOW)
    assert state.agents["a"].floor_ms == MS - 2 * FLOOR_LAG_MS


def test_rejection_reasons_are_counted_once_and_unread_after_three_failures():
    state = WatchState()
    state.count_sessions("a", [session("r1", REJECTED, ago=10), session("r2", REJECTED, ago=20),
                               session("r3", REJECTED, ago=30)], NOW)
    assert state.pending_reasons("a", 2) == ["r1", "r2"]  # newest first, bounded
    state.reason_read("a", "r1", "concurrent_limit")
    state.reason_read("a", "r1", "concurrent_limit")  # a second answer for the same session is ignored
    state.reason_read("a", "r2", None)
    for _ in range(REASON_TRIES):
        state.reason_failed("a", "r3")
    state.reason_failed("a", "r3")
    assert dict(state.rejections) == {("a", "concurrent_limit"): 1, ("a", "unknown"): 1, ("a", "unread"): 1}
    assert state.pending_reasons("a", 10) == []
    assert state.calls[("a", "rejected", "")] == 3


def test_restart_carries_the_totals_and_never_recounts(tmp_path):
    path = state_path(tmp_path / "config.toml")
    assert path == tmp_path / "watch-state.json"
    first = open_state(path)
    first.count_sessions("a", history(), NOW)
    first.reason_read("a", "r1", "agent_prep_timeout")
    first.saw_running("a")
    first.saw_routed("a", ["+14155550142"])
    assert first.save() is None
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    first.close()

    again = open_state(path)
    assert again.calls == first.calls and again.rejections == first.rejections
    assert again.durations["a"].counts == first.durations["a"].counts
    assert again.seen_running == {"a"} and again.routed == {"a": {"+14155550142"}}
    assert not again.count_sessions("a", history(), NOW + 30).any
    assert total(again) == 3
    assert not again.dirty and again.save() is None  # nothing changed: nothing written
    again.close()


def test_one_watcher_per_state_file(tmp_path):
    path = tmp_path / "watch-state.json"
    holder = open_state(path)
    with pytest.raises(StateError, match="Another `wiro-voice watch` is using"):
        open_state(path)
    holder.close()
    open_state(path).close()


def test_a_damaged_file_is_moved_aside_with_a_warning(tmp_path):
    path = tmp_path / "watch-state.json"
    path.write_text("{not json")
    state = open_state(path)
    assert state.calls == {} and state.warnings
    assert "damaged" in state.warnings[0] and (tmp_path / "watch-state.json.damaged").exists()
    state.count_sessions("a", history(), NOW)
    assert state.save() is None
    state.close()
    assert json.loads(path.read_text())["version"] == STATE_VERSION


def test_a_newer_file_is_refused_not_overwritten(tmp_path):
    path = tmp_path / "watch-state.json"
    path.write_text(json.dumps({"version": STATE_VERSION + 1, "calls": []}))
    with pytest.raises(StateError, match="newer wiro-voice"):
        open_state(path)
    assert json.loads(path.read_text())["version"] == STATE_VERSION + 1
    open_state(tmp_path / "other.json").close()  # and the lock was given back


def test_bad_rows_in_a_readable_file_are_skipped():
    state = WatchState()
    state.load_json({"version": 1, "calls": [["a", "ended", "x", 2], ["a", 1, "x", 2], ["a", "ended", "y", -1]],
                     "rejections": "no", "durations": {"a": {"counts": [1, 2], "sum": 3}},
                     "agents": {"a": {"floor_ms": "x", "counted": {"g": 5, "h": "s"}}}})
    assert dict(state.calls) == {("a", "ended", "x"): 2}
    assert state.durations == {} and state.agents["a"].floor_ms is None
    assert state.agents["a"].counted == {"g": 5, "h": None}


def test_an_unwritable_state_is_a_warning_not_a_crash(tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    state = WatchState(blocker / "watch-state.json")  # its folder is a file: it can never be written
    state.count_sessions("a", history(), NOW)
    warning = state.save()
    assert warning and "Could not write the watch state" in warning and state.dirty
    assert total(state) == 3
