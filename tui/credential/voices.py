"""The `<Say>` voices Twilio accepts, each tied to one language, and a search for the voice picker.

`voices.tsv` (package data) lists the 319 names Twilio's SDK accepts: Polly Neural, Polly Generative and
Google Chirp3-HD. Wiro offers 20 of them but does not publish which, so a name outside the table is
a warning in the rules, never an error; the three the seed names are known to be offered.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources

#: The voices the seed names as Wiro's own (the other 17 of Wiro's 20 are not public).
SEED_VOICES = ("Polly.Joanna-Neural", "Polly.Burcu-Neural", "Polly.Lea-Neural")

# English names of the languages in the table, for display and for searching by name ("french").
LANGUAGE_NAMES = {
    "ar": "Arabic", "bn": "Bengali", "ca": "Catalan", "cmn": "Mandarin Chinese", "da": "Danish", "de": "German",
    "en": "English", "es": "Spanish", "fi": "Finnish", "fr": "French", "gu": "Gujarati", "hi": "Hindi",
    "id": "Indonesian", "it": "Italian", "ja": "Japanese", "kn": "Kannada", "ko": "Korean", "ml": "Malayalam",
    "mr": "Marathi", "nb": "Norwegian", "nl": "Dutch", "pl": "Polish", "pt": "Portuguese", "ru": "Russian",
    "sv": "Swedish", "ta": "Tamil", "te": "Telugu", "th": "Thai", "tr": "Turkish", "vi": "Vietnamese",
    "yue": "Cantonese",
}
ENGINE_LABELS = {"polly-neural": "Polly Neural", "polly-generative": "Polly Generative",
                 "google-chirp3-hd": "Google Chirp3-HD"}


@dataclass(frozen=True)
class Voice:
    name: str  # exactly as Twilio spells it, e.g. "Polly.Joanna-Neural"
    language: str  # BCP 47 tag, e.g. "en-US"
    engine: str  # "polly-neural", "polly-generative" or "google-chirp3-hd"

    @property
    def language_name(self) -> str:
        """"English (US)"-style label, or the tag itself for a language this table does not name."""
        primary, _, region = self.language.partition("-")
        name = LANGUAGE_NAMES.get(primary)
        if name is None:
            return self.language
        return f"{name} ({region})" if region else name

    @property
    def engine_label(self) -> str:
        return ENGINE_LABELS.get(self.engine, self.engine)

    @property
    def person(self) -> str:
        """The voice's own name: "Joanna" for Polly.Joanna-Neural, "Aoede" for a Chirp3-HD voice."""
        if self.name.startswith("Polly."):
            return self.name[len("Polly."):].rsplit("-", 1)[0]
        return self.name.rsplit("-", 1)[-1]


def fold(text: str) -> str:
    """Lower case without accents, so "mia" finds Polly.Mía-Generative."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


@cache
def load_voices() -> tuple[Voice, ...]:
    """Every voice in the table (read once, then cached)."""
    text = resources.files(__package__).joinpath("voices.tsv").read_text(encoding="utf-8")
    voices = []
    for line in text.splitlines()[1:]:  # the first line is the header
        parts = line.split("\t")
        if len(parts) >= 3 and parts[0]:
            voices.append(Voice(parts[0].strip(), parts[1].strip(), parts[2].strip()))
    return tuple(voices)


@cache
def _by_name() -> dict[str, Voice]:
    return {v.name: v for v in load_voices()}


@cache
def _by_folded_name() -> dict[str, Voice]:
    return {fold(v.name): v for v in load_voices()}


@cache
def _polly_by_person() -> dict[str, list[Voice]]:
    people: dict[str, list[Voice]] = {}
    for voice in load_voices():
        if voice.name.startswith("Polly."):
            people.setdefault(fold(voice.person), []).append(voice)
    return people


def voice_by_name(name: str) -> Voice | None:
    """The voice with exactly this name, or None."""
    return _by_name().get(name)


def language_of(name: str) -> str | None:
    """The language tag of a voice ("en-US"), or None when the name is not in the table."""
    voice = _by_name().get(name)
    return voice.language if voice else None


@lru_cache(maxsize=256)
def closest_name(name: str) -> str | None:
    """The table's spelling of a name typed with other case, accents or spacing ("polly.mia-generative"),
    or of a bare person name that only one voice has ("Joanna" is ambiguous: Neural or Generative? → the
    Neural one, the cheaper tier). None when nothing is close."""
    key = fold(name.strip()).replace(" ", "")
    if not key:
        return None
    hit = _by_folded_name().get(key)
    if hit is not None:
        return hit.name
    for prefix in ("polly.", "google."):
        hit = _by_folded_name().get(prefix + key)
        if hit is not None:
            return hit.name
    matches = _polly_by_person().get(key.removeprefix("polly.").split("-")[0], [])
    if matches:
        neural = [v for v in matches if v.engine == "polly-neural"]
        return (neural or matches)[0].name
    return None


def search(query: str, limit: int | None = None) -> list[Voice]:
    """Voices matching `query` by name, person, language tag or language name, best first.

    An empty query lists the seed's voices first, then every other voice by language and name.
    Ranking: exact name, name prefix, person-name prefix, language tag (exact, then prefix), language
    name, then a match anywhere in the name.
    """
    return list(_search(query.strip(), limit))


@lru_cache(maxsize=128)
def _search(query: str, limit: int | None) -> tuple[Voice, ...]:
    voices = load_voices()
    q = fold(query)
    if not q:
        seed = [v for v in (_by_name().get(n) for n in SEED_VOICES) if v is not None]
        rest = sorted((v for v in voices if v.name not in SEED_VOICES), key=lambda v: (v.language, v.name))
        found = seed + rest
        return tuple(found[:limit] if limit is not None else found)
    ranked: list[tuple[int, str, str, Voice]] = []
    for voice in voices:
        name = fold(voice.name)
        language = voice.language.casefold()
        language_name = fold(voice.language_name)
        if name == q:
            rank = 0
        elif name.startswith(q) or name.removeprefix("polly.").removeprefix("google.").startswith(q):
            rank = 1
        elif fold(voice.person).startswith(q):
            rank = 2
        elif language == q:
            rank = 3
        elif language.startswith(q):
            rank = 4
        elif language_name.startswith(q) or f" {q}" in f" {language_name}":
            rank = 5
        elif q in name:
            rank = 6
        else:
            continue
        ranked.append((rank, voice.language, voice.name, voice))
    ranked.sort(key=lambda r: r[:3])
    found = [r[3] for r in ranked]
    return tuple(found[:limit] if limit is not None else found)
