"""The hold experience for one strategy over the connect window: the audio and a timeline of what plays when.

What Twilio does while the agent connects, per holdstrategy (the seed's list):
`none` silence · `text` the spoken text, then silence · `audio` the greeting, then silence ·
`music` the music looping · `audio_then_music` the greeting, then the music looping ·
`text_then_music` the spoken text, then the music looping. Anything longer than the window is cut
where the agent would answer.

Pieces are placed sample-exactly at a common rate, then (phone line on) band-limited to 300–3400 Hz,
taken to 8 kHz and through µ-law and back, as a caller hears them.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..credential.ssml import ssml_problem
from ..problems import Problem, error, warning
from . import dsp
from .decode import Decoded, Progress, decode
from .dsp import PHONE_RATE, envelope, resample, to_int16
from .errors import HoldError
from .export import wav_bytes, write_wav
from .libs import numpy
from .sources import Source
from .speech import Speech, speak

STRATEGIES = ("none", "text", "audio", "music", "audio_then_music", "text_then_music")
DEFAULT_WINDOW = 8.0
MIN_WINDOW, MAX_WINDOW = 3.0, 30.0
CONNECT_WINDOW = (5.0, 8.0)
"""The seed: callers hear the hold experience for ~5–8 s before the agent's greeting."""

MAX_RATE = 48000
_MAX_LOOP_SEGMENTS = 50  # a very short loop becomes one "music (looped N times)" segment


@dataclass(frozen=True)
class Segment:
    """One stretch of the timeline. kind: silence, speech, greeting or music (premix adds voice)."""

    start: float
    end: float
    kind: str
    source: str = ""  # file name, URL label, or "local approximation of <voice>"
    detail: str = ""  # "loop 2", "cut at 8.0 s", "waiting for the agent"…

    @property
    def duration(self) -> float:
        return self.end - self.start

    @property
    def label(self) -> str:
        words = [self.kind]
        if self.source:
            words.append(f"· {self.source}")
        if self.detail:
            words.append(f"({self.detail})")
        return " ".join(words)


@dataclass(frozen=True, eq=False)
class HoldRender:
    """A rendered hold experience: int16 mono samples (read-only) at `rate`, segments and findings."""

    strategy: str
    window: float
    phone_line: bool
    rate: int
    samples: Any
    segments: tuple[Segment, ...]
    notes: tuple[Problem, ...] = ()
    speech: Speech | None = None

    @property
    def frames(self) -> int:
        return len(self.samples)

    @property
    def duration(self) -> float:
        return self.frames / self.rate

    def segment_at(self, seconds: float) -> Segment | None:
        """The segment playing at `seconds` (for a playhead's caption)."""
        for segment in self.segments:
            if segment.start <= seconds < segment.end:
                return segment
        return self.segments[-1] if self.segments and seconds >= self.segments[-1].end else None

    def envelope(self, buckets: int) -> tuple[float, ...]:
        """Peak level 0..1 per slice, for a waveform or level strip `buckets` cells wide."""
        return envelope(self.samples, buckets)

    def wav_bytes(self, encoding: str = "pcm16") -> bytes:
        return wav_bytes(self.samples, self.rate, encoding)

    def write_wav(self, path: str | Path, encoding: str = "pcm16") -> Path:
        return write_wav(path, self.samples, self.rate, encoding)

    def describe(self) -> str:
        """`text_then_music · 8.0 s · phone line (8 kHz, µ-law)`."""
        line = "phone line (8 kHz, µ-law)" if self.phone_line else f"full band ({self.rate / 1000:g} kHz)"
        return f"{self.strategy} · {self.window:g} s · {line}"


def check_window(window: Any) -> float:
    """The window in seconds, or HoldError saying the allowed range."""
    try:
        value = float(window)
    except (TypeError, ValueError):
        raise HoldError(f"window {window!r} is not a number — give seconds between {MIN_WINDOW:g} and "
                        f"{MAX_WINDOW:g} (callers usually wait 5–8 s)", field="window", kind="window") from None
    if not math.isfinite(value) or not MIN_WINDOW <= value <= MAX_WINDOW:
        raise HoldError(f"window {window} s is outside {MIN_WINDOW:g}–{MAX_WINDOW:g} s — callers usually wait "
                        f"5–8 s; {DEFAULT_WINDOW:g} s is the default", field="window", kind="window")
    return value


def needs(strategy: str) -> tuple[str, ...]:
    """The inputs a strategy uses: "text", "audio", "music"."""
    return {"none": (), "text": ("text",), "audio": ("audio",), "music": ("music",),
            "audio_then_music": ("audio", "music"), "text_then_music": ("text", "music")}[strategy]


_FIELD = {"text": "holdtext", "audio": "holdaudio", "music": "holdmusic"}
_HOW = {"text": "the sentence callers hear (--text)", "audio": "a greeting file or URL (--audio)",
        "music": "a music file or URL (--music)"}


