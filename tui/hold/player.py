"""Local playback through PortAudio (sounddevice), with a playhead and a level meter.

The stream's callback copies the next block and counts frames: that count is the playhead (ALSA plugin
timestamps are 0, so the stream's clock can't be trusted). Pause keeps the stream running and plays
silence, so resuming is instant. Every PortAudio failure becomes `PlaybackUnavailable` with a reason and
what to do instead — never a traceback, and never a wait longer than `OPEN_TIMEOUT`.
"""

from __future__ import annotations

import contextlib
import math
import threading
import time
from collections.abc import Callable
from typing import Any, Self

from .errors import PlaybackUnavailable
from .libs import numpy

OPEN_TIMEOUT = 5.0
EXPORT_HINT = "Export a WAV instead and play it elsewhere."


def sounddevice() -> Any:
    """The sounddevice module, or PlaybackUnavailable when PortAudio (or the module) is missing."""
    try:
        import sounddevice as sd
    except OSError:  # what sounddevice raises when the PortAudio library is not installed
        raise PlaybackUnavailable(
            "no_portaudio",
            "Sound can't play here: the PortAudio library is not installed (Debian/Ubuntu: sudo apt install "
            f"libportaudio2; macOS: brew install portaudio). {EXPORT_HINT}",
        ) from None
    except ImportError:
        raise PlaybackUnavailable("no_portaudio", f"Sound can't play here: sounddevice is not installed. {EXPORT_HINT}") from None
    return sd


def output_problem() -> str | None:
    """None when a default output device exists, else the reason sound can't play (for the UI to show up front)."""
    try:
        _default_output(sounddevice())
    except PlaybackUnavailable as err:
        return err.message
    return None


def _default_output(sd: Any) -> dict:
    try:
        return sd.query_devices(kind="output")
    except (sd.PortAudioError, ValueError):
        raise PlaybackUnavailable(
            "no_device", f"Sound can't play here: this machine has no audio output device. {EXPORT_HINT}"
        ) from None


