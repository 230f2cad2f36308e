"""`wiro-voice serve [--host H] [--port N] [--public-url URL]`: the dashboard in a browser.

Only the options are handled here: each browser tab runs the dashboard with the same connection options
(`dashboard_args`), and `tui.ui.serve` plans and runs the server (textual-serve, the optional extra).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any, TextIO

from . import common


def add_parsers(subparsers: Any) -> None:
    """Register `serve`."""
    serve = subparsers.add_parser("serve", help="serve the dashboard to a browser (needs the `serve` extra)")
    common.connection_options(serve)
    serve.add_argument("--theme", metavar="NAME", default=argparse.SUPPRESS, help="theme for the served dashboard")
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1: this machine only)")
    serve.add_argument("--port", type=common.port, default=8000, help="port (default 8000; 0 picks a free one)")
    serve.add_argument("--public-url", metavar="URL", help="the URL browsers use, when it is not http://HOST:PORT")


def dashboard_args(args: Any) -> list[str]:
    """The dashboard's command line for each tab: every connection option given, the config file as an
    absolute path (a tab's process may start elsewhere), and never a secret (none is an option)."""
    tui_args: list[str] = []
    for option in (*common.CONNECTION_OPTIONS, common.THEME_OPTION):
        value = getattr(args, option.dest, option.default)
        if option.parse is None:
            tui_args += [option.flag] if value else []
        elif value is not None and value != "":
            if option.flag == "--config":
                value = str(Path(value).expanduser().resolve())
            tui_args += [option.flag, str(value)]
    return tui_args


def serve(tui_args: list[str], *, host: str, port: int, public_url: str | None, err: TextIO) -> int:
    """Serve the dashboard (`tui_args` its options) until Ctrl-C; problems raise CliError."""
    from ..ui.serve import ServeError, plan_serve, run as run_server  # Textual: only tui/ui imports it

    try:
        plan = plan_serve(tui_args, host=host, port=port, public_url=public_url)
        for warning in plan.warnings:
            common.say(err, warning)
        run_server(plan)
    except ServeError as problem:
        raise common.CliError(str(problem)) from None
    return common.EXIT_OK


def run(args: argparse.Namespace) -> int:
    """`serve` from parsed options. A broken config or theme is said here, once, not in every browser tab."""
    settings = common.settings_from(args)
    common.theme_catalog(settings, getattr(args, "theme", None))
    return serve(dashboard_args(args), host=args.host, port=args.port, public_url=args.public_url, err=sys.stderr)
