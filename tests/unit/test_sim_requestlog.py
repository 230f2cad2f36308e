"""The simulator's request log: counts per endpoint and fault, and a bounded tail in arrival order."""

from __future__ import annotations

from tui.sim.requestlog import TAIL, RequestLog


def test_counts_by_endpoint_method_and_fault():
    log = RequestLog()
    log.record("post", "/v1/UserAgent/MyAgents", None)
    log.record("POST", "/v1/UserAgent/MyAgents", "500")
    log.record("GET", "/twilio/2010-04-01/Accounts/AC1/IncomingPhoneNumbers.json", None)
    assert log.count() == 3 and log.count("myagents") == 2 and log.count("MyAgents", fault=None) == 1
    assert log.count("MyAgents", fault="500") == 1 and log.count("", method="get") == 1
    log.clear()
    assert log.count() == 0 and log.tail() == []


def test_the_tail_is_bounded_and_holds_one_object_per_distinct_request():
    """A long-running simulator answers the same few requests again and again: its tail must not hold a new object
    for each (it did: 500 of them, each with its own path string)."""
    log = RequestLog()
    paths = [f"/v1/UserAgent/{name}" for name in ("MyAgents", "Logs", "TwilioCallHistory/List")]
    for n in range(3 * TAIL):
        log.record("POST", "".join(paths[n % 3]), None)  # (a new string each time, as a handler reads it)
    tail = log.tail()
    assert len(tail) == TAIL and [seen.path for seen in tail[-3:]] == [paths[(3 * TAIL - 3 + i) % 3] for i in range(3)]
    assert len({id(seen) for seen in tail}) == 3
    assert log.count("Logs") == TAIL
