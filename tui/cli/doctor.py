"""`wiro-voice doctor [--json]`: run every check and print the findings, worst first, each with its fix.

Exit codes: 0 healthy (notes at most), 1 errors or warnings found, 2 the doctor could not run (no agent, bad
configuration, Wiro unreachable or refusing the key). Twilio credentials come from TWILIO_ACCOUNT_SID /
TWILIO_AUTH_TOKEN (with --demo, the simulator's own account); without them the routing checks are skipped and
say so. The doctor never prompts, so it runs the same in a script. No secret is printed.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import textwrap
import time
from collections.abc import Callable, Sequence
from typing import Any, TextIO

from ..common.text import printable
from ..doctor.evidence import Evidence, skipped
from ..doctor.findings import SEVERITIES, Finding, count_text, counts, healthy, ordered, to_document
from . import common
from .common import CliError

MARKS = {"error": "✖", "warning": "!", "info": "·"}
HEADINGS = {"error": "Errors", "warning": "Warnings", "info": "Notes"}


def add_parsers(subparsers: Any) -> argparse.ArgumentParser:
    """Register `doctor` on the subcommand parsers (with the shared connection options)."""
    parser = subparsers.add_parser(
        "doctor", help="run every diagnosis (agent, numbers, credential, hold, recent calls, log) with fixes")
    common.connection_options(parser)
    parser.add_argument("--json", action="store_true", help="one JSON document on stdout")
    return parser


def _progress(err: TextIO) -> tuple[Callable[[str], None], Callable[[], None]]:
    """A progress line on `err`: rewritten in place on a terminal, one line per step otherwise."""
    tty = bool(getattr(err, "isatty", lambda: False)())

    def say(text: str) -> None:
        if tty:
            err.write(f"\r\x1b[2Kwiro-voice doctor: {text}…")
            err.flush()
        else:
            print(f"wiro-voice doctor: {text}…", file=err)

    def done() -> None:
        if tty:
            err.write("\r\x1b[2K")
            err.flush()

    return say, done


def run(args: argparse.Namespace) -> int:
    """The `doctor` command from parsed options; returns the exit code (errors raise CliError)."""
    from .insights import opened_history

    with common.session(args) as (settings, sim):
        guid = common.need_agent(settings)
        clock = sim.now if sim is not None else time.time

        async def go(history: Any) -> int:
            async with common.client(settings) as client:
                return await run_doctor(client, guid, settings, demo=sim, as_json=bool(args.json),
                                        out=sys.stdout, err=sys.stderr, history=history)

        with opened_history(settings, sim, clock) as history:
            return common.run(go(history))


async def run_doctor(client: Any, guid: str, settings: Any, *, demo: Any = None, as_json: bool = False,
                     out: TextIO, err: TextIO, now: Callable[[], float] | None = None, history: Any = None) -> int:
    """Gather the evidence, run every check, print the findings worst first. The Twilio checks use
    `tui.twilio.access` without prompting (the demo's own account with `demo`). Exit 0 healthy, 1 findings;
    CliError (exit 2) when the agent itself cannot be read."""
    # the checks and the gathering (the Twilio client, httpx) load when the doctor runs, not when `build_parser`
    # registers every command
    from ..doctor.diagnose import diagnose
    from ..doctor.gather import gather
    from ..twilio.access import twilio_access

    say, done = _progress(err)
    clock = now or (demo.now if demo is not None else time.time)
    try:
        evidence = await gather(client, guid, settings,
                                twilio=lambda sid: twilio_access(sid, settings, demo=demo),
                                now=clock, progress=say, history=history)
    finally:
        done()
    if evidence.agent is None:
        raise CliError(f"The doctor could not run: {evidence.agent_error}", common.EXIT_ERROR)
    findings = ordered([*diagnose(evidence), *keymap_findings(settings)])
    common.emit(document(evidence, findings), render_text(evidence, findings), as_json=as_json, out=out)
    return common.EXIT_OK if healthy(findings) else common.EXIT_PROBLEMS


def keymap_findings(settings: Any) -> list[Finding]:
    """Warnings about the config file's [keymap]: unknown ids or keys, keys that now mean two things. Checking
    reads every screen's bindings, so the dashboard's screens (and Textual) load only when there is a keymap."""
    if not settings.keymap:
        return []
    from ..ui.keymap import keymap_findings as check  # Textual: only tui/ui imports it

    return check(settings.keymap, str(settings.config_path))


def document(evidence: Evidence, findings: Sequence[Finding]) -> dict[str, Any]:
    """The `--json` document: DESIGN.md's `findings`, plus the agent, the verdict and what was skipped."""
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
    width = width or max(60, min(110, shutil.get_terminal_size((100, 24)).columns))
    agent = evidence.agent
    lines = []
    if agent is not None:
        header = f"Doctor: {printable(agent.title)} ({printable(agent.guid)}), {agent.status_name}"
        lines.extend(textwrap.wrap(header, width, subsequent_indent="        "))  # an 80-column terminal too
    for severity in SEVERITIES:
        group = [f for f in findings if f.severity == severity]
        if not group:
            continue
        lines.append("")
        lines.append(f"{HEADINGS[severity]} ({len(group)})")
        for finding in group:
            lines.extend(textwrap.wrap(f"{MARKS[severity]} {printable(finding.title)}", width, subsequent_indent="  "))
            lines.extend(textwrap.wrap(printable(finding.detail), width, initial_indent="    ",
                                       subsequent_indent="    "))
            if finding.fix:
                lines.extend(textwrap.wrap(printable(finding.fix), width, initial_indent="    Fix: ",
                                           subsequent_indent="         "))
    lines.append("")
    skips = skipped(evidence)
    if skips:
        lines.extend(textwrap.wrap("Not checked: " + "; ".join(f"{s.area} ({printable(s.reason)})" for s in skips),
                                   width, subsequent_indent="    "))
    if healthy(findings):
        lines.append("Healthy: nothing to change" + (f" ({count_text(findings)})." if findings else "."))
    else:
        lines.append(f"Found {count_text(findings)}. Fix the errors first, from the top.")
    return "\n".join(lines)
