"""Recent calls on the Overview: counts, then the latest sessions in columns sized to the width."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Callable

from textual.content import Content
from textual.geometry import Region
from textual.markup import escape
from textual.widget import Widget

from ...calls.catalog import (
    caller_label,
    duration_text,
    end_reason_label,
    status_group,
    status_label,
)
from ...calls.stats import StripFigures, strip_figures

if TYPE_CHECKING:
    from ...wiro.models import CallSession

LATEST = 6
GROUP_COLOURS = {"incoming": "call-incoming", "active": "call-active", "rejected": "call-rejected", "ended": "call-ended"}


class RecentCalls(Widget):
    DEFAULT_CSS = "RecentCalls { height: auto; }"

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._sessions: tuple[CallSession, ...] = ()
        self._figures: StripFigures | None = None
        self._local: Callable[[float], datetime] = datetime.fromtimestamp
        self._lines: list[Content] = []  # as last drawn

    @property
    def sessions(self) -> tuple[CallSession, ...]:
        """The sessions last shown, newest first."""
        return self._sessions

    def show(self, sessions: tuple[CallSession, ...], now_ms: int, local: Callable[[float], datetime]) -> None:
        """Show `sessions` (newest first) as of `now_ms`. Only the lines that changed are repainted (a call in
        progress has its duration move on; the rest stays), and the screen is laid out again only when the
        number of lines changes: an unchanged answer writes nothing to the terminal."""
        self._sessions, self._local = sessions, local
        self._figures = strip_figures(sessions, now_ms) if sessions else None
        before, self._lines = self._lines, self._make_lines(self.size.width or 100)
        if len(before) != len(self._lines):
            self.refresh(layout=True)
            return
        width = self.size.width
        changed = [Region(0, y, width, 1) for y, (old, new) in enumerate(zip(before, self._lines)) if old != new]
        if changed:
            self.refresh(*changed)

    def plain(self) -> str:
        return self.render().plain

    def render(self) -> Content:
        self._lines = self._make_lines(self.size.width or 100)
        return Content("\n").join(self._lines)

    def _make_lines(self, width: int) -> list[Content]:
        sessions, c = self._sessions, self._figures
        if not sessions or c is None:
            return [Content("No calls yet. Once the agent runs, dial one of its numbers to place a test call.")]
        summary = (
            f"[$call-active]{c.talking} active[/] · [$call-incoming]{c.incoming} preparing[/] · "
            f"[$call-ended]{c.ended} ended[/] · [$call-rejected]{c.rejected} rejected[/]"
            f"   ({c.last_hour} in the last hour, of the last {c.calls})"
        )
        notes = []
        if c.max_duration:
            notes.append(f"{c.max_duration} hit the max call length")
        if c.errors:
            notes.append(f"{c.errors} ended in an agent error")
        summary += "   [dim](c: every call)[/dim]"
        lines = [Content.from_markup(summary)]
        if notes:
            lines.append(Content(" · ".join(notes)))
        lines.append(Content(""))
        lines.extend(self._session_line(s, width) for s in sessions[:LATEST])
        return lines

    def _session_line(self, session: CallSession, width: int) -> Content:
        started = f"{self._local(session.started_at_ms / 1000):%H:%M:%S}" if session.started_at_ms else "--:--:--"
        group = status_group(session.status)
        what = end_reason_label(session.end_reason) if group == "ended" else status_label(session.status)
        duration = duration_text(session.duration_seconds)
        what_width = 24 if width >= 80 else 18
        caller_width = min(44, max(10, width - 8 - what_width - 7 - 6))
        colour = GROUP_COLOURS.get(group, "foreground")
        caller = Content(_fit(caller_label(session), caller_width))
        state = Content.from_markup(f"[${colour}]{escape(_fit(what, what_width))}[/]")
        return Content(f"{started}  ") + caller + Content("  ") + state + Content(f"  {duration}")


def _fit(text: str, width: int) -> str:
    """Clip to `width` cells (with an ellipsis) and pad to it, so the columns line up."""
    text = text if len(text) <= width else text[: max(0, width - 1)] + "…"
    return text.ljust(width)
