"""holdtext spoken locally: espeak-ng in the voice's language, or a labelled stand-in of the right length.

Twilio speaks holdtext with Polly or Google voices we can't run here; espeak-ng (`--stdout`, decoded
from memory) gives a fair idea of the length and rhythm, and is always labelled "local approximation of
<voice>". Without espeak-ng the caller's wait still gets the estimated spoken length, as soft tone bursts
(one per word), labelled as a stand-in, with a one-line hint how to get real speech.
"""

from __future__ import annotations

import functools
import os
import re
import shutil
import struct
import subprocess
import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from ..credential.voices import language_of
from . import ssml
from .libs import numpy

ESPEAK = "espeak-ng"
ESPEAK_TIMEOUT = 20.0
DEFAULT_LANGUAGE = "en-US"
INSTALL_HINT = ("Install espeak-ng to hear the words (Debian/Ubuntu: sudo apt install espeak-ng; "
                "macOS: brew install espeak-ng).")
STAND_IN_RATE = 16000
# Speaking pace for the stand-in: about 155 words a minute, like the Polly and Google voices.
_SECONDS_PER_WORD = 0.39
_SENTENCE_PAUSE = 0.3

# Where espeak-ng's voice for a language is not simply the language code in lower case.
_ESPEAK_NAMES = {
    "ar-XA": "ar", "ar-AE": "ar", "cmn-CN": "cmn", "yue-CN": "yue", "es-MX": "es-419", "es-US": "es-419",
    "pt-PT": "pt", "fr-CA": "fr-fr", "de-AT": "de", "nl-BE": "nl", "nb-NO": "nb",
    "en-AU": "en-gb", "en-NZ": "en-gb", "en-IE": "en-gb", "en-ZA": "en-gb", "en-IN": "en-gb",
}
# The voices the seed names, for when the voice table is not shipped yet.
_GOOGLE = re.compile(r"^Google\.([a-z]{2,3}-[A-Z]{2})-")


@dataclass(frozen=True, eq=False)
class Speech:
    """Spoken holdtext: float32 mono samples and how they were made."""

    samples: Any
    rate: int
    voice: str  # as configured ("" = the Twilio account's default voice)
    language: str  # e.g. "en-US"
    engine: str  # "espeak-ng" or "stand-in"
    label: str  # what a screen shows next to it
    text: str  # the words, SSML removed
    hint: str | None = None  # one line for the user when the speech is a stand-in or a guess

    @property
    def duration(self) -> float:
        return len(self.samples) / self.rate


def voice_name(voice: str | None) -> str:
    return voice.strip() if voice and voice.strip() else "the account's default voice"


def voice_language(voice: str | None) -> str | None:
    """The language a Twilio voice speaks ("Polly.Burcu-Neural" → "tr-TR"); None when unknown."""
    voice = (voice or "").strip()
    if not voice:
        return DEFAULT_LANGUAGE  # Twilio's account default voice is en-US unless changed in the console
    language = language_of(voice)
    if language:
        return language
    match = _GOOGLE.match(voice)
    return match.group(1) if match else None


def espeak_path() -> str | None:
    return shutil.which(ESPEAK)


def quiet_env() -> dict[str, str]:
    """The environment for espeak-ng: no sound system. It only writes a WAV to stdout, yet it opens the audio
    output all the same — and libpulse then makes ~/.config/pulse (or starts a sound server) just because
    Hold was opened. A server address that cannot answer and an empty ALSA configuration keep it off."""
    env = dict(os.environ)
    env["PULSE_SERVER"] = f"unix:{os.devnull}"  # explicit, so libpulse never autospawns; refused at once
    env["ALSA_CONFIG_PATH"] = os.devnull  # no "default" device, so no ALSA pulse plugin either
    return env


@functools.lru_cache(maxsize=4)
def _espeak_languages(executable: str) -> frozenset[str]:
    try:
        out = subprocess.run([executable, "--voices"], check=False, capture_output=True, text=True,
                             timeout=ESPEAK_TIMEOUT, env=quiet_env()).stdout
    except (OSError, subprocess.SubprocessError):
        return frozenset()
    return frozenset(line.split()[1].lower() for line in out.splitlines()[1:] if len(line.split()) > 1)


def espeak_voice_for(language: str, available: frozenset[str] = frozenset()) -> str:
    """espeak-ng's name for a language: exact, then a known equivalent, then the bare language."""
    candidates = [language.lower(), _ESPEAK_NAMES.get(language, ""), language.split("-")[0].lower()]
    for name in candidates:
        if name and (not available or name in available):
            return name
    return candidates[0]


_cache: OrderedDict[tuple, Speech] = OrderedDict()
_cache_lock = threading.Lock()


def speak(text: str, voice: str | None = None, *, espeak: str | None = "auto") -> Speech:
    """Speak `text` (plain or SSML) as `voice` would, locally. `espeak=None` forces the stand-in."""
    executable = espeak_path() if espeak == "auto" else espeak
    key = (text, voice or "", executable)
    with _cache_lock:
        if key in _cache:
            _cache.move_to_end(key)
            return _cache[key]
    speech = _speak(text, voice, executable)
    with _cache_lock:
        _cache[key] = speech
        while len(_cache) > 16:
            _cache.popitem(last=False)
    return speech


