"""Decoding hold files from paths, bytes and URLs (served by the simulator), in process, without ffmpeg."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from tui.hold.decode import Decoded, clear_caches, decode
from tui.hold.errors import HoldError
from tui.hold.sources import url_label

from .hold_audio import mp3_from, needs_ffmpeg, noise, tone, wav_data, write_wav


@pytest.fixture(autouse=True)
def _fresh():
    clear_caches()
    yield
    clear_caches()


def serve(sim, name: str, data: bytes) -> str:
    with sim.world.lock:
        return sim.world.files.add(name, data, sim.now()).url


def test_wav_from_path_bytes_and_url_decode_to_the_same_samples(sim, tmp_path):
    x = tone(440, 1.0, 22050, 0.4) + noise(1.0, 22050, 0.05)
    path = write_wav(tmp_path / "greeting.wav", x, 22050)
    url = serve(sim, "greeting.wav", path.read_bytes())
    from_path = decode(path)
    from_bytes = decode(path.read_bytes())
    from_url = decode(url)
    assert from_path.rate == 22050 and from_path.channels == 1 and from_path.frames == 22050
    assert np.array_equal(from_path.samples[:, 0], from_bytes.samples[:, 0])
    assert np.array_equal(from_path.samples, from_url.samples)
    assert np.max(np.abs(from_path.mono() - x)) < 1e-4  # 16-bit quantisation only
    assert from_path.label == "greeting.wav" and from_url.label.endswith("greeting.wav")
    assert not from_path.samples.flags.writeable  # shared between renders: nobody may change it


@needs_ffmpeg
def test_mp3_and_wav_decode_to_the_same_samples_within_tolerance(tmp_path):
    rate = 44100
    x = tone(440, 2.0, rate, 0.3) + tone(1200, 2.0, rate, 0.2)
    wav = write_wav(tmp_path / "music.wav", x, rate)
    mp3 = mp3_from(wav, tmp_path / "music.mp3", "192k")
    a, b = decode(wav), decode(mp3)
    assert b.info.format == "mp3" and b.rate == rate and b.channels == 1
    # MP3 adds encoder delay and padding: align by cross-correlation, then compare
    ma, mb = a.mono(), b.mono()
    corr = np.correlate(mb[:20000], ma[2000:6000], mode="valid")
    shift = int(np.argmax(corr)) - 2000
    n = min(len(ma), len(mb) - shift) - 4000
    diff = mb[shift + 2000: shift + 2000 + n] - ma[2000:2000 + n]
    snr = 10 * np.log10(np.mean(ma[2000:2000 + n] ** 2) / np.mean(diff ** 2))
    assert abs(shift) < 3000
    assert snr > 25, f"MP3 decode differs from the WAV: SNR {snr:.1f} dB"
    assert abs(b.duration - a.duration) < 0.1


def test_pcm_variants_decode(tmp_path):
    x = tone(300, 0.5, 8000, 0.5)
    eight = decode(wav_data(x, 8000, bits=8))
    floats = decode(wav_data(x, 8000, bits=32))
    stereo = decode(wav_data(x, 8000, channels=2))
    assert eight.info.bits == 8 and np.max(np.abs(eight.mono() - x)) < 0.02
    assert floats.info.codec == "float32" and np.max(np.abs(floats.mono() - x)) < 1e-3
    assert stereo.channels == 2 and np.max(np.abs(stereo.mono() - x)) < 1e-3


def test_mulaw_wav_from_our_export_decodes(tmp_path):
    from tui.hold.dsp import mulaw_decode, mulaw_encode
    from tui.hold.export import wav_bytes

    pcm = (tone(500, 0.5, 8000, 0.5) * 32767).astype(np.int16)
    decoded = decode(wav_bytes(pcm, 8000, "mulaw"))
    assert decoded.info.codec == "mulaw" and decoded.rate == 8000
    assert np.array_equal(decoded.samples[:, 0], mulaw_decode(mulaw_encode(pcm)))


def test_segment_hands_the_pcm_to_pydub(tmp_path):
    d = decode(wav_data(tone(440, 1.0, 16000, 0.5), 16000))
    seg = d.segment()
    assert seg.frame_rate == 16000 and seg.channels == 1 and len(seg) == 1000
    assert abs(seg.dBFS - 20 * np.log10(0.5 / np.sqrt(2))) < 0.2


@pytest.mark.parametrize("data, kind, words", [
    (b"", "empty", "empty"),
    (b"This is a text file that someone named hold.mp3\n" * 20, "not_audio", "not MP3 or WAV"),
    (b"ID3\x03\x00\x00\x00\x00\x00\x00" + bytes(range(256)) * 40, "undecodable", "no playable audio"),
    (b"RIFF\x24\x00\x00\x00WAVEfmt ", "undecodable", "damaged WAV"),
])
def test_bad_bytes_say_what_is_wrong(tmp_path, data, kind, words):
    path = tmp_path / "hold.mp3"
    path.write_bytes(data)
    with pytest.raises(HoldError) as caught:
        decode(path, field="holdmusic")
    assert caught.value.kind == kind and caught.value.field == "holdmusic"
    assert words in caught.value.message and "—" in caught.value.message  # and what to do


def test_missing_and_folder_and_too_big(tmp_path):
    with pytest.raises(HoldError, match="does not exist"):
        decode(tmp_path / "nope.wav")
    with pytest.raises(HoldError, match="folder"):
        decode(tmp_path)
    big = tmp_path / "big.wav"
    big.write_bytes(wav_data(noise(1.0, 8000), 8000) + bytes(11 * 1024 * 1024))
    with pytest.raises(HoldError) as caught:
        decode(big)
    assert caught.value.kind == "too_big" and "10.0 MB" in caught.value.message


def test_url_answering_404_names_the_status_and_what_to_do(sim):
    url = f"{sim.base_url}/files/0000/gone.mp3?token=secret-token-123"
    with pytest.raises(HoldError) as caught:
        decode(url, field="holdmusic")
    err = caught.value
    assert err.kind == "download" and "404" in err.message and "check the link" in err.message
    assert "secret-token-123" not in err.message  # query strings (signed links) never shown


def test_url_over_10_mb_is_refused_without_keeping_it(sim):
    url = serve(sim, "huge.wav", wav_data(noise(1.0, 8000), 8000) + bytes(11 * 1024 * 1024))
    with pytest.raises(HoldError) as caught:
        decode(url)
    assert caught.value.kind == "too_big"


def test_unreachable_url_is_a_message_not_a_traceback():
    with pytest.raises(HoldError) as caught:
        decode("http://127.0.0.1:9/hold.mp3")  # the discard port: nothing listens
    assert caught.value.kind == "download" and "could not be downloaded" in caught.value.message


def test_downloads_are_kept_for_the_session(sim):
    url = serve(sim, "loop.wav", wav_data(tone(220, 0.5, 8000), 8000))
    first = decode(url)
    with sim.world.lock:
        sim.world.files.files.clear()  # the server forgets it: a second fetch would be a 404
    assert decode(url) is first
    from tui.hold.decode import _cache

    _cache.clear()  # decoded copy gone, the download is still kept
    again = decode(url)
    assert np.array_equal(again.samples, first.samples)


def test_decoded_passes_through_and_local_cache_follows_the_file(tmp_path):
    path = write_wav(tmp_path / "a.wav", tone(440, 0.2, 8000), 8000)
    first = decode(path)
    assert decode(first) is first and decode(path) is first
    write_wav(path, tone(880, 0.3, 8000), 8000)  # changed on disk: decoded again
    assert decode(path).frames == 2400
    assert isinstance(first, Decoded)


def test_other_schemes_and_blank_sources():
    with pytest.raises(HoldError, match="ftp://"):
        decode("ftp://example.com/a.mp3")
    with pytest.raises(HoldError, match="no file given"):
        decode("  ")


def test_url_label_hides_the_query():
    assert url_label("https://cdn.wiro.ai/uploads/abc/music.mp3?sig=xyz") == "cdn.wiro.ai/…/music.mp3"
    assert url_label("https://example.com/a.wav") == "example.com/a.wav"


def test_pydub_imports_cleanly_under_warnings_as_errors():
    code = "from tui.hold.libs import pydub; pydub(); print('ok')"
    done = subprocess.run([sys.executable, "-W", "error", "-c", code], check=False, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "ok"


def test_a_download_reports_progress(sim):
    url = serve(sim, "loop.wav", wav_data(noise(3.0, 16000), 16000))
    seen = []
    decode(url, progress=lambda fraction, what: seen.append((fraction, what)))
    fractions = [f for f, _ in seen]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0
    assert any(what.startswith("downloading 127.0.0.1/") for _, what in seen)
