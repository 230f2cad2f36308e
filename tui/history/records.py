"""The rows the history keeps, as plain frozen values.

Times are epoch milliseconds (UTC). A time a row does not carry is None here; the store fills in the time the
row was first seen, so every row it reads back has one. Money is kept in integer micro-units (1e-6 of the
unit) so sums are exact and the SQL and Python figures agree to the last digit: a Twilio price of "-0.0085"
USD is -8500, a Wiro deduction of 3 credits is -3_000_000. Text is stored as the API sent it (cut to a sane
length); the UI makes it printable.
"""

from __future__ import annotations

from dataclasses import dataclass

#: Micro-units per unit of money or credit.
MICRO = 1_000_000
#: What one Wiro credit is worth in US dollars (wiro-api.md 5.14: 1 credit = $0.01).
CREDIT_USD = 0.01


@dataclass(frozen=True, slots=True)
class WiroSession:
    """One row of `TwilioCallHistory/List` (a phone or web voice session), as kept in the history.

    `called_number` is the agent's number the caller dialled, when known (the list rows do not carry it; it
    comes from Twilio's record of the same Call SID). `reject_reason` comes from `Message/Detail`'s
    `metadata.reason` when the session's detail was read; the list rows do not carry it either.
    """

    guid: str
    started_ms: int | None = None
    agent_guid: str | None = None
    call_sid: str | None = None
    channel: str | None = None
    caller: str | None = None
    caller_country: str | None = None
    called_number: str | None = None
    status: str | None = None
    end_reason: str | None = None
    reject_reason: str | None = None
    duration_s: int | None = None
    model: str | None = None
    ended_ms: int | None = None


@dataclass(frozen=True, slots=True)
class TwilioCall:
    """One call from Twilio's call log (`…/Calls.json`).

    `price_micro` is Twilio's price in micro-units of `price_unit`, negative for a charge, None until Twilio
    settles it. `caller_country` is the ISO region of the `from_number` when it could be told (the store fills it
    in when it writes the row). `start_ms` falls back to the call's creation time when Twilio has no start yet.
    """

    sid: str
    start_ms: int | None = None
    to_number: str | None = None
    from_number: str | None = None
    status: str | None = None
    direction: str | None = None
    end_ms: int | None = None
    duration_s: int | None = None
    price_micro: int | None = None
    price_unit: str | None = None
    caller_country: str | None = None

    @property
    def cost_micro(self) -> int | None:
        """What the call cost, as a positive amount in micro-units of `price_unit` (None until settled)."""
        return None if self.price_micro is None else abs(self.price_micro)


@dataclass(frozen=True, slots=True)
class CreditRow:
    """A `TransactionList` deduction joined to a session by message guid: the post-call turn's credits.

    `amount_micro` is signed as Wiro sends it (negative for a deduction), in micro-credits.
    """

    guid: str
    message_guid: str
    amount_micro: int
    created_ms: int | None = None
    action: str | None = None

    @property
    def credits_micro(self) -> int:
        """The credits spent, as a positive amount in micro-credits."""
        return abs(self.amount_micro)


@dataclass(frozen=True, slots=True)
class RoutingSnapshot:
    """What answered a number on Twilio at a moment: a verdict of `tui.twilio.classify` ("wiro_ok",
    "twiml_app", "sip_trunk", "studio_flow", "no_voice_url", "elsewhere", "not_on_account")."""

    number: str
    verdict: str
    at_ms: int
