"""Heavy audio libraries, imported on first use only (the dashboard must start without them)."""

from __future__ import annotations

import threading
import warnings
from typing import Any

_lock = threading.Lock()


def numpy() -> Any:
    import numpy as np

    return np


def pydub() -> Any:
    """pydub, imported with its two import-time warnings silenced.

    It warns when ffmpeg is missing (we never ask it to run ffmpeg: miniaudio decodes) and about the
    deprecated `audioop`; under `python -W error` either would be fatal.
    """
    # catch_warnings changes process-wide state: one importer at a time
    with _lock, warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*audioop.*", category=DeprecationWarning)
        warnings.filterwarnings("ignore", message="Couldn't find ff", category=RuntimeWarning)
        import pydub as module
        import pydub.silence  # leading-silence detection for the checks
    return module


def miniaudio() -> Any:
    import miniaudio as module

    return module
