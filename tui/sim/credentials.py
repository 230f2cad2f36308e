"""Stored agent credentials: the registry schema, CredentialUpsert row rules, and what Detail shows.

Stored groups are plain dicts (``_connected``/``optional``/``extra`` flags plus field values, the real token
included) so tests can read and edit them. A hold file written by CredentialFileUpload is stored as a
reference (``upload:<file id>``) and shown as a URL recomposed on every read.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable
from dataclasses import dataclass

TWILIO_KEY = "twilio-voice"
WIRO_KEY = "wiro"
MASK = "***encrypted***"
FILE_REF = "upload:"  # prefix of a stored reference to an uploaded file

E164 = re.compile(r"^\+[1-9]\d{1,14}$")
_CALLER = re.compile(r"^\+?[1-9]\d{1,14}$")  # the whitelist may hold numbers without "+" (Twilio's caller IDs)
_VOICE = re.compile(r"^(Polly\.[^\s.]+-(Neural|Generative)|Google\.[a-z]{2,3}-[A-Z]{2}-Chirp3-HD-[A-Za-z]+)$")
HOLD_STRATEGIES = ("none", "text", "audio", "music", "audio_then_music", "text_then_music")
FILE_TYPES = ("audio/mpeg", "audio/wav")
FILE_MAX_KB = 10240
MAX_CALL_SECONDS = (10, 14400)


@dataclass(frozen=True)
class Field:
    """One registry field of a credential."""

    key: str
    type: str  # text | password | array | number | select | textarea | fileinput
    label: str
    required: bool = False
    default: object = None
    options: tuple[str, ...] = ()
    pattern: str | None = None
    maxlength: int | None = None
    help: str = ""

    @property
    def is_list(self) -> bool:
        return self.type == "array"

    def schema(self) -> dict:
        """The field as ``_schema.fields[]`` and ``Credentials/Detail`` list it."""
        out: dict = {"key": self.key, "type": self.type, "label": self.label, "required": self.required}
        if self.default is not None:
            out["default"] = self.default
        if self.options:
            out["options"] = [{"value": o, "label": o or "Default"} for o in self.options]
        if self.pattern:
            out["pattern"] = self.pattern
        if self.maxlength:
            out["maxlength"] = self.maxlength
        if self.type == "fileinput":
            out["filetypes"] = list(FILE_TYPES)
            out["maxsize"] = FILE_MAX_KB
        if self.help:
            out["help"] = self.help
        return out


@dataclass(frozen=True)
class Credential:
    """A credential of the registry: its fields in display order."""

    key: str
    title: str
    fields: tuple[Field, ...]
    skills: tuple[str, ...]
    docs_url: str
    optional: bool = False

    def field(self, name: str) -> Field | None:
        return next((f for f in self.fields if f.key == name), None)


REGISTRY: dict[str, Credential] = {
    TWILIO_KEY: Credential(
        TWILIO_KEY, "Twilio Voice",
        (
            Field("accountsid", "text", "Account SID", True, pattern=r"^AC[0-9a-fA-F]{32}$", maxlength=34,
                  help="Live credentials' Account SID (AC…)"),
            Field("authtoken", "password", "Auth Token", True, maxlength=64, help="Live Auth Token"),
            Field("phonenumbers", "array", "Phone numbers", True, pattern=E164.pattern, help="E.164"),
            Field("maxcallseconds", "number", "Max call seconds", default=600),
            Field("whitelistedcallers", "array", "Whitelisted callers", default=[]),
            Field("holdstrategy", "select", "Hold strategy", default="none", options=HOLD_STRATEGIES),
            Field("holdtext", "textarea", "Hold text", default="", maxlength=3000),
            Field("holdvoice", "select", "Hold voice", default="", pattern=_VOICE.pattern),
            Field("holdaudio", "fileinput", "Hold audio"),
            Field("holdmusic", "fileinput", "Hold music"),
        ),
        ("int-twilio-channel",), "https://wiro.ai/docs/integration-twiliovoice-skills",
    ),
    WIRO_KEY: Credential(
        WIRO_KEY, "Wiro",
        (Field("apikey", "password", "API key", True, help="A Wiro project API key (voice audio is billed to it)"),),
        ("int-wiro-aimodels",), "https://wiro.ai/docs/agent-credentials",
    ),
}

SECRET_FIELDS = frozenset({"authtoken", "apikey"})
# Keys Detail shows beside the values that no API caller may write.
MANAGED = {"optional": "Optional", "extra": "Extra", "connectedat": "Connected at", "tokenexpiresat": "Token expires at"}
TWILIO_DEFAULTS: dict = {f.key: copy.deepcopy(f.default) for f in REGISTRY[TWILIO_KEY].fields}
TWILIO_DEFAULTS.update(accountsid="", authtoken="", phonenumbers=[])


class UpsertError(ValueError):
    """A request-level problem with a CredentialUpsert body (``fields`` missing or not a list)."""


def new_group(key: str, values: dict | None = None, *, connected: bool = False) -> dict:
    """A stored credential group: the ``_connected``/``optional``/``extra`` flags plus values."""
    spec = REGISTRY.get(key)
    if key == TWILIO_KEY:
        base = copy.deepcopy(TWILIO_DEFAULTS)
    elif spec is not None:
        base = {f.key: "" if f.default is None and f.type != "fileinput" else copy.deepcopy(f.default)
                for f in spec.fields}
    else:
        base = {}
    base.update(copy.deepcopy(values or {}))
    return {"_connected": connected, "optional": bool(spec and spec.optional), "extra": False, **base}


def required_missing(key: str, group: dict | None) -> bool:
    """Does the group lack a required value (the card "needs attention")?"""
    spec = REGISTRY.get(key)
    if spec is None:
        return False
    group = group or {}
    return any(f.required and not group.get(f.key) for f in spec.fields)


def twilio_complete(group: dict | None) -> bool:
    """Has the three required twilio-voice values: account SID, auth token, at least one number."""
    return not required_missing(TWILIO_KEY, group)


# -- what Detail shows ------------------------------------------------------------------------------


def _shown(name: str, value: object, file_url: Callable[[str], str | None]) -> object:
    if name in SECRET_FIELDS:
        return MASK if value else ""
    if isinstance(value, str) and value.startswith(FILE_REF):
        return file_url(value[len(FILE_REF):])
    return copy.deepcopy(value)


def view_newest(key: str, group: dict, file_url: Callable[[str], str | None], connected_at: float | None) -> dict:
    """A credential as the newest Detail shows it: flags, ``_editable``, ``_schema``, then values."""
    spec = REGISTRY.get(key)
    values = {k: v for k, v in group.items() if k not in ("_connected", "optional", "extra")}
    out: dict = {"_connected": bool(group.get("_connected")), "optional": bool(group.get("optional")),
                 "extra": bool(group.get("extra"))}
    if spec is not None:
        out["_editable"] = {f.key: True for f in spec.fields}
        out["_schema"] = schema_of(spec)
    out["_required_missing"] = required_missing(key, group)
    out["connectedat"] = None if connected_at is None else int(connected_at)
    out["tokenexpiresat"] = None
    for name, value in values.items():
        out[name] = _shown(name, value, file_url)
    return out


def view_older(group: dict, file_url: Callable[[str], str | None]) -> dict:
    """A credential as older Detail answers showed it (under ``configuration.credentials``)."""
    return {name: value if name in ("_connected", "optional", "extra") else _shown(name, value, file_url)
            for name, value in group.items()}


def schema_of(spec: Credential) -> dict:
    """The ``_schema`` object of a credential card."""
    return {
        "title": spec.title,
        "icon": f"https://cdn.wiro.ai/icons/{spec.key}.svg",
        "brandColor": "#F22F46" if spec.key == TWILIO_KEY else "#5B5BD6",
        "docs_url": spec.docs_url,
        "credential_mode": "api_key",
        "connection_modes": ["api_key"],
        "default_connection_mode": "api_key",
        "mode_badges": {},
        "wiro_connect_pending": False,
        "oauth_provider": None,
        "fields": [f.schema() for f in spec.fields],
    }


def public_detail(key: str) -> dict | None:
    """``Credentials/Detail``'s ``credential`` object, or None for an unknown key."""
    spec = REGISTRY.get(key)
    if spec is None:
        return None
    return {"key": spec.key, "title": spec.title, "credential_mode": "api_key", "connection_modes": ["api_key"],
            "credential_schema": [f.schema() for f in spec.fields], "oauth_provider": None,
            "used_by_skills": list(spec.skills)}


