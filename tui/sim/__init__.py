"""Embedded simulator: a real loopback HTTP server speaking the Wiro and Twilio APIs.

Used by ``--demo``, ``wiro-voice sim`` and the tests. Deterministic for a given seed, start epoch
and clock; standard library only; no Textual.
"""

from .auth import DEMO_API_KEY, DEMO_REVOKED_API_KEY, DEMO_SIG_API_KEY, DEMO_SIG_API_SECRET, DEMO_TEAM_API_KEY, sign
from .faults import FaultSpec, parse_faults
from .simulator import Simulator, serve_forever
from .webhooks import DEFAULT_VOICE_URL, wiro_status_url, wiro_voice_url
from .world import API_SHAPES, STATUS_LABELS, Agent, World

__all__ = [
    "API_SHAPES",
    "DEFAULT_VOICE_URL",
    "DEMO_API_KEY",
    "DEMO_REVOKED_API_KEY",
    "DEMO_SIG_API_KEY",
    "DEMO_SIG_API_SECRET",
    "DEMO_TEAM_API_KEY",
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
