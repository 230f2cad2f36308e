"""Words and rows for the Webhooks screen (no widgets: easy to test)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Callable, Sequence

from rich.text import Text
from textual.markup import escape

from ...common.text import plural, printable

COLUMNS = (("number", "Number"), ("saved", "Last save (Wiro)"), ("twilio", "On Twilio"), ("fix", "What to do"))
#: the narrowest each column may get before its text wraps, and the widest worth giving it
MIN_WIDTHS = {"number": 8, "saved": 9, "twilio": 12, "fix": 16}
TOKEN_HELP = ("Looks each number up on your Twilio account with the Account SID from the credential and the Auth "
              "Token (never stored). It shows what really answers each number — Wiro's webhook, a TwiML App, a SIP "
              "Trunk, a Studio Flow — and the numbers on the account this agent does not answer.")


@dataclass(frozen=True)
class Row:
    number: str
    in_credential: bool
    saved: Any = None  # webhooks.report.NumberState | None (None: no report on this machine)
    verdict: Any = None  # twilio.classify.NumberVerdict | None (None: not verified this session)


def rows(numbers: Sequence[str], report: Any, check: Any) -> list[Row]:
    """The credential's numbers in order, then numbers only the last save mentioned, then the Twilio account's
    numbers that the credential does not list."""
    verdicts = {v.number: v for v in check.numbers} if check is not None and check.checked else {}
    out: list[Row] = []
    states = report.states_for(numbers) if report is not None else [None] * len(numbers)
    listed = list(dict.fromkeys(numbers))
    for number, state in zip(listed, states[: len(listed)]):
        out.append(Row(number, True, state, verdicts.get(number)))
    if report is not None:
        for state in states[len(listed):]:
            out.append(Row(state.number, False, state, None))
    if check is not None and check.checked:
        seen = {r.number for r in out}
        out.extend(Row(v.number, False, None, v) for v in check.unlisted if v.number not in seen)
    return out


def _saved_cell(row: Row) -> tuple[str, str]:
    if row.saved is None:
        return ("no report" if row.in_credential else "not in credential"), ""
    state = row.saved.state
    colour = {"updated": "webhook-ok", "skipped": "webhook-skipped", "failed": "webhook-failed"}.get(state, "")
    return {"not_in_save": "not in the last save"}.get(state, state), colour


def _twilio_cell(row: Row) -> tuple[str, str]:
    verdict = row.verdict
    if verdict is None:
        return ("not checked" if row.in_credential else "—"), ""
    if not row.in_credential:
        return verdict.title, ""  # not this agent's number: shown for information, not as a problem
    colour = "webhook-ok" if verdict.ok else "webhook-skipped" if verdict.rings_agent else "webhook-failed"
    return verdict.title, colour


def _fix_cell(row: Row) -> str:
    if not row.in_credential:
        fix = "on Twilio, not answered by this agent" if row.verdict is not None else ""
    elif row.verdict is not None and not row.verdict.ok:
        fix = row.verdict.fix or next((f.fix for f in row.verdict.flags), "")
    elif row.saved is not None and row.saved.state in ("skipped", "failed"):
        fix = row.saved.detail or ""
    else:
        fix = ""
    return first_sentence(fix)


def first_sentence(text: str) -> str:
    """The fix's first sentence, whole (the table wraps it; the detail below has the rest)."""
    end = text.find(". ")
    return text if end < 0 else text[: end + 1]


