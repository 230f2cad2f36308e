"""Audio made in the tests: tones, noise, espeak-ng speech, MP3 via ffmpeg; and ways to measure it.

Also the ALSA set-up for real playback checks (audio.md): ALSA's default device pointed at a WAV file,
used from a subprocess because the variable must be set before PortAudio starts.
"""

from __future__ import annotations

import ctypes.util
import json
import os
import shutil
import struct
import subprocess
import sys
import wave
from pathlib import Path

import numpy as np
import pytest

HAVE_FFMPEG = shutil.which("ffmpeg") is not None
HAVE_ESPEAK = shutil.which("espeak-ng") is not None
SYSTEM_ALSA_CONF = Path("/usr/share/alsa/alsa.conf")

needs_ffmpeg = pytest.mark.skipif(not HAVE_FFMPEG, reason="ffmpeg is not installed (CI installs it): no MP3 encoder")
HAVE_PORTAUDIO = ctypes.util.find_library("portaudio") is not None
needs_portaudio = pytest.mark.skipif(not HAVE_PORTAUDIO, reason="libportaudio2 is not installed (CI installs it)")
needs_espeak = pytest.mark.skipif(not HAVE_ESPEAK, reason="espeak-ng is not installed (CI installs it)")


def tone(freq: float, seconds: float, rate: int = 44100, amp: float = 0.5) -> np.ndarray:
    t = np.arange(round(seconds * rate)) / rate
    return (amp * np.sin(2 * np.pi * freq * t)).astype(np.float32)


def silence(seconds: float, rate: int = 44100) -> np.ndarray:
    return np.zeros(round(seconds * rate), dtype=np.float32)


def noise(seconds: float, rate: int = 44100, amp: float = 0.3, seed: int = 1) -> np.ndarray:
    return (amp * np.random.default_rng(seed).uniform(-1, 1, round(seconds * rate))).astype(np.float32)


def to_pcm16(x: np.ndarray) -> np.ndarray:
    return np.clip(np.rint(np.asarray(x, dtype=np.float64) * 32767), -32768, 32767).astype(np.int16)


def wav_data(x: np.ndarray, rate: int = 44100, *, channels: int = 1, bits: int = 16) -> bytes:
    """A WAV file. `x` is float mono (duplicated for stereo) or already (frames, channels)."""
    x = np.asarray(x)
    if x.ndim == 1 and channels > 1:
        x = np.repeat(x[:, None], channels, axis=1)
    if bits == 32:  # IEEE float: written by hand, the wave module only does PCM
        body = x.astype("<f4").tobytes()
        fmt = struct.pack("<HHIIHH", 3, channels, rate, rate * 4 * channels, 4 * channels, 32)
        chunks = b"fmt " + struct.pack("<I", 16) + fmt + b"data" + struct.pack("<I", len(body)) + body
        return b"RIFF" + struct.pack("<I", 4 + len(chunks)) + b"WAVE" + chunks
    import io

    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(channels)
        w.setframerate(rate)
        if bits == 8:
            w.setsampwidth(1)
            w.writeframes(np.clip(np.rint(x * 127 + 128), 0, 255).astype(np.uint8).tobytes())
        else:
            w.setsampwidth(2)
            w.writeframes(to_pcm16(x).astype("<i2").tobytes())
    return buf.getvalue()


def write_wav(path: Path, x: np.ndarray, rate: int = 44100, **kwargs) -> Path:
    path.write_bytes(wav_data(x, rate, **kwargs))
    return path


def read_wav(path: Path) -> tuple[np.ndarray, int]:
    """int16 mono samples and rate of a 16-bit PCM WAV."""
    with wave.open(str(path), "rb") as w:
        assert w.getsampwidth() == 2 and w.getnchannels() == 1
        return np.frombuffer(w.readframes(w.getnframes()), dtype="<i2").astype(np.int16), w.getframerate()


def mp3_from(wav: Path, mp3: Path, bitrate: str = "128k") -> Path:
    subprocess.run(["ffmpeg", "-nostdin", "-loglevel", "error", "-y", "-i", str(wav), "-codec:a", "libmp3lame",
                    "-b:a", bitrate, str(mp3)], check=True)
    return mp3


def espeak_wav(text: str, path: Path, voice: str = "en-us") -> Path:
    subprocess.run(["espeak-ng", "-v", voice, "-w", str(path), text], check=True, capture_output=True)
    return path


def level_at(x: np.ndarray, rate: int, freq: float, start: float, end: float) -> float:
    """Amplitude of the `freq` component between `start` and `end` seconds (a one-bin DFT, Hann window)."""
    raw = np.asarray(x[round(start * rate):round(end * rate)])
    seg = raw.astype(np.float64) / (32768.0 if raw.dtype == np.int16 else 1.0)
    n = len(seg)
    window = np.hanning(n)
    t = np.arange(n) / rate
    projection = np.sum(seg * window * np.exp(-2j * np.pi * freq * t))
    return float(2 * abs(projection) / window.sum())


