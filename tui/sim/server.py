"""HTTP routing: Wiro under /v1, Twilio under /twilio, uploaded files under /files; faults first.

Standard library only: socketserver's threading server, and HTTP/1.1 from http1.py (http.server's handler would
bring http.client and the email package, 1.4 MiB of the demo's memory). The handler finds the running Simulator
as ``self.server.sim``.
"""

from __future__ import annotations

import json
import selectors
import socket
import socketserver
import sys
import threading
import traceback
from typing import TYPE_CHECKING
from urllib.parse import unquote

from . import auth, twilio_api, wiro_api
from .files import MAX_UPLOAD_BYTES
from .http1 import Http1Handler

if TYPE_CHECKING:
    from .simulator import Simulator

_PARSE_URL = {"result": False, "errors": [{"code": 0, "message": "Error parsing url."}]}
_BODY_LIMIT = MAX_UPLOAD_BYTES + 1024 * 1024  # the upload plus its multipart framing


class SimServer(socketserver.ThreadingTCPServer):
    """A threading server that knows its Simulator."""

    daemon_threads = True
    allow_reuse_address = True
    # socketserver's default backlog of 5 drops bursts of connects (a 1 s SYN retry each).
    request_queue_size = 128

    def __init__(self, address: tuple[str, int], sim: Simulator) -> None:
        self.sim = sim
        self._open: set[socket.socket] = set()
        self._open_lock = threading.Lock()
        self._leaving = False
        self._wake_read, self._wake_write = socket.socketpair()
        super().__init__(address, SimHandler)

    def serve(self) -> None:
        """Answer until `leave()`: socketserver's serve_forever, but asleep until a connection or `leave()`
        arrives. serve_forever wakes on a timer to notice shutdown(): 50 times a second at the 20 ms a prompt
        stop needs, each time taking the interpreter's lock from the dashboard (measured idle: 22.7 ms of CPU in
        5 s that way, 0.1 ms this way)."""
        with selectors.DefaultSelector() as selector:
            selector.register(self, selectors.EVENT_READ)
            selector.register(self._wake_read, selectors.EVENT_READ)
            while not self._leaving:
                for key, _events in selector.select():
                    if key.fileobj is self and not self._leaving:
                        self._handle_request_noblock()  # socketserver's own: accept, then a thread per connection
                self.service_actions()

    def leave(self) -> None:
        """Make `serve()` return at once (from any thread)."""
        self._leaving = True
        try:
            self._wake_write.send(b"x")
        except OSError:
            pass

    def server_close(self) -> None:
        super().server_close()
        self._wake_read.close()
        self._wake_write.close()

    def server_bind(self) -> None:
        """Bind, and say where (without a reverse lookup of the name, as http.server's would: on loopback the name
        is known, and the lookup loads the resolver and the IDNA codec, 0.25-0.4 MiB, ~1 ms)."""
        super().server_bind()
        self.server_name, self.server_port = self.server_address[:2]

    def track(self, connection: socket.socket, is_open: bool) -> None:
        """Remember the connections being served, so stopping can hang them up."""
        with self._open_lock:
            (self._open.add if is_open else self._open.discard)(connection)

    def close_connections(self) -> None:
        """Hang up every connection still open, keep-alive ones included: a stopped simulator answers nothing
        (otherwise a client's pooled connection would still be served by its handler thread)."""
        with self._open_lock:
            connections = list(self._open)
        for connection in connections:
            try:
                connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


