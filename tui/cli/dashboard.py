"""The dashboard's own start: `wiro-voice [--demo] [--theme NAME] [--config PATH] [--agent GUID] …`.

The plain start is read by hand: importing argparse and building the parser cost ~10 ms before the first
frame. The hand reader knows exactly the options argparse gives the dashboard (the shared table in
`common`) and gives up on anything else — a subcommand, --help, --version, an abbreviation, a missing or
malformed value, a value that starts with "-" — so argparse handles those with its own behaviour and words.
"""

from __future__ import annotations

from collections.abc import Sequence
from types import SimpleNamespace
from typing import Any

from .common import CONNECTION_OPTIONS, EXIT_OK, THEME_OPTION, Option, settings_from, theme_catalog

DASHBOARD_OPTIONS: dict[str, Option] = {o.flag: o for o in (*CONNECTION_OPTIONS, THEME_OPTION)}


def parse_dashboard_options(argv: Sequence[str]) -> SimpleNamespace | None:
    """The options of a plain dashboard start, as argparse would give them (`command` None); None when
    `argv` holds anything else, for argparse to handle."""
    values: dict[str, Any] = {option.dest: option.default for option in DASHBOARD_OPTIONS.values()}
    tokens = iter(argv)
    for token in tokens:
        flag, has_value, inline = token.partition("=")
        option = DASHBOARD_OPTIONS.get(flag)
        if option is None:
            return None
        if option.parse is None:  # a flag
            if has_value:
                return None  # "--demo=1": argparse's error
            values[option.dest] = True
            continue
        if has_value:
            text = inline
        else:
            text = next(tokens, None)
            if text is None or text.startswith("-"):
                return None  # missing, or argparse's call whether it is a value or another option
        try:
            values[option.dest] = option.parse(text)
        except ValueError:
            return None  # argparse says what is wrong with it
    return SimpleNamespace(command=None, **values)


def run(args: Any) -> int:
    """Start the dashboard: the demo with --demo or when no API key is configured."""
    settings = settings_from(args)
    themes = theme_catalog(settings, args.theme, partial=True)
    from ..ui.app import WiroVoiceApp
    from ..ui.terminal import locale_is_utf8

    ascii_only = not locale_is_utf8()

    if args.demo or not settings.has_account:  # nothing configured: the demo, and the screen says how to connect
        seed, speed, api_shape = args.seed, args.speed, args.api_shape

        def start_demo():
            from ..sim import Simulator

            return Simulator(seed=seed, speed=speed, api_shape=api_shape).start()

        # The configured account's agent means nothing in the simulator.
        app = WiroVoiceApp(settings.with_(api_key=None, api_secret=None, agent=args.agent), start_demo=start_demo,
                           themes=themes, ascii_only=ascii_only)
    else:
        app = WiroVoiceApp(settings, themes=themes, ascii_only=ascii_only)
    app.run()
    return app.return_code or EXIT_OK