def render(strategy: str, window: float = DEFAULT_WINDOW, *, text: str | None = None, voice: str | None = None,
           audio: Source | Decoded | None = None, music: Source | Decoded | None = None, phone_line: bool = True,
           progress: Progress | None = None) -> HoldRender:
    """Render what a caller hears for `strategy` over `window` seconds. Raises HoldError on bad input.

    Safe to call from a worker thread; `progress(fraction, what)` reports the stages of a long job.
    """
    report: Callable[[float, str], None] = progress or (lambda fraction, what: None)
    strategy = (strategy or "none").strip()
    if strategy not in STRATEGIES:
        raise HoldError(f"unknown hold strategy {strategy!r} — choose one of {', '.join(STRATEGIES)}",
                        field="holdstrategy", kind="strategy")
    window = check_window(window)
    given = {"text": text.strip() if isinstance(text, str) else text, "audio": audio, "music": music}
    for need in needs(strategy):
        value = given[need]
        if value is None or (isinstance(value, str) and not value.strip()):
            raise HoldError(f"strategy {strategy} needs {_FIELD[need]}: give {_HOW[need]}", field=_FIELD[need],
                            kind="missing" if need != "text" else "text")
    notes: list[Problem] = []
    first: tuple[Any, int, str, str] | None = None  # samples, rate, kind, source
    speech = None
    if "text" in needs(strategy):
        broken = ssml_problem(str(given["text"]))
        if broken:  # the preview still speaks what it can read; Twilio would refuse the text (`check` says so too)
            notes.append(error(broken, "holdtext"))
        report(0.05, "speaking the hold text")
        speech = speak(str(given["text"]), voice)
        first = (speech.samples, speech.rate, "speech", speech.label)
        if speech.hint:
            notes.append(warning(speech.hint, "holdtext"))
    elif "audio" in needs(strategy):
        report(0.05, "decoding the greeting")
        greeting = decode(audio, field="holdaudio", progress=_between(report, 0.05, 0.35))  # type: ignore[arg-type]
        _note_stereo(notes, greeting, "holdaudio")
        first = (greeting.mono(), greeting.rate, "greeting", greeting.label)
    loop = None
    if "music" in needs(strategy):
        report(0.35, "decoding the music")
        track = decode(music, field="holdmusic", progress=_between(report, 0.35, 0.6))  # type: ignore[arg-type]
        _note_stereo(notes, track, "holdmusic")
        loop = (track.mono(), track.rate, track.label)

    rates = [piece[1] for piece in (first, loop) if piece is not None]
    rate = max(PHONE_RATE, min(max(rates, default=PHONE_RATE), MAX_RATE))
    total = round(window * rate)
    np = numpy()
    mix = np.zeros(total, dtype=np.float32)
    segments: list[Segment] = []
    pos = 0
    report(0.6, "building the timeline")
    if first is not None:
        samples = _at_rate(first[0], first[1], rate)
        n = min(len(samples), total)
        mix[:n] = samples[:n]
        if n:
            cut = len(samples) > total
            segments.append(Segment(0.0, n / rate, first[2], first[3], f"cut at {window:g} s" if cut else ""))
        if len(samples) > total:
            what = "the spoken text" if first[2] == "speech" else "the greeting"
            field = "holdtext" if first[2] == "speech" else "holdaudio"
            notes.append(warning(f"{what} lasts {len(samples) / rate:.1f} s; callers hear only the first "
                                 f"{window:g} s before the agent answers — keep it to 5–8 s", field))
        pos = n
    if loop is not None and pos < total:
        samples = _at_rate(loop[0], loop[1], rate)
        if len(samples) == 0:
            raise HoldError(f"{loop[2]} holds no audio — export it again", field="holdmusic", kind="undecodable")
        segments.extend(_place_loops(mix, samples, pos, rate, loop[2]))
        pos = total
    if pos < total:
        detail = "holdstrategy none: silence until the agent answers" if strategy == "none" else "waiting for the agent"
        segments.append(Segment(pos / rate, total / rate, "silence", "", detail))

    if phone_line:
        report(0.8, "phone line: 300–3400 Hz, 8 kHz, µ-law")
        out, out_rate = dsp.phone_line(mix, rate), PHONE_RATE
    else:
        out, out_rate = to_int16(mix), rate
    out.flags.writeable = False
    report(1.0, "rendered")
    return HoldRender(strategy, window, phone_line, out_rate, out, tuple(segments), tuple(notes), speech)


def _between(report: Callable[[float, str], None], low: float, high: float) -> Progress:
    """A progress callback for one stage, mapped into [low, high] of the whole job."""
    return lambda fraction, what: report(low + (high - low) * fraction, what)


def _at_rate(samples: Any, rate: int, target: int) -> Any:
    return samples if rate == target else resample(samples, rate, target)


def _place_loops(mix: Any, loop: Any, pos: int, rate: int, label: str) -> list[Segment]:
    total = len(mix)
    segments = []
    index = 1
    start = pos
    while pos < total:
        n = min(len(loop), total - pos)
        mix[pos:pos + n] = loop[:n]
        segments.append(Segment(pos / rate, (pos + n) / rate, "music", label, f"loop {index}"))
        pos += n
        index += 1
    if len(segments) > _MAX_LOOP_SEGMENTS:
        return [Segment(start / rate, total / rate, "music", label, f"looped {len(segments)} times")]
    return segments


def _note_stereo(notes: list[Problem], decoded: Decoded, field: str) -> None:
    if decoded.channels > 1:
        notes.append(warning(f"{decoded.label} has {decoded.channels} channels; the preview mixes them to mono, "
                             "but Wiro needs a mono file — use a mono copy", field))
