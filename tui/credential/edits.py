"""The unsaved edits of the twilio-voice credential, per agent: what Wiro has, what the user has made of it,
and whether that differs (the dirty flag). One model for every front end, owned by the app: the Credentials
form reads and writes it, Hold renders from it and puts a premix in it, quitting asks when it is dirty.

Framework-free and cheap to import (the app makes one before its first frame): the draft type is only
duck-typed here, and the disk work (`write_jobs`, `load_stored`) is plain functions a caller runs in a thread.
Drafts on disk (see `drafts.py`) never hold the token; each one names the fields the user changed, so a value
that moved on Wiro's side (a hold URL on a simulator that restarted on another port) is not offered back as
an edit.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable, Mapping

from .drafts import DRAFT_FIELDS, StoredDraft, discard_draft, draft_path, load_draft, save_draft

if TYPE_CHECKING:
    from .draft import CredentialDraft


# -- comparing drafts --------------------------------------------------------------------------------------------


def _comparable(value: Any, name: str) -> Any:
    if isinstance(value, tuple):
        return tuple(v.strip() for v in value)
    text = str(value).strip()
    return text or ("none" if name == "holdstrategy" else "")


def changed_fields(loaded: CredentialDraft, current: CredentialDraft) -> list[str]:
    """The fields whose value differs from what Wiro has (spaces around values and "" vs "none" as the strategy
    do not count); a typed token always counts."""
    changed = [name for name in DRAFT_FIELDS
               if _comparable(getattr(loaded, name), name) != _comparable(getattr(current, name), name)]
    if current.authtoken is not None:
        changed.insert(1, "authtoken")
    return changed


def rebase(old_base: CredentialDraft, current: CredentialDraft, new_base: CredentialDraft) -> CredentialDraft:
    """`current` moved onto `new_base`: the fields the user changed from `old_base` keep their edit, the others
    take the new value (Wiro answered again, or a save finished while the user kept typing)."""
    values = {name: getattr(current, name) for name in DRAFT_FIELDS if getattr(current, name) != getattr(old_base, name)}
    token = current.authtoken if current.authtoken != old_base.authtoken else None
    return new_base.replace(authtoken=token, **values)


def draft_values(draft: CredentialDraft) -> dict[str, Any]:
    return {name: getattr(draft, name) for name in DRAFT_FIELDS}


def apply_values(base: CredentialDraft, values: Mapping[str, Any], names: Iterable[str] | None = None) -> CredentialDraft:
    """`base` with the stored `values` of `names` (every stored field when None)."""
    wanted = set(DRAFT_FIELDS if names is None else names) & set(DRAFT_FIELDS)
    return base.replace(**{name: values[name] for name in DRAFT_FIELDS if name in wanted and name in values})


def restorable(stored: StoredDraft, loaded: CredentialDraft) -> CredentialDraft:
    """What restoring a stored draft gives: the fields it says the user changed, over what Wiro has now (an older
    draft that does not say which fields changed brings back every stored field)."""
    return apply_values(loaded, stored.values, stored.changed)


# -- one agent's edits --------------------------------------------------------------------------------------------


@dataclass(eq=False)
class AgentEdits:
    """One agent's credential as Wiro has it (`loaded`) and as the user has it (`current`)."""

    guid: str
    loaded: CredentialDraft
    current: CredentialDraft
    title: str = ""
    agent: Any = None  # the agent as Detail (or the last save) answered: its status decides Update after a save
    generation: int = 0  # the app's connection generation it was read under
    touched: set[str] = field(default_factory=set)  # fields the user typed in (empty required ones then show errors)
    refused: dict[str, list[str]] = field(default_factory=dict)  # Wiro's refusals of the last save, by field
    offer: StoredDraft | None = None  # a draft of an earlier session, not restored or discarded yet
    offer_checked: bool = False  # the stored draft was read (once per load by the form)
    version: int = 0  # bumped on every change, so a view knows whether what it shows is current

    def changed_fields(self) -> list[str]:
        return changed_fields(self.loaded, self.current)

    @property
    def dirty(self) -> bool:
        return bool(self.changed_fields())