class SimHandler(Http1Handler):
    """One connection; HTTP/1.1 keep-alive like the real APIs."""

    protocol_version = "HTTP/1.1"
    server_version = "wiro-voice-sim/1.0"
    timeout = 60  # idle keep-alive connections give their thread back after this
    server: SimServer

    def setup(self) -> None:
        super().setup()
        self.server.track(self.connection, True)
        # Headers and body go out in two writes; without NODELAY, Nagle + delayed ACK add ~40 ms.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            self.server.track(self.connection, False)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - signature from the base class
        if self.server.sim.log_requests:
            sys.stderr.write(f"sim: {self.address_string()} {format % args}\n")

    def do_GET(self) -> None:
        self._dispatch("GET")

    def do_HEAD(self) -> None:
        self._dispatch("HEAD")

    def do_POST(self) -> None:
        self._dispatch("POST")

    def do_PUT(self) -> None:
        self._dispatch("PUT")

    def do_DELETE(self) -> None:
        self._dispatch("DELETE")

    def do_PATCH(self) -> None:
        self._dispatch("PATCH")

    # -- plumbing -------------------------------------------------------------------------------

    def _read_body(self) -> bytes | None:
        """The request body, or None when it is larger than the sim accepts."""
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            chunks, total = [], 0
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    return b"".join(chunks)
                total += size
                if total > _BODY_LIMIT:
                    return None
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
        length = int(self.headers.get("Content-Length") or 0)
        if length > _BODY_LIMIT:
            return None
        return self.rfile.read(length) if length > 0 else b""

    def _send(self, status: int, body: bytes, content_type: str, headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _json(self, status: int, payload: dict, headers: dict[str, str] | None = None) -> None:
        self._send(status, json.dumps(payload).encode(), "application/json; charset=utf-8", headers)

    def _hang_up(self) -> None:
        """Close the connection without sending a byte."""
        self.close_connection = True
        try:
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    # -- dispatch -------------------------------------------------------------------------------

    def _dispatch(self, method: str) -> None:
        try:
            with self.server.sim.requests.active():
                self._route(method)
        except (ConnectionError, TimeoutError):
            self.close_connection = True
        except Exception:  # a simulator bug: say so loudly, answer 500, keep serving
            traceback.print_exc()
            self.close_connection = True
            try:
                self._json(500, wiro_api.failure("internal simulator error"))
            except OSError:
                pass

    def _route(self, method: str) -> None:
        sim = self.server.sim
        path, _, query = self.path.partition("?")
        body = self._read_body()
        if body is None:
            self.close_connection = True  # the unread body makes the connection unusable
            self._json(413, wiro_api.failure("Request body too large (maximum 100 MB)"))
            return
        is_wiro = path == "/v1" or path.startswith("/v1/")
        is_twilio = path.startswith("/twilio/")
        fault = sim.faults.roll() if is_wiro or is_twilio else None
        sim.requests.record(method, path, fault)
        if fault not in (None, "partial") and self._fault(fault, is_twilio):
            return
        if is_wiro:
            self._wiro(method, path, body, fault)
        elif is_twilio:
            status, headers, payload = twilio_api.handle(
                sim.world, sim.inflight, method, path[len("/twilio"):], query,
                self.headers.get("Authorization"), body)
            self._json(status, payload, headers)
        elif path.startswith("/files/") and method in ("GET", "HEAD"):
            self._file(path)
        elif path == "/" and method in ("GET", "HEAD"):
            self._json(200, {"simulator": "wiro-voice", "wiro_base": sim.wiro_base, "twilio_base": sim.twilio_base,
                             "api_shape": sim.api_shape, "voice_url": sim.voice_url})
        else:
            self._send(404, b"Not found\n", "text/plain; charset=utf-8")

    def _wiro(self, method: str, path: str, body: bytes, fault: str | None) -> None:
        world = self.server.sim.world
        key = path.rstrip("/").lower()
        route = wiro_api.ROUTES.get(key)
        public = wiro_api.PUBLIC_ROUTES.get(key)
        multipart = wiro_api.MULTIPART_ROUTES.get(key)
        if method != "POST" or (route is None and public is None and multipart is None):
            self._json(404, _PARSE_URL)
            return
        project = auth.Project()
        if public is None:
            who = auth.identify(self.headers)
            if isinstance(who, auth.Refused):
                self._json(who.status, wiro_api.failure(who.message))
                return
            project = who
        ctx = wiro_api.Ctx(project, fault)
        if multipart is not None:
            with world.lock:
                status, answer = wiro_api.respond_multipart(world, multipart, body,
                                                           self.headers.get("Content-Type") or "", ctx)
            self._json(status, answer)
            return
        try:
            data = json.loads(body) if body.strip() else {}
        except (ValueError, UnicodeDecodeError) as e:
            self._json(200, wiro_api.failure(f"Invalid JSON body: {e}"))
            return
        if not isinstance(data, dict):
            self._json(200, wiro_api.failure("Request body must be a JSON object"))
            return
        with world.lock:
            status, answer = wiro_api.respond_json(world, route or public, data, ctx)
        self._json(status, answer)

    def _file(self, path: str) -> None:
        world = self.server.sim.world
        parts = path.split("/", 3)  # "", "files", id, name
        with world.lock:
            f = world.files.files.get(parts[2]) if len(parts) == 4 else None
        if f is None or unquote(parts[3]) != f.name:
            self._send(404, b"Not found\n", "text/plain; charset=utf-8")
            return
        self._send(200, f.data, f.content_type, {"Cache-Control": "public, max-age=3600"})

    def _fault(self, kind: str | None, twilio: bool) -> bool:
        """Apply an injected fault; True when it replaced the normal answer."""
        sim = self.server.sim
        if kind is None:
            return False
        if kind in ("500", "503"):
            status = int(kind)
            text = "Internal Server Error" if status == 500 else "Service Unavailable"
            if sim.faults.choice(["html", "json"]) == "html":
                page = f"<html><head><title>{status} {text}</title></head><body><h1>{text}</h1></body></html>\n"
                self._send(status, page.encode(), "text/html; charset=utf-8")
            elif twilio:
                self._json(status, twilio_api.error(status, 20000 + status, text))
            else:
                self._json(status, wiro_api.failure(text))
        elif kind == "429":
            payload = (twilio_api.error(429, 20429, "Too Many Requests") if twilio
                       else wiro_api.failure("Too many requests, please slow down"))
            self._json(429, payload, {"Retry-After": "1"})
        elif kind == "garbage":
            # Valid start, cut mid-string: a parser must fail, not return half an object.
            cut = (b'{"incoming_phone_numbers": [{"sid": "PN6f1c' if twilio
                   else b'{"result": true, "errors": [], "data": [{"messageguid": "5c41dabf-f2be-')
            self._send(200, cut, "application/json; charset=utf-8")
        elif kind == "html":
            page = ("<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1>"
                    "</center><hr><center>nginx</center></body></html>\n")
            self._send(502, page.encode(), "text/html; charset=utf-8")
        elif kind == "timeout":
            # Hold the request, then leave without answering; stop() wakes held requests early.
            sim.stopping.wait(sim.timeout_hold)
            self._hang_up()
        elif kind == "drop":
            self._hang_up()
        return True
