"""Saving the credential: validate, store local hold files, one CredentialUpsert, then leave setup.

The steps, as the newest Wiro docs describe a first-time setup:

1. read the agent (Detail) unless the caller has it: its status, and what Wiro holds (the token, the stored
   hold files), so a token Wiro keeps is never asked for again and a stored file's URL is never written back;
2. validate (errors → nothing is sent);
3. CredentialFileUpload for each local hold file (the 10 MB cap is checked before a byte is sent): Wiro
   stores the file and writes the field itself;
4. one CredentialUpsert with every other field (without the file fields just written, and without a hold
   file Wiro already has): its answer says how many rows were applied, which rows failed, and what happened
   to the numbers' webhooks;
5. keep what Wiro said about each number's webhook (the report `webhooks` and `doctor` read) when the caller
   gives the reports folder: every front end that saves keeps it, the same way;
6. read the agent again; if it is still in Setup required (6) and not running, `Update {guid}` makes Wiro
   re-check the credentials and move it to Stopped (0) so it can start. A running agent is never Updated:
   the upsert already restarts it.

Nothing here raises for a Wiro problem: every failure comes back typed in the outcome, and the caller keeps
the draft.
"""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..hold.errors import HoldError
from ..hold.probe import ProbeError, probe_bytes
from ..hold.sources import fetch, is_url, url_label
from ..problems import Problem
from ..twilio.classify import handler_hosts
from ..webhooks.report import SaveReport, build_report
from ..webhooks.store import report_path, save_report
from ..wiro.client import CREDENTIAL_FILE_MAX_BYTES
from ..wiro.errors import (
    AccessDenied,
    AgentGone,
    ApiError,
    AuthError,
    FileUploadError,
    NotFoundError,
    ProtocolError,
    RateLimitedError,
    TransientError,
    WiroError,
)
from ..wiro.models import Agent, RowError, UpsertResult
from .draft import FIELD_NAMES, CredentialDraft
from .payload import HOLD_FILE_FIELDS, PayloadError, files_to_keep, local_path, upsert_fields
from .probes import probe_cached
from .rules import Finding, Validation, validate

#: progress(label, done, total): bytes sent of a file being uploaded, or (label, 0, None) for a step
#: whose size is unknown ("Saving the credential…").
SaveProgress = Callable[[str, int, "int | None"], None]

SETUP_REQUIRED = 6
RUNNING_STATES = (1, 2, 3, 4)  # stopping, queued, starting, running: Update would restart (or race) it


@dataclass(frozen=True)
class SaveFailure:
    """Why nothing (or not everything) was saved.

    stage: "read" (the agent could not be read first; nothing sent), "validation" (nothing sent), "upload" (a
    hold file was refused; what follows it was not sent) or "upsert" (CredentialUpsert failed or refused rows).
    kind: "invalid", "file", "auth", "access", "gone", "not_found", "refused", "rejected", "partial",
    "rate_limited", "timeout", "network", "server", "protocol" or "error".
    """

    stage: str
    kind: str
    message: str
    field: str = ""
    status: int | None = None


@dataclass(frozen=True)
class RowProblem:
    """A row Wiro refused, beside the field it belongs to (`field` is "" when the message names none)."""

    field: str
    message: str
    code: int | None = None


@dataclass(frozen=True)
class SaveOutcome:
    saved: bool  # anything was written (a stored file, or rows of the upsert)
    validation: Validation
    result: UpsertResult | None = None  # CredentialUpsert's answer
    uploaded: Mapping[str, str] = field(default_factory=dict)  # local path as typed → the URL Wiro answered
    failure: SaveFailure | None = None
    notes: tuple[Finding, ...] = ()  # found after saving (a whitelist Wiro kept, setup still required)
    row_errors: tuple[RowProblem, ...] = ()
    files_written: tuple[str, ...] = ()  # hold fields CredentialFileUpload wrote
    status_before: int | None = None
    status_after: int | None = None
    updated_setup: bool = False  # Update {guid} was called and answered
    update_error: str | None = None
    agent_after: Agent | None = None  # the agent as read after the save (or as Update answered)
    numbers: tuple[str, ...] = ()  # the numbers the save sent
    report: SaveReport | None = None  # what Wiro said about each number's webhook (when rows were saved)
    report_problem: str | None = None  # why the report could not be kept on disk, in words

    @property
    def error(self) -> str | None:
        """The failure in words, or None when saved."""
        return self.failure.message if self.failure else None

    @property
    def applied(self) -> int | None:
        return self.result.applied if self.result is not None else None

    @property
    def complete(self) -> bool:
        """Everything asked for was written: no failure, no refused row."""
        return self.saved and self.failure is None and not self.row_errors and (
            self.result is None or self.result.complete)

    @property
    def partial(self) -> bool:
        return self.saved and not self.complete

    @property
    def all_numbers_updated(self) -> bool:
        """Saved, and Wiro pointed every number at itself (nothing skipped or failed, no flow error)."""
        r = self.result
        if not (self.saved and r is not None and r.reported and r.error is None and not r.skipped
                and r.skipped_reason is None and not r.failed):
            return False
        updated = {re.sub(r"\D", "", item.number or "") for item in r.updated}
        return all(re.sub(r"\D", "", n) in updated for n in self.numbers)  # none left unmentioned

    @property
    def still_needs_setup(self) -> bool:
        """After the save (and Update), Wiro still marks the agent Setup required."""
        if self.agent_after is not None:
            return self.agent_after.needs_setup
        return self.status_after == SETUP_REQUIRED

    @property
    def fully_done(self) -> bool:
        """What `save` exits 0 for: everything saved, every number configured, nothing left to do."""
        return (self.complete and self.all_numbers_updated and not self.notes and self.update_error is None
                and not self.still_needs_setup)


