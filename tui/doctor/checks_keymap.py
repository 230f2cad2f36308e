"""The config file's [keymap]: ids that name no binding, keys no terminal sends, and keys that now mean two things.

Pure: the bindings come in as plain data (`BoundKey`, gathered from the screens by `tui.ui.keymap`), and whether
a key name exists is a function passed in, so this module needs no Textual.

Scopes: a binding of the app works on every screen; a screen's (or a widget's) binding works where it is. Two
bindings clash when they share a key in one scope — two of one screen, or one of a screen and one of the app
(the screen's wins there, so the app's key is lost on that screen). Only clashes the keymap made are reported:
the defaults are kept free of them by the test suite.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

from .findings import Finding

APP_SCOPE = "app"


@dataclass(frozen=True)
class BoundKey:
    """One binding: where it works (`scope`: "app" or a screen/widget name), its id ("" for Textual's own keys,
    which a keymap cannot move but can collide with), its default keys (normalised names such as
    "question_mark"), and what it does in words."""

    scope: str
    binding_id: str
    keys: tuple[str, ...]
    description: str


def effective_keys(binding: BoundKey, keymap: Mapping[str, str], normalise: Callable[[str], str]) -> tuple[str, ...]:
    """The keys a binding answers to once the keymap is applied."""
    if binding.binding_id in keymap:
        return tuple(normalise(k) for k in keymap[binding.binding_id].split(",") if k.strip())
    return binding.keys


def check_keymap(keymap: Mapping[str, str], bindings: Sequence[BoundKey], *, is_key: Callable[[str], bool],
                 normalise: Callable[[str], str] = str.strip, where: str = "the config file") -> list[Finding]:
    """Warnings for every unknown id, unknown key and clash the keymap causes (none for an empty keymap)."""
    findings: list[Finding] = []
    ids = sorted({b.binding_id for b in bindings if b.binding_id})
    for binding_id, keys in keymap.items():
        if binding_id not in ids:
            close = difflib.get_close_matches(binding_id, ids, n=1, cutoff=0.6)
            hint = f' Did you mean "{close[0]}"?' if close else ""
            findings.append(Finding(
                f"keymap.unknown_id:{binding_id}", "warning", f'Keymap: no key has the id "{binding_id}"',
                f'[keymap] in {where} names "{binding_id}", which is not the id of any key, so it changes nothing.{hint}',
                "Correct the id in [keymap]; press ? on a screen to see each key's id."))
        bad = [k.strip() for k in keys.split(",") if not is_key(k.strip())]
        if bad:
            listed = ", ".join(f'"{k}"' for k in bad)
            findings.append(Finding(
                f"keymap.unknown_key:{binding_id}", "warning", f"Keymap: {listed} is not a key",
                f'[keymap] in {where} gives "{binding_id}" the key(s) {listed}, which no terminal sends.',
                'Use a letter or digit, a named key (f5, enter, space, pageup, delete, slash, question_mark…), '
                'optionally after ctrl+, alt+ or shift+ — e.g. "ctrl+e".'))
    findings.extend(_clashes(keymap, bindings, normalise, where))
    return findings


def _clashes(keymap: Mapping[str, str], bindings: Sequence[BoundKey], normalise: Callable[[str], str],
             where: str) -> Iterable[Finding]:
    scopes = sorted({b.scope for b in bindings if b.scope != APP_SCOPE})
    app_bindings = [b for b in bindings if b.scope == APP_SCOPE]
    reported: set[tuple[str, frozenset[str]]] = set()
    for scope in [APP_SCOPE, *scopes]:
        here = app_bindings if scope == APP_SCOPE else [*app_bindings, *(b for b in bindings if b.scope == scope)]
        by_key: dict[str, list[BoundKey]] = {}
        for binding in here:
            for key in dict.fromkeys(effective_keys(binding, keymap, normalise)):
                by_key.setdefault(key, []).append(binding)
        for key, sharing in by_key.items():
            ids = frozenset(b.binding_id or b.description for b in sharing)
            if len(ids) < 2 or not any(i in keymap for i in ids) or (key, ids) in reported:
                continue
            reported.add((key, ids))
            named = " and ".join(f'"{b.description}" ({b.binding_id or "built in, cannot be moved"})' for b in sharing)
            place = "everywhere" if scope == APP_SCOPE else f"on {scope}"
            winner = next((b for b in sharing if b.scope != APP_SCOPE), None)
            outcome = (f"There the screen's own key wins: {winner.binding_id} works and the other does not."
                       if winner is not None and any(b.scope == APP_SCOPE for b in sharing)
                       else "Only one of them works.")
            findings_id = f"keymap.clash:{key}:{scope}"
            yield Finding(findings_id, "warning", f'Keymap: "{key}" means two things {place}',
                          f"With [keymap] in {where}, {named} share {key!r} {place}. {outcome}",
                          "Give one of them another key in [keymap] (press ? on that screen to see what is taken).")
