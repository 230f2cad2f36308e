"""Command line: the TUI by default, and subcommands that work in scripts.

Exit codes: 0 success; 1 the request was understood but refused, or problems were found; 2 an error
(bad input, bad configuration, authentication, network).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator, Sequence

from . import __version__
from .calls.sanitize import printable
from .config import ConfigError, Secret, Settings, load_settings

EXIT_OK, EXIT_PROBLEMS, EXIT_ERROR = 0, 1, 2


class CliError(Exception):
    """An error to print (without a traceback) before exiting with `code`."""

    def __init__(self, message: str, code: int = EXIT_ERROR) -> None:
        super().__init__(message)
        self.code = code


def _port(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port number") from None
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"port {value} is outside 0-65535 (0 picks a free one)")
    return value


def _speed(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not 0 < value <= 10_000:
        raise argparse.ArgumentTypeError("speed must be above 0 (1 = real time, 10 = ten times faster)")
    return value


def _connection_options(parser: argparse.ArgumentParser, *, top: bool = False) -> None:
    """Options accepted before or after the subcommand. Subcommands suppress defaults so they don't undo the top."""
    d = (lambda value: value) if top else (lambda value: argparse.SUPPRESS)
    parser.add_argument("--demo", action="store_true", default=d(False), help="use the embedded simulator, whatever is configured")
    parser.add_argument("--agent", metavar="GUID", default=d(None), help="agent instance guid (default: config, else the picker)")
    parser.add_argument("--api-base", metavar="URL", default=d(None), help="Wiro API base (default https://api.wiro.ai/v1)")
    parser.add_argument("--twilio-base", metavar="URL", default=d(None), help="Twilio API base (default https://api.twilio.com)")
    parser.add_argument("--config", metavar="PATH", default=d(None), help="config file (default: the user config dir)")
    parser.add_argument("--seed", type=int, default=d(7), help="demo: simulator seed (default 7)")
    parser.add_argument("--speed", type=_speed, default=d(1.0), help="demo: simulated time per real second (default 1)")
    parser.add_argument("--api-shape", choices=("newest", "older"), default=d("newest"),
                        help="demo: answer in the newest Wiro docs' shapes (default) or the older ones")


def _top_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="wiro-voice",
        description="A terminal dashboard for a Wiro AI voice agent on Twilio phone numbers. "
        "With no API key configured it runs a demo against an embedded simulator.",
    )
    parser.add_argument("--version", action="version", version=f"wiro-voice {__version__}")
    _connection_options(parser, top=True)
    parser.add_argument("--theme", metavar="NAME", default=None, help="theme for this run (`wiro-voice themes` lists them)")
    return parser


def _names_a_subcommand(parser: argparse.ArgumentParser, argv: Sequence[str]) -> bool:
    """Does `argv` go beyond the top-level options (a subcommand, --help, --version, or something unknown)?"""
    tokens = iter(argv)
    for token in tokens:
        option = token.split("=", 1)[0]
        action = parser._option_string_actions.get(option)  # argparse's own table of the options it knows
        if action is None or isinstance(action, (argparse._HelpAction, argparse._VersionAction)):
            return True
        if action.nargs != 0 and "=" not in token:
            next(tokens, None)  # the option's value
    return False


