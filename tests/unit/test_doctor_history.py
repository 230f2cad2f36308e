"""The doctor's checks from the joined history: the whitelist turning callers away, calls that never reached
Wiro in the last hour, calls far dearer than the median; the advice for one missed call; and the whole
doctor over the simulator with a history."""

from __future__ import annotations

import io
import json

from tests.unit.test_doctor_diagnose import NOW, agent, evidence
from tui.cli.doctor import run_doctor
from tui.doctor.checks_history import check_history, missed_call_advice
from tui.doctor.diagnose import diagnose
from tui.doctor.evidence import skipped
from tui.history.join import join
from tui.history.keeper import History
from tui.history.records import RoutingSnapshot, TwilioCall, WiroSession
from tui.twilio import classify
from tui.wiro import WiroClient

T = int(NOW * 1000)
MIN = 60_000
NUMBER = "+14155550142"


def twilio(n: int, status: str = "completed", *, minutes_ago: int = 120, duration: int | None = 60,
           price: int | None = -10_000, caller: str = "+447700900123") -> TwilioCall:
    return TwilioCall(f"CA{n:032x}", T - minutes_ago * MIN, NUMBER, caller, status, "inbound", None, duration, price,
                      "USD", "GB")


def wiro(n: int, *, minutes_ago: int = 120, duration: int = 55) -> WiroSession:
    return WiroSession(f"g-{n}", T - minutes_ago * MIN + 2000, "agent", f"CA{n:032x}", "twilio", "+44", "GB",
                       status="realtime_session", end_reason="twilio_disconnect", duration_s=duration)


def ids(findings) -> list[str]:
    return [f.id for f in findings]


def test_callers_refused_by_the_whitelist_are_named_with_the_fix():
    calls = join([twilio(1, "busy", duration=0, caller="+16465550999"), twilio(2, "completed", duration=2,
                                                                                 caller="+16465550998")], [])
    ev = evidence(agent=agent(whitelistedcallers=["+16465550111"]), history_calls=tuple(calls))
    (finding,) = check_history(ev)
    assert finding.id == "history.whitelist_refused" and finding.severity == "warning"
    assert finding.title == "2 calls in the last day got busy: the whitelist turned the caller away"
    assert "+16465550999" in finding.detail and "+16465550998" in finding.detail and "1 entry" in finding.detail
    assert finding.fix.startswith("Add +16465550999 (and 16465550999) to the credential's whitelisted callers")
    ev = evidence(history_calls=tuple(calls))  # an empty whitelist: something else turned them away
    (finding,) = check_history(ev)
    assert finding.id == "history.refused_without_whitelist" and "not running" in finding.fix


def test_calls_that_never_reached_wiro_in_the_last_hour_are_an_error():
    calls = join([twilio(1, "no-answer", minutes_ago=10, duration=0), twilio(2, "completed", minutes_ago=20),
                  twilio(3, "no-answer", minutes_ago=90), twilio(4, "canceled", minutes_ago=5),
                  twilio(5, "ringing", minutes_ago=1, duration=None), twilio(6, minutes_ago=30)],
                 [wiro(6, minutes_ago=30)])
    (finding,) = check_history(evidence(history_calls=tuple(calls)))
    assert finding.id == "history.missed_last_hour" and finding.severity == "error"
    assert finding.title == "2 calls in the last hour never reached Wiro"  # not the older one, nor canceled/ringing
    assert "1 not answered; 1 no Wiro session" in finding.detail or "1 no Wiro session; 1 not answered" in finding.detail
    assert finding.fix


def test_routed_elsewhere_gets_the_routing_fix():
    routing = [RoutingSnapshot(NUMBER, "twiml_app", T - 200 * MIN)]
    (call,) = join([twilio(1, minutes_ago=10, duration=30)], [], routing=routing)
    (finding,) = check_history(evidence(history_calls=(call,)))
    assert "routed elsewhere" in finding.detail and finding.fix == classify.FLIP_TO_WEBHOOK
    assert missed_call_advice(call) == classify.FLIP_TO_WEBHOOK
    absent = join([twilio(2, minutes_ago=10)], [], routing=[RoutingSnapshot(NUMBER, "not_on_account", T - MIN * 300)])
    assert missed_call_advice(absent[0]) == classify.BUY_OR_IMPORT


def test_calls_far_dearer_than_the_median_held_to_the_limit():
    calls = [twilio(n, price=-10_000) for n in range(6)] + [twilio(9, price=-80_000, duration=600)]
    sessions = [wiro(n) for n in range(6)] + [wiro(9, duration=598)]
    (finding,) = check_history(evidence(history_calls=tuple(join(calls, sessions))))
    assert finding.id == "history.price_outliers" and finding.title.endswith("(held to the time limit)")
    assert "$0.0100" in finding.detail and "$0.0800" in finding.detail and "600 s limit" in finding.detail
    assert "maxcallseconds" in finding.fix
    few = join(calls[:3] + calls[-1:], sessions)  # too few calls for a median to mean much
    assert check_history(evidence(history_calls=tuple(few))) == []


def test_without_the_history_the_checks_are_skipped_with_the_reason():
    ev = evidence(history_error="Twilio's call log is needed to see calls that never reached Wiro: set X")
    assert check_history(ev) == []
    assert any(s.area == "missed calls" for s in skipped(ev))
    assert "skipped.missed_calls" in ids(diagnose(ev))
    assert check_history(evidence()) == [] and not any(s.area == "missed calls" for s in skipped(evidence()))


async def test_the_doctor_over_the_simulator_reads_the_history(sim, sim_settings, tmp_path):
    history = History(tmp_path / "history.sqlite3", clock=sim.now)
    out, err = io.StringIO(), io.StringIO()
    async with WiroClient(sim.api_key, base_url=sim.wiro_base) as client:
        await run_doctor(client, sim.demo_agent_guid, sim_settings.with_(agent=sim.demo_agent_guid), demo=sim,
                         as_json=True, out=out, err=err, now=sim.now, history=history)
    doc = json.loads(out.getvalue())
    assert "Twilio's call log" in err.getvalue()
    assert not any(s["area"] == "missed calls" for s in doc["skipped"])
    counts = history.read(lambda s: s.counts()).value
    assert counts["twilio_calls"] > 0 and counts["routing"] >= 4
    missed = [f for f in doc["findings"] if f["id"] == "history.missed_last_hour"]
    calls = history.read(lambda s: s.records()).value[0]
    recent_unanswered = [c for c in calls if c.status in ("no-answer", "failed") and c.start_ms >= T - 60 * MIN]
    assert recent_unanswered and missed  # the demo world has calls nobody answered in the last hour
    assert int(missed[0]["title"].split()[0]) >= len(recent_unanswered)
    history.close()
