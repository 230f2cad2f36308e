"""The headless watcher: every agent polled, Prometheus metrics, alerts with a hook. No Textual here.

fleet      AgentView: one agent at a glance (status, calls now and in the last hour, webhooks, credits)
ledger     which sessions were already counted, and the running totals, kept on disk across restarts
alerts     Alert, AlertEvent and AlertEngine: fire once, repeat at most every `repeat`, resolve (pure)
rules      the alert rules: the doctor's checks plus the live data, over one poll's views
settings   AlertSettings: the `[alerts]` table's keys, defaults and validation ("did you mean")
deliver    the --on-alert hook: the alert as JSON on stdin and WIRO_VOICE_ALERT_* variables, a stderr line
metrics    the Prometheus collector (prometheus-client, a registry of its own) and the HTTP endpoint
watcher    Watcher: MyAgents once per interval, per-agent Detail + history staggered, <= 4 in flight

Only `metrics` imports prometheus_client, and only the watch command and the tests import `metrics`.
"""
