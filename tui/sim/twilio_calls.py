"""Twilio's call log (``Calls.json``) for the simulated accounts.

Two sources, one log: every Twilio-channel Wiro session is a Twilio call with the same Call SID (derived from
the session, so the two never disagree), and calls that never reached Wiro are planned here — callers refused
by the whitelist (busy), calls to numbers routed to a TwiML App or Studio Flow, failed, unanswered and
cancelled calls. Statuses, end times and prices follow simulated time.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass

from .calls import ENDED, REJECTED, Call, CallState
from .ids import IdMint, rng_for
from .timefmt import rfc2822
from .twilio_world import API_VERSION, account_path

PRICE_SETTLE_SECONDS = 120.0  # Twilio fills in ``price`` a little after the call ends
MAX_CALLS_PER_ACCOUNT = 5000
UNANSWERED = ("busy", "failed", "no-answer", "canceled")


@dataclass(slots=True)
class TwilioCall:
    """A call that exists on Twilio only. ``outcome`` is its final status; ``ring`` the seconds it rang
    (no-answer and canceled end then); ``duration`` the seconds it was connected (completed calls)."""

    sid: str
    account_sid: str
    to: str
    from_: str
    number_sid: str | None
    started: float
    outcome: str
    ring: float = 0.0
    duration: int = 0
    cause: str = ""  # why it never reached Wiro (for tests and the sim's own notes; not sent)


@dataclass(frozen=True, slots=True)
class CallView:
    """A call as Twilio reports it at one instant."""

    sid: str
    account_sid: str
    to: str | None
    from_: str | None
    number_sid: str | None
    started: float
    status: str
    ended: float | None

    @property
    def duration(self) -> int | None:
        if self.ended is None:
            return None
        return max(0, math.ceil(self.ended - self.started - 1e-9)) if self.status == "completed" else 0


def view_of(call: TwilioCall, now: float) -> CallView | None:
    """How a Twilio-only call looks at ``now`` (None before it was placed)."""
    if call.started > now:
        return None
    if call.outcome in ("busy", "failed"):
        return CallView(call.sid, call.account_sid, call.to, call.from_, call.number_sid, call.started,
                        call.outcome, call.started)
    answer = call.started + call.ring
    if call.outcome in ("no-answer", "canceled"):
        if now < answer:
            return CallView(call.sid, call.account_sid, call.to, call.from_, call.number_sid, call.started,
                            "ringing", None)
        return CallView(call.sid, call.account_sid, call.to, call.from_, call.number_sid, call.started,
                        call.outcome, answer)
    end = answer + call.duration
    if now < end:
        return CallView(call.sid, call.account_sid, call.to, call.from_, call.number_sid, call.started,
                        "in-progress" if now >= answer else "ringing", None)
    return CallView(call.sid, call.account_sid, call.to, call.from_, call.number_sid, call.started, "completed", end)


def session_view(call: Call, st: CallState, now: float, account_sid: str, number_sid: str | None) -> CallView:
    """The Twilio side of a Wiro session: in progress while the session is, completed once it ended.

    A rejected session is answered and hung up a second later; a session stuck "incoming" keeps the caller on
    hold music until they give up (Twilio then says completed while Wiro still says incoming).
    """
    if st.status == ENDED and st.ended is not None:
        end: float | None = st.ended
    elif st.status == REJECTED:
        end = call.started + call.prep + 1.0
    elif call.outcome == "stuck":
        end = call.started + rng_for(0, call.guid, "hangup").uniform(45.0, 150.0)
    else:
        end = None
    if end is not None and end > now:
        end = None
    return CallView(call.callsid, account_sid, call.dialled, call.caller_info.get("number"), number_sid,
                    call.started, "completed" if end is not None else "in-progress", end)


def _rate(number: str | None) -> float:
    # Inbound per-minute prices, roughly: US/Canada local lines are the cheapest.
    return 0.0085 if (number or "").startswith("+1") else 0.0100


def _formatted(number: str | None) -> str | None:
    if number and number.startswith("+1") and len(number) == 12:
        d = number[2:]
        return f"({d[:3]}) {d[3:6]}-{d[6:]}"
    return number


def resource(view: CallView, now: float) -> dict:
    """The Call resource JSON (fields of Twilio's spec; unset values as null)."""
    settled = view.ended is not None and now >= view.ended + PRICE_SETTLE_SECONDS
    if not settled:
        price = None
    elif view.status == "completed":
        price = f"{-math.ceil(max(view.duration or 0, 1) / 60) * _rate(view.to):.5f}"
    else:
        price = "0.00000"
    base = f"{account_path(view.account_sid)}/Calls/{view.sid}"
    updated = view.ended if view.ended is not None else view.started
    return {
        "sid": view.sid,
        "date_created": rfc2822(view.started),
        "date_updated": rfc2822(updated + (PRICE_SETTLE_SECONDS if settled else 0)),
        "parent_call_sid": None,
        "account_sid": view.account_sid,
        "to": view.to,
        "to_formatted": _formatted(view.to),
        "from": view.from_,
        "from_formatted": _formatted(view.from_),
        "phone_number_sid": view.number_sid,
        "status": view.status,
        "start_time": rfc2822(view.started) if view.status != "ringing" else None,
        "end_time": rfc2822(view.ended) if view.ended is not None else None,
        "duration": None if view.ended is None else str(view.duration),
        "price": price,
        "price_unit": "USD",
        "direction": "inbound",
        "answered_by": None,
        "api_version": API_VERSION,
        "forwarded_from": None,
        "group_sid": None,
        "caller_name": None,
        "queue_time": "0",
        "trunk_sid": None,
        "uri": base + ".json",
        "subresource_uris": {name: f"{base}/{path}.json" for name, path in (
            ("notifications", "Notifications"), ("recordings", "Recordings"), ("payments", "Payments"),
            ("events", "Events"), ("siprec", "Siprec"), ("streams", "Streams"),
            ("transcriptions", "Transcriptions"),
            ("user_defined_message_subscriptions", "UserDefinedMessageSubscriptions"),
            ("user_defined_messages", "UserDefinedMessages"))},
    }


def plan_call(r: random.Random, account_sid: str, to: str, from_: str, number_sid: str | None, started: float,
              routing: str, outcome: str | None = None) -> TwilioCall:
    """A call that does not reach Wiro, given how its number was routed: ``app`` (a TwiML App answers),
    ``studio`` (a Studio Flow answers), ``busy`` (Wiro's whitelist refused the caller) or ``webhook``
    (the call failed, was not answered, or the caller hung up while it rang)."""
    sid = IdMint(r).sid("CA")
    if routing in ("app", "studio"):
        return TwilioCall(sid, account_sid, to, from_, number_sid, started, "completed", 0.0,
                          r.randint(20, 150), "answered by a TwiML App" if routing == "app" else "answered by a Studio Flow")
    if routing == "busy":
        return TwilioCall(sid, account_sid, to, from_, number_sid, started, "busy", cause="caller not on the whitelist")
    drawn = r.choice(("failed", "no-answer", "no-answer", "canceled"))
    outcome = outcome or drawn
    ring = {"failed": 0.0, "no-answer": r.uniform(25.0, 32.0), "canceled": r.uniform(3.0, 12.0)}[outcome]
    return TwilioCall(sid, account_sid, to, from_, number_sid, started, outcome, ring, 0, f"Twilio: {outcome}")