def column_widths(rows: Sequence[Row], room: int) -> dict[str, int]:
    """Widths for the four columns within `room` cells of text (cell padding already taken off): each column as
    wide as its longest text when everything fits; otherwise the number and last-save columns keep theirs (as
    far as they can) and On Twilio and What to do share the rest, wrapping."""
    natural = {key: max([len(label), *(len(str(cells(r, lambda _v: "")[i].plain)) for r in rows)])
               for i, (key, label) in enumerate(COLUMNS)}
    if sum(natural.values()) <= room:
        return natural
    widths = {key: min(natural[key], max(MIN_WIDTHS[key], natural[key])) for key in ("number", "saved")}
    if sum(widths.values()) + MIN_WIDTHS["twilio"] + MIN_WIDTHS["fix"] > room:
        widths["saved"] = MIN_WIDTHS["saved"]
    rest = max(MIN_WIDTHS["twilio"] + MIN_WIDTHS["fix"], room - widths["number"] - widths["saved"])
    widths["twilio"] = min(natural["twilio"], max(MIN_WIDTHS["twilio"], rest // 3))
    widths["fix"] = max(MIN_WIDTHS["fix"], rest - widths["twilio"])
    return widths


def cells(row: Row, colour: Callable[[str], str]) -> list[Text]:
    saved, saved_colour = _saved_cell(row)
    twilio, twilio_colour = _twilio_cell(row)
    return [
        Text(printable(row.number), style="" if row.in_credential else "dim"),
        Text(printable(saved), style=colour(saved_colour) if saved_colour else "dim"),
        Text(printable(twilio), style=colour(twilio_colour) if twilio_colour else "dim"),
        Text(printable(_fix_cell(row))),
    ]


def detail(row: Row) -> str:
    """Everything known about the highlighted number, with the fixes in full."""
    lines = [f"[b]{escape(printable(row.number))}[/b]" + ("" if row.in_credential else " (not in the credential)")]
    if row.saved is not None:
        lines.append(f"Last save: {escape(printable(row.saved.label))}")
    verdict = row.verdict
    if verdict is None:
        if row.in_credential:
            lines.append("On Twilio: not checked yet — Ctrl+T verifies every number.")
    else:
        lines.append(f"On Twilio: {escape(printable(verdict.title))}. {escape(printable(verdict.detail))}")
        res = verdict.resource
        if res is not None and res.voice_url:
            lines.append(f"  Voice URL: {escape(printable(res.voice_url))} ({escape(res.voice_method or '?')})")
        if verdict.application is not None and verdict.application.voice_url:
            lines.append(f"  The TwiML App's voice URL: {escape(printable(verdict.application.voice_url))}")
        if verdict.fix and not verdict.ok:
            lines.append(f"  Fix: {escape(printable(verdict.fix))}")
        for flag in verdict.flags:
            mark = "⚠" if flag.level == "warning" else "✖"
            lines.append(f"  {mark} {escape(printable(flag.message))} Fix: {escape(printable(flag.fix))}")
    return "\n".join(lines)


def banner(report: Any) -> str | None:
    if report is None or report.banner is None:
        return None
    return f"✖ {escape(printable(report.banner))}"


def state_line(snap: Any, check: Any, local_time: Callable[[float], datetime]) -> str:
    if snap.error:
        return f"✖ Could not load the credential: {escape(snap.error)} Press r to try again."
    who = f"[b]{escape(printable(snap.title))}[/b] · " if snap.title else ""
    if not snap.numbers:
        return f"{who}The credential has no phone numbers yet: add them on Credentials (e)."
    report = snap.report
    saved = (f"last save {local_time(report.made_at):%Y-%m-%d %H:%M}" if report is not None
             else "no save report on this machine yet (saving from Credentials makes one)")
    if check is None:
        live = "Twilio not checked (Ctrl+T)"
    elif not check.checked:
        live = f"Twilio check failed: {escape(printable(check.error or ''))}"
    else:
        ringing = sum(1 for v in check.numbers if v.rings_agent)
        live = f"{ringing} of {plural(len(check.numbers), 'number')} ring the agent"
    return f"{who}{plural(len(snap.numbers), 'number')} · {saved} · {live}"


def account_line(check: Any) -> str:
    if check is None:
        return ""
    account = check.account
    mark = "✔" if account.ok else "✖"
    line = f"{mark} {escape(printable(account.message))}"
    if check.checked and check.unlisted:
        line += (f"\n{plural(len(check.unlisted), 'other number')} on the account "
                 f"{'is' if len(check.unlisted) == 1 else 'are'} not answered by this agent (listed dim).")
    return line


def tester_line(result: Any, whitelist: Sequence[str]) -> tuple[str, str]:
    """The tester's answer and its level: ok (reaches the agent), error (busy), or "" (nothing typed)."""
    if not result.caller:
        listed = ", ".join(printable(w) for w in whitelist) if whitelist else "empty: everyone reaches the agent"
        return f"Whitelist: {escape(listed)}\n{escape(printable(result.reason))}", ""
    mark = "✔ reaches the agent" if result.reaches else "✖ busy signal"
    lines = [f"{mark} — {escape(printable(result.reason))}"]
    if result.add_forms and not result.reaches:
        lines.append("To let this caller in, add: " + ", ".join(escape(printable(f)) for f in result.add_forms))
    return "\n".join(lines), "ok" if result.reaches else "error"


def saved_again_toast(report: Any) -> str:
    if report.error:
        return "Wiro still could not set up the webhooks; the banner says why."
    updated = sum(1 for n in report.numbers if n.state == "updated")
    return f"{plural(updated, 'number')} pointed at Wiro."
