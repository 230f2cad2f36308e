"""The app's local call history: one place where what the screens fetched is recorded, off the event loop.

Mixed into the app. `history` opens the file beside the config (the demo's, in a temporary folder removed on
exit, so the simulator's calls never mix with real ones). `record_history()` is the one call site the screens'
fetch workers use; the write runs in a thread and its outcome sets the app's `history_problem` (shown in the
header, e.g. "history: disk full, not recording"), and a damaged file moved aside is said once.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tempfile import TemporaryDirectory

    from ..history.keeper import History, WriteOutcome


class KeepsHistory:
    """The history for an app with `settings`, `demo`, `clock`, a `history_problem` reactive and `notify`."""

    _history: History | None = None
    _history_folder: TemporaryDirectory | None = None
    _history_lock = threading.Lock()  # the history is opened from worker threads

    @property
    def history(self) -> History:
        with self._history_lock:
            return self._open_history()

    def _open_history(self) -> History:
        if self._history is None:
            from ..history.keeper import History
            from ..history.store import history_path

            settings: Any = self.settings  # type: ignore[attr-defined]
            if self.demo:  # type: ignore[attr-defined]
                import tempfile

                self._history_folder = tempfile.TemporaryDirectory(prefix="wiro-voice-demo-")
                path = history_path(data_dir=self._history_folder.name)
            else:
                path = history_path(settings.config_path)
            self._history = History(path, retention_days=settings.history_days,
                                    clock=lambda: self.clock())  # type: ignore[attr-defined]
        return self._history

    async def record_history(self, kind: str, rows: Any, agent_guid: str | None = None) -> WriteOutcome | None:
        """Record rows a screen fetched ("sessions", "reasons", "calls", "credits") in a thread (opening the
        file and importing the history code there too, off the event loop); never raises."""
        import asyncio

        def write() -> WriteOutcome:
            from ..history.feed import record_now

            return record_now(self.history, kind, rows, agent_guid)

        try:
            outcome = await asyncio.to_thread(write)
        except Exception as err:  # the history must never take a screen down
            self.log.error("recording the history failed", err)  # type: ignore[attr-defined]
            return None
        self.history_reported(outcome.problem)
        return outcome

    def history_reported(self, problem: Any) -> None:
        """Show the history's latest problem in the header (None clears it) and say one-off notices."""
        self.history_problem = problem  # type: ignore[attr-defined]
        if self._history is not None:
            for notice in self._history.take_notices():
                self.notify(notice, title="Call history", severity="warning", timeout=15)  # type: ignore[attr-defined]

    def close_history(self) -> None:
        """Close the file (and remove the demo's folder); the next use opens the right one for the settings."""
        with self._history_lock:
            history, self._history = self._history, None
        if history is not None:
            history.close()
        folder, self._history_folder = self._history_folder, None
        if folder is not None:
            folder.cleanup()
        self.history_problem = None  # type: ignore[attr-defined]
