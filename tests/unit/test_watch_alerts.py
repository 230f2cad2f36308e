"""The alert engine as a state machine: fire once, repeat at most every `repeat` s while held, resolve once."""

import pytest

from tui.watch.alerts import Alert, AlertEngine, AlertEvent

STOPPED = Alert("agent.not_running:g1", "agent_not_running", "critical", "Front desk: stopped", "detail", "fix",
                agent="g1", agent_title="Front desk")
CREDITS = Alert("credits.low:g1", "credits_low", "warning", "Front desk: 10 credits left", "d", "f", agent="g1")


def kinds(events):
    return [(e.kind, e.alert.key) for e in events]


def test_fires_once_then_stays_quiet_until_the_repeat_interval():
    engine = AlertEngine(repeat=600)
    assert kinds(engine.evaluate([STOPPED], 1000)) == [("firing", STOPPED.key)]
    assert engine.evaluate([STOPPED], 1005) == []
    assert engine.evaluate([STOPPED], 1599) == []
    repeat = engine.evaluate([STOPPED], 1600)
    assert kinds(repeat) == [("repeat", STOPPED.key)]
    assert repeat[0].since == 1000 and repeat[0].count == 2
    # the next reminder counts from the last one, not from the start
    assert engine.evaluate([STOPPED], 2199) == []
    assert [e.count for e in engine.evaluate([STOPPED], 2200)] == [3]


def test_resolves_once_when_the_condition_clears_and_can_fire_again():
    engine = AlertEngine(repeat=600)
    engine.evaluate([STOPPED], 1000)
    resolved = engine.evaluate([], 1100)
    assert kinds(resolved) == [("resolved", STOPPED.key)]
    assert resolved[0].since == 1000 and resolved[0].at == 1100
    assert engine.evaluate([], 1200) == []
    assert engine.firing == ()
    again = engine.evaluate([STOPPED], 1300)
    assert kinds(again) == [("firing", STOPPED.key)] and again[0].since == 1300


def test_repeat_zero_never_reminds():
    engine = AlertEngine(repeat=0)
    engine.evaluate([STOPPED], 0)
    assert all(engine.evaluate([STOPPED], t) == [] for t in (10, 10_000, 10**7))
    assert kinds(engine.evaluate([], 10**7 + 1)) == [("resolved", STOPPED.key)]


def test_alerts_are_independent_and_identity_is_the_key():
    engine = AlertEngine(repeat=100)
    engine.evaluate([STOPPED], 0)
    events = engine.evaluate([STOPPED, CREDITS], 50)
    assert kinds(events) == [("firing", CREDITS.key)]
    # new words for the same key are the same alert: no new firing, the newest words go in the reminder
    reworded = Alert(CREDITS.key, "credits_low", "warning", "Front desk: 5 credits left", "d", "f", agent="g1")
    events = engine.evaluate([STOPPED, reworded], 100)
    assert kinds(events) == [("repeat", STOPPED.key)]
    events = engine.evaluate([STOPPED, reworded], 150)
    assert kinds(events) == [("repeat", CREDITS.key)] and events[0].alert.title.endswith("5 credits left")
    assert [a.key for a in engine.firing] == [STOPPED.key, CREDITS.key]  # oldest first


def test_a_duplicated_key_in_one_round_counts_once():
    engine = AlertEngine(repeat=100)
    assert len(engine.evaluate([STOPPED, STOPPED], 0)) == 1


def test_undecided_alerts_neither_resolve_nor_fire_but_may_remind():
    engine = AlertEngine(repeat=100)
    engine.evaluate([STOPPED, CREDITS], 0)
    # Detail of g1 could not be read: the credits alert is undecided, the stopped one still judged
    events = engine.evaluate([STOPPED], 50, undecided=["credits.low:g1"])
    assert events == []
    assert {a.key for a in engine.firing} == {STOPPED.key, CREDITS.key}
    events = engine.evaluate([STOPPED], 120, undecided=["credits.low:"])
    assert sorted(kinds(events)) == [("repeat", STOPPED.key), ("repeat", CREDITS.key)]
    assert kinds(engine.evaluate([STOPPED], 130)) == [("resolved", CREDITS.key)]


def test_event_json_line_and_severity_check():
    engine = AlertEngine(repeat=100)
    event = engine.evaluate([STOPPED], 42.0)[0]
    assert isinstance(event, AlertEvent)
    doc = event.to_json()
    assert doc == {"state": "firing", "id": STOPPED.key, "rule": "agent_not_running", "severity": "critical",
                   "title": "Front desk: stopped", "detail": "detail", "fix": "fix", "agent": "g1",
                   "agent_title": "Front desk", "since": 42.0, "at": 42.0, "count": 1}
    assert event.line().startswith("ALERT critical agent.not_running:g1 [Front desk]")
    resolved = engine.evaluate([], 50)[0]
    assert resolved.line().startswith("RESOLVED ")
    with pytest.raises(ValueError):
        Alert("k", "r", "error", "t", "d")  # not a severity of alerts
