"""The hold text as Twilio's `<Say>` reads it: SSML well-formedness, tags, plain text, breaks, languages,
and an estimate of how long it takes to speak.

Text without tags is plain text. Text with tags is parsed as the content of one element (Twilio wraps it
in `<Say>`), with expat, so a broken tag is reported with its line and column. Results are cached by
text: the form asks on every keystroke, and the rules ask twice (text and voice) for the same text.

How long it takes to speak (an estimate, labelled as such wherever it is shown):
- ordinary text: 15 characters a second (about 165 words a minute, a typical TTS pace), whitespace
  collapsed;
- text read out character by character (`<say-as interpret-as="characters|spell-out|digits|telephone">`):
  4 characters a second;
- `<prosody rate="…">` scales both (x-slow 0.7 … x-fast 1.4, or a percentage);
- `<sub alias="…">` speaks the alias instead of the content;
- `<break>` adds its time (or its strength, as Polly documents: none 0, x-weak 0.1, weak 0.25, medium 0.4, strong 0.75,
  x-strong 1.25 s; a bare `<break/>` is medium).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from xml.parsers import expat

ALLOWED_TAGS = frozenset({"break", "emphasis", "lang", "p", "phoneme", "prosody", "s", "say-as", "sub", "w"})
CHARS_PER_SECOND = 15.0
SPELLED_CHARS_PER_SECOND = 4.0
MAX_BREAK_SECONDS = 10.0  # Polly's longest <break>

BREAK_STRENGTHS = {"none": 0.0, "x-weak": 0.1, "weak": 0.25, "medium": 0.4, "strong": 0.75, "x-strong": 1.25}
PROSODY_RATES = {"x-slow": 0.7, "slow": 0.85, "medium": 1.0, "fast": 1.2, "x-fast": 1.4, "default": 1.0}
SPELLED_OUT = frozenset({"characters", "spell-out", "digits", "telephone"})

_MARKUP = re.compile(r"<[A-Za-z_/!?]")
_SPACES = re.compile(r"\s+")
_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(ms|s)\s*$", re.IGNORECASE)
_PERCENT = re.compile(r"^\s*\+?(\d+(?:\.\d+)?)\s*%\s*$")
_CLOSING = re.compile(r"</\s*([^\s>]*)")
_OPEN, _CLOSE = "<speak>", "</speak>"


@dataclass(frozen=True)
class Position:
    line: int  # 1-based
    column: int  # 1-based, in characters

    def __str__(self) -> str:
        return f"line {self.line}, column {self.column}"


@dataclass(frozen=True)
class TagUse:
    name: str
    position: Position


@dataclass(frozen=True)
class SsmlError:
    position: Position
    message: str  # what is wrong and what to do, without the position


@dataclass(frozen=True)
class SsmlNote:
    """Something legal but doubtful about one tag (a bad break time, a `<lang>` without a language)."""

    position: Position
    message: str


@dataclass(frozen=True)
class SsmlInfo:
    plain_text: str  # the words without tags: what Polly counts (tags are not counted)
    has_markup: bool
    tags: tuple[TagUse, ...] = ()
    languages: tuple[tuple[str, Position], ...] = ()  # xml:lang of each <lang>
    break_seconds: float = 0.0
    seconds: float = 0.0  # estimated speaking time, breaks included
    error: SsmlError | None = None
    notes: tuple[SsmlNote, ...] = ()

    @property
    def characters(self) -> int:
        """Characters as Polly counts them against the 3000 cap (tags excluded)."""
        return len(self.plain_text)

    @property
    def unknown_tags(self) -> tuple[TagUse, ...]:
        return tuple(t for t in self.tags if t.name not in ALLOWED_TAGS)

    @property
    def tag_names(self) -> frozenset[str]:
        return frozenset(t.name for t in self.tags)


def has_markup(text: str) -> bool:
    """Does the text contain something that starts a tag (`<s`, `</`, `<!--`)? A lone `<` does not."""
    return _MARKUP.search(text) is not None


def summarize(text: str) -> SsmlInfo:
    """Characters, estimated seconds, tags and any markup error of a hold text (cached)."""
    return parse_ssml(text)


@lru_cache(maxsize=256)
def parse_ssml(text: str) -> SsmlInfo:
    """Parse a hold text. Never raises: a broken markup comes back in `.error` with its position."""
    if not has_markup(text):
        return SsmlInfo(plain_text=text, has_markup=False, seconds=_speaking_seconds([(text, 1.0, False)]))
    return _Parser(text).run()


def broken_message(error: SsmlError) -> str:
    """The one sentence for a hold text whose markup is broken: `check`, the form, `hold render` and the Hold
    screen all say it in these words."""
    return f"The SSML is broken at {error.position}: {error.message}."


def ssml_problem(text: str | None) -> str | None:
    """`broken_message` for a hold text with broken markup, else None (plain text is never broken)."""
    if not text or not text.strip():
        return None
    error = parse_ssml(text).error
    return None if error is None else broken_message(error)


def parse_break(attrs: dict[str, str]) -> tuple[float, str | None]:
    """Seconds a `<break>` pauses, and a note when its attributes are not usable."""
    if "time" in attrs:
        match = _DURATION.match(attrs["time"])
        if not match:
            return BREAK_STRENGTHS["medium"], f'<break time="{attrs["time"]}"> is not a duration: write e.g. 500ms or 2s'
        value = float(match.group(1)) / (1000.0 if match.group(2).lower() == "ms" else 1.0)
        if value > MAX_BREAK_SECONDS:
            return MAX_BREAK_SECONDS, f'<break time="{attrs["time"]}"> is longer than Polly allows (10 s); it is cut to 10 s'
        return value, None
    strength = attrs.get("strength")
    if strength is None:
        return BREAK_STRENGTHS["medium"], None
    if strength not in BREAK_STRENGTHS:
        return BREAK_STRENGTHS["medium"], (f'<break strength="{strength}"> is not a strength: use one of '
                                          + ", ".join(BREAK_STRENGTHS))
    return BREAK_STRENGTHS[strength], None


def _rate(value: str | None) -> tuple[float, str | None]:
    if value is None:
        return 1.0, None
    if value in PROSODY_RATES:
        return PROSODY_RATES[value], None
    match = _PERCENT.match(value)
    if match and float(match.group(1)) > 0:
        return float(match.group(1)) / 100.0, None
    return 1.0, f'<prosody rate="{value}"> is not a rate: use x-slow … x-fast or a percentage such as 90%'


def _speaking_seconds(segments: list[tuple[str, float, bool]]) -> float:
    total = 0.0
    for text, rate, spelled in segments:
        spoken = _SPACES.sub(" ", text)
        if spelled:
            total += sum(1 for c in spoken if c.isalnum()) / (SPELLED_CHARS_PER_SECOND * rate)
        else:
            total += len(spoken) / (CHARS_PER_SECOND * rate)
    return total


class _Parser:
    """One expat pass over `<speak>TEXT</speak>`, collecting what the rules need."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.source = _OPEN + text + _CLOSE
        self.lines = self.source.split("\n")
        self.plain: list[str] = []
        self.segments: list[tuple[str, float, bool]] = []
        self.tags: list[TagUse] = []
        self.languages: list[tuple[str, Position]] = []
        self.notes: list[SsmlNote] = []
        self.breaks = 0.0
        # one entry per open element (the wrapper included): (name, position, rate, spelled, in_sub)
        self.stack: list[tuple[str, Position, float, bool, bool]] = []
        self.parser = expat.ParserCreate()
        self.parser.StartElementHandler = self.start
        self.parser.EndElementHandler = self.end
        self.parser.CharacterDataHandler = self.data

    def run(self) -> SsmlInfo:
        error = None
        try:
            self.parser.Parse(self.source, True)
        except expat.ExpatError as err:
            error = self.explain(err)
        except RecursionError:  # absurdly deep nesting; expat itself copes, Python handlers might not
            error = SsmlError(Position(1, 1), "the tags are nested too deeply to read")
        return SsmlInfo(
            plain_text="".join(self.plain),
            has_markup=True,
            tags=tuple(self.tags),
            languages=tuple(self.languages),
            break_seconds=self.breaks,
            seconds=_speaking_seconds(self.segments) + self.breaks,
            error=error,
            notes=tuple(self.notes),
        )

    # -- positions ----------------------------------------------------------------------------------------

    def position(self, line: int, column: int) -> Position:
        """Expat's 0-based column in the wrapped source, as a 1-based column of the user's own text."""
        index = max(0, min(line, len(self.lines)) - 1)
        if index == 0:
            column = max(0, column - len(_OPEN))
        return Position(index + 1, column + 1)

    def here(self) -> Position:
        return self.position(self.parser.CurrentLineNumber, self.parser.CurrentColumnNumber)

    def end_of_text(self) -> Position:
        lines = self.text.split("\n")
        return Position(len(lines), len(lines[-1]) + 1)

    # -- handlers -----------------------------------------------------------------------------------------

    def start(self, name: str, attrs: dict[str, str]) -> None:
        if not self.stack:  # the wrapper
            self.stack.append((name, Position(1, 1), 1.0, False, False))
            return
        _, _, rate, spelled, in_sub = self.stack[-1]
        where = self.here()
        self.tags.append(TagUse(name, where))
        if name == "break":
            seconds, note = parse_break(attrs)
            self.breaks += seconds
            if note:
                self.notes.append(SsmlNote(where, note))
        elif name == "lang":
            language = attrs.get("xml:lang", "").strip()
            if language:
                self.languages.append((language, where))
            else:
                self.notes.append(SsmlNote(where, '<lang> needs a language, e.g. <lang xml:lang="fr-FR">'))
        elif name == "prosody":
            factor, note = _rate(attrs.get("rate"))
            rate *= factor
            if note:
                self.notes.append(SsmlNote(where, note))
        elif name == "say-as":
            spelled = spelled or attrs.get("interpret-as", "") in SPELLED_OUT
        elif name == "sub":
            alias = attrs.get("alias")
            if alias is None:
                self.notes.append(SsmlNote(where, '<sub> needs alias="what to say instead"'))
            elif not in_sub:
                self.segments.append((alias, rate, spelled))
                in_sub = True
        self.stack.append((name, where, rate, spelled, in_sub))

    def end(self, name: str) -> None:
        if self.stack:
            self.stack.pop()

    def data(self, text: str) -> None:
        self.plain.append(text)
        if self.stack:
            _, _, rate, spelled, in_sub = self.stack[-1]
            if not in_sub:
                self.segments.append((text, rate, spelled))

    # -- errors -------------------------------------------------------------------------------------------

    def explain(self, err: expat.ExpatError) -> SsmlError:
        where = self.position(err.lineno, err.offset)
        past_text = self._in_wrapper_end(err.lineno, err.offset)
        code = err.code
        errors = expat.errors
        open_tags = [(n, p) for n, p, *_ in self.stack[1:]]
        if past_text and open_tags:
            name, opened = open_tags[-1]
            return SsmlError(opened, f"<{name}> is never closed: add </{name}>")
        if past_text:
            return SsmlError(self.end_of_text(), "the text ends inside a tag: finish it with >")
        if code == expat.errors.codes[errors.XML_ERROR_TAG_MISMATCH]:
            # expat points inside the closing tag; report where it starts, and its name
            before = self._source_before(err.lineno, err.offset)
            start = before.rfind("</")
            closing = _CLOSING.match(before[start:] + self._source_at(err.lineno, err.offset)) if start >= 0 else None
            closed = closing.group(1) if closing else "?"
            if start >= 0:
                where = self.position(err.lineno, start)
            if open_tags:
                name, opened = open_tags[-1]
                return SsmlError(where, f"</{closed}> does not match the open <{name}> (at {opened}): close <{name}> first")
            return SsmlError(where, f"</{closed}> closes a tag that was never opened: remove it")
        if code == expat.errors.codes[errors.XML_ERROR_INVALID_TOKEN]:
            # expat points at the bad character or just after it
            previous = self._source_before(err.lineno, err.offset)[-1:]
            char = self._source_at(err.lineno, err.offset)[:1]
            for culprit, advice in (("&", "a bare & in text with tags: write it as &amp;"),
                                    ("<", "a < that does not start a tag: write it as &lt;")):
                if char == culprit:
                    return SsmlError(where, advice)
                if previous == culprit:
                    back = self.position(err.lineno, err.offset - 1)
                    return SsmlError(back, advice)
            entity = re.search(r"&[A-Za-z0-9#]*$", self._source_before(err.lineno, err.offset))
            if entity:
                back = self.position(err.lineno, entity.start())
                return SsmlError(back, f"{entity.group(0)} needs a closing ; (a plain & is written &amp;)")
            return SsmlError(where, "a tag is malformed here: check its name, quotes and brackets")
        if code == expat.errors.codes[errors.XML_ERROR_UNDEFINED_ENTITY]:
            entity = re.match(r"&[^;\s]*;?", self._source_at(err.lineno, err.offset))
            shown = entity.group(0) if entity else "this entity"
            return SsmlError(where, f"{shown} is not an XML entity: type the character itself "
                                    "(only &amp; &lt; &gt; &quot; &apos; are known)")
        if code == expat.errors.codes[errors.XML_ERROR_DUPLICATE_ATTRIBUTE]:
            return SsmlError(where, "a tag has the same attribute twice: keep one")
        if code in (expat.errors.codes[errors.XML_ERROR_UNCLOSED_TOKEN],
                    expat.errors.codes[errors.XML_ERROR_PARTIAL_CHAR]):
            return SsmlError(where, "a tag is not finished: close it with >")
        if code == expat.errors.codes[errors.XML_ERROR_BAD_CHAR_REF]:
            return SsmlError(where, "a character reference (&#…;) names no valid character")
        return SsmlError(where, f"the markup is broken here ({expat.ErrorString(code)})")

    def _line(self, line: int) -> str:
        return self.lines[max(0, min(line, len(self.lines)) - 1)]

    def _source_before(self, line: int, column: int) -> str:
        return self._line(line)[:column]

    def _source_at(self, line: int, column: int) -> str:
        return self._line(line)[column:]

    def _in_wrapper_end(self, line: int, column: int) -> bool:
        """Is the error at (or after) the closing wrapper tag, i.e. after the user's text?"""
        if line < len(self.lines):
            return False
        return column >= len(self.lines[-1]) - len(_CLOSE)
