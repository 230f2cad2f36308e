"""Run every check over the evidence and order the findings: errors, warnings, notes.

Pure: no I/O, so tests can build Evidence by hand. Within a severity the checks run in the order a person
would look: is the agent up, are callers stuck, do the numbers reach Wiro, is the credential right, then
the whitelist, the hold, the call history and the log. Checks that could not run end up as notes.
"""

from __future__ import annotations

from collections.abc import Callable

from .checks_agent import check_agent
from .checks_calls import check_calls, check_logs
from .checks_credential import check_credential, check_hold, check_whitelist
from .checks_history import check_history
from .checks_numbers import check_numbers
from .evidence import Evidence, Skip, skipped
from .findings import Finding, ordered

Check = Callable[[Evidence], list[Finding]]

#: every check, in the order a person would look
CHECKS: tuple[Check, ...] = (check_agent, check_calls, check_history, check_numbers, check_credential,
                             check_whitelist, check_hold, check_logs)


def _skip_finding(skip: Skip) -> Finding:
    slug = skip.area.lower().replace(" ", "_")
    fix = ""
    if skip.area in ("Twilio routing", "missed calls") and "TWILIO_A" in skip.reason:
        fix = ("Set TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN (the Live credentials) and run the doctor again; the "
               "token is used for the check only and never stored.")
    return Finding(f"skipped.{slug}", "info", f"{skip.area}: not checked", f"Skipped: {skip.reason.rstrip('.')}.", fix)


def diagnose(evidence: Evidence) -> list[Finding]:
    """Every finding for this evidence, errors first. An agent that could not be read gives exactly one."""
    findings: list[Finding] = []
    for check in CHECKS:
        findings += check(evidence)
    if evidence.agent is not None:
        told = {f.id for f in findings}
        for skip in skipped(evidence):
            if skip.area in ("Twilio routing", "missed calls") and "twilio.rejected" in told:
                continue  # already a warning that says so
            findings.append(_skip_finding(skip))
    return ordered(findings)
