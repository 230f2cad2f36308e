"""The Insights screen's four charts, drawn on textual-plotext `Plot`s from an `Insights` value.

Series colours come from the theme (`SERIES_COLOURS` on the screen); plotext draws the axes in the theme's
foreground on its surface. Only as many x labels are written as fit the chart's width with a space between:
labels that touch are dropped by plotext in an order that changes from run to run (it passes them through a
set), which would make the picture (and its snapshot) differ.
"""

from __future__ import annotations

from typing import Any

#: columns plotext keeps left of the bars (the y axis and its numbers)
Y_AXIS_WIDTH = 8


def _sparse(labels: list[str], width: int) -> list[str]:
    """Every k-th label kept so that kept ones are two columns apart at least, the rest blank."""
    if not labels:
        return labels
    per_bar = max(1.0, (width - Y_AXIS_WIDTH) / len(labels))
    longest = max(len(label) for label in labels)
    step = max(1, -(-(longest + 2) // int(per_bar)))
    return [label if i % step == 0 else "" for i, label in enumerate(labels)]


def _short(bucket: str, hourly: bool) -> str:
    """"2026-12-04 13:00" → "13h", "2026-12-04" → "12-04"."""
    return f"{bucket[11:13]}h" if hourly else bucket[5:10]


def _start(plt: Any) -> None:
    plt.clear_figure()
    plt.clear_data()


def calls(plt: Any, figures: Any, colours: dict[str, Any], width: int) -> None:
    """Calls per hour or day, stacked by outcome."""
    _start(plt)
    hourly = figures.scope.period.step == "hour"
    labels = [_short(p.bucket, hourly) for p in figures.series]
    if not labels:
        return
    plt.stacked_bar(_sparse(labels, width), [[p.reached for p in figures.series], [p.rejected for p in figures.series],
                                      [p.missed for p in figures.series]],
                    labels=["reached", "rejected", "missed"],
                    color=[colours["reached"], colours["rejected"], colours["missed"]], width=0.8)
    plt.ylabel("calls")


def durations(plt: Any, figures: Any, colours: dict[str, Any], width: int) -> None:
    """How many reached calls lasted how long."""
    _start(plt)
    labels = _sparse([label for label, _ in figures.duration_histogram], width)
    plt.bar(labels, [n for _, n in figures.duration_histogram], color=colours["primary"], width=0.7)
    plt.ylabel("calls")


def cost(plt: Any, figures: Any, colours: dict[str, Any], width: int) -> None:
    """Twilio's price and the post-call credits per day, in dollars."""
    _start(plt)
    days = [d.day[5:10] for d in figures.cost_per_day]
    if not days:
        return
    plt.stacked_bar(_sparse(days, width), [[round(d.twilio_usd, 4) for d in figures.cost_per_day],
                                    [round(d.credits_usd, 4) for d in figures.cost_per_day]],
                    labels=["Twilio", "Wiro credits"], color=[colours["primary"], colours["accent"]], width=0.8)
    plt.ylabel("USD")


def countries(plt: Any, figures: Any, colours: dict[str, Any], width: int) -> None:
    """Callers by country, most first."""
    _start(plt)
    if not figures.countries:
        return
    ranked = list(reversed(figures.countries))  # drawn bottom-up: the biggest on top
    plt.bar([c for c, _ in ranked], [n for _, n in ranked], orientation="horizontal", color=colours["primary"],
            width=0.6)
