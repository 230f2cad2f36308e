"""Local hold files, probed once per (path, size, mtime, inode): typing in another field of the form never
re-reads a file that did not change, and `validate(files=False)` judges a file from its last probe without
touching the disk. The rules and the save flow share this cache.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from pathlib import Path
from stat import S_ISDIR, S_ISREG

from ..hold import probe as probe_module
from ..hold.probe import AudioInfo, ProbeError
from .payload import local_path

_CACHE_SIZE = 64
_probe_cache: OrderedDict[str, tuple[tuple[int, int, int], AudioInfo | tuple[str, str]]] = OrderedDict()
_probe_lock = threading.Lock()


def probe_cached(path: str | Path) -> AudioInfo:
    """`tui.hold.probe.probe` once per (path, size, mtime): a file that did not change is not read again.
    Raises ProbeError (missing, unreadable, empty, too_big, not_audio, undecodable)."""
    target = local_path(path)
    if str(target).startswith("~"):
        raise ProbeError("missing", f"{target} names the home folder of a user this machine does not have")
    try:
        stat = target.stat()
    except ValueError:  # a NUL in the text: no file can have that name
        raise ProbeError("missing", "The path holds a character no file name can have (NUL)") from None
    except OSError:
        return probe_module.probe(target)  # raises the right ProbeError (missing or unreadable) at once
    if S_ISDIR(stat.st_mode):
        raise ProbeError("unreadable", f"{target} is a folder: choose an MP3 or WAV file inside it")
    if not S_ISREG(stat.st_mode):  # a device or a pipe: reading it could block or never end
        raise ProbeError("unreadable", f"{target} is not a regular file: choose an MP3 or WAV file")
    key = (stat.st_size, stat.st_mtime_ns, stat.st_ino)
    name = str(target.absolute())
    with _probe_lock:
        hit = _probe_cache.get(name)
        if hit is not None and hit[0] == key:
            _probe_cache.move_to_end(name)
            return _result(hit[1])
    try:
        result: AudioInfo | tuple[str, str] = probe_module.probe(target)
    except ProbeError as err:
        result = (err.kind, err.message)
    with _probe_lock:
        _probe_cache[name] = (key, result)
        _probe_cache.move_to_end(name)
        while len(_probe_cache) > _CACHE_SIZE:
            _probe_cache.popitem(last=False)
    return _result(result)


def cached_probe(path: str | Path) -> AudioInfo | ProbeError | None:
    """The last probe of `path` without touching the disk at all, or None when it was never probed."""
    name = str(local_path(path).absolute())
    with _probe_lock:
        hit = _probe_cache.get(name)
    if hit is None:
        return None
    result = hit[1]
    return result if isinstance(result, AudioInfo) else ProbeError(*result)


def clear_probe_cache() -> None:
    with _probe_lock:
        _probe_cache.clear()


def _result(result: AudioInfo | tuple[str, str]) -> AudioInfo:
    if isinstance(result, AudioInfo):
        return result
    raise ProbeError(*result)  # a fresh exception each time: re-raising one would pile up tracebacks
