"""Every audio check and decoder against truncated, zero-filled, bit-flipped, header-mangled and random files.

Real files are written first (16-bit mono and stereo, 8-bit, float32 and µ-law WAV, WAVE_FORMAT_EXTENSIBLE,
and an MP3 by the ffmpeg CLI when it is there); hypothesis then damages them. Whatever comes in:

- `probe_bytes` / `probe` return an AudioInfo or raise ProbeError;
- `decode` returns a Decoded or raises HoldError;
- `check_file` and the credential rules return findings, never raise;
- `render` and `premix` (what the Hold screen and `hold` command do with the files) return or raise HoldError;
- `write_mono_copy` (the "apply fix" for a stereo file) returns a path or raises ProbeError.
"""

from __future__ import annotations

import functools
import math
import shutil
import struct
import subprocess
import tempfile
import wave
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tui.credential import probes, rules
from tui.hold.checks import FileCheck, check_file
from tui.hold.decode import Decoded, clear_caches, decode
from tui.hold.errors import HoldError
from tui.hold.premix import premix
from tui.hold.probe import AudioInfo, ProbeError, probe, probe_bytes, write_mono_copy
from tui.hold.render import render
from tui.problems import Problem

FAST = {"deadline": None, "suppress_health_check": [HealthCheck.too_slow, HealthCheck.data_too_large]}
RATE = 8000


def _tone(frames: int, channels: int) -> list[list[float]]:
    return [[0.4 * math.sin(2 * math.pi * (440 + 110 * c) * i / RATE) for c in range(channels)] for i in range(frames)]


def pcm_wav(channels: int = 1, width: int = 2, seconds: float = 0.2) -> bytes:
    frames = _tone(int(seconds * RATE), channels)
    path = Path(tempfile.mkstemp(suffix=".wav")[1])
    with wave.open(str(path), "wb") as w:
        w.setnchannels(channels)
        w.setsampwidth(width)
        w.setframerate(RATE)
        if width == 1:
            w.writeframes(bytes(int(128 + 100 * s) for frame in frames for s in frame))
        else:
            w.writeframes(b"".join(struct.pack("<h", int(20000 * s)) for frame in frames for s in frame))
    data = path.read_bytes()
    path.unlink()
    return data


def raw_wav(tag: int, bits: int, payload: bytes, channels: int = 1, extensible: bool = False) -> bytes:
    """A WAV written by hand: float, µ-law, or WAVE_FORMAT_EXTENSIBLE (the `wave` module writes only PCM)."""
    block = channels * bits // 8
    if extensible:
        fmt = struct.pack("<HHIIHHHHI16s", 0xFFFE, channels, RATE, RATE * block, block, bits, 22, bits, 0,
                          struct.pack("<H", tag) + b"\x00\x00\x00\x00\x10\x00\x80\x00\x00\xaa\x00\x38\x9b\x71")
    else:
        fmt = struct.pack("<HHIIHH", tag, channels, RATE, RATE * block, block, bits)
    body = b"WAVE" + b"fmt " + struct.pack("<I", len(fmt)) + fmt + b"data" + struct.pack("<I", len(payload)) + payload
    return b"RIFF" + struct.pack("<I", len(body)) + body


def _float_payload() -> bytes:
    return b"".join(struct.pack("<f", f[0]) for f in _tone(1600, 1))


def _mulaw_payload() -> bytes:
    return bytes((i * 37) % 256 for i in range(1600))


def mp3() -> bytes | None:
    if shutil.which("ffmpeg") is None:
        return None
    out = Path(tempfile.mkstemp(suffix=".mp3")[1])
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", "sine=frequency=440:duration=0.3", "-ac", "1",
                    "-ar", "22050", "-b:a", "32k", str(out)], check=True)
    data = out.read_bytes()
    out.unlink()
    return data


MAKERS = {
    "pcm16": pcm_wav, "stereo": lambda: pcm_wav(channels=2), "pcm8": lambda: pcm_wav(width=1),
    "float32": lambda: raw_wav(3, 32, _float_payload()), "mulaw": lambda: raw_wav(7, 8, _mulaw_payload()),
    "extensible": lambda: raw_wav(1, 16, pcm_wav()[44:], extensible=True),
}
if shutil.which("ffmpeg") is not None:
    MAKERS["mp3"] = mp3
NAMES = sorted(MAKERS)


@functools.cache
def base(name: str) -> bytes:
    """One undamaged file, made when first asked for: every test worker imports this module, and only the one
    that runs these tests needs the files (the MP3 is an ffmpeg run)."""
    data = MAKERS[name]()
    assert data is not None, name
    return data
HEADERS = [b"RIFF\x24\x00\x00\x00WAVE", b"RIFX\x24\x00\x00\x00WAVE", b"ID3\x04\x00\x00\x00\x00\x00\x00", b"\xff\xfb\x90\x64",
           b"\xff\xf3", b"RIFF\xff\xff\xff\xffWAVEfmt \x10\x00\x00\x00"]


