"""The Wiro API: an async client with both auth modes, bounded retries, typed errors and tolerant models."""

from .client import DEFAULT_API_BASE, HISTORY_LIMIT_CAP, RetryPolicy, WiroClient
from .errors import ApiError, AuthError, NotFoundError, ProtocolError, RateLimitedError, TransientError, WiroError
from .models import (
    AGENT_STATUSES,
    AUTH_TOKEN_MASK,
    Agent,
    CallSession,
    LogEvent,
    LogTail,
    MessageDetail,
    TwilioVoiceCredential,
    UploadedFile,
    UpsertResult,
    WebhookItem,
    status_meaning,
    status_name,
)

__all__ = [
    "AGENT_STATUSES", "AUTH_TOKEN_MASK", "Agent", "ApiError", "AuthError", "CallSession", "DEFAULT_API_BASE",
    "HISTORY_LIMIT_CAP", "LogEvent", "LogTail", "MessageDetail", "NotFoundError", "ProtocolError",
    "RateLimitedError", "RetryPolicy", "TransientError", "TwilioVoiceCredential", "UploadedFile", "UpsertResult",
    "WebhookItem", "WiroClient", "WiroError", "status_meaning", "status_name",
]
