"""Why the activity log could not be read, in the user's words."""

from __future__ import annotations

from ..common.text import printable
from ..wiro.errors import ApiError, NotFoundError, WiroError
from ..wiro.health import failure_phrase

CACHE_SECONDS = 30  # Wiro caches Logs answers this long, for every caller, per (agent, date, lines)

_PLAIN: tuple[tuple[str, str], ...] = (
    ("not assigned to a worker",
     ("Wiro keeps an activity log only for an agent on a worker, and this one is not running (it may never "
      "have run). Start the agent (Overview, or `wiro-voice start`); the log fills as calls arrive.")),
    ("date must be", "Wiro could not read the date: give it as YYYY-MM-DD, e.g. 2026-04-24."),
    ("not found", "Wiro does not know this agent. Pick another one (it may have been deleted)."),
)


def explain_logs_error(error: WiroError) -> str:
    """A refusal (Wiro answered, but no) in plain words with what to do; a transport failure in the few
    words the header uses ("503 from Wiro", "Wiro timed out")."""
    if isinstance(error, (ApiError, NotFoundError)) and error.status in (None, 200):
        lowered = error.message.lower()
        for fragment, plain in _PLAIN:
            if fragment in lowered:
                return plain
        return f"Wiro refused to send the log: {printable(error.message)}"
    return failure_phrase(error)
