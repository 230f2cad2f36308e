"""Typed errors of the Twilio client, matched on HTTP status + Twilio error code, never on the message.

Messages are written for a person and never carry a secret: they are built from the status, the code and
the resource path, never from the request's Authorization header or the account body. Not-found, rate-limited
and transient errors are also `tui.common.errors` kinds, shared with the Wiro client.
"""

from __future__ import annotations

from ..common import errors as common


class TwilioError(Exception):
    """Base of every error the Twilio client raises."""

    def __init__(self, message: str, *, status: int | None = None, code: int | None = None, path: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.code = code
        self.path = path

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.message!r}, status={self.status!r}, code={self.code!r})"


class RejectedError(TwilioError):
    """401 (code 20003): Twilio refused the Account SID / Auth Token (or API key) pair."""


class ForbiddenError(TwilioError):
    """403: the credentials are valid but may not reach this resource (a restricted API key)."""


class NotFoundError(TwilioError, common.NotFoundError):
    """404 (code 20404): no such resource on this account."""


class RateLimitedError(TwilioError, common.RateLimitedError):
    """429 (code 20429): too many concurrent requests, still so after backing off."""

    def __init__(self, message: str, *, retry_after: float | None = None, code: int | None = 20429, path: str = "") -> None:
        super().__init__(message, status=429, code=code, path=path)
        self.retry_after = retry_after


class TransientError(TwilioError, common.TransientError):
    """A 5xx answer, a timeout or a connection failure: worth trying again later."""

    def __init__(self, message: str, *, kind: str = "network", status: int | None = None, code: int | None = None,
                 path: str = "") -> None:
        super().__init__(message, status=status, code=code, path=path)
        #: "timeout", "connection" or "server"
        self.kind = kind


class ApiError(TwilioError):
    """Any other 4xx: Twilio understood and refused; `code` says why."""


class ProtocolError(TwilioError):
    """The answer was not JSON, or not the shape the API documents (a wrong API base, a proxy page)."""
