"""Identifiers drawn from a seeded RNG, so the same seed always mints the same guids and SIDs."""

from __future__ import annotations

import random
import uuid


class IdMint:
    """Makes uuids, hex strings and Twilio-style SIDs from one ``random.Random``."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng

    def uuid(self) -> str:
        """A version-4-shaped uuid string (never ``uuid4()``, which is not reproducible)."""
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def hex(self, n: int = 32) -> str:
        """``n`` lowercase hex characters."""
        return f"{self.rng.getrandbits(4 * n):0{n}x}"

    def sid(self, prefix: str) -> str:
        """A 34-character Twilio SID such as ``AC`` + 32 hex."""
        return prefix + self.hex(32)


def rng_for(seed: int, *parts: object) -> random.Random:
    """A Random seeded from the sim seed and a purpose label.

    String seeds hash with SHA-512 inside ``random``, so this is stable across runs and unaffected by
    PYTHONHASHSEED; separate labels keep one consumer's draws from shifting another's.
    """
    return random.Random(":".join(["wiro-sim", str(seed), *map(str, parts)]))