@st.composite
def damaged(draw) -> bytes:
    """A real file damaged one way, or bytes that only look like audio at the start."""
    way = draw(st.sampled_from(["truncate", "zero", "flip", "header", "random", "zeros", "splice"]))
    data = bytearray(base(draw(st.sampled_from(NAMES))))
    if way == "truncate":
        return bytes(data[: draw(st.integers(0, len(data)))])
    if way == "zero":
        start = draw(st.integers(0, len(data)))
        count = draw(st.integers(0, len(data) - start))
        return bytes(data[:start] + bytes(count) + data[start + count:])
    if way == "flip":
        for _ in range(draw(st.integers(1, 12))):
            i = draw(st.integers(0, len(data) - 1))
            data[i] = draw(st.integers(0, 255))
        return bytes(data)
    if way == "header":  # the WAV header's numbers (and the first MP3 frame header) set to anything
        for offset in draw(st.lists(st.integers(4, 63), min_size=1, max_size=4)):
            width = draw(st.sampled_from([1, 2, 4]))
            value = draw(st.integers(0, 2 ** (8 * width) - 1))
            if offset + width <= len(data):
                data[offset:offset + width] = value.to_bytes(width, "little")
        return bytes(data)
    if way == "random":
        return draw(st.sampled_from(HEADERS + [b""])) + draw(st.binary(max_size=3000))
    if way == "zeros":
        return draw(st.sampled_from(HEADERS + [b""])) + bytes(draw(st.integers(0, 5000)))
    cut = draw(st.integers(0, len(data)))
    other = base(draw(st.sampled_from(NAMES)))
    return bytes(data[:cut]) + other[draw(st.integers(0, len(other))):]


def findings_only(result) -> None:
    assert all(isinstance(p, Problem) and p.message for p in result)


@settings(max_examples=1500, **FAST)
@given(damaged())
def test_probe_decode_and_check_say_what_is_wrong_or_succeed(data):
    try:
        info = probe_bytes(data, name="hold.wav")
    except ProbeError as err:
        assert err.kind in ("empty", "too_big", "not_audio", "undecodable") and err.message
    else:
        assert isinstance(info, AudioInfo) and info.channels >= 1 and info.sample_rate >= 1 and info.duration > 0
    try:
        decoded = decode(data)
    except HoldError as err:
        assert err.message
    else:
        assert isinstance(decoded, Decoded) and decoded.frames > 0
        assert decoded.mono().shape == (decoded.frames,)
    for role in ("greeting", "music", None):
        result = check_file(data, role)
        assert isinstance(result, FileCheck)
        findings_only(result.problems)


@settings(max_examples=200, **FAST)
@given(damaged(), st.sampled_from(["audio_then_music", "audio", "music"]), st.booleans())
def test_render_and_premix_take_damaged_files(data, strategy, phone_line):
    good = base("pcm16")
    try:
        result = render(strategy, 8.0, audio=data, music=data if strategy == "music" else good, phone_line=phone_line)
    except HoldError as err:
        assert err.message
    else:
        assert len(result.samples) > 0
    try:
        mixed = premix(data, good, length=None)
    except HoldError as err:
        assert err.message
    else:
        assert len(mixed.samples) > 0


@settings(max_examples=250, **FAST)
@given(damaged())
def test_files_on_disk_through_probe_rules_and_mono_copy(data):
    clear_caches()
    probes.clear_probe_cache()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "hold.wav"
        path.write_bytes(data)
        try:
            probe(path)
        except ProbeError as err:
            assert err.message
        findings_only(check_file(path, "music").problems)
        findings_only(rules.check_holdaudio(str(path)))
        findings_only(rules.check_holdmusic(str(path)))
        try:
            copy = write_mono_copy(path)
        except ProbeError as err:
            assert err.message
        else:
            assert probe(copy).channels == 1


@pytest.mark.parametrize("name", NAMES)
def test_the_undamaged_files_are_good(name):
    """The starting points really are audio: the damage above starts from working files."""
    info = probe_bytes(base(name))
    assert decode(base(name)).frames > 0 and info.duration > 0.1


# -- what the fuzzing found (kept as plain regressions) ----------------------------------------------------------


def test_a_wav_cut_inside_its_format_section_is_a_damaged_wav():
    cut = base("pcm16")[:20]  # RIFF, WAVE, "fmt " and its size: the file ends where the format begins
    with pytest.raises(ProbeError, match="damaged WAV"):
        probe_bytes(cut)
    assert not check_file(cut, "music").ok


@pytest.mark.skipif("mp3" not in MAKERS, reason="ffmpeg is not installed: no MP3 to cut")
def test_an_mp3_whose_header_promises_frames_it_lacks_gets_no_empty_mono_copy(tmp_path):
    whole = base("mp3")
    cut = whole[: whole.index(b"\xff\xf3", whole.index(b"Info")) + 4]  # the Info frame, then one frame header
    path = tmp_path / "greeting.mp3"
    path.write_bytes(cut)
    with pytest.raises(ProbeError, match="no playable audio"):
        write_mono_copy(path)
    assert not (tmp_path / "greeting-mono.wav").exists()