# -- CredentialUpsert rows --------------------------------------------------------------------------


@dataclass
class Row:
    """One valid CredentialUpsert row, ready to apply."""

    index: int
    key: str
    name: str  # the field written (the list's name for element rows)
    value: object
    ordinal: int | None = None  # set for ``parentfield`` element rows


@dataclass
class Checked:
    """The rows of one request: those that may be saved, and one message per bad row (by row index)."""

    rows: list[Row]
    errors: list[tuple[int, str]]


def _whole(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


def _scalar_problem(f: Field, value: object, *, files_by_upload_only: bool) -> str | None:
    """What is wrong with a non-empty scalar value for ``f``, or None."""
    if isinstance(value, (list, dict)):
        return "must be a single value, not a list or object"
    if f.type == "number":
        n = _whole(value)
        lo, hi = MAX_CALL_SECONDS
        if n is None or not lo <= n <= hi:
            return f"must be a whole number of seconds from {lo} to {hi}"
        return None
    if not isinstance(value, str):
        return "must be text"
    if f.type == "select" and f.options and value not in f.options:
        return f"must be one of: {', '.join(f.options)}"
    if f.key == "holdvoice" and not _VOICE.match(value):
        return "must be a Twilio voice name such as Polly.Joanna-Neural, or empty for the account default"
    if f.maxlength and len(value) > f.maxlength:
        return f"must be at most {f.maxlength} characters"
    if f.type == "fileinput" and files_by_upload_only:
        return "is a file field: upload the file with CredentialFileUpload"
    return None


def _element_problem(f: Field, value: object) -> str | None:
    if not isinstance(value, str):
        return "elements must be text"
    pattern = _CALLER if f.key == "whitelistedcallers" else E164
    if not pattern.match(value):
        return f"{value[:24]!r} is not an E.164 number (+, country code, digits only, at most 15)"
    return None


def _empty(value: object) -> bool:
    return value is None or value == "" or value == []


def check_rows(fields: object, known: dict[str, dict], *, files_by_upload_only: bool) -> Checked:
    """Validate every row of a CredentialUpsert ``fields`` list against the registry.

    ``known`` is the agent's stored groups (only their credential keys may be written). Raises UpsertError
    when ``fields`` is not a non-empty list; otherwise bad rows are listed, never raised.
    """
    if not isinstance(fields, list):
        raise UpsertError("fields must be a list of {credentialkey, fieldname, fieldvalue} items")
    if not fields:
        raise UpsertError("fields must not be empty")
    rows: list[Row] = []
    errors: list[tuple[int, str]] = []
    for i, item in enumerate(fields):
        problem = None
        row = None
        if not isinstance(item, dict):
            problem = f"fields[{i}] must be an object"
        else:
            key, name = item.get("credentialkey"), item.get("fieldname")
            parent = item.get("parentfield")
            value = item.get("fieldvalue")
            spec = REGISTRY.get(key) if isinstance(key, str) else None
            if not isinstance(key, str) or not key or not isinstance(name, str) or not name:
                problem = f"fields[{i}]: credentialkey and fieldname are required"
            elif name.startswith("_") or (isinstance(parent, str) and parent.startswith("_")):
                problem = f"fields[{i}]: field names starting with _ cannot be written ({(parent or name)[:40]})"
            elif spec is None or key not in known:
                problem = f"Unknown credential: {key[:60]}"
            elif parent:
                f = spec.field(parent) if isinstance(parent, str) else None
                ordinal = _whole(item.get("ordinal", 0))
                if f is None:
                    problem = f"Unknown field: {str(parent)[:60]}"
                elif not f.is_list:
                    problem = f"{f.label} ({f.key}): is not a list, write it without parentfield"
                elif name != "value":
                    problem = f'{f.label} ({f.key}): list elements use fieldname "value"'
                elif ordinal is None or ordinal < 0:
                    problem = f"{f.label} ({f.key}): ordinal must be a whole number from 0"
                else:
                    problem = _element_problem(f, value)
                    problem = f"{f.label} ({f.key}): {problem}" if problem else None
                    row = Row(i, key, f.key, value, ordinal)
            elif name in MANAGED:
                problem = f"{MANAGED[name]} is managed by Wiro"
            else:
                f = spec.field(name)
                if f is None:
                    problem = f"Unknown field: {name[:60]}"
                elif _empty(value):
                    if f.required:
                        problem = f"{f.label} ({f.key}): is required and cannot be cleared"
                    else:
                        row = Row(i, key, f.key, None)
                elif f.is_list:
                    if not isinstance(value, list):
                        problem = f"{f.label} ({f.key}): is a list; send an array or one row per element"
                    else:
                        bad = next((p for p in map(lambda v: _element_problem(f, v), value) if p), None)
                        problem = f"{f.label} ({f.key}): {bad}" if bad else None
                        row = Row(i, key, f.key, list(value))
                else:
                    bad = _scalar_problem(f, value, files_by_upload_only=files_by_upload_only)
                    problem = f"{f.label} ({f.key}): {bad}" if bad else None
                    row = Row(i, key, f.key, _whole(value) if f.type == "number" else value)
        if problem:
            errors.append((i, problem))
        elif row is not None:
            rows.append(row)
    return Checked(rows, errors)


def apply_rows(groups: dict[str, dict], rows: list[Row]) -> None:
    """Write valid rows: sent scalars replace, ``""``/``[]`` reset an optional field to its default, and the
    element rows sent for one list replace that list in ordinal order. Fields not sent keep their values.

    Secrets are stored exactly as sent, so saving the mask back really overwrites the token.
    """
    elements: dict[tuple[str, str], list[Row]] = {}
    for row in rows:
        group = groups.setdefault(row.key, new_group(row.key))
        if row.ordinal is not None:
            elements.setdefault((row.key, row.name), []).append(row)
            continue
        if row.value is None:
            f = REGISTRY[row.key].field(row.name)
            group[row.name] = copy.deepcopy(f.default) if f is not None else None
        else:
            group[row.name] = copy.deepcopy(row.value)
    for (key, name), items in elements.items():
        # The last row for an ordinal wins; gaps close up.
        by_ordinal = {r.ordinal: r.value for r in items}
        groups[key][name] = [by_ordinal[o] for o in sorted(by_ordinal)]


def label_of(key: str, name: str) -> str:
    """``Label (name)`` of a registry field, for messages."""
    spec = REGISTRY.get(key)
    f = spec.field(name) if spec else None
    return f"{f.label} ({name})" if f else name


def merge_values(groups: dict[str, dict], updates: dict[str, dict]) -> list[str]:
    """Older Update's ``configuration.credentials``: whole values per field; the mask keeps the stored secret.

    Returns the credential keys written. Unknown keys and fields are ignored, as the older API did.
    """
    written = []
    for key, values in updates.items():
        if key not in REGISTRY or not isinstance(values, dict):
            continue
        group = groups.setdefault(key, new_group(key))
        for name, value in values.items():
            if name.startswith("_") or name in MANAGED or REGISTRY[key].field(name) is None:
                continue
            if name in SECRET_FIELDS and value == MASK:
                continue
            group[name] = copy.deepcopy(value)
        written.append(key)
    return written