def build_parser(argv: Sequence[str] | None = None) -> argparse.ArgumentParser:
    """The command line. Given `argv` with no subcommand in it (the dashboard), the subcommands are left out:
    building all of them costs ~12 ms before the first frame."""
    parser = _top_parser()
    if argv is not None and not _names_a_subcommand(parser, argv):
        parser.set_defaults(command=None)
        return parser
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    sim = sub.add_parser("sim", help="run the simulator alone (for curl, scripts and tests)")
    sim.add_argument("--port", type=_port, default=0, help="port on 127.0.0.1 (default: a free one)")
    sim.add_argument("--seed", type=int, default=argparse.SUPPRESS, help="default 7")
    sim.add_argument("--speed", type=_speed, default=argparse.SUPPRESS, help="simulated seconds per real second (default 1)")
    sim.add_argument("--faults", metavar="SPEC", help="e.g. 500:0.1,429:0.05,timeout:0.05,garbage:0.05,drop:0.02,partial:0.1")
    sim.add_argument("--api-shape", choices=("newest", "older"), default=argparse.SUPPRESS,
                     help="the Wiro answers' shapes: newest docs (default) or the older ones")
    sim.add_argument("--voice-url", metavar="URL", default="https://api.wiro.ai/v1/AgentRealtime/Twilio",
                     help="voice-handler URL a credential save writes on Twilio numbers ({guid} = the agent)")

    agents = sub.add_parser("agents", help="list your agents (MyAgents)")
    _connection_options(agents)
    agents.add_argument("--json", action="store_true", help="one JSON document on stdout")

    status = sub.add_parser("status", help="the agent's status and phone channel (Detail)")
    _connection_options(status)
    status.add_argument("--json", action="store_true", help="one JSON document on stdout")

    calls = sub.add_parser("calls", help="the call history (TwilioCallHistory/List), once or live")
    _connection_options(calls)
    calls.add_argument("--limit", type=int, default=50, help="sessions to show (the API's cap is 200)")
    formats = calls.add_mutually_exclusive_group()
    formats.add_argument("--json", action="store_true", help="one JSON document on stdout")
    formats.add_argument("--csv", action="store_true", help="CSV on stdout")
    calls.add_argument("--watch", action="store_true", help="redraw every few seconds until Ctrl-C")
    calls.add_argument("--interval", type=_speed, default=5.0, help="seconds between refreshes with --watch (default 5)")

    session = sub.add_parser("session", help="one session's detail (Message/Detail) and why it ended")
    _connection_options(session)
    session.add_argument("id", metavar="ID", help="the session's messageguid (from `wiro-voice calls`)")
    session.add_argument("--json", action="store_true", help="one JSON document on stdout")

    for verb in ("start", "stop"):
        p = sub.add_parser(verb, help=f"ask Wiro to {verb} the agent")
        _connection_options(p)
        p.add_argument("--json", action="store_true", help="one JSON document on stdout")

    themes = sub.add_parser("themes", help="list the themes (bundled and yours); * marks the one in use")
    themes.add_argument("--config", metavar="PATH", default=argparse.SUPPRESS, help="config file (its folder holds themes/)")
    themes.add_argument("--theme", metavar="NAME", default=argparse.SUPPRESS, help="mark this theme as the one in use")
    themes.add_argument("--json", action="store_true", help="one JSON document on stdout")

    serve = sub.add_parser("serve", help="serve the dashboard to a browser (needs the `serve` extra)")
    _connection_options(serve)
    serve.add_argument("--theme", metavar="NAME", default=argparse.SUPPRESS, help="theme for the served dashboard")
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1: this machine only)")
    serve.add_argument("--port", type=_port, default=8000, help="port (default 8000; 0 picks a free one)")
    serve.add_argument("--public-url", metavar="URL", help="the URL browsers use, when it is not http://HOST:PORT")

    from .webhooks.cli import add_parser as add_webhooks_parser  # uses _connection_options

    add_webhooks_parser(sub)

    from .credential.cli import add_parsers as add_credential_parsers  # check and save; save uses _connection_options

    add_credential_parsers(sub)

    from .hold_cli import add_parser as add_hold_parser  # standard library only until a hold command runs

    add_hold_parser(sub)

    from .activity.cli import add_parser as add_logs_parser  # uses _connection_options

    add_logs_parser(sub)

    from .doctor.cli import add_parser as add_doctor_parser  # uses _connection_options

    add_doctor_parser(sub)
    return parser


# -- shared plumbing ------------------------------------------------------------------------------


def _settings(args: argparse.Namespace) -> Settings:
    try:
        settings = load_settings(
            config_path=args.config, agent=args.agent, api_base=args.api_base, twilio_base=args.twilio_base,
            theme=getattr(args, "theme", None),
        )
    except ConfigError as err:
        if not args.demo:
            raise CliError(str(err)) from None
        # the demo needs nothing from the config: say what is wrong, and go on without it
        print(f"wiro-voice: {err} (ignored for the demo)", file=sys.stderr)
        args.agent = None  # the demo picks its own agent; a bad --agent was part of what is ignored
        from .config import default_config_path

        return Settings(config_path=Path(args.config).expanduser() if args.config else default_config_path(),
                        theme=getattr(args, "theme", None))
    for warning in settings.warnings:
        print(f"wiro-voice: {warning}", file=sys.stderr)
    return settings


@contextmanager
def _session(args: argparse.Namespace, *, need_account: bool = True) -> Iterator[tuple[Settings, Any]]:
    """Settings plus a running simulator when in demo (or when nothing is configured and the TUI starts)."""
    settings = _settings(args)
    sim = None
    if args.demo:
        from .sim import Simulator

        sim = Simulator(seed=args.seed, speed=args.speed, api_shape=args.api_shape).start()
        settings = settings.with_(
            api_key=Secret(sim.api_key),
            api_secret=None,
            api_base=sim.wiro_base,
            twilio_base=sim.twilio_base,
            agent=args.agent or sim.demo_agent_guid,
        )
    elif need_account and not settings.has_account:
        missing = "" if settings.config_path.exists() else f" (there is no config file at {settings.config_path})"
        raise CliError(
            f"No Wiro API key is configured{missing}. Set WIRO_API_KEY, save one from the TUI's Connection "
            "screen, or add --demo to try the simulator."
        )
    try:
        yield settings, sim
    finally:
        if sim is not None:
            sim.stop()


