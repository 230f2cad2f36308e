"""An agent's credit pool: subscription periods, renewals, credit packs and the post-call turns they pay for.

Nothing is stored: the ledger is derived from the agent's plan and its sessions at a given instant, so
``usedcredits`` on MyAgents, ``remainingcredits`` on Detail, the ``token_usage`` events of the Logs and the
rows of TransactionList always agree. Live call audio is not here (Wiro bills it to the operator's own project
wallet); only the post-call text turn of each ended session is, as ``deduct``/``tokens`` joined by the
session's ``messageguid``.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

from .calls import ENDED, Call, CallState
from .ids import IdMint, rng_for
from .timefmt import utc_date

PERIOD_SECONDS = 30 * 86400.0
POSTCALL_DELAY = 4.0  # the post-call turn is billed this long after the call ends
PACKS = {"small": (100, 10), "medium": (300, 25), "large": (1000, 70)}  # credits, USD


@dataclass
class Plan:
    """What the agent's subscription gives: ``anchor`` is the start of its first period."""

    tier: str = "starter"
    monthlycredits: int = 400
    monthlypriceusd: int = 49
    anchor: float = 0.0
    status: str = "active"  # subscription status: active | expired | cancelled | refunded
    purchases: list[tuple[float, str]] = field(default_factory=list)  # (time, pack name)


@dataclass(frozen=True)
class Turn:
    """A post-call turn: billed, or refused by the balance gate."""

    t: float
    call: Call
    credits: int
    model: str
    tokens: dict
    remaining_after: int
    blocked: bool


@dataclass
class Ledger:
    """The pool at one instant, plus every row and post-call turn up to it."""

    period_start: float
    period_end: float
    monthlycredits: int
    extracredits: int
    usedcredits: int
    rows: list[dict]  # newest first
    turns: dict[str, Turn]  # by session messageguid
    syncat: float

    @property
    def remaining(self) -> int:
        return max(0, self.monthlycredits + self.extracredits - self.usedcredits)

    def balance(self) -> dict:
        """The ``agentbalance`` object of a credits refusal."""
        return {"monthlycredits": self.monthlycredits, "extracredits": self.extracredits,
                "usedcredits": self.usedcredits, "remainingcredits": self.remaining}


def period_of(anchor: float, t: float) -> tuple[float, float]:
    """The subscription period containing ``t``."""
    n = math.floor((t - anchor) / PERIOD_SECONDS)
    start = anchor + max(n, 0) * PERIOD_SECONDS
    return start, start + PERIOD_SECONDS


def _tokens(seed: int, call: Call, credits: int) -> dict:
    r = rng_for(seed, call.guid, "postcall-tokens")
    total = credits * 760 + r.randint(0, 700)
    cache_read = r.randint(0, total // 3)
    output = r.randint(120, 420)
    return {"input": total - output - cache_read, "output": output, "cacheRead": cache_read, "cacheWrite": 0,
            "total": total}


def build(seed: int, agent_guid: str, plan: Plan, calls: list[Call], state: Callable[[Call], CallState],
          running_at: Callable[[float], bool], now: float, model: str) -> Ledger:
    """Replay the pool from the plan's first period up to ``now``."""
    events: list[tuple[float, int, str, object]] = []
    start, _ = period_of(plan.anchor, plan.anchor)
    while start <= now:
        events.append((start, 0, "renewal", None))
        start += PERIOD_SECONDS
    for t, pack in plan.purchases:
        if t <= now:
            events.append((t, 1, "purchase", pack))
    for call in calls:
        st = state(call)
        if st.status != ENDED or st.ended is None:
            continue
        t = st.ended + POSTCALL_DELAY
        if t <= now and running_at(t):
            events.append((t, 2, "turn", call))
    events.sort(key=lambda e: (e[0], e[1], getattr(e[3], "seq", 0)))

    mint = IdMint(rng_for(seed, agent_guid, "ledger"))
    rows: list[dict] = []
    turns: dict[str, Turn] = {}
    used = extra = 0
    syncat = plan.anchor
    for t, _, what, item in events:
        guid = mint.uuid()
        if what == "renewal":
            used = 0
            row = _row(guid, t, "renewal", "monthly", plan.monthlycredits, plan.monthlycredits + extra,
                       f"Monthly credits ({utc_date(t)[:7]})")
        elif what == "purchase":
            credits = PACKS[str(item)][0]
            extra += credits
            row = _row(guid, t, "purchase", str(item), credits, max(0, plan.monthlycredits + extra - used),
                       f"Credit pack ({item}, {credits} credits)")
            row["providerref"] = f"pi_{guid[:12]}"
        else:
            call: Call = item  # type: ignore[assignment]
            if plan.monthlycredits + extra - used <= 0:
                turns[call.guid] = Turn(t, call, 0, model, {}, 0, True)
                continue
            credits = call.postcall_credits
            tokens = _tokens(seed, call, credits)
            used += credits
            after = max(0, plan.monthlycredits + extra - used)
            turns[call.guid] = Turn(t, call, credits, model, tokens, after, False)
            row = _row(guid, t, "deduct", "tokens", -credits, after, "Voice post-call turn")
            session = call.callsid if call.callsid.startswith("voice-call-") else f"voice-call-{call.callsid}"
            row.update(sessionkey=session, agentsessionkey=f"voice-postcall-{call.guid[:8]}", messageguid=call.guid,
                       inputtokens=tokens["input"], outputtokens=tokens["output"],
                       cachereadtokens=tokens["cacheRead"], cachewritetokens=0, totaltokens=tokens["total"],
                       tokencost=credits, processedms=1800 + (credits * 350), model=model)
        syncat = t
        rows.append(row)
    period_start, period_end = period_of(plan.anchor, now)
    rows.reverse()
    return Ledger(period_start, period_end, plan.monthlycredits, extra, used, rows, turns, syncat)


def _row(guid: str, t: float, type_: str, action: str, amount: int, after: int, description: str) -> dict:
    return {
        "guid": guid, "type": type_, "action": action, "amount": amount, "balanceafter": after,
        "description": description, "sessionkey": None, "agentsessionkey": None, "messageguid": None,
        "inputtokens": None, "outputtokens": None, "cachereadtokens": None, "cachewritetokens": None,
        "totaltokens": None, "tokencost": abs(amount) if type_ == "deduct" else None, "processedms": None,
        "model": None, "provider": "agent" if type_ == "deduct" else "prepaid", "providerref": None,
        "metadata": {}, "uuid": "system", "user": None, "createdat": int(t),
    }


def by_model(ledger: Ledger) -> list[dict]:
    """``summary.byModel``: the current period's ``tokens`` rows per model."""
    out: dict[str, dict] = {}
    for row in ledger.rows:
        if row["action"] != "tokens" or row["createdat"] < int(ledger.period_start):
            continue
        m = out.setdefault(row["model"] or "unknown", {
            "model": row["model"] or "unknown", "inputtokens": 0, "outputtokens": 0, "cachereadtokens": 0,
            "cachewritetokens": 0, "totaltokens": 0, "tokencost": 0, "turncount": 0})
        for k in ("inputtokens", "outputtokens", "cachereadtokens", "cachewritetokens", "totaltokens", "tokencost"):
            m[k] += row[k] or 0
        m["turncount"] += 1
    return list(out.values())
