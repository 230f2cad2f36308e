"""`loads_in_pieces`: json.loads for a big answer, decoded member by member so other threads keep running.

`json.loads` is one call into C: it holds the interpreter for its whole run (~18 ms for the 1.7 MB of a
5000-event Logs answer), and the event loop's thread, even with the decoding in a thread of its own, waits that
long for its next turn; a key press waits with it. Decoded here, the top-level object or array and the containers
directly inside it are walked in Python, and every value below them (one log event, one call) is decoded by the
same C decoder in a call of its own; between two calls the interpreter can switch to the loop's thread.

The result is the value `json.loads` gives for the same input, and what it refuses is refused here too with
`json.JSONDecodeError` (tests/unit/test_json_pieces.py checks both over generated documents).
"""

from __future__ import annotations

import json
import re
from typing import Any

_DECODER = json.JSONDecoder()
_SPACE = re.compile(r"[ \t\n\r]*")
#: The containers at these depths are walked member by member (0: the document; 1: what it holds directly).
_WALKED = 2


def loads_in_pieces(data: bytes | str) -> Any:
    """`json.loads(data)`, decoded in pieces (see the module's docstring)."""
    if isinstance(data, (bytes, bytearray)):
        text = data.decode(json.detect_encoding(data), "surrogatepass")  # (as json.loads decodes bytes)
    else:
        text = data
        if text.startswith("\ufeff"):
            raise json.JSONDecodeError("Unexpected UTF-8 BOM (decode using utf-8-sig)", text, 0)
    value, end = _value(text, _SPACE.match(text, 0).end(), 0)
    end = _SPACE.match(text, end).end()
    if end != len(text):
        raise json.JSONDecodeError("Extra data", text, end)
    return value


def _value(text: str, at: int, depth: int) -> tuple[Any, int]:
    """The value starting at `at` (no space before it) and where it ends."""
    if depth < _WALKED:
        opening = text[at:at + 1]
        if opening == "{":
            return _object(text, at + 1, depth + 1)
        if opening == "[":
            return _array(text, at + 1, depth + 1)
    try:
        return _DECODER.scan_once(text, at)
    except StopIteration as stop:
        raise json.JSONDecodeError("Expecting value", text, stop.value) from None


def _array(text: str, at: int, depth: int) -> tuple[list[Any], int]:
    items: list[Any] = []
    at = _SPACE.match(text, at).end()
    if text[at:at + 1] == "]":
        return items, at + 1
    while True:
        item, at = _value(text, at, depth)
        items.append(item)
        closed, at = _after_member(text, at, "]")
        if closed:
            return items, at


def _object(text: str, at: int, depth: int) -> tuple[dict[str, Any], int]:
    members: dict[str, Any] = {}
    at = _SPACE.match(text, at).end()
    if text[at:at + 1] == "}":
        return members, at + 1
    while True:
        if text[at:at + 1] != '"':
            raise json.JSONDecodeError("Expecting property name enclosed in double quotes", text, at)
        key, at = json.decoder.scanstring(text, at + 1)
        at = _SPACE.match(text, at).end()
        if text[at:at + 1] != ":":
            raise json.JSONDecodeError("Expecting ':' delimiter", text, at)
        at = _SPACE.match(text, at + 1).end()
        members[key], at = _value(text, at, depth)
        closed, at = _after_member(text, at, "}")
        if closed:
            return members, at


def _after_member(text: str, at: int, closing: str) -> tuple[bool, int]:
    """After a member of a container: (True, past `closing`) at its end, or (False, the next member's start)."""
    at = _SPACE.match(text, at).end()
    separator = text[at:at + 1]
    if separator == closing:
        return True, at + 1
    if separator != ",":
        raise json.JSONDecodeError("Expecting ',' delimiter", text, at)
    return False, _SPACE.match(text, at + 1).end()
