"""The history feed against the simulator: a refresh records Wiro's sessions, the credit ledger, Twilio's call log
and each number's routing; missed calls then show with their causes; every failure is a sentence."""

from __future__ import annotations

import sqlite3

import pytest

from tui.config import Secret, Settings
from tui.history import insights as I
from tui.history.feed import FeedOutcome, record, refresh
from tui.history.keeper import History
from tui.history.schema import APPLICATION_ID
from tui.sim.demo import NUMBER_OK, NUMBER_STUDIO, NUMBER_TWIML_APP
from tui.twilio.access import NoAccess, twilio_access
from tui.twilio.verify import wiro_hosts_for
from tui.wiro import WiroClient


@pytest.fixture
def history(tmp_path, sim):
    h = History(tmp_path / "history.sqlite3", clock=sim.now)
    yield h
    h.close()


async def demo_refresh(sim, history, **overrides) -> tuple[FeedOutcome, tuple[str, ...]]:
    async with WiroClient(sim.api_key, base_url=sim.wiro_base) as wiro:
        agent = await wiro.detail(sim.demo_agent_guid)
        numbers = agent.credential.phonenumbers
        options = dict(numbers=numbers, since_ms=int(sim.now() * 1000) - 7 * 86_400_000,
                       access=twilio_access(agent.credential.accountsid, Settings(), demo=sim),
                       twilio_base=sim.twilio_base, wiro_hosts=wiro_hosts_for(sim.wiro_base))
        options.update(overrides)
        return await refresh(history, wiro, sim.demo_agent_guid, **options), numbers


async def test_a_refresh_records_both_sides_and_missed_calls_get_their_causes(sim, history):
    outcome, numbers = await demo_refresh(sim, history)
    assert outcome.messages == []
    assert outcome.sessions.written == 40 and outcome.calls.written > 40 and outcome.credits.written > 20
    assert outcome.routing.written == len(numbers)
    counts = history.read(lambda s: s.counts()).value
    routing = {r.number: r.verdict for r in history.read(lambda s: s.routing()).value}
    assert routing[NUMBER_OK] == "wiro_ok" and routing[NUMBER_TWIML_APP] == "twiml_app"
    assert routing[NUMBER_STUDIO] == "studio_flow"

    scope = I.Scope(I.period("7d", int(sim.now() * 1000)), agent_guid=sim.demo_agent_guid, numbers=tuple(numbers))
    got = history.read(lambda s: I.insights(s, scope)).value
    assert got.reached + got.rejected == counts["wiro_sessions"]
    missed = dict(got.missed_by_cause)
    assert got.missed == sum(missed.values()) > 0
    # the TwiML App and Studio Flow numbers never reach Wiro: their routing, first checked now, stands for before
    assert missed["routed_elsewhere"] >= 5
    assert missed["failed"] + missed["no_answer"] + missed["canceled"] > 0
    assert dict(got.sources)["web"] == 4 and got.credits_micro > 0 and got.twilio_micro > 0
    assert got == history.read(lambda s: I.from_calls(I.load_joined(s, scope), scope)).value

    again, _ = await demo_refresh(sim, history)  # nothing new: nothing written
    assert (again.sessions.written, again.calls.written, again.routing.written) == (0, 0, 0)


async def test_without_a_twilio_token_the_wiro_side_is_still_recorded(sim, history):
    outcome, _ = await demo_refresh(sim, history, access=NoAccess("token", sim.twilio_account_sid))
    assert outcome.sessions.written == 40 and outcome.calls is None
    assert "TWILIO_AUTH_TOKEN" in outcome.twilio_note and "missed calls" in outcome.twilio_note
    assert outcome.messages[-2:] == [outcome.twilio_note, *([outcome.credits_error] if outcome.credits_error else [])] \
        or outcome.twilio_note in outcome.messages


async def test_a_refused_twilio_token_names_whose_credentials(sim, history):
    settings = Settings(twilio_account_sid=sim.twilio_account_sid, twilio_auth_token=Secret("0" * 32))
    outcome, _ = await demo_refresh(sim, history, access=twilio_access(sim.twilio_account_sid, settings))
    assert outcome.twilio_error.startswith(f"Twilio refused the Account SID {sim.twilio_account_sid} and the Auth "
                                           "Token from TWILIO_ACCOUNT_SID/TWILIO_AUTH_TOKEN")
    assert "Live Auth Token" in outcome.twilio_error and "0" * 32 not in outcome.twilio_error
    assert outcome.sessions.written == 40  # the rest went on


async def test_a_refused_wiro_key_and_a_newer_history_file_are_said(sim, tmp_path):
    path = tmp_path / "h.sqlite3"
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    conn.execute("PRAGMA user_version = 7")
    conn.commit()
    conn.close()
    history = History(path, clock=sim.now)
    async with WiroClient("wrong-key", base_url=sim.wiro_base) as wiro:
        outcome = await refresh(history, wiro, sim.demo_agent_guid, numbers=("+1",), since_ms=0,
                                access="no Twilio here")
    assert outcome.wiro_error.startswith("Wiro's call history could not be read:")
    assert outcome.credits_error and outcome.twilio_note == "no Twilio here"
    outcome, _ = await demo_refresh(sim, history)
    assert outcome.history_problem.kind == "newer" and "version 7" in outcome.messages[0]


async def test_rejection_reasons_from_message_detail_are_recorded(sim, history):
    await demo_refresh(sim, history, access="skip")
    _, sessions = history.read(lambda s: s.records()).value
    rejected = [s for s in sessions if s.status == "realtime_session_rejected"]
    # a refresh asks Message/Detail why recent rejected sessions were refused (the list rows do not say)
    assert rejected and all(s.reject_reason for s in rejected)
    assert history.read(lambda s: s.unexplained_rejections(0, 20)).value == []
    other = next(r for r in ("concurrent_limit", "agent_prep_timeout") if r != rejected[0].reject_reason)
    out = await record(history, "reasons", {rejected[0].guid: other, rejected[-1].guid: ""})
    assert out.written == 1  # a new reason replaces the old; an empty one is no answer and changes nothing
    _, sessions = history.read(lambda s: s.records()).value
    reasons = {s.guid: s.reject_reason for s in sessions}
    assert reasons[rejected[0].guid] == other and reasons[rejected[-1].guid] == rejected[-1].reject_reason
    with pytest.raises(ValueError):
        await record(history, "nonsense", [])
