"""Simulator: the activity log (both shapes) and the credit ledger (TransactionList), and how they agree."""

from __future__ import annotations

import re

import pytest

from .sim_http import detail, older, post, refused  # noqa: F401 - fixture

FINE_KINDS = {"session_start", "session_end", "tool_started", "tool_completed", "turn_started", "turn_ended",
              "user_message", "agent_reply", "cron_started", "cron_finished", "token_usage", "token_usage_idempotent",
              "balance_gate_blocked"}
COARSE_KINDS = {"tool", "turn", "session", "message", "cron", "deduct", "system"}
TOOLS = {"read", "write", "edit", "exec", "web_fetch", "web_search", "sessions_spawn", "message"}
ISO = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z")


def logs(sim, guid=None, **body):
    return post(sim, "/UserAgent/Logs", {"useragentguid": guid or sim.demo_agent_guid, **body})


def ledger(sim, guid=None, **body):
    answer = post(sim, "/UserAgent/TransactionList", {"useragentguid": guid or sim.demo_agent_guid, **body})
    assert answer["result"] is True, answer
    return answer


def history(sim, guid=None):
    return post(sim, "/UserAgent/TwilioCallHistory/List", {"useragentguid": guid or sim.demo_agent_guid,
                                                           "limit": 200})["data"]


# -- Logs -------------------------------------------------------------------------------------------------


def test_newest_logs_are_newest_first_with_iso_ts_and_fine_kinds(sim):
    r = logs(sim, lines=5000)
    assert r["result"] is True and r["date"] == "2026-04-24"
    events = r["events"]
    assert r["totalLines"] == len(events) > 100
    stamps = [e["ts"] for e in events]
    assert all(ISO.fullmatch(s) for s in stamps)
    assert stamps == sorted(stamps, reverse=True), "events[0] is the latest"
    kinds = {e["kind"] for e in events}
    assert kinds <= FINE_KINDS
    assert {"session_start", "session_end", "tool_started", "tool_completed", "turn_started", "turn_ended",
            "user_message", "agent_reply", "cron_started", "cron_finished", "token_usage"} <= kinds
    for e in events:
        assert {"ts", "kind", "title", "userUuid", "user"} <= e.keys() and e["title"]
        assert (e["user"] is None) == (e["userUuid"] == "system")
        assert e["user"] is None or {"uuid", "firstname", "username", "avatarinitials"} <= e["user"].keys()
        if e["kind"].startswith("tool_"):
            assert e["tool"] in TOOLS and {"skill", "action"} <= e["summary"].keys()
    failures = [e for e in events if e.get("ok") is False]
    assert any("1011" in e["error"] for e in failures)  # a wiro_error end
    assert any(e["error"].startswith("concurrent_limit") for e in failures)
    usage = next(e for e in events if e["kind"] == "token_usage")
    assert usage["summary"]["trigger"] == "voice-postcall" and usage["model"] == "openai/gpt-5.4"
    assert set(usage["tokens"]) == {"input", "output", "cacheRead", "cacheWrite", "total"}
    assert {"tokencost", "durationMs", "calls", "remainingcredits"} <= usage.keys()
    short = logs(sim, lines=7)
    assert short["totalLines"] == len(events) and short["events"] == events[:7]
    # The six hours of history start the day before (the epoch is 03:06 UTC).
    yesterday = logs(sim, date="2026-04-23", lines=5000)
    assert yesterday["date"] == "2026-04-23" and yesterday["totalLines"] > 0
    assert all(e["ts"].startswith("2026-04-23T") for e in yesterday["events"])
    assert logs(sim, date="today")["date"] == "2026-04-24"
    assert logs(sim, date="24/04/2026")["result"] is False


