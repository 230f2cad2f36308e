"""How a binding's key is shown (key bar, help), as Textual shows it, without paging in Unicode's name table.

Textual's `App.get_key_display` runs every key through `unicodedata.lookup` so that, say, "question_mark" is
shown as "?". A single character is never a Unicode character name, so for the letters and digits most of
our keys are, that lookup always fails, yet each failure reads another part of the name table: a key bar of
letters brought ~0.2 MiB more of it into memory at startup. Here single characters are shown as they are,
the names Textual gives ASCII punctuation ("question_mark") as their character, and every other key still
goes through Textual's own `format_key`; tests/ui/test_key_display.py checks that both give the same text for
every binding the app has and every ASCII character.
"""

from __future__ import annotations

from textual.binding import Binding
from textual.keys import format_key

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
