"""The work the Credentials screen starts — load, probe, verify, save, write a mono copy — as plain functions,
and the messages that bring each answer back to the screen. Nothing here touches a widget.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from textual.message import Message

from ...credential.draft import CredentialDraft
from ...credential.edits import load_stored
from ...credential.fixes import write_mono_copy
from ...credential.probes import cached_probe, probe_cached
from ...credential.rules import is_url
from ...credential.save import save_credential
from ...hold.probe import ProbeError
from ...twilio.verify import verify_numbers, verify_pair, wiro_hosts_for
from ...webhooks.store import reports_dir
from ...wiro import WiroError
from . import credentials_text as text


@dataclass(frozen=True)
class Loaded:
    generation: int
    guid: str
    title: str
    draft: CredentialDraft | None
    error: str | None
    agent: Any = None  # the agent as Detail answered (its status decides whether a save ends with Update)
    stored: Any = None  # the draft an earlier session kept for this agent (StoredDraft), if any


class CredentialLoaded(Message):
    def __init__(self, loaded: Loaded) -> None:
        super().__init__()
        self.loaded = loaded


class SaveProgress(Message):
    def __init__(self, guid: str, label: str, done: int, total: int | None) -> None:
        super().__init__()
        self.guid, self.label, self.done, self.total = guid, label, done, total

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, SaveProgress)


class SaveFinished(Message):
    """A save of `draft` for `guid` ended; `routing` is Twilio's view of the numbers Wiro configured (a
    NumbersCheck), None when Twilio was not asked."""

    def __init__(self, guid: str, outcome: Any, draft: CredentialDraft, routing: Any) -> None:
        super().__init__()
        self.guid, self.outcome, self.draft, self.routing = guid, outcome, draft, routing


class VerifyFinished(Message):
    def __init__(self, text: str, level: str) -> None:
        super().__init__()
        self.text, self.level = text, level


class FileFixed(Message):
    def __init__(self, guid: str, finding: Any, before: CredentialDraft, after: CredentialDraft | None,
                 error: str | None) -> None:
        super().__init__()
        self.guid, self.finding, self.before, self.after, self.error = guid, finding, before, after, error


class FilesProbed(Message):
    """A newly chosen hold file has been read: check the form again."""


# -- the jobs --------------------------------------------------------------------------------------------------


async def load(client: Any, guid: str, generation: int, config_path: Path) -> Loaded:
    """Detail for the agent, and the draft an earlier session kept for it (read in a thread)."""
    try:
        agent = await client.detail(guid)
    except WiroError as err:
        return Loaded(generation, guid, "", None, err.message)
    draft = CredentialDraft.from_credential(agent.credential) if agent.credential else CredentialDraft()
    stored = await asyncio.to_thread(load_stored, config_path, guid)
    return Loaded(generation, guid, agent.title, draft, None, agent, stored)


def unprobed_files(draft: CredentialDraft) -> tuple[str, ...]:
    """The local hold files validating would have to read (never probed, and there): probe them in a thread
    first, so a keystroke never waits on the disk (up to ~100 ms for 10 MB)."""
    fresh = []
    for name in ("holdaudio", "holdmusic"):
        value = getattr(draft, name).strip()
        if value and not is_url(value) and cached_probe(value) is None and Path(value).expanduser().is_file():
            fresh.append(value)
    return tuple(fresh)


def probe(paths: tuple[str, ...]) -> None:
    """Read each file once into the probe cache (a problem is remembered there too). Disk I/O: a thread."""
    for path in paths:
        try:
            probe_cached(path)
        except (ProbeError, OSError):
            pass  # remembered as a problem by the cache, or reported by the next check


async def verify(sid: str, token: str, base: str) -> VerifyFinished:
    check = await verify_pair(sid, token, base)
    return VerifyFinished(*text.account_check_line(check))


async def mono_copy(guid: str, before: CredentialDraft, finding: Any) -> FileFixed:
    try:
        after = await asyncio.to_thread(write_mono_copy, before, finding)
    except (ProbeError, OSError) as err:
        why = getattr(err, "message", None) or getattr(err, "strerror", None) or "it could not be written"
        return FileFixed(guid, finding, before, None, why)
    return FileFixed(guid, finding, before, after, None)


async def save(client: Any, guid: str, draft: CredentialDraft, *, agent: Any, loaded: CredentialDraft,
               access: Any, settings: Any, clock: Callable[[], float],
               progress: Callable[[str, int, int | None], None]) -> SaveFinished:
    """Upload, upsert and leave setup (`save_credential`, which also keeps the webhook report); then, when a
    Twilio token is at hand (`access`), ask Twilio where the numbers Wiro configured really ring."""
    outcome = await save_credential(client, guid, draft, progress=progress, agent=agent, loaded=loaded,
                                    reports=reports_dir(settings.config_path), clock=clock)
    routing = None
    result = outcome.result
    if outcome.saved and access is not None and result is not None and result.updated:
        progress("Asking Twilio where the numbers ring…", 0, None)
        routing = await routing_of(access, guid, [item.number or item.text for item in result.updated], settings)
    return SaveFinished(guid, outcome, draft, routing)


async def routing_of(access: Any, guid: str, numbers: list[str], settings: Any) -> Any:
    """Twilio's own view of `numbers` (a NumbersCheck; not `.checked` when Twilio could not say), or None."""
    try:
        return await verify_numbers(numbers, access.account_sid, access.token, settings.twilio_base,
                                    wiro_hosts=wiro_hosts_for(settings.api_base), agent_guid=guid)
    except Exception:  # noqa: BLE001 — a failed look-up must not hide the save's own outcome
        return None
