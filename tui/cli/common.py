"""What every command shares: errors and exit codes, the connection options, settings from the options,
a client or the demo simulator, `--json` output, running a coroutine.

Exit codes: 0 success; 1 the request was understood but refused, or problems were found; 2 an error
(bad input, bad configuration, authentication, network).

The dashboard's own start goes through this module too, so argparse is imported only inside the functions
that build parsers: the plain `wiro-voice` start never loads it.
"""

from __future__ import annotations

import asyncio
import sys
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterator, NamedTuple, TextIO

from ..common.text import plural  # noqa: F401  (re-exported for the command modules)
from ..config import ConfigError, Secret, Settings, default_config_path, load_settings, twilio_from_env

if TYPE_CHECKING:
    import argparse

EXIT_OK, EXIT_PROBLEMS, EXIT_ERROR = 0, 1, 2


class CliError(Exception):
    """An error to print (without a traceback) before exiting with `code`."""

    def __init__(self, message: str, code: int = EXIT_ERROR) -> None:
        super().__init__(message)
        self.code = code


# -- option values ----------------------------------------------------------------------------------


def parse_port(text: str) -> int:
    """A TCP port, 0-65535 (0 picks a free one). ValueError says what is wrong."""
    try:
        value = int(text)
    except ValueError:
        raise ValueError(f"{text!r} is not a port number") from None
    if not 0 <= value <= 65535:
        raise ValueError(f"port {value} is outside 0-65535 (0 picks a free one)")
    return value


def parse_speed(text: str) -> float:
    """A positive rate (simulated seconds per real second, or seconds between refreshes)."""
    try:
        value = float(text)
    except ValueError:
        raise ValueError(f"{text!r} is not a number") from None
    if not 0 < value <= 10_000:
        raise ValueError("speed must be above 0 (1 = real time, 10 = ten times faster)")
    return value


def _argparse_type(check: Callable[[str], Any]) -> Callable[[str], Any]:
    """`check` as an argparse `type`: its ValueError message becomes argparse's usage error, word for word."""

    def convert(text: str) -> Any:
        import argparse

        try:
            return check(text)
        except ValueError as err:
            raise argparse.ArgumentTypeError(str(err)) from None

    convert.__name__ = check.__name__.removeprefix("parse_")  # argparse names the type in some messages
    return convert


#: The simulator's two answer shapes (tui.sim.API_SHAPES, not imported: the simulator loads only for --demo).
API_SHAPES = ("newest", "older")


def parse_api_shape(text: str) -> str:
    """The simulator's answer shapes: `newest` (the newest Wiro docs) or `older`."""
    if text not in API_SHAPES:
        raise ValueError(f"invalid choice: {text!r} (choose from {', '.join(API_SHAPES)})")
    return text


port = _argparse_type(parse_port)
speed = _argparse_type(parse_speed)
api_shape = _argparse_type(parse_api_shape)


# -- the connection options -------------------------------------------------------------------------


class Option(NamedTuple):  # NamedTuple, not a dataclass: made at start-up, where a dataclass costs ~0.4 ms
    """An option accepted before or after the subcommand. `parse` None means a flag (no value)."""

    flag: str
    default: Any
    help: str
    metavar: str | None = None
    parse: Callable[[str], Any] | None = str
    argparse_type: Callable[[str], Any] | None = None

    @property
    def dest(self) -> str:
        return self.flag.removeprefix("--").replace("-", "_")


#: The dashboard reads exactly these (plus --theme), by hand on a plain start and by argparse otherwise.
CONNECTION_OPTIONS: tuple[Option, ...] = (
    Option("--demo", False, "use the embedded simulator, whatever is configured", parse=None),
    Option("--agent", None, "agent instance guid (default: config, else the picker)", "GUID"),
    Option("--api-base", None, "Wiro API base (default https://api.wiro.ai/v1)", "URL"),
    Option("--twilio-base", None, "Twilio API base (default https://api.twilio.com)", "URL"),
    Option("--config", None, "config file (default: the user config dir)", "PATH"),
    Option("--seed", 7, "demo: simulator seed (default 7)", parse=int, argparse_type=int),
    Option("--speed", 1.0, "demo: simulated time per real second (default 1)", parse=parse_speed, argparse_type=speed),
    Option("--api-shape", "newest", "demo: answer in the newest Wiro docs' shapes (default) or the older ones",
           "{newest,older}", parse=parse_api_shape, argparse_type=api_shape),
)
THEME_OPTION = Option("--theme", None, "theme for this run (`wiro-voice themes` lists them)", "NAME")


