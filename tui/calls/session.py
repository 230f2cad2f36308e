"""One session's Message/Detail, read into what a person needs: what happened, why, and what to do.

Message/Detail's metadata is only partly documented (`type` mirrors the history status, rejected
sessions carry `reason`), so every field is looked up tolerantly, filled from the history row when
one is at hand, and every metadata key this module does not interpret is kept, flattened to
"path: value" lines, rather than dropped. All text is made printable here, once.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Iterator, Mapping

from ..common.coerce import as_dict, as_float, as_int, as_str
from ..common.text import printable
from ..wiro.models import CallSession, MessageDetail
from .catalog import (
    Explanation,
    caller_text,
    channel_label,
    explain_end_reason,
    explain_rejection,
    explain_status,
    is_in_progress,
    is_withheld,
    live_duration,
    status_group,
)

#: Metadata keys read into named fields (and so not repeated among the "other" details).
_STATUS_KEYS = ("type", "status")
_CHANNEL_KEYS = ("channel",)
_SID_KEYS = ("callSid", "callsid", "call_sid")
_CALLER_KEYS = ("callerInfo", "caller_info")
_PROFILE_KEYS = ("callerProfile", "caller_profile")
_MODEL_KEYS = ("model", "modelSlug", "model_slug")
_END_KEYS = ("endReason", "end_reason")
_DURATION_KEYS = ("durationSeconds", "duration_seconds", "duration")
_TRANSCRIPT_KEYS = ("transcript", "turns")

#: Flattening stops this deep and this long: the rest is shown as compact JSON / left out with a note.
_MAX_DEPTH = 6
_MAX_DETAILS = 400


@dataclass(frozen=True, slots=True)
class Turn:
    """One transcript line: who spoke ("agent", "caller", or as sent), what, and when (seconds into the session)."""

    role: str
    text: str
    at_seconds: float | None = None


@dataclass(frozen=True, slots=True)
class SessionView:
    """A session's detail, ready to show. Text fields are printable ("" when unknown).

    `end_reason` is set only for ended sessions, `rejection` only for rejected ones. `other` holds
    every metadata key not read into a field, as (dotted path, value text) pairs in the server's order.
    """

    guid: str
    channel: str | None
    channel_label: str
    call_sid: str
    caller: str
    caller_number: str
    caller_country: str
    caller_withheld: bool
    page_url: str
    display_identifier: str
    caller_profile: str
    status: Explanation
    group: str
    end_reason: Explanation | None
    rejection: Explanation | None
    started_ms: int | None
    ended_ms: int | None
    duration_seconds: int | None
    in_progress: bool
    model: str
    transcript: tuple[Turn, ...]
    content: str
    summary: str
    other: tuple[tuple[str, str], ...]


def _first_key(mapping: Mapping[str, Any], keys: tuple[str, ...]) -> str | None:
    """The first of `keys` that `mapping` holds a non-empty value for."""
    for key in keys:
        if mapping.get(key) not in (None, ""):
            return key
    return None


def _first(mapping: Mapping[str, Any], keys: tuple[str, ...]) -> Any:
    key = _first_key(mapping, keys)
    return None if key is None else mapping[key]


def _channel_from_sid(sid: str | None) -> str | None:
    if not sid:
        return None
    if sid.startswith("CA"):
        return "twilio"
    if sid.startswith("voice-call-"):
        return "web"
    return None


def session_view(detail: MessageDetail, row: CallSession | None = None, now_ms: int | None = None) -> SessionView:
    """Read `detail` (Message/Detail) into a `SessionView`. `row` (the session's history row, if known)
    fills what the metadata lacks; `now_ms` lets a session in progress show how long it has lasted."""
    meta = dict(detail.metadata)
    used: set[str] = set()

    def take(keys: tuple[str, ...]) -> Any:
        # The key read counts as shown, and so do empty spellings of it (a null callerProfile is
        # "no profile", said by the field); a second, different spelling stays among the details.
        used.update(k for k in keys if k in meta and meta[k] in (None, ""))
        key = _first_key(meta, keys)
        if key is None:
            return None
        used.add(key)
        return meta[key]

    status = as_str(take(_STATUS_KEYS)) or (row.status if row else None)
    group = status_group(status)
    sid = as_str(take(_SID_KEYS)) or (row.callsid if row else None)
    channel = as_str(take(_CHANNEL_KEYS)) or (row.channel if row else None) or _channel_from_sid(sid)
    info = as_dict(take(_CALLER_KEYS))
    profile = as_str(take(_PROFILE_KEYS)) or (row.caller_profile if row else None)
    model = as_str(take(_MODEL_KEYS)) or (row.model_slug if row else None)
    end_reason = as_str(take(_END_KEYS)) or (row.end_reason if row else None)
    meta_duration = as_int(take(_DURATION_KEYS))
    transcript = take(_TRANSCRIPT_KEYS)
    reason = None
    if group == "rejected":
        reason = as_str(meta.get("reason"))
        used.add("reason")

    caller = CallSession(
        messageguid=detail.guid or (row.messageguid if row else ""),
        channel=channel,
        caller_number=as_str(info.get("number")) or (row.caller_number if row else None),
        caller_country=as_str(info.get("country")) or (row.caller_country if row else None),
        page_url=as_str(info.get("page_url")) or (row.page_url if row else None),
        display_identifier=as_str(info.get("display_identifier")) or (row.display_identifier if row else None),
    )
    # The history row has millisecond times; Detail has unix seconds. Prefer the finer one.
    started_ms = row.started_at_ms if row and row.started_at_ms is not None else _ms(detail.started_at or detail.created_at)
    ended_ms = row.ended_at_ms if row and row.ended_at_ms is not None else _ms(detail.ended_at)
    timing = CallSession(messageguid="", status=status, duration_seconds=meta_duration if meta_duration is not None
                         else (row.duration_seconds if row else None), started_at_ms=started_ms, ended_at_ms=ended_ms)
    if is_in_progress(status) and now_ms is None:
        duration = None  # growing, and without a "now" there is no honest figure
    else:
        duration = live_duration(timing, now_ms or 0)
    # Other keys the caller info carried (e.g. a CRM id) belong with the other details too.
    extra_info = {k: v for k, v in info.items() if k not in ("number", "country", "page_url", "display_identifier")}
    other = list(_flatten({k: v for k, v in meta.items() if k not in used}))
    if extra_info:
        other.extend(_flatten(extra_info, "callerInfo"))
    if len(other) > _MAX_DETAILS:
        other = other[:_MAX_DETAILS] + [("…", f"{len(other) - _MAX_DETAILS} more details not shown")]

    return SessionView(
        guid=printable(caller.messageguid),
        channel=channel,
        channel_label=channel_label(channel),
        call_sid=printable(sid),
        caller=caller_text(caller),
        caller_number=printable(caller.caller_number),
        caller_country=printable(caller.caller_country),
        caller_withheld=channel != "web" and is_withheld(caller.caller_number),
        page_url=printable(caller.page_url),
        display_identifier=printable(caller.display_identifier),
        caller_profile=printable(profile),
        status=explain_status(status),
        group=group,
        end_reason=explain_end_reason(end_reason) if group == "ended" else None,
        rejection=explain_rejection(reason) if group == "rejected" else None,
        started_ms=started_ms,
        ended_ms=ended_ms,
        duration_seconds=duration,
        in_progress=is_in_progress(status),
        model=printable(model),
        transcript=tuple(_turns(transcript)),
        content=printable(detail.content),
        summary=printable(detail.response),
        other=tuple(other),
    )


def _ms(seconds: int | None) -> int | None:
    return None if seconds is None else seconds * 1000


def _turns(value: Any) -> Iterator[Turn]:
    """Transcript lines from whatever shape arrives: dicts with a role and a text, or plain strings."""
    if not isinstance(value, list):
        return
    for item in value:
        if isinstance(item, str):
            yield Turn("", printable(item))
        elif isinstance(item, dict):
            role = as_str(_first(item, ("role", "speaker", "from", "who"))) or ""
            text = _first(item, ("text", "content", "message", "transcript"))
            at_seconds = as_float(_first(item, ("t", "time", "offset", "at", "seconds")))
            shown = text if isinstance(text, str) else json.dumps(item, ensure_ascii=False, default=str)
            yield Turn(printable(role), printable(shown), at_seconds)


def _scalar(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return printable(value)
    return printable(json.dumps(value, ensure_ascii=False, default=str))


def _flatten(value: Any, path: str = "", depth: int = 0) -> Iterator[tuple[str, str]]:
    """(dotted path, text) for every leaf of `value`; lists of plain values join into one line."""
    if depth > _MAX_DEPTH and isinstance(value, (dict, list)):
        yield printable(path), _scalar(value)
    elif isinstance(value, dict):
        if not value and path:
            yield path, "{}"
        for key, item in value.items():
            yield from _flatten(item, f"{path}.{key}" if path else str(key), depth + 1)
    elif isinstance(value, list):
        if all(not isinstance(v, (dict, list)) for v in value):
            yield printable(path), ", ".join(_scalar(v) for v in value) if value else "[]"
        else:
            for i, item in enumerate(value):
                yield from _flatten(item, f"{path}[{i}]", depth + 1)
    else:
        yield printable(path), _scalar(value)
