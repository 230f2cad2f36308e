"""The hold timeline: what plays when, a level strip (in decibels), the 5–8 s connect window and a moving playhead.

Drawn as one render of four lines (no child widgets), so moving the playhead ten times a second is cheap.
The render's data (segments, envelope) is plain values computed once per render job.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from rich.text import Text
from textual.widget import Widget

from ..colours import theme_colour

BLOCKS = " ▁▂▃▄▅▆▇█"
KIND_COLOURS = {"speech": "accent", "greeting": "primary", "voice": "accent", "music": "secondary", "silence": ""}
KIND_MARKS = {"speech": "▆", "greeting": "▆", "voice": "▆", "music": "▄", "silence": "·"}


@dataclass(frozen=True)
class TimelineData:
    duration: float
    segments: tuple  # of tui.hold.render.Segment
    envelope: tuple[float, ...]  # peak 0..1 per column, computed for `columns`
    columns: int
    connect: tuple[float, float] = (5.0, 8.0)


class Timeline(Widget):
    DEFAULT_CSS = """
    Timeline { height: 4; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._data: TimelineData | None = None
        self._position: float | None = None

    def show(self, data: TimelineData | None) -> None:
        self._data = data
        self._position = None
        self.refresh()

    def move_playhead(self, seconds: float | None) -> None:
        if seconds != self._position:
            self._position = seconds
            self.refresh()

    @property
    def columns_wanted(self) -> int:
        return max(10, self.size.width or 80)

    def render(self) -> Text:
        data = self._data
        width = max(10, self.size.width)
        if data is None or data.duration <= 0:
            return Text("Nothing rendered yet.", style="dim")
        per_column = data.duration / width
        colours = {kind: theme_colour(self.app, var) if var else "" for kind, var in KIND_COLOURS.items()}
        window_colour = theme_colour(self.app, "warning")
        envelope = [_db_scale(v) for v in _fit(data.envelope, width)]
        bar, wave = Text(), Text()
        axis: list[tuple[str, str]] = []
        for x in range(width):
            t = (x + 0.5) * per_column
            segment = next((s for s in data.segments if s.start <= t < s.end), None)
            kind = segment.kind if segment else "silence"
            style = colours.get(kind, "") or "dim"
            bar.append(KIND_MARKS.get(kind, "▆"), style=style)
            wave.append(BLOCKS[min(len(BLOCKS) - 1, round(envelope[x] * (len(BLOCKS) - 1)))], style=style)
            inside = data.connect[0] <= t < data.connect[1]
            axis.append(("━", window_colour) if inside else ("─", "dim"))
        for x, label in _second_marks(data.duration, width):
            for i, char in enumerate(label):
                axis[x + i] = (char, axis[x + i][1])
        axis_text = Text()
        for char, style in axis:
            axis_text.append(char, style=style)
        head = Text()
        if self._position is not None:
            x = min(width - 1, int(self._position / per_column))
            head.append(" " * x + "▲", style="bold")
            head.append(f" {self._position:4.1f} s" if x < width - 8 else "", style="bold")
        else:
            head.append("the agent answers somewhere in the ━ stretch (~5–8 s)", style="dim")
        return Text("\n").join([bar, wave, axis_text, head])


DB_FLOOR = -48.0  # the strip spans -48..0 dBFS, so quiet music still shows next to speech


def _db_scale(peak: float) -> float:
    """A peak 0..1 placed on the strip's decibel scale, 0..1."""
    if peak <= 0:
        return 0.0
    return max(0.0, min(1.0, 1 - 20 * math.log10(peak) / DB_FLOOR))


def _fit(values: tuple[float, ...], width: int) -> list[float]:
    """`values` resampled to `width` columns, keeping each column's peak."""
    if not values:
        return [0.0] * width
    n = len(values)
    return [max(values[x * n // width: max(x * n // width + 1, (x + 1) * n // width)]) for x in range(width)]


def _second_marks(duration: float, width: int) -> list[tuple[int, str]]:
    """(column, "2s") marks along the axis, spaced so they never touch."""
    step = 1 if duration <= 10 else 2 if duration <= 20 else 5
    marks = []
    t = step
    while t < duration:
        x = int(t / duration * width)
        label = f"{t:g}s"
        if x + len(label) < width and (not marks or x > marks[-1][0] + len(marks[-1][1])):
            marks.append((x, label))
        t += step
    return marks
