"""Terminal conditions of SSH boxes: NO_COLOR, and a locale that is not UTF-8.

NO_COLOR: Textual's own answer turns colours into shades of grey, which are still colour codes. Here colour is
removed outright (`NoColor`) and what colour used to show — the cursor row, the focused button — is shown with
reverse video instead (`:nocolor` rules in app.tcss).

Not UTF-8 (LANG=C, POSIX, an 8-bit locale): Python itself would still write UTF-8, which such a terminal shows
as junk. The dashboard then draws in ASCII: every character outside ASCII becomes ASCII of the same width as
it is drawn (box lines `+ - |`, dashes `-`, bullets `*`, marks `v x !`, accents dropped, the rest `?`), keys are
named in words, and one notice says how to get the full drawing back.
"""

from __future__ import annotations

import os
import sys
import unicodedata
from collections.abc import Mapping
from functools import lru_cache

from rich.cells import cell_len
from rich.segment import Segment
from textual.color import Color
from textual.filter import LineFilter

#: characters the app and Textual draw, and the one ASCII character each becomes
ASCII_FOR: dict[str, str] = {
    "—": "-", "–": "-", "‐": "-", "−": "-", "…": ".", "·": ".", "•": "*", "●": "*", "○": "o", "◦": "o",
    "✔": "v", "✓": "v", "✖": "x", "✗": "x", "✕": "x", "⚠": "!", "ℹ": "i",
    "↑": "^", "↓": "v", "←": "<", "→": ">", "⏎": "<", "⌫": "<", "▲": "^", "▼": "v", "▶": ">", "◀": "<",
    "“": '"', "”": '"', "‘": "'", "’": "'", "«": '"', "»": '"', "×": "x", "≤": "<", "≥": ">", "±": "+",
    "█": "#", "▓": "#", "▒": ":", "░": ".", "■": "#", "□": "o", "▪": "*", "▫": "o",
    "\u00a0": " ",
}
#: how keys are named in the key bar and help when arrows and symbols cannot be drawn
KEY_WORDS = {"up": "up", "down": "down", "left": "left", "right": "right", "enter": "enter", "escape": "esc",
             "backspace": "bksp", "delete": "del", "pageup": "pgup", "pagedown": "pgdn", "space": "space"}


def locale_is_utf8(env: Mapping[str, str] | None = None, *, utf8_mode: bool | None = None,
                   xoptions: Mapping[str, object] | None = None, encoding: str | None = None) -> bool:
    """Whether the terminal's locale can show UTF-8.

    Python hides a C/POSIX locale from the program (PEP 538/540: it switches to UTF-8 mode and sets
    LC_CTYPE=C.UTF-8), so the tell-tale is UTF-8 mode switched on by Python itself rather than by the user
    (PYTHONUTF8 or -X utf8). Otherwise the locale's own encoding decides.
    """
    env = os.environ if env is None else env
    utf8_mode = bool(sys.flags.utf8_mode) if utf8_mode is None else utf8_mode
    xoptions = sys._xoptions if xoptions is None else xoptions  # noqa: SLF001 - the only way to see -X utf8
    if utf8_mode and not env.get("PYTHONUTF8") and "utf8" not in xoptions:
        return False  # Python found a C or POSIX locale and coerced it
    if encoding is None:
        import locale

        encoding = locale.getpreferredencoding(False)
    return encoding.lower().replace("-", "").replace("_", "") == "utf8"


def locale_name(env: Mapping[str, str] | None = None) -> str:
    """The locale as the user set it, for the notice ("LANG=C"); "unset" when nothing is set."""
    env = os.environ if env is None else env
    for name in ("LC_ALL", "LC_CTYPE", "LANG"):
        value = env.get(name)
        if value and not (name == "LC_CTYPE" and value == "C.UTF-8" and sys.flags.utf8_mode):
            return f"{name}={value}"
    return "no locale set"


def ascii_notice(env: Mapping[str, str] | None = None) -> str:
    return (f"The terminal's locale is not UTF-8 ({locale_name(env)}), so lines and symbols are drawn in ASCII. "
            "For the full drawing: export LANG=C.UTF-8 (or your language's .UTF-8 locale).")


@lru_cache(4096)
def to_ascii(char: str) -> str:
    """One character as ASCII of the same width on screen."""
    if char.isascii():
        return char
    if char in ASCII_FOR:
        return ASCII_FOR[char]
    if "\u2500" <= char <= "\u257f":  # box drawing
        name = unicodedata.name(char, "")
        if "HORIZONTAL" in name and "VERTICAL" not in name:
            return "-"
        if "VERTICAL" in name and "HORIZONTAL" not in name and "AND" not in name:
            return "|"
        if "DASH" in name:
            return "|" if "VERTICAL" in name else "-"
        return "+"
    if "\u2580" <= char <= "\u259f":  # block elements: the edges of tall borders, buttons and scrollbars
        return " "
    width = cell_len(char)
    if width == 0:
        return ""
    plain = unicodedata.normalize("NFKD", char).encode("ascii", "ignore").decode()
    if len(plain) == 1 and width == 1:
        return plain  # "é" -> "e", "Ş" -> "S"
    return "?" * width


def ascii_text(text: str) -> str:
    return text if text.isascii() else "".join(to_ascii(c) for c in text)


class AsciiOnly(LineFilter):
    """Rewrites every drawn character as ASCII of the same width (see the module doc)."""

    def apply(self, segments: list[Segment], background: Color) -> list[Segment]:
        return [segment if segment.text.isascii() else Segment(ascii_text(segment.text), segment.style,
                                                               segment.control)
                for segment in segments]
