"""A scripted loopback HTTP server for the contract tests: NOT the simulator.

It knows no rules. Each test scripts, per path, the answers Wiro's (or Twilio's) docs describe, and the
server plays them in order (the last one repeats) while recording every request: its path, headers, JSON
body or multipart parts. So a test can serve exactly a documented payload variant and then assert both
what the user saw and what the client sent.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from email.parser import BytesParser
from email.policy import HTTP
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

UNKNOWN_PATH = {"result": False, "errors": [{"code": 0, "message": "Error parsing url."}]}


@dataclass(frozen=True)
class Reply:
    status: int = 200
    body: Any = None  # a JSON value, or bytes sent as they are
    headers: tuple[tuple[str, str], ...] = ()


@dataclass
class Part:
    name: str
    value: bytes
    filename: str | None = None
    content_type: str | None = None

    @property
    def text(self) -> str:
        return self.value.decode("utf-8", "replace")


@dataclass
class Recorded:
    method: str
    path: str  # without the query, e.g. "/v1/UserAgent/Detail"
    query: dict[str, list[str]]
    headers: dict[str, str]
    raw: bytes
    json: Any = None
    parts: dict[str, Part] = field(default_factory=dict)

    @property
    def endpoint(self) -> str:
        """The path relative to /v1/ ("UserAgent/Detail"), or the whole path for anything else."""
        return self.path[len("/v1/"):] if self.path.startswith("/v1/") else self.path


def _parts(content_type: str, raw: bytes) -> dict[str, Part]:
    message = BytesParser(policy=HTTP).parsebytes(f"Content-Type: {content_type}\r\n\r\n".encode() + raw)
    found: dict[str, Part] = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if not name:
            continue
        payload = part.get_payload(decode=True) or b""
        found[name] = Part(name, payload, part.get_filename(), part.get_content_type())
    return found


class ScriptedServer:
    """`reply(path, body)` scripts an answer; `requests` records what came. Paths are given relative to
    /v1/ for Wiro ("UserAgent/Detail") or absolute for anything else ("/twilio/2010-04-01/…")."""

    def __init__(self) -> None:
        self._script: dict[str, list[Reply]] = {}
        self._lock = threading.Lock()
        self.requests: list[Recorded] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *_args: Any) -> None:  # quiet
                pass

            def _handle(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                raw = self.rfile.read(length) if length else b""
                parts = urlsplit(self.path)
                recorded = Recorded(self.command, parts.path, parse_qs(parts.query),
                                    {k.lower(): v for k, v in self.headers.items()}, raw)
                ctype = self.headers.get("content-type") or ""
                if ctype.startswith("application/json") and raw:
                    try:
                        recorded.json = json.loads(raw)
                    except ValueError:
                        pass
                elif ctype.startswith("multipart/form-data"):
                    recorded.parts = _parts(ctype, raw)
                reply = server._next(parts.path, recorded)
                body = reply.body
                data = body if isinstance(body, bytes) else json.dumps(body).encode()
                self.send_response(reply.status)
                headers = dict(reply.headers)
                headers.setdefault("Content-Type", "application/json")
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = _handle

        self._http = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._http.daemon_threads = True
        self.port = self._http.server_address[1]
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.wiro_base = self.base_url + "/v1"
        self.twilio_base = self.base_url + "/twilio"
        self._thread = threading.Thread(target=self._http.serve_forever, kwargs={"poll_interval": 0.02},
                                        name="scripted-server", daemon=True)

    # -- scripting ----------------------------------------------------------------------------------

    @staticmethod
    def _key(path: str) -> str:
        return path if path.startswith("/") else "/v1/" + path

    def reply(self, path: str, body: Any = None, *, status: int = 200, headers: Iterable[tuple[str, str]] = (),
              then: Iterable[Any] = ()) -> ScriptedServer:
        """Answer `path` with `body` (then each of `then`, in order; the last answer repeats). A later call for
        the same path replaces its script."""
        replies = [Reply(status, body, tuple(headers))] + [Reply(200, b) if not isinstance(b, Reply) else b for b in then]
        with self._lock:
            self._script[self._key(path)] = replies
        return self

    def _next(self, path: str, recorded: Recorded) -> Reply:
        with self._lock:
            self.requests.append(recorded)
            queue = self._script.get(path) or self._script.get(path.lower())
            if not queue:
                lowered = {k.lower(): v for k, v in self._script.items()}
                queue = lowered.get(path.lower())
            if not queue:
                return Reply(404, UNKNOWN_PATH)
            return queue.pop(0) if len(queue) > 1 else queue[0]

    # -- reading what came ----------------------------------------------------------------------------

    def to(self, path: str) -> list[Recorded]:
        """The requests made to `path` (relative to /v1/, or absolute), in order."""
        key = self._key(path).lower()
        with self._lock:
            return [r for r in self.requests if r.path.lower() == key]

    def endpoints(self) -> list[str]:
        """Every request's endpoint, in order ("UserAgent/Detail", …)."""
        with self._lock:
            return [r.endpoint for r in self.requests]

    # -- lifecycle --------------------------------------------------------------------------------------

    def start(self) -> ScriptedServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._http.shutdown()
        self._http.server_close()

    def __enter__(self) -> ScriptedServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
