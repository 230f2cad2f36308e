"""File checks for holdaudio and holdmusic: every bad file gets a finding that says what to do."""

from __future__ import annotations

import numpy as np
import pytest

from tui.hold.checks import check_file
from tui.hold.decode import clear_caches
from tui.hold.probe import probe, write_mono_copy

from .hold_audio import (
    mp3_from,
    needs_ffmpeg,
    noise,
    silence,
    tone,
    wav_data,
    write_wav,
)


@pytest.fixture(autouse=True)
def _fresh():
    clear_caches()


def messages(result, level=None) -> list[str]:
    return [p.message for p in result.problems if level is None or p.level == level]


def good_music(seconds: float = 40.0, rate: int = 8000) -> np.ndarray:
    # a -20 dBFS-ish loop: two tones and a little noise
    return tone(330, seconds, rate, 0.1) + tone(495, seconds, rate, 0.07) + noise(seconds, rate, 0.01)


def test_a_good_music_loop_has_no_findings(tmp_path):
    result = check_file(write_wav(tmp_path / "loop.wav", good_music(), 8000), "music")
    assert result.ok and result.problems == ()
    assert result.info.channels == 1 and result.levels.full_scale == 0
    assert -30 < result.levels.rms_dbfs < -15
    assert result.decoded is not None and result.decoded.frames == 320000


def test_stereo_is_an_error_that_offers_the_mono_copy(tmp_path):
    path = write_wav(tmp_path / "loop.wav", good_music(), 8000, channels=2)
    result = check_file(path, "music")
    assert not result.ok
    (message,) = messages(result, "error")
    assert "stereo" in message and "mono copy" in message and "loop-mono.wav" in message
    assert result.mono_copy == tmp_path / "loop-mono.wav"
    copy = write_mono_copy(path, result.mono_copy)
    assert probe(copy).channels == 1 and check_file(copy, "music").ok


def test_stereo_url_says_how_to_fix_it_without_a_local_copy(sim):
    with sim.world.lock:
        url = sim.world.files.add("loop.wav", wav_data(good_music(), 8000, channels=2), 0.0).url
    result = check_file(url, "music")
    assert result.mono_copy is None
    assert any("mix it to mono" in m for m in messages(result, "error"))


@pytest.mark.parametrize("make, words", [
    (lambda p: p.write_bytes(b""), "empty (0 bytes)"),
    (lambda p: p.write_bytes(wav_data(noise(1, 8000), 8000) + bytes(11 * 1024 * 1024)), "limit is 10.0 MB"),
    (lambda p: p.write_text("<html>not audio</html>" * 50), "not MP3 or WAV"),
    (lambda p: p.write_bytes(b"\xff\xfb\x90\x00" + bytes(3000)), "export it again"),
])
def test_unusable_files_are_errors(tmp_path, make, words):
    path = tmp_path / "hold.mp3"
    make(path)
    result = check_file(path, "greeting")
    assert not result.ok and result.field == "holdaudio"
    assert any(words in m for m in messages(result, "error")), messages(result)


def test_eight_bit_wav_is_a_warning_with_the_fix(tmp_path):
    result = check_file(write_wav(tmp_path / "old.wav", good_music(), 8000, bits=8), "music")
    assert result.ok
    assert any("8-bit" in m and "16-bit" in m for m in messages(result, "warning"))


def test_float_wav_is_a_warning(tmp_path):
    result = check_file(write_wav(tmp_path / "f.wav", good_music(), 8000, bits=32), "music")
    assert any("floating-point" in m for m in messages(result, "warning"))


def test_leading_silence_over_a_second(tmp_path):
    x = np.concatenate([silence(2.0, 8000), good_music(35)])
    result = check_file(write_wav(tmp_path / "late.wav", x, 8000), "music")
    assert 1.9 <= result.levels.leading_silence <= 2.1
    assert any("2.0 s of silence" in m and "trim" in m for m in messages(result, "warning"))
    short = np.concatenate([silence(0.5, 8000), good_music(35)])
    assert not any("silence" in m for m in messages(check_file(write_wav(tmp_path / "ok.wav", short, 8000))))


def test_clipping_is_counted(tmp_path):
    x = np.clip(good_music(35) * 12, -1, 1)  # driven into the rails
    result = check_file(write_wav(tmp_path / "hot.wav", x, 8000), "music")
    assert result.levels.full_scale > 1000
    assert any(f"{result.levels.full_scale} full-scale samples" in m for m in messages(result, "warning"))


def test_too_quiet_and_too_loud(tmp_path):
    quiet = check_file(write_wav(tmp_path / "quiet.wav", good_music(35) * 0.02, 8000), "music")
    assert any("quiet" in m and "raise it by" in m for m in messages(quiet, "warning"))
    square = np.sign(tone(200, 35, 8000)) * 0.6  # RMS about -4.4 dBFS
    loud = check_file(write_wav(tmp_path / "loud.wav", square, 8000), "music")
    assert any("very loud" in m and "lower it by" in m for m in messages(loud, "warning"))


def test_silent_file_is_an_error(tmp_path):
    result = check_file(write_wav(tmp_path / "nothing.wav", silence(6, 8000), 8000), "greeting")
    assert any("silent" in m for m in messages(result, "error"))


@pytest.mark.parametrize("role, seconds, words", [
    ("greeting", 3.0, "add a sentence"),
    ("greeting", 20.0, "keep it to 5–15 s"),
    ("music", 10.0, "loops every 10.0 s"),
    ("music", 90.0, "shorter loop"),
])
def test_duration_advice(tmp_path, role, seconds, words):
    result = check_file(write_wav(tmp_path / "a.wav", good_music(seconds), 8000), role)
    assert result.ok
    assert any(words in m for m in messages(result, "warning")), messages(result)


def test_durations_inside_the_advice_are_quiet(tmp_path):
    assert check_file(write_wav(tmp_path / "g.wav", good_music(8), 8000), "greeting").problems == ()
    assert check_file(write_wav(tmp_path / "g.wav", good_music(8), 8000), None, field="voice").problems == ()
    no_advice = check_file(write_wav(tmp_path / "v.wav", good_music(2), 8000), None, field="voice")
    assert no_advice.problems == () and no_advice.field == "voice"


def test_low_sample_rate_warns(tmp_path):
    result = check_file(write_wav(tmp_path / "lofi.wav", good_music(35, 6000), 6000), "music")
    assert any("6000 Hz" in m for m in messages(result, "warning"))


def test_url_answering_404_is_an_error_finding(sim):
    result = check_file(f"{sim.base_url}/files/nothing/here.mp3", "music")
    assert not result.ok and result.info is None
    assert "404" in messages(result, "error")[0]


def test_url_served_with_a_non_audio_type_warns_about_twilio(sim):
    with sim.world.lock:
        url = sim.world.files.add("loop.txt", wav_data(good_music(), 8000), 0.0).url  # served as text/plain
    result = check_file(url, "music")
    assert result.ok
    assert any("text/plain" in m and "13420" in m for m in messages(result, "warning"))


@needs_ffmpeg
def test_a_good_mp3_passes(tmp_path):
    wav = write_wav(tmp_path / "g.wav", tone(440, 8, 22050, 0.1) + noise(8, 22050, 0.01), 22050)
    result = check_file(mp3_from(wav, tmp_path / "g.mp3"), "greeting")
    assert result.info.format == "mp3" and result.problems == ()
