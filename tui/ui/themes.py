"""Themes: the bundled TOML files and the user's, read into Textual `Theme`s with every problem collected.

A theme file holds the fields of `textual.theme.Theme` (only `primary` is required) and an optional
`[variables]` table: Textual's own variables and the app's colours (see `theme_vars.py`), which a theme may
leave out. A file that cannot be used is skipped with errors; a single bad variable is dropped with a
warning, so the rest of the theme still applies. Nothing here runs at import time. (The value types are
NamedTuples, not dataclasses: this module loads before the first frame, where a dataclass costs ~0.4 ms.)
"""

from __future__ import annotations

import difflib
import re
import tomllib
from pathlib import Path
from typing import Any, NamedTuple

from textual.color import Color, ColorParseError
from textual.css.constants import VALID_STYLE_FLAGS
from textual.design import ColorSystem
from textual.theme import BUILTIN_THEMES, Theme

from ..problems import Problem, error, warning
from .theme_vars import APP_COLOUR_DEFAULTS

DEFAULT_THEME = "wiro-dark"

COLOUR_FIELDS = (
    "primary", "secondary", "warning", "error", "success", "accent",
    "foreground", "background", "surface", "panel", "boost",
)
FLAG_FIELDS = ("dark", "ansi")
#: fractions, and the range in which they still give readable text
NUMBER_FIELDS = {"luminosity_spread": (0.0, 1.0), "text_alpha": (0.0, 1.0)}
KNOWN_KEYS = ("name", *COLOUR_FIELDS, *FLAG_FIELDS, *NUMBER_FIELDS, "variables")

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
_VARIABLE = re.compile(r"^[a-z][a-z0-9-]*$")
_COLOUR_WITH_ALPHA = re.compile(r"^(?P<colour>.+?)(?:\s+(?P<alpha>\d{1,3}(?:\.\d+)?)%)?$")
#: CSS words Textual accepts where a variable stands for a colour
_COLOUR_KEYWORDS = {"auto", "initial"}
#: Textual 8.2.8's ANSI colour system leaves these out, yet its own default CSS uses them: a theme with
#: `ansi = true` would stop the app at start. The values are what that colour system means elsewhere.
_ANSI_GAPS = {"foreground-disabled": "ansi_default 50%"}


class ThemeFile(NamedTuple):
    """One usable theme and where it came from ("bundled" or "user")."""

    theme: Theme
    origin: str
    path: Path

    @property
    def name(self) -> str:
        return self.theme.name


class ThemeCatalog(NamedTuple):
    """Every usable theme (bundled first, then the user's), and the problems met reading the files.

    Each problem's `field` is the file it is about.
    """

    files: tuple[ThemeFile, ...]
    problems: tuple[Problem, ...] = ()
    #: only some bundled files were read (the one to start with): the rest come with `load_catalog()` later
    partial: bool = False

    def get(self, name: str) -> ThemeFile | None:
        """The theme called `name` (a user theme replaces a bundled one of the same name)."""
        found = [f for f in self.files if f.name == name]
        return found[-1] if found else None

    def names(self) -> list[str]:
        """Theme names in listing order, each once."""
        return list(dict.fromkeys(f.name for f in self.files))

    def effective(self) -> list[ThemeFile]:
        """The theme that wins for each name, in listing order."""
        found = (self.get(name) for name in self.names())
        return [f for f in found if f is not None]

    def all_names(self) -> list[str]:
        """Every name `--theme` accepts: ours, the user's, then Textual's built-in themes."""
        return list(dict.fromkeys([*self.names(), *BUILTIN_THEMES]))

    def report(self) -> str | None:
        """All problems as one message, grouped by file; None when there were none."""
        if not self.problems:
            return None
        by_file: dict[str, list[Problem]] = {}
        for problem in self.problems:
            by_file.setdefault(problem.field, []).append(problem)
        parts = []
        for path, problems in by_file.items():
            skipped = any(p.blocks for p in problems)
            verdict = "not used" if skipped else "used, without the values below"
            lines = "\n".join(f"• {p.message}" for p in problems)
            parts.append(f"{path} ({verdict}):\n{lines}")
        return "\n".join(parts)


