"""Embedded simulator: a real loopback HTTP server speaking the Wiro and Twilio APIs.

Used by ``--demo``, ``wiro-voice sim`` and the tests. Deterministic for a given seed, start epoch
and clock; standard library only; no Textual.
"""

from .auth import DEMO_API_KEY, DEMO_SIG_API_KEY, DEMO_SIG_API_SECRET, sign
from .faults import FaultSpec, parse_faults
from .simulator import Simulator, serve_forever
from .webhooks import wiro_status_url, wiro_voice_url
from .world import STATUS_LABELS, Agent, World

__all__ = [
    "DEMO_API_KEY",
    "DEMO_SIG_API_KEY",
    "DEMO_SIG_API_SECRET",
    "STATUS_LABELS",
    "Agent",
    "FaultSpec",
    "Simulator",
    "World",
    "parse_faults",
    "serve_forever",
    "sign",
    "wiro_status_url",
    "wiro_voice_url",
]
