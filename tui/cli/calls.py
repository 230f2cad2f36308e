"""`wiro-voice calls` and `wiro-voice session ID`: call history and one session's detail in the shell.

Both take a ready `WiroClient` and the streams to write to, so tests run them against the simulator
with StringIO, and `run(args)` only reads the options and opens the client. Exit codes: 0 success,
2 an error (the message goes to `err`; with JSON output also `{"error": …}` on `out`).
"""

from __future__ import annotations

import asyncio
import json
import re
import shutil
import sys
import time
from datetime import datetime
from typing import TYPE_CHECKING, Any, Awaitable, Callable, TextIO

from ..common.text import printable
from . import common
from .common import plural

# `build_parser` imports this module for every subcommand: the call semantics and the client load when a
# command runs.
if TYPE_CHECKING:
    import argparse

    from ..calls.catalog import Explanation
    from ..calls.rows import LocalTime
    from ..wiro.errors import WiroError
    from ..wiro.models import CallSession

EXIT_OK, EXIT_ERROR = 0, 2
FORMATS = ("text", "json", "csv")
#: a Twilio Call SID, which `session` takes as well as a messageguid
CALL_SID = re.compile(r"CA[0-9a-fA-F]{32}")

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


def _summary(sessions: list[CallSession], now_ms: int, width: int | None = None) -> list[str]:
    """The figures under the table, as one line, or as several (broken between figures) to fit `width`."""
    from ..calls.stats import strip_figures

    figures = strip_figures(sessions, now_ms)
    parts = [plural(figures.calls, "call"), f"{figures.active_now} in progress", f"{figures.rejected} rejected",
             f"average {figures.average_text}"]
    if figures.max_duration:
        parts.append(f"{figures.max_duration} hit the time limit")
    if figures.errors:
        parts.append(plural(figures.errors, "agent error"))
    lines = [parts[0]]
    for part in parts[1:]:
        joined = f"{lines[-1]} · {part}"
        if width is not None and len(joined) > width:
            lines[-1] += " ·"
            lines.append(part)
        else:
            lines[-1] = joined
    return lines


def _table_lines(sessions: list[CallSession], now_ms: int, local: LocalTime, width: int | None = None) -> list[str]:
    """The table (fitted to `width` terminal cells when given) and the figures under it."""
    from ..calls.rows import rows_for
    from ..calls.text_table import render_table

    if not sessions:
        return ["No calls yet. Once the agent runs, dial one of its numbers to place a test call."]
    return render_table(rows_for(sessions, now_ms, local), width=width) + ["", *_summary(sessions, now_ms, width)]


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
    `isatty` (default: ask `out`) picks in-place redraws over plain repeated blocks; on a terminal (or
    with `terminal_size`) the text table is fitted to its width, dropping or narrowing Model, Age,
    Channel, Caller and End reason first (never Status); `sleep`,
    `terminal_size` (columns, lines) and `local` are injectable for tests. Watching keeps one
    request in flight, keeps the last good rows on a failed poll with a "stale since" note, and
    backs off (doubling, up to 60 s) until a poll succeeds again.
    """
    from ..calls.export import to_csv, to_json
    from ..wiro.client import HISTORY_LIMIT_CAP as HISTORY_CAP  # the API's cap on TwilioCallHistory/List
    from ..wiro.errors import WiroError

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
        tty = isatty if isatty is not None else _isatty(out)
        width = (terminal_size or tuple(shutil.get_terminal_size()))[0] if tty or terminal_size else None
        out.write("\n".join(_table_lines(sessions, int(now() * 1000), local, width)) + "\n")
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
    from ..common.polling import DEFAULT_CAP_SECONDS, PollState
    from ..wiro.errors import RateLimitedError, TransientError, WiroError
    from ..wiro.health import failure_phrase

    # the dashboard's rule: doubling after failures up to the cap (or the interval, if longer), Retry-After
    schedule = PollState(interval=interval, cap=max(DEFAULT_CAP_SECONDS, interval))
    last_good: list[CallSession] | None = None
    stale_since: float | None = None
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
            if stale_since is None:
                stale_since = now()
            wait = schedule.failed(error.retry_after if isinstance(error, RateLimitedError) else None)
            since = _clock_text(stale_since, local)
            what = "stale since" if last_good is not None else "no answer yet since"
            note = f"{what} {since} — {failure_phrase(error)}; retrying in {wait:g} s"
        else:
            last_good, stale_since, wait = sessions, None, schedule.succeeded()
        now_s = now()
        header = f"Calls — {_clock_text(now_s, local)}, refreshing every {interval:g} s · Ctrl-C to stop"
        lines = [header] + ([note] if note else []) + [""]
        if last_good is not None:
            # on a terminal, one column spare (see _frame); in a log or a pipe, the whole table
            width = (terminal_size or tuple(shutil.get_terminal_size()))[0] - 1 if tty else None
            lines += _table_lines(last_good, int(now_s * 1000), local, width)
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
    from ..calls.text_table import fit

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

    `messageguid` may also be the call's Twilio Call SID (CA…), looked up in the call history of
    `agent_guid` (Wiro keeps the newest 200). With `agent_guid`, the session's history row fills
    fields the detail lacks (such as the end reason, which Message/Detail does not document) at the
    cost of one more request, made only when needed. An unknown session is an error: "no session …",
    exit 2.
    """
    from ..calls.session import session_view
    from ..calls.session_text import render_session
    from ..wiro.client import HISTORY_LIMIT_CAP as HISTORY_CAP  # the API's cap on TwilioCallHistory/List
    from ..wiro.errors import NotFoundError, WiroError

    ident = messageguid.strip()
    if not ident:
        _say(err, "which session? Pass its messageguid (the first column of `wiro-voice calls --json`) or its Call SID")
        if as_json:
            out.write(json.dumps({"error": "no session id given"}) + "\n")
        return EXIT_ERROR
    known_row: CallSession | None = None
    if CALL_SID.fullmatch(ident):
        if not agent_guid:
            return _refuse(out, err, as_json, f"{ident} is a Twilio Call SID: pass --agent GUID to find it in that "
                                              "agent's call history, or give the session's messageguid")
        try:
            history = await client.call_history(agent_guid, HISTORY_CAP)
        except WiroError as error:
            return _fail(error, err=err, out=out, as_json=as_json)
        known_row = next((s for s in history if (s.callsid or "").casefold() == ident.casefold()), None)
        if known_row is None:
            return _refuse(out, err, as_json, f"no call {ident} among this agent's newest {plural(len(history), 'session')} "
                                              f"(Wiro keeps {HISTORY_CAP}); check the agent, or use the messageguid")
        ident = known_row.messageguid
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
        row = known_row or await _history_row(client, agent_guid, ident)
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
    from ..wiro.client import HISTORY_LIMIT_CAP as HISTORY_CAP  # the API's cap on TwilioCallHistory/List
    from ..wiro.errors import WiroError

    try:
        sessions = await client.call_history(agent_guid, HISTORY_CAP)
    except WiroError:
        return None  # the detail alone still tells most of the story
    return next((s for s in sessions if s.messageguid == messageguid), None)


