"""The one polling schedule: base interval, doubling after failures, the cap, and Retry-After."""

import pytest

from tui.common.polling import PollState


class RateLimited(Exception):
    def __init__(self, retry_after):
        super().__init__("429")
        self.retry_after = retry_after


def test_success_waits_one_interval_and_resets_failures():
    state = PollState(interval=5)
    state.failed()
    assert state.backing_off
    assert state.succeeded() == 5
    assert not state.backing_off


def test_failures_double_the_wait_up_to_the_cap():
    state = PollState(interval=5, cap=60)
    assert [state.failed() for _ in range(6)] == [10, 20, 40, 60, 60, 60]


def test_retry_after_longer_than_the_backoff_is_honoured_even_beyond_the_cap():
    state = PollState(interval=5, cap=60)
    assert state.failed(retry_after=3) == 10  # shorter than the backoff: the backoff wins
    assert state.failed(retry_after=120) == 120


def test_record_reads_retry_after_from_the_error():
    state = PollState(interval=1, cap=30)
    assert state.record(RateLimited(25.0)) == 25.0
    assert state.record(ValueError("boom")) == 4
    assert state.record(None) == 1


def test_many_failures_do_not_overflow():
    state = PollState(interval=1, cap=300)
    for _ in range(10_000):
        wait = state.failed()
    assert wait == 300


def test_changing_the_interval_keeps_the_backoff():
    state = PollState(interval=5, cap=60)
    assert state.with_interval(2) == 2
    state.failed()
    assert state.with_interval(1) == 2
    assert state.with_interval(120) == 120  # the cap grows with a slower interval
    assert state.cap == 120


@pytest.mark.parametrize("interval, cap", [(0, 60), (-1, 60), (10, 5)])
def test_unusable_schedules_are_refused(interval, cap):
    with pytest.raises(ValueError):
        PollState(interval=interval, cap=cap)
