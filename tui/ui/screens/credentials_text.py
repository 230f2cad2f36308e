"""Words and small decisions for the Credentials screen: no widgets here, so they are easy to test."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any, Callable, Iterable, Mapping

from textual.markup import escape

from ...credential.draft import CredentialDraft
from ...credential.drafts import StoredDraft
from ...credential.edits import changed_fields, restorable
from ...problems import Problem

STRATEGY_OPTIONS: list[tuple[str, str]] = [
    ("none — silence until the agent answers", "none"),
    ("text — a spoken sentence", "text"),
    ("audio — a greeting file", "audio"),
    ("music — a music loop", "music"),
    ("audio_then_music — greeting, then music", "audio_then_music"),
    ("text_then_music — spoken sentence, then music", "text_then_music"),
]

LABELS = {
    "accountsid": "Account SID", "authtoken": "Auth Token", "phonenumbers": "phone numbers",
    "whitelistedcallers": "whitelist", "maxcallseconds": "max call seconds", "holdstrategy": "hold strategy",
    "holdtext": "hold text", "holdvoice": "voice", "holdaudio": "greeting", "holdmusic": "music",
}
_INDEXED = re.compile(r"^(\w+)\[(\d+)\]$")


def split_values(typed: str) -> list[str]:
    from ...credential.phones import split_list

    return split_list(typed)


def fields_used(strategy: str) -> set[str]:
    from ...credential.rules import fields_used as used

    return set(used(strategy))


def base_field(field: str) -> str:
    """`phonenumbers` for `phonenumbers[2]`."""
    match = _INDEXED.match(field)
    return match.group(1) if match else field


def has_value(draft: CredentialDraft, name: str) -> bool:
    if name == "authtoken":
        return draft.authtoken is not None or draft.token_on_server
    value = getattr(draft, name)
    return bool(value) if isinstance(value, tuple) else bool(str(value).strip())


def group_problems(problems: Iterable[Problem]) -> dict[str, list[Problem]]:
    grouped: dict[str, list[Problem]] = {}
    for problem in problems:
        grouped.setdefault(problem.field or "form", []).append(problem)
    return grouped


def item_problems(by_field: Mapping[str, list[Problem]], name: str, item_count: int) -> tuple[dict[int, list[Problem]], list[Problem]]:
    """Problems for `name[i]`: those of added items by index, and those of the text still being typed."""
    items: dict[int, list[Problem]] = {}
    pending: list[Problem] = []
    for field, problems in by_field.items():
        match = _INDEXED.match(field)
        if match and match.group(1) == name:
            index = int(match.group(2))
            if index < item_count:
                items.setdefault(index, []).extend(problems)
            else:
                pending.extend(problems)
    return items, pending


# -- notes beside fields ------------------------------------------------------------------------------


def holdtext_note(holdtext: str) -> str:
    from ...credential.ssml import summarize

    if not holdtext.strip():
        return ""
    summary = summarize(holdtext)
    tags = " (tags not counted)" if summary.has_markup else ""
    return (f"{len(summary.plain_text)}/3000 characters{tags} · about {summary.seconds:.1f} s spoken "
            "(the agent connects in ~5–8 s)")


def token_note(draft: CredentialDraft) -> str:
    if draft.authtoken is not None:
        return ""
    return "unchanged: Wiro keeps the saved token" if draft.token_on_server else ""


def voice_note(voice: str) -> str:
    from ...credential.voices import language_of

    if not voice.strip():
        return "the Twilio account's default voice"
    language = language_of(voice.strip())
    return f"language {escape(language)}" if language else ""


def file_note(value: str) -> str:
    """Duration, channels, rate and size of a chosen local file (from the rules' cached probe)."""
    value = value.strip()
    if not value or value.startswith(("http://", "https://")):
        return "a URL: played by Twilio as it is (not checked from here)" if value else ""
    from ...credential.probes import probe_cached
    from ...hold.probe import ProbeError

    try:
        info = probe_cached(value)
    except ProbeError:
        return ""  # the problem line says what is wrong
    return escape(info.summary())


# -- the state line and the save button -------------------------------------------------------------------


def state_line(title: str, changed: list[str]) -> str:
    who = f"[b]{escape(title)}[/b] · " if title else ""
    if not changed:
        return f"{who}as saved in Wiro"
    names = ", ".join(LABELS.get(n, n) for n in changed)
    return f"{who}[b]● {len(changed)} unsaved change{'s' if len(changed) != 1 else ''}[/b] ({escape(names)})"


def save_reason(errors: list[Problem], changed: list[str], saving: bool) -> str:
    if saving:
        return "saving…"
    if errors:
        first = errors[0]
        where = LABELS.get(_INDEXED.sub(r"\1", first.field), first.field)
        more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        return f"Save is off until the errors are fixed: {escape(where)}: {escape(first.message)}{more}"
    return "" if changed else "nothing to save"


def blocked_line(errors: list[Problem]) -> str:
    return f"✖ Not saved: {len(errors)} error{'s' if len(errors) != 1 else ''} to fix first (marked ✖ beside the fields)."


# -- drafts ---------------------------------------------------------------------------------------------------


def draft_offer(stored: StoredDraft, loaded: CredentialDraft, local_time: Callable[[float], datetime]) -> str:
    changed = changed_fields(loaded, restorable(stored, loaded))
    when = local_time(stored.saved_at).strftime("%Y-%m-%d %H:%M") if stored.saved_at else "an earlier session"
    names = ", ".join(LABELS.get(n, n) for n in changed)
    return f"Unsaved edits from {when} are kept ({escape(names)}). Restore them?"


def leave_question(changed: list[str]) -> str:
    names = ", ".join(LABELS.get(n, n) for n in changed)
    return (f"You changed {escape(names)} and have not saved.\n"
            "Leaving keeps them as a draft (without the Auth Token) and offers them back next time.")


def revert_question(changed: list[str]) -> str:
    names = ", ".join(LABELS.get(n, n) for n in changed)
    return f"Throw away your changes to {escape(names)} and go back to what Wiro has?"


# -- Twilio verification ---------------------------------------------------------------------------------------


def account_check_line(check: Any) -> tuple[str, str]:
    """One line for the outcome of "Verify with Twilio", and its level (ok / warning / error)."""
    mark = {"valid": "✔", "inactive": "⚠"}.get(check.state, "✖")
    line = f"{mark} {escape(check.message)}"
    for warning in check.warnings:
        line += f"\n⚠ {escape(warning)}"
    return line, {"valid": "ok", "inactive": "warning"}.get(check.state, "error")


# -- save outcome ----------------------------------------------------------------------------------------------


def outcome_saved(outcome: Any) -> bool:
    return bool(outcome.saved)


def save_outcome_line(outcome: Any, routing: Any = None) -> tuple[str, str]:
    """What the save did, in a few lines, and its level (ok / warning / error): rows applied, how many numbers
    Wiro configured and — when Twilio was asked afterwards (`routing`, a NumbersCheck) — how many of them really
    ring the agent, what Wiro did with the others (skipped, failed), the files stored, and the status after it."""
    if not outcome.saved:
        # the failure already says "Not saved: …" (the save command prints it as is), or, after a timeout, that
        # the save may have happened: say it once, in its own words
        why = (outcome.error or "the save failed").strip().rstrip(".")
        if not why.startswith("Not saved") and "may or may not have happened" not in why:
            why = f"Not saved: {why}"
        rows = getattr(outcome, "row_errors", ())
        beside = " Wiro's reasons are beside the fields." if rows else ""
        return f"✖ {escape(why)}. Every edit is still here.{beside}", "error"
    lines = []
    level = "ok"
    applied = getattr(outcome, "applied", None)
    rows_text = f" ({applied} row{'s' if applied != 1 else ''} applied)" if applied is not None else ""
    failure = getattr(outcome, "failure", None)
    if failure is not None:
        lines.append(f"⚠ {escape(failure.message)}")
        level = "warning"
    result = outcome.result
    if result is None:
        lines.insert(0, f"✔ Saved{rows_text}.")
    elif result.error:
        lines.insert(0, f"⚠ Saved{rows_text}, but Wiro could not configure any number this round: "
                        f"{escape(result.error)}. Save again once it is fixed.")
        level = "warning"
    else:
        configured = configured_text(result, routing)
        parts = [configured]
        if result.skipped or result.skipped_reason:
            parts.append("the webhook step skipped" if result.skipped_reason else f"{len(result.skipped)} skipped")
        if result.failed:
            parts.append(f"{len(result.failed)} failed")
        lines.insert(0, f"✔ Saved{rows_text}: " + "; ".join(parts) + ".")
        if result.skipped_reason:
            lines.append(f"  skipped (every number): {escape(result.skipped_reason)}")
        for item in result.skipped:
            lines.append(f"  skipped {escape(item.number or '')}: {escape(item.text or 'no reason given')}")
        for item in result.failed:
            lines.append(f"  failed {escape(item.number or '')}: {escape(item.text or 'no error given')}")
        for verdict in elsewhere(routing):
            lines.append(f"  {escape(verdict.number)}: {escape(routed_to(verdict))} — it does not ring the agent")
        if result.webhook_problems or elsewhere(routing):
            level = "warning"
    for name in getattr(outcome, "files_written", ()):
        lines.append(f"  {escape(LABELS.get(name, name))}: stored by Wiro")
    status = status_after_line(outcome)
    if status:
        lines.append(status)
        if getattr(outcome, "update_error", None) or getattr(outcome, "still_needs_setup", False):
            level = "warning"
    return "\n".join(lines), level


def elsewhere(routing: Any) -> list[Any]:
    """The numbers Twilio routes somewhere other than this agent, after a save (none when it was not asked)."""
    if routing is None or not routing.checked:
        return []
    return [verdict for verdict in routing.numbers if not verdict.rings_agent]


def routed_to(verdict: Any) -> str:
    """Why a number does not ring the agent, in a few words ("Routed to a SIP Trunk")."""
    if verdict.verdict != "wiro_ok":
        return verdict.title
    return "; ".join(flag.message for flag in verdict.flags if flag.level == "error") or verdict.title


def configured_text(result: Any, routing: Any) -> str:
    """"4 configured by Wiro; 2 still routed elsewhere on Twilio — see Webhooks", or that Twilio confirms them,
    or (Twilio not asked) that this is Wiro's word."""
    count = len(result.updated)
    configured = f"{count} {'number' if count == 1 else 'numbers'} configured by Wiro"
    if not count:
        return configured
    if routing is None:
        return f"{configured} (Twilio not asked: Webhooks checks where they really ring)"
    if not routing.checked:
        return f"{configured} (Twilio could not say where they ring: {escape(routing.error or 'no answer')})"
    astray = len(elsewhere(routing))
    if astray:
        return f"{configured}; {astray} still routed elsewhere on Twilio — see Webhooks"
    return f"{configured}; Twilio confirms {'it rings' if count == 1 else f'all {count} ring'} the agent"


def status_after_line(outcome: Any) -> str:
    """The agent's status after the save: out of setup (Update), still in setup, or restarting."""
    from ...wiro.models import status_name

    before, after = getattr(outcome, "status_before", None), getattr(outcome, "status_after", None)
    if getattr(outcome, "update_error", None):
        return f"⚠ {escape(outcome.update_error)}"
    if getattr(outcome, "updated_setup", False):
        if getattr(outcome, "still_needs_setup", False):
            return f"⚠ Status: still {escape(status_name(after))} after Wiro re-checked setup."
        return (f"Status: {escape(status_name(before))} → {escape(status_name(after))} (Wiro re-checked setup). "
                "Start the agent on the Overview (o, then s).")
    if after is not None and before in (3, 4) and after in (1, 2, 3):
        return f"Status: {escape(status_name(before))} → {escape(status_name(after))}: Wiro restarts it to apply the change."
    return ""


def row_messages(outcome: Any) -> dict[str, list[str]]:
    """Wiro's refusals of single rows, by the field they belong to ("" for the credential as a whole)."""
    grouped: dict[str, list[str]] = {}
    for row in getattr(outcome, "row_errors", ()):
        grouped.setdefault(row.field, []).append(row.message)
    return grouped


def save_toast(outcome: Any, routing: Any = None) -> str:
    result = outcome.result
    if getattr(outcome, "row_errors", ()):
        return f"Saved in part: Wiro refused {len(outcome.row_errors)} field(s); the reasons are beside them."
    if result is None or result.error:
        return "Saved. The webhooks were not configured this round."
    if result.skipped_reason:
        return f"Saved. Wiro skipped the webhooks: {result.skipped_reason}"
    return f"Saved: {configured_text(result, routing)}."


def saved_draft(sent: CredentialDraft, outcome: Any) -> CredentialDraft:
    """What Wiro has now: the credential as read back after the save when there is one (a partial save leaves
    the refused fields as they were), else what was sent, with stored files as Wiro answered them and the
    token kept server-side."""
    after = getattr(outcome, "agent_after", None)
    if after is not None and after.credential is not None:
        return CredentialDraft.from_credential(after.credential)
    uploaded = dict(getattr(outcome, "uploaded", {}) or {})
    return sent.replace(
        authtoken=None,
        token_on_server=sent.token_on_server or sent.authtoken is not None,
        holdaudio=uploaded.get(sent.holdaudio, sent.holdaudio),
        holdmusic=uploaded.get(sent.holdmusic, sent.holdmusic),
    )
