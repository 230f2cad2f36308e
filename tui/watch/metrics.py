"""Prometheus metrics of the fleet, exposed with the `prometheus-client` library from a registry of our own.

The watcher publishes an immutable `MetricsView` after each poll; the collector turns the newest one into
metric families whenever Prometheus scrapes (in the endpoint's thread), so a scrape never sees half a poll.

| metric                                          | type      | labels                       |
|-------------------------------------------------|-----------|------------------------------|
| wiro_voice_agent_status                         | gauge     | agent, title                 |
| wiro_voice_agent_status_info                    | gauge (1) | agent, title, status, meaning|
| wiro_voice_calls_active                         | gauge     | agent                        |
| wiro_voice_calls_total                          | counter   | agent, outcome, end_reason   |
| wiro_voice_call_duration_seconds                | histogram | agent                        |
| wiro_voice_rejections_total                     | counter   | agent, reason                |
| wiro_voice_webhook_numbers                      | gauge     | agent, source, state         |
| wiro_voice_remaining_credits                    | gauge     | agent                        |
| wiro_voice_api_up                               | gauge     | api (wiro, twilio)           |
| wiro_voice_last_poll_timestamp_seconds          | gauge     | —                            |
| wiro_voice_poll_errors_total                    | counter   | endpoint, kind               |
| wiro_voice_alerts_firing                        | gauge     | rule, severity               |

Every per-agent series carries `agent` (the guid), so a fleet can be split or summed (`sum without (agent)`).
The session counters and the histogram come from the watch state's persisted totals: they carry on across
restarts. The poll error counter is per process (Prometheus handles its reset on restart).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field

from prometheus_client import CollectorRegistry
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, HistogramMetricFamily, Metric
from prometheus_client.utils import floatToGoString

from .fleet import AgentView
from .state import DURATION_BUCKETS, WatchState

DEFAULT_PORT = 9464
DEFAULT_HOST = "127.0.0.1"


@dataclass(frozen=True)
class MetricsView:
    """Everything one scrape shows, copied out of the watcher after a poll."""

    agents: tuple[AgentView, ...] = ()
    calls: tuple[tuple[tuple[str, str, str], int], ...] = ()
    rejections: tuple[tuple[tuple[str, str], int], ...] = ()
    durations: tuple[tuple[str, tuple[int, ...], float], ...] = ()  # agent, cumulative counts, sum
    poll_errors: tuple[tuple[tuple[str, str], int], ...] = ()
    apis: Mapping[str, bool | None] = field(default_factory=dict)
    last_poll: float | None = None
    alerts: tuple[tuple[tuple[str, str], int], ...] = ()  # (rule, severity) → firing

    @classmethod
    def build(cls, agents: tuple[AgentView, ...], state: WatchState, *, poll_errors: Mapping[tuple[str, str], int],
              apis: Mapping[str, bool | None], last_poll: float | None,
              alerts: Mapping[tuple[str, str], int] | None = None) -> "MetricsView":
        durations = tuple((agent, tuple(d.cumulative()), d.total) for agent, d in sorted(state.durations.items()))
        return cls(agents=agents, calls=tuple(sorted(state.calls.items())),
                   rejections=tuple(sorted(state.rejections.items())), durations=durations,
                   poll_errors=tuple(sorted(poll_errors.items())), apis=dict(apis), last_poll=last_poll,
                   alerts=tuple(sorted((alerts or {}).items())))


class FleetCollector:
    """A prometheus-client collector over the newest `MetricsView` (replaced whole by `publish`)."""

    def __init__(self) -> None:
        self._view = MetricsView()

    def publish(self, view: MetricsView) -> None:
        self._view = view  # one reference swap: a scrape reads either the old view or the new one

    def collect(self) -> Iterator[Metric]:
        view = self._view
        status = GaugeMetricFamily("wiro_voice_agent_status", "The agent's status code (0 Stopped, 1 Stopping, "
                                   "2 Queued, 3 Starting, 4 Running, 5 Error, 6 Setup required).",
                                   labels=["agent", "title"])
        info = GaugeMetricFamily("wiro_voice_agent_status_info", "The agent's status in words (always 1).",
                                 labels=["agent", "title", "status", "meaning"])
        active = GaugeMetricFamily("wiro_voice_calls_active", "Sessions with a caller on the line now (incoming "
                                   "or active).", labels=["agent"])
        webhooks = GaugeMetricFamily("wiro_voice_webhook_numbers", "The credential's numbers per webhook state: "
                                     "Twilio's verdict (source twilio) or the last save's (source last_save).",
                                     labels=["agent", "source", "state"])
        credits = GaugeMetricFamily("wiro_voice_remaining_credits", "Detail's remainingcredits.", labels=["agent"])
        for agent in view.agents:
            if agent.status is not None:
                status.add_metric([agent.guid, agent.title], agent.status)
                info.add_metric([agent.guid, agent.title, agent.status_name, agent.status_meaning], 1)
            if agent.calls_active is not None:
                active.add_metric([agent.guid], agent.calls_active)
            for state, n in sorted(agent.webhooks.items()):
                webhooks.add_metric([agent.guid, agent.webhook_source, state], n)
            if agent.remaining_credits is not None:
                credits.add_metric([agent.guid], agent.remaining_credits)
        yield from (status, info, active, webhooks, credits)

        calls = CounterMetricFamily("wiro_voice_calls", "Finished sessions, each counted once: outcome ended (with "
                                    "its end_reason) or rejected.", labels=["agent", "outcome", "end_reason"])
        for (agent, outcome, reason), n in view.calls:
            calls.add_metric([agent, outcome, reason], n)
        yield calls
        rejections = CounterMetricFamily("wiro_voice_rejections", "Rejected sessions by Wiro's reason (unknown: "
                                         "none given; unread: the detail could not be read).",
                                         labels=["agent", "reason"])
        for (agent, reason), n in view.rejections:
            rejections.add_metric([agent, reason], n)
        yield rejections
        durations = HistogramMetricFamily("wiro_voice_call_duration_seconds", "Length of ended sessions.",
                                          labels=["agent"])
        bounds = [floatToGoString(b) for b in DURATION_BUCKETS] + ["+Inf"]
        for agent, cumulative, total in view.durations:
            durations.add_metric([agent], list(zip(bounds, cumulative)), sum_value=total)
        yield durations

        up = GaugeMetricFamily("wiro_voice_api_up", "1 when the API answered the last poll, 0 when it failed.",
                               labels=["api"])
        for api, ok in sorted(view.apis.items()):
            if ok is not None:
                up.add_metric([api], 1 if ok else 0)
        yield up
        last = GaugeMetricFamily("wiro_voice_last_poll_timestamp_seconds", "When the last poll of the fleet ended "
                                 "(epoch seconds).")
        if view.last_poll is not None:
            last.add_metric([], view.last_poll)
        yield last
        errors = CounterMetricFamily("wiro_voice_poll_errors", "Failed requests while polling, by endpoint and "
                                     "kind (timeout, connection, server, rate_limited, auth, …).",
                                     labels=["endpoint", "kind"])
        for (endpoint, kind), n in view.poll_errors:
            errors.add_metric([endpoint, kind], n)
        yield errors
        firing = GaugeMetricFamily("wiro_voice_alerts_firing", "Alerts holding now, by rule and severity.",
                                   labels=["rule", "severity"])
        for (rule, severity), n in view.alerts:
            firing.add_metric([rule, severity], n)
        yield firing


class WatchMetrics:
    """The registry (not the process-global one) with the fleet collector, and its HTTP endpoint."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=False)
        self.collector = FleetCollector()
        self.registry.register(self.collector)
        self._server = None
        self._thread = None

    def publish(self, view: MetricsView) -> None:
        self.collector.publish(view)

    def text(self) -> str:
        """The exposition as Prometheus would scrape it (for tests and `--once`)."""
        from prometheus_client import generate_latest

        return generate_latest(self.registry).decode()

    def serve(self, host: str, port: int) -> tuple[str, int]:
        """Serve /metrics on host:port in a daemon thread; returns where it listens (port 0 picks one).
        Raises OSError when the address cannot be bound."""
        from prometheus_client import start_http_server

        self._server, self._thread = start_http_server(port, addr=host, registry=self.registry)
        bound = self._server.server_address
        return str(bound[0]), int(bound[1])

    def close(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            if self._thread is not None:
                self._thread.join(timeout=5)
            self._server = self._thread = None


class ListenError(ValueError):
    """A --metrics value that is not HOST:PORT; the message shows the forms that work."""


def parse_listen(text: str) -> tuple[str, int]:
    """`127.0.0.1:9464`, `[::1]:9464`, `:9464` (loopback) or `9464` → (host, port)."""
    value = (text or "").strip()
    usage = f"--metrics {text!r}: write HOST:PORT, e.g. 127.0.0.1:{DEFAULT_PORT} (or just the port)."
    if not value:
        raise ListenError(usage)
    host, port_text = DEFAULT_HOST, value
    if value.startswith("["):
        end = value.find("]")
        if end < 0 or not value[end + 1:].startswith(":"):
            raise ListenError(usage)
        host, port_text = value[1:end], value[end + 2:]
    elif ":" in value:
        head, _, port_text = value.rpartition(":")
        if ":" in head:
            raise ListenError(f"--metrics {text!r}: put an IPv6 address in brackets, e.g. [::1]:{DEFAULT_PORT}.")
        host = head or DEFAULT_HOST
    if not port_text.isdigit() or not 0 <= int(port_text) <= 65535:
        raise ListenError(usage)
    return host, int(port_text)


def listen_warning(host: str) -> str | None:
    """A warning when the endpoint listens beyond this machine (it has no authentication)."""
    if host == "localhost":
        return None
    try:
        if ipaddress.ip_address(host).is_loopback:
            return None
    except ValueError:
        pass
    return (f"The metrics endpoint listens on {host}, not only on this machine: it has no authentication, so "
            "anyone who can reach the port can read agent names, call counts and statuses. Prefer 127.0.0.1 "
            "behind a firewall or a reverse proxy with authentication.")