def _kind(err: WiroError) -> str:
    if isinstance(err, AuthError):
        return "auth"
    if isinstance(err, AccessDenied):
        return "access"
    if isinstance(err, AgentGone):
        return "gone"
    if isinstance(err, NotFoundError):
        return "not_found"
    if isinstance(err, RateLimitedError):
        return "rate_limited"
    if isinstance(err, TransientError):
        return {"timeout": "timeout", "connection": "network", "server": "server"}.get(err.kind, "network")
    if isinstance(err, ProtocolError):
        return "protocol"
    if isinstance(err, FileUploadError):
        return "file"
    if isinstance(err, ApiError):
        return "refused"
    return "error"


def _upload_name(path: Path, format_: str | None) -> str:
    """The file's name with the extension its content has: Wiro checks the type against the field's allowed
    types, and Twilio plays a URL only when the type it is served with is right (a WAV named .mp3 is not)."""
    suffixes = {"mp3": (".mp3",), "wav": (".wav", ".wave")}.get(format_ or "")
    if suffixes and path.suffix.lower() not in suffixes:
        return f"{path.stem or 'hold'}.{format_}"
    return path.name


def _hosts(client: Any) -> tuple[str, ...]:
    return handler_hosts(getattr(client, "base_url", None))


async def save_credential(
    client: Any,
    agent_guid: str,
    draft: CredentialDraft,
    *,
    progress: SaveProgress | None = None,
    default_region: str = "US",
    check_whitelist: bool = True,
    agent: Agent | None = None,
    loaded: CredentialDraft | None = None,
    reports: Path | None = None,
    clock: Callable[[], float] = time.time,
) -> SaveOutcome:
    """Save `draft` as the agent's twilio-voice credential (the steps are in the module's docstring).

    `agent` is the agent as the caller last read it (the form has it): given, the save reads nothing first.
    `loaded` is the draft the form was filled from: a hold file still as loaded is not written back.
    `progress(label, done, total)` follows the uploads byte by byte.
    `reports` is the folder of webhook reports (`webhooks.store.reports_dir`): once Wiro has saved rows, the
    report of this save replaces the agent's last one there, made at `clock()`. None keeps no report.
    """

    def report(label: str, done: int, total: int | None) -> None:
        if progress is not None:
            progress(label, done, total)

    if agent is None:
        try:
            agent = await client.detail(agent_guid)
        except WiroError as err:
            return SaveOutcome(False, Validation(()), failure=SaveFailure(
                "read", _kind(err), f"Not saved: the agent could not be read first — {err.message}",
                status=err.status))
    before = agent.status
    server = agent.credential
    if server is not None and server.authtoken_set and draft.authtoken is None and not draft.token_on_server:
        draft = draft.replace(token_on_server=True)  # Wiro keeps its token: a file without one is fine

    # Validation may read hold files (10 MB at most): off the event loop, so a UI stays responsive.
    validation = await asyncio.to_thread(validate, draft, default_region=default_region, files=True)
    if not validation.ok:
        errors = validation.errors
        first = errors[0]
        more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        return SaveOutcome(False, validation, failure=SaveFailure(
            "validation", "invalid", f"{len(errors)} error{'s' if len(errors) > 1 else ''} to fix first — "
            f"{first.field}: {first.message}{more}", first.field), status_before=before)

    server_files = {name: getattr(server, name) for name in HOLD_FILE_FIELDS} if server is not None else None
    keep = set(files_to_keep(draft, server=server_files, loaded=loaded, wiro_hosts=_hosts(client)))
    written: list[str] = []
    uploaded: dict[str, str] = {}
    for name in HOLD_FILE_FIELDS:
        value = getattr(draft, name)
        if name in keep or not value.strip():
            continue
        # a local file, or a URL typed by hand: either way Wiro gets the file itself (CredentialFileUpload is
        # the documented path for file fields; whether a URL may be written into one is not documented)
        stored = await _store_file(client, agent_guid, name, value.strip(), report)
        if isinstance(stored, SaveFailure):
            if written:
                stored = SaveFailure(stored.stage, stored.kind, f"{stored.message} ({', '.join(written)} had already "
                                     "been stored; the other fields were not sent.)", stored.field, stored.status)
            return SaveOutcome(bool(written), validation, uploaded=dict(uploaded), failure=stored,
                               files_written=tuple(written), status_before=before)
        written.append(name)
        keep.add(name)
        if stored:
            uploaded[value] = stored

    clear = ("whitelistedcallers",) if server is None or server.whitelistedcallers else ()
    try:
        fields = upsert_fields(draft, keep_files=keep, clear_lists=clear)
    except PayloadError as err:  # cannot happen after the uploads above; kept typed all the same
        return SaveOutcome(bool(written), validation, uploaded=dict(uploaded), files_written=tuple(written),
                           failure=SaveFailure("upsert", "invalid", str(err)), status_before=before)
    report("Saving the credential", 0, None)
    try:
        result = await client.credential_upsert(agent_guid, fields)
    except WiroError as err:
        message = f"Not saved: {err.message}"
        if isinstance(err, TransientError) and err.kind == "timeout":
            message = ("Wiro did not answer in time, so the save may or may not have happened: reload the "
                       "credential to see what Wiro has, then save again.")
        if written:
            message += f" ({', '.join(written)} had already been stored.)"
        return SaveOutcome(bool(written), validation, uploaded=dict(uploaded), files_written=tuple(written),
                           failure=SaveFailure("upsert", _kind(err), message, status=err.status), status_before=before)

    rows = tuple(RowProblem(row_field(e, fields), e.message, e.code) for e in result.errors)
    if not result.saved_anything:
        count = len(rows)
        first = f" — {rows[0].field or 'credential'}: {rows[0].message}" if rows else ""
        more = f" (and {count - 1} more)" if count > 1 else ""
        failure = SaveFailure("upsert", "rejected", f"Not saved: Wiro refused the credential{first}{more}. Nothing "
                              "was changed: fix the fields marked, then save again.",
                              rows[0].field if rows else "")
        return SaveOutcome(bool(written), validation, result=result, uploaded=dict(uploaded), failure=failure,
                           row_errors=rows, files_written=tuple(written), status_before=before)

    webhooks = build_report(result, draft.phonenumbers, agent_guid=agent_guid, now=clock())
    report_problem = await _keep_report(reports, agent_guid, webhooks)
    failure = None
    if rows:
        names = ", ".join(r.field or "credential" for r in rows)
        failure = SaveFailure("upsert", "partial", f"Saved in part: Wiro applied {_rows(result.applied)} but refused "
                              f"{len(rows)} ({names}). The refused fields keep their old values: fix them, then save "
                              "again (re-sending the rest is harmless).", rows[0].field)
    after, status_after, updated, update_error = await _leave_setup(client, agent_guid, agent, report)
    notes: list[Finding] = []
    if check_whitelist and after is not None:
        notes.extend(_lists_kept(draft, after))
    if after is not None and after.needs_setup:
        notes.append(_still_in_setup(after, updated))
    return SaveOutcome(True, validation, result=result, uploaded=dict(uploaded), failure=failure, notes=tuple(notes),
                       row_errors=rows, files_written=tuple(written), status_before=before, status_after=status_after,
                       updated_setup=updated, update_error=update_error, agent_after=after,
                       numbers=tuple(v.strip() for v in draft.phonenumbers if v.strip()), report=webhooks,
                       report_problem=report_problem)


