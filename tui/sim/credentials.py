"""Stored agent credentials: CredentialUpsert merge rules and the masked view Detail returns."""

from __future__ import annotations

import copy

TWILIO_KEY = "twilio-voice"
MASK = "***encrypted***"

# Values Wiro never returns; Detail shows the mask instead (only when a value is stored).
SECRET_FIELDS = frozenset({"authtoken", "apikey", "apisecret", "accesstoken", "refreshtoken", "password"})
INT_FIELDS = frozenset({"maxcallseconds"})

# Field order of the seed's example, so Detail reads like the documentation.
TWILIO_DEFAULTS: dict = {
    "accountsid": "",
    "authtoken": "",
    "phonenumbers": [],
    "maxcallseconds": 600,
    "whitelistedcallers": [],
    "holdstrategy": "none",
    "holdtext": "",
    "holdvoice": "",
    "holdaudio": None,
    "holdmusic": None,
}


class UpsertError(ValueError):
    """A malformed CredentialUpsert body; the message is returned to the client as is."""


def new_group(key: str, values: dict | None = None, *, connected: bool = False) -> dict:
    """A stored credential group: the ``_connected``/``optional``/``extra`` flags plus values."""
    base = copy.deepcopy(TWILIO_DEFAULTS) if key == TWILIO_KEY else {}
    base.update(copy.deepcopy(values or {}))
    return {"_connected": connected, "optional": False, "extra": False, **base}


def masked(groups: dict[str, dict]) -> dict[str, dict]:
    """Deep copy of credential groups with every stored secret replaced by the mask."""
    out = {}
    for key, group in groups.items():
        view = copy.deepcopy(group)
        for name in SECRET_FIELDS & view.keys():
            if view[name]:
                view[name] = MASK
        out[key] = view
    return out


def parse_fields(fields: object) -> dict[str, dict]:
    """Group CredentialUpsert items into ``{credentialkey: {field: value}}``.

    Array elements (``parentfield`` + ``ordinal`` + fieldname ``value``) become lists in ordinal
    order. Raises UpsertError with a message naming the bad item.
    """
    if not isinstance(fields, list):
        raise UpsertError("fields must be a list of {credentialkey, fieldname, fieldvalue} items")
    scalars: dict[str, dict] = {}
    arrays: dict[str, dict[str, dict[int, object]]] = {}
    for i, item in enumerate(fields):
        if not isinstance(item, dict):
            raise UpsertError(f"fields[{i}] must be an object")
        key, name = item.get("credentialkey"), item.get("fieldname")
        if not isinstance(key, str) or not key or not isinstance(name, str) or not name:
            raise UpsertError(f"fields[{i}]: credentialkey and fieldname are required")
        value = item.get("fieldvalue")
        parent = item.get("parentfield")
        if parent:
            if not isinstance(parent, str):
                raise UpsertError(f"fields[{i}]: parentfield must be a string")
            if name != "value":
                raise UpsertError(f'fields[{i}]: array elements of {parent} use fieldname "value"')
            try:
                ordinal = int(item.get("ordinal"))
            except (TypeError, ValueError):
                raise UpsertError(f"fields[{i}]: ordinal must be a whole number") from None
            if ordinal < 0:
                raise UpsertError(f"fields[{i}]: ordinal must not be negative")
            arrays.setdefault(key, {}).setdefault(parent, {})[ordinal] = value
            continue
        if name in INT_FIELDS and value not in (None, ""):
            try:
                value = int(str(value).strip())
            except ValueError:
                raise UpsertError(f"fields[{i}]: {name} must be a whole number of seconds") from None
        scalars.setdefault(key, {})[name] = value
    out: dict[str, dict] = {k: dict(v) for k, v in scalars.items()}
    for key, parents in arrays.items():
        for parent, elements in parents.items():
            out.setdefault(key, {})[parent] = [elements[o] for o in sorted(elements)]
    return out


def merge(groups: dict[str, dict], updates: dict[str, dict]) -> None:
    """Apply parsed updates in place: fields not sent keep their values, sent arrays are replaced.

    Secrets are stored exactly as sent, so saving the mask back really overwrites the token.
    """
    for key, values in updates.items():
        group = groups.setdefault(key, new_group(key))
        for name, value in values.items():
            group[name] = copy.deepcopy(value)


def twilio_complete(group: dict | None) -> bool:
    """Has the three required twilio-voice values: account SID, auth token, at least one number."""
    return bool(group and group.get("accountsid") and group.get("authtoken") and group.get("phonenumbers"))
