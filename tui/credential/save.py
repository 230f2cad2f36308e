"""Saving the credential: validate, upload local hold files, one CredentialUpsert, and the outcome.

Nothing here raises for a Wiro problem: every failure (validation errors, an upload refused, any HTTP
status, a timeout) comes back as a typed `SaveFailure` in the outcome, and the caller keeps the draft.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..hold.probe import ProbeError
from ..problems import Problem
from ..wiro.errors import (
    ApiError,
    AuthError,
    NotFoundError,
    ProtocolError,
    RateLimitedError,
    TransientError,
    WiroError,
)
from ..wiro.models import UpsertResult
from .draft import CredentialDraft
from .payload import PayloadError, local_files, local_path, upsert_fields
from .rules import Finding, Validation, probe_cached, validate

#: progress(label, done, total): bytes sent of a file being uploaded, or (label, 0, None) for a step
#: whose size is unknown ("Saving the credential…").
SaveProgress = Callable[[str, int, "int | None"], None]


@dataclass(frozen=True)
class SaveFailure:
    """Why nothing (or not everything) was saved.

    stage: "validation" (nothing sent), "upload" (a file was refused; the credential was not sent) or
    "upsert" (CredentialUpsert failed). kind: "invalid", "file", "auth", "not_found", "refused",
    "rate_limited", "timeout", "network", "server", "protocol" or "error".
    """

    stage: str
    kind: str
    message: str
    field: str = ""
    status: int | None = None


@dataclass(frozen=True)
class SaveOutcome:
    saved: bool
    validation: Validation
    result: UpsertResult | None = None  # what Wiro said about the webhooks
    uploaded: Mapping[str, str] = field(default_factory=dict)  # local path, as typed in the draft → URL
    failure: SaveFailure | None = None
    notes: tuple[Finding, ...] = ()  # found after saving (a whitelist Wiro kept)

    @property
    def error(self) -> str | None:
        """The failure in words, or None when saved."""
        return self.failure.message if self.failure else None

    @property
    def all_numbers_updated(self) -> bool:
        """Saved, and Wiro pointed every number at itself (nothing skipped or failed, no flow error)."""
        r = self.result
        return self.saved and r is not None and r.error is None and not r.skipped and not r.failed


def _kind(err: WiroError) -> str:
    if isinstance(err, AuthError):
        return "auth"
    if isinstance(err, NotFoundError):
        return "not_found"
    if isinstance(err, RateLimitedError):
        return "rate_limited"
    if isinstance(err, TransientError):
        return {"timeout": "timeout", "connection": "network", "server": "server"}.get(err.kind, "network")
    if isinstance(err, ProtocolError):
        return "protocol"
    if isinstance(err, ApiError):
        return "refused"
    return "error"


def _upload_name(path: Path, format_: str | None) -> str:
    """The file's name with the extension its content has: Wiro serves it with the type that name says,
    and Twilio plays a URL only when that type is right (a WAV named .mp3 would be sent as audio/mpeg)."""
    suffixes = {"mp3": (".mp3",), "wav": (".wav", ".wave")}.get(format_ or "")
    if suffixes and path.suffix.lower() not in suffixes:
        return f"{path.stem or 'hold'}.{format_}"
    return path.name


async def save_credential(
    client: Any,
    agent_guid: str,
    draft: CredentialDraft,
    *,
    progress: SaveProgress | None = None,
    default_region: str = "US",
    check_whitelist: bool = True,
) -> SaveOutcome:
    """Validate (errors → nothing is sent), upload each local hold file through `client.upload`, then one
    `client.credential_upsert`. `progress(label, done, total)` follows the uploads byte by byte.

    With an empty whitelist the credential is read back (Detail): an empty list can't be sent, so a
    whitelist Wiro kept is reported in `notes` rather than silently left in place.
    """

    def report(label: str, done: int, total: int | None) -> None:
        if progress is not None:
            progress(label, done, total)

    # Validation may read hold files (10 MB at most): off the event loop, so a UI stays responsive.
    validation = await asyncio.to_thread(validate, draft, default_region=default_region, files=True)
    if not validation.ok:
        errors = validation.errors
        first = errors[0]
        more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        return SaveOutcome(False, validation, failure=SaveFailure(
            "validation", "invalid", f"{len(errors)} error{'s' if len(errors) > 1 else ''} to fix first — "
            f"{first.field}: {first.message}{more}", first.field))

    uploaded: dict[str, str] = {}
    by_path: dict[Path, str] = {}  # one upload for a file used twice
    for name, value in local_files(draft).items():
        path = local_path(value).absolute()
        if path in by_path:
            uploaded[value] = by_path[path]
            continue
        try:
            data = await asyncio.to_thread(path.read_bytes)
            info = probe_cached(path)
        except OSError as err:
            return SaveOutcome(False, validation, uploaded=dict(uploaded), failure=SaveFailure(
                "upload", "file", f"Not saved: {path.name} can't be read ({err.strerror or err}).", name))
        except ProbeError as err:  # the file changed since it was checked
            return SaveOutcome(False, validation, uploaded=dict(uploaded), failure=SaveFailure(
                "upload", "file", f"Not saved: {err.message}", name))
        filename = _upload_name(path, info.format)
        label = f"Uploading {filename} ({name})"
        report(label, 0, len(data))
        try:
            stored = await client.upload(data, filename=filename,
                                         progress=lambda sent, total, label=label: report(label, sent, total))
        except WiroError as err:
            return SaveOutcome(False, validation, uploaded=dict(uploaded), failure=SaveFailure(
                "upload", _kind(err), f"Not saved: uploading {filename} failed — {err.message}", name, err.status))
        uploaded[value] = stored.url
        by_path[path] = stored.url

    try:
        fields = upsert_fields(draft, uploaded)
    except PayloadError as err:  # cannot happen after the uploads above; kept typed all the same
        return SaveOutcome(False, validation, uploaded=dict(uploaded), failure=SaveFailure("upsert", "invalid", str(err)))
    report("Saving the credential", 0, None)
    try:
        result = await client.credential_upsert(agent_guid, fields)
    except WiroError as err:
        message = f"Not saved: {err.message}"
        if isinstance(err, TransientError) and err.kind == "timeout":
            message = ("Wiro did not answer in time, so the save may or may not have happened: reload the "
                       "credential to see what Wiro has, then save again.")
        return SaveOutcome(False, validation, uploaded=dict(uploaded), failure=SaveFailure(
            "upsert", _kind(err), message, status=err.status))

    notes: tuple[Finding, ...] = ()
    if check_whitelist and not any(v.strip() for v in draft.whitelistedcallers):
        notes = await _whitelist_kept(client, agent_guid)
    return SaveOutcome(True, validation, result=result, uploaded=dict(uploaded), notes=notes)


async def _whitelist_kept(client: Any, agent_guid: str) -> tuple[Finding, ...]:
    try:
        agent = await client.detail(agent_guid)
    except WiroError:
        return ()  # the save itself went through; this is only a check
    kept = agent.credential.whitelistedcallers if agent.credential else ()
    if not kept:
        return ()
    return (Finding("warning", f"Wiro kept {len(kept)} whitelisted caller{'s' if len(kept) > 1 else ''} although "
                               "the list here is empty (CredentialUpsert has no way to send an empty list): only "
                               "those callers reach the agent. Remove them in the Wiro panel (My Agents → "
                               "Credentials → Twilio Voice).", "whitelistedcallers"),)


def problems_of(outcome: SaveOutcome) -> tuple[Problem, ...]:
    """Every finding worth showing after a save attempt: the draft's, then those found after saving."""
    return tuple(outcome.validation.problems) + tuple(outcome.notes)
