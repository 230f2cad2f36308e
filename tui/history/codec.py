"""How values are kept compact in the history file, losslessly.

- A Call SID of the usual shape ("CA" + 32 lowercase hex) is stored as its 16 bytes; a message or transaction
  guid of the canonical uuid shape (lowercase, with dashes) as its 16 bytes. Anything else is stored as text,
  as sent, so an unusual ID (a web session's "voice-call-…", an upper-case SID) is never altered.
- A word from a known vocabulary (Twilio's call statuses, Wiro's session statuses and reasons, …) is stored as
  its index in that vocabulary; a word this code does not know is stored as text.

The columns holding them have no type affinity (no declared type), so SQLite keeps integers, blobs and text
exactly as given. The vocabularies are part of the file format: only ever append to them (changing an index
needs a schema migration).
"""

from __future__ import annotations

import re

#: Per column, the words stored as their index. APPEND ONLY.
VOCABULARIES: dict[str, tuple[str, ...]] = {
    "t_status": ("queued", "ringing", "in-progress", "completed", "busy", "failed", "no-answer", "canceled"),
    "direction": ("inbound", "outbound-api", "outbound-dial", "trunking-originating", "trunking-terminating"),
    "channel": ("twilio", "web"),
    "w_status": ("realtime_session_incoming", "realtime_session_active", "realtime_session", "realtime_session_rejected"),
    "end_reason": ("wiro_completed", "wiro_cancelled", "wiro_disconnect", "wiro_error", "max_duration",
                   "browser_disconnect", "twilio_disconnect"),
    "reject_reason": ("concurrent_limit", "agent_prep_timeout", "realtime_ws_open_failed", "realtime_stream_timeout"),
    "action": ("tokens",),
    "model": ("gpt-realtime-mini", "gpt-realtime", "gpt-4o-realtime-preview", "gpt-4o-mini-realtime-preview"),
}
_INDEX = {column: {word: i for i, word in enumerate(words)} for column, words in VOCABULARIES.items()}

_SID = re.compile(r"CA[0-9a-f]{32}")
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def word_codec(column: str) -> tuple:
    """(encode, decode) for one column's vocabulary: fast closures for the per-row paths."""
    index, words = _INDEX[column], VOCABULARIES[column]
    count = len(words)

    def encode(value):
        return index.get(value, value)

    def decode(value):
        return words[value] if type(value) is int and 0 <= value < count else value

    return encode, decode


def word_code(column: str, word: str) -> int:
    """The stored integer of a known word (for SQL written against the file)."""
    return _INDEX[column][word]


def encode_word(column: str, value: str | None) -> int | str | None:
    if value is None:
        return None
    return _INDEX[column].get(value, value)


def decode_word(column: str, value: int | str | None) -> str | None:
    if isinstance(value, int):
        words = VOCABULARIES[column]
        return words[value] if 0 <= value < len(words) else str(value)
    return value


def encode_sid(value: str | None) -> bytes | str | None:
    if value is not None and _SID.fullmatch(value):
        return bytes.fromhex(value[2:])
    return value


def decode_sid(value: bytes | str | None) -> str | None:
    if isinstance(value, bytes):
        return "CA" + value.hex()
    return value


def encode_guid(value: str | None) -> bytes | str | None:
    if value is not None and _UUID.fullmatch(value):
        return bytes.fromhex(value.replace("-", ""))
    return value


def decode_guid(value: bytes | str | None) -> str | None:
    if isinstance(value, bytes):
        h = value.hex()
        return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"
    return value