class Player:
    """Plays int16 mono samples at `rate`. States: stopped, playing, paused, finished, closed.

    play/pause/resume/stop/seek/close may be called from any thread; `position`, `level` and `state`
    are safe to read at any time (a screen polls them for the playhead and the meter).
    """

    def __init__(self, samples: Any, rate: int, *, device: int | str | None = None,
                 on_finished: Callable[[], None] | None = None) -> None:
        """`on_finished` is called (from PortAudio's thread) when the audio has played to its end."""
        np = numpy()
        data = np.ascontiguousarray(samples, dtype=np.int16).reshape(-1)
        self._data = data
        self.rate = int(rate)
        self._device = device
        self._on_finished = on_finished
        self._lock = threading.RLock()
        self._stream: Any = None
        self._frame = 0
        self._paused = False
        self._state = "stopped"
        self._level = 0.0
        self._latency = 0.0  # seconds the device buffers: the playhead is that far behind the callback
        self._done = threading.Event()
        self.first_callback_at: float | None = None  # time.perf_counter() of the first callback, for benchmarks
        self.played_from: float | None = None  # time.perf_counter() when play() was called

    # -- what a screen reads --------------------------------------------------------------------

    @property
    def frames(self) -> int:
        return len(self._data)

    @property
    def duration(self) -> float:
        return self.frames / self.rate

    @property
    def position(self) -> float:
        """Seconds into the audio: frames handed to the device, less what is still queued in it."""
        seconds = self._frame / self.rate
        if self._state in ("playing", "paused"):
            seconds -= self._latency
        return max(0.0, seconds)

    @property
    def level(self) -> float:
        """Peak of the last block, 0..1 (0 while paused or stopped)."""
        return self._level

    @property
    def level_db(self) -> float:
        return 20 * math.log10(self._level) if self._level > 0 else float("-inf")

    @property
    def state(self) -> str:
        return self._state

    # -- controls -------------------------------------------------------------------------------

    def play(self) -> None:
        """Start (or resume) playing; from the start again after stop or the end. Raises PlaybackUnavailable."""
        with self._lock:
            if self._state == "playing":
                return
            if self._state == "paused":
                self.resume()
                return
            if self._state == "finished" or self._frame >= self.frames:
                self._frame = 0
            self.played_from = time.perf_counter()
            self.first_callback_at = None
            self._paused = False
            self._done.clear()
            self._close_stream()
            try:
                stream = self._open()
            except PlaybackUnavailable:
                self._done.set()  # nobody may wait forever for audio that never started
                raise
            self._stream = stream
            self._latency = float(stream.latency or 0.0)
            self._state = "playing"
            try:
                stream.start()
            except (sounddevice().PortAudioError, OSError, ValueError) as err:
                self._close_stream()
                self._state = "stopped"
                self._done.set()
                raise PlaybackUnavailable("device_error", f"Sound can't play: {_reason(err)}. {EXPORT_HINT}") from None

    def pause(self) -> None:
        with self._lock:
            if self._state == "playing":
                self._paused = True
                self._level = 0.0
                self._state = "paused"

    def resume(self) -> None:
        with self._lock:
            if self._state == "paused":
                self._paused = False
                self._state = "playing"

    def toggle(self) -> None:
        """Play/pause, as one key does it."""
        if self._state == "playing":
            self.pause()
        else:
            self.play()

    def stop(self) -> None:
        """Stop now (queued audio dropped) and go back to the start."""
        with self._lock:
            self._close_stream()
            self._frame = 0
            self._level = 0.0
            self._paused = False
            if self._state != "closed":
                self._state = "stopped"
            self._done.set()

    def seek(self, seconds: float) -> None:
        with self._lock:
            self._frame = max(0, min(self.frames, int(seconds * self.rate)))

    def close(self) -> None:
        """Release the device (the screen calls this when it closes, the app when it quits)."""
        with self._lock:
            self._close_stream()
            self._level = 0.0
            self._state = "closed"
            self._done.set()

    def wait(self, timeout: float | None = None) -> bool:
        """Block until playing ends (finished, stopped or closed); False on timeout."""
        return self._done.wait(timeout)

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- PortAudio ------------------------------------------------------------------------------

    def _open(self) -> Any:
        sd = sounddevice()
        if self._device is None:
            _default_output(sd)
        box: dict[str, Any] = {}

        def opener() -> None:
            try:
                box["stream"] = sd.OutputStream(samplerate=self.rate, channels=1, dtype="int16", device=self._device,
                                                callback=self._callback, finished_callback=self._finished)
            except Exception as err:  # noqa: BLE001 - reported below as PlaybackUnavailable
                box["error"] = err

        # A wedged sound server can block PortAudio's open forever: never let that hang the caller.
        thread = threading.Thread(target=opener, name="wiro-voice-audio-open", daemon=True)
        thread.start()
        thread.join(OPEN_TIMEOUT)
        if thread.is_alive():
            raise PlaybackUnavailable("timeout", f"The audio device did not answer within {OPEN_TIMEOUT:g} s. "
                                      f"{EXPORT_HINT}")
        if "error" in box:
            err = box["error"]
            if isinstance(err, (sd.PortAudioError, ValueError)) and self._device is None:
                _default_output(sd)  # the device may have gone since: say so rather than quote PortAudio
            raise PlaybackUnavailable("device_error", f"Sound can't play: {_reason(err)}. {EXPORT_HINT}")
        return box["stream"]

    def _callback(self, outdata: Any, frames: int, time_info: Any, status: Any) -> None:
        if self.first_callback_at is None:
            self.first_callback_at = time.perf_counter()
        if self._paused:
            outdata.fill(0)
            return
        start = self._frame
        end = min(start + frames, len(self._data))
        block = self._data[start:end]
        outdata[: end - start, 0] = block
        self._level = float(numpy().abs(block.astype("int32")).max()) / 32768.0 if len(block) else 0.0
        self._frame = end
        if end - start < frames:
            outdata[end - start:] = 0
            import sounddevice as sd

            raise sd.CallbackStop

    def _finished(self) -> None:
        # PortAudio's thread. No lock here: stop() holds it while PortAudio joins this very thread.
        stream = self._stream
        if self._state == "playing" and self._frame >= len(self._data):
            self._state = "finished"
            self._level = 0.0
            # release the device soon, from another thread (a stream can't be closed from its own callbacks)
            threading.Thread(target=self._release, args=(stream,), name="wiro-voice-audio-close", daemon=True).start()
            if self._on_finished:
                with contextlib.suppress(Exception):  # a listener's bug must not kill the audio thread
                    self._on_finished()
        self._done.set()

    def _release(self, stream: Any) -> None:
        with self._lock:
            if stream is not None and self._stream is stream:
                self._close_stream()

    def _close_stream(self) -> None:
        stream, self._stream = self._stream, None
        if stream is None:
            return
        with contextlib.suppress(Exception):  # a broken stream must still be released
            stream.abort()
        with contextlib.suppress(Exception):
            stream.close()


def _reason(err: BaseException) -> str:
    text = str(err).strip() or type(err).__name__
    return text[0].lower() + text[1:] if text else "unknown error"
