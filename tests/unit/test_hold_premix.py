"""Voice over ducked music in one upload-ready file (the seed's workaround for Twilio's no-mixing rule)."""

from __future__ import annotations

import numpy as np
import pytest

from tui.hold.decode import clear_caches, decode
from tui.hold.errors import HoldError
from tui.hold.export import write_wav as export_wav
from tui.hold.premix import DEFAULT_DUCK_DB, check_duck, premix
from tui.hold.probe import probe

from .hold_audio import db, level_at, silence, tone, write_wav

RATE = 16000
VOICE_SECONDS = 4.0
MUSIC_AMP = 0.3


@pytest.fixture(autouse=True)
def _fresh():
    clear_caches()


@pytest.fixture
def parts(tmp_path):
    # the "voice" is a 1 kHz tone and the music 440 Hz: each one's level can be read apart in the mix
    voice = write_wav(tmp_path / "voice.wav", tone(1000, VOICE_SECONDS, RATE, 0.4), RATE)
    music = write_wav(tmp_path / "music.wav", tone(440, 3.0, RATE, MUSIC_AMP), RATE)
    return voice, music


@pytest.mark.parametrize("duck", [-15.0, -6.0, -25.0])
def test_music_is_ducked_under_the_voice_within_1_db(parts, duck):
    voice, music = parts
    mixed = premix(voice, music, duck_db=duck, length=10.0)
    x, rate = mixed.samples, mixed.rate
    assert rate == RATE and mixed.duration == 10.0
    before = level_at(x, rate, 440, 0.2, 0.7)  # lead-in, full level
    under = level_at(x, rate, 440, 2.0, 4.0)  # while the voice speaks
    after = level_at(x, rate, 440, 6.0, 8.0)  # back up after the voice (fade-out starts at 9 s)
    assert abs(db(under / before) - duck) < 1.0
    assert abs(db(after / before)) < 1.0 and abs(db(before / MUSIC_AMP)) < 1.0
    assert abs(db(level_at(x, rate, 1000, 2.0, 4.0) / 0.4)) < 0.5  # the voice itself untouched


def test_exported_mu_law_keeps_the_duck_and_is_upload_ready(parts, tmp_path):
    voice, music = parts
    mixed = premix(voice, music)
    out = mixed.write_wav(tmp_path / "premix.wav")  # default: 8 kHz µ-law
    info = probe(out)
    assert (info.codec, info.sample_rate, info.channels) == ("mulaw", 8000, 1)
    assert info.size < 10 * 1024 * 1024 and abs(info.duration - mixed.duration) < 0.01
    y = decode(out).samples[:, 0]
    assert abs(db(level_at(y, 8000, 440, 2.0, 4.0) / level_at(y, 8000, 440, 0.2, 0.7)) - DEFAULT_DUCK_DB) < 1.0
    pcm = probe(mixed.write_wav(tmp_path / "premix16.wav", "pcm16"))
    assert (pcm.codec, pcm.sample_rate) == ("pcm_s16le", 8000)


def test_timeline_and_default_length(parts):
    voice, music = parts
    mixed = premix(voice, music)
    kinds = [(s.kind, round(s.start, 3), round(s.end, 3)) for s in mixed.segments]
    assert kinds == [("music", 0, 1.0), ("voice", 1.0, 5.0), ("music", 5.0, 8.0)]  # lead-in, voice, 3 s after
    assert "-15 dB" in mixed.segments[1].detail and "audio_then_music" in mixed.suggestion


def test_short_music_loops_to_the_chosen_length(tmp_path, parts):
    voice, _ = parts
    blip = write_wav(tmp_path / "blip.wav", np.concatenate([tone(440, 0.5, RATE, 0.3), silence(0.5, RATE)]), RATE)
    mixed = premix(voice, blip, length=12.0)
    x = mixed.samples
    # after the duck recovers, a blip sounds in the first half of every second
    for second in (7, 8, 9, 10):
        assert level_at(x, RATE, 440, second + 0.1, second + 0.4) > 0.2
        assert level_at(x, RATE, 440, second + 0.6, second + 0.9) < 0.01


def test_loud_parts_are_lowered_together_not_clipped(tmp_path):
    voice = write_wav(tmp_path / "v.wav", tone(1000, 2, RATE, 0.95), RATE)
    music = write_wav(tmp_path / "m.wav", tone(440, 2, RATE, 0.9), RATE)
    mixed = premix(voice, music, duck_db=-3)
    assert np.abs(mixed.samples.astype(int)).max() < 32767
    assert mixed.gain_db < 0 and any("lowered" in n.message for n in mixed.notes)


@pytest.mark.parametrize("duck, expected", [(-15, -15.0), ("15", -15.0), ("-6.5", -6.5), (0, 0.0)])
def test_duck_accepts_either_sign(duck, expected):
    assert check_duck(duck) == expected


@pytest.mark.parametrize("duck", ["loud", "-60", "nan"])
def test_bad_duck_says_the_range(duck):
    with pytest.raises(HoldError) as caught:
        check_duck(duck)
    assert caught.value.field == "duck" and "-15" in caught.value.message


def test_length_that_would_cut_the_voice_is_refused(parts):
    voice, music = parts
    with pytest.raises(HoldError) as caught:
        premix(voice, music, length=3.0)
    assert caught.value.field == "length" and "ends at 5.0 s" in caught.value.message
    with pytest.raises(HoldError, match="not minutes"):
        premix(voice, music, length=4000)


def test_export_over_10_mb_is_refused_and_nothing_is_written(tmp_path):
    target = tmp_path / "big.wav"
    with pytest.raises(HoldError) as caught:
        export_wav(target, np.zeros(6_000_000, dtype=np.int16), 8000, "pcm16")
    assert "over the 10.0 MB limit" in caught.value.message and "µ-law" in caught.value.message
    assert not target.exists() and list(tmp_path.iterdir()) == []


def test_bad_inputs_are_hold_errors(tmp_path, parts):
    voice, _ = parts
    text = tmp_path / "music.mp3"
    text.write_text("hello")
    with pytest.raises(HoldError) as caught:
        premix(voice, text)
    assert caught.value.field == "music" and caught.value.kind == "not_audio"