def test_older_logs_are_ascending_with_numeric_ts_and_coarse_kinds(older):
    r = logs(older, lines=5000)
    events = r["events"]
    assert r["totalLines"] == len(events) > 100
    stamps = [e["ts"] for e in events]
    assert all(isinstance(s, int) for s in stamps) and stamps == sorted(stamps), "ascending, newest last"
    kinds = {e["kind"] for e in events}
    assert COARSE_KINDS - {"system"} <= kinds <= COARSE_KINDS
    assert all(e["action"] == "token_usage_idempotent" for e in events if e["kind"] == "system")
    for e in events:
        assert {"ts", "kind", "action", "skill", "session", "userUuid", "user", "details"} <= e.keys()
        assert "title" not in e and e["details"]["title"]
    tools = [e for e in events if e["kind"] == "tool"]
    assert any(e["action"] == "hubspot-lookup-contact" and e["skill"] == "int-hubspot" for e in tools)
    assert any(e["details"].get("ok") is False for e in tools)
    deduct = next(e for e in events if e["kind"] == "deduct")
    assert deduct["action"] == "tokens" and deduct["details"]["credits"] >= 1
    assert {e["action"] for e in events if e["kind"] == "session"} == {"session_start", "session_end"}
    assert logs(older, lines=7)["events"] == events[-7:]


def test_token_usage_joins_the_ledger_by_messageguid(sim):
    events = logs(sim, lines=5000, date="2026-04-23")["events"] + logs(sim, lines=5000)["events"]
    usage = {e["summary"]["messageguid"]: e for e in events if e["kind"] == "token_usage"}
    rows = {t["messageguid"]: t for t in ledger(sim, limit=500)["transactions"] if t["action"] == "tokens"}
    assert usage and set(usage) == set(rows)
    for guid, e in usage.items():
        assert e["tokencost"] == rows[guid]["tokencost"] == -rows[guid]["amount"]
        assert e["remainingcredits"] == rows[guid]["balanceafter"]
        assert e["tokens"]["total"] == rows[guid]["totaltokens"]
    sessions = {r["messageguid"] for r in history(sim)}
    assert set(rows) <= sessions, "every post-call turn belongs to a session of the call history"
    replays = [e for e in events if e["kind"] == "token_usage_idempotent"]
    assert all(e["summary"]["messageguid"] in rows for e in replays)


def test_an_empty_pool_blocks_the_post_call_turns(sim):
    events = logs(sim, sim.nocredit_agent_guid, lines=5000, date="2026-04-22")["events"] + logs(
        sim, sim.nocredit_agent_guid, lines=5000, date="2026-04-23")["events"]
    blocked = [e for e in events if e["kind"] == "balance_gate_blocked"]
    billed = [e for e in events if e["kind"] == "token_usage"]
    assert len(blocked) == 5 and len(billed) == 15
    assert all(e["ok"] is False and "no remaining credits" in e["error"] for e in blocked)
    assert min(e["ts"] for e in blocked) > max(e["ts"] for e in billed)
    assert ledger(sim, sim.nocredit_agent_guid)["summary"]["remainingcredits"] == 0


def test_logs_are_cached_for_30_simulated_seconds_per_key(sim, clock):
    first = logs(sim)
    with sim.world.lock:
        sim.world.add_call(sim.demo_agent_guid, prep=1.0, duration=500)
    clock.advance(29)
    assert logs(sim) == first
    assert logs(sim, lines=199) != first  # a different key bypasses the cache
    clock.advance(2)
    assert logs(sim) != first


def test_logs_of_an_agent_that_never_ran(sim):
    assert logs(sim, sim.setup_agent_guid) == {"result": False, "errors": [{"code": 0, "message": (
        "Agent is not assigned to a worker. It may not be running.")}]}


def test_added_events_in_both_shapes(sim, older):
    for s in (sim, older):
        with s.world.lock:
            s.world.add_log_event(s.demo_agent_guid, "webhook_rejected", "Twilio webhook refused", ok=False,
                                  error="signature mismatch")
    newest = next(e for e in logs(sim)["events"] if e["kind"] == "webhook_rejected")
    assert newest["error"] == "signature mismatch"
    old = next(e for e in logs(older, lines=5000)["events"] if e["action"] == "webhook_rejected")
    assert old["kind"] == "system" and old["details"]["error"] == "signature mismatch"


