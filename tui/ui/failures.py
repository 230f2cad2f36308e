"""The one place where a failed worker becomes a notification instead of a crash.

Every worker runs with `exit_on_error=False`; screens mix this in. An unexpected exception's text is not
shown (it may quote a secret): only its type, with the details in Textual's log.
"""

from __future__ import annotations

from textual.worker import Worker, WorkerState

from ..wiro.errors import WiroError


def describe_failure(error: BaseException) -> str:
    if isinstance(error, WiroError):
        return error.message
    return f"Unexpected {type(error).__name__}. The app keeps running; details are in the Textual log."


class ReportsWorkerFailures:
    """Mixin for screens (and the app): notify when one of their workers fails."""

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state == WorkerState.ERROR and event.worker.error is not None:
            self.app.notify(describe_failure(event.worker.error), title="Something failed", severity="error", timeout=10)  # type: ignore[attr-defined]
