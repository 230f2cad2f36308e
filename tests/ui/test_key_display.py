"""Keys are shown exactly as Textual shows them (tui/ui/key_display.py skips Textual's Unicode-name lookup for
single characters and ASCII punctuation only)."""

from __future__ import annotations

import string

from textual.app import App
from textual.binding import Binding
from textual.keys import _character_to_key

from tui.ui.app import WiroVoiceApp
from tui.ui.key_display import PUNCTUATION, key_display
from tui.ui.keymap import bound_classes


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
