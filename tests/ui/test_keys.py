"""Keys are promises: no screen or widget binding takes a global key, every binding has a unique id, and the key
bar always shows the global keys it can fit (never hiding q) and runs a key when clicked."""

from __future__ import annotations

import re

import pytest
from textual.binding import Binding
from textual.dom import DOMNode
from textual.screen import ModalScreen
from textual.keys import _character_to_key

from tui.ui.app import WiroVoiceApp
from tui.ui.keymap import bound_classes  # the walk the keymap check makes, tested here too
from tui.ui.navigation import DESTINATIONS, GLOBAL_KEYS
from tui.ui.screens.help import HelpScreen
from tui.ui.widgets.key_bar import KeyBar

from .helpers import SCREEN_KEYS, demo_app, goto, settle

ID = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$")


def bindings_of(cls) -> list[Binding]:
    return list(Binding.make_bindings(cls.__dict__["BINDINGS"]))


def normal(key: str) -> str:
    key = key.strip()
    return _character_to_key(key) if len(key) == 1 else key


def test_the_walk_finds_every_screen():
    names = {cls.__name__ for cls in bound_classes()}
    assert {"CallsScreen", "CredentialsScreen", "HoldScreen", "WebhooksScreen", "DoctorScreen",
            "ConnectionScreen", "OverviewScreen", "LogsScreen", "SessionScreen", "HelpScreen"} <= names


def shadowing_candidates() -> list[type[DOMNode]]:
    """Screens and widgets whose keys sit beside the app's: not modal screens, where Textual leaves the app's keys
    out altogether (a dialog's own keys cannot hide a global key that does not work there anyway)."""
    return [cls for cls in bound_classes() if not issubclass(cls, ModalScreen)]


@pytest.mark.parametrize("cls", shadowing_candidates(), ids=lambda c: c.__name__)
def test_no_binding_shadows_a_global_key(cls):
    shadows = [f"{b.id or b.action}: {key!r}" for b in bindings_of(cls) for key in b.key.split(",")
               if normal(key) in GLOBAL_KEYS]
    assert not shadows, f"{cls.__name__} binds global keys (o f e h w c i d l n ? q ctrl+p): {shadows}"


def test_every_binding_has_an_id_of_the_form_area_verb_and_ids_are_unique():
    seen: dict[str, str] = {}
    problems = []
    for cls in [WiroVoiceApp, *bound_classes()]:
        for binding in bindings_of(cls):
            if not binding.id or not ID.match(binding.id):
                problems.append(f"{cls.__name__}: {binding.key} -> {binding.action} has id {binding.id!r}")
            elif seen.setdefault(binding.id, cls.__name__) != cls.__name__:
                problems.append(f"{binding.id} is used by {seen[binding.id]} and {cls.__name__}")
    assert not problems


def test_the_app_binds_each_screen_s_key_and_only_global_keys():
    """Whatever screens the navigation lists (Fleet `f` and Insights `i` come from other branches), each has its
    global key bound by the app, and every key the app binds for them is one of the global keys."""
    keys = {normal(k) for b in bindings_of(WiroVoiceApp) for k in b.key.split(",")}
    screen_keys = {normal(d.key) for d in DESTINATIONS}
    assert screen_keys | {"question_mark", "q"} <= keys
    assert screen_keys <= set(GLOBAL_KEYS)
    assert set(SCREEN_KEYS.values()) <= screen_keys  # the helpers' written-out keys are still the keys


@pytest.mark.long
@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
async def test_the_key_bar_keeps_q_help_and_the_global_keys_on_every_screen(sim, sim_settings, size):
    app = demo_app(sim, sim_settings)
    async with app.run_test(size=size) as pilot:
        for screen_id in ("overview", "credentials", "webhooks", "hold", "calls", "logs", "doctor", "connection"):
            if screen_id != "overview":
                await goto(app, pilot, screen_id)
                app.screen.set_focus(None)
            await settle(app, pilot)
            bar = app.screen.query_one(KeyBar)
            line = bar.plain()
            assert len(line) <= size[0], (screen_id, line)
            assert " q Quit " in line and " ? Keys " in line, (screen_id, line)
            for key in SCREEN_KEYS.values():
                assert re.search(rf"(^| ){key}( |$)", line), f"{screen_id}: global key {key} missing in {line!r}"
            if size[0] >= 120:
                local, _global, _pinned = bar.groups()
                assert local and local[0].binding.description in line, (screen_id, line)


