"""The phone line as callers hear it: 300–3400 Hz, 8 kHz, G.711 µ-law; and the FFT plumbing under it."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from tui.hold.dsp import (
    PHONE_RATE,
    dbfs,
    envelope,
    mulaw_decode,
    mulaw_encode,
    phone_line,
    resample,
    smooth_length,
    to_int16,
)

from .hold_audio import band_energy, db, level_at, noise, tone


def test_phone_line_keeps_1_khz_and_removes_what_a_phone_cannot_carry():
    rate = 44100
    x = tone(1000, 2, rate, 0.25) + tone(3800, 2, rate, 0.25) + tone(6000, 2, rate, 0.25) + tone(150, 2, rate, 0.2)
    y = phone_line(x, rate)
    assert y.dtype == np.int16 and len(y) == 2 * PHONE_RATE
    kept = level_at(y, PHONE_RATE, 1000, 0.5, 1.5)
    assert abs(db(kept / 0.25)) < 1.0  # 1 kHz within 1 dB
    for freq in (3800, 150):  # above 3.4 kHz and below 300 Hz: gone
        assert db(level_at(y, PHONE_RATE, freq, 0.5, 1.5) / 0.25) < -40
    # 6 kHz can't exist at 8 kHz; without anti-aliasing it would fold down to 2 kHz
    assert db(level_at(y, PHONE_RATE, 2000, 0.5, 1.5) / 0.25) < -40


def test_phone_line_on_noise_leaves_almost_no_energy_above_3400_hz():
    rate = 48000
    y = phone_line(noise(2, rate, 0.3), rate).astype(np.float64)
    inside = band_energy(y, PHONE_RATE, 300, 3400)
    above = band_energy(y, PHONE_RATE, 3450, 4000)
    below = band_energy(y, PHONE_RATE, 0, 240)
    assert 10 * np.log10(above / inside) < -35 and 10 * np.log10(below / inside) < -35


def test_every_output_sample_is_a_mu_law_level():
    y = phone_line(noise(1, 16000, 0.5), 16000)
    levels = set(mulaw_decode(np.arange(256, dtype=np.uint8)).tolist())
    assert set(np.unique(y).tolist()) <= levels


def test_mu_law_matches_g711():
    codes = mulaw_encode(np.array([0, -1, 32767, -32768, 8, 1000, -1000], dtype=np.int16))
    assert codes.tolist()[:4] == [0xFF, 0x7F, 0x80, 0x00]
    assert mulaw_decode(np.array([0xFF, 0x7F, 0x80, 0x00], dtype=np.uint8)).tolist() == [0, 0, 32124, -32124]
    # decoding then encoding gives the code back: a µ-law round trip is stable
    all_codes = np.arange(256, dtype=np.uint8)
    again = mulaw_encode(mulaw_decode(all_codes))
    assert np.array_equal(mulaw_decode(again), mulaw_decode(all_codes))


@settings(max_examples=60, deadline=None)
@given(st.integers(-32768, 32767))
def test_mu_law_error_is_within_the_step(value):
    back = int(mulaw_decode(mulaw_encode(np.array([value], dtype=np.int16)))[0])
    # G.711 works on the magnitude plus a bias of 132; in the segment that lands in, steps are 2^(segment+3)
    # apart, so the error is at most half a step (values past the top segment clip at 32124)
    segment = max(0, (min(abs(value), 32124) + 132).bit_length() - 8)
    assert abs(back - value) <= (1 << (segment + 3)) // 2 or abs(value) > 32124


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 200_000), st.sampled_from([1, 2, 441, 160, 11]))
def test_smooth_length_is_a_smooth_multiple(n, q):
    m = smooth_length(n, q)
    assert m >= n and m % q == 0
    k = m // q
    for p in (2, 3, 5):
        while k % p == 0:
            k //= p
    assert k == 1
    assert m < n * 1.25 + q * 8  # never wastefully long


def test_resample_lengths_are_exact_and_tones_survive():
    for rate, new in ((44100, 8000), (22050, 44100), (8000, 48000), (11025, 16000), (44101, 8000)):
        x = tone(440, 1.234, rate, 0.5)
        y = resample(x, rate, new)
        assert len(y) == round(len(x) * new / rate)
        assert abs(db(level_at(y, new, 440, 0.2, 1.0) / 0.5)) < 0.2


def test_awkward_lengths_are_padded_not_slow():
    # a prime number of samples: the FFT length is padded to small primes, never the prime itself
    x = noise(1.0, 44100)[:44087]
    y = resample(x, 44100, 8000, band=(300, 3400))
    assert len(y) == round(44087 * 8000 / 44100)


def test_levels_and_envelope():
    x = tone(440, 1, 8000, 0.5)
    assert abs(dbfs(x) - db(0.5 / np.sqrt(2))) < 0.05 and dbfs(np.zeros(10)) == float("-inf")
    strip = envelope(to_int16(np.concatenate([x, np.zeros(8000, np.float32)])), 4)
    assert strip[0] > 0.45 and strip[1] > 0.45 and strip[2] == 0 and strip[3] == 0
    assert envelope(np.zeros(0), 3) == (0.0, 0.0, 0.0) and envelope(x, 0) == ()
