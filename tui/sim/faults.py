"""Fault injection: parse a spec such as ``500:0.1,429:0.05,drop:0.02`` and roll once per request."""

from __future__ import annotations

import random
import threading
from dataclasses import dataclass

# What each kind does is decided by the server; this module only knows the names. ``partial`` is a Wiro-side
# fault of CredentialUpsert only (its last valid row fails after validation); other requests answer normally.
FAULT_KINDS = ("500", "503", "429", "timeout", "garbage", "html", "drop", "partial")


@dataclass(frozen=True)
class FaultSpec:
    """Probabilities per fault kind; their sum is at most 1 (the rest answers normally)."""

    weights: tuple[tuple[str, float], ...] = ()

    @property
    def total(self) -> float:
        return sum(p for _, p in self.weights)

    def __str__(self) -> str:
        return ",".join(f"{k}:{p:g}" for k, p in self.weights)


def parse_faults(text: str | None) -> FaultSpec:
    """Parse ``kind:probability,...``; ``None``/empty means no faults.

    Raises ValueError naming the bad part: unknown kind, malformed item, a probability outside 0–1,
    a kind given twice, or probabilities summing to more than 1.
    """
    if text is None or not text.strip():
        return FaultSpec()
    weights: dict[str, float] = {}
    for raw in text.split(","):
        item = raw.strip()
        if not item:
            continue
        kind, sep, prob_text = item.partition(":")
        kind = kind.strip().lower()
        if not sep:
            raise ValueError(f"fault {item!r}: expected kind:probability, e.g. 500:0.1")
        if kind not in FAULT_KINDS:
            raise ValueError(f"fault {item!r}: unknown kind {kind!r} (known: {', '.join(FAULT_KINDS)})")
        try:
            prob = float(prob_text)
        except ValueError:
            raise ValueError(f"fault {item!r}: probability {prob_text.strip()!r} is not a number") from None
        if not 0.0 <= prob <= 1.0:
            raise ValueError(f"fault {item!r}: probability must be between 0 and 1")
        if kind in weights:
            raise ValueError(f"fault {item!r}: kind {kind!r} given twice")
        weights[kind] = prob
    spec = FaultSpec(tuple(weights.items()))
    # A little slack for decimal text such as 0.1+0.2+0.7.
    if spec.total > 1.0 + 1e-9:
        raise ValueError(f"fault probabilities sum to {spec.total:g}, more than 1")
    return spec


class FaultRoller:
    """Rolls a spec with its own seeded RNG, so faults never disturb the world's randomness."""

    def __init__(self, spec: FaultSpec, rng: random.Random) -> None:
        self.spec = spec
        self._rng = rng
        self._lock = threading.Lock()

    def roll(self) -> str | None:
        """The fault kind for this request, or None to answer normally."""
        if not self.spec.weights:
            return None
        with self._lock:
            r = self._rng.random()
        acc = 0.0
        for kind, p in self.spec.weights:
            acc += p
            if r < acc:
                return kind
        return None

    def choice(self, options: list[str]) -> str:
        """A seeded pick among variants of one fault (e.g. HTML or JSON 500 body)."""
        with self._lock:
            return self._rng.choice(options)
