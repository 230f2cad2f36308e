"""Findings about one hold file (holdaudio or holdmusic), each saying what to do.

An error means Wiro or Twilio would refuse or mangle the file (not MP3/WAV, too big, stereo, empty);
a warning means callers will hear something worse than intended (clipping, too quiet, a long silence
first, a length outside the seed's advice). `check_file` never raises: every problem becomes a finding.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from pathlib import Path
from typing import Any

from ..problems import Problem, error, warning
from .decode import Decoded, decode_fetched
from .errors import HoldError
from .libs import numpy, pydub
from .probe import AudioInfo, mono_copy_path
from .sources import Fetched, Source, fetch

ROLES = ("greeting", "music")
FIELDS = {"greeting": "holdaudio", "music": "holdmusic"}
GREETING_SECONDS = (5.0, 15.0)
MUSIC_SECONDS = (30.0, 60.0)
LEADING_SILENCE = 1.0  # seconds of silence before the first sound worth a warning
SILENCE_DBFS = -50.0
SILENT_PEAK_DBFS = -70.0  # a file whose loudest sample is below this is silent
TOO_QUIET_DBFS = -35.0  # RMS of the sounding part; phone audio sits near -20 dBFS
TOO_LOUD_DBFS = -9.0
CLIPPED_SAMPLES = 3  # one or two full-scale samples is a normalised peak; more is clipping
MIN_RATE = 8000
_AUDIO_TYPES = ("audio/mpeg", "audio/mp3", "audio/wav", "audio/wave", "audio/x-wav", "audio/vnd.wave",
                "audio/basic", "audio/ulaw", "audio/x-aiff", "audio/aiff", "audio/x-gsm")


@dataclass(frozen=True)
class Levels:
    rms_dbfs: float  # of the part after the leading silence
    peak_dbfs: float
    full_scale: int  # samples at full scale (clipping)
    leading_silence: float  # seconds


@dataclass(frozen=True)
class FileCheck:
    """The verdict on one file: what it is, its levels, the findings, and where a mono copy would go."""

    label: str
    field: str
    role: str
    info: AudioInfo | None
    levels: Levels | None
    problems: tuple[Problem, ...]
    mono_copy: Path | None = None  # set when the file is a stereo local file: `probe.write_mono_copy` makes it
    decoded: Decoded | None = dataclass_field(default=None, compare=False, repr=False)  # hand it to render()

    @property
    def ok(self) -> bool:
        return not any(p.blocks for p in self.problems)

    @property
    def errors(self) -> tuple[Problem, ...]:
        return tuple(p for p in self.problems if p.level == "error")

    @property
    def warnings(self) -> tuple[Problem, ...]:
        return tuple(p for p in self.problems if p.level == "warning")


def check_file(source: Source, role: str | None = "music", *, field: str | None = None) -> FileCheck:
    """Check a path, URL or bytes meant as the greeting (holdaudio), the music (holdmusic), or (role None)
    anything else, which gets every check but the length advice."""
    if role is not None and role not in ROLES:
        raise ValueError(f"role must be one of {ROLES} or None")
    field = field or (FIELDS[role] if role else "file")
    label = str(source) if isinstance(source, (str, Path)) else "the audio"
    try:
        fetched = fetch(source, field=field)
        label = fetched.label
        decoded = decode_fetched(fetched, field=field)
    except HoldError as err:
        return FileCheck(label, field, role or "", None, None, (error(err.message, field),))
    findings: list[Problem] = []
    findings += _content_type(fetched, field)
    info = decoded.info
    mono_copy = None
    if info.channels > 1:
        if fetched.path is not None:
            mono_copy = mono_copy_path(fetched.path)
            offer = f"use a mono copy ({mono_copy.name} can be written beside it)"
        else:
            offer = "download it, mix it to mono, and upload it again"
        findings.append(error(f"{label} is {'stereo' if info.channels == 2 else f'{info.channels} channels'}; "
                              f"Wiro needs mono — {offer}", field))
    if info.sample_rate < MIN_RATE:
        findings.append(warning(f"{label} is sampled at {info.sample_rate} Hz, below the telephone's 8 kHz — "
                                "export it at 8 kHz or more", field))
    if info.format == "wav" and info.bits == 8 and info.codec == "pcm_u8":
        findings.append(warning(f"{label} is 8-bit WAV, which hisses — export it as 16-bit PCM WAV "
                                "(or 8 kHz µ-law, which is what the phone line uses)", field))
    if info.codec.startswith("float"):
        findings.append(warning(f"{label} is a floating-point WAV, which some players refuse — export it as "
                                "16-bit PCM WAV", field))
    if role is not None:
        findings += _duration(info, role, label, field)
    levels = measure(decoded)
    findings += _level_findings(levels, label, field)
    return FileCheck(label, field, role or "", info, levels, tuple(findings), mono_copy, decoded)


def _content_type(fetched: Fetched, field: str) -> list[Problem]:
    if fetched.url is None or not fetched.content_type:
        return []
    declared = fetched.content_type.split(";")[0].strip().lower()
    if declared in _AUDIO_TYPES:
        return []
    return [warning(f"{fetched.label} is served as {declared}; Twilio plays only audio types (audio/mpeg, "
                    "audio/wav) and fails with error 13420 otherwise — upload it through Wiro again", field)]


def _duration(info: AudioInfo, role: str, label: str, field: str) -> list[Problem]:
    seconds = info.duration
    low, high = GREETING_SECONDS if role == "greeting" else MUSIC_SECONDS
    if role == "greeting":
        if seconds < low:
            return [warning(f"{label} lasts {seconds:.1f} s; a greeting of {low:g}–{high:g} s fills the wait — "
                            "add a sentence (with audio_then_music, music follows it anyway)", field)]
        if seconds > high:
            return [warning(f"{label} lasts {seconds:.1f} s; the agent answers after ~5–8 s and cuts it off — "
                            f"keep it to {low:g}–{high:g} s", field)]
        return []
    if seconds < low:
        return [warning(f"{label} lasts {seconds:.1f} s; it loops every {seconds:.1f} s, which callers notice "
                        f"— {low:g}–{high:g} s loops best", field)]
    if seconds > high:
        return [warning(f"{label} lasts {seconds:.1f} s; callers hear only the first seconds, so a shorter loop "
                        f"({low:g}–{high:g} s) uploads and caches faster", field)]
    return []


def measure(decoded: Decoded) -> Levels:
    """Levels of a decoded file: RMS and peak in dBFS, full-scale sample count, leading silence."""
    np = numpy()
    samples = decoded.samples
    bits = decoded.info.bits or 16
    step = 1 << max(0, 16 - min(bits, 16))  # 8-bit audio tops out at 32512, not 32767
    full_scale = int(np.count_nonzero((samples >= 32768 - step) | (samples <= -32768)))
    segment = decoded.segment()
    peak = _finite(segment.max_dBFS)
    if peak < SILENT_PEAK_DBFS:
        return Levels(float("-inf"), peak, full_scale, segment.duration_seconds)
    # silence is quiet relative to the file: a very quiet recording is not all "leading silence"
    threshold = min(SILENCE_DBFS, peak - 30)
    lead_ms = pydub().silence.detect_leading_silence(segment, silence_threshold=threshold, chunk_size=10)
    lead_ms = min(lead_ms, len(segment))
    sounding = segment[lead_ms:]
    rms = sounding.dBFS if len(sounding) else float("-inf")
    return Levels(_finite(rms), peak, full_scale, lead_ms / 1000)


def _finite(value: Any) -> float:
    value = float(value)
    return value if math.isfinite(value) else float("-inf")


def _level_findings(levels: Levels, label: str, field: str) -> list[Problem]:
    findings = []
    if levels.rms_dbfs == float("-inf"):
        return [error(f"{label} is silent — export the audio again", field)]
    if levels.leading_silence > LEADING_SILENCE:
        findings.append(warning(f"{label} starts with {levels.leading_silence:.1f} s of silence, which callers "
                                "hear as dead air — trim it", field))
    if levels.full_scale >= CLIPPED_SAMPLES:
        findings.append(warning(f"{label} has {levels.full_scale} full-scale samples (clipping), which the phone "
                                "line makes harsher — lower it by 3 dB and export again", field))
    if levels.rms_dbfs < TOO_QUIET_DBFS:
        findings.append(warning(f"{label} is quiet ({levels.rms_dbfs:.0f} dBFS); callers may not hear it — "
                                f"raise it by about {-20 - levels.rms_dbfs:.0f} dB", field))
    elif levels.rms_dbfs > TOO_LOUD_DBFS:
        findings.append(warning(f"{label} is very loud ({levels.rms_dbfs:.0f} dBFS); it will sound distorted on "
                                f"the phone — lower it by about {levels.rms_dbfs + 18:.0f} dB", field))
    return findings
