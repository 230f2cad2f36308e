"""`wiro-voice agents`, `status`, `start` and `stop`: the project's agents and one agent's state.

Each command is an async function of an open WiroClient and the stream to write to; Wiro's errors are
raised for the caller (`common.run` turns a refusal into exit 1, anything else into exit 2).
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any, TextIO

from ..common.text import printable
from . import common

if TYPE_CHECKING:
    import argparse


def add_parsers(subparsers: Any) -> None:
    """Register `agents`, `status`, `start` and `stop`."""
    agents = subparsers.add_parser("agents", help="list your agents (MyAgents)")
    common.connection_options(agents)
    agents.add_argument("--json", action="store_true", help="one JSON document on stdout")

    status = subparsers.add_parser("status", help="the agent's status and phone channel (Detail)")
    common.connection_options(status)
    status.add_argument("--json", action="store_true", help="one JSON document on stdout")

    for verb in ("start", "stop"):
        p = subparsers.add_parser(verb, help=f"ask Wiro to {verb} the agent")
        common.connection_options(p)
        p.add_argument("--json", action="store_true", help="one JSON document on stdout")
        p.add_argument("--yes", "-y", action="store_true",
                       help="accepted for symmetry with the dashboard's confirmation; the command never asks")


async def list_agents(client: Any, *, as_json: bool = False, out: TextIO) -> int:
    """The project's agents: guid, title and status, one per line (or `{"agents": […]}`)."""
    from ..wiro import status_name

    agents = await client.my_agents()
    rows = [{"guid": a.guid, "title": a.title, "status": a.status, "statusLabel": status_name(a.status),
             "setuprequired": a.setuprequired, "template": a.template_slug} for a in agents]
    width = max((len(printable(a.title)) for a in agents), default=5)
    text = "\n".join(f"{printable(a.guid)}  {printable(a.title):<{width}}  {status_name(a.status)}" for a in agents)
    text = text or "No agents in this project."
    common.emit({"agents": rows}, text, as_json=as_json, out=out)
    return common.EXIT_OK


async def show_status(client: Any, guid: str, *, as_json: bool = False, out: TextIO) -> int:
    """One agent: its state and what it means, its numbers, hold strategy, call limit and whitelist."""
    from ..wiro import status_meaning

    agent = await client.detail(guid)
    cred = agent.credential
    document = {
        "guid": agent.guid,
        "title": agent.title,
        "status": agent.status,
        "statusLabel": agent.status_name,
        "setuprequired": agent.needs_setup,
        "credential": dict(cred.raw) if cred else None,
    }
    lines = [f"{printable(agent.title)} ({printable(agent.guid)})", f"status: {agent.status_name} — {status_meaning(agent.status)}"]
    if cred is not None and not cred.is_empty:
        lines.append(f"numbers: {printable(', '.join(cred.phonenumbers)) or 'none'}")
        lines.append(f"hold: {printable(cred.holdstrategy or 'none')}; max call {cred.maxcallseconds or 600} s; "
                     f"whitelist {'on (' + str(len(cred.whitelistedcallers)) + ')' if cred.whitelistedcallers else 'off'}")
    else:
        lines.append("no Twilio credential yet")
    if agent.credentials_missing:
        lines.append(f"credentials needing attention (Wiro's _required_missing): {printable(', '.join(agent.credentials_missing))}")
    if agent.restarting:
        lines.append("restarting to apply a change")
    document["credentialsMissing"] = list(agent.credentials_missing)
    common.emit(document, "\n".join(lines), as_json=as_json, out=out)
    return common.EXIT_OK


async def start_stop(client: Any, guid: str, verb: str, *, as_json: bool = False, out: TextIO) -> int:
    """Ask Wiro to start or stop the agent (`verb` "start" or "stop"). Scripts are not asked to confirm."""
    if verb not in ("start", "stop"):
        raise ValueError(f"verb must be start or stop, not {verb!r}")
    await (client.start(guid) if verb == "start" else client.stop(guid))
    done = "Start requested: the agent is queued." if verb == "start" else "Stop requested."
    common.emit({"ok": True, "action": verb, "guid": guid}, done, as_json=as_json, out=out)
    return common.EXIT_OK


def run(args: argparse.Namespace) -> int:
    """Run `agents`, `status`, `start` or `stop` from parsed options."""
    as_json = bool(args.json)
    with common.session(args) as (settings, _sim):
        guid = None if args.command == "agents" else common.need_agent(settings)

        async def go() -> int:
            async with common.client(settings) as client:
                if args.command == "agents":
                    return await list_agents(client, as_json=as_json, out=sys.stdout)
                if args.command == "status":
                    return await show_status(client, guid, as_json=as_json, out=sys.stdout)
                return await start_stop(client, guid, args.command, as_json=as_json, out=sys.stdout)

        return common.run(go())
