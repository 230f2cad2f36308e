"""Applying the fixes the rules suggest, one finding at a time, and saying what each one changed.

A fix changes only the field (or the one list element) its finding is about. `apply_fix` is pure; writing a
mono copy of a stereo hold file is disk work and lives apart in `write_mono_copy` (call it from a worker).
`describe_fix` words the change for a notification: "+1 (415) 555-0142 → +14155550142".
"""

from __future__ import annotations

from pathlib import Path

from .draft import FIELD_NAMES, LIST_FIELDS, CredentialDraft
from .rules import ADD, MONO_COPY, REMOVE, REPLACE, Finding, split_field

_NAMES = {
    "accountsid": "Account SID", "authtoken": "Auth Token", "phonenumbers": "phone numbers",
    "whitelistedcallers": "whitelist",
    "maxcallseconds": "max call seconds", "holdstrategy": "hold strategy", "holdtext": "hold text",
    "holdvoice": "voice", "holdaudio": "greeting", "holdmusic": "music",
}


def field_label(field: str) -> str:
    """"phone number #3" for "phonenumbers[2]", "greeting" for "holdaudio" (lists counted from 1, as shown)."""
    base, index = split_field(field)
    name = _NAMES.get(base, base)
    if index is None:
        return name
    single = {"phonenumbers": "phone number", "whitelistedcallers": "whitelist entry"}.get(base, name)
    return f"{single} #{index + 1}"


def can_apply(finding: Finding) -> bool:
    """A fix `apply_fix` (or `write_mono_copy`) can carry out: never on the token, never without a value."""
    base, _ = split_field(finding.field)
    if finding.fix_action is None or base not in FIELD_NAMES or base == "authtoken":
        return False
    return finding.fix_action == REMOVE or finding.fix is not None


def apply_fix(draft: CredentialDraft, finding: Finding) -> CredentialDraft:
    """The draft with the finding's fix applied to its own field or list element, nothing else (unchanged when
    there is no fix, or for a mono copy, which `write_mono_copy` makes)."""
    action = finding.fix_action
    base, index = split_field(finding.field)
    if not can_apply(finding) or action == MONO_COPY:
        return draft
    if base in LIST_FIELDS:
        items = list(getattr(draft, base))
        if action == REPLACE and index is not None and index < len(items):
            items[index] = str(finding.fix)
        elif action == REMOVE and index is not None and index < len(items):
            del items[index]
        elif action == ADD and finding.fix not in items:
            items.insert(len(items) if index is None else index + 1, str(finding.fix))
        return draft.replace(**{base: tuple(items)})
    if action == REPLACE:
        return draft.replace(**{base: str(finding.fix)})
    return draft


def write_mono_copy(draft: CredentialDraft, finding: Finding) -> CredentialDraft:
    """Write the mono copy a MONO_COPY finding offers and return the draft using it. Disk I/O: run it in a
    thread. Raises ProbeError or OSError when the copy can't be made."""
    from ..hold.probe import write_mono_copy as write_copy

    base, _ = split_field(finding.field)
    if finding.fix_action != MONO_COPY or not can_apply(finding):
        return draft
    written = write_copy(str(getattr(draft, base)).strip(), finding.fix)
    return draft.replace(**{base: str(written)})


def describe_fix(before: CredentialDraft, after: CredentialDraft, finding: Finding) -> str:
    """What a fix changed, in a line: "phone number #1: +1 (415) 555-0142 → +14155550142"; the empty string
    when it changed nothing."""
    base, index = split_field(finding.field)
    old, new = getattr(before, base, None), getattr(after, base, None)
    if old == new:
        return ""
    where = field_label(finding.field)
    if base in LIST_FIELDS:
        old_items, new_items = tuple(old or ()), tuple(new or ())
        if finding.fix_action == REMOVE and index is not None and index < len(old_items):
            return f"{where}: removed {old_items[index]}"
        if finding.fix_action == ADD:
            after_what = f" after {old_items[index]}" if index is not None and index < len(old_items) else ""
            return f"{_NAMES[base]}: added {finding.fix}{after_what}"
        if index is not None and index < len(old_items) and index < len(new_items):
            return f"{where}: {old_items[index]} → {new_items[index]}"
        return f"{_NAMES[base]}: changed"
    old_text, new_text = str(old).strip(), str(new).strip()
    if base in ("holdaudio", "holdmusic") and "://" not in old_text + new_text:
        old_path, new_path = Path(old_text), Path(new_text)
        if old_path.parent == new_path.parent and old_path.name and new_path.name:  # a copy beside it: the names say it
            return f"{where}: {old_path.name} → {new_path.name} (in {_shown(str(old_path.parent))})"
    return f"{where}: {_shown(old_text)} → {_shown(new_text)}"


def _shown(value: str, limit: int = 60) -> str:
    value = value.strip() or "(empty)"
    return value if len(value) <= limit else "…" + value[-(limit - 1):]
