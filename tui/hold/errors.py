"""The two ways hold audio can refuse: bad input (say which field and what to do) and no way to play."""

from __future__ import annotations


class HoldError(Exception):
    """Input that can't be rendered. `field` names the credential field (or option) at fault, `kind` the reason.

    kinds: missing, unreadable, empty, too_big, not_audio, undecodable (from the probe), download, strategy,
    text, window, duck, length, export.
    """

    def __init__(self, message: str, *, field: str = "", kind: str = "input") -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.kind = kind


class PlaybackUnavailable(Exception):
    """This machine can't play sound now. `reason` is one of: no_portaudio, no_device, device_error, timeout.

    The message says why and what to do instead (export a WAV); it never carries a traceback.
    """

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message
