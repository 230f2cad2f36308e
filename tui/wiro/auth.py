"""The two Wiro authentication modes: key only, and key + HMAC signature."""

from __future__ import annotations

# hashlib, hmac and secrets load OpenSSL's digests (0.6 MiB of a running dashboard, measured): they are imported
# when a request is first signed, which a key without a secret never is.


def sign(api_key: str, api_secret: str, nonce: str) -> str:
    """Hex HMAC-SHA256 with the API key as the key and `secret + nonce` as the message (Wiro's rule)."""
    import hashlib
    import hmac

    return hmac.new(api_key.encode(), (api_secret + nonce).encode(), hashlib.sha256).hexdigest()


def new_nonce() -> str:
    """A fresh random integer nonce for one request (Wiro accepts unix time or a random int)."""
    import secrets

    return str(secrets.randbelow(10**15) + 10**14)


def auth_headers(api_key: str, api_secret: str | None) -> dict[str, str]:
    """Headers for one request. Signature mode gets a new nonce every time it is called."""
    headers = {"x-api-key": api_key}
    if api_secret:
        nonce = new_nonce()
        headers["x-nonce"] = nonce
        headers["x-signature"] = sign(api_key, api_secret, nonce)
    return headers


def usable_header_value(value: str) -> bool:
    """Printable ASCII without spaces: all an API key can be, and all an HTTP header can carry safely."""
    return value.isascii() and value.isprintable() and not any(c.isspace() for c in value)
