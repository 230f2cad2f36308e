"""A theme variable as a colour Rich understands (tables render their cells with Rich)."""

from __future__ import annotations

from textual.app import App
from textual.color import Color, ColorParseError


def theme_colour(app: App, variable: str) -> str:
    """`#rrggbb` for a theme variable (the app's own defaults fill in what a theme leaves out), or ""."""
    value = app.theme_variables.get(variable) or app.get_theme_variable_defaults().get(variable, "")
    try:
        return Color.parse(value).hex if value else ""
    except ColorParseError:
        return ""
