"""`wiro-voice calls` and `wiro-voice session ID`: call history and one session's detail in the shell.

Both take a ready `WiroClient` and the streams to write to, so tests run them against the simulator
with StringIO, and `__main__` only parses options and opens the client. Exit codes: 0 success,
2 an error (the message goes to `err`; with JSON output also `{"error": …}` on `out`).
"""

from __future__ import annotations

import asyncio
import json
import shutil
import time
from datetime import datetime
from typing import Any, Awaitable, Callable, TextIO

from .calls.catalog import Explanation
from .calls.export import to_csv, to_json
from .calls.rows import LocalTime, rows_for
from .calls.sanitize import printable
from .calls.session import session_view
from .calls.session_text import render_session
from .calls.stats import strip_figures
from .calls.text_table import fit, render_table
from .wiro.client import HISTORY_LIMIT_CAP as HISTORY_CAP  # the API's cap on TwilioCallHistory/List
from .wiro.errors import NotFoundError, RateLimitedError, TransientError, WiroError
from .wiro.health import failure_phrase
from .wiro.models import CallSession

EXIT_OK, EXIT_ERROR = 0, 2
FORMATS = ("text", "json", "csv")
MAX_BACKOFF = 60.0

# Redrawing in place: home, then each line erased to its end, then everything below erased. Cheaper
# and calmer than clearing the screen every frame (no flash); the first frame clears once.
_CLEAR, _HOME, _ERASE_LINE, _ERASE_BELOW = "\x1b[2J", "\x1b[H", "\x1b[K", "\x1b[J"

Clock = Callable[[], float]
Sleep = Callable[[float], Awaitable[Any]]


def _say(err: TextIO, message: str) -> None:
    err.write(f"wiro-voice: {message}\n")
    err.flush()


def _refuse(out: TextIO, err: TextIO, as_json: bool, message: str) -> int:
    """Bad options: the message on stderr and, with --json, an error document on stdout."""
    _say(err, message)
    if as_json:
        out.write(json.dumps({"error": message}) + "\n")
    return EXIT_ERROR


def _fail(error: WiroError, *, err: TextIO, out: TextIO, as_json: bool, message: str | None = None) -> int:
    text = printable(message or error.message)
    _say(err, text)
    if as_json:
        out.write(json.dumps({"error": text}) + "\n")
    return EXIT_ERROR


def _summary(sessions: list[CallSession], now_ms: int) -> str:
    figures = strip_figures(sessions, now_ms)
    parts = [f"{figures.calls} calls", f"{figures.active_now} in progress", f"{figures.rejected} rejected",
             f"average {figures.average_text}"]
    if figures.max_duration:
        parts.append(f"{figures.max_duration} hit the time limit")
    if figures.errors:
        parts.append(f"{figures.errors} agent error{'s' if figures.errors > 1 else ''}")
    return " · ".join(parts)


def _table_lines(sessions: list[CallSession], now_ms: int, local: LocalTime) -> list[str]:
    if not sessions:
        return ["No calls yet. Once the agent runs, dial one of its numbers to place a test call."]
    return render_table(rows_for(sessions, now_ms, local)) + ["", _summary(sessions, now_ms)]


async def run_calls(
    client: Any,
    guid: str,
    *,
    limit: int = 50,
    fmt: str = "text",
    watch: bool = False,
    out: TextIO,
    err: TextIO,
    now: Clock = time.time,
    interval: float = 5.0,
    isatty: bool | None = None,
    max_iterations: int | None = None,
    sleep: Sleep = asyncio.sleep,
    terminal_size: tuple[int, int] | None = None,
    local: LocalTime = datetime.fromtimestamp,
) -> int:
    """Print the agent's call history once (`fmt` "text", "json" or "csv"), or with `watch` redraw
    a text table every `interval` seconds until cancelled (Ctrl-C) or `max_iterations` polls.

    `limit` above 200 is capped with a note on `err`. `now` gives epoch seconds (ages, durations);
    `isatty` (default: ask `out`) picks in-place redraws over plain repeated blocks; `sleep`,
    `terminal_size` (columns, lines) and `local` are injectable for tests. Watching keeps one
    request in flight, keeps the last good rows on a failed poll with a "stale since" note, and
    backs off (doubling, up to 60 s) until a poll succeeds again.
    """
    as_json = fmt == "json"
    if fmt not in FORMATS:
        return _refuse(out, err, as_json, f"unknown output format {fmt!r}; use text, json or csv")
    if watch and fmt != "text":
        return _refuse(out, err, as_json, "--watch draws a live table for people; for scripts use --json or --csv without --watch")
    if limit < 1:
        return _refuse(out, err, as_json, f"--limit must be at least 1 (got {limit})")
    if limit > HISTORY_CAP:
        _say(err, f"--limit {limit} is above the API's cap; showing the newest {HISTORY_CAP}")
        limit = HISTORY_CAP
    if interval <= 0:
        return _refuse(out, err, as_json, f"the refresh interval must be above 0 seconds (got {interval:g})")
    if watch:
        tty = isatty if isatty is not None else _isatty(out)
        return await _watch(client, guid, limit, out, err, now, interval, tty, max_iterations, sleep, terminal_size, local)

    try:
        sessions = await client.call_history(guid, limit)
    except WiroError as error:
        return _fail(error, err=err, out=out, as_json=as_json)
    if fmt == "json":
        out.write(to_json(sessions))
    elif fmt == "csv":
        out.write(to_csv(sessions))
    else:
        out.write("\n".join(_table_lines(sessions, int(now() * 1000), local)) + "\n")
    out.flush()
    return EXIT_OK


def _isatty(stream: TextIO) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):  # a closed or unusual stream is no terminal
        return False


