"""The draft as CredentialUpsert wants it, and as `wiro-voice check` shows it.

CredentialUpsert takes one item per value, every value a string: a scalar is
`{"credentialkey": "twilio-voice", "fieldname": F, "fieldvalue": "…"}`, a list element is
`{"credentialkey": "twilio-voice", "parentfield": F, "ordinal": i, "fieldname": "value", "fieldvalue": "…"}`.
The auth token goes only when the user typed one — never the mask `***encrypted***`.

Hold files (`holdaudio`, `holdmusic`) are `fileinput` fields: a local file is stored by CredentialFileUpload,
which writes the field itself, so the upsert leaves it out (`keep_files`). The URL Detail shows for a stored
file is recomposed on every read: it is never written back (see `files_to_keep`). An emptied whitelist is sent
as one row with `fieldvalue: []`, which the newest docs say clears a list field; `save_credential` reads the
credential back afterwards, since older accounts may keep the list.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from ..common.masking import scrub_tokens
from ..twilio.classify import is_wiro_url
from .draft import CredentialDraft, token_display, token_to_send

CREDENTIAL_KEY = "twilio-voice"


class PayloadError(ValueError):
    """The draft can't be sent as it is (a local hold file was not uploaded)."""


def _scalar(name: str, value: str) -> dict[str, Any]:
    return {"credentialkey": CREDENTIAL_KEY, "fieldname": name, "fieldvalue": value}


def _element(parent: str, ordinal: int, value: str) -> dict[str, Any]:
    return {"credentialkey": CREDENTIAL_KEY, "parentfield": parent, "ordinal": ordinal, "fieldname": "value",
            "fieldvalue": value}


_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*://")


def local_path(value: str | Path) -> Path:
    """A local path with `~` expanded; as written when `~user` names no user (expanduser would raise)."""
    path = Path(str(value).strip())
    try:
        return path.expanduser()
    except RuntimeError:
        return path


def is_local_file(value: str) -> bool:
    """A hold value that names a file on this machine: not empty and not a URL of any scheme (the rules
    refuse other schemes than http(s); the payload passes them on untouched rather than guess)."""
    v = value.strip()
    return bool(v) and not _URL.match(v)


def local_files(draft: CredentialDraft) -> dict[str, str]:
    """{field: value as typed} for the hold files that must be uploaded before saving."""
    return {name: getattr(draft, name) for name in ("holdaudio", "holdmusic") if is_local_file(getattr(draft, name))}


def maxcallseconds_value(text: str) -> int | None:
    """The whole number of seconds the text holds, or None (empty or not a number)."""
    s = str(text).strip()
    if not s or not s.lstrip("+").isascii() or not s.lstrip("+").isdigit() or len(s) > 16:
        return None
    return int(s)


def _hold_value(draft: CredentialDraft, name: str, uploaded: Mapping[str, str]) -> str:
    value = getattr(draft, name)
    if not is_local_file(value):
        return value.strip()
    url = uploaded.get(value) or uploaded.get(value.strip())
    if not url:
        raise PayloadError(f"{name} is a local file ({value.strip()}) that has not been uploaded: upload it first.")
    return url


HOLD_FILE_FIELDS = ("holdaudio", "holdmusic")


def files_to_keep(draft: CredentialDraft, *, server: Mapping[str, str | None] | None = None,
                  loaded: CredentialDraft | None = None, wiro_hosts: Iterable[str] = ()) -> frozenset[str]:
    """The hold-file fields CredentialUpsert must leave alone, so Wiro keeps what it stores: the value is what
    Wiro has now (`server`, from Detail) or what the form was loaded with (`loaded`), or it is a URL served by
    Wiro (a host under wiro.ai or in `wiro_hosts`), which Detail recomposes on every read — writing it back
    would store a copy of a passing URL instead of the file."""
    keep = set()
    hosts = tuple(wiro_hosts)
    for name in HOLD_FILE_FIELDS:
        value = getattr(draft, name).strip()
        if server is not None and value == (server.get(name) or "").strip():
            keep.add(name)
        elif loaded is not None and value and value == getattr(loaded, name).strip():
            keep.add(name)
        elif value and not is_local_file(value) and is_wiro_url(value, hosts):
            keep.add(name)
    return frozenset(keep)


