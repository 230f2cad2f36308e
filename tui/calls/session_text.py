"""A session's detail as plain text lines, for `wiro-voice session ID`."""

from __future__ import annotations

from datetime import datetime

from ..common.text import plural, printable
from .catalog import Explanation, age_text, duration_text
from .rows import LocalTime
from .session import SessionView


def _when(ms: int | None, local: LocalTime) -> str:
    if ms is None:
        return ""
    try:
        return f"{local(ms / 1000):%Y-%m-%d %H:%M:%S}"
    except (OverflowError, OSError, ValueError):
        return "?"


def _named(explanation: Explanation) -> str:
    # The API's own word next to ours, so it can be searched for in Wiro's docs and logs.
    raw = printable(explanation.raw)
    return f"{explanation.label} ({raw})" if raw and raw != explanation.label else explanation.label


def _explained(name: str, explanation: Explanation, advice_name: str) -> list[str]:
    lines = [f"{name}: {_named(explanation)} — {explanation.meaning}"]
    if explanation.advice:
        lines.append(f"{advice_name}: {explanation.advice}")
    return lines


def render_session(view: SessionView, now_ms: int | None = None, local: LocalTime = datetime.fromtimestamp) -> list[str]:
    """What happened in the session, why, and what to do, then who called, when, the transcript and
    every other detail. Texts in `view` are printable already."""
    lines = [f"session {view.guid} ({view.channel_label})"]
    if view.end_reason is not None or view.rejection is not None:
        # The reason's advice is the one that matters; the status's would only point at it.
        lines.append(f"status: {_named(view.status)} — {view.status.meaning}")
    else:
        lines += _explained("status", view.status, "  what to do")
    if view.end_reason is not None:
        lines += _explained("end reason", view.end_reason, "  what to do")
    if view.rejection is not None:
        lines += _explained("rejected because", view.rejection, "  what to do")
    lines.append("")
    if view.call_sid:
        lines.append(f"call SID: {view.call_sid}")
    lines.append(f"caller: {view.caller}")
    if view.channel == "web" and view.display_identifier and view.page_url:
        lines.append(f"page: {view.page_url}")  # the caller line showed the identifier
    if view.caller_profile:
        lines.append(f"caller profile: {view.caller_profile}")
    if view.model:
        lines.append(f"model: {view.model}")
    if view.started_ms is not None:
        age = f" ({age_text(view.started_ms, now_ms)})" if now_ms is not None else ""
        lines.append(f"started: {_when(view.started_ms, local)}{age}")
    if view.ended_ms is not None:
        lines.append(f"ended: {_when(view.ended_ms, local)}")
    if view.duration_seconds is not None:
        so_far = " so far" if view.in_progress else ""
        lines.append(f"duration: {duration_text(view.duration_seconds)}{so_far}")
    if view.content:
        lines.append(f"content: {view.content}")
    if view.summary:
        lines.append(f"summary: {view.summary}")
    if view.transcript:
        lines += ["", f"transcript ({plural(len(view.transcript), 'turn')}):"]
        for turn in view.transcript:
            at = f"{turn.at_seconds:6.1f}s  " if turn.at_seconds is not None else ""
            who = f"{turn.role}: " if turn.role else ""
            lines.append(f"  {at}{who}{turn.text}")
    if view.other:
        lines += ["", "other details:"]
        lines += [f"  {path}: {text}" for path, text in view.other]
    return lines
