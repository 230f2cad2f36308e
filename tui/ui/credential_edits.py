"""The app's credential edits (`app.credential_edits`): the model of `tui.credential.edits`, plus what only an
app can do with it — write the drafts a moment after the last edit, in a thread, and say when that fails.

Made on first use, by `edits_of(app)` (the Overview never needs it, so the first frame does not pay for it).
Credentials and Hold read and write it; the app asks `unsaved()` before quitting and calls `keep_all()` on the
way out (None there means nothing was ever edited).
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any, Iterable

from ..credential.edits import CredentialEdits as EditsModel

if TYPE_CHECKING:
    from textual.timer import Timer

DRAFT_DELAY = 1.0  # seconds of quiet before a draft is written


class CredentialEdits(EditsModel):
    """Every agent's unsaved credential edits, owned by the app; drafts follow them to disk (0600, no token)."""

    def __init__(self, app: Any) -> None:
        super().__init__()
        self._app = app
        self._timer: Timer | None = None
        self._writing = asyncio.Lock()

    def _bump(self, edits: Any, *, write: bool = True) -> None:
        super()._bump(edits, write=write)
        if write:
            self._schedule()

    def _schedule(self) -> None:
        if self._timer is not None:
            self._timer.stop()
        self._timer = self._app.set_timer(DRAFT_DELAY, self._write_soon)

    def _write_soon(self) -> None:
        self._timer = None
        self._app.run_worker(self.write_now(), group="credential-drafts", exit_on_error=False)

    async def write_now(self, guids: Iterable[str] | None = None) -> None:
        """Write the drafts that are behind the edits now, off the event loop (one write at a time, in order)."""
        async with self._writing:
            jobs = self.take_jobs(guids)
            if not jobs:
                return
            failures = await asyncio.to_thread(self.write_jobs, jobs, self._app.settings.config_path,
                                               self._app.clock())
        self._report(failures)

    def keep_all(self) -> None:
        """Write every draft that is behind its edits now, synchronously: the app is about to exit."""
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        self._report(self.write_jobs(self.take_jobs(), self._app.settings.config_path, self._app.clock()))

    def _report(self, failures: list[tuple[Any, OSError]]) -> None:
        for path, err in failures:
            self._app.notify(f"Could not keep a draft in {path.parent}: {err.strerror or err}", severity="warning")


def edits_of(app: Any) -> CredentialEdits:
    """The app's credential edits (made here if the app has none yet: apps built for a single screen's test)."""
    edits = getattr(app, "credential_edits", None)
    if edits is None:
        edits = CredentialEdits(app)
        app.credential_edits = edits
    return edits
