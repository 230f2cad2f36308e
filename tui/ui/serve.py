"""`wiro-voice serve`: the same dashboard in a browser, through textual-serve (the optional `serve` extra).

textual-serve starts one dashboard process per browser tab and relays its terminal over a websocket.
The dashboard's command line is built here; secrets never go on it (each tab's process inherits the
environment, so WIRO_API_KEY reaches it that way, or it reads the config file).
"""

from __future__ import annotations

import ipaddress
import shlex
import socket
import sys
from collections.abc import Sequence
from dataclasses import dataclass

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000
INSTALL_HINT = "pip install 'wiro-voice-tui[serve]'"


class ServeError(Exception):
    """The server cannot run; the message says what to do."""


@dataclass(frozen=True)
class ServePlan:
    """What `serve` will do: the dashboard command each tab runs, where it listens, what to warn about."""

    command: str
    host: str
    port: int
    public_url: str
    warnings: tuple[str, ...] = ()


def is_loopback(host: str) -> bool:
    """True when only this machine can reach `host`."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def free_port(host: str = DEFAULT_HOST) -> int:
    """A port free on `host` right now (another program could still take it before we listen)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.bind((host, 0))
        return probe.getsockname()[1]


def dashboard_command(tui_args: Sequence[str], python: str = sys.executable) -> str:
    """The shell command of the dashboard each browser tab runs (quoted; holds no secret)."""
    return shlex.join([python, "-m", "tui", *tui_args])


def plan_serve(
    tui_args: Sequence[str], *, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT, public_url: str | None = None
) -> ServePlan:
    """Check the options and decide the URL; port 0 picks a free port."""
    if not host.strip():
        raise ServeError("--host is empty. Use 127.0.0.1 (this machine only) or the address to listen on.")
    if port == 0:
        try:
            port = free_port(host)
        except OSError as exc:
            raise ServeError(f"Cannot listen on {host}: {exc.strerror or exc}. Check --host.") from None
    warnings = []
    wildcard = host in ("0.0.0.0", "::")
    if not is_loopback(host):
        warnings.append(
            f"Listening on {host}: anyone who can reach port {port} gets the dashboard, with the powers of the "
            "configured Wiro API key (start and stop the agent, change the credential). textual-serve has no "
            "login: keep 127.0.0.1 and use an SSH tunnel (ssh -L), or put an authenticating proxy in front."
        )
    if public_url is None:
        # the page connects its websocket back to this URL, and a browser cannot connect to 0.0.0.0
        shown = socket.gethostname() if wildcard else host
        shown = f"[{shown}]" if ":" in shown else shown
        public_url = f"http://{shown}:{port}"
        if wildcard:
            warnings.append(f"The page will connect back to {public_url}; if browsers reach this machine by "
                            "another name, pass it with --public-url.")
    elif not public_url.startswith(("http://", "https://")):
        raise ServeError(f"--public-url must start with http:// or https:// (got {public_url!r}).")
    return ServePlan(dashboard_command(tui_args), host, port, public_url.rstrip("/"), tuple(warnings))


def run(plan: ServePlan) -> None:
    """Serve until Ctrl-C. Raises ServeError when textual-serve is missing or the port cannot be used."""
    try:
        from textual_serve.server import Server
    except ImportError:
        raise ServeError(f"`wiro-voice serve` needs the optional textual-serve package: {INSTALL_HINT}") from None
    server = Server(plan.command, host=plan.host, port=plan.port, title="wiro-voice", public_url=plan.public_url)
    try:
        server.serve()
    except OSError as exc:
        raise ServeError(
            f"Cannot listen on {plan.host}:{plan.port}: {exc.strerror or exc}. Pick another port with --port "
            "(0 picks a free one)."
        ) from None
