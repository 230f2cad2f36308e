"""An event's keys as flat `name=value` pairs: nested objects become `a.b`, list items `a[0]`.

Nothing is dropped: an empty object or list is kept as `{}` / `[]`, null as `null`. Every key and value
goes through `printable`, since the log holds text a caller or a web visitor typed.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

from ..common.text import printable

#: the keys every event has; the table shows them in their own columns
HEADLINE_KEYS = frozenset({"ts", "kind", "title"})
#: deeper than this, the rest of a value is shown as compact JSON (a pathological event stays one line)
MAX_DEPTH = 12

Pair = tuple[str, str]


def scalar_text(value: Any) -> str:
    """One value as text: JSON spelling for null and booleans, numbers as written, strings made printable."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value) if isinstance(value, float) else str(value)
    if isinstance(value, str):
        return printable(value)
    return printable(_compact(value))


def _compact(value: Any) -> str:
    try:
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=True, default=str)
    except (TypeError, ValueError):  # a structure JSON cannot spell (not from a parsed answer): its repr
        return repr(value)


def flatten(raw: Mapping[str, Any], *, skip: Iterable[str] = HEADLINE_KEYS) -> tuple[Pair, ...]:
    """`raw`'s keys (except `skip`, at the top level only) as (name, value) pairs, in the order sent."""
    skipped = frozenset(skip)
    out: list[Pair] = []
    for key, value in raw.items():
        name = printable(str(key))
        if name in skipped:
            continue
        _walk(name, value, out, 1)
    return tuple(out)


def _walk(name: str, value: Any, out: list[Pair], depth: int) -> None:
    if isinstance(value, Mapping):
        if not value:
            out.append((name, "{}"))
        elif depth >= MAX_DEPTH:
            out.append((name, printable(_compact(value))))
        else:
            for key, item in value.items():
                _walk(f"{name}.{printable(str(key))}", item, out, depth + 1)
    elif isinstance(value, (list, tuple)):
        if not value:
            out.append((name, "[]"))
        elif depth >= MAX_DEPTH:
            out.append((name, printable(_compact(list(value)))))
        else:
            for index, item in enumerate(value):
                _walk(f"{name}[{index}]", item, out, depth + 1)
    else:
        out.append((name, scalar_text(value)))


def pairs_text(pairs: Iterable[Pair], separator: str = "  ") -> str:
    """Pairs on one line: `a=1  b.c=x`."""
    return separator.join(f"{name}={value}" for name, value in pairs)
