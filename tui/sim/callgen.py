"""Seeded generation of voice sessions: the demo's past history and live arrivals.

Every call draws from its own ``Random`` (seed + agent + label + index), so generating one call
never shifts another, whatever order requests come in.
"""

from __future__ import annotations

import random
from array import array
from collections.abc import Iterator

from .calls import REJECT_REASONS, Call
from .ids import IdMint, rng_for

MEAN_INTERARRIVAL = 40.0  # simulated seconds between live calls, on average
WITHHELD = "+266696687"  # "ANONYMOUS" on a keypad: how Twilio presents a withheld caller ID

# (country, how to make a realistic-looking number); drama/fictional ranges where one exists.
_CALLERS = (
    ("US", lambda r: f"+1{r.choice(('415', '628', '212', '646', '312'))}5550{r.randint(100, 199)}"),
    ("US", lambda r: f"+1{r.choice(('415', '650', '510'))}5550{r.randint(100, 199)}"),
    ("GB", lambda r: f"+447700900{r.randint(0, 999):03d}"),
    ("TR", lambda r: f"+90{r.choice(('212', '216', '532'))}555{r.randint(0, 9999):04d}"),
    ("DE", lambda r: f"+4930{r.randint(1000000, 9999999)}"),
    ("FR", lambda r: f"+3319900{r.randint(0, 9999):04d}"),
    ("BR", lambda r: f"+5511955{r.randint(0, 999999):06d}"),
    ("NL", lambda r: f"+3120{r.randint(1000000, 9999999)}"),
    ("AU", lambda r: f"+61491570{r.randint(0, 999):03d}"),
)

_PAGES = (
    "https://bosphorus-dental.example/contact",
    "https://bosphorus-dental.example/",
    "https://bosphorus-dental.example/treatments/implants",
)

_PROFILES = (
    "Returning caller — last asked about pricing.",
    "New caller; number not found in HubSpot.",
    "Existing patient (HubSpot): cleaning due next month, prefers mornings.",
    "Returning caller — rescheduled twice this year.",
    "Existing patient: implant consultation booked for Thursday.",
    "New caller from Germany; likely dental tourism enquiry.",
    "Known contact: asked for an English-speaking dentist last time.",
)

# Scenarios: alternating agent/caller lines and the post-call summary the agent writes.
_SCENARIOS = (
    (
        ("Good morning, Bosphorus Dental, this is the front desk assistant. How can I help?",
         "Hi, I'd like to book a cleaning.",
         "Of course. Are you an existing patient with us?",
         "Yes, I came in last spring.",
         "Thanks. I have Tuesday at 10:30 or Thursday at 14:00. Which suits you?",
         "Thursday at two, please.",
         "Booked for Thursday at 14:00. You'll get a confirmation by SMS.",
         "Great, thank you."),
        "Booked a cleaning for Thursday 14:00; confirmation SMS queued.",
    ),
    (
        ("Bosphorus Dental, how can I help you today?",
         "How much is a dental implant?",
         "A single implant starts at 650 euros including the crown; a consultation is free.",
         "Does that include the X-ray?",
         "Yes, the panoramic X-ray is included in the consultation.",
         "OK, I'll think about it.",
         "Of course. Shall I email you the price list?",
         "Yes please."),
        "Pricing enquiry (implants); price list email drafted.",
    ),
    (
        ("Hello, Bosphorus Dental front desk.",
         "I need to move my appointment on Friday.",
         "Sure. Can I have your name and date of birth?",
         "Ayşe Kaya, third of March 1988.",
         "Found you. The next free slot is Monday at 9:00.",
         "That works.",
         "Moved to Monday 9:00. See you then."),
        "Rescheduled Friday appointment to Monday 09:00.",
    ),
    (
        ("Bosphorus Dental, good afternoon.",
         "Are you open on Saturdays?",
         "Yes, Saturdays from 10 to 16. We're next to the Karaköy ferry pier.",
         "Is there parking?",
         "There is a public car park two minutes away on Kemankeş street.",
         "Thanks, bye."),
        "Opening hours and directions given.",
    ),
    (
        ("Bosphorus Dental, how can I help?",
         "I have a terrible toothache, since last night.",
         "I'm sorry to hear that. We keep emergency slots; can you come at 11:15 today?",
         "Yes, I can.",
         "Booked. If the swelling spreads, please go to an emergency room.",
         "Thank you."),
        "Emergency slot booked today 11:15; urgent flag added in HubSpot.",
    ),
)