def _client(settings: Settings):
    from .wiro import WiroClient

    assert settings.api_key is not None
    return WiroClient(
        settings.api_key.reveal(), settings.api_secret.reveal() if settings.api_secret else None, settings.api_base
    )


def _need_agent(settings: Settings) -> str:
    if not settings.agent:
        raise CliError("Which agent? Pass --agent GUID, set WIRO_AGENT_GUID, or save one in the config (see `wiro-voice agents`).")
    return settings.agent


def _run(coro) -> Any:
    from .wiro import AccessDenied, AgentGone, ApiError, AuthError, NotFoundError, WiroError

    try:
        return asyncio.run(coro)
    except (AgentGone, AccessDenied) as err:  # their messages say what happened and what to do
        raise CliError(err.message) from None
    except AuthError as err:
        raise CliError(f"Wiro refused the API key: {err.message.rstrip('.')}. Check WIRO_API_KEY (and WIRO_API_SECRET "
                       "for a signature-mode project), or the key saved from the Connection screen.") from None
    except NotFoundError as err:
        if err.status == 404:  # the endpoint, not the agent: a configuration error
            raise CliError(err.message) from None
        from .wiro.refusals import explain_refusal

        raise CliError(explain_refusal(err.message), EXIT_PROBLEMS) from None
    except ApiError as err:
        from .wiro.refusals import explain_refusal

        raise CliError(explain_refusal(err.message, err.data), EXIT_PROBLEMS) from None
    except WiroError as err:
        raise CliError(err.message) from None


def _emit(args: argparse.Namespace, document: Any, text: str) -> None:
    if getattr(args, "json", False):
        json.dump(document, sys.stdout, indent=2, ensure_ascii=False, default=str)
        sys.stdout.write("\n")
    else:
        print(text)


# -- commands -------------------------------------------------------------------------------------


def _theme_catalog(args: argparse.Namespace, settings: Settings):
    """The themes (bundled and the user's); an unknown --theme is refused here, listing the choices."""
    from .ui.themes import load_catalog, unknown_theme_message, user_themes_dir

    catalog = load_catalog(user_themes_dir(settings.config_path))
    wanted = getattr(args, "theme", None)
    if wanted and wanted not in catalog.all_names():
        raise CliError(unknown_theme_message(wanted, catalog))
    return catalog


def cmd_tui(args: argparse.Namespace) -> int:
    settings = _settings(args)
    themes = _theme_catalog(args, settings)
    from .ui.app import WiroVoiceApp

    if args.demo or not settings.has_account:  # nothing configured: the demo, and the screen says how to connect
        seed, speed, api_shape = args.seed, args.speed, args.api_shape

        def start_demo():
            from .sim import Simulator

            return Simulator(seed=seed, speed=speed, api_shape=api_shape).start()

        # The configured account's agent means nothing in the simulator.
        app = WiroVoiceApp(settings.with_(api_key=None, api_secret=None, agent=args.agent), start_demo=start_demo,
                           themes=themes)
    else:
        app = WiroVoiceApp(settings, themes=themes)
    app.run()
    return app.return_code or EXIT_OK


def cmd_sim(args: argparse.Namespace) -> int:
    from .sim import serve_forever

    try:
        serve_forever(port=args.port, seed=args.seed, speed=args.speed, faults=args.faults, api_shape=args.api_shape,
                      voice_url=args.voice_url)
    except ValueError as err:
        raise CliError(f"Bad simulator option: {err}") from None
    except OSError as err:
        raise CliError(f"Could not start the simulator on port {args.port}: {err.strerror or err}") from None
    return EXIT_OK


def cmd_agents(args: argparse.Namespace) -> int:
    from .wiro import status_name

    with _session(args) as (settings, _sim):

        async def go():
            async with _client(settings) as client:
                return await client.my_agents()

        agents = _run(go())
    rows = [{"guid": a.guid, "title": a.title, "status": a.status, "statusLabel": status_name(a.status),
             "setuprequired": a.setuprequired, "template": a.template_slug} for a in agents]
    width = max((len(printable(a.title)) for a in agents), default=5)
    text = "\n".join(f"{printable(a.guid)}  {printable(a.title):<{width}}  {status_name(a.status)}" for a in agents)
    text = text or "No agents in this project."
    _emit(args, {"agents": rows}, text)
    return EXIT_OK


