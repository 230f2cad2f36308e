"""Words for the Doctor screen: option prompts, the state and skipped lines, a finding's detail (no widgets)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from textual.markup import escape

from ...common.text import printable
from ...doctor.findings import count_text, healthy

#: severity → (theme variable, mark, heading)
SEVERITY_LOOK = {
    "error": ("$error", "✖", "Errors"),
    "warning": ("$warning", "!", "Warnings"),
    "info": ("$primary", "·", "Notes"),
}
INTRO = ("Runs every check that can be made from here: the agent, each number on Twilio, the last save, the "
         "credential, the hold, recent calls and today's activity log.")


def heading(severity: str, count: int) -> str:
    colour, _mark, title = SEVERITY_LOOK[severity]
    return f"[b {colour}]{title} ({count})[/]"


def prompt(finding: Any) -> str:
    """One line in the list: the severity's mark in its colour, then the title."""
    colour, mark, _title = SEVERITY_LOOK[finding.severity]
    return f"[b {colour}]{mark}[/] {escape(printable(finding.title))}"


def detail(finding: Any) -> str:
    """What was seen and the fix, for the panel under the list."""
    colour, mark, _title = SEVERITY_LOOK[finding.severity]
    word = {"error": "error", "warning": "warning", "info": "note"}[finding.severity]
    lines = [f"[b {colour}]{mark} {word}[/]  [b]{escape(printable(finding.title))}[/]", "",
             f"[b]Seen:[/] {escape(printable(finding.detail))}"]
    if finding.fix:
        lines += ["", f"[b $success]Fix:[/] {escape(printable(finding.fix))}"]
    lines += ["", f"[dim]id {escape(printable(finding.id))}[/]"]
    return "\n".join(lines)


def state_line(findings: Sequence[Any], taken_at: float, local: Callable[[float], datetime]) -> str:
    """"Checked at 14:05:09: 2 errors, 1 warning — fix from the top." or the healthy line, in colour."""
    when = f"Checked at {local(taken_at):%H:%M:%S}"
    if healthy(findings):
        notes = f" ({count_text(findings)})" if findings else ""
        return f"[b $success]✔ {when}: healthy, nothing to change{notes}.[/] [dim]r runs the checks again.[/]"
    worst = "$error" if any(f.severity == "error" for f in findings) else "$warning"
    return f"[b {worst}]{when}: {count_text(findings)}[/], worst first. [dim]r runs the checks again.[/]"


def skipped_line(skips: Sequence[Any]) -> str:
    """Which checks were skipped and why ("" when none)."""
    if not skips:
        return "[dim]Every check ran.[/]"
    parts = [f"{escape(printable(s.area))} ({escape(printable(s.reason))})" for s in skips]
    return "[b]Not checked:[/] " + "; ".join(parts)