_MODELS = ("gpt-realtime-mini", "gpt-realtime-mini", "gpt-realtime-mini", "gpt-realtime")


def arrival_times(seed: int, agent_guid: str, start: float) -> Iterator[float]:
    """Candidate arrival times (Poisson, mean 40 s) from ``start`` on; only those while Running become calls."""
    rng = rng_for(seed, agent_guid, "arrivals")
    t = start
    while True:
        t += rng.expovariate(1.0 / MEAN_INTERARRIVAL)
        yield round(t, 3)


def _caller(r: random.Random) -> dict:
    country, make = r.choice(_CALLERS)
    return {"number": make(r), "country": country}


def random_caller(r: random.Random) -> str:
    """A plausible caller number (E.164) from one of the demo's countries."""
    return _caller(r)["number"]


def _transcript(r: random.Random, prep: float, duration: int | None) -> tuple[tuple[str, ...], array, str]:
    """(the script's lines said, when each was said in tenths of a second after the start, the summary)."""
    lines, summary = r.choice(_SCENARIOS)
    said_at = array("I")
    t = prep + r.uniform(0.6, 1.4)
    for _ in lines:
        said_at.append(round(round(t, 1) * 10))
        t += r.uniform(3.0, 9.0)
    if duration is not None:
        # Long calls keep talking past the script; the row's duration is what counts.
        said_at = array("I", [tenths for tenths in said_at if tenths / 10 < duration])
    return lines[:len(said_at)], said_at, summary


def make_call(seed: int, label: str, seq: int, agent_guid: str, started: float, *,
              channel: str = "twilio", outcome: str = "ended", end_reason: str | None = "wiro_completed",
              reject_reason: str | None = None, duration: int | None = None, prep: float | None = None,
              caller: dict | None = None, dialled: str | None = None, follows_agent: bool = True,
              postcall_credits: int | None = None) -> Call:
    """Build one call; anything not given is drawn from the call's own seeded RNG."""
    r = rng_for(seed, agent_guid, label)
    mint = IdMint(r)
    guid, token = mint.uuid(), mint.uuid()
    if channel == "twilio":
        callsid = mint.sid("CA")
        info = caller or _caller(r)
    else:
        callsid = "voice-call-" + mint.hex(32)
        info = caller or {"page_url": r.choice(_PAGES)}
    if prep is None:
        prep = round(r.uniform(2.0, 6.0), 3)
    if outcome == "rejected":
        # How long the caller waits before the rejection depends on what failed.
        prep = {"concurrent_limit": 0.4, "agent_prep_timeout": 15.0,
                "realtime_ws_open_failed": prep + 1.2, "realtime_stream_timeout": prep + 10.0}.get(
            reject_reason or "", prep)
        end_reason, duration = None, None
    elif outcome == "stuck":
        end_reason, duration = None, None
    elif duration is None:
        duration = max(int(prep) + 3, int(r.lognormvariate(4.3, 0.8)))
    profile = r.choice(_PROFILES)
    if info.get("number") == WITHHELD:
        profile = "Caller ID withheld; no CRM lookup possible."
    elif channel == "web" and "display_identifier" not in info:
        profile = None  # an anonymous web visitor: nothing to look up
    script, said_at, summary = _transcript(r, prep, duration)
    if outcome != "ended":
        script, said_at, summary = (), array("I"), ""
    model = r.choice(_MODELS)
    credits = r.randint(1, 4) if postcall_credits is None else postcall_credits
    return Call(
        seq=seq, agent_guid=agent_guid, guid=guid, agenttoken=token, channel=channel, callsid=callsid,
        caller_info=info, caller_profile=profile, model_slug=model,
        started=round(started, 3), prep=prep, outcome=outcome, duration=duration, end_reason=end_reason,
        reject_reason=reject_reason, dialled=dialled, script=script, said_at=said_at, summary=summary,
        follows_agent=follows_agent, postcall_credits=credits,
    )


