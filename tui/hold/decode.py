"""Decode WAV and MP3 into samples, in process, without ffmpeg.

miniaudio's bundled dr_wav/dr_mp3 decode every format the probe accepts (PCM 8–32 bit, float, µ-law,
A-law, MP3) to 16-bit PCM at the file's own rate and channel count; pydub gets that PCM when a caller
wants an `AudioSegment` (its own MP3 path would need ffmpeg and ffprobe). Decoded files are kept per process,
keyed by path, size and modification time, so toggling the phone line re-renders without decoding again.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import HoldError
from .libs import miniaudio, numpy, pydub
from .probe import AudioInfo, ProbeError, probe_bytes
from .sources import Fetched, Source, clear_download_cache, fetch, is_url, url_label

Progress = Callable[[float, str], None]
"""Called with (fraction done 0..1, what is happening) during long jobs."""

_CACHE_ENTRIES = 8
_cache: OrderedDict[tuple, Decoded] = OrderedDict()
_cache_lock = threading.Lock()


@dataclass(frozen=True, eq=False)
class Decoded:
    """A decoded file: int16 samples shaped (frames, channels), read-only, and what the probe saw."""

    samples: Any
    rate: int
    info: AudioInfo
    label: str
    source: Fetched

    @property
    def channels(self) -> int:
        return int(self.samples.shape[1])

    @property
    def frames(self) -> int:
        return int(self.samples.shape[0])

    @property
    def duration(self) -> float:
        return self.frames / self.rate

    def mono(self) -> Any:
        """Float32 mono in [-1, 1]: the channels averaged (what a phone line does with stereo)."""
        np = numpy()
        x = self.samples.astype(np.float32) / np.float32(32768.0)
        return x[:, 0].copy() if self.channels == 1 else x.mean(axis=1, dtype=np.float32)

    def segment(self) -> Any:
        """The same audio as a pydub `AudioSegment` (16-bit, the file's rate and channels)."""
        return pydub().AudioSegment(data=self.samples.tobytes(), sample_width=2, frame_rate=self.rate,
                                    channels=self.channels)


def decode(source: Source | Decoded, *, field: str = "", progress: Progress | None = None) -> Decoded:
    """Decode a path, URL or bytes (a `Decoded` passes through). Raises HoldError saying what to do."""
    if isinstance(source, Decoded):
        return source
    key = _cache_key(source)
    if key is not None:
        with _cache_lock:
            hit = _cache.get(key)
            if hit is not None:
                _cache.move_to_end(key)
                return hit
    if progress:
        progress(0.0, f"reading {_short(source)}")
    fetched = fetch(source, field=field, progress=(lambda f, what: progress(0.9 * f, what)) if progress else None)
    decoded = decode_fetched(fetched, field=field)
    if key is not None:
        with _cache_lock:
            _cache[key] = decoded
            while len(_cache) > _CACHE_ENTRIES:
                _cache.popitem(last=False)
    if progress:
        progress(1.0, f"decoded {decoded.label}")
    return decoded


def decode_fetched(fetched: Fetched, *, field: str = "") -> Decoded:
    try:
        info = probe_bytes(fetched.data, name=fetched.label)
    except ProbeError as err:
        raise HoldError(err.message, field=field, kind=err.kind) from None
    ma = miniaudio()
    np = numpy()
    try:
        sound = ma.decode(fetched.data, output_format=ma.SampleFormat.SIGNED16, nchannels=info.channels,
                          sample_rate=info.sample_rate)
    except (ma.DecodeError, ZeroDivisionError, ValueError) as err:
        detail = str(err) or type(err).__name__
        raise HoldError(f"{fetched.label} could not be decoded ({detail}) — export it again as MP3 or 16-bit WAV",
                        field=field, kind="undecodable") from None
    samples = np.frombuffer(sound.samples, dtype=np.int16)
    frames = len(samples) // info.channels
    if frames == 0:
        raise HoldError(f"{fetched.label} holds no audio — export it again", field=field, kind="undecodable")
    samples = samples[: frames * info.channels].reshape(frames, info.channels)
    samples.flags.writeable = False
    return Decoded(samples, info.sample_rate, info, fetched.label, fetched)


def _cache_key(source: Source) -> tuple | None:
    if is_url(source):
        return ("url", str(source).strip())
    if isinstance(source, (str, Path)) and str(source).strip():
        path = Path(source).expanduser()
        try:
            st = path.stat()
            return ("path", str(path.resolve()), st.st_size, st.st_mtime_ns)
        except OSError:
            return None
    return None


def _short(source: Source) -> str:
    if isinstance(source, (bytes, bytearray, memoryview)):
        return "the audio"
    return url_label(str(source)) if is_url(source) else Path(source).name


def clear_caches() -> None:
    """Forget decoded files and downloads (tests and benchmarks measure cold work with this)."""
    with _cache_lock:
        _cache.clear()
    clear_download_cache()
