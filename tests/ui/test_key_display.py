"""Keys are shown exactly as Textual shows them, and stand for the characters Textual says (tui/ui/key_display.py
skips Textual's Unicode-name lookups for the key names whose answers it has written out)."""

from __future__ import annotations

import string
import unicodedata

from textual import _xterm_parser
from textual import binding as textual_binding
from textual import keys as textual_keys
from textual import screen as textual_screen
from textual.app import App
from textual.binding import Binding
from textual.keys import Keys, _character_to_key

from tui.ui.app import WiroVoiceApp
from tui.ui.key_display import CHARACTER_OF, PUNCTUATION, character_to_key, key_display, key_to_character
from tui.ui.keymap import bound_classes

from .helpers import demo_app, goto


def every_binding() -> list[Binding]:
    """The app's and every screen's and widget's bindings, one per key, and Textual's own."""
    found = []
    for cls in [App, WiroVoiceApp, *bound_classes()]:
        for binding in Binding.make_bindings(cls.__dict__.get("BINDINGS", [])):
            found += [binding.with_key(key.strip()) for key in binding.key.split(",")]
    return found


def test_the_punctuation_names_are_textuals():
    assert PUNCTUATION == {_character_to_key(c): c for c in string.punctuation}


def test_every_key_is_shown_as_textual_shows_it():
    textual = App()
    bindings = every_binding()
    assert len(bindings) > 60
    made_up = [Binding(key, "x") for key in [*string.ascii_letters, *string.digits, *PUNCTUATION,
                                              "ctrl+question_mark", "shift+tab", "ctrl+s", "f1", "f12", "tab",
                                              "escape", "enter", "space", "up", "pagedown", "home", "delete",
                                              "slash", "solidus", "backslash", "ctrl+backslash", "alt+x"]]
    assert [key_display(b) for b in bindings + made_up] == [App.get_key_display(textual, b) for b in bindings + made_up]


def test_every_key_name_stands_for_the_character_textual_says():
    names = {binding.key for binding in every_binding()} | set(CHARACTER_OF) | set(PUNCTUATION)
    names |= {k.value for k in Keys} | {"ctrl+a", "shift+tab", "a", "?", "solidus", "no_such_key", "f25"}
    assert len(names) > 150
    assert {name: key_to_character(name) for name in names} == \
        {name: textual_keys.key_to_character(name) for name in names}


async def test_working_out_the_active_keys_reads_no_unicode_names(sim, sim_settings, monkeypatch):
    """With the fix in place, the screens' binding chain answers every key name from the table: no lookup in
    Unicode's name table (each one, even a failed one, pages in part of it)."""
    assert textual_screen.key_to_character is key_to_character  # installed by tui/ui/textual_fixes.py
    looked_up: list[str] = []
    real = unicodedata.lookup

    def lookup(name: str) -> str:
        looked_up.append(name)
        return real(name)

    monkeypatch.setattr(unicodedata, "lookup", lookup)
    textual_keys.key_to_character.cache_clear()  # (Textual's own remembers what it looked up)
    app = demo_app(sim, sim_settings)
    async with app.run_test(size=(120, 40)) as pilot:
        for screen_id in ("calls", "logs", "overview"):
            screen = await goto(app, pilot, screen_id)
            assert screen.focused is not None or app.focused is not None or screen_id == "overview"
            screen._binding_chain  # noqa: B018 -- what a key press and the key bar read
            app.screen.active_bindings  # noqa: B018
    assert [name for name in looked_up if len(name) > 1] == []  # (Pilot looks up each character it presses)


def test_every_typed_character_gets_the_key_name_textual_gives():
    typed = [chr(i) for i in range(128)] + ["é", "ß", "€", "→", "中", "\u00a0"]
    assert [character_to_key(c) for c in typed] == [_character_to_key(c) for c in typed]
    assert _xterm_parser._character_to_key is character_to_key and textual_binding._character_to_key is character_to_key
