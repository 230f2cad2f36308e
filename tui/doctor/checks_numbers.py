"""Do calls to each number reach Wiro: what Twilio routes (when it could be asked) and what the last save said.

Twilio's live view decides a number's routing when there is one; the last save report adds what Wiro said
(skipped, failed) and stands alone when Twilio could not be asked. A flow error (`twilioWebhookError`) in the
last save means no save succeeded after it: nothing was configured that round.
"""

from __future__ import annotations

import re

from ..twilio.classify import BUY_OR_IMPORT, FLAG_LABELS, SAVE_AGAIN, WIRO_OK
from ..webhooks.report import FAILED, NOT_IN_SAVE, SKIPPED, SaveReport
from .evidence import Evidence
from .findings import Finding
from .text import clock_time, plural, quote

SAVE_HOW = "Save the credential again (Webhooks screen → ctrl+g, Credentials → ctrl+s, or `wiro-voice save FILE`)"
_TOKEN_REFUSED = re.compile(r"\b(401|20003)\b|authenticat", re.IGNORECASE)
TOKEN_FIX = ("Check the Twilio account is active, then re-paste the Live Auth Token from Twilio Console → Account → "
             "Keys & Credentials → Live credentials (after rotating the token, the new one), then save: the save "
             "re-runs the webhook setup.")


def check_numbers(ev: Evidence) -> list[Finding]:
    """The last save's flow error and token refusals, the Twilio account, then each number in the credential."""
    if ev.agent is None or ev.credential is None or not ev.numbers:
        return []
    out: list[Finding] = []
    report = ev.report
    live = ev.twilio if ev.twilio is not None and ev.twilio.checked else None
    all_ring = live is not None and bool(live.numbers) and all(v.rings_agent for v in live.numbers)
    refused = _token_refused(report)
    if report is not None and report.error is not None:
        # newest docs: a refused token ends the whole webhook step (twilioWebhookError), not one number
        if _TOKEN_REFUSED.search(report.error):
            out.append(_token_finding(report, (), ev.taken_at))
        else:
            out.append(_flow_error(report, all_ring, ev.taken_at))
    elif refused:
        out.append(_token_finding(report, refused, ev.taken_at))
    out += _account(ev)
    verdicts = {v.number: v for v in live.numbers} if live is not None else {}
    for number in dict.fromkeys(ev.numbers):
        state = report.state_of(number) if report is not None and report.error is None else None
        verdict = verdicts.get(number)
        if verdict is not None:
            out += _from_verdict(verdict, state)
        elif state is not None and number not in refused:
            out += _from_report(number, state, report, ev.taken_at)
    if ev.report_warning:
        out.append(Finding("webhooks.report_unreadable", "info", "The stored save report could not be used",
                           quote(ev.report_warning, 400), ""))
    elif report is None:
        out.append(Finding("webhooks.no_report", "info", "No record of the last save on this machine",
                           "The credential was last saved elsewhere (the Wiro panel, another machine), so what Wiro "
                           "said about each number (updated, skipped, failed) is not known here.",
                           "Saving from wiro-voice (Credentials → ctrl+s, or `wiro-voice save FILE`) records it."))
    return out


def _flow_error(report: SaveReport, all_ring: bool, now: float) -> Finding:
    when = clock_time(report.made_at, now)
    detail = (f"The last save ({when}) answered twilioWebhookError: “{quote(report.error)}”. Wiro configured no "
              "number that round, and no save has succeeded since.")
    if all_ring:
        return Finding("webhooks.flow_error", "warning", "The last save could not set up the webhooks",
                       detail + " Twilio routes every number to Wiro today, so an earlier save (or a console "
                       "change) still holds.", f"{SAVE_HOW} to be sure the webhooks match this credential.")
    return Finding("webhooks.flow_error", "error", "The last save could not set up the webhooks",
                   detail, f"{SAVE_HOW}: it re-runs the webhook setup (a Twilio outage passes; an invalid Account "
                   "SID needs correcting first).")


def _token_refused(report: SaveReport | None) -> tuple[str, ...]:
    """Numbers the last save failed because Twilio refused the stored Account SID / Auth Token."""
    if report is None or report.error is not None:
        return ()
    return tuple(s.number for s in report.numbers
                 if s.state == FAILED and s.in_credential and _TOKEN_REFUSED.search(s.detail or ""))


def _token_finding(report: SaveReport, numbers: tuple[str, ...], now: float) -> Finding:
    if numbers:
        sample = next(s.detail for s in report.numbers if s.number == numbers[0])
        which = plural(len(numbers), "number")
    else:
        sample, which = report.error or "", "every number"
    return Finding(
        "credential.token_rejected", "error", "Twilio rejected the Auth Token stored in Wiro",
        f"On the last save ({clock_time(report.made_at, now)}) Twilio refused the Account SID / Auth Token for "
        f"{which} (“{quote(sample)}”), so Wiro could not write their webhooks — and calls fail Twilio's "
        "signature check. Either the token is not the account's Live Auth Token (an API Key Secret, or an old "
        "token after a rotation), or the Twilio account is suspended or closed.", TOKEN_FIX)


