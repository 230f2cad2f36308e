"""Kinds of failure that the Wiro and the Twilio client share, so a caller that talks to both catches one type.

Each client raises its own errors (`tui.wiro.errors`, `tui.twilio.errors`), with its own base class and its own
words; the three kinds below are mixed into them:

- `NotFoundError`: the service has no such thing (a deleted agent, a number or TwiML App not on the account,
  an endpoint a wrong API base does not know);
- `RateLimitedError`: the service asked us to slow down (HTTP 429), perhaps saying for how long;
- `TransientError`: no usable answer this time (a timeout, a refused connection, a 5xx): worth trying again.

The last two are what a bounded retry retries (`tui.common.http.retrying`) and what a poller backs off on.
"""

from __future__ import annotations


class NotFoundError(Exception):
    """The service has no such resource: a not-found of either client."""


class RateLimitedError(Exception):
    """The service refused because of the request rate (HTTP 429). `retry_after` is the seconds it asked us to
    wait (its Retry-After header), or None when it did not say."""

    retry_after: float | None = None


class TransientError(Exception):
    """No usable answer this time; trying again later may work. `kind` is "timeout", "connection" or "server"."""

    kind: str = "network"
