"""Typed errors of the Wiro client.

Every message is written for a person and never carries a secret: the client builds them from the
server's own words and the endpoint name, never from request headers.
"""

from __future__ import annotations


class WiroError(Exception):
    """Base of every error the Wiro client raises."""

    def __init__(self, message: str, *, endpoint: str = "", status: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.endpoint = endpoint
        self.status = status

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.message!r}, endpoint={self.endpoint!r}, status={self.status!r})"


class AuthError(WiroError):
    """HTTP 401: the API key (or signature) was refused. `message` is the server's reason."""


class NotFoundError(WiroError):
    """HTTP 404, or `result:false` with code 1 (the agent or message does not exist)."""


class ApiError(WiroError):
    """`result:false` with a code and message (HTTP 200): the server understood and refused."""

    def __init__(self, message: str, *, code: int | None = None, endpoint: str = "", status: int | None = None) -> None:
        super().__init__(message, endpoint=endpoint, status=status)
        self.code = code


class RateLimitedError(WiroError):
    """HTTP 429 after the bounded backoff ran out."""

    def __init__(self, message: str, *, retry_after: float | None = None, endpoint: str = "", status: int | None = 429) -> None:
        super().__init__(message, endpoint=endpoint, status=status)
        self.retry_after = retry_after


class TransientError(WiroError):
    """A 5xx answer, a timeout or a connection failure: worth trying again later."""

    def __init__(self, message: str, *, kind: str = "network", endpoint: str = "", status: int | None = None) -> None:
        super().__init__(message, endpoint=endpoint, status=status)
        #: "timeout", "connection" or "server"
        self.kind = kind


class ProtocolError(WiroError):
    """The answer was not JSON, or not the shape the API documents."""

