"""The Wiro API: an async client with both auth modes, bounded retries, typed errors and tolerant models.

The client (with its models and HTTP session, and httpx for an https base: ~60 ms of imports) loads on first use
rather than with the package, so the dashboard can draw its first frame before it needs the network.
"""

from typing import Any

_CLIENT_NAMES = {"DEFAULT_API_BASE", "HISTORY_LIMIT_CAP", "RetryPolicy", "WiroClient"}
_MODEL_NAMES = {
    "AGENT_STATUSES", "AUTH_TOKEN_MASK", "Agent", "CallSession", "FileUploadResult", "LogEvent", "LogTail",
    "MessageDetail", "RowError", "Transaction", "TransactionPage", "TwilioVoiceCredential", "UploadedFile",
    "UpsertResult", "WebhookItem", "status_meaning", "status_name",
}


def __getattr__(name: str) -> Any:
    # the models (~10 ms of dataclass building) load with the first answer, not before the first frame
    if name in _CLIENT_NAMES:
        from . import client

        return getattr(client, name)
    if name in _MODEL_NAMES:
        from . import models

        return getattr(models, name)
    raise AttributeError(f"module 'tui.wiro' has no attribute {name!r}")


from .errors import (  # noqa: E402
    AccessDenied,
    AgentGone,
    ApiError,
    AuthError,
    NotFoundError,
    ProtocolError,
    RateLimitedError,
    FileUploadError,
    TransientError,
    WiroError,
)

__all__ = [
    "AccessDenied", "AgentGone", "FileUploadError", "FileUploadResult", "RowError", "Transaction", "TransactionPage",
    "AGENT_STATUSES", "AUTH_TOKEN_MASK", "Agent", "ApiError", "AuthError", "CallSession", "DEFAULT_API_BASE",
    "HISTORY_LIMIT_CAP", "LogEvent", "LogTail", "MessageDetail", "NotFoundError", "ProtocolError",
    "RateLimitedError", "RetryPolicy", "TransientError", "TwilioVoiceCredential", "UploadedFile", "UpsertResult",
    "WebhookItem", "WiroClient", "WiroError", "status_meaning", "status_name",
]