def bundled_themes_dir() -> Path:
    """Where the bundled theme files are: inside the installed package, else the source checkout's `themes/`."""
    package = Path(__file__).resolve().parents[1]
    installed = package / "themes_data"  # the wheel force-includes themes/ here (see pyproject.toml)
    return installed if installed.is_dir() else package.parent / "themes"


def user_themes_dir(config_path: Path) -> Path:
    """The user's theme folder: `themes/` beside the config file."""
    return Path(config_path).expanduser().parent / "themes"


def load_catalog(user_dir: Path | None = None, bundled_dir: Path | None = None, *,
                 only: str | None = None) -> ThemeCatalog:
    """Read the bundled themes, then the user's `*.toml` files (a missing folder is fine).

    `only`: read just the bundled file of that name (and every user file, which may define any name): enough
    to start with, and ~1 ms a theme less before the first frame. The catalog is then `partial`.
    """
    files: list[ThemeFile] = []
    problems: list[Problem] = []
    sources = [("bundled", bundled_dir or bundled_themes_dir())]
    if user_dir is not None:
        sources.append(("user", user_dir))
    for origin, folder in sources:
        paths = _theme_paths(folder, origin, problems)
        if only is not None and origin == "bundled":
            paths = [p for p in paths if p.stem == only]
        for path in paths:
            theme, found = read_theme_file(path)
            problems.extend(found)
            if theme is not None:
                files.append(ThemeFile(theme, origin, path))
    return ThemeCatalog(tuple(files), tuple(problems), partial=only is not None)


def _theme_paths(folder: Path, origin: str, problems: list[Problem]) -> list[Path]:
    try:
        return sorted(p for p in folder.glob("*.toml") if p.is_file())
    except OSError as exc:
        if origin == "user" and not folder.exists():
            return []
        problems.append(error(f"Cannot read the theme folder: {exc.strerror or exc}.", str(folder)))
        return []


def read_theme_file(path: Path) -> tuple[Theme | None, list[Problem]]:
    """One theme file: the theme (None when the file cannot be used) and its problems."""
    where = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        return None, [error(f"Cannot read it: {exc.strerror or exc}.", where)]
    except UnicodeDecodeError:
        return None, [error("It is not UTF-8 text. Save it as UTF-8.", where)]
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        return None, [error(f"It is not valid TOML: {exc}.", where)]
    return parse_theme(data, default_name=path.stem, where=where)


def parse_theme(data: dict[str, Any], *, default_name: str, where: str = "") -> tuple[Theme | None, list[Problem]]:
    """Check a theme's values and build it. Errors make it unusable; a bad variable is only dropped."""
    problems: list[Problem] = []
    for key in data:
        if key not in KNOWN_KEYS:
            close = difflib.get_close_matches(key, KNOWN_KEYS, n=1)
            hint = f' Did you mean "{close[0]}"?' if close else f" Known keys: {', '.join(KNOWN_KEYS)}."
            problems.append(error(f'Unknown key "{key}".{hint}', where))

    name = data.get("name", default_name)
    if not isinstance(name, str) or not _NAME.match(name):
        problems.append(error(f'"name" must be a short name of letters, digits, "-", "_" or "." (got {name!r}).', where))

    fields: dict[str, Any] = {}
    if "primary" not in data:
        problems.append(error('"primary" is missing: every theme needs at least a primary colour.', where))
    for key in COLOUR_FIELDS:
        if key in data:
            message = colour_problem(data[key])
            if message:
                problems.append(error(f'"{key}": {message}', where))
            else:
                fields[key] = data[key].strip()
    for key in FLAG_FIELDS:
        if key in data:
            if isinstance(data[key], bool):
                fields[key] = data[key]
            else:
                problems.append(error(f'"{key}" must be true or false (no quotes), not {data[key]!r}.', where))
    for key, (low, high) in NUMBER_FIELDS.items():
        if key in data:
            value = data[key]
            if isinstance(value, (int, float)) and not isinstance(value, bool) and low <= value <= high:
                fields[key] = float(value)
            else:
                problems.append(error(f'"{key}" must be a number from {low:g} to {high:g}, not {value!r}.', where))

    variables, variable_problems = _check_variables(data.get("variables", {}), where)
    problems.extend(variable_problems)
    if any(p.blocks for p in problems):
        return None, problems

    if fields.get("ansi"):
        for key, value in _ansi_gaps().items():
            variables.setdefault(key, value)
    theme = Theme(name=name, variables=variables, **fields)
    try:
        theme.to_color_system().generate()
    except Exception as exc:  # noqa: BLE001 - Textual's colour maths on odd input: report, never crash
        return None, [*problems, error(f"Textual could not make colours from it ({type(exc).__name__}: {exc}).", where)]
    return theme, problems