# -- the command line ---------------------------------------------------------------------------------


def add_parsers(subparsers: Any) -> None:
    """Register `calls` and `session`."""
    calls = subparsers.add_parser("calls", help="the call history (TwilioCallHistory/List), once or live")
    common.connection_options(calls)
    calls.add_argument("--limit", type=int, default=50, help="sessions to show (the API's cap is 200)")
    formats = calls.add_mutually_exclusive_group()
    formats.add_argument("--json", action="store_true", help="one JSON document on stdout")
    formats.add_argument("--csv", action="store_true", help="CSV on stdout")
    calls.add_argument("--watch", action="store_true", help="redraw every few seconds until Ctrl-C")
    calls.add_argument("--interval", type=common.speed, default=5.0, help="seconds between refreshes with --watch (default 5)")

    session = subparsers.add_parser("session", help="one session's detail (Message/Detail) and why it ended")
    common.connection_options(session)
    session.add_argument("id", metavar="ID", help="the session's messageguid (from `wiro-voice calls`) or the call's "
                                                  "Twilio Call SID (CA…)")
    session.add_argument("--json", action="store_true", help="one JSON document on stdout")


def run(args: argparse.Namespace) -> int:
    """Run `calls` or `session` from parsed options."""
    return _run_calls(args) if args.command == "calls" else _run_session(args)


def _run_calls(args: argparse.Namespace) -> int:
    with common.session(args) as (settings, _sim):
        guid = common.need_agent(settings)
        fmt = "json" if args.json else "csv" if args.csv else "text"

        async def go() -> int:
            async with common.client(settings) as client:
                return await run_calls(client, guid, limit=args.limit, fmt=fmt, watch=args.watch,
                                       interval=args.interval, out=sys.stdout, err=sys.stderr)

        try:
            return asyncio.run(go())  # run_calls reports Wiro's errors itself (exit 2)
        except KeyboardInterrupt:
            if args.watch:
                print(file=sys.stderr)
                return EXIT_OK  # Ctrl-C is how --watch is meant to end
            raise


def _run_session(args: argparse.Namespace) -> int:
    with common.session(args) as (settings, _sim):

        async def go() -> int:
            async with common.client(settings) as client:
                return await run_session(client, args.id, as_json=args.json, agent_guid=settings.agent,
                                         out=sys.stdout, err=sys.stderr)

        return asyncio.run(go())


__all__ = ["CALL_SID", "add_parsers", "run", "run_calls", "run_session"]
