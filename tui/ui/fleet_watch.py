"""The fleet in the TUI: one app-wide poller over every agent, and its alerts as a bell and a notification.

It runs the headless watcher's `Watcher` (tui/watch) — the same polling rules: MyAgents once per round, each
agent's Detail and history spread over the interval, at most 4 Wiro requests in flight, backoff on failures
and 429s — with an in-memory watch state (the TUI counts nothing to disk: `wiro-voice watch` owns the state
file) and no metrics. It starts when the Fleet screen is first needed (opened, or the start screen) and then
keeps polling while the app runs, so alerts ring wherever the user is; the Fleet screen hears each round
through `signal`, the header reads the count from the app's `alerts`.

A connection or agent change (the app's `generation`) builds a new watcher on the new client.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from textual.signal import Signal
from textual.timer import Timer

if TYPE_CHECKING:
    from ..doctor.findings import Finding
    from ..watch.alerts import Alert, AlertEvent
    from ..watch.watcher import PollReport, Watcher
    from .app import WiroVoiceApp

#: seconds between rounds (the watch command's default)
FLEET_INTERVAL = 30.0
#: how long to wait for a client (the demo starting, no API key yet) before looking again
NO_CLIENT_WAIT = 1.0


@dataclass(frozen=True)
class FleetState:
    """One round for the screen: the report, the doctor's worst finding per agent (guid → Finding or None),
    the alerts holding, and the app-clock time the round ended."""

    report: PollReport
    worst: dict[str, Finding | None] = field(default_factory=dict)
    firing: tuple[Alert, ...] = ()
    at: float = 0.0
    polling: bool = False


class TuiAlerts:
    """The watcher's delivery inside the TUI: a bell and a notification per event (nothing on stderr)."""

    def __init__(self, app: WiroVoiceApp) -> None:
        self.app = app
        self.timeout = 0.0

    def start(self) -> None:
        pass

    def submit(self, events: list[AlertEvent]) -> None:
        firing = [e for e in events if e.kind == "firing"]
        if firing:
            self.app.bell()
        for event in events:
            if event.kind == "repeat":
                continue  # the list on the Fleet screen and the header count keep saying it
            alert = event.alert
            if event.kind == "resolved":
                self.app.notify(alert.title, title="Resolved", severity="information", timeout=8)
            else:
                text = f"{alert.title}\n{alert.fix}" if alert.fix else alert.title
                self.app.notify(text, title="Alert", severity="error" if alert.severity == "critical" else "warning",
                                timeout=15)

    async def aclose(self, wait: float | None = None) -> None:
        pass


class FleetWatch:
    """Owns the app's fleet watcher. Each round is a worker of its own; the next is armed (a timer) only once
    it has finished, so nothing piles up and `app.workers.wait_for_complete()` returns between rounds."""

    def __init__(self, app: WiroVoiceApp) -> None:
        self.app = app
        self.signal: Signal[FleetState] = Signal(app, "fleet")
        self.state: FleetState | None = None
        self.rounds = 0
        self._watcher: Watcher | None = None
        self._generation = -1
        self._started = False
        self._in_flight = False
        self._timer: Timer | None = None
        self._manual = False

    @property
    def started(self) -> bool:
        return self._started

    def start(self) -> None:
        """Begin polling (once; later calls do nothing)."""
        if not self._started:
            self._started = True
            self._poll_now()

    def refresh_now(self) -> None:
        """Poll again now rather than at the next interval (every agent at once: someone is waiting)."""
        self._started = True
        self._manual = True
        self._poll_now()

    def _poll_now(self) -> None:
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        if self._in_flight:
            return
        self._in_flight = True
        self.app.run_worker(self._round(), group="fleet", exit_on_error=False)

    def _arm(self, seconds: float) -> None:
        if self.app.is_running:
            self._timer = self.app.set_timer(seconds, self._poll_now, name="fleet")

    def _make_watcher(self, client: Any) -> Watcher:
        from ..twilio.access import twilio_access
        from ..watch.settings import AlertSettings
        from ..watch.state import WatchState
        from ..watch.watcher import Watcher
        from ..webhooks.store import reports_dir

        app = self.app
        settings = app.settings
        return Watcher(
            client, WatchState(), alerts=settings.alerts or AlertSettings(), interval=FLEET_INTERVAL,
            now=app.clock, delivery=TuiAlerts(app),
            twilio=lambda sid: twilio_access(sid, app.settings, demo=app.sim),
            twilio_base=settings.twilio_base, api_base=settings.api_base,
            reports_dir=reports_dir(settings.config_path),
            on_warning=lambda text: app.notify(text, title="Fleet", severity="warning", timeout=10))

    async def _round(self) -> None:
        wait = NO_CLIENT_WAIT
        try:
            client = self.app.client
            if client is None:
                return  # no key yet, or the demo still starting: look again shortly
            if self._watcher is None or self._generation != self.app.generation or self._watcher.client is not client:
                self._watcher = self._make_watcher(client)
                self._generation = self.app.generation
                self.app.alerts = ()
            watcher = self._watcher
            # the first round and a refresh asked for at once (someone is waiting); the rest spread over the interval
            stagger, self._manual = self.rounds > 0 and not self._manual, False
            report = await watcher.poll(stagger=stagger)
            wait = watcher.schedule.record(report.error)
            if watcher is not self._watcher:
                return  # the connection changed meanwhile: that answer belongs to the old one
            worst = await asyncio.to_thread(_worst_findings, report)
            self.rounds += 1
            self.state = FleetState(report, worst, watcher.engine.firing, self.app.clock())
            self.app.alerts = watcher.engine.firing
            self.signal.publish(self.state)
        finally:
            self._in_flight = False
            self._arm(wait)


def _worst_findings(report: PollReport) -> dict[str, Finding | None]:
    """The doctor's worst finding per agent, over what the round read (no log, no hold files)."""
    from ..watch.fleet import worst_finding

    at = report.fleet.at
    return {poll.guid: worst_finding(poll, at) for poll in report.shown}
