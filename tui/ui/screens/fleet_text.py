"""What the Fleet screen writes in each cell, as plain text (no Textual here, so it is tested on its own)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ...common.text import give_way, plural

if TYPE_CHECKING:
    from ...doctor.findings import Finding
    from ...watch.alerts import Alert
    from ...watch.fleet import AgentView

#: (column id, heading, width; None = what is left, cut with an ellipsis). The credits and the doctor's whole
#: finding are in the line under the table for the highlighted agent; from 140 columns everything shows, and a
#: narrower terminal gets the columns that fit (`table_columns`).
COLUMNS: tuple[tuple[str, str, int | None], ...] = (
    ("agent", "Agent", 20),
    ("status", "Status", 31),
    ("now", "Now", 3),
    ("hour", "Last hour", 15),
    ("last", "Last call", 9),
    ("webhooks", "Webhooks", 22),
    ("doctor", "Doctor's worst finding", None),
)
MIN_REST = 12
#: When the columns do not all fit, they give way in this order: (column, 0) drops it, (column, n) narrows it to
#: n cells. The line under the table keeps the highlighted agent's whole status and the doctor's finding.
GIVE_WAY: tuple[tuple[str, int], ...] = (("status", 24), ("agent", 16), ("last", 0), ("doctor", 0),
                                         ("status", 16), ("agent", 14), ("webhooks", 20), ("hour", 0))
#: what a column costs beyond its text (a space either side), and the room kept for the scrollbar
PADDING, SCROLLBAR = 2, 2


def table_columns(width: int) -> tuple[tuple[str, str, int], ...]:
    """(column id, heading, text width) that fit a table `width` cells wide, in display order: the doctor's
    column takes what is left over (at least MIN_REST) once the others fit."""
    widths = {column: size or MIN_REST for column, _title, size in COLUMNS}
    spare = give_way(widths, width - SCROLLBAR, GIVE_WAY, PADDING)
    if "doctor" in widths:
        widths["doctor"] += max(0, spare)
    return tuple((column, title, widths[column]) for column, title, _size in COLUMNS if column in widths)

#: the status's meaning in a few words, for the table (the row's detail line gives the whole sentence)
SHORT_MEANINGS = {
    0: "not answering",
    1: "shutting down",
    2: "queued to start",
    3: "booting",
    4: "answering",
    5: "crashed",
    6: "no credentials",
}
MARKS = {"error": "✖", "warning": "!", "info": "·"}


def status_text(view: AgentView) -> str:
    if view.status is None:
        return "unknown"
    meaning = SHORT_MEANINGS.get(view.status)
    return f"{view.status_name} — {meaning}" if meaning else view.status_name


def hour_text(view: AgentView) -> str:
    if view.calls_last_hour is None:
        return "—"
    text = plural(view.calls_last_hour, "call")
    return f"{text}, {view.rejections_last_hour} rej." if view.rejections_last_hour else text


def ago_text(epoch: float | None, now: float) -> str:
    if epoch is None:
        return "never"
    seconds = max(0.0, now - epoch)
    if seconds < 60:
        return "just now"
    if seconds < 3600:
        return f"{seconds // 60:.0f} min ago"
    if seconds < 86400:
        return f"{seconds // 3600:.0f} h ago"
    return f"{seconds // 86400:.0f} d ago"


def webhooks_text(view: AgentView) -> str:
    """"3 of 5 ring (Twilio)", "5 updated (last save)", "not checked"."""
    states = dict(view.webhooks)
    total = sum(states.values())
    if view.webhook_source == "twilio":
        good = states.get("wiro_ok", 0)
        return f"{'all ' if good == total else ''}{good} of {total} ring (Twilio)" if total else "no numbers"
    if view.webhook_source == "last_save":
        if "error" in states:
            return "last save failed"
        good = states.get("updated", 0)
        return f"{good} of {total} updated (last save)"
    return "not checked"


def credits_text(view: AgentView) -> str:
    return "not known" if view.remaining_credits is None else str(view.remaining_credits)


def doctor_text(finding: Finding | None, known: bool) -> str:
    if not known:
        return "…"
    if finding is None:
        return "✓ nothing to fix"
    return f"{MARKS.get(finding.severity, '·')} {finding.title}"


def fit(text: str, width: int | None) -> str:
    """`text` cut to `width` cells with an ellipsis (the table would crop it silently)."""
    if width is None or len(text) <= width:
        return text
    return text[: max(0, width - 1)] + "…"


def row_cells(view: AgentView, finding: Finding | None, known: bool, now: float,
              widths: dict[str, int | None] | None = None) -> dict[str, str]:
    """Every column's text for one agent (by column id), each cut to its width."""
    cells = {
        "agent": view.title,
        "status": status_text(view),
        "now": "—" if view.calls_active is None else str(view.calls_active),
        "hour": hour_text(view),
        "last": ago_text(view.last_call_at, now),
        "webhooks": webhooks_text(view),
        "doctor": doctor_text(finding, known),
    }
    sizes = widths or {}
    return {column: fit(text, sizes.get(column)) for column, text in cells.items()}


def detail_text(view: AgentView, finding: Finding | None) -> str:
    """The line under the table for the highlighted agent: the status's meaning, what failed, the fix."""
    parts = [f"{view.title}: {view.status_meaning}", f"Credits left: {credits_text(view)}."]
    parts += list(view.problems)
    if finding is not None:
        parts.append(f"Doctor: {finding.title}. {finding.fix}".rstrip())
    return "  ".join(parts)


def alert_line(alert: Alert, since: float | None, clock_text: str) -> str:
    when = f" (since {clock_text})" if since is not None else ""
    return f"{alert.severity.upper():8} {alert.title}{when}"


def alerts_heading(count: int) -> str:
    return f"Alerts: {plural(count, 'alert')} holding" if count else "Alerts: none holding"
