"""The Doctor's pure half: findings, their order, and checks over Evidence built by hand (no network)."""

from __future__ import annotations

import pytest

from tui.doctor.diagnose import diagnose
from tui.doctor.evidence import Evidence, HoldFile, skipped
from tui.doctor.findings import Finding, count_text, healthy, ordered, to_document
from tui.doctor.gather import SKIP_TWILIO
from tui.hold.probe import AudioInfo
from tui.wiro.models import Agent, CallSession, LogEvent

NOW = 1_777_000_000.0
GUID = "3f2c9a1e-5b7d-4c8e-9f01-23456789abcd"


def agent(status: int = 4, **cred) -> Agent:
    credential = {"accountsid": "AC" + "a" * 32, "authtoken": "***encrypted***", "phonenumbers": ["+14155550142"],
                  "maxcallseconds": 600, "whitelistedcallers": [], "holdstrategy": "none", **cred}
    parsed = Agent.parse({"guid": GUID, "title": "Front Desk", "status": status,
                          "configuration": {"credentials": {"twilio-voice": credential}}})
    assert parsed is not None
    return parsed


def session(n: int, status: str = "realtime_session", *, started: float, end_reason: str | None = "wiro_completed",
            duration: int | None = 60) -> CallSession:
    parsed = CallSession.parse({
        "messageguid": f"m-{n}", "channel": "twilio", "status": status, "endReason": end_reason,
        "durationSeconds": duration, "startedAt": int(started * 1000),
        "endedAt": int((started + duration) * 1000) if duration is not None else None})
    assert parsed is not None
    return parsed


def evidence(**changes) -> Evidence:
    base = {"guid": GUID, "taken_at": NOW, "agent": agent(), "sessions": (), "logs": (),
            "twilio_skipped": SKIP_TWILIO}
    base.update(changes)
    return Evidence(**base)


def test_a_finding_refuses_an_unknown_severity():
    with pytest.raises(ValueError, match="severity"):
        Finding("x", "fatal", "t", "d")  # type: ignore[arg-type]


def test_order_is_errors_then_warnings_then_notes_keeping_each_checks_order():
    found = [Finding("a", "info", "a", ""), Finding("b", "warning", "b", ""), Finding("c", "error", "c", ""),
             Finding("d", "warning", "d", ""), Finding("e", "error", "e", "")]
    assert [f.id for f in ordered(found)] == ["c", "e", "b", "d", "a"]
    assert count_text(found) == "2 errors, 2 warnings, 1 note"
    assert count_text([]) == "nothing found"
    assert healthy([Finding("a", "info", "a", "")]) and not healthy(found)
    doc = to_document(ordered(found), healthy=False)
    assert set(doc["findings"][0]) == {"id", "severity", "title", "detail", "fix"} and doc["healthy"] is False


def test_an_unreadable_agent_gives_one_error_and_nothing_else():
    found = diagnose(Evidence(GUID, NOW, agent_error="Could not read the agent from Wiro: 503"))
    assert [(f.id, f.severity) for f in found] == [("agent.unreadable", "error")]
    assert "503" in found[0].detail
    assert [s.area for s in skipped(Evidence(GUID, NOW, agent_error="x"))] == ["everything"]


def test_a_clean_agent_has_notes_only():
    found = diagnose(evidence())
    assert healthy(found)
    assert [f.id for f in found] == ["calls.none", "webhooks.no_report", "skipped.twilio_routing"]
    assert found[-1].detail.startswith("Skipped: set TWILIO_ACCOUNT_SID/TWILIO_AUTH_TOKEN")
    assert "TWILIO_AUTH_TOKEN" in found[-1].fix


@pytest.mark.parametrize(("status", "expected", "severity"), [
    (0, "agent.stopped", "error"), (5, "agent.error", "error"), (6, "agent.setup_required", "error"),
    (1, "agent.stopping", "warning"), (2, "agent.starting", "warning"), (3, "agent.starting", "warning"),
    (9, "agent.status_unknown", "warning"),
])
def test_every_status_but_running_is_a_finding(status, expected, severity):
    found = diagnose(evidence(agent=agent(status)))
    assert found[0].id == expected and found[0].severity == severity
    assert found[0].fix


def test_a_stuck_session_leads_and_quotes_the_log_around_it():
    stuck = session(1, "realtime_session_incoming", started=NOW - 300, end_reason=None, duration=None)
    fresh = session(2, "realtime_session_incoming", started=NOW - 5, end_reason=None, duration=None)
    log = LogEvent.parse({"ts": "2026-04-24T03:02:16Z", "kind": "tool_completed", "title": "Realtime did not start",
                          "ok": False, "error": "realtime_stream_timeout: no audio"})
    found = diagnose(evidence(sessions=(fresh, stuck), logs=(log,)))
    top = found[0]
    assert top.id == "calls.stuck_incoming" and top.severity == "error"
    assert top.title.startswith("1 call stuck on hold")  # the 5-second-old one is still preparing
    assert "hold music forever" in top.detail and "realtime_stream_timeout: no audio" in top.detail


