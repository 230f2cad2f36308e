"""Start/Stop refusals, said plainly with what to do next."""

from __future__ import annotations

# Keyed by a lower-case fragment of Wiro's message, so small wording changes still match.
_PLAIN: tuple[tuple[str, str], ...] = (
    ("already running", "It is already running, so there is nothing to start."),
    ("already queued", "It is already starting. Give it a few seconds; the status updates on its own."),
    ("currently stopping", "It is still stopping. Wait until it shows Stopped, then start it again."),
    ("setup is not complete", "Setup is not complete: fill in the Twilio credential (Account SID, Auth Token, "
     "phone numbers) before starting."),
    ("subscription", "Your Wiro subscription is not active. Renew it in the Wiro panel, then start again."),
    ("no credits", "The agent has no credits left. Buy extra credits or renew the plan in the Wiro panel."),
    ("already stopped", "It is already stopped."),
    ("error state", "It is in the error state, so there is nothing to stop. Use Start to retry; the activity log "
     "says what went wrong."),
    ("not found", "Wiro does not know this agent. Pick another one (it may have been deleted)."),
)


def explain_refusal(message: str) -> str:
    """Wiro's refusal in plain words; unknown messages are passed through unchanged."""
    lowered = message.lower()
    for fragment, plain in _PLAIN:
        if fragment in lowered:
            return plain
    return message
