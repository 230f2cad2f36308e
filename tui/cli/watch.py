"""`wiro-voice watch`: no UI — poll every agent (or the `--agent` ones), serve Prometheus metrics, run alerts.

    wiro-voice watch [--agent GUID …] [--metrics HOST:PORT] [--on-alert CMD] [--repeat DURATION]
                     [--interval SECONDS] [--once [--json]] [--demo]

Runs until SIGTERM or Ctrl-C (exit 0). With `--once`: one full poll, the hook's deliveries awaited, then exit
0 healthy, 1 alerts hold, 2 the fleet could not be read (bad configuration, Wiro unreachable or refusing the
key, an `--agent` this key does not list). The alert rules come from the config file's `[alerts]` table;
`--on-alert` and `--repeat` override its `on_alert` and `repeat`. The metrics endpoint listens on loopback
unless told otherwise; any other host is warned about (it has no authentication). The counting state lives
beside the config file (`watch-state.json`, see tui/watch/state.py). No secret is printed or given to the hook.
"""

from __future__ import annotations

import asyncio
import signal
import sys
import time
from collections.abc import Awaitable, Callable, Sequence
from typing import TYPE_CHECKING, Any, TextIO

from . import common
from .common import CliError

if TYPE_CHECKING:
    import argparse

    from ..watch.settings import AlertSettings
    from ..watch.watcher import PollReport

DEFAULT_INTERVAL = 30.0
MIN_INTERVAL = 1.0


def _interval(text: str) -> float:
    from ..watch.settings import AlertsConfigError, parse_duration

    try:
        seconds = parse_duration(text, "--interval")
    except AlertsConfigError as err:
        raise ValueError(str(err).replace('"--interval"', "--interval")) from None
    if seconds < MIN_INTERVAL:
        raise ValueError(f"--interval must be at least {MIN_INTERVAL:g} s (Wiro rate-limits per project)")
    return seconds


def _repeat(text: str) -> float:
    from ..watch.settings import AlertsConfigError, parse_duration

    try:
        return parse_duration(text, "--repeat")
    except AlertsConfigError as err:
        raise ValueError(str(err).replace('"--repeat"', "--repeat")) from None


def add_parsers(subparsers: Any) -> argparse.ArgumentParser:
    """Register `watch` (with the shared connection options; its own --agent repeats)."""
    parser = subparsers.add_parser(
        "watch", help="headless: poll every agent, serve Prometheus metrics, run alerts (--once for cron)")
    common.connection_options(parser, skip=("--agent",))
    parser.add_argument("--agent", dest="watch_agents", action="append", metavar="GUID",
                        help="watch only this agent (repeat for more; default: every agent of the key)")
    parser.add_argument("--metrics", metavar="HOST:PORT",
                        help="serve Prometheus metrics here, e.g. 127.0.0.1:9464 (no authentication: keep it on "
                             "loopback or behind a proxy)")
    parser.add_argument("--on-alert", metavar="CMD",
                        help="run CMD (via /bin/sh) for each alert, with the alert as JSON on stdin and in "
                             "WIRO_VOICE_ALERT_* variables (overrides [alerts] on_alert)")
    parser.add_argument("--repeat", metavar="DURATION", type=common._argparse_type(_repeat),
                        help='remind at most this often while an alert holds, e.g. "30m" (0: never; default '
                             "[alerts] repeat, else 1h)")
    parser.add_argument("--interval", metavar="SECONDS", type=common._argparse_type(_interval),
                        default=DEFAULT_INTERVAL, help=f"seconds between polls (default {DEFAULT_INTERVAL:g})")
    parser.add_argument("--once", action="store_true",
                        help="one full poll, then exit: 0 healthy, 1 alerts hold, 2 error")
    parser.add_argument("--json", action="store_true", help="with --once: one JSON document on stdout")
    return parser


def run(args: argparse.Namespace) -> int:
    """The `watch` command from parsed options; returns the exit code (errors raise CliError)."""
    if args.json and not args.once:
        raise CliError("--json goes with --once (the running watcher reports through --metrics and the hook).")
    listen = None
    if args.metrics:
        from ..watch.metrics import ListenError, parse_listen

        try:
            listen = parse_listen(args.metrics)
        except ListenError as err:
            raise CliError(str(err)) from None
    agents = list(args.watch_agents or [])
    if isinstance(getattr(args, "agent", None), str) and args.agent:  # `wiro-voice --agent G watch`
        agents.append(args.agent)
    with common.session(args) as (settings, sim):
        from ..watch.settings import AlertSettings

        alerts = settings.alerts or AlertSettings()
        if args.on_alert is not None:
            alerts = alerts.with_(on_alert=args.on_alert.strip() or None)
        if args.repeat is not None:
            alerts = alerts.with_(repeat=args.repeat)

        async def go() -> int:
            async with common.client(settings) as client:
                return await run_watch(client, settings, agents=agents, alerts=alerts, listen=listen,
                                       interval=args.interval, once=bool(args.once), as_json=bool(args.json),
                                       demo=sim, out=sys.stdout, err=sys.stderr)

        return common.run(go())


