"""The alert rules' switches and thresholds: the config file's `[alerts]` table, checked like the rest of it.

```toml
[alerts]
repeat = "1h"              # remind at most this often while an alert holds ("0" never reminds)
agent_not_running = true   # an agent seen Running is now Stopped, in Error or needs setup
number_not_routed = true   # a number seen routed to Wiro no longer is (needs Twilio credentials)
rejections = 5             # more than this many rejected calls …
rejections_window = "15m"  # … within this long (rejections = 0 turns the rule off)
unreachable_polls = 3      # Wiro or Twilio failed this many polls in a row (0: off)
credits_below = 50         # Detail's remainingcredits under this (0: off)
on_alert = "/usr/local/bin/page-me"   # the hook; --on-alert overrides it
hook_timeout = "10s"       # a hook still running after this is stopped and reported
```

Durations are seconds (a number) or text with a unit: "90s", "15m", "1h". `check_alerts_table` is the one
validator; tui/config.py calls it for the file, the watch command for its flags' values.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, fields, replace
from typing import Any


@dataclass(frozen=True)
class AlertSettings:
    """Every rule's switch or threshold. A threshold of 0 turns its rule off."""

    repeat: float = 3600.0
    agent_not_running: bool = True
    number_not_routed: bool = True
    rejections: int = 5
    rejections_window: float = 900.0
    unreachable_polls: int = 3
    credits_below: int = 50
    on_alert: str | None = None
    hook_timeout: float = 10.0

    def with_(self, **changes: Any) -> "AlertSettings":
        return replace(self, **changes)


#: key → (kind, what it means for the messages)
KEYS: dict[str, tuple[str, str]] = {
    "repeat": ("duration", "how often to remind while an alert holds"),
    "agent_not_running": ("bool", "alert when an agent leaves Running"),
    "number_not_routed": ("bool", "alert when a number stops routing to Wiro"),
    "rejections": ("count", "rejected calls allowed within rejections_window"),
    "rejections_window": ("duration", "the window the rejections are counted in"),
    "unreachable_polls": ("count", "failed polls in a row before Wiro or Twilio counts as unreachable"),
    "credits_below": ("count", "alert when the remaining credits fall under this"),
    "on_alert": ("command", "the command run for each alert"),
    "hook_timeout": ("duration", "how long the command may run"),
}
assert set(KEYS) == {f.name for f in fields(AlertSettings)}

_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(s|sec|secs|seconds?|m|min|mins|minutes?|h|hours?)?\s*$", re.IGNORECASE)
_UNIT = {"s": 1, "m": 60, "h": 3600}
_HOOK_TIMEOUT_MAX = 3600.0


class AlertsConfigError(ValueError):
    """One unusable `[alerts]` value; the message names the key and says what to write instead."""


def parse_duration(value: Any, key: str = "value") -> float:
    """Seconds from a number or "90s" / "15m" / "1h"; AlertsConfigError when it is neither or negative."""
    if isinstance(value, bool):
        raise AlertsConfigError(f'"{key}" must be a duration such as 30, "90s", "15m" or "1h", not true/false.')
    if isinstance(value, (int, float)):
        seconds = float(value)
    elif isinstance(value, str):
        match = _DURATION.match(value)
        if not match:
            raise AlertsConfigError(f'"{key}" = {value!r} is not a duration; write a number of seconds or text such '
                                    'as "90s", "15m" or "1h".')
        seconds = float(match.group(1)) * _UNIT[(match.group(2) or "s")[0].lower()]
    else:
        raise AlertsConfigError(f'"{key}" must be a duration such as 30, "90s", "15m" or "1h", not '
                                f"{type(value).__name__}.")
    if seconds != seconds or seconds < 0 or seconds == float("inf"):
        raise AlertsConfigError(f'"{key}" must be 0 or more seconds.')
    return seconds


def _check(key: str, value: Any) -> Any:
    kind = KEYS[key][0]
    if kind == "bool":
        if not isinstance(value, bool):
            raise AlertsConfigError(f'"{key}" must be true or false (without quotes), not {value!r}.')
        return value
    if kind == "count":
        if isinstance(value, bool) or not isinstance(value, int):
            raise AlertsConfigError(f'"{key}" must be a whole number (0 turns the rule off), not {value!r}.')
        if value < 0:
            raise AlertsConfigError(f'"{key}" must be 0 or more (0 turns the rule off), not {value}.')
        return value
    if kind == "duration":
        seconds = parse_duration(value, key)
        if key == "rejections_window" and seconds <= 0:
            raise AlertsConfigError('"rejections_window" must be longer than 0 seconds, e.g. "15m".')
        if key == "hook_timeout" and not 0 < seconds <= _HOOK_TIMEOUT_MAX:
            raise AlertsConfigError('"hook_timeout" must be between 1 second and 1 hour, e.g. "10s".')
        return seconds
    if not isinstance(value, str):
        raise AlertsConfigError(f'"{key}" must be a command in quotes, not {type(value).__name__}.')
    if "\x00" in value:
        raise AlertsConfigError(f'"{key}" contains a NUL character; write the command as plain text.')
    return value.strip() or None


def check_alerts_table(table: Any, base: AlertSettings | None = None) -> AlertSettings:
    """The `[alerts]` table as settings over `base` (defaults when None). Raises AlertsConfigError for a table
    that is not a table, an unknown key ("Did you mean …"), or a value of the wrong type or range."""
    settings = base or AlertSettings()
    if table is None:
        return settings
    if not isinstance(table, dict):
        raise AlertsConfigError('"alerts" must be a table: write [alerts] on its own line, then one key = value '
                                "per line.")
    changes: dict[str, Any] = {}
    for key, value in table.items():
        if key not in KEYS:
            import difflib  # only for the message

            close = difflib.get_close_matches(str(key), KEYS, n=1)
            hint = f' Did you mean "{close[0]}"?' if close else f" Known keys: {', '.join(KEYS)}."
            raise AlertsConfigError(f'[alerts] has an unknown key "{key}".{hint}')
        changes[key] = _check(key, value)
    return replace(settings, **changes)


def describe(settings: AlertSettings) -> list[str]:
    """The rules in force, one line each (for the watch command's start-up lines)."""
    def span(seconds: float) -> str:
        if seconds >= 3600 and seconds % 3600 == 0:
            return f"{seconds / 3600:g} h"
        if seconds >= 60 and seconds % 60 == 0:
            return f"{seconds / 60:g} min"
        return f"{seconds:g} s"

    rules = []
    if settings.agent_not_running:
        rules.append("an agent seen Running stops, fails or needs setup")
    if settings.number_not_routed:
        rules.append("a number seen routed to Wiro no longer is")
    if settings.rejections:
        rules.append(f"more than {settings.rejections} rejected calls within {span(settings.rejections_window)}")
    if settings.unreachable_polls:
        rules.append(f"Wiro or Twilio unreachable for {settings.unreachable_polls} polls in a row")
    if settings.credits_below:
        rules.append(f"fewer than {settings.credits_below} credits left")
    repeat = f"reminders every {span(settings.repeat)}" if settings.repeat > 0 else "no reminders"
    return [*rules, repeat]
