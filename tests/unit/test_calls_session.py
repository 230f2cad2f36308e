"""A session's Message/Detail read into words: reasons and advice, transcript, every other key kept."""

from __future__ import annotations

from tui.calls.session import session_view
from tui.calls.session_text import render_session
from tui.wiro import WiroClient
from tui.wiro.models import CallSession, MessageDetail


async def details(sim, predicate):
    async with WiroClient(sim.api_key, base_url=sim.wiro_base) as client:
        sessions = await client.call_history(sim.demo_agent_guid, 200)
        row = next(s for s in sessions if predicate(s))
        return row, await client.message_detail(messageguid=row.messageguid)


async def test_a_rejected_session_explains_its_reason(sim):
    row, detail = await details(sim, lambda s: s.status == "realtime_session_rejected")
    view = session_view(detail, None, int(sim.now() * 1000))
    assert view.group == "rejected" and view.end_reason is None
    assert view.rejection.raw == detail.metadata["reason"] and view.rejection.known
    assert view.rejection.advice and view.call_sid == row.callsid and view.duration_seconds is None
    text = "\n".join(render_session(view))
    assert view.rejection.label in text and view.rejection.advice in text and detail.metadata["reason"] in text


async def test_an_ended_session_has_its_end_reason_times_transcript_and_other_keys(sim):
    row, detail = await details(sim, lambda s: s.end_reason == "max_duration")
    view = session_view(detail, row)
    assert view.end_reason.raw == "max_duration" and "maxcallseconds" in view.end_reason.advice
    assert view.duration_seconds == 600 and view.started_ms == row.started_at_ms and view.ended_ms == row.ended_at_ms
    assert view.caller == f"{row.caller_number} ({row.caller_country})" and view.model == row.model_slug
    assert view.caller_profile and view.transcript and all(t.role in ("agent", "caller") for t in view.transcript)
    paths = dict(view.other)
    assert paths["holdStrategy"] == "text_then_music" and paths["prep.tools"] == "hubspot.lookup_contact, calendar.freebusy"
    assert "usage.audioInputSeconds" in paths and "twilio.to" in paths
    assert not {"type", "transcript", "callSid", "endReason", "model"} & set(paths)  # shown in their own fields
    lines = render_session(view)
    assert any(line.startswith("end reason: hit the time limit (max_duration)") for line in lines)
    assert "transcript" in "\n".join(lines) and "other details:" in lines


async def test_a_session_in_progress_counts_its_duration_so_far(sim, clock):
    with sim.world.lock:
        call = sim.world.add_call(sim.demo_agent_guid, prep=2.0, duration=300)
    clock.advance(30)
    async with WiroClient(sim.api_key, base_url=sim.wiro_base) as client:
        detail = await client.message_detail(messageguid=call.guid)
    view = session_view(detail, None, int(sim.now() * 1000))
    assert view.in_progress and view.group == "active" and view.duration_seconds == 30 and view.end_reason is None
    assert "duration: 30s so far" in render_session(view)
    assert session_view(detail).duration_seconds is None  # no "now", no honest figure


def test_an_undocumented_detail_shape_is_read_tolerantly_and_nothing_is_dropped():
    detail = MessageDetail.parse({
        "guid": "g-1", "status": "completed", "startedat": "1777000000", "endedat": "1777000090",
        "metadata": {
            "type": "realtime_session", "end_reason": "wiro_error", "callsid": "CA" + "0" * 32,
            "callerInfo": {"number": "+266696687", "crmId": 42},
            "turns": ["hello", {"speaker": "caller", "content": "hi\x1b[2J", "time": "3.5"}, {"odd": True}],
            "deep": {"a": {"b": {"c": {"d": {"e": {"f": {"g": {"h": 1}}}}}}}},
            "flags": [], "empty": {}, "items": [{"x": 1}, {"x": None}], "callerProfile": None,
        },
    })
    view = session_view(detail)
    assert view.channel == "twilio" and view.caller == "withheld" and view.caller_withheld
    assert view.end_reason.raw == "wiro_error" and view.duration_seconds == 90
    assert [t.text for t in view.transcript] == ["hello", "hi [2J", '{"odd": true}']
    assert view.transcript[1].role == "caller" and view.transcript[1].at_seconds == 3.5
    paths = dict(view.other)
    assert paths["callerInfo.crmId"] == "42" and paths["flags"] == "[]" and paths["empty"] == "{}"
    assert paths["items[1].x"] == "null" and "callerProfile" not in paths
    assert any(p.startswith("deep.a.b.c.d.e") and "h" in v for p, v in view.other)
    assert all(p.isprintable() and v.isprintable() for p, v in view.other)
    assert all(line.isprintable() for line in render_session(view))


def test_the_history_row_fills_what_the_detail_lacks():
    detail = MessageDetail.parse({"guid": "g-2", "metadata": {}})
    row = CallSession.parse({"messageguid": "g-2", "channel": "web", "status": "realtime_session",
                             "endReason": "browser_disconnect", "durationSeconds": 12, "modelSlug": "m",
                             "callerInfo": {"page_url": "https://x.example"}, "startedAt": 1_777_000_000_000})
    view = session_view(detail, row)
    assert view.end_reason.label == "browser closed" and view.duration_seconds == 12 and view.caller == "https://x.example"
    bare = session_view(detail)
    assert bare.status.label == "unknown" and bare.end_reason is None and bare.rejection is None
    assert render_session(bare)[0] == "session g-2 (unknown)"
