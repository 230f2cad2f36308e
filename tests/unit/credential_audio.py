"""Real audio files for the credential tests, written with the standard library (and ffmpeg for MP3)."""

from __future__ import annotations

import math
import shutil
import struct
import subprocess
import wave
from pathlib import Path


def write_wav(path: Path, seconds: float, *, channels: int = 1, rate: int = 8000) -> Path:
    """A 440 Hz tone, 16-bit PCM. 8 kHz keeps long files small."""
    frames = int(seconds * rate)
    second = b"".join(struct.pack("<h", int(8000 * math.sin(2 * math.pi * 440 * i / rate))) * channels
                      for i in range(min(frames, rate)))
    whole, part = divmod(frames, rate)
    samples = second * whole + second[: part * 2 * channels]
    with wave.open(str(path), "wb") as w:
        w.setnchannels(channels)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(samples)
    return path


def write_mp3(path: Path, seconds: float, *, channels: int = 1) -> Path | None:
    """An MP3 made by the ffmpeg CLI, or None when ffmpeg is not installed."""
    if shutil.which("ffmpeg") is None:
        return None
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", f"sine=frequency=440:duration={seconds}",
                    "-ac", str(channels), "-ar", "22050", "-b:a", "32k", str(path)], check=True)
    return path