def live_call(seed: int, agent_guid: str, index: int, seq: int, started: float, *, max_seconds: int,
              dialled: list[str], stuck: bool) -> Call:
    """A call arriving while the agent runs: ~10 % rejected, durations capped at ``max_seconds``."""
    r = rng_for(seed, agent_guid, "live-plan", index)
    channel = "web" if r.random() < 0.15 else "twilio"
    to = r.choice(dialled) if (dialled and channel == "twilio") else None
    if stuck:
        return make_call(seed, f"live-{index}", seq, agent_guid, started, channel=channel,
                         outcome="stuck", dialled=to)
    if r.random() < 0.10:
        return make_call(seed, f"live-{index}", seq, agent_guid, started, channel=channel,
                         outcome="rejected", reject_reason=r.choice(REJECT_REASONS), dialled=to)
    x = r.random()
    hangup = "twilio_disconnect" if channel == "twilio" else "browser_disconnect"
    reason = ("wiro_completed" if x < 0.6 else hangup if x < 0.85 else "wiro_cancelled" if x < 0.9
              else "wiro_disconnect" if x < 0.95 else "wiro_error")
    duration = max(8, int(r.lognormvariate(4.3, 0.9)))
    if duration >= max_seconds:
        duration, reason = max_seconds, "max_duration"
    return make_call(seed, f"live-{index}", seq, agent_guid, started, channel=channel,
                     end_reason=reason, duration=duration, dialled=to)


# The demo's past: every status, end reason and rejection reason at least once.
_HISTORY_PLAN = (
    [("twilio", "ended", "wiro_completed", None)] * 16
    + [("twilio", "ended", "twilio_disconnect", None)] * 5
    + [("twilio", "ended", "wiro_cancelled", None)] * 2
    + [("twilio", "ended", "wiro_disconnect", None)] * 2
    + [("twilio", "ended", "wiro_error", None)] * 2
    + [("twilio", "ended", "max_duration", None)] * 3
    + [("web", "ended", "wiro_completed", None), ("web", "ended", "browser_disconnect", None),
       ("web", "ended", "browser_disconnect", None)]
    + [("twilio", "rejected", None, "concurrent_limit"), ("web", "rejected", None, "concurrent_limit"),
       ("twilio", "rejected", None, "agent_prep_timeout"), ("twilio", "rejected", None, "realtime_ws_open_failed"),
       ("twilio", "rejected", None, "realtime_stream_timeout")]
)

_DURATIONS = {
    "wiro_completed": (45, 320), "twilio_disconnect": (8, 150), "browser_disconnect": (10, 90),
    "wiro_cancelled": (5, 40), "wiro_disconnect": (30, 200), "wiro_error": (20, 180),
}


def demo_history(seed: int, agent_guid: str, start: float, *, max_seconds: int,
                 dialled: list[str]) -> list[Call]:
    """About 40 sessions over the six hours before ``start``, plus one active and one incoming at ``start``."""
    r = rng_for(seed, agent_guid, "history-plan")
    plan = list(_HISTORY_PLAN)
    r.shuffle(plan)
    # Spread over 6 h, ending early enough that every past call has finished by the start.
    times = sorted(r.uniform(start - 6 * 3600, start - max_seconds - 120) for _ in plan)
    withheld_done = web_id_done = False
    calls = []
    for i, ((channel, outcome, reason, reject), t) in enumerate(zip(plan, times, strict=True)):
        caller = None
        if channel == "twilio" and reason == "twilio_disconnect" and not withheld_done:
            caller, withheld_done = {"number": WITHHELD, "country": None}, True
        elif channel == "web" and outcome == "ended" and not web_id_done:
            caller, web_id_done = {"page_url": _PAGES[0], "display_identifier": "+14155550117"}, True
        if reason == "max_duration":
            duration = max_seconds
        elif reason:
            lo, hi = _DURATIONS[reason]
            duration = r.randint(lo, hi)
        else:
            duration = None
        calls.append(make_call(
            seed, f"history-{i}", i, agent_guid, t, channel=channel, outcome=outcome, end_reason=reason,
            reject_reason=reject, duration=duration, caller=caller,
            dialled=r.choice(dialled) if (dialled and channel == "twilio") else None))
    n = len(calls)
    # Two sessions in flight when the sim starts, so the live statuses show up at once.
    calls.append(make_call(seed, "history-active", n, agent_guid, start - 95.0, prep=4.2, duration=240,
                           dialled=dialled[0] if dialled else None))
    calls.append(make_call(seed, "history-incoming", n + 1, agent_guid, start - 1.0, prep=5.5, duration=130,
                           dialled=dialled[0] if dialled else None))
    return calls

