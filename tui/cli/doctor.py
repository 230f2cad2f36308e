"""`wiro-voice doctor [--json]`: run every check and print the findings, worst first, each with its fix.

Exit codes: 0 healthy (notes at most), 1 errors or warnings found, 2 the doctor could not run (no agent, bad
configuration, Wiro unreachable or refusing the key). Twilio credentials come from TWILIO_ACCOUNT_SID /
TWILIO_AUTH_TOKEN (with --demo, the simulator's own account); without them the routing checks are skipped and
say so. The doctor never prompts, so it runs the same in a script. No secret is printed.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the parser is built on every start; the checks load only when the doctor runs
    from .evidence import Evidence
    from .findings import Finding

MARKS = {"error": "✖", "warning": "!", "info": "·"}
HEADINGS = {"error": "Errors", "warning": "Warnings", "info": "Notes"}


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Register `doctor` on the subcommand parsers (with the shared connection options)."""
    from ..running_cli import running_cli

    parser = subparsers.add_parser(
        "doctor", help="run every diagnosis (agent, numbers, credential, hold, recent calls, log) with fixes")
    running_cli()._connection_options(parser)
    parser.add_argument("--json", action="store_true", help="one JSON document on stdout")
    return parser


def _progress() -> Any:
    """A progress line on stderr: rewritten in place on a terminal, one line per step otherwise."""
    tty = sys.stderr.isatty()

    def say(text: str) -> None:
        if tty:
            sys.stderr.write(f"\r\x1b[2Kwiro-voice doctor: {text}…")
            sys.stderr.flush()
        else:
            print(f"wiro-voice doctor: {text}…", file=sys.stderr)

    def done() -> None:
        if tty:
            sys.stderr.write("\r\x1b[2K")
            sys.stderr.flush()

    return say, done


def run(args: argparse.Namespace) -> int:
    """The `doctor` command; returns the exit code (errors raise the CLI's CliError)."""
    import asyncio
    import os
    import time

    from ..running_cli import running_cli
    from .diagnose import diagnose
    from .findings import healthy
    from .gather import gather, twilio_access

    cli = running_cli()
    say, done = _progress()
    with cli._session(args) as (settings, sim):
        guid = cli._need_agent(settings)

        async def go():
            async with cli._client(settings) as client:
                return await gather(client, guid, settings,
                                    twilio=lambda sid: twilio_access(sid, env=os.environ, demo=sim),
                                    now=sim.now if sim is not None else time.time, progress=say)

        try:
            evidence = asyncio.run(go())
        finally:
            done()
    if evidence.agent is None:
        raise cli.CliError(f"The doctor could not run: {evidence.agent_error}", cli.EXIT_ERROR)
    findings = diagnose(evidence)
    cli._emit(args, document(evidence, findings), render_text(evidence, findings))
    return cli.EXIT_OK if healthy(findings) else cli.EXIT_PROBLEMS


def document(evidence: Evidence, findings: Sequence[Finding]) -> dict[str, Any]:
    """The `--json` document: DESIGN.md's `findings`, plus the agent, the verdict and what was skipped."""
    from .evidence import skipped
    from .findings import counts, healthy, to_document

    agent = evidence.agent
    return to_document(
        findings,
        healthy=healthy(findings),
        counts=counts(findings),
        agent=None if agent is None else {"guid": agent.guid, "title": agent.title, "status": agent.status,
                                          "statusLabel": agent.status_name},
        skipped=[{"area": s.area, "reason": s.reason} for s in skipped(evidence)],
        checked_at=evidence.taken_at,
    )


def render_text(evidence: Evidence, findings: Sequence[Finding], width: int | None = None) -> str:
    """The human report: one block per finding, grouped by severity, each with what was seen and the fix."""
    import shutil
    import textwrap

    from ..calls.sanitize import printable
    from .evidence import skipped
    from .findings import SEVERITIES, count_text, healthy

    width = width or max(60, min(110, shutil.get_terminal_size((100, 24)).columns))
    agent = evidence.agent
    lines = []
    if agent is not None:
        lines.append(f"Doctor: {printable(agent.title)} ({printable(agent.guid)}), {agent.status_name}")
    for severity in SEVERITIES:
        group = [f for f in findings if f.severity == severity]
        if not group:
            continue
        lines.append("")
        lines.append(f"{HEADINGS[severity]} ({len(group)})")
        for finding in group:
            lines.append(f"{MARKS[severity]} {printable(finding.title)}")
            lines.extend(textwrap.wrap(printable(finding.detail), width, initial_indent="    ",
                                       subsequent_indent="    "))
            if finding.fix:
                lines.extend(textwrap.wrap(printable(finding.fix), width, initial_indent="    Fix: ",
                                           subsequent_indent="         "))
    lines.append("")
    skips = skipped(evidence)
    if skips:
        lines.append("Not checked: " + "; ".join(f"{s.area} ({printable(s.reason)})" for s in skips))
    if healthy(findings):
        lines.append("Healthy: nothing to change" + (f" ({count_text(findings)})." if findings else "."))
    else:
        lines.append(f"Found {count_text(findings)}. Fix the errors first, from the top.")
    return "\n".join(lines)
