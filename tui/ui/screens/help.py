"""`?`: every key that works on the screen the user was on, with what it does and its id (for `[keymap]`).

Three groups, as Textual resolves a key: the focused widget's keys, the screen's own, then the global ones.
Keys of one action are shown together ("+ / =") and keys that do nothing right now are marked.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen, Screen
from textual.widgets import Static

from ..stylesheets import sheet
from ..widgets.scroll_body import ScrollBody


@dataclass(frozen=True)
class HelpLine:
    keys: str
    description: str
    binding_id: str
    enabled: bool = True


@dataclass(frozen=True)
class HelpGroup:
    title: str
    lines: tuple[HelpLine, ...]


def binding_groups(app: Any, screen: Screen) -> list[HelpGroup]:
    """The keys active on `screen` (its focused widget, the screen, the app), grouped and merged by action."""
    groups: dict[str, dict[tuple[int, str], list[Any]]] = {}
    titles: dict[str, str] = {}
    for _key, active in screen.active_bindings.items():
        binding: Binding = active.binding
        if binding.system or not binding.description:
            continue
        node = active.node
        if node is app:
            where = "app"
        elif node is screen:
            where = "screen"
        else:
            where = "widget"
        titles.setdefault(where, _title(where, screen))
        merged = groups.setdefault(where, {})
        merged.setdefault((id(node), binding.action), []).append(active)
    out = []
    for where in ("widget", "screen", "app"):
        if where not in groups:
            continue
        lines = []
        for actives in groups[where].values():
            first = actives[0].binding
            keys = " / ".join(dict.fromkeys(app.get_key_display(a.binding) for a in actives))
            ident = next((a.binding.id for a in actives if a.binding.id), "")
            lines.append(HelpLine(keys, first.description, ident, all(a.enabled for a in actives)))
        if where == "screen":
            lines += _not_available(app, screen, {line.binding_id for line in lines})
        out.append(HelpGroup(titles[where], tuple(lines)))
    return out


def _not_available(app: Any, screen: Screen, shown: set[str]) -> list[HelpLine]:
    """The screen's own keys that do nothing right now (its check_action says so: nothing to save again…), so
    the list is every key the screen has, not just the ones that work at this moment."""
    keymap = getattr(getattr(app, "settings", None), "keymap", {}) or {}
    lines = []
    for cls in type(screen).__mro__:
        for binding in Binding.make_bindings(cls.__dict__.get("BINDINGS", ())):
            if binding.id and binding.id not in shown and binding.description and not binding.system:
                shown.add(binding.id)
                keys = keymap.get(binding.id, binding.key).split(",")
                display = " / ".join(app.get_key_display(binding.with_key(k.strip())) for k in keys)
                lines.append(HelpLine(display, binding.description, binding.id, enabled=False))
    return lines


def _title(where: str, screen: Screen) -> str:
    if where == "app":
        return "Everywhere"
    if where == "screen":
        name = (screen.id or type(screen).__name__).replace("_", " ").capitalize()
        return f"On this screen ({name})"
    return "Where the focus is"


def render_groups(groups: list[HelpGroup]) -> Content:
    """The groups as lines: key, what it does, its id (dim). Plain Content, so a key like "[" stays a key."""
    width = max((len(line.keys) for g in groups for line in g.lines), default=4)
    #: descriptions padded so the ids line up (up to a point: a long one just pushes its id along)
    what_width = min(28, max((len(line.description) + 10 for g in groups for line in g.lines), default=10))
    parts: list[Content] = []
    for group in groups:
        if parts:
            parts.append(Content("\n"))
        parts.append(Content.styled(group.title, "bold $accent") + Content("\n"))
        for line in group.lines:
            key = Content.styled(f"  {line.keys:<{width}}  ", "bold" if line.enabled else "dim")
            what = Content(f"{line.description + ('' if line.enabled else ' (not now)'):<{what_width}}")
            ident = Content.styled(f" {line.binding_id}", "dim") if line.binding_id else Content("")
            parts.append(key + what + ident + Content("\n"))
    return Content("").join(parts)


class HelpScreen(ModalScreen[None]):
    """The keys of the screen below; Escape or `?` again closes it. (A modal screen: Textual leaves the app's
    keys out while it is open, so `?` here is this screen's own.)"""

    CSS_PATH = sheet("dialogs")
    BINDINGS = [Binding("escape,question_mark", "close", "Close", id="help.close")]

    def __init__(self, groups: list[HelpGroup], title: str) -> None:
        super().__init__(id="help")
        self.groups = groups
        self._title = title

    @classmethod
    def for_screen(cls, app: Any, screen: Screen) -> "HelpScreen":
        name = (screen.id or type(screen).__name__).replace("_", " ").capitalize()
        return cls(binding_groups(app, screen), f"Keys: {name}")

    def compose(self) -> ComposeResult:
        with Vertical(id="help-panel", classes="panel"):
            with ScrollBody(id="help-scroll"):
                yield Static(render_groups(self.groups), id="help-text")
            yield Static(Content.from_markup(
                "Remap any key in the config file: [b][keymap][/b] [dim]\"doctor.run\" = \"f5\"[/]. "
                "[b]Esc[/b] or [b]?[/b] closes."), id="help-foot")

    def on_mount(self) -> None:
        self.query_one("#help-panel").border_title = self._title
        self.query_one("#help-scroll").focus()

    def action_close(self) -> None:
        self.dismiss(None)
