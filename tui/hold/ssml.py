"""SSML reduced to what a local speech engine can say: text, and `<break>`s as silences.

Forgiving by design: holdtext is typed by people, so an unclosed tag or a stray `<` must not stop the
preview. Tags we don't act on are dropped and their text kept; `<sub alias="…">` speaks the alias.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

MAX_BREAK = 10.0  # Polly's and Google's ceiling for one <break>
# Polly's documented defaults for break strength, in seconds
_STRENGTH = {"none": 0.0, "x-weak": 0.1, "weak": 0.25, "medium": 0.4, "strong": 0.75, "x-strong": 1.25}

_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
_BREAK = re.compile(r"<\s*break\b([^>]*)>", re.IGNORECASE)
_SUB = re.compile(r"<\s*sub\b[^>]*?\balias\s*=\s*(['\"])(.*?)\1[^>]*>(.*?)<\s*/\s*sub\s*>", re.IGNORECASE | re.DOTALL)
_TAG = re.compile(r"<\s*/?\s*[A-Za-z][^<>]*>")
_TIME = re.compile(r"\btime\s*=\s*['\"]\s*([0-9]*\.?[0-9]+)\s*(ms|s)?\s*['\"]", re.IGNORECASE)
_STRENGTH_ATTR = re.compile(r"\bstrength\s*=\s*['\"]\s*([a-z-]+)\s*['\"]", re.IGNORECASE)


@dataclass(frozen=True)
class Part:
    """Either words to say or a pause in seconds."""

    text: str = ""
    pause: float = 0.0


def break_seconds(attributes: str) -> float:
    """The length of a `<break …>` from its attributes (time wins over strength; default medium)."""
    match = _TIME.search(attributes)
    if match:
        value = float(match.group(1))
        seconds = value / 1000 if (match.group(2) or "ms").lower() == "ms" else value
        return min(max(seconds, 0.0), MAX_BREAK)
    match = _STRENGTH_ATTR.search(attributes)
    if match:
        return _STRENGTH.get(match.group(1).lower(), _STRENGTH["medium"])
    return _STRENGTH["medium"]


def reduce(text: str) -> tuple[Part, ...]:
    """Words and pauses, in order; neighbouring pauses merged, empty text dropped."""
    text = _COMMENT.sub(" ", text or "")
    text = _SUB.sub(lambda m: f" {m.group(2)} ", text)
    parts: list[Part] = []
    pos = 0
    for match in _BREAK.finditer(text):
        _add_text(parts, text[pos:match.start()])
        _add_pause(parts, break_seconds(match.group(1)))
        pos = match.end()
    _add_text(parts, text[pos:])
    return tuple(parts)


def plain_text(text: str) -> str:
    """The words only, as one line (for labels and length estimates)."""
    return " ".join(p.text for p in reduce(text) if p.text)


def _add_text(parts: list[Part], chunk: str) -> None:
    words = " ".join(html.unescape(_TAG.sub(" ", chunk)).split())
    if not words:
        return
    if parts and parts[-1].text:
        parts[-1] = Part(text=f"{parts[-1].text} {words}")
    else:
        parts.append(Part(text=words))


def _add_pause(parts: list[Part], seconds: float) -> None:
    if seconds <= 0:
        return
    if parts and not parts[-1].text:
        parts[-1] = Part(pause=min(parts[-1].pause + seconds, MAX_BREAK))
    else:
        parts.append(Part(pause=seconds))