def db(ratio: float) -> float:
    return 20 * np.log10(ratio)


def band_energy(x: np.ndarray, rate: int, lo: float, hi: float) -> float:
    spectrum = np.abs(np.fft.rfft(np.asarray(x, dtype=np.float64) * np.hanning(len(x)))) ** 2
    freqs = np.fft.rfftfreq(len(x), 1 / rate)
    return float(spectrum[(freqs >= lo) & (freqs < hi)].sum())


def onsets(x: np.ndarray, rate: int, threshold: float = 0.05, hop: float = 0.001) -> list[float]:
    """Times where the signal starts sounding after at least 50 ms of quiet (1 ms resolution)."""
    raw = np.asarray(x)
    y = np.abs(raw.astype(np.float64)) / (32768.0 if raw.dtype == np.int16 else 1.0)
    step = max(1, round(hop * rate))
    frames = [y[i:i + step].max() for i in range(0, len(y), step)]
    found, quiet = [], 50
    for i, peak in enumerate(frames):
        if peak >= threshold:
            if quiet >= 50:
                found.append(i * step / rate)
            quiet = 0
        else:
            quiet += 1
    return found


# -- real playback ---------------------------------------------------------------------------------


def alsa_file_env(tmp: Path, *, fifo: bool = False) -> tuple[dict[str, str], Path]:
    """An environment whose ALSA default device writes what is played to a file (or a FIFO, raw)."""
    if not SYSTEM_ALSA_CONF.exists():
        pytest.skip("no ALSA configuration on this machine (/usr/share/alsa/alsa.conf)")
    played = tmp / ("played.fifo" if fifo else "played.wav")
    if fifo:
        os.mkfifo(played)
    conf = tmp / "asound.conf"
    fmt = "raw" if fifo else "wav"
    conf.write_text(
        'pcm.!default { type plug; slave { pcm "capture"; format S16_LE } }\n'
        f'pcm.capture {{ type file; slave.pcm "null"; file "{played}"; format "{fmt}" }}\n'
    )
    env = {**os.environ, "ALSA_CONFIG_PATH": f"{SYSTEM_ALSA_CONF}:{conf}"}
    return env, played


def no_device_env(tmp: Path) -> dict[str, str]:
    """ALSA with its default device pointed at a card that does not exist."""
    if not SYSTEM_ALSA_CONF.exists():
        pytest.skip("no ALSA configuration on this machine (/usr/share/alsa/alsa.conf)")
    conf = tmp / "nodevice.conf"
    conf.write_text("pcm.!default { type hw; card 99 }\nctl.!default { type hw; card 99 }\n")
    return {**os.environ, "ALSA_CONFIG_PATH": f"{SYSTEM_ALSA_CONF}:{conf}"}


NO_PORTAUDIO_PRELUDE = (
    "import ctypes.util\n"
    "_find = ctypes.util.find_library\n"
    "ctypes.util.find_library = lambda name: None if 'portaudio' in name else _find(name)\n"
)
"""Code that makes sounddevice's own library search fail, as on a machine without libportaudio2."""


def run_python(code: str, env: dict[str, str] | None = None, timeout: float = 60, cwd: Path | None = None) -> dict:
    """Run `code` in a fresh interpreter; it prints one JSON document last. Returns it (stderr on failure)."""
    done = subprocess.run([sys.executable, "-c", code], check=False, capture_output=True, text=True, env=env, timeout=timeout,
                          cwd=cwd)
    assert done.returncode == 0, f"child failed ({done.returncode}):\n{done.stderr[-3000:]}"
    return json.loads(done.stdout.strip().splitlines()[-1])


def read_played(path: Path) -> np.ndarray:
    """The samples an ALSA `file` device wrote (its WAV header may not be finalised: read the data chunk)."""
    data = path.read_bytes()
    pos = data.find(b"data")
    assert data[:4] == b"RIFF" and pos > 0, "the ALSA file device wrote no WAV"
    body = data[pos + 8:]
    return np.frombuffer(body[: len(body) // 2 * 2], dtype="<i2")


def find_samples(haystack: np.ndarray, needle: np.ndarray) -> int | None:
    """Where `needle` occurs exactly in `haystack` (PortAudio pads silence around what it plays)."""
    first = np.flatnonzero(needle)
    if len(first) == 0:
        return None
    lead = int(first[0])
    candidates = np.flatnonzero(haystack == needle[lead]) - lead
    for offset in candidates:
        if offset >= 0 and offset + len(needle) <= len(haystack) and np.array_equal(
                haystack[offset:offset + len(needle)], needle):
            return int(offset)
    return None