def test_a_few_max_duration_ends_are_a_note_many_are_a_warning():
    ok = [session(i, started=NOW - 9000 + i * 100) for i in range(20)]
    one = [session(99, started=NOW - 500, end_reason="max_duration", duration=600)]
    found = {f.id: f for f in diagnose(evidence(sessions=tuple(ok + one)))}
    assert found["calls.max_duration"].severity == "info"
    three = [session(90 + i, started=NOW - 5000 + i, end_reason="max_duration", duration=600) for i in range(3)]
    found = {f.id: f for f in diagnose(evidence(sessions=tuple(ok + three)))}
    assert found["calls.max_duration"].severity == "warning"
    assert "3 of the last 23 ended calls" in found["calls.max_duration"].title
    assert "maxcallseconds" in found["calls.max_duration"].fix


def test_rejections_are_grouped_by_the_reason_read_from_their_detail():
    rejected = [session(i, "realtime_session_rejected", started=NOW - 1000 + i, end_reason=None, duration=None)
                for i in range(4)]
    reasons = {"m-0": "concurrent_limit", "m-1": "concurrent_limit", "m-2": "agent_prep_timeout"}
    found = {f.id: f for f in diagnose(evidence(sessions=tuple(rejected), rejections=reasons))}
    assert found["calls.rejected.concurrent_limit"].title.startswith("2 calls rejected")
    assert found["calls.rejected.agent_prep_timeout"].title.startswith("1 call rejected")
    assert found["calls.rejected.unread"].title.startswith("1 call rejected (reason not read)")
    assert "plan" in found["calls.rejected.concurrent_limit"].fix


def test_hold_files_missing_stereo_too_big_and_too_long():
    stereo = AudioInfo("wav", "pcm_s16le", 1000, 2, 8000, 40.0, 16)
    long_greeting = AudioInfo("wav", "pcm_s16le", 1000, 1, 8000, 25.0, 16)
    hold = (HoldFile("holdmusic", "cdn/…/music.wav", stereo),
            HoldFile("holdaudio", "cdn/…/hello.wav", long_greeting))
    found = {f.id: f for f in diagnose(evidence(agent=agent(holdstrategy="audio_then_music"), hold=hold))}
    assert found["hold.stereo:holdmusic"].severity == "error" and "mono" in found["hold.stereo:holdmusic"].detail
    assert found["hold.too_long:holdaudio"].severity == "warning"
    gone = (HoldFile("holdmusic", "cdn/…/music.wav", problem="cdn/…/music.wav answered 404 Not Found",
                     problem_kind="download"),
            HoldFile("holdaudio", "cdn/…/hello.wav", problem="cdn/…/hello.wav is 12.0 MB", problem_kind="too_big"))
    found = {f.id: f for f in diagnose(evidence(agent=agent(holdstrategy="audio_then_music"), hold=gone))}
    assert found["hold.missing:holdmusic"].severity == "error" and "404" in found["hold.missing:holdmusic"].detail
    assert found["hold.too_big:holdaudio"].severity == "error"


def test_a_long_hold_text_is_told_once():
    text = ("Thank you for calling Bosphorus Dental, the friendliest dental clinic by the ferry pier in Karaköy; "
            "please stay on the line while we connect you to our assistant, who can book, move or cancel visits.")
    found = diagnose(evidence(agent=agent(holdstrategy="text", holdtext=text, holdvoice="Polly.Joanna-Neural")))
    about_length = [f for f in found if "spoken" in f.detail.lower() or f.id == "hold.text_long"]
    assert [f.id for f in about_length] == ["hold.text_long"]


def test_the_whitelist_is_on_and_one_form_entries_are_named_with_the_missing_form():
    found = {f.id: f for f in diagnose(evidence(agent=agent(whitelistedcallers=["+14155550117", "6465550111",
                                                                                 "+16465550111"])))}
    assert found["whitelist.on"].severity == "warning" and "3 listed callers" in found["whitelist.on"].title
    one = found["whitelist.one_form:+14155550117"]
    assert "4155550117" in one.fix and "busy" in one.detail
    assert "whitelist.one_form:+16465550111" not in found  # both forms listed
    assert not any(f.id.startswith("credential.whitelistedcallers") for f in found.values())
