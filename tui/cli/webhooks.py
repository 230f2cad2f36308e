"""`wiro-voice webhooks [--json]`: the last save report beside the live verification of every number.

Exit codes: 0 the account is active and every configured number rings the agent with nothing to fix;
1 any problem found (on Twilio, or a number with a flag); 2 nothing could be checked, with the reason.
The live check decides the exit code: the stored save report is context (it may predate a console fix).

Twilio credentials follow `tui.twilio.access`: TWILIO_ACCOUNT_SID / TWILIO_AUTH_TOKEN, else the Account SID
from the agent's credential and the token typed at a hidden prompt (only when stdin is a terminal); with
--demo the simulator's own account. The token is never printed or stored.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any, TextIO

from ..common.text import printable
from ..config import ENV_TWILIO_SID
from . import common
from .common import CliError, plural

# The checks themselves load only when the command runs.
if TYPE_CHECKING:
    import argparse

    from ..twilio.classify import NumberVerdict
    from ..twilio.verify import NumbersCheck
    from ..webhooks.report import NumberState, SaveReport
    from ..webhooks.store import LoadedReport


def add_parsers(subparsers: Any) -> argparse.ArgumentParser:
    """Register `webhooks` on the subcommand parsers (with the shared connection options)."""
    parser = subparsers.add_parser(
        "webhooks",
        help="verify on Twilio where each configured number's calls go (needs TWILIO_ACCOUNT_SID/TWILIO_AUTH_TOKEN "
             "or a prompt)",
    )
    common.connection_options(parser)
    parser.add_argument("--json", action="store_true", help="one JSON document on stdout")
    return parser


def _prompt() -> Callable[[str], str] | None:
    if not sys.stdin.isatty():
        return None
    import getpass

    def ask(text: str) -> str:
        try:
            return getpass.getpass(text)
        except EOFError:
            return ""

    return ask


def run(args: argparse.Namespace) -> int:
    """The `webhooks` command from parsed options; returns the exit code (errors raise CliError)."""
    with common.session(args) as (settings, sim):
        guid = common.need_agent(settings)

        async def go() -> int:
            async with common.client(settings) as client:
                return await check_webhooks(client, guid, settings, demo=sim, prompt=_prompt(),
                                            as_json=bool(args.json), out=sys.stdout, err=sys.stderr)

        return common.run(go())


async def check_webhooks(client: Any, guid: str, settings: Any, *, demo: Any = None,
                         prompt: Callable[[str], str] | None = None, as_json: bool = False,
                         out: TextIO, err: TextIO) -> int:
    """Read the agent's numbers from Wiro, look each one up on Twilio, print the verdicts beside the
    stored save report. `prompt` asks for a missing token (None: never ask). Raises CliError when nothing
    can be checked; Wiro's own errors are left to the caller."""
    from ..twilio.access import NoAccess, twilio_access
    from ..twilio.verify import verify_numbers, wiro_hosts_for
    from ..webhooks.store import load_report, report_path, reports_dir

    agent = await client.detail(guid)
    cred = agent.credential
    numbers = cred.phonenumbers if cred is not None else ()
    if not numbers:
        raise CliError("The agent's Twilio credential lists no phone numbers, so there is nothing to check. "
                       "Add numbers in the Credentials screen (or `wiro-voice save FILE`) first.", common.EXIT_ERROR)
    credential_sid = cred.accountsid if cred else None
    access = twilio_access(credential_sid, settings, demo=demo)
    if isinstance(access, NoAccess) and access.missing == "token" and prompt is not None:
        typed = prompt(f"Twilio Auth Token for {access.account_sid} (input hidden, not stored): ")
        access = twilio_access(credential_sid, settings, typed_token=typed, demo=demo)
    if isinstance(access, NoAccess):
        raise CliError(access.message, common.EXIT_ERROR)
    warnings: list[str] = []
    if cred is not None and cred.accountsid and access.account_sid != cred.accountsid:
        warnings.append(f"Checking Twilio account {access.account_sid} ({ENV_TWILIO_SID}), but the credential names "
                        f"{cred.accountsid}: Wiro configures the numbers on that one.")
    check = await verify_numbers(numbers, access.account_sid, access.token, settings.twilio_base, agent_guid=guid,
                                 wiro_hosts=wiro_hosts_for(settings.api_base))
    loaded = load_report(report_path(reports_dir(settings.config_path), guid))
    if loaded.warning:
        warnings.append(loaded.warning)
    warnings.extend(check.account.warnings)
    for warning in warnings:  # before a failure too: a token's shape may be the hint that explains it
        common.say(err, printable(warning))
    if not check.checked:
        raise CliError(f"Nothing could be checked: {check.error}", common.EXIT_ERROR)
    common.emit(to_document(check, loaded, numbers, warnings), render_text(check, loaded, numbers, agent.title),
                as_json=as_json, out=out)
    return common.EXIT_OK if check.ok else common.EXIT_PROBLEMS


