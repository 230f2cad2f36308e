"""`wiro-voice insights` and `wiro-voice history export|prune|path`: every call accounted for, from the shell.

`insights` first brings the local history up to date (Wiro's newest sessions, the credit ledger, Twilio's call
log and each number's routing; `--offline` skips that), then prints the period's figures: calls reached,
missed (with causes) and rejected (with reasons), durations, cost, and callers by country. Twilio's call log
needs TWILIO_AUTH_TOKEN (with --demo, the simulator's own account); without it missed calls are not counted,
and a note says so. The history file lives beside the config file (see `history path`); the demo keeps a
history of its own in a temporary folder, removed when the command ends.

Exit codes: 0 the figures were printed (notes about what could not be fetched go to stderr); 2 an error (a
period that cannot be read, no agent, Wiro refusing the key, a history file that cannot be used).
"""

from __future__ import annotations

import csv
import io
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from . import common
from .common import CliError

if TYPE_CHECKING:
    import argparse

    from ..history.insights import Insights
    from ..history.keeper import History

SINCE_HELP = "the period: today, 7d, 30d, a number of days or hours (14d, 6h), a date (2026-12-01) or a range of " \
             "dates (2026-12-01..2026-12-07); default 7d"


def add_parsers(subparsers: Any) -> None:
    """Register `insights` and `history` on the subcommand parsers."""
    parser = subparsers.add_parser("insights", help="calls reached, missed (with causes) and rejected, durations and "
                                                    "cost, from the local history and Twilio's call log")
    common.connection_options(parser)
    parser.add_argument("--since", default="7d", metavar="PERIOD", help=SINCE_HELP)
    output = parser.add_mutually_exclusive_group()
    output.add_argument("--json", action="store_true", help="one JSON document on stdout")
    output.add_argument("--csv", action="store_true", help="one CSV row per hour or day of the period")
    parser.add_argument("--offline", action="store_true", help="use only what the history already holds")

    history = subparsers.add_parser("history", help="the local call history: export, prune, or where it is")
    common.connection_options(history)
    actions = history.add_subparsers(dest="action", metavar="ACTION", required=True)
    export = actions.add_parser("export", help="every call of a period, joined (JSON, or CSV with --csv)")
    export.add_argument("--since", default=None, metavar="PERIOD",
                        help="the period (as for `insights`); default: everything the history keeps")
    export.add_argument("--csv", action="store_true", help="one CSV row per call instead of JSON")
    export.add_argument("--out", metavar="FILE", help="write to FILE (mode 0600) instead of stdout")
    prune = actions.add_parser("prune", help="remove calls older than the retention (config `history_days`)")
    prune.add_argument("--days", type=int, default=None, metavar="N", help="keep N days instead")
    prune.add_argument("--json", action="store_true", help="one JSON document on stdout")
    path = actions.add_parser("path", help="where the history file is, and how big")
    for action in (export, prune, path):  # the connection options before or after the action
        common.connection_options(action)


@contextmanager
def opened_history(settings: Any, demo: Any, clock: Callable[[], float]) -> Iterator[History]:
    """The history for these settings: the file beside the config, or a temporary one for the demo."""
    from ..history.keeper import History
    from ..history.store import history_path

    if demo is None:
        history = History(history_path(settings.config_path), retention_days=settings.history_days, clock=clock)
        try:
            yield history
        finally:
            history.close()
        return
    import tempfile

    with tempfile.TemporaryDirectory(prefix="wiro-voice-demo-") as folder:
        history = History(history_path(data_dir=Path(folder)), retention_days=settings.history_days, clock=clock)
        try:
            yield history
        finally:
            history.close()


def run(args: argparse.Namespace) -> int:
    """`insights` or `history …` from parsed options; returns the exit code (errors raise CliError)."""
    if args.command == "history" and args.action == "path":
        settings = common.settings_from(args)
        return history_path_command(settings, demo=bool(args.demo), out=sys.stdout)
    need_account = args.command == "insights" and not args.offline
    with common.session(args, need_account=need_account) as (settings, sim):
        clock = sim.now if sim is not None else time.time
        with opened_history(settings, sim, clock) as history:
            if args.command == "history" and args.action == "prune":
                return prune_command(history, days=args.days, as_json=bool(args.json), out=sys.stdout, err=sys.stderr)
            if args.command == "history":
                return export_command(history, since=args.since, as_csv=bool(args.csv), out_path=args.out,
                                      clock=clock, out=sys.stdout, err=sys.stderr)
            guid = common.need_agent(settings)
            fmt = "json" if args.json else "csv" if args.csv else "text"
            if args.offline:
                return common.run(run_insights(None, guid, settings, history, since=args.since, fmt=fmt, demo=sim,
                                               out=sys.stdout, err=sys.stderr, now=clock))

            async def go() -> int:
                async with common.client(settings) as client:
                    return await run_insights(client, guid, settings, history, since=args.since, fmt=fmt, demo=sim,
                                              out=sys.stdout, err=sys.stderr, now=clock)

            return common.run(go())


