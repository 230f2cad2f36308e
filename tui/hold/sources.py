"""Where hold audio comes from: a local path, bytes already in memory, or an http(s) URL.

Downloads are capped at the seed's 10 MB (the Content-Length is checked first, then the body as it
streams in) and kept for the rest of the process, so the screen can re-render without fetching again.
Labels never show a URL's query string: signed CDN links carry tokens there.
"""

from __future__ import annotations

import ssl
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

from .errors import HoldError
from .probe import MAX_FILE_BYTES, ProbeError, human_size, probe

Source = str | Path | bytes
"""A path (str or Path), an http(s) URL (str), or the file's bytes."""

DOWNLOAD_TIMEOUT = 15.0
_CACHE_ENTRIES = 16
_cache: OrderedDict[str, Fetched] = OrderedDict()
_cache_lock = threading.Lock()
_tls: ssl.SSLContext | None = None


@dataclass(frozen=True)
class Fetched:
    """The raw bytes of a source, what to call it on screen, and (for URLs) the server's Content-Type."""

    data: bytes
    label: str
    content_type: str | None = None
    path: Path | None = None  # set for local files (a mono copy can be written beside them)
    url: str | None = None


def is_url(source: object) -> bool:
    return isinstance(source, str) and source.strip().lower().startswith(("http://", "https://"))


def url_label(url: str) -> str:
    """`host/…/name.mp3`: enough to recognise, without the query string."""
    parts = urlsplit(url.strip())
    name = unquote(parts.path.rstrip("/").rsplit("/", 1)[-1]) if parts.path else ""
    if not name:
        return parts.hostname or "the URL"
    return f"{parts.hostname}/…/{name}" if parts.path.count("/") > 1 else f"{parts.hostname}/{name}"


def fetch(source: Source, *, field: str = "", max_bytes: int = MAX_FILE_BYTES,
          progress: Callable[[float, str], None] | None = None) -> Fetched:
    """The bytes of `source`, or HoldError (kind as ProbeError's, or "download") with what to do.

    `progress(fraction, what)` follows a download when the server says how big it is.
    """
    if isinstance(source, (bytes, bytearray, memoryview)):
        data = bytes(source)
        if not data:
            raise HoldError("the audio is empty (0 bytes) — export it again", field=field, kind="empty")
        return Fetched(data, "the uploaded audio")
    if isinstance(source, str) and not source.strip():
        raise HoldError("no file given — choose an MP3 or WAV file (or paste its URL)", field=field, kind="missing")
    if is_url(source):
        return _download(str(source).strip(), field=field, max_bytes=max_bytes, progress=progress)
    if isinstance(source, str) and "://" in source:
        scheme = source.split("://", 1)[0]
        raise HoldError(f"{scheme}:// links can't be read — use a local file or an http(s) URL", field=field,
                        kind="missing")
    path = Path(source).expanduser()
    try:
        probe(path, max_bytes=max_bytes)  # the size, emptiness and content checks, with their messages
        data = path.read_bytes()
    except ProbeError as err:
        raise HoldError(err.message, field=field, kind=err.kind) from None
    except OSError as err:
        raise HoldError(f"{path.name} can't be read ({err.strerror or err})", field=field, kind="unreadable") from None
    return Fetched(data, path.name, path=path)


def _tls_context() -> ssl.SSLContext:
    """One verifying TLS context for every download (as httpx makes it, SSL_CERT_FILE and SSL_CERT_DIR included):
    making one reads the whole CA bundle (~20 ms of CPU here), for a link that is often plain http."""
    global _tls
    import httpx

    with _cache_lock:
        if _tls is None:
            _tls = httpx.create_ssl_context()
        return _tls


def _download(url: str, *, field: str, max_bytes: int, progress: Callable[[float, str], None] | None) -> Fetched:
    with _cache_lock:
        hit = _cache.get(url)
        if hit is not None:
            _cache.move_to_end(url)
            return hit
    import httpx

    label = url_label(url)
    try:
        with httpx.Client(follow_redirects=True, timeout=DOWNLOAD_TIMEOUT, verify=_tls_context()) as client, \
                client.stream("GET", url) as response:
            if response.status_code != 200:
                phrase = response.reason_phrase or "error"
                hint = ("the file is not there — check the link, or upload the file again"
                        if response.status_code in (403, 404, 410) else "try again later")
                raise HoldError(f"{label} answered {response.status_code} {phrase} — {hint}", field=field,
                                kind="download")
            declared = response.headers.get("content-length", "")
            if declared.isdigit() and int(declared) > max_bytes:
                raise HoldError(f"{label} is {human_size(int(declared))}; the limit is {human_size(max_bytes)} "
                                "— shorten it, make it mono, or export at a lower bitrate", field=field,
                                kind="too_big")
            chunks, size = [], 0
            for chunk in response.iter_bytes():
                size += len(chunk)
                if size > max_bytes:  # stop reading: a lying or absent Content-Length must not fill memory
                    raise HoldError(f"{label} is over the {human_size(max_bytes)} limit — shorten it, make "
                                    "it mono, or export at a lower bitrate", field=field, kind="too_big")
                chunks.append(chunk)
                if progress and declared.isdigit() and int(declared) > 0:
                    progress(min(1.0, size / int(declared)), f"downloading {label}")
            content_type = response.headers.get("content-type")
    except httpx.TimeoutException:
        raise HoldError(f"{label} did not answer within {DOWNLOAD_TIMEOUT:.0f} s — check the network and retry",
                        field=field, kind="download") from None
    except httpx.InvalidURL:
        raise HoldError(f"{label} is not a valid URL — copy the link again", field=field, kind="download") from None
    except httpx.HTTPError as err:
        reason = type(err).__name__.replace("Error", " error").strip().lower()
        raise HoldError(f"{label} could not be downloaded ({reason}) — check the link and the network",
                        field=field, kind="download") from None
    data = b"".join(chunks)
    if not data:
        raise HoldError(f"{label} is empty (0 bytes) — upload the file again", field=field, kind="empty")
    fetched = Fetched(data, label, content_type, url=url)
    with _cache_lock:
        _cache[url] = fetched
        while len(_cache) > _CACHE_ENTRIES:
            _cache.popitem(last=False)
    return fetched


def clear_download_cache() -> None:
    with _cache_lock:
        _cache.clear()