async def run_watch(client: Any, settings: Any, *, agents: Sequence[str] = (), alerts: AlertSettings | None = None,
                    listen: tuple[str, int] | None = None, interval: float = DEFAULT_INTERVAL, once: bool = False,
                    as_json: bool = False, demo: Any = None, out: TextIO, err: TextIO,
                    now: Callable[[], float] | None = None, sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep,
                    stop: asyncio.Event | None = None, polls: int | None = None,
                    on_poll: Callable[[PollReport], Any] | None = None) -> int:
    """Watch with a ready client: lock the state, serve the metrics, poll until `stop` (or one poll with `once`).
    Returns the exit code; CliError for what stops it from starting (the state is locked, the port is taken)."""
    from ..twilio.access import twilio_access
    from ..watch.deliver import AlertDelivery
    from ..watch.settings import AlertSettings, describe
    from ..watch.state import StateError, WatchState, open_state, state_path
    from ..watch.watcher import Watcher
    from ..webhooks.store import reports_dir

    alerts = alerts or AlertSettings()
    if demo is not None:
        state = WatchState()  # a fresh simulated world each time: nothing of it belongs in the real state file
    else:
        try:
            state = open_state(state_path(settings.config_path))
        except StateError as problem:
            raise CliError(str(problem)) from None
    for warning in state.warnings:
        common.say(err, warning)
    metrics = None
    try:
        if listen is not None:
            from ..watch.metrics import WatchMetrics, listen_warning

            metrics = WatchMetrics()
            try:
                host, port = metrics.serve(*listen)
            except OSError as problem:
                raise CliError(f"The metrics endpoint cannot listen on {listen[0]}:{listen[1]}: "
                               f"{problem.strerror or problem}. Pick another port with --metrics.") from None
            warning = listen_warning(host)
            if warning:
                common.say(err, f"warning: {warning}")
            shown = f"[{host}]" if ":" in host else host
            common.say(err, f"metrics on http://{shown}:{port}/metrics")
        delivery = AlertDelivery(alerts.on_alert, timeout=alerts.hook_timeout, stderr=err)
        watcher = Watcher(
            client, state, alerts=alerts, interval=interval, agents=agents,
            now=now or (demo.now if demo is not None else time.time), sleep=sleep, metrics=metrics,
            delivery=delivery, twilio=lambda sid: twilio_access(sid, settings, demo=demo),
            twilio_base=settings.twilio_base, api_base=settings.api_base,
            reports_dir=reports_dir(settings.config_path), stderr=err)
        if once:
            report, code = await watcher.once()
            _say_report(report, watcher, err)
            if as_json:
                common.emit(document(report, watcher), "", as_json=True, out=out)
            return code
        who = f"{len(agents)} agent{'s' if len(agents) != 1 else ''}" if agents else "every agent"
        common.say(err, f"watching {who} every {interval:g} s; alerts: {'; '.join(describe(alerts))}"
                        + (f"; hook: {alerts.on_alert}" if alerts.on_alert else ""))
        stop = stop or asyncio.Event()
        undo = _stop_on_signals(stop)
        try:
            await watcher.run(stop=stop, polls=polls, on_poll=on_poll)
        finally:
            undo()
            await delivery.aclose(wait=max(10.0, alerts.hook_timeout * 2))
        common.say(err, f"stopped after {watcher.polls} poll{'s' if watcher.polls != 1 else ''}")
        return common.EXIT_OK
    finally:
        if metrics is not None:
            metrics.close()
        state.close()


def _stop_on_signals(stop: asyncio.Event) -> Callable[[], None]:
    """SIGTERM (systemd stop) and SIGINT end the watch cleanly; returns how to undo it."""
    loop = asyncio.get_running_loop()
    installed = []
    for sig in (signal.SIGTERM, signal.SIGINT):
        try:
            loop.add_signal_handler(sig, stop.set)
            installed.append(sig)
        except (NotImplementedError, RuntimeError, ValueError):
            pass  # not the main thread (tests), or no signals here

    def undo() -> None:
        for sig in installed:
            loop.remove_signal_handler(sig)

    return undo


def _say_report(report: PollReport, watcher: Any, err: TextIO) -> None:
    if not report.listed:
        common.say(err, f"could not list the agents: {report.error}")
    for guid in report.missing:
        common.say(err, f"--agent {guid} is not among this key's agents (`wiro-voice agents` lists them)")
    for problem in report.problems:
        common.say(err, problem)
    firing = watcher.engine.firing
    common.say(err, f"{len(report.views)} agent{'s' if len(report.views) != 1 else ''} polled; "
                    + (f"{len(firing)} alert{'s' if len(firing) != 1 else ''}" if firing else "healthy"))


def document(report: PollReport, watcher: Any) -> dict[str, Any]:
    """`watch --once --json`: every agent's figures, the alerts holding, and what failed."""
    return {
        "agents": [v.to_json() for v in report.views],
        "alerts": [{"id": a.key, "rule": a.rule, "severity": a.severity, "title": a.title, "detail": a.detail,
                    "fix": a.fix, "agent": a.agent} for a in watcher.engine.firing],
        "apis": {name: h.up for name, h in watcher.apis.items()},
        "listed": report.listed,
        "missing": list(report.missing),
        "problems": list(report.problems),
        "at": report.fleet.at,
    }
