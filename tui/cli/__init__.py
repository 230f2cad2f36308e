"""The command line: the dashboard by default, and subcommands that work in scripts.

`main()` reads a plain dashboard start by hand (`dashboard`); anything else goes to the argparse parser
assembled here from one module per command, each of which registers its parsers (`add_parsers`) and runs
its commands (`run(args)`). A command module is imported only when its command runs or the whole parser is
built: a command line that names its command is read by a parser holding that command alone (a first pass
with placeholder subcommands finds which one argparse would pick), so `watch` never loads the doctor's
catalog through `doctor`'s options. Exit codes: 0 success; 1 refused or problems found; 2 an error (see `common`).
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from .. import __version__
from .common import THEME_OPTION, CliError, connection_options
from .dashboard import parse_dashboard_options
from .dashboard import run as run_dashboard

if TYPE_CHECKING:
    import argparse

#: each subcommand and the module under tui.cli that registers and runs it (in the order --help lists them)
COMMANDS: dict[str, str] = {
    "agents": "agents", "status": "agents", "start": "agents", "stop": "agents",
    "calls": "calls", "session": "calls",
    "check": "credential", "save": "credential",
    "hold": "hold",
    "webhooks": "webhooks",
    "logs": "logs",
    "doctor": "doctor",
    "insights": "insights", "history": "insights",
    "themes": "themes",
    "serve": "serve",
    "sim": "sim",
    "watch": "watch",
}


def _module(name: str) -> Any:
    return importlib.import_module(f"{__name__}.{name}")


def _top_parser(parser_class: Any = None, placeholder: Any = None) -> tuple[argparse.ArgumentParser, Any]:
    """The top-level options and the (empty) subcommand action. With a `placeholder` class for the subcommands
    (the first pass): no help and no version, which the whole parser answers."""
    import argparse

    first_pass = placeholder is not None
    parser = (parser_class or argparse.ArgumentParser)(
        prog="wiro-voice",
        description="A terminal dashboard for a Wiro AI voice agent on Twilio phone numbers. "
        "With no API key configured it runs a demo against an embedded simulator.",
        add_help=not first_pass,
    )
    if not first_pass:
        parser.add_argument("--version", action="version", version=f"wiro-voice {__version__}")
    connection_options(parser, top=True)
    parser.add_argument(THEME_OPTION.flag, metavar=THEME_OPTION.metavar, default=THEME_OPTION.default,
                        help=THEME_OPTION.help)
    extra = {"parser_class": placeholder} if first_pass else {}
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", **extra)
    return parser, sub


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The whole command line: the top-level options and every subcommand (with `only`, a command name, just
    the subcommands of the module that runs it)."""
    parser, sub = _top_parser()
    modules = [COMMANDS[only]] if only is not None else dict.fromkeys(COMMANDS.values())  # each module once
    for name in modules:
        _module(name).add_parsers(sub)
    return parser


class _Unsure(Exception):
    """The first pass could not tell which command runs: the whole parser reads the line (and says what is wrong)."""


def _command_of(argv: Sequence[str]) -> str | None:
    """The subcommand argparse would run for `argv`, found without loading any command module: the top-level
    options as they are, every subcommand a placeholder that takes whatever follows it. None when unsure (no
    command; help, version or an error before it), so that the whole parser answers as it always did."""
    import argparse

    class FirstPass(argparse.ArgumentParser):
        def error(self, message: str) -> Any:
            raise _Unsure(message)

    class Placeholder(argparse.ArgumentParser):
        def parse_known_args(self, args: Any = None, namespace: Any = None) -> tuple[Any, list[str]]:
            return argparse.Namespace(), []  # the command's own options are the second pass's

    parser, sub = _top_parser(FirstPass, Placeholder)
    for name in COMMANDS:
        sub.add_parser(name, add_help=False)
    try:
        args, extra = parser.parse_known_args(list(argv))
    except _Unsure:
        return None
    command = getattr(args, "command", None)
    return command if command in COMMANDS and not extra else None


def parse_args(argv: Sequence[str]) -> Any:
    """The options: a plain dashboard start by hand, anything else by argparse (which exits on a usage error):
    with only the named command's parsers when the first pass can tell which, else the whole command line."""
    return parse_dashboard_options(argv) or build_parser(_command_of(argv)).parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    args = parse_args(argv)
    try:
        if args.command is None:
            return run_dashboard(args)
        return _module(COMMANDS[args.command]).run(args)
    except CliError as err:
        if getattr(args, "json", False):
            import json  # only for a --json error: the plain start never loads it

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
        return 0


__all__ = ["COMMANDS", "build_parser", "main", "parse_args"]
