"""Generated histories: whatever the records and whatever order they arrive in, the figures the store computes
in SQL equal those of the pure join over the same records (the join is the rule; the store must follow it)."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tui.history import insights as I
from tui.history.join import join
from tui.history.records import CreditRow, RoutingSnapshot, TwilioCall, WiroSession
from tui.history.store import HistoryStore

NOW = 1_777_000_000_000
MIN = 60_000
NUMBERS = ("+14155550100", "+14155550101")
STATUSES = ("completed", "busy", "failed", "no-answer", "canceled", "ringing", "in-progress", "queued", "odd", None)
SESSION_STATUSES = ("realtime_session", "realtime_session_rejected", "realtime_session_active", "weird")
VERDICTS = ("wiro_ok", "twiml_app", "sip_trunk")
AGENTS = ("agent-a", "agent-b")


@st.composite
def histories(draw):
    n_calls = draw(st.integers(0, 12))
    calls = []
    for i in range(n_calls):
        calls.append(TwilioCall(
            sid=f"CA{i:032x}", start_ms=NOW - draw(st.integers(0, 3 * 24 * 60)) * MIN,
            to_number=draw(st.sampled_from(NUMBERS)), from_number="+447700900123",
            status=draw(st.sampled_from(STATUSES) | st.just("completed")),
            direction=draw(st.sampled_from(("inbound", "inbound", None, "outbound-api"))),
            duration_s=draw(st.sampled_from((None, 0, 3, 4, 30)) | st.integers(0, 700)), price_micro=draw(st.none() | st.integers(-50_000, 0)),
            price_unit=draw(st.sampled_from(("USD", None, "EUR"))), caller_country=draw(st.sampled_from(("GB", "US"))),
        ))
    sessions = []
    for j in range(draw(st.integers(0, 12))):
        linked = draw(st.sampled_from(("call", "call", "web", "lost"))) if calls else draw(st.sampled_from(("web", "lost")))
        call = draw(st.sampled_from(calls)) if linked == "call" else None
        at = (call.start_ms + 2000) if call else NOW - draw(st.integers(0, 3 * 24 * 60)) * MIN
        status = draw(st.sampled_from(SESSION_STATUSES))
        sessions.append(WiroSession(
            guid=f"{draw(st.integers(0, 9))}-session-{j}", started_ms=at, agent_guid=draw(st.sampled_from(AGENTS)),
            call_sid=call.sid if call else (f"CA{900 + j:032x}" if linked == "lost" else f"voice-call-{j}"),
            channel="web" if linked == "web" else "twilio", caller="x",
            caller_country=draw(st.sampled_from(("GB", "FR", None))), status=status,
            reject_reason=draw(st.sampled_from(("concurrent_limit", None))) if "rejected" in status else None,
            duration_s=draw(st.none() | st.integers(0, 700)),
        ))
    credits = [CreditRow(f"t{k}", s.guid, -draw(st.integers(1, 5)) * 1_000_000, s.started_ms)
               for k, s in enumerate(sessions) if draw(st.booleans())]
    routing = [RoutingSnapshot(draw(st.sampled_from(NUMBERS)), draw(st.sampled_from(VERDICTS)),
                               NOW - draw(st.integers(0, 4 * 24 * 60)) * MIN) for _ in range(draw(st.integers(0, 4)))]
    routing = list({(r.number, r.at_ms): r for r in routing}.values())
    order = draw(st.permutations(("calls", "sessions", "credits")))
    batches = draw(st.integers(1, 3))
    return calls, sessions, credits, routing, order, batches


@pytest.mark.long
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(histories(), st.sampled_from(["3d", "today", "2d"]), st.sampled_from([None, "agent-a"]),
       st.sampled_from([None, NUMBERS[:1]]))
def test_the_store_follows_the_join_whatever_the_order(history, spec, agent, numbers):
    calls, sessions, credits, routing, order, batches = history
    with tempfile.TemporaryDirectory() as tmp:
        store = HistoryStore.open(Path(tmp) / "history.sqlite3")
        parts = {"calls": (store.write_calls, calls), "sessions": (store.write_sessions, sessions),
                 "credits": (store.write_credits, credits)}
        for name in order:
            write, rows = parts[name]
            size = max(1, len(rows) // batches)
            for i in range(0, len(rows), size):
                write(rows[i:i + size], NOW)
        store.write_routing(routing)
        scope = I.Scope(I.period(spec, NOW), agent_guid=agent, numbers=numbers)
        expected = I.from_calls(join(calls, sessions, credits, routing), scope)
        assert I.insights(store, scope) == expected
        assert I.from_calls(I.load_joined(store, scope), scope) == expected
        store.close()
