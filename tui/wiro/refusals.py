"""Start/Stop refusals, said plainly with what to do next.

Matched on a lower-case fragment of Wiro's message, so small wording changes still match. Credits come
before subscriptions: "No credits available. Please renew your subscription or purchase extra credits." is a
credit refusal (it names a subscription only as one way to get credits), and so is "Agent has no remaining
credits…", which may carry an `agentbalance` object; only "Subscription required…" (older: "Active subscription
required…") is about the subscription itself.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

CREDITS_ADVICE = ("The agent has no credits left this period, so Wiro will not start it. Buy a credit pack or "
                  "renew the plan in the Wiro panel, then start it again.")
SUBSCRIPTION_ADVICE = ("The agent has no active subscription, so Wiro will not start it. Subscribe to (or renew) "
                       "the agent in the Wiro panel, then start it again.")
SETUP_ADVICE = ("Wiro still marks the agent Setup required. Fill in every required credential (Twilio: Account "
                "SID, Auth Token, phone numbers; and the `wiro` API key if the template asks for one), then save: "
                "wiro-voice's save asks Wiro to re-check setup (Update), after which Start works.")

_PLAIN: tuple[tuple[str, str], ...] = (
    ("already running", "It is already running, so there is nothing to start."),
    ("already queued", "It is already starting. Give it a few seconds; the status updates on its own."),
    ("currently stopping", "It is still stopping. Wait until it shows Stopped, then start it again."),
    ("setup is not complete", SETUP_ADVICE),
    ("credit", CREDITS_ADVICE),
    ("subscription", SUBSCRIPTION_ADVICE),
    ("subscribe", SUBSCRIPTION_ADVICE),
    ("already stopped", "It is already stopped."),
    ("error state", "It is in the error state, so there is nothing to stop. Use Start to retry; the activity log "
     "says what went wrong."),
    ("not found", "Wiro does not know this agent. Pick another one (it may have been deleted)."),
)


def refusal_kind(message: str) -> str | None:
    """"credits", "subscription", "setup" or None: what a Start refusal is about."""
    lowered = message.lower()
    if "setup is not complete" in lowered:
        return "setup"
    if "credit" in lowered:
        return "credits"
    if "subscri" in lowered:
        return "subscription"
    return None


def balance_text(data: Mapping[str, Any] | None) -> str:
    """The `agentbalance` object Wiro may send with a credit refusal, in words; "" when there is none."""
    balance = data.get("agentbalance") if isinstance(data, Mapping) else None
    if not isinstance(balance, Mapping):
        return ""
    names = (("monthlycredits", "monthly"), ("extracredits", "extra"), ("usedcredits", "used"),
             ("remainingcredits", "remaining"))
    parts = [f"{label} {balance[key]}" for key, label in names
             if isinstance(balance.get(key), (int, float)) and not isinstance(balance.get(key), bool)]
    return f" Credits: {', '.join(parts)}." if parts else ""


def explain_refusal(message: str, data: Mapping[str, Any] | None = None) -> str:
    """Wiro's refusal in plain words, with Wiro's own text after it; unknown messages are passed through."""
    lowered = message.lower()
    for fragment, plain in _PLAIN:
        if fragment in lowered:
            extra = balance_text(data) if fragment == "credit" else ""
            return f"{plain}{extra} (Wiro: {message.strip()})" if fragment in ("credit", "subscription",
                                                                            "subscribe") else plain + extra
    return message
