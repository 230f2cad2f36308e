"""Unsaved credential edits kept on disk, so quitting (or a crash) loses nothing.

One JSON file per agent, mode 0600, beside the config file. The auth token is never written: a draft
holds what the user typed except secrets, says whether a token had been typed so the form can ask for it
again, and names the fields the user changed (only those are offered back: the others follow Wiro).
"""

from __future__ import annotations

import json
import re
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Mapping

from ..common.atomic import write_private

DRAFT_FIELDS = (
    "accountsid", "phonenumbers", "whitelistedcallers", "maxcallseconds",
    "holdstrategy", "holdtext", "holdvoice", "holdaudio", "holdmusic",
)
_LISTS = {"phonenumbers", "whitelistedcallers"}
_SAFE_NAME = re.compile(r"[^A-Za-z0-9_.-]")


@dataclass(frozen=True)
class StoredDraft:
    values: Mapping[str, Any]  # DRAFT_FIELDS only: str, or tuple[str, ...] for the lists
    saved_at: float
    token_was_typed: bool
    changed: tuple[str, ...] | None = None  # the fields the user changed; None in drafts written before it was kept


def drafts_dir(config_path: Path) -> Path:
    return config_path.expanduser().parent / "drafts"


def draft_path(config_path: Path, agent_guid: str) -> Path:
    return drafts_dir(config_path) / f"{_SAFE_NAME.sub('_', agent_guid) or 'agent'}.json"


def save_draft(path: Path, values: Mapping[str, Any], *, token_was_typed: bool, now: float | None = None,
               changed: Iterable[str] | None = None) -> None:
    """Write the draft (secrets are not among DRAFT_FIELDS, so none can be written)."""
    document: dict[str, Any] = {
        "saved_at": time.time() if now is None else now,
        "token_was_typed": bool(token_was_typed),
        "values": {name: list(values[name]) if name in _LISTS else str(values[name])
                   for name in DRAFT_FIELDS if name in values},
    }
    if changed is not None:
        document["changed"] = [name for name in DRAFT_FIELDS if name in set(changed)]
    write_private(path, json.dumps(document, ensure_ascii=False, indent=1).encode())


def load_draft(path: Path) -> StoredDraft | None:
    """The stored draft, or None when there is none or it is unreadable (a damaged draft is not an error)."""
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(document, dict) or not isinstance(document.get("values"), dict):
        return None
    values: dict[str, Any] = {}
    for name in DRAFT_FIELDS:
        value = document["values"].get(name)
        if name in _LISTS and isinstance(value, list):
            values[name] = tuple(str(v) for v in value if isinstance(v, (str, int)))
        elif name not in _LISTS and isinstance(value, (str, int)):
            values[name] = str(value)
    saved_at = document.get("saved_at")
    changed = document.get("changed")
    return StoredDraft(
        values=values,
        saved_at=float(saved_at) if isinstance(saved_at, (int, float)) else 0.0,
        token_was_typed=document.get("token_was_typed") is True,
        changed=tuple(n for n in DRAFT_FIELDS if n in changed) if isinstance(changed, list) else None,
    )


def discard_draft(path: Path) -> None:
    try:
        path.unlink()
    except FileNotFoundError:
        pass
