"""The demo's bundled hold-music loop, synthesised at start (no binary asset in the repo)."""

from __future__ import annotations

import functools
import io
import math
import wave
from array import array

RATE = 8000  # the telephone rate: what Twilio would transcode to anyway

# C major, A minor, F major, G major: one second each, a loop that resolves back to its start.
_CHORDS = (
    (261.63, 329.63, 392.00),
    (220.00, 261.63, 329.63),
    (174.61, 220.00, 261.63),
    (196.00, 246.94, 293.66),
)


@functools.lru_cache(maxsize=1)
def hold_music_wav() -> bytes:
    """About 4 s of mono 8 kHz 16-bit PCM WAV; identical bytes on every call and every machine."""
    samples = array("h")
    per_chord = RATE  # one second per chord
    fade = int(0.03 * RATE)  # short ramps so chord changes and the loop seam do not click
    for chord in _CHORDS:
        for i in range(per_chord):
            t = i / RATE
            env = min(1.0, i / fade, (per_chord - 1 - i) / fade)
            v = sum(math.sin(2 * math.pi * f * t) + 0.25 * math.sin(4 * math.pi * f * t) for f in chord)
            samples.append(int(round(2600 * env * v)))
    if samples.itemsize != 2:  # pragma: no cover - array("h") is 16-bit on every CPython platform
        raise RuntimeError("unexpected sample width")
    if array("h", [1]).tobytes()[0] != 1:  # WAV is little-endian
        samples.byteswap()
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(RATE)
        w.writeframes(samples.tobytes())
    return buf.getvalue()