@dataclass(frozen=True)
class DraftJob:
    """A draft to write (or to remove: `values` None) for one agent, as the edits stood at `seq`."""

    guid: str
    seq: int
    values: Mapping[str, Any] | None
    token_was_typed: bool = False
    changed: tuple[str, ...] = ()


class CredentialEdits:
    """Every agent's edits this session. Not thread-safe: used from the event loop; only `write_jobs` (which
    takes a snapshot) runs in a thread."""

    def __init__(self) -> None:
        self._agents: dict[str, AgentEdits] = {}
        self._unwritten: set[str] = set()  # agents whose draft file is behind their edits
        self._seq = 0
        self._write_lock = threading.Lock()
        self._written: dict[str, int] = {}  # the newest seq written per agent: an older job never overwrites it

    # -- reading ----------------------------------------------------------------------------------------------

    def get(self, guid: str | None) -> AgentEdits | None:
        return self._agents.get(guid) if guid else None

    def unsaved(self) -> list[str]:
        """The agents (guids) with edits not saved to Wiro."""
        return [guid for guid, edits in self._agents.items() if edits.dirty]

    # -- changes --------------------------------------------------------------------------------------------------

    def loaded(self, guid: str, draft: CredentialDraft, *, title: str = "", agent: Any = None,
               generation: int = 0) -> AgentEdits:
        """Wiro answered with the agent's credential. Edits already made for it (in the form, or a premix from
        Hold) are kept on top of the new answer."""
        edits = self._agents.get(guid)
        if edits is None:
            edits = self._agents[guid] = AgentEdits(guid, draft, draft)
        else:
            edits.current = rebase(edits.loaded, edits.current, draft)
            edits.loaded = draft
        edits.title, edits.agent, edits.generation = title, agent, generation
        self._bump(edits, write=False)
        return edits

    def consider_offer(self, guid: str, stored: StoredDraft | None) -> StoredDraft | None:
        """The stored draft read from disk: keep it as the offer when restoring it would change what is shown."""
        edits = self._agents.get(guid)
        if edits is None:
            return None
        edits.offer_checked = True
        candidate = restorable(stored, edits.loaded) if stored is not None else None
        useful = candidate is not None and bool(changed_fields(edits.loaded, candidate)) and \
            changed_fields(edits.current, candidate) != []
        edits.offer = stored if useful else None
        edits.version += 1
        return edits.offer

    def edit(self, guid: str, current: CredentialDraft, *, touched: Iterable[str] = ()) -> bool:
        """The user's edits now (from the form, or Hold's premix). True when something changed."""
        edits = self._agents.get(guid)
        if edits is None:
            return False
        touched = set(touched)
        if current == edits.current and touched <= edits.touched:
            return False
        edits.current = current
        edits.touched |= touched
        self._bump(edits)
        return True

    def answer_refusals(self, guid: str, names: Iterable[str]) -> None:
        """An edit answers Wiro's refusal of those fields (the refusal was about the value it was sent)."""
        edits = self._agents.get(guid)
        if edits is None:
            return
        bases = set(names)
        gone = [f for f in edits.refused if f.split("[", 1)[0] in bases]
        for name in gone:
            del edits.refused[name]
        if gone:
            edits.version += 1

    def restore_offer(self, guid: str) -> StoredDraft | None:
        """Bring the offered draft back into the edits; returns it (None when there was none)."""
        edits = self._agents.get(guid)
        if edits is None or edits.offer is None:
            return None
        stored, edits.offer = edits.offer, None
        edits.current = restorable(stored, edits.loaded).replace(authtoken=edits.current.authtoken)
        edits.touched |= set(stored.changed if stored.changed is not None else stored.values)
        self._bump(edits)
        return stored

    def drop_offer(self, guid: str) -> None:
        """The user discarded the offered draft: forget it, and remove the file unless there are edits."""
        edits = self._agents.get(guid)
        if edits is None:
            return
        edits.offer = None
        self._bump(edits)

    def revert(self, guid: str) -> None:
        """Back to what Wiro has (the draft file goes)."""
        edits = self._agents.get(guid)
        if edits is None:
            return
        edits.current = edits.loaded
        edits.touched.clear()
        self._bump(edits)

    def saved(self, guid: str, saved: CredentialDraft, sent: CredentialDraft, *, keep_all_edits: bool,
              refused: Mapping[str, list[str]], agent: Any = None) -> None:
        """A save finished: Wiro now has `saved`. Edits made while it ran stay; with `keep_all_edits` (saved in
        part) every edit stays, so what Wiro refused still shows as unsaved."""
        edits = self._agents.get(guid)
        if edits is None:
            return
        if not keep_all_edits:
            edits.current = rebase(sent, edits.current, saved)
        edits.loaded = saved
        edits.refused = {name: list(messages) for name, messages in refused.items()}
        if agent is not None:
            edits.agent = agent
        self._bump(edits)

    def refusals(self, guid: str, refused: Mapping[str, list[str]]) -> None:
        """Wiro refused some fields and saved nothing: show why beside them; every edit stays."""
        edits = self._agents.get(guid)
        if edits is None:
            return
        edits.refused = {name: list(messages) for name, messages in refused.items()}
        edits.version += 1

    def _bump(self, edits: AgentEdits, *, write: bool = True) -> None:
        edits.version += 1
        if write:
            self._unwritten.add(edits.guid)

    # -- drafts on disk -----------------------------------------------------------------------------------------

    @property
    def has_unwritten(self) -> bool:
        return bool(self._unwritten)

    def take_jobs(self, guids: Iterable[str] | None = None) -> list[DraftJob]:
        """Snapshots of the drafts that are behind the edits (all, or those of `guids`), to write in a thread.
        An agent without edits gets a removal, unless a draft of an earlier session is still on offer."""
        wanted = self._unwritten if guids is None else self._unwritten & set(guids)
        jobs = []
        for guid in sorted(wanted):
            edits = self._agents.get(guid)
            if edits is None:
                continue
            self._seq += 1
            changed = tuple(edits.changed_fields())
            if changed:
                jobs.append(DraftJob(guid, self._seq, draft_values(edits.current),
                                     token_was_typed=edits.current.authtoken is not None,
                                     changed=tuple(n for n in changed if n in DRAFT_FIELDS)))
            elif edits.offer is None:
                jobs.append(DraftJob(guid, self._seq, None))
        self._unwritten -= set(wanted)
        return jobs

    def write_jobs(self, jobs: Iterable[DraftJob], config_path: Path, now: float) -> list[tuple[Path, OSError]]:
        """Write (or remove) each draft, mode 0600, never the token; a job older than one already written for the
        same agent is skipped. Disk I/O: run it in a thread. Returns the failures (path, error)."""
        failures: list[tuple[Path, OSError]] = []
        with self._write_lock:
            for job in jobs:
                if self._written.get(job.guid, 0) > job.seq:
                    continue
                path = draft_path(config_path, job.guid)
                try:
                    if job.values is None:
                        discard_draft(path)
                    else:
                        save_draft(path, job.values, token_was_typed=job.token_was_typed, now=now,
                                   changed=job.changed)
                except OSError as err:
                    failures.append((path, err))
                    continue
                self._written[job.guid] = job.seq
        return failures


def load_stored(config_path: Path, guid: str) -> StoredDraft | None:
    """The draft kept for `guid` by an earlier session, if any (disk I/O: run it in a thread)."""
    return load_draft(draft_path(config_path, guid))
