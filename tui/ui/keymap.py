"""The [keymap] checked against the app's real bindings: what `tui.doctor.checks_keymap` needs from Textual.

Loading this imports every screen module (to read their BINDINGS), so the app does it only when a keymap is
set, after the first frame; `wiro-voice doctor` does it when the config has a [keymap].
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import unicodedata
from collections.abc import Mapping

from textual.binding import Binding
from textual.dom import DOMNode
from textual.keys import KEY_NAME_REPLACEMENTS, REPLACED_KEYS, Keys, key_to_character

from ..doctor.checks_keymap import APP_SCOPE, BoundKey, check_keymap
from ..doctor.findings import Finding

MODIFIERS = frozenset({"ctrl", "shift", "alt", "meta", "super", "hyper"})
#: the last part of every key Textual names ("ctrl+pageup" -> "pageup"), plus the names it uses elsewhere
NAMED_KEYS = frozenset({k.value.rpartition("+")[2] for k in Keys} | {"enter", "space", "tab", "backspace", "delete"})


def normalise(key: str) -> str:
    """A key as Textual names it in bindings: "?" -> "question_mark", "+" -> "plus", "ctrl+a" as is."""
    key = key.strip()
    if len(key) == 1 and not key.isalnum():
        try:
            name = unicodedata.name(key).lower().replace("-", "_").replace(" ", "_")
        except ValueError:
            return key
        return KEY_NAME_REPLACEMENTS.get(name, name)
    return key


def is_key(key: str) -> bool:
    """True when a terminal can send `key` and Textual can bind it (modifiers + a character or a named key)."""
    key = key.strip()
    if key.endswith("++") or key == "+":  # the plus key itself, after modifiers or alone
        modifiers, base = key[:-2].split("+") if len(key) > 2 else [], "+"
    else:
        *modifiers, base = key.split("+")
    if not base or any(m not in MODIFIERS for m in modifiers) or len(set(modifiers)) != len(modifiers):
        return False
    if len(base) == 1:
        return base.isprintable() and not base.isspace()
    if base in NAMED_KEYS or (base[0] == "f" and base[1:].isdigit() and 1 <= int(base[1:]) <= 24):
        return True
    return key_to_character(REPLACED_KEYS.get(base, base)) is not None


def _scope_name(cls: type) -> str:
    name = cls.__name__
    return name.removesuffix("Screen") or name


def bound_classes() -> list[type[DOMNode]]:
    """Every screen and widget class of ours that declares BINDINGS (imports every screen module)."""
    from . import screens, widgets

    found = []
    for package in (screens, widgets):
        for info in pkgutil.iter_modules(package.__path__, package.__name__ + "."):
            module = importlib.import_module(info.name)
            for _name, cls in inspect.getmembers(module, inspect.isclass):
                if cls.__module__ == module.__name__ and issubclass(cls, DOMNode) and "BINDINGS" in cls.__dict__:
                    found.append(cls)
    return found


def _bound(scope: str, bindings: object) -> list[BoundKey]:
    out = []
    for binding in Binding.make_bindings(bindings):  # type: ignore[arg-type]
        keys = tuple(normalise(k) for k in binding.key.split(","))
        out.append(BoundKey(scope, binding.id or "", keys, binding.description or binding.action))
    return out


def binding_table() -> list[BoundKey]:
    """The app's keys (and Textual's own that a keymap could collide with), then every screen's and widget's."""
    from textual.app import App

    from .app import WiroVoiceApp

    table = _bound(APP_SCOPE, WiroVoiceApp.BINDINGS)
    table += [b for b in _bound(APP_SCOPE, App.BINDINGS) if b.keys != ("ctrl+c",)]  # ctrl+c: the terminal's
    table.append(BoundKey(APP_SCOPE, "", (App.COMMAND_PALETTE_BINDING,), "Command palette"))
    for cls in bound_classes():
        table += _bound(_scope_name(cls), cls.__dict__["BINDINGS"])
    return table


def keymap_findings(keymap: Mapping[str, str], where: str = "the config file") -> list[Finding]:
    """The doctor's warnings about `keymap` (empty when there is no keymap or nothing wrong with it)."""
    if not keymap:
        return []
    return check_keymap(keymap, binding_table(), is_key=is_key, normalise=normalise, where=where)
