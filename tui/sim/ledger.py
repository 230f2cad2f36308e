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

from .calls import ENDED, REJECTED, Call, CallState
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


class Pool:
    """An agent's credit pool, replayed incrementally as simulated time passes.

    A post-call turn is settled once its time has come (the call's end can no longer change then), so settled
    rows and turns are kept: they survive the trimming of old sessions and are never recomputed.
    """

    MAX_ROWS = 5000  # a long demo keeps the newest rows only

    def __init__(self, seed: int, agent_guid: str, plan: Plan) -> None:
        self.plan = plan
        self._seed = seed
        self._mint = IdMint(rng_for(seed, agent_guid, "ledger"))
        self._rows: list[dict] = []  # oldest first
        self.turns: dict[str, Turn] = {}
        self._used = self._extra = 0
        self._syncat = plan.anchor
        self._next_renewal = period_of(plan.anchor, plan.anchor)[0]
        self._purchases = sorted(plan.purchases)
        self._purchase_index = 0
        self._max_seq = -1
        self._pending: dict[str, Call] = {}

    def update(self, now: float, calls: list[Call], state: Callable[[Call], CallState],
               running_at: Callable[[float], bool], model: str) -> Ledger:
        """Settle everything due by ``now`` and return the pool as it stands."""
        for call in reversed(calls):  # sessions are appended in sequence order
            if call.seq <= self._max_seq:
                break
            self._pending[call.guid] = call
        if calls:
            self._max_seq = max(self._max_seq, calls[-1].seq)
        events: list[tuple[float, int, object]] = []
        for guid, call in list(self._pending.items()):
            st = state(call)
            if call.outcome == "stuck" or st.status == REJECTED:
                del self._pending[guid]  # no conversation, no post-call turn
            elif st.status == ENDED and st.ended is not None and st.ended + POSTCALL_DELAY <= now:
                del self._pending[guid]
                t = st.ended + POSTCALL_DELAY
                if running_at(t):
                    events.append((t, 2, call))
        while self._next_renewal <= now:
            events.append((self._next_renewal, 0, "renewal"))
            self._next_renewal += PERIOD_SECONDS
        while self._purchase_index < len(self._purchases) and self._purchases[self._purchase_index][0] <= now:
            t, pack = self._purchases[self._purchase_index]
            events.append((t, 1, pack))
            self._purchase_index += 1
        events.sort(key=lambda e: (e[0], e[1], getattr(e[2], "seq", 0)))
        for t, kind, item in events:
            self._settle(t, kind, item, model)
        if len(self._rows) > self.MAX_ROWS:
            del self._rows[: len(self._rows) - self.MAX_ROWS]
        if len(self.turns) > self.MAX_ROWS:
            for guid in list(self.turns)[: len(self.turns) - self.MAX_ROWS]:
                del self.turns[guid]
        start, end = period_of(self.plan.anchor, now)
        return Ledger(start, end, self.plan.monthlycredits, self._extra, self._used, self._rows[::-1], self.turns,
                      self._syncat)

    def _settle(self, t: float, kind: int, item: object, model: str) -> None:
        monthly = self.plan.monthlycredits
        guid = self._mint.uuid()
        if kind == 0:
            self._used = 0
            row = _row(guid, t, "renewal", "monthly", monthly, monthly + self._extra,
                       f"Monthly credits ({utc_date(t)[:7]})")
        elif kind == 1:
            credits = PACKS[str(item)][0]
            self._extra += credits
            row = _row(guid, t, "purchase", str(item), credits, max(0, monthly + self._extra - self._used),
                       f"Credit pack ({item}, {credits} credits)")
            row["providerref"] = f"pi_{guid[:12]}"
        else:
            call: Call = item  # type: ignore[assignment]
            if monthly + self._extra - self._used <= 0:
                self.turns[call.guid] = Turn(t, call, 0, model, {}, 0, True)
                return
            credits = call.postcall_credits
            tokens = _tokens(self._seed, call, credits)
            self._used += credits
            after = max(0, monthly + self._extra - self._used)
            self.turns[call.guid] = Turn(t, call, credits, model, tokens, after, False)
            row = _row(guid, t, "deduct", "tokens", -credits, after, "Voice post-call turn")
            session = call.callsid if call.callsid.startswith("voice-call-") else f"voice-call-{call.callsid}"
            row.update(sessionkey=session, agentsessionkey=f"voice-postcall-{call.guid[:8]}", messageguid=call.guid,
                       inputtokens=tokens["input"], outputtokens=tokens["output"],
                       cachereadtokens=tokens["cacheRead"], cachewritetokens=0, totaltokens=tokens["total"],
                       tokencost=credits, processedms=1800 + (credits * 350), model=model)
        self._syncat = t
        self._rows.append(row)


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
