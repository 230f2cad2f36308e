"""What an audio file really is, read from its content rather than its name.

`probe()` answers the questions the credential rules and the hold checks both ask: is this MP3 or WAV,
how big, how many channels, what rate, how long, and does it decode. The WAV header is read here by hand
(cheap, no decoder needed); MP3 goes through miniaudio, imported only when an MP3 is first probed.
"""

from __future__ import annotations

import struct
import wave
from dataclasses import dataclass
from pathlib import Path

MAX_FILE_BYTES = 10 * 1024 * 1024
"""The seed's limit for holdaudio and holdmusic."""

_WAV_CODECS = {1: "pcm", 3: "float", 6: "alaw", 7: "mulaw"}
_EXTENSIBLE = 0xFFFE


@dataclass(frozen=True)
class AudioInfo:
    format: str  # "wav" or "mp3"
    codec: str  # "pcm_s16le", "pcm_u8", "float32", "mulaw", "alaw", "mp3", …
    size: int  # bytes
    channels: int
    sample_rate: int
    duration: float  # seconds
    bits: int | None = None  # bits per sample (WAV only)

    @property
    def is_mono(self) -> bool:
        return self.channels == 1

    def summary(self) -> str:
        """`mono · 44.1 kHz · 12.3 s · 1.2 MB · WAV pcm_s16le`."""
        layout = {1: "mono", 2: "stereo"}.get(self.channels, f"{self.channels} channels")
        rate = f"{self.sample_rate / 1000:g} kHz"
        return f"{layout} · {rate} · {self.duration:.1f} s · {human_size(self.size)} · {self.format.upper()} {self.codec}"


