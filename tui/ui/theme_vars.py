"""The app's own colour names, declared once with defaults so every theme (ours or a user's) has them.

Named colours rather than hex, so the defaults read as intent; a theme may override any of them.
They are RGB colours (not ANSI ones) so that tints such as `$agent-running 30%` can be blended.
"""

APP_COLOUR_DEFAULTS: dict[str, str] = {
    # agent status
    "agent-running": "limegreen",
    "agent-busy": "gold",
    "agent-stopped": "gray",
    "agent-error": "crimson",
    # call sessions
    "call-incoming": "gold",
    "call-active": "limegreen",
    "call-rejected": "crimson",
    "call-ended": "darkgray",
    # webhooks
    "webhook-ok": "limegreen",
    "webhook-skipped": "gold",
    "webhook-failed": "crimson",
    # connection state and the demo badge
    "live": "limegreen",
    "stale": "crimson",
    "demo": "orchid",
}
