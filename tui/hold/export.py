"""Upload-ready WAV files: 16-bit PCM or 8 kHz G.711 µ-law, mono, under the seed's 10 MB.

Written to `<name>.part` and renamed into place, so a failure never leaves half a file at the target.
"""

from __future__ import annotations

import os
import struct
from pathlib import Path
from typing import Any

from .dsp import PHONE_RATE, mulaw_encode, resample, to_float, to_int16
from .errors import HoldError
from .libs import numpy
from .probe import MAX_FILE_BYTES, human_size

ENCODINGS = ("pcm16", "mulaw")
_FORMAT_PCM, _FORMAT_MULAW = 1, 7


def wav_bytes(samples: Any, rate: int, encoding: str = "pcm16") -> bytes:
    """A complete mono WAV file for int16 `samples` at `rate` (µ-law only at 8 kHz: resampled if needed)."""
    np = numpy()
    if encoding not in ENCODINGS:
        raise HoldError(f"unknown WAV encoding {encoding!r}; choose {' or '.join(ENCODINGS)}", kind="export")
    samples = np.asarray(samples, dtype=np.int16)
    if encoding == "mulaw":
        if rate != PHONE_RATE:
            samples = to_int16(resample(to_float(samples), rate, PHONE_RATE))
            rate = PHONE_RATE
        body = mulaw_encode(samples).tobytes()
        # non-PCM WAV: an 18-byte fmt chunk (cbSize 0) and a fact chunk with the sample count
        fmt = struct.pack("<HHIIHHH", _FORMAT_MULAW, 1, rate, rate, 1, 8, 0)
        extra = b"fact" + struct.pack("<II", 4, len(samples))
    else:
        body = samples.astype("<i2").tobytes()
        fmt = struct.pack("<HHIIHH", _FORMAT_PCM, 1, rate, rate * 2, 2, 16)
        extra = b""
    pad = b"\x00" if len(body) % 2 else b""
    chunks = b"fmt " + struct.pack("<I", len(fmt)) + fmt + extra + b"data" + struct.pack("<I", len(body)) + body + pad
    return b"RIFF" + struct.pack("<I", 4 + len(chunks)) + b"WAVE" + chunks


def estimated_size(frames: int, rate: int, encoding: str) -> int:
    if encoding == "mulaw":
        return int(frames * PHONE_RATE / rate) + 58
    return frames * 2 + 44


def write_wav(path: str | Path, samples: Any, rate: int, encoding: str = "pcm16", *,
              max_bytes: int | None = MAX_FILE_BYTES) -> Path:
    """Write atomically; refuse (HoldError, nothing written) when the file would pass `max_bytes`."""
    target = Path(path).expanduser()
    data = wav_bytes(samples, rate, encoding)
    if max_bytes is not None and len(data) > max_bytes:
        raise HoldError(f"the WAV would be {human_size(len(data))}, over the {human_size(max_bytes)} limit — "
                        "make it shorter, or use 8 kHz µ-law (--encoding mulaw)", field="out", kind="export")
    if target.is_dir():
        raise HoldError(f"{target} is a folder — give a file name ending in .wav", field="out", kind="export")
    tmp = target.with_name(f".{target.name}.part")
    try:
        with open(tmp, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, target)
    except OSError as err:
        try:
            tmp.unlink()
        except OSError:
            pass
        raise HoldError(f"can't write {target} ({err.strerror or err}) — choose another place", field="out",
                        kind="export") from None
    return target