def _check_variables(table: Any, where: str) -> tuple[dict[str, str], list[Problem]]:
    if not isinstance(table, dict):
        return {}, [error('"variables" must be a table: a [variables] section of name = "value" lines.', where)]
    variables: dict[str, str] = {}
    problems: list[Problem] = []
    for key, value in table.items():
        if not _VARIABLE.match(key):
            problems.append(warning(f'Variable "{key}" ignored: names are lower-case words joined by "-".', where))
            continue
        if not isinstance(value, str):
            problems.append(warning(f'Variable "{key}" ignored: its value must be text in quotes, not {value!r}.', where))
            continue
        if key.endswith("-style"):
            message = style_problem(value)
        else:
            message = colour_problem(value, alpha=True, keywords=True)
            if not message and key in APP_COLOUR_DEFAULTS and _is_ansi(value):
                message = (f'{value!r} is an ANSI colour, and the dashboard tints its own colours, which ANSI '
                           f'colours cannot be. Use a colour name or hex (e.g. "{APP_COLOUR_DEFAULTS[key]}").')
        if message:
            problems.append(warning(f'Variable "{key}" ignored: {message}', where))
            continue
        if key not in APP_COLOUR_DEFAULTS:
            close = difflib.get_close_matches(key, APP_COLOUR_DEFAULTS, n=1, cutoff=0.8)
            if close:  # probably a typo of one of ours: it would silently do nothing
                problems.append(warning(f'Variable "{key}" is not one of the app\'s colours. Did you mean "{close[0]}"?', where))
        variables[key] = value.strip()
    return variables, problems


def colour_problem(value: Any, *, alpha: bool = False, keywords: bool = False) -> str | None:
    """Why `value` is not a colour Textual can use, or None when it is."""
    hint = 'Use a colour name ("steelblue"), hex ("#1E90FF"), rgb(30,144,255) or an ANSI name ("ansi_blue").'
    if not isinstance(value, str) or not value.strip():
        return f"expected a colour in quotes, not {value!r}. {hint}"
    match = _COLOUR_WITH_ALPHA.match(value.strip()) if alpha else None
    colour = match.group("colour") if match else value.strip()
    if match and match.group("alpha") and float(match.group("alpha")) > 100:
        return f"{value!r}: the percentage must be at most 100%."
    if keywords and colour in _COLOUR_KEYWORDS:
        return None
    try:
        Color.parse(colour)
    except ColorParseError:
        return f"{value!r} is not a colour. {hint}"
    return None


def style_problem(value: str) -> str | None:
    """Why `value` is not a text style (e.g. "bold", "b reverse", "none"), or None when it is."""
    words = value.split()
    bad = [w for w in words if w not in VALID_STYLE_FLAGS]
    if not words or bad:
        return f"{value!r} is not a text style. Use words from: {', '.join(sorted(VALID_STYLE_FLAGS))}."
    return None


def _is_ansi(value: str) -> bool:
    match = _COLOUR_WITH_ALPHA.match(value.strip())
    colour = match.group("colour") if match else value
    try:
        return Color.parse(colour).ansi is not None
    except ColorParseError:
        return False