def _speak(text: str, voice: str | None, executable: str | None) -> Speech:
    parts = ssml.reduce(text)
    words = " ".join(p.text for p in parts if p.text)
    language = voice_language(voice)
    hint = None
    if language is None:
        hint = f"{voice_name(voice)} is not a voice we know; speaking {DEFAULT_LANGUAGE} instead."
        language = DEFAULT_LANGUAGE
    name = voice_name(voice)
    if executable:
        espeak_voice = espeak_voice_for(language, _espeak_languages(executable))
        rendered = _espeak_parts(executable, espeak_voice, parts)
        if rendered is not None:
            samples, rate = rendered
            return Speech(samples, rate, voice or "", language, "espeak-ng", f"local approximation of {name}",
                          words, hint)
        problem = f"espeak-ng could not speak {language}; this is a stand-in of the estimated length."
    else:
        problem = INSTALL_HINT
    hint = f"{hint} {problem}" if hint else problem
    samples = _stand_in(parts)
    seconds = len(samples) / STAND_IN_RATE
    label = f"stand-in for {name} (~{seconds:.1f} s estimated; no local speech)"
    return Speech(samples, STAND_IN_RATE, voice or "", language, "stand-in", label, words, hint)


def _espeak_parts(executable: str, espeak_voice: str, parts: tuple[ssml.Part, ...]) -> tuple[Any, int] | None:
    np = numpy()
    pieces: list[tuple[Any | None, float]] = []  # (samples, pause seconds)
    rate = None
    for part in parts:
        if part.text:
            spoken = _espeak_once(executable, espeak_voice, part.text)
            if spoken is None:
                return None
            samples, this_rate = spoken
            if rate is not None and this_rate != rate:
                return None
            rate = this_rate
            pieces.append((samples, 0.0))
        else:
            pieces.append((None, part.pause))
    rate = rate or 22050
    out = [s if s is not None else np.zeros(round(pause * rate), dtype=np.float32) for s, pause in pieces]
    return (np.concatenate(out) if out else np.zeros(0, dtype=np.float32)), rate


def _espeak_once(executable: str, espeak_voice: str, words: str) -> tuple[Any, int] | None:
    """One espeak-ng run, text on stdin (so no word is ever read as an option), WAV on stdout."""
    try:
        done = subprocess.run([executable, "-v", espeak_voice, "-b", "1", "--stdout", "--stdin"],
                              input=words.encode("utf-8"), check=False, capture_output=True, timeout=ESPEAK_TIMEOUT,
                              env=quiet_env())
    except (OSError, subprocess.SubprocessError):
        return None
    return _parse_stream_wav(done.stdout)


def _parse_stream_wav(data: bytes) -> tuple[Any, int] | None:
    """espeak-ng's streamed WAV: its sizes say 0x7fffffff, so read the format and take everything after `data`."""
    np = numpy()
    if len(data) < 44 or data[:4] != b"RIFF" or data[8:12] != b"WAVE":
        return None
    pos, rate, fmt_ok = 12, None, False
    while pos + 8 <= len(data):
        chunk, size = struct.unpack_from("<4sI", data, pos)
        if chunk == b"fmt ":
            tag, channels, rate, _, _, bits = struct.unpack_from("<HHIIHH", data, pos + 8)
            fmt_ok = tag == 1 and channels == 1 and bits == 16
        elif chunk == b"data":
            if not fmt_ok or rate is None:
                return None
            body = data[pos + 8:]
            body = body[: len(body) // 2 * 2]
            samples = np.frombuffer(body, dtype="<i2").astype(np.float32) / np.float32(32768.0)
            return (samples, rate) if samples.size else None
        pos += 8 + size + (size & 1)
    return None


def estimate_seconds(text: str) -> float:
    """How long Twilio's voice would take to say `text`, pauses included (for the stand-in and the advice)."""
    total = 0.0
    for part in ssml.reduce(text):
        if part.text:
            total += _words_seconds(part.text)
        else:
            total += part.pause
    return total


def _words_seconds(words: str) -> float:
    count = len(words.split())
    sentences = len(re.findall(r"[.!?;:]+(\s|$)", words))
    return count * _SECONDS_PER_WORD + sentences * _SENTENCE_PAUSE


def _stand_in(parts: tuple[ssml.Part, ...]) -> Any:
    """One soft 220 Hz burst per word at the speaking pace: audibly a placeholder, the right length."""
    np = numpy()
    rate = STAND_IN_RATE
    out = []
    for part in parts:
        if not part.text:
            out.append(np.zeros(round(part.pause * rate), dtype=np.float32))
            continue
        words = part.text.split()
        per_word = _words_seconds(part.text) / max(len(words), 1)
        n = round(per_word * rate)
        burst = int(n * 0.7)
        t = np.arange(burst, dtype=np.float32) / rate
        tone = 0.1 * np.sin(2 * np.pi * 220.0 * t) * np.sin(np.pi * np.arange(burst) / max(burst, 1))
        word = np.concatenate([tone.astype(np.float32), np.zeros(n - burst, dtype=np.float32)])
        out.append(np.tile(word, len(words)))
    if not out:
        return np.zeros(0, dtype=np.float32)
    return np.concatenate(out).astype(np.float32)
