"""A generated history: Twilio calls, Wiro sessions, credits and routing with every case the join knows.

Deterministic for a seed. Used by the SQL-versus-Python tests (a few hundred calls) and by the benchmarks
(100 000 calls over 30 days). IDs have their real shapes (CA + 32 hex, uuid guids) so file sizes are honest.
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass, field

from tui.history.records import CreditRow, RoutingSnapshot, TwilioCall, WiroSession

NUMBERS = ("+14155550100", "+14155550101", "+442071838750", "+4915735983768")
CALLERS = ("+447700900123", "+447700900456", "+14155552671", "+33612345678", "+4915112345678",
           "+905321234567", "+61412345678", "+8613812345678", "+266696687", "client:alice")
COUNTRIES = {"+44": "GB", "+1": "US", "+33": "FR", "+49": "DE", "+90": "TR", "+61": "AU", "+86": "CN"}
REJECT_REASONS = ("concurrent_limit", "agent_prep_timeout", "realtime_ws_open_failed", "realtime_stream_timeout", None)
END_REASONS = ("wiro_completed", "twilio_disconnect", "max_duration", "wiro_error", None)
TWILIO_MISSED = ("busy", "busy", "completed", "failed", "no-answer", "canceled", "ringing", "in-progress", "queued")
VERDICTS = ("wiro_ok", "twiml_app", "sip_trunk", "studio_flow", "no_voice_url", "elsewhere", "not_on_account")
AGENTS = ("3f2c9a1e-5b7d-4c8e-9f01-23456789abcd", "8d6e1f20-0000-4c8e-9f01-aaaaaaaaaaaa")


@dataclass
class World:
    calls: list[TwilioCall] = field(default_factory=list)
    sessions: list[WiroSession] = field(default_factory=list)
    credits: list[CreditRow] = field(default_factory=list)
    routing: list[RoutingSnapshot] = field(default_factory=list)


def _country(number: str) -> str | None:
    for prefix, country in COUNTRIES.items():
        if number.startswith(prefix) and len(number) > 9:
            return country
    return None


def generate(n_calls: int, *, seed: int, end_ms: int, days: int, country_on_calls: bool = True) -> World:
    """About `n_calls` Twilio calls spread over `days` before `end_ms` (80 % reach Wiro), plus web sessions,
    sessions whose Twilio record is missing, a few duplicate sessions and outbound legs, credits for most
    sessions, and routing that changes a few times per number."""
    rnd = random.Random(seed)
    ids = random.Random(seed + 1)
    world = World()
    span = days * 86_400_000
    start = end_ms - span

    def guid() -> str:
        return str(uuid.UUID(int=ids.getrandbits(128), version=4))

    def sid() -> str:
        return "CA" + "%032x" % ids.getrandbits(128)

    for number in NUMBERS:
        at = start - 86_400_000
        world.routing.append(RoutingSnapshot(number, "wiro_ok", at))
        for _ in range(3):
            at += rnd.randrange(span // 3)
            world.routing.append(RoutingSnapshot(number, rnd.choice(VERDICTS), at))

    for _ in range(n_calls):
        at = start + rnd.randrange(span)
        to = rnd.choice(NUMBERS)
        caller = rnd.choice(CALLERS)
        roll = rnd.random()
        direction = "inbound" if roll > 0.01 else rnd.choice(("outbound-api", "outbound-dial"))
        if rnd.random() < 0.03:
            direction = None
        call_sid = sid()
        price_roll = rnd.random()
        price = None if price_roll < 0.05 else -rnd.randrange(0, 200_000)
        unit = "EUR" if price_roll > 0.99 else ("USD" if price_roll > 0.1 else None)
        reached = rnd.random() < 0.8
        if reached:
            duration = rnd.randrange(1, 900)
            status = "completed"
        else:
            status = rnd.choice(TWILIO_MISSED)
            duration = rnd.choice((0, 1, 2, 3, 4, 30, None))
        world.calls.append(TwilioCall(
            call_sid, at, to, caller, status, direction, at + (duration or 0) * 1000, duration, price, unit,
            _country(caller) if country_on_calls else None,
        ))
        if reached:
            world.sessions.append(_session(rnd, guid(), call_sid, at + rnd.randrange(500, 4000), caller, to))
            if rnd.random() < 0.01:  # Wiro wrote a second session for the same call
                world.sessions.append(_session(rnd, guid(), call_sid, at + 5000, caller, to))
    for _ in range(n_calls // 50):  # web calls, and phone sessions whose Twilio record was never fetched
        at = start + rnd.randrange(span)
        web = rnd.random() < 0.5
        caller = None if web else rnd.choice(CALLERS)
        world.sessions.append(_session(rnd, guid(), None if web else sid(), at, caller, None, web=web))
    for session in world.sessions:
        if rnd.random() < 0.8:
            for _ in range(rnd.choice((1, 1, 1, 2))):
                world.credits.append(CreditRow(guid(), session.guid, -rnd.randrange(1, 12) * 1_000_000,
                                               (session.started_ms or 0) + 60_000, "tokens"))
    return world


def _session(rnd: random.Random, key: str, call_sid: str | None, at: int, caller: str | None, to: str | None,
             web: bool = False) -> WiroSession:
    status = rnd.choices(
        ("realtime_session", "realtime_session_rejected", "realtime_session_active", "realtime_session_incoming"),
        (85, 10, 3, 2))[0]
    ended = status == "realtime_session"
    duration = rnd.randrange(0, 900) if ended else None
    return WiroSession(
        guid=key, started_ms=at, agent_guid=rnd.choice(AGENTS), call_sid=call_sid,
        channel="web" if web else "twilio", caller=caller or "support page",
        caller_country=None if web or caller is None else _country(caller), called_number=to,
        status=status, end_reason=rnd.choice(END_REASONS) if ended else None,
        reject_reason=rnd.choice(REJECT_REASONS) if status == "realtime_session_rejected" else None,
        duration_s=duration, model="gpt-realtime-mini" if not web else "gpt-realtime",
        ended_ms=at + duration * 1000 if duration is not None else None,
    )