async def test_clicking_the_bar_runs_the_binding(sim, sim_settings):
    app = demo_app(sim, sim_settings)
    async with app.run_test(size=(120, 40)) as pilot:
        await goto(app, pilot, "doctor", rounds=6)
        bar = app.screen.query_one(KeyBar)
        line = bar.plain()
        await pilot.click(KeyBar, offset=(line.index(" ? Keys") + 1, 0))
        await settle(app, pilot)
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("escape")
        await settle(app, pilot)
        line = app.screen.query_one(KeyBar).plain()
        await pilot.click(KeyBar, offset=(line.index(" w ") + 1, 0))
        await settle(app, pilot)
        assert app.screen.id == "webhooks"


async def test_a_remapped_key_is_shown_and_works(sim, sim_settings):
    app = demo_app(sim, sim_settings, keymap={"doctor.run": "f5", "goto.webhooks": "f6"})
    async with app.run_test(size=(120, 40)) as pilot:
        await goto(app, pilot, "doctor", rounds=6)
        line = app.screen.query_one(KeyBar).plain()
        assert " f5 Run again " in line and " f6" in line and " r Run again" not in line
        await pilot.press("f6")
        await settle(app, pilot)
        assert app.screen.id == "webhooks"


async def test_a_keymap_problem_is_said_once_at_start(sim, sim_settings):
    from .helpers import notifications

    app = demo_app(sim, sim_settings, keymap={"doctor.rn": "f5"})
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        said = [n for n in notifications(app) if n.startswith("Keymap:")]
        assert len(said) == 1 and 'Did you mean "doctor.run"?' in said[0]


async def test_in_a_field_the_bar_offers_only_what_works_there(sim, sim_settings):
    app = demo_app(sim, sim_settings)
    async with app.run_test(size=(80, 24)) as pilot:
        await goto(app, pilot, "connection")
        assert app.focused is not None and app.focused.id == "in-api_key"
        line = app.screen.query_one(KeyBar).plain()
        # letters type into the field: no global letters, no `q`; quitting is still offered, with the key that works
        assert " ^q Quit " in line and " q Quit " not in line and " o " not in line
        await pilot.press("escape")
        await pilot.pause()
        line = app.screen.query_one(KeyBar).plain()
        assert " q Quit " in line and " o " in line


async def test_the_doctor_screen_lists_keymap_problems_with_the_rest(sim, sim_settings):
    app = demo_app(sim, sim_settings, keymap={"webhooks.verify": "ctrl+tt"})
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await goto(app, pilot, "doctor", rounds=8)
        ids = [f.id for f in screen.findings]
        assert "keymap.unknown_key:webhooks.verify" in ids
        assert any(f.id.startswith("number.") or f.id.startswith("calls.") for f in screen.findings)


async def test_the_bar_repaints_only_when_what_it_shows_changes(sim, sim_settings, monkeypatch):
    app = demo_app(sim, sim_settings)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await goto(app, pilot, "webhooks", rounds=6)
        bar = screen.query_one(KeyBar)
        screen.refresh_bindings()  # whatever changed while loading (Save again became possible) is shown now
        await pilot.pause()
        repaints: list[int] = []
        real = bar.refresh
        monkeypatch.setattr(bar, "refresh", lambda *a, **k: (repaints.append(1), real(*a, **k))[1])
        for _ in range(3):  # bindings "updated" with nothing different: no repaint
            screen.refresh_bindings()
            await pilot.pause()
        assert repaints == []
        screen.query_one("#in-caller").focus()  # letters now type: the global letters leave the bar
        await pilot.pause()
        assert repaints and " o " not in bar.plain()
