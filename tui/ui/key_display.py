"""How a binding's key is shown (key bar, help), as Textual shows it, without paging in Unicode's name table.

Textual's `App.get_key_display` runs every key through `unicodedata.lookup` so that, say, "question_mark" is
shown as "?". A single character is never a Unicode character name, so for the letters and digits most of
our keys are, that lookup always fails, yet each failure reads another part of the name table: a key bar of
letters brought ~0.2 MiB more of it into memory at startup. Here single characters are shown as they are,
the names Textual gives ASCII punctuation ("question_mark") as their character, and every other key still
goes through Textual's own `format_key`; tests/ui/test_key_display.py checks that both give the same text for
every binding the app has and every ASCII character.

The same goes both ways between a key's name and its character. Whenever Textual works out which keys are active
it asks `key_to_character` about every binding, and it names each typed character with `_character_to_key`; both
ask Unicode. Their answers for the names and characters that matter are written out below (`key_to_character`,
`character_to_key`), and tui/ui/textual_fixes.py puts these functions where Textual calls its own. Without them
the names of a few bindings ("escape", "enter", "minus"…) and a typed "+" paged in ~0.8 MiB of the name table in a
running dashboard.
"""

from __future__ import annotations

from textual.binding import Binding
from textual.keys import _character_to_key as textual_character_to_key
from textual.keys import format_key
from textual.keys import key_to_character as textual_key_to_character

#: Textual's key name for each ASCII punctuation character (`textual.keys._character_to_key`, which asks
#: Unicode for the character's name: names that are fixed forever, so written out here).
PUNCTUATION = {
    "exclamation_mark": "!", "quotation_mark": '"', "number_sign": "#", "dollar_sign": "$", "percent_sign": "%",
    "ampersand": "&", "apostrophe": "'", "left_parenthesis": "(", "right_parenthesis": ")", "asterisk": "*",
    "plus": "+", "comma": ",", "minus": "-", "full_stop": ".", "slash": "/", "colon": ":", "semicolon": ";",
    "less_than_sign": "<", "equals_sign": "=", "greater_than_sign": ">", "question_mark": "?", "at": "@",
    "left_square_bracket": "[", "backslash": "\\", "right_square_bracket": "]", "circumflex_accent": "^",
    "underscore": "_", "grave_accent": "`", "left_curly_bracket": "{", "vertical_line": "|",
    "right_curly_bracket": "}", "tilde": "~",
}


#: What Textual's `textual.keys.key_to_character` answers for each key name it defines (its `Keys` and the names of
#: ASCII punctuation), read off Textual itself; tests/ui/test_key_display.py checks every entry against it.
CHARACTER_OF: dict[str, str | None] = {
    "ampersand": "&", "apostrophe": "'", "asterisk": "*", "backspace": "\x08", "circumflex_accent": "^",
    "colon": ":", "comma": ",", "commercial_at": "@", "delete": "\x7f", "dollar_sign": "$", "equals_sign": "=",
    "escape": "\x1b", "exclamation_mark": "!", "full_stop": ".", "grave_accent": "`", "greater_than_sign": ">",
    "hyphen_minus": "-", "left_curly_bracket": "{", "left_parenthesis": "(", "left_square_bracket": "[",
    "less_than_sign": "<", "low_line": "_", "number_sign": "#", "percent_sign": "%", "plus_sign": "+",
    "question_mark": "?", "quotation_mark": '"', "reverse_solidus": "\\", "right_curly_bracket": "}",
    "right_parenthesis": ")", "right_square_bracket": "]", "semicolon": ";", "space": " ", "tab": "\t",
    "tilde": "~", "vertical_line": "|", "<any>": None, "<ignore>": None, "<scroll-down>": None, "<scroll-up>": None,
    "at": None, "backslash": None, "ctrl-at": None, "down": None, "end": None, "enter": None, "f1": None,
    "f10": None, "f11": None, "f12": None, "f13": None, "f14": None, "f15": None, "f16": None, "f17": None,
    "f18": None, "f19": None, "f2": None, "f20": None, "f21": None, "f22": None, "f23": None, "f24": None,
    "f3": None, "f4": None, "f5": None, "f6": None, "f7": None, "f8": None, "f9": None, "home": None,
    "insert": None, "left": None, "minus": None, "pagedown": None, "pageup": None, "plus": None, "return": None,
    "right": None, "slash": None, "underscore": None, "up": None,
}


def key_to_character(key: str) -> str | None:
    """Textual's `key_to_character`: the character a key stands for, or None (a modifier, or a key with none)."""
    _, separator, name = key.rpartition("+")
    if separator:
        return None
    if len(name) == 1:
        return name
    if name in CHARACTER_OF:
        return CHARACTER_OF[name]
    return textual_key_to_character(name)


#: Textual's key name for each ASCII character that is not a letter or a digit, where that is not the character
#: itself (the control characters but tab are their own names).
ASCII_KEY_NAMES = {**{character: name for name, character in PUNCTUATION.items()}, " ": "space", "\t": "tab"}


def character_to_key(character: str) -> str:
    """Textual's `_character_to_key`: the key name of one typed character ("+" -> "plus"), which Textual gets by
    asking Unicode for the character's name."""
    name = ASCII_KEY_NAMES.get(character)
    if name is not None:
        return name
    if character.isascii() and len(character) == 1:
        return character  # a letter, a digit, or a control character (it has no Unicode name)
    return textual_character_to_key(character)


def key_display(binding: Binding) -> str:
    """The text Textual's `App.get_key_display` gives for `binding` (modifiers joined by "+", ctrl as "^")."""
    if binding.key_display:
        return binding.key_display
    modifiers, key = binding.parse_key()
    if len(key) != 1:
        key = PUNCTUATION.get(key) or format_key(key)
    if "ctrl" in modifiers:
        modifiers.remove("ctrl")
        key = f"^{key}"
    return "+".join([*modifiers, key])