async def _keep_report(folder: Path | None, guid: str, report: SaveReport) -> str | None:
    """Write the report as the agent's last one (off the event loop: it fsyncs); why it could not be, or None."""
    if folder is None:
        return None
    try:
        await asyncio.to_thread(save_report, report_path(folder, guid), report)
    except OSError as err:
        return f"Could not keep the webhook report: {err.strerror or err}"
    return None


def _rows(count: int | None) -> str:
    if count is None:
        return "some rows"
    return f"{count} row{'s' if count != 1 else ''}"


async def _store_file(client: Any, guid: str, name: str, value: str, report: Callable) -> str | SaveFailure:
    """CredentialFileUpload of one hold file (a local path, or a URL fetched first): the URL Wiro answered
    ("" when none), or why it failed. The 10 MB cap is checked before anything is sent."""
    if is_url(value):
        label = url_label(value)
        report(f"Downloading {label} ({name})", 0, None)
        try:
            fetched = await asyncio.to_thread(fetch, value, field=name, max_bytes=CREDENTIAL_FILE_MAX_BYTES)
        except HoldError as err:
            return SaveFailure("upload", "file", f"Not saved: {name} could not be read from {label}: {err.message}",
                               name)
        data = fetched.data
        try:
            info = probe_bytes(data, name=label)
        except ProbeError as err:
            return SaveFailure("upload", "file", f"Not saved: {name} at {label}: {err.message}", name)
        path = Path(value.split("?", 1)[0].split("#", 1)[0].rstrip("/").rsplit("/", 1)[-1] or f"{name}.{info.format}")
    else:
        path = local_path(value).absolute()
        try:
            size = path.stat().st_size
            info = probe_cached(path)
        except OSError as err:
            return SaveFailure("upload", "file", f"Not saved: {path.name} can't be read ({err.strerror or err}).", name)
        except ProbeError as err:  # the file changed since it was checked
            return SaveFailure("upload", "file", f"Not saved: {err.message}", name)
        if size > CREDENTIAL_FILE_MAX_BYTES:  # refused here: nothing is sent
            return SaveFailure("upload", "file", f"Not saved: {path.name} is {size / 1048576:.1f} MB; Wiro takes at "
                               "most 10 MB for a hold file. Shorten it or save it as a mono MP3.", name)
        try:
            data = await asyncio.to_thread(path.read_bytes)
        except OSError as err:
            return SaveFailure("upload", "file", f"Not saved: {path.name} can't be read ({err.strerror or err}).", name)
    filename = _upload_name(path, info.format)
    label = f"Uploading {filename} ({name})"
    report(label, 0, len(data))
    try:
        stored = await client.credential_file_upload(
            guid, "twilio-voice", name, data, filename=filename,
            progress=lambda sent, total: report(label, sent, total))
    except WiroError as err:
        message = err.message if isinstance(err, FileUploadError) else f"uploading {filename} failed — {err.message}"
        return SaveFailure("upload", _kind(err), f"Not saved: {message}", name, err.status)
    return stored.url or ""