async def _watch(client: Any, guid: str, limit: int, out: TextIO, err: TextIO, now: Clock, interval: float,
                 tty: bool, max_iterations: int | None, sleep: Sleep, terminal_size: tuple[int, int] | None,
                 local: LocalTime) -> int:
    last_good: list[CallSession] | None = None
    stale_since: float | None = None
    failures = 0
    polls = 0
    first_frame = True
    while max_iterations is None or polls < max_iterations:
        polls += 1
        note = None
        try:
            sessions = await client.call_history(guid, limit)
        except WiroError as error:
            # Before anything worked, a refused key or an unknown agent will not fix itself: stop.
            if last_good is None and not isinstance(error, (TransientError, RateLimitedError)):
                return _fail(error, err=err, out=out, as_json=False)
            failures += 1
            if stale_since is None:
                stale_since = now()
            wait = min(MAX_BACKOFF, interval * 2**failures)
            since = _clock_text(stale_since, local)
            what = "stale since" if last_good is not None else "no answer yet since"
            note = f"{what} {since} — {failure_phrase(error)}; retrying in {wait:g} s"
        else:
            last_good, stale_since, failures, wait = sessions, None, 0, interval
        now_s = now()
        header = f"Calls — {_clock_text(now_s, local)}, refreshing every {interval:g} s · Ctrl-C to stop"
        lines = [header] + ([note] if note else []) + [""]
        if last_good is not None:
            lines += _table_lines(last_good, int(now_s * 1000), local)
        out.write(_frame(lines, tty, first_frame, terminal_size))
        out.flush()
        first_frame = False
        if max_iterations is not None and polls >= max_iterations:
            break
        await sleep(wait)
    return EXIT_OK


def _clock_text(epoch_seconds: float, local: LocalTime) -> str:
    return f"{local(epoch_seconds):%H:%M:%S}"


def _frame(lines: list[str], tty: bool, first: bool, terminal_size: tuple[int, int] | None) -> str:
    if not tty:
        return "\n".join(lines) + "\n\n"  # a blank line between blocks in a log or a pipe
    columns, rows = terminal_size or tuple(shutil.get_terminal_size())
    # A wrapped or scrolled line would break the next redraw: cut to the screen, one column spare.
    if len(lines) > rows - 1:
        hidden = len(lines) - (rows - 2)
        lines = lines[: max(1, rows - 2)] + [f"… {hidden} more lines; make the window taller"]
    body = "".join(fit(line, columns - 1) + _ERASE_LINE + "\n" for line in lines)
    return (_CLEAR if first else "") + _HOME + body + _ERASE_BELOW


# -- session ----------------------------------------------------------------------------------------


def _explanation_doc(explanation: Explanation | None) -> dict[str, Any] | None:
    if explanation is None:
        return None
    return {"value": explanation.raw, "label": explanation.label, "meaning": explanation.meaning,
            "advice": explanation.advice, "known": explanation.known}


async def run_session(
    client: Any,
    messageguid: str,
    *,
    as_json: bool = False,
    out: TextIO,
    err: TextIO,
    agent_guid: str | None = None,
    now: Clock = time.time,
    local: LocalTime = datetime.fromtimestamp,
) -> int:
    """Print one session's detail (Message/Detail): status and what it means, end reason and what to
    do, the rejection reason for rejected sessions, caller, profile, times, transcript, and every
    other metadata key. With `as_json`, the raw detail document plus "statusLabel",
    "endReasonLabel", "rejectionReason", "rejectionLabel" and an "explanations" object.

    With `agent_guid`, the session's history row fills fields the detail lacks (such as the end
    reason, which Message/Detail does not document) at the cost of one more request, made only
    when needed. An unknown session is an error: "no session …", exit 2.
    """
    ident = messageguid.strip()
    if not ident:
        _say(err, "which session? Pass its messageguid (the first column of `wiro-voice calls --json`)")
        if as_json:
            out.write(json.dumps({"error": "no session id given"}) + "\n")
        return EXIT_ERROR
    try:
        detail = await client.message_detail(messageguid=ident)
    except NotFoundError as error:
        if error.status == 404:  # the endpoint itself is unknown: a configuration problem, said as such
            return _fail(error, err=err, out=out, as_json=as_json)
        return _fail(error, err=err, out=out, as_json=as_json,
                     message=f"no session {ident} on this account ({error.message.rstrip('.')}).")
    except WiroError as error:
        return _fail(error, err=err, out=out, as_json=as_json)
    now_ms = int(now() * 1000)
    view = session_view(detail, None, now_ms)
    if agent_guid and (view.group == "unknown" or (view.group == "ended" and not view.end_reason.raw)):
        row = await _history_row(client, agent_guid, ident)
        if row is not None:
            view = session_view(detail, row, now_ms)
    if as_json:
        document = dict(detail.raw)
        document.update({
            "statusLabel": view.status.label,
            "endReasonLabel": view.end_reason.label if view.end_reason else "",
            "rejectionReason": view.rejection.raw if view.rejection else None,
            "rejectionLabel": view.rejection.label if view.rejection else "",
            "explanations": {
                "status": _explanation_doc(view.status),
                "endReason": _explanation_doc(view.end_reason),
                "rejection": _explanation_doc(view.rejection),
            },
        })
        out.write(json.dumps(document, indent=2, ensure_ascii=False, default=str) + "\n")
    else:
        out.write("\n".join(render_session(view, now_ms, local)) + "\n")
    out.flush()
    return EXIT_OK


async def _history_row(client: Any, agent_guid: str, messageguid: str) -> CallSession | None:
    try:
        sessions = await client.call_history(agent_guid, HISTORY_CAP)
    except WiroError:
        return None  # the detail alone still tells most of the story
    return next((s for s in sessions if s.messageguid == messageguid), None)


__all__ = ["run_calls", "run_session"]
