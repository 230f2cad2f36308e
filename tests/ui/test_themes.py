"""Themes: the bundled files, user files (good and broken), the palette's switch, the config, the CLI."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import settings as hyp_settings
from hypothesis import strategies as st
from rich.color import Color as RichColor
from rich.color import ColorSystem as RichColorSystem
from textual.color import Color
from textual.command import CommandPalette
from textual.widgets import Input

from tui.cli import main
from tui.config import load_settings
from tui.ui.app import WiroVoiceApp
from tui.ui.theme_vars import APP_COLOUR_DEFAULTS
from tui.ui.themes import (
    COLOUR_FIELDS,
    DEFAULT_THEME,
    KNOWN_KEYS,
    bundled_themes_dir,
    load_catalog,
    parse_theme,
    read_theme_file,
)

from .helpers import demo_app, settle

SIZE = (120, 40)
BUNDLED = sorted(p.stem for p in bundled_themes_dir().glob("*.toml"))


def theme_notes(app) -> list[str]:
    return [n.message for n in app._notifications if n.title == "Themes"]


def write_theme(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.toml"
    path.write_text(text, encoding="utf-8")
    return path


def luminance(colour: Color) -> float:
    def channel(c: int) -> float:
        c = c / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    return 0.2126 * channel(colour.r) + 0.7152 * channel(colour.g) + 0.0722 * channel(colour.b)


def contrast(a: Color, b: Color) -> float:
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


# -- the bundled files ----------------------------------------------------------------------------


def test_bundled_themes_are_a_dark_default_a_light_one_and_a_high_contrast_one():
    catalog = load_catalog()
    assert catalog.problems == ()
    assert {"wiro-dark", "wiro-light", "wiro-high-contrast"} <= set(catalog.names()) == set(BUNDLED)
    assert DEFAULT_THEME == "wiro-dark" and catalog.get("wiro-dark").theme.dark
    assert not catalog.get("wiro-light").theme.dark
    contrast_theme = catalog.get("wiro-high-contrast").theme
    assert contrast_theme.ansi
    # the base colours are the terminal's own 16, so a 16-colour terminal shows them as they are
    for field in COLOUR_FIELDS:
        assert Color.parse(getattr(contrast_theme, field)).ansi is not None, field


def test_high_contrast_status_colours_stay_distinct_and_visible_on_16_colours():
    theme = load_catalog().get("wiro-high-contrast").theme
    standard = {}
    for name in APP_COLOUR_DEFAULTS:
        rgb = Color.parse(theme.variables[name])
        assert rgb.ansi is None, f"{name} must be RGB so it can be tinted"
        standard[name] = RichColor.from_rgb(rgb.r, rgb.g, rgb.b).downgrade(RichColorSystem.STANDARD).number
    assert 0 not in standard.values()  # nothing drawn black on the black background
    for group in (("call-incoming", "call-active", "call-rejected", "call-ended"),
                  ("webhook-ok", "webhook-skipped", "webhook-failed"), ("live", "stale")):
        assert len({standard[name] for name in group}) == len(group), group


@pytest.mark.parametrize("name", ["wiro-dark", "wiro-light"])
def test_app_colours_read_against_the_background(name):
    """Status text must stand out from the page: at least 3:1 (WCAG's floor for large text and UI parts)."""
    theme = load_catalog().get(name).theme
    variables = theme.to_color_system().generate()
    for key in APP_COLOUR_DEFAULTS:
        colour = Color.parse(theme.variables.get(key, APP_COLOUR_DEFAULTS[key]))
        for ground in ("background", "surface"):
            assert contrast(colour, Color.parse(variables[ground])) >= 3.0, (key, ground)


# -- reading files: every problem said, nothing crashes -------------------------------------------


def test_problems_are_collected_and_say_what_to_do(tmp_path):
    path = write_theme(tmp_path, "bad", 'primay = "#123456"\nsecondary = "blurple"\ndark = "yes"\ntext_alpha = 3\n')
    theme, problems = read_theme_file(path)
    assert theme is None
    messages = " | ".join(p.message for p in problems)
    assert 'Did you mean "primary"?' in messages
    assert '"primary" is missing' in messages
    assert "'blurple' is not a colour" in messages and "ansi_blue" in messages
    assert '"dark" must be true or false' in messages
    assert '"text_alpha" must be a number from 0 to 1' in messages
    assert all(p.field == str(path) for p in problems)


def test_a_bad_variable_is_dropped_with_a_warning_and_the_theme_still_loads():
    theme, problems = parse_theme(
        {"primary": "#336699", "variables": {
            "call-active": "not-a-colour", "demo": "ansi_magenta", "stale": "red 40%",
            "block-cursor-text-style": "bold sparkly", "call-actve": "green", "Bad Name": "red",
            "webhook-ok": 12,
        }},
        default_name="half",
    )
    assert theme is not None and theme.name == "half"
    assert all(p.level == "warning" for p in problems)
    assert theme.variables == {"stale": "red 40%", "call-actve": "green"}
    text = " | ".join(p.message for p in problems)
    assert 'Variable "call-active" ignored' in text
    assert 'Variable "demo" ignored' in text and "ANSI" in text  # the app tints its own colours
    assert 'Variable "block-cursor-text-style" ignored' in text
    assert 'Did you mean "call-active"?' in text
    assert 'Variable "Bad Name" ignored' in text and 'Variable "webhook-ok" ignored' in text


def test_an_ansi_theme_gets_the_variables_textual_leaves_out():
    theme, problems = parse_theme({"primary": "ansi_blue", "ansi": True}, default_name="tty")
    assert problems == []
    assert {"ansi-background", "ansi-foreground", "surface-active", "foreground-disabled"} <= theme.variables.keys()


toml_values = st.one_of(
    st.text(max_size=20), st.integers(), st.floats(allow_nan=False), st.booleans(),
    st.sampled_from(["#123456", "ansi_red", "steelblue", "rgb(1,2,3)", "red 50%", "bold", "auto 80%", ""]),
    st.lists(st.integers(), max_size=3),
)


@hyp_settings(max_examples=150, deadline=None)
@given(st.dictionaries(st.one_of(st.sampled_from(KNOWN_KEYS), st.text(max_size=8)), toml_values, max_size=8),
       st.dictionaries(st.text(max_size=12), toml_values, max_size=5))
def test_any_theme_data_gives_a_theme_or_problems_never_an_exception(data, variables):
    data = {**data, "variables": variables} if variables else data
    theme, problems = parse_theme(data, default_name="generated")
    assert (theme is None) == any(p.blocks for p in problems)
    if theme is not None:
        theme.to_color_system().generate()


# -- in the app -----------------------------------------------------------------------------------


@pytest.mark.parametrize("name", BUNDLED)
async def test_each_bundled_theme_registers_and_draws_the_overview(sim, sim_settings, name):
    app = demo_app(sim, sim_settings, theme=name)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        assert name in app.available_themes and app.current_theme.name == name
        assert f"-theme-{name}" in app.classes
        assert APP_COLOUR_DEFAULTS.keys() <= app.theme_variables.keys()
        assert theme_notes(app) == []
        assert "Running" in str(app.screen.query_one("#agent-info").render())
    assert not sim_settings.config_path.exists()  # starting with a theme writes nothing


async def choose_in_palette(app, pilot, theme: str) -> None:
    """What a user does: Ctrl+P, the "app: theme" command, then the theme's name."""
    for query in ("app: theme", theme):
        if not isinstance(app.screen, CommandPalette):
            await pilot.press("ctrl+p")
            await pilot.pause()
        app.screen.query_one(Input).value = query
        await pilot.pause(0.3)  # the palette searches as you type, after a short debounce
        await pilot.press("enter")
        await settle(app, pilot)


async def test_switching_theme_recolours_the_apps_own_colours(sim, sim_settings):
    app = WiroVoiceApp(sim_settings.with_(agent=sim.demo_agent_guid), sim=sim, clock=sim.now)  # demo: banner shown
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        banner = app.screen.query_one("#demo-banner")
        assert banner.display
        before_var, before_banner = app.theme_variables["demo"], banner.styles.background
        await choose_in_palette(app, pilot, "wiro-light")
        assert app.theme == "wiro-light"
        light = load_catalog().get("wiro-light").theme
        assert app.theme_variables["demo"] == light.variables["demo"] != before_var
        assert banner.styles.background != before_banner
        # the Calls table draws its status cells with Rich: a new theme must repaint them too
        await pilot.press("c")
        await settle(app, pilot)
        table = app.screen.query_one("#calls-table")
        row = next(key for key, r in app.screen._rows.items() if r.group == "ended")
        light_ended = str(table.get_cell(row, "status").style)
        await choose_in_palette(app, pilot, "wiro-high-contrast")
        contrast_ended = str(table.get_cell(row, "status").style)
        assert Color.parse(light.variables["call-ended"]).hex.lower() in light_ended.lower()
        assert contrast_ended != light_ended
        assert Color.parse("silver").hex.lower() in contrast_ended.lower()  # the high-contrast "ended"


async def test_the_palettes_choice_is_remembered_for_the_next_start(sim, sim_settings):
    path = sim_settings.config_path
    app = demo_app(sim, sim_settings)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        assert app.theme == DEFAULT_THEME
        await choose_in_palette(app, pilot, "wiro-high-contrast")
        assert app.theme == "wiro-high-contrast"
    assert tomllib.loads(path.read_text())["theme"] == "wiro-high-contrast"
    assert path.stat().st_mode & 0o077 == 0
    again = load_settings({}, config_path=path)
    assert again.theme == "wiro-high-contrast"
    app = WiroVoiceApp(again.with_(api_key=sim_settings.api_key, api_base=sim.wiro_base), clock=sim.now)
    async with app.run_test(size=SIZE) as pilot:
        assert app.theme == "wiro-high-contrast"


async def test_a_theme_given_on_the_command_line_is_not_saved(sim, sim_settings):
    settings = load_settings({}, config_path=sim_settings.config_path, theme="wiro-light")
    app = WiroVoiceApp(settings.with_(api_key=sim_settings.api_key, api_base=sim.wiro_base, agent=sim.demo_agent_guid),
                       clock=sim.now)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        assert app.theme == "wiro-light"
    assert not sim_settings.config_path.exists()


async def test_broken_user_themes_give_one_notification_and_the_default(sim, sim_settings):
    folder = sim_settings.config_path.parent / "themes"
    broken = write_theme(folder, "broken", 'primary = "#112233"\n[variables\n')
    nocolour = write_theme(folder, "nocolour", 'primary = "sort-of-blue"\nprimay = "#000000"\n')
    half = write_theme(folder, "half", 'primary = "#224466"\n[variables]\ncall-active = "glowing"\n')
    write_theme(folder, "mine", 'primary = "#7A3E9D"\ndark = true\n')
    app = demo_app(sim, sim_settings, theme="broken")
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        assert app.theme == DEFAULT_THEME
        notes = theme_notes(app)
        assert len(notes) == 1
        note = notes[0]
        for path in (broken, nocolour, half):
            assert str(path) in note
        assert "not valid TOML" in note and "'sort-of-blue' is not a colour" in note
        assert 'Did you mean "primary"?' in note and 'Variable "call-active" ignored' in note
        assert 'The theme "broken" could not be used' in note
        # the good files work: "half" without its bad value, "mine" as written
        assert {"mine", "half"} <= app.available_themes.keys()
        app.theme = "half"
        await settle(app, pilot)
        assert app.theme_variables["call-active"] == APP_COLOUR_DEFAULTS["call-active"]
    assert tomllib.loads(sim_settings.config_path.read_text())["theme"] == "half"


async def test_a_user_theme_may_leave_out_the_apps_colours(sim, sim_settings):
    write_theme(sim_settings.config_path.parent / "themes", "mine", 'primary = "#7A3E9D"\nbackground = "#101418"\n')
    app = demo_app(sim, sim_settings, theme="mine")
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        assert app.theme == "mine" and theme_notes(app) == []
        for key, default in APP_COLOUR_DEFAULTS.items():
            assert app.theme_variables[key] == default
        assert Color.parse(app.theme_variables["primary"]) == Color.parse("#7A3E9D")


async def test_an_ansi_user_theme_starts(sim, sim_settings):
    write_theme(sim_settings.config_path.parent / "themes", "tty", 'primary = "ansi_blue"\nansi = true\n')
    app = demo_app(sim, sim_settings, theme="tty")
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        assert app.theme == "tty" and theme_notes(app) == []
        assert "Running" in str(app.screen.query_one("#agent-info").render())


async def test_an_unknown_theme_in_the_config_is_explained(sim, sim_settings):
    app = demo_app(sim, sim_settings, theme="wiro-lite")
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        assert app.theme == DEFAULT_THEME
        (note,) = theme_notes(app)
        assert 'There is no theme "wiro-lite". Did you mean "wiro-light"?' in note
        assert "wiro-high-contrast" in note and "nord" in note


# -- the command line -----------------------------------------------------------------------------


def test_themes_lists_bundled_and_user_themes_and_marks_the_active_one(tmp_path, capsys, clean_env):
    config = tmp_path / "config.toml"
    config.write_text('theme = "mine"\n')
    mine = write_theme(tmp_path / "themes", "mine", 'primary = "#7A3E9D"\ndark = false\n')
    assert main(["--config", str(config), "themes"]) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert any(line.startswith("* mine") and "user" in line and str(mine) in line for line in lines)
    for name in BUNDLED:
        assert any(line.startswith(f"  {name}") and "bundled" in line for line in lines)
    assert str(tmp_path / "themes") in out
    assert main(["--config", str(config), "--theme", "wiro-light", "themes", "--json"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert document["active"] == "wiro-light"
    assert {t["name"]: t["origin"] for t in document["themes"]}["mine"] == "user"
    assert [t["name"] for t in document["themes"] if t["active"]] == ["wiro-light"]


def test_themes_reports_broken_files(tmp_path, capsys, clean_env):
    config = tmp_path / "config.toml"
    bad = write_theme(tmp_path / "themes", "bad", "primary = \n")
    assert main(["--config", str(config), "themes", "--json"]) == 1
    document = json.loads(capsys.readouterr().out)
    assert document["problems"][0]["file"] == str(bad)
    assert "not valid TOML" in document["problems"][0]["message"]


def test_an_unknown_theme_option_is_refused_with_the_choices(tmp_path, capsys, clean_env):
    config = tmp_path / "config.toml"
    assert main(["--config", str(config), "--theme", "wiro-lite"]) == 2
    err = capsys.readouterr().err
    assert 'There is no theme "wiro-lite". Did you mean "wiro-light"?' in err
    for name in BUNDLED:
        assert name in err
    assert not config.exists()


# -- snapshots of the main screens in the other bundled themes -------------------------------------


def overview_in(theme, snap_compare, sim, sim_settings):
    app = demo_app(sim, sim_settings, theme=theme)

    async def loaded(pilot):
        await settle(app, pilot)

    return snap_compare(app, terminal_size=SIZE, run_before=loaded)


def calls_in(theme, snap_compare, sim, sim_settings):
    app = demo_app(sim, sim_settings, theme=theme)

    async def opened(pilot):
        await settle(app, pilot)
        await pilot.press("c")
        await settle(app, pilot)
        for _ in range(3):
            await pilot.press("down")
        await settle(app, pilot)

    return snap_compare(app, terminal_size=SIZE, run_before=opened)


def test_overview_light_snapshot(snap_compare, sim, sim_settings):
    assert overview_in("wiro-light", snap_compare, sim, sim_settings)


def test_overview_high_contrast_snapshot(snap_compare, sim, sim_settings):
    assert overview_in("wiro-high-contrast", snap_compare, sim, sim_settings)


def test_calls_light_snapshot(snap_compare, sim, sim_settings):
    assert calls_in("wiro-light", snap_compare, sim, sim_settings)


def test_calls_high_contrast_snapshot(snap_compare, sim, sim_settings):
    assert calls_in("wiro-high-contrast", snap_compare, sim, sim_settings)
