"""Rules for the Connection form (Wiro API key, secret, API base, agent). Plain functions, no UI.

Each returns a list of Problems; an empty list means the value is fine. They run on every
keystroke, so they do no I/O.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from .problems import Problem, error, warning
from .wiro.auth import usable_header_value

_UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
_LOOPBACK = {"127.0.0.1", "localhost", "::1"}


def check_api_key(value: str) -> list[Problem]:
    key = value.strip()
    if not key:
        return [error("Paste your Wiro API key (Wiro panel → Projects → your project → API key).", "api_key")]
    if any(c.isspace() for c in key):
        return [error("An API key has no spaces or line breaks inside; paste it again in one piece.", "api_key")]
    if not usable_header_value(key):
        return [error("An API key is plain letters, digits and punctuation; this one has other characters "
                      "(an accent, a curly quote, an invisible character?). Paste it again.", "api_key")]
    if re.fullmatch(r"AC[0-9a-fA-F]{32}", key) or re.fullmatch(r"SK[0-9a-fA-F]{32}", key):
        return [error("That is a Twilio SID, not a Wiro API key. The Twilio values go in the Credentials screen.", "api_key")]
    if len(key) < 16:
        return [warning("This is shorter than Wiro API keys usually are; check that all of it was copied.", "api_key")]
    return []


def check_api_secret(value: str) -> list[Problem]:
    secret = value.strip()
    if not secret:
        return []
    if any(c.isspace() for c in secret):
        return [error("An API secret has no spaces or line breaks inside; paste it again in one piece.", "api_secret")]
    if not usable_header_value(secret):
        return [error("An API secret is plain letters, digits and punctuation; this one has other characters. "
                      "Paste it again.", "api_secret")]
    return []


def check_api_base(value: str) -> list[Problem]:
    url = value.strip()
    if not url:
        return [error("Enter the Wiro API base URL (normally https://api.wiro.ai/v1).", "api_base")]
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 -- reading it checks the port (a number, 0-65535)
    except ValueError:
        return [error("That is not a usable URL (check the host and port); normally https://api.wiro.ai/v1.", "api_base")]
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return [error("The API base must be a URL starting with https:// (normally https://api.wiro.ai/v1).", "api_base")]
    if not url.isascii() or any(c.isspace() for c in url):
        return [error("The API base has spaces or non-ASCII characters; type it again.", "api_base")]
    problems: list[Problem] = []
    if parts.scheme == "http" and parts.hostname not in _LOOPBACK:
        problems.append(warning("Plain http sends your API key unencrypted; use https.", "api_base"))
    if not parts.path.rstrip("/").endswith("/v1"):
        problems.append(warning("Wiro's API base normally ends in /v1 (https://api.wiro.ai/v1).", "api_base"))
    return problems


def check_agent_guid(value: str) -> list[Problem]:
    guid = value.strip()
    if not guid:
        return []  # empty: the app offers a picker of your agents
    if not _UUID.fullmatch(guid):
        return [
            error(
                "An agent guid looks like 3f2c9a1e-5b7d-4c8e-9f01-23456789abcd (a UUID). "
                "Leave it empty to pick from your agents.",
                "agent",
            )
        ]
    return []
