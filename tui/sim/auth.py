"""Wiro project authentication: a key-only project and a signature-mode project, both enforced."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping

# Recognisable on sight in logs and screenshots, never mistaken for a real key.
DEMO_API_KEY = "wiro-demo-key-0f6b1c9e4a7d2358"
DEMO_SIG_API_KEY = "wiro-demo-sigkey-7c2e9a41d05b6f83"
DEMO_SIG_API_SECRET = "wiro-demo-secret-b94f1e6a2c7d0835"

# API key -> API secret (None = key-only project).
PROJECTS: dict[str, str | None] = {DEMO_API_KEY: None, DEMO_SIG_API_KEY: DEMO_SIG_API_SECRET}

NOT_FOUND = "Project authorization is not founded."
SIGNATURE_REQUIRED = "Project requires signature authentication. x-signature and x-nonce headers are required."
NOT_VALID = "Project authorization is not valid."


def sign(api_key: str, api_secret: str, nonce: str) -> str:
    """Wiro's signature: hex HMAC-SHA256 keyed with the API key over ``secret + nonce``."""
    return hmac.new(api_key.encode(), (api_secret + nonce).encode(), hashlib.sha256).hexdigest()


def check(headers: Mapping[str, str]) -> str | None:
    """None when the request may proceed, else the 401 message Wiro would send."""
    key = (headers.get("x-api-key") or "").strip()
    if not key:
        auth = headers.get("authorization") or ""
        scheme, _, value = auth.partition(" ")
        if scheme.lower() == "bearer":
            key = value.strip()
    if not key or key not in PROJECTS:
        return NOT_FOUND
    secret = PROJECTS[key]
    if secret is None:
        return None
    nonce = (headers.get("x-nonce") or "").strip()
    signature = (headers.get("x-signature") or "").strip().lower()
    if not nonce or not signature:
        return SIGNATURE_REQUIRED
    if not hmac.compare_digest(sign(key, secret, nonce), signature):
        return NOT_VALID
    return None
