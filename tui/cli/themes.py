"""`wiro-voice themes [--json]`: the bundled themes and the user's, `*` marking the one in use.

Exit 0; 1 when a user theme file has problems (they are listed).
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, Any, TextIO

from . import common

if TYPE_CHECKING:
    from ..config import Settings


def add_parsers(subparsers: Any) -> None:
    """Register `themes`."""
    themes = subparsers.add_parser("themes", help="list the themes (bundled and yours); * marks the one in use")
    themes.add_argument("--config", metavar="PATH", default=argparse.SUPPRESS, help="config file (its folder holds themes/)")
    themes.add_argument("--theme", metavar="NAME", default=argparse.SUPPRESS, help="mark this theme as the one in use")
    themes.add_argument("--json", action="store_true", help="one JSON document on stdout")


def list_themes(settings: Settings, *, wanted: str | None = None, as_json: bool = False, out: TextIO) -> int:
    """List the themes for `settings` (whose folder holds the user's); `wanted` (--theme) is marked in use,
    and refused with the choices when unknown (CliError)."""
    from ..ui.themes import listing, listing_text, start_theme, user_themes_dir  # Textual: only tui/ui imports it

    catalog = common.theme_catalog(settings, wanted)
    active = start_theme(catalog, settings.theme).name
    common.emit(listing(catalog, active), listing_text(catalog, active, user_themes_dir(settings.config_path)),
                as_json=as_json, out=out)
    return common.EXIT_PROBLEMS if catalog.problems else common.EXIT_OK


def run(args: argparse.Namespace) -> int:
    """`themes` from parsed options."""
    settings = common.settings_from(args)
    return list_themes(settings, wanted=getattr(args, "theme", None), as_json=bool(args.json), out=sys.stdout)