async def _leave_setup(client: Any, guid: str, before: Agent, report: Callable
                       ) -> tuple[Agent | None, int | None, bool, str | None]:
    """Read the agent after the upsert; when it is still in Setup required and not running, `Update {guid}`.
    Returns (the agent now, its status, whether Update answered, why Update failed)."""
    try:
        now: Agent | None = await client.detail(guid)
    except WiroError:
        now = None  # the save went through; decide on what was known before it
    basis = now or before
    wants_update = (basis.status == SETUP_REQUIRED or basis.setuprequired) and basis.status not in RUNNING_STATES
    if not wants_update:
        return now, now.status if now else None, False, None
    report("Asking Wiro to re-check setup (Update)", 0, None)
    try:
        answered = await client.update(guid)
    except WiroError as err:
        return now, now.status if now else None, False, (
            f"Wiro did not re-check setup (Update failed: {err.message}). The credential is saved; save again, or "
            "start the agent from the Wiro panel.")
    if answered is None or answered.status is None:
        try:
            answered = await client.detail(guid)
        except WiroError:
            return now, None, True, None
    return answered, answered.status, True, None


def _still_in_setup(agent: Agent, updated: bool) -> Finding:
    others = [k for k in agent.credentials_missing if k != "twilio-voice"]
    twilio = "twilio-voice" in agent.credentials_missing
    what = []
    if twilio:
        what.append("the Twilio credential still lacks a required field (Account SID, Auth Token or a number)")
    if others:
        what.append(f"the {', '.join(others)} credential{'s' if len(others) > 1 else ''} "
                    f"{'are' if len(others) > 1 else 'is'} incomplete (e.g. the `wiro` API key voice calls need)")
    why = "; ".join(what) or "Wiro did not say which credential is incomplete"
    asked = "even after re-checking (Update)" if updated else "after the save"
    return Finding("warning", f"Wiro still marks the agent Setup required {asked}: {why}. Fill in what is missing "
                              "(the Wiro panel shows every credential card), then save again.", "")


