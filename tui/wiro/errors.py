"""Typed errors of the Wiro client.

Every message is written for a person and never carries a secret: the client builds them from the
server's own words and the endpoint name, never from request headers. Not-found, rate-limited and transient
errors are also `tui.common.errors` kinds, shared with the Twilio client.
"""

from __future__ import annotations

from ..common import errors as common


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
    """The API key (or signature) was refused: HTTP 401, or HTTP 200 with `result:false` and one of Wiro's
    authorization messages ("Project authorization is not valid."). `message` is the server's reason."""


class NotFoundError(WiroError, common.NotFoundError):
    """HTTP 404, or `result:false` with code 1 (the agent or message does not exist)."""


class ApiError(WiroError):
    """`result:false` with a code and message (HTTP 200): the server understood and refused. `data` is the
    whole answer (Start's `agentbalance`, CredentialUpsert's `applied` and row errors)."""

    def __init__(self, message: str, *, code: int | None = None, endpoint: str = "", status: int | None = None,
                 data: dict | None = None) -> None:
        super().__init__(message, endpoint=endpoint, status=status)
        self.code = code
        self.data = data or {}


class RateLimitedError(WiroError, common.RateLimitedError):
    """HTTP 429 after the bounded backoff ran out."""

    def __init__(self, message: str, *, retry_after: float | None = None, endpoint: str = "", status: int | None = 429) -> None:
        super().__init__(message, endpoint=endpoint, status=status)
        self.retry_after = retry_after


class TransientError(WiroError, common.TransientError):
    """A 5xx answer, a timeout or a connection failure: worth trying again later."""

    def __init__(self, message: str, *, kind: str = "network", endpoint: str = "", status: int | None = None) -> None:
        super().__init__(message, endpoint=endpoint, status=status)
        #: "timeout", "connection" or "server"
        self.kind = kind


class ProtocolError(WiroError):
    """The answer was not JSON, or not the shape the API documents."""


class AccessDenied(WiroError):
    """HTTP 403, or code 96 `useragent-access-denied` / 97 `useragent-team-admin-required`: the key is good, but
    its project is not the agent's owner (or, for a team agent, not a team admin). Not a wrong key."""

    def __init__(self, message: str, *, code: int | None = None, reason: str = "", endpoint: str = "",
                 status: int | None = None) -> None:
        super().__init__(message, endpoint=endpoint, status=status)
        self.code = code
        #: "access-denied" or "team-admin-required" (what Wiro said, in its own identifier)
        self.reason = reason


class AgentGone(NotFoundError):
    """Code 95 `useragent-not-found` / `User agent not found`: the agent was deleted, or the guid names none."""

    def __init__(self, message: str, *, code: int | None = None, endpoint: str = "", status: int | None = None) -> None:
        super().__init__(message, endpoint=endpoint, status=status)
        self.code = code


class FileUploadError(WiroError):
    """CredentialFileUpload refused a hold file (or it was refused here before sending: too large).

    `reason` names Wiro's documented error: "missing", "unknown_credential", "unknown_field", "not_fileinput",
    "type", "too_large", "transient" (or "" when the text was not one of them)."""

    def __init__(self, message: str, *, reason: str = "", endpoint: str = "", status: int | None = None) -> None:
        super().__init__(message, endpoint=endpoint, status=status)
        self.reason = reason