def cmd_status(args: argparse.Namespace) -> int:
    from .wiro import status_meaning

    with _session(args) as (settings, _sim):
        guid = _need_agent(settings)

        async def go():
            async with _client(settings) as client:
                return await client.detail(guid)

        agent = _run(go())
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
    _emit(args, document, "\n".join(lines))
    return EXIT_OK


def cmd_start_stop(args: argparse.Namespace) -> int:
    with _session(args) as (settings, _sim):
        guid = _need_agent(settings)

        async def go():
            async with _client(settings) as client:
                await (client.start(guid) if args.command == "start" else client.stop(guid))

        _run(go())
    done = "Start requested: the agent is queued." if args.command == "start" else "Stop requested."
    _emit(args, {"ok": True, "action": args.command, "guid": guid}, done)
    return EXIT_OK


def cmd_calls(args: argparse.Namespace) -> int:
    from .calls_cli import run_calls

    with _session(args) as (settings, _sim):
        guid = _need_agent(settings)
        fmt = "json" if args.json else "csv" if args.csv else "text"

        async def go() -> int:
            async with _client(settings) as client:
                return await run_calls(client, guid, limit=args.limit, fmt=fmt, watch=args.watch,
                                       interval=args.interval, out=sys.stdout, err=sys.stderr)

        try:
            return asyncio.run(go())  # run_calls reports Wiro's errors itself (exit 2)
        except KeyboardInterrupt:
            if args.watch:
                print(file=sys.stderr)
                return EXIT_OK  # Ctrl-C is how --watch is meant to end
            raise


def cmd_session(args: argparse.Namespace) -> int:
    from .calls_cli import run_session

    with _session(args) as (settings, _sim):

        async def go() -> int:
            async with _client(settings) as client:
                return await run_session(client, args.id, as_json=args.json, agent_guid=settings.agent,
                                         out=sys.stdout, err=sys.stderr)

        return asyncio.run(go())


def cmd_themes(args: argparse.Namespace) -> int:
    from .ui.themes import listing, listing_text, start_theme, user_themes_dir

    settings = _settings(args)
    catalog = _theme_catalog(args, settings)
    active = start_theme(catalog, settings.theme).name
    _emit(args, listing(catalog, active), listing_text(catalog, active, user_themes_dir(settings.config_path)))
    return EXIT_PROBLEMS if catalog.problems else EXIT_OK


def cmd_serve(args: argparse.Namespace) -> int:
    from .ui.serve import ServeError, plan_serve, run

    settings = _settings(args)  # a broken config or theme is said here, once, not in every browser tab
    _theme_catalog(args, settings)
    tui_args = ["--demo"] if args.demo else []
    config = str(Path(args.config).expanduser().resolve()) if args.config else None
    for flag, value in (("--agent", args.agent), ("--api-base", args.api_base), ("--twilio-base", args.twilio_base),
                        ("--config", config), ("--theme", getattr(args, "theme", None))):
        if value:
            tui_args += [flag, value]
    tui_args += ["--seed", str(args.seed), "--speed", str(args.speed), "--api-shape", args.api_shape]
    try:
        plan = plan_serve(tui_args, host=args.host, port=args.port, public_url=args.public_url)
        for warning in plan.warnings:
            print(f"wiro-voice: {warning}", file=sys.stderr)
        run(plan)
    except ServeError as err:
        raise CliError(str(err)) from None
    return EXIT_OK


COMMANDS = {"calls": cmd_calls, "session": cmd_session, "sim": cmd_sim, "agents": cmd_agents, "status": cmd_status, "start": cmd_start_stop, "stop": cmd_start_stop,
            "themes": cmd_themes, "serve": cmd_serve,
            "webhooks": lambda args: __import__("tui.webhooks.cli", fromlist=["run"]).run(args),
            "check": lambda args: __import__("tui.credential.cli", fromlist=["run_check"]).run_check(args),
            "save": lambda args: __import__("tui.credential.cli", fromlist=["run_save"]).run_save(args),
            "hold": lambda args: __import__("tui.hold_cli", fromlist=["run"]).run(args),
            "logs": lambda args: __import__("tui.activity.cli", fromlist=["run"]).run(args),
            "doctor": lambda args: __import__("tui.doctor.cli", fromlist=["run"]).run(args)}


def main(argv: Sequence[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    args = build_parser(argv).parse_args(argv)
    try:
        return COMMANDS.get(args.command, cmd_tui)(args)
    except CliError as err:
        if getattr(args, "json", False):
            json.dump({"error": str(err)}, sys.stdout)
            sys.stdout.write("\n")
        print(f"wiro-voice: {err}", file=sys.stderr)
        return err.code
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # the reader went away (`wiro-voice calls | head`): not worth a traceback; silence the final flush too
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
