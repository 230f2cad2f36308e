"""Escape goes back to where the user came from: the trail of screens, without loops."""

from tui.ui.navigation import Trail


def walk(*modes: str) -> Trail:
    trail = Trail()
    for current, going in zip(modes, modes[1:]):
        trail.moved(current, going)
    return trail


def test_back_retraces_the_way_in_reverse():
    trail = walk("overview", "calls", "logs", "webhooks")
    assert [trail.back(), trail.back(), trail.back(), trail.back()] == ["logs", "calls", "overview", None]


def test_returning_to_a_screen_on_the_trail_cuts_the_loop():
    trail = walk("overview", "calls", "logs", "calls")
    assert trail.back() == "overview" and trail.back() is None


def test_going_nowhere_changes_nothing():
    trail = walk("overview", "calls", "calls")
    assert len(trail) == 1 and trail.back() == "overview"


def test_back_to_the_start_empties_the_trail():
    trail = walk("overview", "doctor", "overview")
    assert len(trail) == 0 and trail.back() is None
