"""`wiro-voice logs [--date YYYY-MM-DD] [--lines N] [--kind K] [--json]`: the activity log in the shell.

Newest first, one line per event: local time, the kind in words, a summary, then every other key.
Exit codes: 0 the log was read (even when empty); 1 Wiro refused (an agent that never ran has no log);
2 bad options (an unknown --kind lists the kinds), a refused key or access, or no answer (the reason goes to
stderr; with --json also `{"error": …}` on stdout).
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any, TextIO

from ..common.text import printable
from . import common
from .common import EXIT_ERROR, EXIT_OK, EXIT_PROBLEMS, CliError

if TYPE_CHECKING:
    import argparse

MAX_LINES = 5000  # Wiro's cap on `lines`


def add_parsers(subparsers: Any) -> argparse.ArgumentParser:
    """Register `logs` on the subcommand parsers (with the shared connection options)."""
    parser = subparsers.add_parser("logs", help="the agent's activity log (UserAgent/Logs), newest first")
    common.connection_options(parser)
    parser.add_argument("--date", metavar="YYYY-MM-DD", help="another day's log (default: today, as Wiro counts days)")
    parser.add_argument("--lines", type=int, default=200, metavar="N",
                        help=f"the last N events of the day (1-{MAX_LINES}, default 200)")
    parser.add_argument("--kind", action="append", metavar="K",
                        help="only these kinds: a kind as Wiro spells it (tool_completed; older accounts: tool), "
                             "a group (calls, conversation, tools, cron, credits: each holds both spellings), or "
                             "`failures` (failed events only, of the other kinds given if any); repeat or separate "
                             "with commas. An unknown name exits 2 with the list")
    parser.add_argument("--json", action="store_true", help="one JSON document on stdout")
    return parser


def check_date(text: str) -> str:
    """`text` if it is a real YYYY-MM-DD date; ValueError saying what to type otherwise."""
    cleaned = text.strip()
    try:
        datetime.strptime(cleaned, "%Y-%m-%d")
    except ValueError:
        raise ValueError(f"--date {printable(text)!r} is not a date: give it as YYYY-MM-DD, e.g. 2026-04-24") from None
    if len(cleaned) != 10:  # strptime takes "2026-4-2"; Wiro wants the padded form
        raise ValueError(f"--date {printable(text)!r}: write it zero-padded as YYYY-MM-DD, e.g. 2026-04-02")
    return cleaned


def run(args: argparse.Namespace) -> int:
    """The `logs` command from parsed options; returns the exit code (errors raise CliError)."""
    date = None
    if args.date is not None:
        try:
            date = check_date(args.date)
        except ValueError as err:
            raise CliError(str(err), EXIT_ERROR) from None
    if not 1 <= args.lines <= MAX_LINES:
        raise CliError(f"--lines must be between 1 and {MAX_LINES} (got {args.lines})", EXIT_ERROR)
    kinds = list(args.kind or ())
    with common.session(args) as (settings, _sim):
        guid = common.need_agent(settings)

        async def go() -> int:
            async with common.client(settings) as client:
                return await show_logs(client, guid, date=date, lines=args.lines, kinds=kinds,
                                       as_json=bool(args.json), out=sys.stdout, err=sys.stderr)

        return common.run(go())


async def show_logs(client: Any, guid: str, *, date: str | None = None, lines: int = 200,
                    kinds: Sequence[str] = (), as_json: bool = False, out: TextIO, err: TextIO) -> int:
    """Read the agent's activity log (one day, the last `lines` events) and print it newest first, only
    the `kinds` asked for (Wiro's spelling in either documented shape, a group, or `failures`). A kind
    neither documented nor in the day's log is an error (exit 2, with the kinds). An agent that never ran
    has no log: CliError with what to do (exit 1); Wiro's other errors are left to the caller."""
    from ..activity.events import from_tail
    from ..activity.explain import explain_logs_error
    from ..activity.filters import ActivityFilter
    from ..activity.kinds import DOCUMENTED_KINDS, KIND_GROUPS, UnknownKind, resolve_kinds
    from ..wiro.errors import AgentGone, ApiError, NotFoundError

    try:  # a kind the docs do not name may still be in today's log: asked again once the log is read
        resolve_kinds(kinds, known=DOCUMENTED_KINDS)
        pending = False
    except UnknownKind:
        pending = True
    try:
        tail = await client.logs(guid, date=date, lines=lines)
    except (ApiError, NotFoundError) as problem:
        if problem.status not in (None, 200) or isinstance(problem, AgentGone):
            raise  # said by the command line's own handler (a gone agent exits 2)
        raise CliError(explain_logs_error(problem), EXIT_PROBLEMS) from None
    events = from_tail(tail)
    seen_kinds = sorted({e.kind for e in events if e.kind})
    try:
        resolved, failures = (resolve_kinds(kinds, known=(*DOCUMENTED_KINDS, *seen_kinds)) if pending
                              else resolve_kinds(kinds))
    except UnknownKind as unknown:
        raise CliError(f"--kind {', '.join(repr(n) for n in unknown.names)} is not a kind. Groups: "
                       f"{', '.join(name for name, _ in KIND_GROUPS)}, failures. Kinds: "
                       f"{', '.join(unknown.known)}.", EXIT_ERROR) from None
    wanted = ActivityFilter(resolved, failures, label=", ".join(kinds) if kinds else "all kinds")
    shown = wanted.apply(events)
    if wanted.is_active and events and not shown:
        seen = ", ".join(seen_kinds) or "none"
        common.say(err, f"no event of kind {wanted.label} among the {len(events)} read; kinds seen: {seen}")
    common.emit(to_document(tail, shown, wanted), render_text(tail, events, shown, wanted), as_json=as_json, out=out)
    return EXIT_OK


# -- output -----------------------------------------------------------------------------------------


def to_document(tail: Any, shown: Sequence[Any], wanted: Any) -> dict[str, Any]:
    """The `--json` document: the events as Wiro sent them, newest first, each plus `kindLabel` and
    `summaryLine`; the day, Wiro's line count and the filter used."""
    return {
        "date": tail.date,
        "totalLines": tail.total_lines,
        "filter": {"kinds": sorted(wanted.kinds), "failuresOnly": wanted.failures} if wanted.is_active else None,
        "events": [{**dict(e.raw), "kindLabel": e.words, "summaryLine": e.summary} for e in shown],
    }


def _time_text(at: float | None, ts: str, local: Callable[[float], datetime]) -> str:
    if at is None:
        return (ts or "no time")[:8].ljust(8)
    try:
        return f"{local(at):%H:%M:%S}"
    except (OverflowError, OSError, ValueError):
        return (ts or "no time")[:8].ljust(8)


def render_text(tail: Any, events: Sequence[Any], shown: Sequence[Any], wanted: Any, *,
                local: Callable[[float], datetime] = datetime.fromtimestamp) -> str:
    """The human listing: a heading with the day and the counts, then one line per event, newest first."""
    from ..activity.flatten import pairs_text

    day = printable(tail.date) or "today"
    total = tail.total_lines if tail.total_lines is not None else len(events)
    heading = f"Activity log, {day}: {len(events)} of {common.plural(total, 'event')} read, newest first"
    if wanted.is_active:
        heading += f"; {len(shown)} shown ({printable(wanted.label)})"
    if not events:
        return heading + "\nNo events for this day yet. Calls, tool runs and scheduled jobs show up here as they happen."
    width = min(24, max((len(e.words) for e in shown), default=10))
    lines = [heading, ""]
    for e in shown:
        rest = pairs_text(e.fields)
        lines.append(f"{_time_text(e.at, e.ts, local)}  {e.words:<{width}}  {e.summary}" + (f"  [{rest}]" if rest else ""))
    return "\n".join(lines)
