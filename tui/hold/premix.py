"""A voice recording over music, pre-mixed into one file: the seed's answer to "Twilio cannot mix speech
over music". Upload the result as holdaudio with strategy `audio` (or `audio_then_music` to keep music
looping after it).

The music plays at full level for a short lead-in, ducks (default -15 dB) while the voice speaks, comes
back after it, and fades out at the chosen length; the music loops if it is shorter than that.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..problems import Problem, warning
from .decode import Decoded, Progress, decode
from .dsp import PHONE_RATE, resample, to_int16
from .errors import HoldError
from .export import ENCODINGS, wav_bytes, write_wav
from .libs import numpy
from .probe import MAX_FILE_BYTES
from .render import MAX_RATE, Segment
from .sources import Source

DEFAULT_DUCK_DB = -15.0
MIN_DUCK_DB, MAX_DUCK_DB = -40.0, 0.0
LEAD_IN = 1.0  # music alone before the voice starts
TAIL = 3.0  # music after the voice, when no length is chosen
MAX_LENGTH = 600.0
DUCK_DOWN, DUCK_UP = 0.25, 0.5  # ramps into and out of the duck, seconds
FADE_IN, FADE_OUT = 0.05, 1.0
PEAK_CEILING = 0.97  # about -0.3 dBFS: room for µ-law and for Twilio's own transcoding


@dataclass(frozen=True, eq=False)
class Premix:
    """The mixed file: int16 mono samples (read-only) at `rate`, its timeline and findings."""

    samples: Any
    rate: int
    segments: tuple[Segment, ...]
    duck_db: float
    notes: tuple[Problem, ...] = ()
    gain_db: float = 0.0  # applied to the whole mix to keep its peak under full scale

    @property
    def duration(self) -> float:
        return len(self.samples) / self.rate

    @property
    def suggestion(self) -> str:
        return ("Upload it as holdaudio with holdstrategy audio — or audio_then_music to keep the music looping "
                "after it.")

    def wav_bytes(self, encoding: str = "mulaw", rate: int = PHONE_RATE) -> bytes:
        return wav_bytes(*self._at(encoding, rate), encoding)

    def write_wav(self, path: str | Path, encoding: str = "mulaw", rate: int = PHONE_RATE) -> Path:
        """Export upload-ready (8 kHz; µ-law or 16-bit PCM), refusing anything over 10 MB."""
        return write_wav(path, *self._at(encoding, rate), encoding, max_bytes=MAX_FILE_BYTES)

    def _at(self, encoding: str, rate: int) -> tuple[Any, int]:
        if encoding not in ENCODINGS:
            raise HoldError(f"unknown WAV encoding {encoding!r}; choose {' or '.join(ENCODINGS)}", kind="export")
        if encoding == "mulaw" or rate != self.rate:
            target = PHONE_RATE if encoding == "mulaw" else rate
            return to_int16(resample(self.samples.astype("float32") / 32768.0, self.rate, target)), target
        return self.samples, self.rate


def check_duck(duck_db: Any) -> float:
    """The duck in dB (negative). "15" is read as -15: people give the amount of ducking."""
    try:
        value = float(duck_db)
    except (TypeError, ValueError):
        raise HoldError(f"duck {duck_db!r} is not a number — give decibels such as -15", field="duck",
                        kind="duck") from None
    value = -abs(value) or 0.0  # "or": never "-0 dB"
    if not math.isfinite(value) or not MIN_DUCK_DB <= value <= MAX_DUCK_DB:
        shown = f"{value:g} dB" if math.isfinite(value) else repr(duck_db)
        raise HoldError(f"duck {shown} is outside 0 to {MIN_DUCK_DB:g} dB — -15 dB keeps music audible "
                        "under a voice", field="duck", kind="duck")
    return value


def premix(voice: Source | Decoded, music: Source | Decoded, *, duck_db: float = DEFAULT_DUCK_DB,
           length: float | None = None, lead_in: float = LEAD_IN, progress: Progress | None = None) -> Premix:
    """Mix `voice` over `music` (paths, URLs, bytes or decoded). Raises HoldError on bad input."""
    report = progress or (lambda fraction, what: None)
    duck_db = check_duck(duck_db)
    report(0.0, "decoding the voice")
    spoken = decode(voice, field="voice")
    report(0.3, "decoding the music")
    track = decode(music, field="music")
    notes: list[Problem] = []
    for decoded, field in ((spoken, "voice"), (track, "music")):
        if decoded.channels > 1:
            notes.append(warning(f"{decoded.label} is stereo; the premix is mono (channels averaged)", field))
    rate = max(PHONE_RATE, min(max(spoken.rate, track.rate), MAX_RATE))
    np = numpy()
    v = _at_rate(spoken.mono(), spoken.rate, rate)
    m = _at_rate(track.mono(), track.rate, rate)
    voice_start = max(0.0, float(lead_in))
    voice_end = voice_start + len(v) / rate
    if length is None:
        length = voice_end + TAIL
    try:
        length = float(length)
    except (TypeError, ValueError):
        raise HoldError(f"length {length!r} is not a number of seconds", field="length", kind="length") from None
    if not math.isfinite(length) or length < voice_end:
        raise HoldError(f"length {length:g} s would cut the voice, which ends at {voice_end:.1f} s — choose at "
                        f"least {math.ceil(voice_end * 10) / 10:g} s", field="length", kind="length")
    if length > MAX_LENGTH:
        raise HoldError(f"length {length:g} s is over {MAX_LENGTH:g} s — a hold greeting lasts seconds, "
                        "not minutes", field="length", kind="length")
    report(0.6, "mixing")
    total = round(length * rate)
    loops = -(-total // len(m))
    music_part = np.tile(m, loops)[:total] if loops > 1 else m[:total].copy()
    gain = _duck_curve(total, rate, voice_start, voice_end, duck_db)
    mix = music_part * gain
    start = round(voice_start * rate)
    mix[start:start + len(v)] += v[: max(0, total - start)]
    peak = float(np.max(np.abs(mix))) if total else 0.0
    gain_db = 0.0
    if peak > PEAK_CEILING:
        mix *= PEAK_CEILING / peak
        gain_db = 20 * math.log10(PEAK_CEILING / peak)
        notes.append(warning(f"voice and music together peaked over full scale; the whole mix was lowered by "
                             f"{-gain_db:.1f} dB (the duck stays {duck_db:g} dB)", "voice"))
    samples = to_int16(mix)
    samples.flags.writeable = False
    segments = (
        Segment(0.0, voice_start, "music", track.label, "full level"),
        Segment(voice_start, voice_end, "voice", spoken.label, f"music {duck_db:g} dB under it"),
        Segment(voice_end, total / rate, "music", track.label, "back to full level, fades out"),
    )
    segments = tuple(s for s in segments if s.end > s.start)
    report(1.0, "mixed")
    return Premix(samples, rate, segments, duck_db, tuple(notes), gain_db)


def _duck_curve(total: int, rate: int, voice_start: float, voice_end: float, duck_db: float) -> Any:
    """Music gain per sample: ramps down just before the voice, back up after it, fade in and out."""
    np = numpy()
    t = np.arange(total, dtype=np.float64) / rate
    low = 10 ** (duck_db / 20)
    down_start = max(0.0, voice_start - DUCK_DOWN)
    gain = np.ones(total)
    into = (t >= down_start) & (t < voice_start)
    gain[into] = 1 + (low - 1) * (t[into] - down_start) / max(voice_start - down_start, 1e-9)
    gain[(t >= voice_start) & (t < voice_end)] = low
    out = (t >= voice_end) & (t < voice_end + DUCK_UP)
    gain[out] = low + (1 - low) * (t[out] - voice_end) / DUCK_UP
    length = total / rate
    fade_in = t < FADE_IN
    gain[fade_in] *= t[fade_in] / FADE_IN
    fade_out_start = max(voice_end, length - FADE_OUT)
    fading = t >= fade_out_start
    gain[fading] *= np.clip((length - t[fading]) / max(length - fade_out_start, 1e-9), 0, 1)
    return gain.astype(np.float32)


def _at_rate(samples: Any, rate: int, target: int) -> Any:
    return samples if rate == target else resample(samples, rate, target)