def upsert_fields(draft: CredentialDraft, uploaded: Mapping[str, str] | None = None, *,
                  keep_files: Iterable[str] = (), clear_lists: Iterable[str] = ()) -> list[dict[str, Any]]:
    """The `fields` of a CredentialUpsert for this draft.

    Sent: accountsid and authtoken trimmed (authtoken only when typed, never the mask), every non-blank
    number as a list element, maxcallseconds as a whole number (omitted when empty: Wiro's default),
    holdstrategy (omitted when empty), holdtext, holdvoice, and holdaudio/holdmusic unless named in
    `keep_files` (stored by CredentialFileUpload, or unchanged; an empty string clears). A list field named in
    `clear_lists` and empty in the draft is sent as `[]`. `uploaded` (older flow) maps a local hold file to a
    URL to write instead; any other local file raises PayloadError: it must be uploaded first.
    """
    uploaded = uploaded or {}
    keep = set(keep_files)
    hold = {name: _hold_value(draft, name, uploaded) for name in HOLD_FILE_FIELDS if name not in keep}
    fields: list[dict[str, Any]] = [_scalar("accountsid", draft.accountsid.strip())]
    token = token_to_send(draft.authtoken)
    if token is not None:
        fields.append(_scalar("authtoken", token))
    clear = set(clear_lists)
    for parent in ("phonenumbers", "whitelistedcallers"):
        values = [v.strip() for v in getattr(draft, parent) if v.strip()]
        fields.extend(_element(parent, i, v) for i, v in enumerate(values))
        if not values and parent in clear:
            fields.append({"credentialkey": CREDENTIAL_KEY, "fieldname": parent, "fieldvalue": []})
    seconds = maxcallseconds_value(draft.maxcallseconds)
    if seconds is not None:
        fields.append(_scalar("maxcallseconds", str(seconds)))
    elif draft.maxcallseconds.strip():
        fields.append(_scalar("maxcallseconds", draft.maxcallseconds.strip()))  # the rules refuse it first
    if draft.holdstrategy.strip():
        fields.append(_scalar("holdstrategy", draft.holdstrategy.strip()))
    fields.append(_scalar("holdtext", draft.holdtext))
    fields.append(_scalar("holdvoice", draft.holdvoice.strip()))
    for name in HOLD_FILE_FIELDS:
        if name in hold:
            fields.append(_scalar(name, hold[name]))
    return fields


def normalized(draft: CredentialDraft, uploaded: Mapping[str, str] | None = None) -> dict[str, Any]:
    """The values as they would be saved, for `check --json` and reports: the token masked, numbers and
    names trimmed, local hold files as absolute paths (or their uploaded URLs when given); anything shaped
    like an Auth Token, in whatever field it was pasted, masked."""
    uploaded = uploaded or {}

    def hold(name: str) -> str | None:
        value = getattr(draft, name)
        if not value.strip():
            return None
        if not is_local_file(value):
            return value.strip()
        return uploaded.get(value) or str(local_path(value).absolute())

    seconds = maxcallseconds_value(draft.maxcallseconds)
    return {
        "accountsid": scrub_tokens(draft.accountsid.strip()),
        "authtoken": token_display(draft),
        "phonenumbers": [scrub_tokens(v.strip()) for v in draft.phonenumbers if v.strip()],
        "maxcallseconds": seconds if seconds is not None else (draft.maxcallseconds.strip() or 600),
        "whitelistedcallers": [scrub_tokens(v.strip()) for v in draft.whitelistedcallers if v.strip()],
        "holdstrategy": draft.holdstrategy.strip() or "none",
        "holdtext": draft.holdtext,
        "holdvoice": draft.holdvoice.strip(),
        "holdaudio": hold("holdaudio"),
        "holdmusic": hold("holdmusic"),
    }