def _lists_kept(draft: CredentialDraft, agent: Agent) -> list[Finding]:
    """Entries Wiro still lists although the draft dropped them (an older account ignoring `[]`, or a list
    that shrank: the docs do not say how rows are removed)."""
    cred = agent.credential
    if cred is None:
        return []
    out = []
    for name, label in (("whitelistedcallers", "whitelisted caller"), ("phonenumbers", "phone number")):
        sent = {v.strip() for v in getattr(draft, name) if v.strip()}
        kept = [v for v in getattr(cred, name) if v.strip() not in sent]
        if not kept:
            continue
        many = len(kept) > 1
        if name == "whitelistedcallers" and not sent:
            message = (f"Wiro kept {len(kept)} {label}{'s' if many else ''} although the list here is empty: only "
                       "those callers reach the agent. Remove them in the Wiro panel (My Agents → Credentials → "
                       "Twilio Voice).")
        else:
            message = (f"Wiro still lists {', '.join(kept)}, which the list here no longer has (the API gives no "
                       "documented way to remove entries): remove them in the Wiro panel (My Agents → Credentials → "
                       "Twilio Voice).")
        out.append(Finding("warning", message, name))
    return out


# -- row errors beside their fields -----------------------------------------------------------------------

_LABEL_WORDS: tuple[tuple[str, str], ...] = (
    ("account sid", "accountsid"), ("auth token", "authtoken"), ("phone number", "phonenumbers"),
    ("whitelist", "whitelistedcallers"), ("max call", "maxcallseconds"), ("hold strategy", "holdstrategy"),
    ("hold text", "holdtext"), ("hold voice", "holdvoice"), ("hold audio", "holdaudio"), ("greeting", "holdaudio"),
    ("hold music", "holdmusic"),
)
_ROW = re.compile(r"\b(?:row|fields)\s*\[?\s*#?(\d+)\]?", re.IGNORECASE)
_NUMBER = re.compile(r"\+?\d[\d ()-]{5,}\d")


def _field_of_row(row: Mapping[str, Any]) -> str:
    parent = row.get("parentfield")
    if parent:
        return f"{parent}[{row.get('ordinal', 0)}]"
    return str(row.get("fieldname") or "")


def row_field(error: RowError, sent: Sequence[Mapping[str, Any]]) -> str:
    """The credential field a CredentialUpsert row error belongs to ("phonenumbers[1]"), or "" when it names
    none. Wiro documents no per-field shape, so: a field or row index the error carries, else a field name or
    label in the message, else "row N" / "fields[N]" in it, else a sent number quoted in it."""
    if error.fieldname:
        name = error.fieldname
        if name in FIELD_NAMES:
            return name
        if name == "value" and error.row is not None and 0 <= error.row < len(sent):
            return _field_of_row(sent[error.row])
    if error.row is not None and 0 <= error.row < len(sent):
        return _field_of_row(sent[error.row])
    text = error.message
    lowered = text.lower()
    for name in sorted(FIELD_NAMES, key=len, reverse=True):
        if name in lowered:
            if name in ("phonenumbers", "whitelistedcallers"):
                return _element_in(text, name, sent) or name
            return name
    for words, name in _LABEL_WORDS:
        if words in lowered:
            if name == "phonenumbers":
                return _element_in(text, name, sent) or name
            return name
    match = _ROW.search(text)
    if match:
        index = int(match.group(1)) - (1 if "row" in match.group(0).lower() else 0)  # "row 3" counts from one
        if 0 <= index < len(sent):
            return _field_of_row(sent[index])
    for match in _NUMBER.finditer(text):
        for parent in ("phonenumbers", "whitelistedcallers"):
            found = _element_in(match.group(0), parent, sent)
            if found:
                return found
    return ""


def _element_in(text: str, parent: str, sent: Sequence[Mapping[str, Any]]) -> str | None:
    digits_in = re.sub(r"\D", "", text)
    for row in sent:
        if row.get("parentfield") == parent:
            value = re.sub(r"\D", "", str(row.get("fieldvalue") or ""))
            if value and value in digits_in:
                return f"{parent}[{row.get('ordinal', 0)}]"
    return None


def problems_of(outcome: SaveOutcome) -> tuple[Problem, ...]:
    """Every finding worth showing after a save attempt: the draft's, then those found after saving."""
    return tuple(outcome.validation.problems) + tuple(outcome.notes)
