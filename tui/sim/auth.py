"""Wiro project authentication: the demo projects (key-only, signature, team, revoked) and their refusals."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

# Recognisable on sight in logs and screenshots, never mistaken for a real key.
DEMO_API_KEY = "wiro-demo-key-0f6b1c9e4a7d2358"
DEMO_SIG_API_KEY = "wiro-demo-sigkey-7c2e9a41d05b6f83"
DEMO_SIG_API_SECRET = "wiro-demo-secret-b94f1e6a2c7d0835"
# A key-only project of the team the demo owner belongs to (as a plain member, not an admin).
DEMO_TEAM_API_KEY = "wiro-demo-teamkey-4d81a6c0e93b27f5"
# A project whose authorization was withdrawn: refused with HTTP 200 and result:false, as Wiro sometimes does.
DEMO_REVOKED_API_KEY = "wiro-demo-revoked-8a3e5b0c71f29d46"

NOT_FOUND = "Project authorization is not founded."
SIGNATURE_REQUIRED = "Project requires signature authentication. x-signature and x-nonce headers are required."
NOT_VALID = "Project authorization is not valid."

PERSONAL, TEAM = "personal", "team"


@dataclass(frozen=True)
class Project:
    """A Wiro project: its API secret (None = key-only) and the workspace its key works in."""

    secret: str | None = None
    workspace: str = PERSONAL
    revoked: bool = False


# API key -> project; a plain secret string (or None for key-only) is accepted too.
PROJECTS: dict[str, Project | str | None] = {
    DEMO_API_KEY: Project(),
    DEMO_SIG_API_KEY: Project(DEMO_SIG_API_SECRET),
    DEMO_TEAM_API_KEY: Project(workspace=TEAM),
    DEMO_REVOKED_API_KEY: Project(revoked=True),
}


@dataclass(frozen=True)
class Refused:
    """An authentication refusal: the HTTP status it is sent with and Wiro's message."""

    status: int
    message: str


def sign(api_key: str, api_secret: str, nonce: str) -> str:
    """Wiro's signature: hex HMAC-SHA256 keyed with the API key over ``secret + nonce``."""
    # imported here: OpenSSL's digests cost 0.6 MiB of the demo's memory, and only a signing project needs them
    import hashlib
    import hmac

    return hmac.new(api_key.encode(), (api_secret + nonce).encode(), hashlib.sha256).hexdigest()


def identify(headers: Mapping[str, str]) -> Project | Refused:
    """The project a request authenticates as, or how Wiro refuses it."""
    key = (headers.get("x-api-key") or "").strip()
    if not key:
        auth = headers.get("authorization") or ""
        scheme, _, value = auth.partition(" ")
        if scheme.lower() == "bearer":
            key = value.strip()
    if not key or key not in PROJECTS:
        return Refused(401, NOT_FOUND)
    project = PROJECTS[key]
    if not isinstance(project, Project):  # a bare secret (or None: key-only), as tests register extra projects
        project = Project(project)
    if project.revoked:
        return Refused(200, NOT_VALID)
    if project.secret is None:
        return project
    nonce = (headers.get("x-nonce") or "").strip()
    signature = (headers.get("x-signature") or "").strip().lower()
    if not nonce or not signature:
        return Refused(401, SIGNATURE_REQUIRED)
    import hmac

    if not hmac.compare_digest(sign(key, project.secret, nonce), signature):
        return Refused(401, NOT_VALID)
    return project


def check(headers: Mapping[str, str]) -> str | None:
    """None when the request may proceed, else Wiro's refusal message (see ``identify`` for its status)."""
    who = identify(headers)
    return who.message if isinstance(who, Refused) else None
