"""How a secret may be shown: at most its last 4 characters."""

from __future__ import annotations

import re

# 32 hex characters standing alone: what a Twilio Auth Token looks like, wherever it was pasted
_TOKENISH = re.compile(r"(?<![0-9A-Za-z])[0-9a-fA-F]{32}(?![0-9A-Za-z])")


def mask(secret: str | None) -> str:
    """`••••abcd` for a long secret, `••••` for a short one (it would give too much away), or "(not set)"."""
    if not secret:
        return "(not set)"
    if len(secret) < 12:
        return "••••"
    return "••••" + secret[-4:]


def scrub_tokens(text: str) -> str:
    """`text` with anything shaped like an Auth Token masked (a token pasted into the wrong field, or echoed
    back by a server, must not be shown either)."""
    return _TOKENISH.sub(lambda m: mask(m.group(0)), text)
