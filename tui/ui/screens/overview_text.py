"""What the Overview says about an agent and its phone channel (markup built from the models)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.markup import escape

if TYPE_CHECKING:
    from ...wiro.models import Agent
from ..widgets.header import status_class

HOLD_WORDS = {
    "none": "silence",
    "text": "spoken text",
    "audio": "a greeting recording",
    "music": "music",
    "audio_then_music": "a greeting recording, then music",
    "text_then_music": "spoken text, then music",
}


def agent_text(agent: Agent) -> str:
    cls = status_class(agent.status)
    lines = [f"[b]{escape(agent.title)}[/b]"]
    if agent.template_title:
        lines.append(f"[dim]{escape(agent.template_title)}[/dim]")
    status = agent.status_name + (" — restarting to apply a change" if agent.restarting else "")
    from ...wiro.models import status_meaning

    lines.append(f"[$agent-{cls}]● {escape(status)}[/] — {escape(status_meaning(agent.status))}")
    lines.append(f"[dim]guid {escape(agent.guid)}[/dim]")
    return "\n".join(lines)


def channel_values(agent: Agent) -> dict[str, str]:
    """The phone channel at a glance, as markup per key; empty when there is no credential yet."""
    cred = agent.credential
    if cred is None or cred.is_empty:
        return {}
    numbers = "\n".join(escape(n) for n in cred.phonenumbers) if cred.phonenumbers else "[$agent-error]none[/]"
    strategy = cred.holdstrategy or "none"
    hold = escape(HOLD_WORDS.get(strategy, strategy))
    if strategy in ("text", "text_then_music") and cred.holdtext:
        voice = cred.holdvoice or "account default voice"
        hold += f' ("{escape(clip(cred.holdtext, 48))}", {escape(voice)})'
    seconds = cred.maxcallseconds if cred.maxcallseconds is not None else 600
    whitelist = (
        f"[$agent-busy]on[/] — only {len(cred.whitelistedcallers)} listed caller(s) get through, others hear busy"
        if cred.whitelistedcallers
        else "off — every caller is answered"
    )
    if not cred.authtoken_set:
        token = "[$agent-error]missing[/]"
    elif cred.authtoken_unknown:
        token = "probably set (Wiro's answer does not say; a save without one keeps it)"
    else:
        token = "set (stored encrypted by Wiro)"
    return {
        "Numbers": numbers,
        "Hold": hold,
        "Max call": f"{seconds} s ({minutes(seconds)})",
        "Whitelist": whitelist,
        "Account": escape(cred.accountsid or "(no Account SID)"),
        "Auth token": token,
    }


def setup_hint_text(agent: Agent, *, credentials_key: str | None) -> str:
    """What is missing, and where to fill it in (the Credentials screen's key once that screen exists)."""
    cred = agent.credential
    missing = []
    if cred is None or not cred.accountsid:
        missing.append("Account SID")
    if cred is None or not cred.authtoken_set:
        missing.append("Auth Token")
    if cred is None or not cred.phonenumbers:
        missing.append("phone numbers")
    others = [k for k in agent.credentials_missing if k != "twilio-voice"]
    if others:
        missing.append(f"the {', '.join(others)} credential (in the Wiro panel)")
    if not missing:
        return (f"[$agent-error]Setup required[/]: the credentials look complete, but Wiro re-checks setup only when "
                f"asked. Save the credential once more (press [b]{escape(credentials_key or 'e')}[/b], then Ctrl+S): the "
                "save asks Wiro to re-check, then Start works.")
    what = ", ".join(missing)
    where = (
        f"Press [b]{escape(credentials_key)}[/b] to open Credentials."
        if credentials_key
        else "Fill them in through the Wiro panel (My Agents → the agent → Credentials → Twilio Voice)."
    )
    return f"[$agent-error]Setup required[/]: Wiro needs {what} before this agent can start. {where}"


def clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[: max(0, width - 1)] + "…"


def minutes(seconds: int) -> str:
    if seconds % 60 == 0:
        return f"{seconds // 60} min"
    return f"{seconds / 60:.1f} min"


def start_stop_question(verb: str, title: str, in_progress: int | None) -> str:
    """What Start or Stop will do, asked before it is done: the agent by name and what happens to calls.
    `in_progress` is the number of calls the last answer showed as incoming or active (None: not known)."""
    name = f"[b]{escape(title)}[/b]"
    if verb == "stop":
        if in_progress is None:
            calls = "Any call in progress ends."
        elif in_progress == 0:
            calls = "No call is in progress right now."
        else:
            calls = f"[b]{in_progress} call{'' if in_progress == 1 else 's'} in progress end{'s' if in_progress == 1 else ''}[/b]."
        return (f"Stop {name}?\n\nIt stops answering its numbers: callers hear nothing from the agent until it is "
                f"started again. {calls}\n\n[b]y[/b] / Enter stops it · Escape keeps it running")
    return (f"Start {name}?\n\nWiro queues the start; it takes a while (Queued → Starting → Running, usually under a "
            "minute). Calls are answered once it is Running; until then its numbers do not reach it.\n\n"
            "[b]y[/b] / Enter starts it · Escape leaves it stopped")