async def run_insights(client: Any, guid: str, settings: Any, history: History, *, since: str = "7d",
                       fmt: str = "text", demo: Any = None, out: TextIO, err: TextIO,
                       now: Callable[[], float] = time.time) -> int:
    """Bring the history up to date (unless `client` is None: offline), then print the figures for `since`.
    Notes about what could not be fetched go to `err`; the figures to `out` as text, JSON or CSV."""
    from ..history.insights import Scope, insights, period

    try:
        span = period(since, int(now() * 1000))
    except ValueError as problem:
        raise CliError(f"--since: {problem}") from None
    numbers: tuple[str, ...] | None = None
    notes: list[str] = []
    if client is not None:
        numbers, notes = await _refresh(client, guid, settings, history, span.start_ms, demo)
    scope = Scope(span, agent_guid=guid, numbers=numbers)
    result = history.read(lambda store: insights(store, scope), "computing insights")
    for note in notes:
        common.say(err, note)
    if result.value is None:
        raise CliError(result.problem.message if result.problem else "The history could not be read.")
    figures = result.value
    if fmt == "csv":
        out.write(insights_csv(figures))
        return common.EXIT_OK
    document = {**figures.to_json(), "history": str(history.path), "notes": notes}
    common.emit(document, insights_text(figures), as_json=fmt == "json", out=out)
    return common.EXIT_OK


async def _refresh(client: Any, guid: str, settings: Any, history: History, since_ms: int,
                   demo: Any) -> tuple[tuple[str, ...] | None, list[str]]:
    """Fetch and record; return the agent's numbers (None when its credential lists none) and the notes."""
    from ..history.feed import refresh
    from ..twilio.access import twilio_access
    from ..twilio.verify import wiro_hosts_for

    agent = await client.detail(guid)  # a refused key or a gone agent is an error (exit 2) via common.run
    credential = agent.credential
    numbers = tuple(credential.phonenumbers) if credential is not None and credential.phonenumbers else ()
    access = twilio_access(credential.accountsid if credential is not None else None, settings, demo=demo)
    outcome = await refresh(history, client, guid, numbers=numbers, since_ms=since_ms, access=access,
                            twilio_base=settings.twilio_base, wiro_hosts=wiro_hosts_for(settings.api_base))
    return (numbers or None), outcome.messages


def insights_text(figures: Insights) -> str:
    from ..history.text import summary_lines

    return "\n".join(summary_lines(figures))


def insights_csv(figures: Insights) -> str:
    from ..history.text import COST_COLUMNS, SERIES_COLUMNS, series_rows

    rows = series_rows(figures)
    columns = SERIES_COLUMNS + (COST_COLUMNS if figures.scope.period.step == "day" else ())
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


# -- history export | prune | path ---------------------------------------------------------------------


def history_path_command(settings: Any, *, demo: bool, out: TextIO) -> int:
    from ..history.store import history_path

    if demo:
        out.write("The demo keeps its history in a temporary folder, removed when it ends.\n")
        return common.EXIT_OK
    path = history_path(settings.config_path)
    size = path.stat().st_size if path.exists() else None
    out.write(f"{path}\n")
    out.write(f"{size / 1e6:.1f} MB, calls kept {settings.history_days} days\n" if size is not None
              else f"(not created yet; calls are kept {settings.history_days} days)\n")
    return common.EXIT_OK


def prune_command(history: History, *, days: int | None, as_json: bool, out: TextIO, err: TextIO) -> int:
    if days is not None and days < 0:
        raise CliError("--days must be 0 or more.")
    outcome = history.prune(days)
    if outcome.problem is not None:
        raise CliError(outcome.problem.message)
    kept = history.retention_days if days is None else days
    removed = dict(outcome.removed)
    text = (f"Removed {common.plural(removed.get('calls', 0), 'call')} older than "
            f"{common.plural(kept, 'day')} from {history.path}.")
    common.emit({"removed": removed, "days": kept, "history": str(history.path)}, text, as_json=as_json, out=out)
    return common.EXIT_OK


def export_command(history: History, *, since: str | None, as_csv: bool, out_path: str | None,
                   clock: Callable[[], float], out: TextIO, err: TextIO) -> int:
    import json

    from ..history.insights import Scope, load_joined, period
    from ..history.text import CALL_COLUMNS, call_document

    now_ms = int(clock() * 1000)
    try:
        span = period(since or f"{history.retention_days}d", now_ms)
    except ValueError as problem:
        raise CliError(f"--since: {problem}") from None
    result = history.read(lambda store: load_joined(store, Scope(span)), "exporting calls")
    if result.value is None:
        raise CliError(result.problem.message if result.problem else "The history could not be read.")
    calls = [call_document(c) for c in result.value]
    if as_csv:
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=CALL_COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(calls)
        text = buffer.getvalue()
    else:
        text = json.dumps({"history": str(history.path), "period": span.label, "calls": calls}, indent=2,
                          ensure_ascii=False) + "\n"
    if out_path:
        from ..common.atomic import write_private

        try:
            write_private(Path(out_path).expanduser(), text.encode("utf-8"))
        except OSError as problem:
            raise CliError(f"Could not write {out_path}: {problem.strerror or problem}.") from None
        common.say(err, f"wrote {common.plural(len(calls), 'call')} to {out_path} (mode 0600)")
    else:
        out.write(text)
    return common.EXIT_OK
