"""Uploaded files (File/Upload, CredentialFileUpload) and the multipart/form-data parsing that receives them."""

from __future__ import annotations

import itertools
import mimetypes
import random
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import quote

from .ids import IdMint

MAX_UPLOAD_BYTES = 100 * 1024 * 1024

# Our own table first: mimetypes says audio/x-wav on many systems, Twilio <Play> wants audio/wav.
_TYPES = {".mp3": "audio/mpeg", ".wav": "audio/wav", ".ogg": "audio/ogg", ".m4a": "audio/mp4"}
# Declared types that mean MP3 or WAV (browsers and libraries spell them differently).
AUDIO_ALIASES = {"audio/mpeg": "audio/mpeg", "audio/mp3": "audio/mpeg", "audio/mpeg3": "audio/mpeg",
                 "audio/wav": "audio/wav", "audio/x-wav": "audio/wav", "audio/wave": "audio/wav",
                 "audio/vnd.wave": "audio/wav"}


@dataclass
class StoredFile:
    """One uploaded file, served back at ``url``."""

    id: str
    name: str
    content_type: str
    source: bytes | Callable[[], bytes]  # the bytes, or what makes them at the first read (the demo's music)
    created: float
    folder_id: str | None
    url: str

    @property
    def data(self) -> bytes:
        if callable(self.source):
            self.source = self.source()
        return self.source

    def listing(self) -> dict:
        """The File/Upload ``list`` item (files.md's fields: sizes and times as strings)."""
        return {
            "id": self.id,
            "name": self.name,
            "contenttype": self.content_type,
            "size": str(len(self.data)),
            "parentid": self.folder_id,
            "url": self.url,
            "addedtime": str(int(self.created)),
            "accesskey": self.id.replace("-", "")[:24],
        }


def content_type_for(name: str, declared: str | None = None) -> str:
    """The type the sim serves a file with: from its extension, else what the uploader declared."""
    dot = name.rfind(".")
    ext = name[dot:].lower() if dot >= 0 else ""
    if ext in _TYPES:
        return _TYPES[ext]
    if declared and declared != "application/octet-stream":
        return declared
    return mimetypes.guess_type(name)[0] or "application/octet-stream"


class FileStore:
    """Files by id; ``base_url`` is the sim's root so URLs point back at the sim."""

    def __init__(self, mint: IdMint, base_url: str) -> None:
        self._mint = mint
        self.base_url = base_url
        self.files: dict[str, StoredFile] = {}
        self._reads = itertools.count(1)

    def add(self, name: str, data: bytes | Callable[[], bytes], now: float, *, declared_type: str | None = None,
            folder_id: str | None = None) -> StoredFile:
        """Store bytes (or what makes them when first read) under a new seeded id and return the record."""
        fid = self._mint.uuid()
        safe = name.replace("/", "_").replace("\\", "_") or "upload.bin"
        url = f"{self.base_url}/files/{fid}/{quote(safe)}"
        f = StoredFile(fid, safe, content_type_for(safe, declared_type), data, now, folder_id, url)
        self.files[fid] = f
        return f

    def public_url(self, fid: str) -> str | None:
        """The file's URL recomposed for one read: a fresh access token each time (like Wiro's AES-keyed CDN
        URLs), so the URL is never an identity. Every token keeps working; None when the file is gone."""
        f = self.files.get(fid)
        if f is None:
            return None
        # 20 hex digits drawn from a generator seeded with the file and the read (seeding with text hashes it with
        # SHA-512, built into `random`): hashlib would load OpenSSL's digests, 0.6 MiB of the demo's memory
        token = f"{random.Random(f'{fid}:{next(self._reads)}').getrandbits(80):020x}"
        return f"{f.url}?k={token}"


@dataclass
class FormPart:
    """One part of a multipart body."""

    name: str
    filename: str | None
    content_type: str | None
    data: bytes


def parse_multipart(body: bytes, content_type: str) -> list[FormPart]:
    """Split a multipart/form-data body on its boundary; ValueError when it is not one.

    Done by hand on bytes (not email.parser) so binary audio is passed through untouched. The email package
    reads the headers' parameters; it loads here, with the first upload, not with the demo's simulator.
    """
    from email.message import Message
    from email.utils import collapse_rfc2231_value

    header = Message()
    header["content-type"] = content_type
    if header.get_content_type() != "multipart/form-data":
        raise ValueError("Content-Type must be multipart/form-data")
    boundary = header.get_param("boundary")
    if not boundary or not isinstance(boundary, str):
        raise ValueError("multipart/form-data without a boundary")
    delim = b"--" + boundary.encode("latin-1")
    chunks = body.split(delim)
    if len(chunks) < 3:
        raise ValueError("multipart body has no parts")
    parts = []
    # chunks[0] is the preamble; the final chunk starts with "--" (the closing delimiter).
    for chunk in chunks[1:]:
        if chunk.startswith(b"--"):
            break
        if chunk.startswith(b"\r\n"):
            chunk = chunk[2:]
        head, sep, data = chunk.partition(b"\r\n\r\n")
        if not sep:
            raise ValueError("multipart part without a header block")
        if data.endswith(b"\r\n"):
            data = data[:-2]
        msg = Message()
        for line in head.decode("utf-8", "replace").split("\r\n"):
            key, colon, value = line.partition(":")
            if colon:
                msg[key.strip()] = value.strip()
        name = msg.get_param("name", header="content-disposition")
        filename = msg.get_param("filename", header="content-disposition")
        parts.append(FormPart(
            name=collapse_rfc2231_value(name) if name else "",
            filename=collapse_rfc2231_value(filename) if filename else None,
            content_type=msg.get("content-type"),
            data=data,
        ))
    return parts