def _account(ev: Evidence) -> list[Finding]:
    check = ev.twilio
    if check is None:
        return []
    acct = check.account
    if acct.state == "rejected":
        return [Finding("twilio.rejected", "warning", f"Twilio refused the credentials from {ev.twilio_source}",
                        f"{quote(acct.message, 400)} Where each number's calls go was not checked.",
                        f"Set {ev.twilio_source or 'TWILIO_ACCOUNT_SID/TWILIO_AUTH_TOKEN'} to the Live credentials "
                        "of the account that owns the numbers, and run the doctor again.")]
    if not check.checked:
        return []
    out: list[Finding] = []
    if acct.state == "inactive":
        out.append(Finding("twilio.account_inactive", "error", f"The Twilio account is {acct.status}",
                           quote(acct.message, 400),
                           "Reactivate it in the Twilio Console (Billing), or move the numbers to an active account."))
    cred_sid = (ev.credential.accountsid or "").strip() if ev.credential else ""
    if cred_sid and acct.account_sid and cred_sid != acct.account_sid:
        out.append(Finding("twilio.other_account", "warning", "Twilio was checked on another account than Wiro's",
                           f"The numbers were looked up on {acct.account_sid} ({ev.twilio_source}), but the "
                           f"credential names {cred_sid}: Wiro configures the numbers on that one.",
                           f"Set TWILIO_ACCOUNT_SID to {cred_sid} (or unset it) and run the doctor again — or, if "
                           f"{acct.account_sid} is right, correct the credential's Account SID and save."))
    if (acct.type or "").lower() == "trial":
        out.append(Finding("twilio.trial", "warning", "The Twilio account is a Trial account",
                           "Trial accounts take calls only from verified caller IDs and play a trial notice first: "
                           "other callers never reach the agent.",
                           "Upgrade the account in the Twilio Console, or verify the caller IDs you test with."))
    return out


def _from_verdict(verdict, state) -> list[Finding]:
    number = verdict.number
    saved = f" The last save said: {quote(state.label)}." if state is not None else ""
    out: list[Finding] = []
    if verdict.verdict != WIRO_OK:
        out.append(Finding(f"number.{verdict.verdict}:{number}", "error", f"{number}: {verdict.title}",
                           quote(verdict.detail, 600) + saved, verdict.fix or SAVE_AGAIN))
    for flag in verdict.flags:
        out.append(Finding(f"number.{flag.id}:{number}", flag.level, f"{number}: {FLAG_LABELS.get(flag.id, flag.id)}",
                           quote(flag.message, 600), flag.fix))
    return out


def _from_report(number: str, state, report: SaveReport, now: float) -> list[Finding]:
    when = clock_time(report.made_at, now)
    absent = "no matching incomingphonenumber" in (state.detail or "").lower()
    if absent and state.state in (SKIPPED, FAILED):  # newest docs: in Failed; older: in Skipped
        return [Finding(f"webhooks.not_on_account:{number}", "error", f"{number}: not on the Twilio account",
                        f"On the last save ({when}) Wiro found no such number on the Twilio account whose Account SID "
                        f"the credential holds (“{quote(state.detail or '')}”), so calls to it never reach the agent.",
                        BUY_OR_IMPORT)]
    if state.state == SKIPPED:
        reason = state.detail or "no reason given"
        return [Finding(f"webhooks.skipped:{number}", "error", f"{number}: skipped on the last save",
                        f"Wiro skipped it on the last save ({when}): “{quote(reason)}”."
                        + (" The number is not on the Twilio account whose Account SID the credential holds, so "
                           "calls to it never reach the agent." if absent else ""),
                        BUY_OR_IMPORT if absent else f"{SAVE_HOW} once the reason is fixed.")]
    if state.state == FAILED:
        return [Finding(f"webhooks.failed:{number}", "error", f"{number}: Twilio refused the webhook on the last save",
                        f"Twilio answered the last save ({when}) with “{quote(state.detail or 'an error')}”, so the "
                        "number still routes wherever it did before.", f"{SAVE_HOW}; if it fails again, the error says why.")]
    if state.state == NOT_IN_SAVE:
        return [Finding(f"webhooks.not_saved:{number}", "warning", f"{number}: not in the last save",
                        f"The number was added to the credential after the last save ({when}), so Wiro has not "
                        "written its webhook yet.", f"{SAVE_HOW}.")]
    return []