def connection_options(parser: argparse.ArgumentParser, *, top: bool = False, skip: tuple[str, ...] = ()) -> None:
    """Options accepted before or after the subcommand. Subcommands suppress defaults so they don't undo the top.
    `skip`: flags the subcommand defines its own way (`watch` takes --agent several times)."""
    import argparse

    for option in CONNECTION_OPTIONS:
        if option.flag in skip:
            continue
        default = option.default if top else argparse.SUPPRESS
        if option.parse is None:
            parser.add_argument(option.flag, action="store_true", default=default, help=option.help)
        else:
            parser.add_argument(option.flag, metavar=option.metavar, type=option.argparse_type, default=default,
                                help=option.help)


# -- settings, the demo, a client -------------------------------------------------------------------


def settings_from(args: Any, *, err: TextIO | None = None) -> Settings:
    """Settings from the options (flags > environment > config file > defaults). A config file that cannot
    be used is an error, except in the demo, which needs nothing from it: said on `err`, then ignored."""
    err = err or sys.stderr
    try:
        settings = load_settings(
            config_path=args.config, agent=args.agent, api_base=args.api_base, twilio_base=args.twilio_base,
            theme=getattr(args, "theme", None),
        )
    except ConfigError as problem:
        if not args.demo:
            raise CliError(str(problem)) from None
        # the demo needs nothing from the config: say what is wrong, and go on without it
        print(f"wiro-voice: {problem} (ignored for the demo)", file=err)
        args.agent = None  # the demo picks its own agent; a bad --agent was part of what is ignored
        return Settings(config_path=Path(args.config).expanduser() if args.config else default_config_path(),
                        theme=getattr(args, "theme", None), **twilio_from_env())
    for warning in settings.warnings:
        print(f"wiro-voice: {warning}", file=err)
    return settings


@contextmanager
def session(args: Any, *, need_account: bool = True) -> Iterator[tuple[Settings, Any]]:
    """Settings plus a running simulator with --demo (stopped on the way out). Without --demo an API key
    must be configured (unless `need_account` is False)."""
    settings = settings_from(args)
    sim = None
    if args.demo:
        from ..sim import Simulator

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


def client(settings: Settings) -> Any:
    """A WiroClient for the settings (open it with `async with`)."""
    from ..wiro import WiroClient

    assert settings.api_key is not None
    return WiroClient(
        settings.api_key.reveal(), settings.api_secret.reveal() if settings.api_secret else None, settings.api_base
    )


def need_agent(settings: Settings) -> str:
    if not settings.agent:
        raise CliError("Which agent? Pass --agent GUID, set WIRO_AGENT_GUID, or save one in the config (see `wiro-voice agents`).")
    return settings.agent


def run(coro: Any) -> Any:
    """Run a coroutine; Wiro's errors become CliErrors (a refusal exits 1, anything else 2)."""
    from ..wiro import AccessDenied, AgentGone, ApiError, AuthError, NotFoundError, WiroError

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
        from ..wiro.refusals import explain_refusal

        raise CliError(explain_refusal(err.message), EXIT_PROBLEMS) from None
    except ApiError as err:
        from ..wiro.refusals import explain_refusal

        raise CliError(explain_refusal(err.message, err.data), EXIT_PROBLEMS) from None
    except WiroError as err:
        raise CliError(err.message) from None


def emit(document: Any, text: str, *, as_json: bool, out: TextIO | None = None) -> None:
    """One JSON document (with --json) or the text, on `out` (default: stdout)."""
    out = out or sys.stdout
    if as_json:
        import json  # not on the dashboard's start: only a --json answer needs it

        json.dump(document, out, indent=2, ensure_ascii=False, default=str)
        out.write("\n")
    else:
        out.write(text + "\n")


def say(err: TextIO, message: str) -> None:
    """A message for people, on `err`, prefixed with the program's name."""
    err.write(f"wiro-voice: {message}\n")
    err.flush()


def theme_catalog(settings: Settings, wanted: str | None = None, *, partial: bool = False) -> Any:
    """The themes (bundled and the user's); an unknown `wanted` (--theme) is refused here, listing the choices.

    `partial`: read only the bundled file of the theme to start with (the dashboard reads the rest after its
    first frame); an unknown name still gets the whole catalog, so the message can list every choice."""
    from ..ui.themes import DEFAULT_THEME, load_catalog, unknown_theme_message, user_themes_dir

    user_dir = user_themes_dir(settings.config_path)
    name = wanted or settings.theme or DEFAULT_THEME
    catalog = load_catalog(user_dir, only=name) if partial else None
    if catalog is None or name not in catalog.all_names():
        catalog = load_catalog(user_dir)
    if wanted and wanted not in catalog.all_names():
        raise CliError(unknown_theme_message(wanted, catalog))
    return catalog
