"""Delivering alert events: a line on stderr, and the `--on-alert` command with the alert as JSON on stdin and
in WIRO_VOICE_ALERT_* environment variables (so `mail`, `ntfy`, `logger` or a webhook script can use it).

The command runs through `/bin/sh -c` (pipes and arguments work as typed), one event at a time in the order
they happened, in a background task: a slow or failing hook never holds up polling. A hook still running
after `timeout` seconds is stopped (its whole process group) and reported; a non-zero exit is reported with
the last line it wrote on stderr. The hook's environment is the watcher's minus the secrets (the Wiro API key
and secret, the Twilio Auth Token): a script that logs its environment cannot leak them.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TextIO

from ..common.masking import scrub_tokens
from .alerts import AlertEvent

#: never passed to the hook
SECRET_VARIABLES = ("WIRO_API_KEY", "WIRO_API_SECRET", "TWILIO_AUTH_TOKEN")
#: events waiting for a slow hook beyond this are dropped (and counted) rather than piling up
QUEUE_LIMIT = 200


def alert_environment(event: AlertEvent) -> dict[str, str]:
    """The WIRO_VOICE_ALERT_* variables of one event (empty strings for what it does not have)."""
    doc = event.to_json()
    names = {"state": "STATE", "id": "ID", "rule": "RULE", "severity": "SEVERITY", "title": "TITLE",
             "detail": "DETAIL", "fix": "FIX", "agent": "AGENT", "agent_title": "AGENT_TITLE", "since": "SINCE",
             "at": "AT", "count": "COUNT"}
    out = {}
    for key, suffix in names.items():
        value = doc.get(key)
        text = "" if value is None else (f"{value:.0f}" if isinstance(value, float) else str(value))
        out[f"WIRO_VOICE_ALERT_{suffix}"] = text.replace("\x00", "")
    return out


@dataclass(frozen=True)
class HookOutcome:
    """How one run of the hook went: `ok`, else `problem` in words."""

    ok: bool
    problem: str | None = None


class AlertDelivery:
    """Prints each event on `stderr` and, with a command, runs it per event in order. Start with `start()`
    (inside the event loop), hand events to `submit()`, and `aclose()` to deliver what is queued."""

    def __init__(self, command: str | None = None, *, timeout: float = 10.0, stderr: TextIO | None = None,
                 env: Mapping[str, str] | None = None) -> None:
        self.command = command.strip() if command and command.strip() else None
        self.timeout = timeout
        self.stderr = stderr if stderr is not None else sys.stderr
        base = dict(os.environ if env is None else env)
        self._env = {k: v for k, v in base.items() if k not in SECRET_VARIABLES}
        self._queue: asyncio.Queue[AlertEvent | None] | None = None
        self._task: asyncio.Task | None = None
        self.delivered = 0
        self.failed = 0
        self.dropped = 0

    def start(self) -> None:
        if self.command is not None and self._task is None:
            self._queue = asyncio.Queue()
            self._task = asyncio.get_running_loop().create_task(self._worker(), name="wiro-voice-alert-hook")

    def submit(self, events: list[AlertEvent]) -> None:
        """Say each event on stderr now; queue it for the hook (never waits)."""
        for event in events:
            self._say(event.line())
            if self._queue is None:
                continue
            if self._queue.qsize() >= QUEUE_LIMIT:
                self.dropped += 1
                self._say(f"alert hook: {self._queue.qsize()} alerts are waiting for it; dropped {event.alert.key} "
                          f"({event.kind})")
                continue
            self._queue.put_nowait(event)

    async def aclose(self, wait: float | None = None) -> None:
        """Deliver what is queued (each run still bounded by the timeout), then stop. `wait` bounds the
        whole drain; what is left then is dropped with a line on stderr."""
        if self._task is None or self._queue is None:
            return
        self._queue.put_nowait(None)
        try:
            await asyncio.wait_for(asyncio.shield(self._task), wait)
        except asyncio.TimeoutError:
            self._task.cancel()
            left = self._queue.qsize()
            self._say(f"alert hook: stopped with {left} alert{'s' if left != 1 else ''} undelivered")
        self._task = None

    async def _worker(self) -> None:
        assert self._queue is not None
        while True:
            event = await self._queue.get()
            if event is None:
                return
            outcome = await self.run(event)
            if outcome.ok:
                self.delivered += 1
            else:
                self.failed += 1
                self._say(f"alert hook: {outcome.problem} (alert {event.alert.key}, {event.kind}); the watcher "
                          "goes on")

    async def run(self, event: AlertEvent) -> HookOutcome:
        """Run the command once for `event` and say how it went. Never raises."""
        if self.command is None:
            return HookOutcome(True)
        payload = json.dumps(event.to_json(), ensure_ascii=False).encode() + b"\n"
        env = {**self._env, **alert_environment(event)}
        try:
            proc = await asyncio.create_subprocess_shell(
                self.command, stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.DEVNULL,
                stderr=asyncio.subprocess.PIPE, env=env, start_new_session=True)
        except OSError as exc:
            return HookOutcome(False, f"could not start {self.command!r}: {exc.strerror or exc}")
        try:
            _, err = await asyncio.wait_for(proc.communicate(payload), self.timeout)
        except asyncio.TimeoutError:
            _kill_group(proc)
            await proc.wait()
            return HookOutcome(False, f"{self.command!r} was still running after {self.timeout:g} s and was stopped")
        except (BrokenPipeError, ConnectionResetError):
            err = await proc.stderr.read() if proc.stderr else b""
            await proc.wait()
        if proc.returncode == 0:
            return HookOutcome(True)
        last = _last_line(err)
        said = f": {last}" if last else ""
        how = f"exit status {proc.returncode}" if proc.returncode > 0 else f"signal {-proc.returncode}"
        return HookOutcome(False, f"{self.command!r} failed ({how}){said}")

    def _say(self, text: str) -> None:
        try:
            print(text, file=self.stderr, flush=True)
        except (OSError, ValueError):
            pass  # a closed stderr must not stop the watcher


def _kill_group(proc: asyncio.subprocess.Process) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        try:
            proc.kill()
        except ProcessLookupError:
            pass


def _last_line(data: bytes | None) -> str:
    lines = [line.strip() for line in (data or b"").decode("utf-8", "replace").splitlines() if line.strip()]
    if not lines:
        return ""
    text = scrub_tokens(lines[-1])
    return text if len(text) <= 200 else text[:199] + "…"
