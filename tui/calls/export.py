"""Call sessions out to files: the JSON document of `wiro-voice calls --json`, and CSV for spreadsheets."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import tempfile
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterable

from ..wiro.models import CallSession
from .catalog import channel_label, end_reason_label, is_withheld, status_label

FORMATS = ("csv", "json")

#: CSV header, in column order. Caller info is flattened; times come as the API's epoch ms and as
#: ISO 8601 UTC for people. The agenttoken is left out: it is a handle for the API, not for a sheet.
CSV_FIELDS: tuple[str, ...] = (
    "messageguid", "channel", "channelLabel", "callsid", "callerNumber", "callerCountry", "callerWithheld",
    "pageUrl", "displayIdentifier", "callerProfile", "status", "statusLabel", "endReason", "endReasonLabel",
    "durationSeconds", "modelSlug", "startedAt", "endedAt", "startedUtc", "endedUtc",
)


class ExportError(Exception):
    """The export file could not be written; the message says where and why."""


def session_document(session: CallSession) -> dict[str, Any]:
    """The session as the API sent it, plus "statusLabel" and "endReasonLabel" (the `calls --json` row)."""
    row = dict(session.raw) if session.raw else _rebuilt_row(session)
    row["statusLabel"] = status_label(session.status)
    row["endReasonLabel"] = end_reason_label(session.end_reason)
    return row


def _rebuilt_row(session: CallSession) -> dict[str, Any]:
    # Sessions built in code (not parsed) have no raw row: give the documented fields back.
    caller: dict[str, Any] = {}
    if session.channel == "web":
        caller["page_url"] = session.page_url
        if session.display_identifier is not None:
            caller["display_identifier"] = session.display_identifier
    else:
        caller = {"number": session.caller_number, "country": session.caller_country}
    return {
        "messageguid": session.messageguid, "agenttoken": session.agenttoken, "channel": session.channel,
        "callsid": session.callsid, "callerInfo": caller, "callerProfile": session.caller_profile,
        "status": session.status, "endReason": session.end_reason, "durationSeconds": session.duration_seconds,
        "modelSlug": session.model_slug, "startedAt": session.started_at_ms, "endedAt": session.ended_at_ms,
    }


def to_json(sessions: Iterable[CallSession]) -> str:
    """`{"sessions": [row + statusLabel + endReasonLabel, …]}`, indented, with a trailing newline."""
    document = {"sessions": [session_document(s) for s in sessions]}
    return json.dumps(document, indent=2, ensure_ascii=False, default=str) + "\n"


def _utc(ms: int | None) -> str:
    if ms is None:
        return ""
    try:
        return datetime.fromtimestamp(ms / 1000, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    except (OverflowError, OSError, ValueError):
        return ""


# A value a spreadsheet would run as a formula. Phone numbers (+14155551234) and negative numbers
# are left alone; other text starting like a formula gets a leading apostrophe, the usual defence.
_FORMULA_START = re.compile(r"^[=@\t\r]|^[+-](?![\d\s().-]*$)")


def _cell(value: Any) -> str:
    if value is None:
        return ""
    text = value if isinstance(value, str) else str(value)
    return "'" + text if _FORMULA_START.match(text) else text


def _csv_row(session: CallSession) -> list[str]:
    web = session.channel == "web"
    withheld = "" if web else ("yes" if is_withheld(session.caller_number) else "no")
    values = (
        session.messageguid, session.channel, channel_label(session.channel), session.callsid,
        session.caller_number, session.caller_country, withheld, session.page_url, session.display_identifier,
        session.caller_profile, session.status, status_label(session.status), session.end_reason,
        end_reason_label(session.end_reason), session.duration_seconds, session.model_slug,
        session.started_at_ms, session.ended_at_ms, _utc(session.started_at_ms), _utc(session.ended_at_ms),
    )
    return [_cell(v) for v in values]


def to_csv(sessions: Iterable[CallSession]) -> str:
    """A header row and one row per session, RFC 4180 (quoted where needed, CRLF line ends)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(CSV_FIELDS)
    writer.writerows(_csv_row(s) for s in sessions)
    return buffer.getvalue()


def export_folder(configured: str | os.PathLike[str] | None, config_path: str | os.PathLike[str],
                  home: str | os.PathLike[str] | None = None) -> Path:
    """Where exports go: the folder the user configured (`export_dir`), else their Downloads folder when there
    is one, else `exports/` beside the config file. Nothing is created here (`write_export` does that)."""
    if configured:
        return Path(configured).expanduser()
    downloads = (Path(home) if home is not None else Path.home()) / "Downloads"
    if downloads.is_dir():
        return downloads
    return Path(config_path).expanduser().parent / "exports"


def export_name(fmt: str, now: datetime) -> str:
    """`wiro-voice-calls-YYYYmmdd-HHMMSS.csv|json` for the local time `now`."""
    return f"wiro-voice-calls-{now:%Y%m%d-%H%M%S}.{fmt}"


def write_export(sessions: Iterable[CallSession], directory: str | os.PathLike[str], fmt: str,
                 now: datetime | float) -> Path:
    """Write the sessions as `fmt` ("csv" or "json") into `directory` (created if missing) and return
    the file's path. `now` is a datetime or epoch seconds (local time names the file); a second export
    in the same second gets a "-2", "-3"… suffix rather than replacing the first. The file appears
    whole or not at all (written beside it, then renamed) and is readable by its owner only, since it
    holds callers' numbers. ValueError for an unknown format, ExportError when the disk refuses."""
    if fmt not in FORMATS:
        raise ValueError(f"export format must be csv or json, not {fmt!r}")
    when = now if isinstance(now, datetime) else datetime.fromtimestamp(now)
    text = to_csv(sessions) if fmt == "csv" else to_json(sessions)
    folder = Path(directory).expanduser()
    tmp_name: str | None = None
    try:
        folder.mkdir(parents=True, exist_ok=True)
        name = export_name(fmt, when)
        target, n = folder / name, 2
        while target.exists():
            target = folder / name.replace(f".{fmt}", f"-{n}.{fmt}")
            n += 1
        fd, tmp_name = tempfile.mkstemp(dir=folder, prefix=".wiro-voice-calls-", suffix=".part")
        with os.fdopen(fd, "wb") as handle:
            handle.write(text.encode("utf-8"))
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp_name, target)
        tmp_name = None
        return target
    except OSError as exc:
        raise ExportError(f"Could not write the export to {folder}: {exc.strerror or exc}.") from None
    finally:
        if tmp_name is not None:
            try:
                os.unlink(tmp_name)
            except OSError:
                pass
