"""Words for the Hold screen (no widgets)."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Iterable

from textual.markup import escape

from ...common.text import printable
from ...hold.player import EXPORT_HINT
from .credentials_text import STRATEGY_OPTIONS  # noqa: F401 — the same six choices, worded once

#: where the render's inputs came from when the app's credential edits hold unsaved changes
EDITS_ORIGIN = "your unsaved edits on Credentials"
KIND_WORDS = {"speech": "spoken text", "greeting": "greeting", "music": "music", "silence": "silence", "voice": "voice"}


def inputs_from(draft: Any, origin: str, factory: Any) -> Any:
    """The render inputs from a credential draft (strategy "" counts as none)."""
    return factory(strategy=(draft.holdstrategy or "none").strip(), text=draft.holdtext, voice=draft.holdvoice.strip(),
                   audio=draft.holdaudio.strip(), music=draft.holdmusic.strip(), origin=origin)


def source_line(inputs: Any, override: str | None) -> str:
    line = f"From {escape(inputs.origin)}: strategy [b]{escape(inputs.strategy)}[/b]"
    if override and override != inputs.strategy:
        line += f" — previewing [b]{escape(override)}[/b] instead (set it on Credentials to keep it)"
    return line


def settings_line(strategy: str, window: float, phone_line: bool) -> str:
    line = "phone line: 300–3400 Hz, 8 kHz µ-law, as callers hear it" if phone_line else "full band (not what callers hear)"
    return f"Window {window:g} s (\\[ and ] change it) · {line} (p toggles)"


def segments_text(result: Any) -> str:
    lines = []
    for s in result.segments:
        what = KIND_WORDS.get(s.kind, s.kind)
        source = f" · {escape(printable(s.source))}" if s.source else ""
        detail = f" ({escape(printable(s.detail))})" if s.detail else ""
        lines.append(f"{s.start:5.1f}–{s.end:5.1f} s  {what}{source}{detail}")
    return "\n".join(lines)


def notes_text(notes: Iterable[Any]) -> str:
    return "\n".join(f"{'✖' if n.blocks else '⚠'} {escape(printable(n.message))}" for n in notes)


def no_sound_line(reason: str, export_key: str = "x") -> str:
    """Sound can't play here (the README: "the Hold screen says so and writes a WAV instead"): the reason, and
    the key that writes the WAV."""
    reason = reason.replace(EXPORT_HINT, "").strip()  # the player's "export instead" is said here, with the key
    return f"🔇 {escape(reason)} Press [b]{escape(export_key)}[/b] to write the preview as a WAV instead."


def player_hint() -> str:
    return "Space plays · s stops · x writes a WAV · m premixes a voice over music"


def player_line(state: str, position: float, duration: float, level: float, segment: Any) -> str:
    meter_width = 20
    filled = min(meter_width, round(level * meter_width))
    meter = "█" * filled + "░" * (meter_width - filled)
    now = f" · {escape(KIND_WORDS.get(segment.kind, segment.kind))}" if segment is not None and state == "playing" else ""
    words = {"playing": "▶ playing", "paused": "⏸ paused", "finished": "■ finished", "stopped": "■ stopped"}
    return f"{words.get(state, state)}  {position:4.1f} / {duration:.1f} s  level {meter}{now}"


def render_summary(result: Any) -> str:
    return f"{result.describe()}, {result.duration:.1f} s"


def export_path(folder: Path, result: Any) -> Path:
    band = "phone" if result.phone_line else "full"
    return folder / f"hold-preview-{result.strategy}-{result.window:g}s-{band}.wav"


def premix_summary(mixed: Any, written: Path) -> str:
    return f"Premix written to {written} ({mixed.duration:.1f} s, voice with the music {mixed.duck_db:g} dB under it)."