def _ansi_gaps() -> dict[str, str]:
    """Variables an ANSI theme lacks but Textual's CSS needs (computed, so a newer Textual needs no edit)."""
    full = ColorSystem(primary="dodgerblue", dark=True).generate()
    ansi = ColorSystem(primary="ansi_blue", dark=True, ansi=True).generate()
    return {key: _ANSI_GAPS.get(key, "transparent") for key in full.keys() - ansi.keys()}


class ThemeStart(NamedTuple):
    """The theme to start with, and the one notification to show about themes (None when all is well)."""

    catalog: ThemeCatalog
    name: str
    message: str | None = None


def start_theme(catalog: ThemeCatalog, wanted: str | None) -> ThemeStart:
    """Pick the theme for `wanted` (from --theme or the config); on any problem, the default and why."""
    parts = [catalog.report()]
    name = wanted or DEFAULT_THEME
    if name not in catalog.all_names():
        broken = {Path(p.field).stem for p in catalog.problems if p.blocks}
        if name in broken:
            parts.append(f'The theme "{name}" could not be used (see above): using {DEFAULT_THEME} instead.')
        else:
            parts.append(f"{unknown_theme_message(name, catalog)} Using {DEFAULT_THEME} for now.")
        name = DEFAULT_THEME
    message = "\n".join(p for p in parts if p) or None
    return ThemeStart(catalog, name, message)


def unknown_theme_message(wanted: str, catalog: ThemeCatalog) -> str:
    """Says there is no such theme, names a close one and lists the choices."""
    names = catalog.all_names()
    close = difflib.get_close_matches(wanted, names, n=1)
    hint = f' Did you mean "{close[0]}"?' if close else ""
    ours = ", ".join(catalog.names()) or "none"
    textual = ", ".join(n for n in BUILTIN_THEMES if n not in catalog.names())
    return f'There is no theme "{wanted}".{hint} Choose one of: {ours}; or one of Textual\'s: {textual}.'


def register_catalog(app: Any, catalog: ThemeCatalog, *, skip: set[str] | frozenset[str] = frozenset()) -> None:
    """Register every usable theme with `app` (a Textual App), but those named in `skip` (registered already)."""
    for item in catalog.effective():
        if item.name not in skip:
            app.register_theme(item.theme)


def describe(item: ThemeFile) -> str:
    """A few words on a theme's kind: dark or light, and ANSI when it uses the terminal's own colours."""
    kind = "dark" if item.theme.dark else "light"
    return f"{kind}, terminal ANSI colours" if item.theme.ansi else kind


def listing(catalog: ThemeCatalog, active: str) -> dict[str, Any]:
    """The catalog as one JSON-ready document (for `wiro-voice themes --json`)."""
    return {
        "active": active,
        "themes": [
            {"name": f.name, "origin": f.origin, "dark": f.theme.dark, "ansi": f.theme.ansi,
             "path": str(f.path), "active": f.name == active}
            for f in catalog.effective()
        ],
        "textual": [n for n in BUILTIN_THEMES if n not in catalog.names()],
        "problems": [{"file": p.field, "level": p.level, "message": p.message} for p in catalog.problems],
    }


def listing_text(catalog: ThemeCatalog, active: str, user_dir: Path) -> str:
    """The catalog as text: one line a theme, `*` on the active one, then where user themes go and any problems."""
    items = catalog.effective()
    width = max((len(f.name) for f in items), default=10)
    lines = []
    for f in items:
        mark = "*" if f.name == active else " "
        where = f"  {f.path}" if f.origin == "user" else ""
        lines.append(f"{mark} {f.name:<{width}}  {f.origin:<7}  {describe(f)}{where}")
    textual = [n for n in BUILTIN_THEMES if n not in catalog.names()]
    if active in textual:
        lines.append(f"* {active} (one of Textual's own)")
    lines.append(f"Textual's own themes work too: {', '.join(textual)}.")
    lines.append(f"Your themes: {user_dir}/*.toml (copy a bundled file to start; only `primary` is required).")
    lines.append("Pick one with --theme NAME, or in the dashboard: Ctrl+P, \"theme\" (remembered in the config).")
    report = catalog.report()
    if report:
        lines.append("Problems:\n" + report)
    return "\n".join(lines)
