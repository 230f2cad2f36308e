"""Sample arithmetic with numpy: resampling, the telephone channel, G.711 µ-law, levels.

Everything works on mono float32 in [-1, 1] except where int16 is named. Resampling and band-limiting
happen in one real FFT whose length is a multiple of the rate ratio (so the output length is exact) and
otherwise made of small primes: an FFT of an awkward length can cost a hundred times more.
"""

from __future__ import annotations

import functools
import itertools
import math
from typing import Any

from .libs import numpy

PHONE_RATE = 8000
PHONE_BAND = (300.0, 3400.0)
# Cosine roll-offs just outside the pass band keep the filter from ringing; nothing passes above 3400 Hz.
_LOW_EDGE = 50.0
_HIGH_EDGE = 100.0


def smooth_length(n: int, multiple: int = 1) -> int:
    """The smallest length >= n that is `multiple` times a number made only of 2, 3 and 5."""
    m = max(1, -(-n // multiple))
    while True:
        k = m
        for p in (2, 3, 5):
            while k % p == 0:
                k //= p
        if k == 1:
            return m * multiple
        m += 1


def _band_gain(freqs: Any, band: tuple[float, float] | None, top: float | None) -> Any:
    """Gain per FFT bin: 1 inside the band, cosine roll-offs ending at its edges, 0 outside."""
    np = numpy()
    gain = np.ones_like(freqs)
    if band is not None:
        lo, hi = band
        low_start = max(lo - _LOW_EDGE, 0.0)
        gain = np.where(freqs < low_start, 0.0, gain)
        ramp = (freqs >= low_start) & (freqs < lo)
        gain = np.where(ramp, 0.5 - 0.5 * np.cos(np.pi * (freqs - low_start) / max(lo - low_start, 1e-9)), gain)
        high_start = hi - _HIGH_EDGE
        ramp = (freqs > high_start) & (freqs < hi)
        gain = np.where(ramp, 0.5 + 0.5 * np.cos(np.pi * (freqs - high_start) / _HIGH_EDGE), gain)
        gain = np.where(freqs >= hi, 0.0, gain)
    if top is not None:  # anti-alias when going down in rate: roll off over the last 5 % below Nyquist
        start = top * 0.95
        ramp = (freqs > start) & (freqs < top)
        gain = np.where(ramp, gain * (0.5 + 0.5 * np.cos(np.pi * (freqs - start) / (top - start))), gain)
        gain = np.where(freqs >= top, 0.0, gain)
    return gain


def resample(x: Any, rate: int, new_rate: int, *, band: tuple[float, float] | None = None) -> Any:
    """`x` (float32, mono) at `new_rate`, optionally band-limited, length round(len(x) * new_rate / rate).

    Zero padding (at least 50 ms) keeps the FFT's circular wrap-around out of the kept samples.
    """
    np = numpy()
    x = np.asarray(x, dtype=np.float32)
    out_len = round(len(x) * new_rate / rate)
    if len(x) == 0 or out_len == 0:
        return np.zeros(out_len, dtype=np.float32)
    if rate == new_rate and band is None:
        return x.copy()
    g = math.gcd(rate, new_rate)
    q, p = rate // g, new_rate // g
    n = smooth_length(len(x) + max(rate // 20, 64), q)
    m = n // q * p
    spectrum = np.fft.rfft(x, n)
    kept = min(len(spectrum), m // 2 + 1)  # bins above the new Nyquist are dropped: shape only the kept ones
    out_spectrum = np.zeros(m // 2 + 1, dtype=spectrum.dtype)
    out_spectrum[:kept] = spectrum[:kept]
    top = new_rate / 2 if new_rate < rate else None
    if band is not None or top is not None:
        freqs = np.arange(kept) * (rate / n)
        out_spectrum[:kept] *= _band_gain(freqs, band, top)
    y = np.fft.irfft(out_spectrum, m) * (m / n)
    return y[:out_len].astype(np.float32)


def to_int16(x: Any) -> Any:
    """Float samples to int16, clipped (the µ-law encoder and WAV files want integers)."""
    np = numpy()
    return np.clip(np.rint(np.asarray(x, dtype=np.float64) * 32767.0), -32768, 32767).astype(np.int16)


def to_float(samples: Any) -> Any:
    np = numpy()
    return (np.asarray(samples, dtype=np.float32) / np.float32(32768.0)).astype(np.float32)


@functools.lru_cache(maxsize=1)
def _mulaw_tables() -> tuple[Any, Any]:
    np = numpy()
    exponent = np.array([0] + [i.bit_length() - 1 for i in range(1, 256)], dtype=np.int32)
    codes = np.arange(256, dtype=np.int32)
    inverted = ~codes & 0xFF
    exp = (inverted >> 4) & 0x07
    mantissa = inverted & 0x0F
    magnitude = (((mantissa << 3) + 0x84) << exp) - 0x84
    decode = np.where(inverted & 0x80, -magnitude, magnitude).astype(np.int16)
    return exponent, decode


def mulaw_encode(samples: Any) -> Any:
    """G.711 µ-law codes (uint8) for int16 samples: the telephone's 8-bit companding."""
    np = numpy()
    exponent_of, _ = _mulaw_tables()
    x = np.asarray(samples, dtype=np.int32)
    sign = np.where(x < 0, 0x80, 0)
    magnitude = np.minimum(np.abs(x), 32635) + 0x84
    exp = exponent_of[magnitude >> 7]
    mantissa = (magnitude >> (exp + 3)) & 0x0F
    return (~(sign | (exp << 4) | mantissa) & 0xFF).astype(np.uint8)


def mulaw_decode(codes: Any) -> Any:
    _, table = _mulaw_tables()
    return table[numpy().asarray(codes, dtype=numpy().uint8)]


def phone_line(x: Any, rate: int) -> Any:
    """What a caller hears: 300–3400 Hz, 8 kHz, through µ-law and back. Float in, int16 at 8 kHz out."""
    narrow = resample(x, rate, PHONE_RATE, band=PHONE_BAND)
    return mulaw_decode(mulaw_encode(to_int16(narrow)))


def dbfs(x: Any) -> float:
    """RMS level of float samples in dB relative to full scale (-inf for silence)."""
    np = numpy()
    x = np.asarray(x, dtype=np.float64)
    if x.size == 0:
        return float("-inf")
    rms = float(np.sqrt(np.mean(x * x)))
    return 20 * math.log10(rms) if rms > 0 else float("-inf")


def envelope(samples: Any, buckets: int) -> tuple[float, ...]:
    """Peak level (0..1) of each of `buckets` equal slices: a waveform strip for a timeline."""
    np = numpy()
    x = np.abs(np.asarray(samples, dtype=np.float32))
    if buckets <= 0:
        return ()
    if x.size == 0:
        return (0.0,) * buckets
    scale = 32768.0 if np.asarray(samples).dtype == np.int16 else 1.0
    edges = np.linspace(0, x.size, buckets + 1).astype(int)
    peaks = [float(x[a:b].max()) / scale if b > a else 0.0 for a, b in itertools.pairwise(edges)]
    return tuple(min(1.0, p) for p in peaks)