# -- output -----------------------------------------------------------------------------------------


def to_document(check: NumbersCheck, loaded: LoadedReport, configured: Sequence[str],
                warnings: Sequence[str] = ()) -> dict[str, Any]:
    """The `--json` document: DESIGN.md's `numbers` list, each with its state from the last save."""
    report = loaded.report
    numbers = []
    for verdict in check.numbers:
        row = verdict.to_json()
        row["last_save"] = _state_json(report.state_of(verdict.number)) if report else None
        numbers.append(row)
    return {
        "ok": check.ok,
        "numbers": numbers,
        "unlisted": [v.to_json() for v in check.unlisted],
        "account": check.account.to_json(),
        "last_save": None if report is None else {
            "made_at": report.made_at, "error": report.error, "banner": report.banner, "unknown": list(report.unknown),
            "numbers": [_state_json(s) for s in report.states_for(configured)],
        },
        "warnings": list(warnings),
    }


def _state_json(state: NumberState) -> dict[str, Any]:
    return {"number": state.number, "state": state.state, "detail": state.detail, "in_credential": state.in_credential}


def _when(epoch: float) -> str:
    try:
        return datetime.fromtimestamp(epoch).strftime("%Y-%m-%d %H:%M")
    except (OverflowError, OSError, ValueError):
        return "at an unknown time"


def render_text(check: NumbersCheck, loaded: LoadedReport, configured: Sequence[str], agent_title: str = "") -> str:
    """The human report: account, last save, one block per number with its fix, the account's other numbers."""
    acct = check.account
    from ..twilio.classify import FLAG_LABELS

    report: SaveReport | None = loaded.report
    lines = []
    if agent_title:
        lines.append(f"Agent: {printable(agent_title)}")
    name = printable(acct.friendly_name) or acct.account_sid
    facts = ", ".join(x for x in (acct.type, acct.status) if x)
    lines.append(f"Twilio account: {name} ({acct.account_sid}{', ' + printable(facts) if facts else ''})")
    if not acct.ok:
        lines.append(f"  ! {printable(acct.message)}")
    if report is None:
        lines.append("Last save: no report stored on this machine (saving the credential from wiro-voice makes one).")
    else:
        lines.append(f"Last save: {_when(report.made_at)}")
        if report.banner:
            lines.append(f"  ! {printable(report.banner)}")
        for text in report.unknown:
            lines.append(f"  ? Wiro also said: {printable(text)}")
    lines.append("")
    width = max((len(printable(v.number)) for v in check.numbers), default=12)
    for verdict in check.numbers:
        lines.extend(_block(verdict, report, width))
    if check.unlisted:
        lines.append("")
        lines.append("On Twilio, not answered by this agent (not in the credential):")
        for verdict in check.unlisted:
            label = printable(verdict.resource.friendly_name if verdict.resource else None)
            extra = "; ".join(FLAG_LABELS[f.id] for f in verdict.flags if f.level == "error")
            lines.append(f"  {printable(verdict.number):<{width}}  {label + ' — ' if label else ''}"
                         f"{printable(verdict.title)}{'; ' + extra if extra else ''}")
    ringing = sum(1 for v in check.numbers if v.rings_agent)
    attention = sum(1 for v in check.numbers if not v.ok)
    lines.append("")
    summary = f"{ringing} of {plural(len(check.numbers), 'number')} {'rings' if len(check.numbers) == 1 else 'ring'} the agent"
    lines.append(summary + (f"; {attention} {'needs' if attention == 1 else 'need'} attention." if attention
                            else "; nothing to fix."))
    return "\n".join(lines)


def _block(verdict: NumberVerdict, report: SaveReport | None, width: int) -> list[str]:
    mark = "ok" if verdict.ok else "!!" if not verdict.rings_agent else "ok*"
    saved = f"   [last save: {printable(report.state_of(verdict.number).label)}]" if report else ""
    out = [f"{mark:<3} {printable(verdict.number):<{width}}  {printable(verdict.title)}{saved}"]
    indent = " " * 4
    if verdict.verdict != "wiro_ok":
        out.append(f"{indent}{printable(verdict.detail)}")
        if verdict.fix:
            out.append(f"{indent}Fix: {printable(verdict.fix)}")
    for flag in verdict.flags:
        out.append(f"{indent}{'Warning' if flag.level == 'warning' else 'Also'}: {printable(flag.message)}")
        out.append(f"{indent}Fix: {printable(flag.fix)}")
    return out