# -- TransactionList -----------------------------------------------------------------------------------


def test_transaction_list_shape_and_paging(sim):
    answer = ledger(sim)
    assert answer["total"] == len(ledger(sim, limit=500)["transactions"]) > 30
    assert len(answer["transactions"]) == 50 or answer["total"] < 50
    summary = answer["summary"]
    assert set(summary) == {"monthlycredits", "extracredits", "usedcredits", "remainingcredits", "creditperiod",
                            "creditsyncat", "byModel"}
    rows = ledger(sim, limit=500)["transactions"]
    assert [r["createdat"] for r in rows] == sorted((r["createdat"] for r in rows), reverse=True)
    for row in rows:
        assert {"guid", "type", "action", "amount", "balanceafter", "description", "sessionkey", "agentsessionkey",
                "messageguid", "inputtokens", "outputtokens", "cachereadtokens", "cachewritetokens", "totaltokens",
                "tokencost", "processedms", "model", "provider", "providerref", "metadata", "uuid", "user",
                "createdat"} <= row.keys()
        assert isinstance(row["createdat"], int)
    kinds = {(r["type"], r["action"]) for r in rows}
    assert kinds == {("deduct", "tokens"), ("renewal", "monthly"), ("purchase", "small")}
    assert ledger(sim, limit=3, start=2)["transactions"] == rows[2:5]
    assert len(ledger(sim, limit=9999)["transactions"]) == min(500, len(rows))


def test_the_ledger_agrees_with_myagents_and_detail(sim, clock):
    clock.advance(1800)  # live calls end and their turns are billed
    agents = {a["guid"]: a for a in post(sim, "/UserAgent/MyAgents")["useragents"]}
    for guid in (sim.demo_agent_guid, sim.nocredit_agent_guid, sim.stopped_agent_guid):
        answer = ledger(sim, guid, limit=500)
        summary, rows = answer["summary"], answer["transactions"]
        renewal = next(r for r in rows if r["type"] == "renewal")
        period = [r for r in rows if r["type"] == "deduct" and r["createdat"] >= renewal["createdat"]]
        assert summary["usedcredits"] == sum(r["tokencost"] for r in period) == agents[guid]["usedcredits"]
        assert summary["remainingcredits"] == detail(sim, guid)["remainingcredits"]
        assert sum(m["tokencost"] for m in summary["byModel"]) == summary["usedcredits"]
        assert sum(m["turncount"] for m in summary["byModel"]) == len(period)
        if rows:
            assert rows[0]["balanceafter"] == summary["remainingcredits"]


@pytest.mark.parametrize("path", ["/UserAgent/TransactionList", "/UserAgent/Logs"])
def test_activity_needs_a_guid(sim, path):
    assert refused(sim, path, {}) == (0, "useragentguid is required")


def test_settled_credits_survive_the_trimming_of_old_sessions(sim, clock):
    used = []
    for _ in range(3):  # ~27 h of live calls: more sessions than the simulator keeps (2000)
        clock.advance(9 * 3600)
        used.append(ledger(sim)["summary"]["usedcredits"])
    with sim.world.lock:
        kept = len(sim.world.agents[sim.demo_agent_guid].calls)
    assert kept == 2000
    assert used == sorted(used) and used[-1] >= 2100, "credits spent stay spent; the pool ran dry"
    answer = ledger(sim, limit=500)
    assert answer["summary"]["remainingcredits"] == 0 and answer["total"] > 800
    blocked = [e for e in logs(sim, lines=5000)["events"] if e["kind"] == "balance_gate_blocked"]
    assert blocked, "turns after the pool ran dry are refused"
