"""Credential files for `wiro-voice check` and `save`: JSON or TOML with the seed's field names.

The format is chosen by extension (.json, .toml), else JSON is tried, then TOML. Besides the flat shape
(`{"accountsid": …, "phonenumbers": [...]}`) the Detail shapes are accepted: `{"twilio-voice": {...}}`,
`{"credentials": {"twilio-voice": …}}`, `{"configuration": …}` and a whole Detail answer
(`{"useragents": [{…}]}`). Relative hold-file paths are read relative to the credential file.
"""

from __future__ import annotations

import json
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .draft import FIELD_NAMES, CredentialDraft, mapping_notes
from .payload import is_local_file, local_path

MAX_FILE_BYTES = 1024 * 1024  # a credential is a few hundred bytes; anything this big is the wrong file


class CredentialFileError(Exception):
    """The file can't be used: missing, unreadable, not JSON/TOML, or not a credential. `message` says why."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class LoadedCredential:
    draft: CredentialDraft
    notes: tuple[tuple[str, str], ...]  # (field, message): unknown keys and values of the wrong type
    format: str  # "json" or "toml"


def load_credential_file(path: str | Path) -> CredentialDraft:
    """The draft a credential file holds. Raises CredentialFileError with the reason."""
    return read_credential_file(path).draft


def read_credential_file(path: str | Path) -> LoadedCredential:
    """The draft plus notes about keys it ignored. Raises CredentialFileError with the reason."""
    path = local_path(path)
    try:
        if path.is_dir():
            raise CredentialFileError(f"{path} is a folder: give the credential file (JSON or TOML) inside it.")
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise CredentialFileError(f"{path} is {size // 1024} KB: too big to be a credential file (JSON or TOML).")
        raw = path.read_bytes()
    except FileNotFoundError:
        raise CredentialFileError(f"{path} does not exist: check the path.") from None
    except PermissionError:
        raise CredentialFileError(f"{path} can't be read: permission denied.") from None
    except OSError as err:
        raise CredentialFileError(f"{path} can't be read: {err.strerror or err}.") from None
    except ValueError:  # a NUL in the path
        raise CredentialFileError("The file name holds a character no file name can have (NUL).") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise CredentialFileError(f"{path} is not UTF-8 text (byte {err.start}): save it as UTF-8 JSON or TOML.") from None
    data, fmt = _parse(text, path)
    mapping = _credential_mapping(data)
    if mapping is None:
        raise CredentialFileError(
            f"{path} holds no twilio-voice credential: expected fields such as accountsid and phonenumbers "
            "(flat, or under \"twilio-voice\")."
        )
    mapping = _resolve_paths(mapping, path.parent)
    return LoadedCredential(CredentialDraft.from_mapping(mapping), tuple(mapping_notes(mapping)), fmt)


def _parse(text: str, path: Path) -> tuple[Any, str]:
    suffix = path.suffix.lower()
    if suffix == ".json":
        return _json(text, path), "json"
    if suffix == ".toml":
        return _toml(text, path), "toml"
    try:
        return _json(text, path), "json"
    except CredentialFileError as json_error:
        try:
            return _toml(text, path), "toml"
        except CredentialFileError as toml_error:
            raise CredentialFileError(
                f"{path} is neither JSON nor TOML. As JSON: {_reason(json_error)}. As TOML: {_reason(toml_error)}."
            ) from None


def _reason(err: CredentialFileError) -> str:
    return err.message.split(": ", 1)[-1].rstrip(".")


def _json(text: str, path: Path) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as err:
        raise CredentialFileError(f"{path} is not valid JSON: {err.msg} at line {err.lineno}, column {err.colno}.") from None
    except RecursionError:
        raise CredentialFileError(f"{path} is not valid JSON: nested too deeply.") from None


def _toml(text: str, path: Path) -> Any:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise CredentialFileError(f"{path} is not valid TOML: {err}.") from None
    except RecursionError:
        raise CredentialFileError(f"{path} is not valid TOML: nested too deeply.") from None


def _credential_mapping(data: Any) -> Mapping[str, Any] | None:
    """The credential's own mapping inside any of the accepted shapes, or None."""
    if not isinstance(data, dict):
        return None
    for _ in range(4):  # useragents → [0] → configuration → credentials → twilio-voice
        if isinstance(data.get("twilio-voice"), dict):
            return data["twilio-voice"]
        if any(name in data for name in FIELD_NAMES):
            return data
        agents = data.get("useragents")
        if isinstance(agents, list) and agents and isinstance(agents[0], dict):
            data = agents[0]
            continue
        inner = next((data[k] for k in ("configuration", "credentials") if isinstance(data.get(k), dict)), None)
        if inner is None:
            return None
        data = inner
    return None


def _resolve_paths(mapping: Mapping[str, Any], base: Path) -> dict[str, Any]:
    resolved = dict(mapping)
    for name in ("holdaudio", "holdmusic"):
        value = resolved.get(name)
        if isinstance(value, str) and is_local_file(value):
            local = local_path(value)
            if not local.is_absolute():
                resolved[name] = str((base / local).absolute())
    return resolved