class ProbeError(Exception):
    """The file can't be used. `kind` is one of: missing, unreadable, empty, too_big, not_audio, undecodable."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message


def human_size(size: int) -> str:
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):.1f} MB"
    if size >= 1024:
        return f"{size / 1024:.0f} KB"
    return f"{size} bytes"


def sniff(head: bytes) -> str | None:
    """"wav", "mp3" or None, from the first bytes of a file."""
    if len(head) >= 12 and head[:4] in (b"RIFF", b"RIFX") and head[8:12] == b"WAVE":
        return "wav"
    if head[:3] == b"ID3":
        return "mp3"
    if len(head) >= 2 and head[0] == 0xFF and (head[1] & 0xE0) == 0xE0 and (head[1] & 0x06) != 0:
        return "mp3"  # an MPEG audio frame header without an ID3 tag (layer bits 00 are reserved)
    return None


def probe(path: str | Path, *, max_bytes: int = MAX_FILE_BYTES) -> AudioInfo:
    """Read a local file. Raises ProbeError with a message that says what is wrong and what to do."""
    path = Path(path).expanduser()
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise ProbeError("missing", f"{path.name or path} does not exist — check the path") from None
    except OSError as err:
        raise ProbeError("unreadable", f"{path.name} can't be read ({err.strerror or err})") from None
    if path.is_dir():
        raise ProbeError("unreadable", f"{path.name} is a folder — choose an MP3 or WAV file inside it")
    if size == 0:
        raise ProbeError("empty", f"{path.name} is empty (0 bytes) — export the audio again")
    if size > max_bytes:
        raise ProbeError(
            "too_big",
            f"{path.name} is {human_size(size)}; the limit is {human_size(max_bytes)} — "
            "shorten it, make it mono, or export at a lower bitrate",
        )
    try:
        data = path.read_bytes()
    except OSError as err:
        raise ProbeError("unreadable", f"{path.name} can't be read ({err.strerror or err})") from None
    return probe_bytes(data, name=path.name)


def probe_bytes(data: bytes, *, name: str = "the file", max_bytes: int = MAX_FILE_BYTES) -> AudioInfo:
    if not data:
        raise ProbeError("empty", f"{name} is empty (0 bytes) — export the audio again")
    if len(data) > max_bytes:
        raise ProbeError("too_big", f"{name} is {human_size(len(data))}; the limit is {human_size(max_bytes)}")
    kind = sniff(data[:16])
    if kind == "wav":
        return _wav_info(data, name)
    if kind == "mp3":
        return _mp3_info(data, name)
    raise ProbeError(
        "not_audio", f"{name} is not MP3 or WAV audio (whatever its name says) — export it as MP3 or WAV"
    )


def _wav_info(data: bytes, name: str) -> AudioInfo:
    if data[:4] == b"RIFX":
        raise ProbeError("undecodable", f"{name} is a big-endian WAV (RIFX) — re-export it as a standard WAV")
    fmt = None
    data_size = None
    pos = 12
    while pos + 8 <= len(data):
        chunk_id, chunk_size = struct.unpack_from("<4sI", data, pos)
        body = pos + 8
        if chunk_id == b"fmt " and chunk_size >= 16:
            if body + 16 > len(data):
                break  # the file ends inside the format section: a damaged WAV, said below
            fmt = struct.unpack_from("<HHIIHH", data, body)
            if fmt[0] == _EXTENSIBLE and chunk_size >= 40 and body + 26 <= len(data):
                (sub,) = struct.unpack_from("<H", data, body + 24)  # first two bytes of the SubFormat GUID
                fmt = (sub, *fmt[1:])
        elif chunk_id == b"data":
            data_size = min(chunk_size, len(data) - body)
            break
        pos = body + chunk_size + (chunk_size & 1)
    if fmt is None or data_size is None:
        raise ProbeError("undecodable", f"{name} is a damaged WAV (no {'format' if fmt is None else 'audio data'} "
                         "section) — export it again")
    tag, channels, rate, _byte_rate, block_align, bits = fmt
    codec = _WAV_CODECS.get(tag)
    if codec is None:
        raise ProbeError("undecodable", f"{name} uses WAV format {tag:#06x}, which players can't rely on — "
                         "re-export as 16-bit PCM WAV or MP3")
    if channels < 1 or rate < 1 or block_align < 1:
        raise ProbeError("undecodable", f"{name} has an impossible WAV header — export it again")
    if codec == "pcm":
        codec = "pcm_u8" if bits == 8 else f"pcm_s{bits}le"
    elif codec == "float":
        codec = f"float{bits}"
    frames = data_size // block_align
    if frames == 0:
        raise ProbeError("undecodable", f"{name} holds no audio (the data section is empty) — export it again")
    return AudioInfo("wav", codec, len(data), channels, rate, frames / rate, bits)


def _mp3_info(data: bytes, name: str) -> AudioInfo:
    import miniaudio

    try:
        info = miniaudio.mp3_get_info(data)
    except miniaudio.DecodeError:
        info = None
    if info is None or not info.num_frames or not info.sample_rate:
        raise ProbeError("undecodable", f"{name} looks like MP3 but holds no playable audio — export it again")
    return AudioInfo("mp3", "mp3", len(data), info.nchannels, info.sample_rate, info.num_frames / info.sample_rate)


def mono_copy_path(path: str | Path) -> Path:
    path = Path(path).expanduser()
    return path.with_name(f"{path.stem}-mono.wav")


def write_mono_copy(path: str | Path, out: str | Path | None = None) -> Path:
    """Mix the channels of `path` down to one and write a 16-bit PCM WAV (default `<name>-mono.wav` beside it)."""
    import miniaudio

    path = Path(path).expanduser()
    info = probe(path)
    target = Path(out).expanduser() if out else mono_copy_path(path)
    try:
        decoded = miniaudio.decode(path.read_bytes(), output_format=miniaudio.SampleFormat.SIGNED16,
                                   nchannels=1, sample_rate=info.sample_rate)
    except miniaudio.DecodeError as err:
        raise ProbeError("undecodable", f"{path.name} could not be decoded ({err})") from None
    if not len(decoded.samples):  # headers that promise audio the decoder can't find: no empty copy
        raise ProbeError("undecodable", f"{path.name} holds no playable audio — export it again")
    tmp = target.with_name(target.name + ".part")
    with wave.open(str(tmp), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(info.sample_rate)
        w.writeframes(decoded.samples.tobytes())
    tmp.replace(target)
    return target
