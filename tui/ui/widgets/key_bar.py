"""The footer: the keys that work here, drawn as one line by one widget.

Textual's Footer makes a widget per key, which cost ~100 ms of the first frame; this draws the same
information in one render and still runs a key when it is clicked.

Layout, left to right: this screen's keys, then the global screen keys, then — pinned at the right — `?` keys,
`q` quit and `^p` palette. When the line is too short, in this order: the global keys lose their names
(`o e h w c d l n`, the current screen's key marked), this screen's keys are dropped from the end (`?` still
lists them all), then the palette hint, then `?`; the global keys show as many as fit throughout, and quitting is
never hidden (`q`, or `^q` while a field takes the letters).
"""

from __future__ import annotations

from typing import NamedTuple

from textual import events
from textual.binding import ActiveBinding
from textual.content import Content
from textual.screen import Screen
from textual.widget import Widget

#: binding ids of the keys pinned at the right, in their order there
PINNED = ("app.help", "app.quit")
GLOBAL_PREFIX = "goto."


class Piece(NamedTuple):  # NamedTuple, not a dataclass: made at start-up, where a dataclass costs ~0.4 ms
    """One clickable stretch of the bar: its text and the binding (None for the palette hint) it runs."""

    content: Content
    active: ActiveBinding | None

    @property
    def width(self) -> int:
        return self.content.cell_length


class KeyBar(Widget):
    DEFAULT_CSS = """
    KeyBar { dock: bottom; height: 1; background: $panel; color: $foreground; }
    """

    def __init__(self) -> None:
        super().__init__()
        self._hits: list[tuple[int, int, ActiveBinding | None]] = []  # (from x, to x, binding) for clicks
        self._shown: tuple[tuple[str, str, str, bool], ...] = ()

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self._bindings_changed)

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    def _bindings_changed(self, _screen: Screen) -> None:
        # Bindings are "updated" on every focus change and more; repaint only when what the bar shows changed
        # (over a slow SSH link every repaint is bytes sent).
        shown = self._signature()
        if shown != self._shown:
            self._shown = shown
            self.refresh()

    def _signature(self) -> tuple[tuple[str, str, str, bool], ...]:
        return tuple((a.binding.key, a.binding.description, a.binding.action, a.enabled)
                     for group in self.groups() for a in group)

    # -- what there is to show ----------------------------------------------------------------------------

    def groups(self) -> tuple[list[ActiveBinding], list[ActiveBinding], list[ActiveBinding]]:
        """(this screen's keys, the global screen keys, the pinned keys), each binding once, in binding order."""
        palette = self.app.COMMAND_PALETTE_BINDING
        seen: set[tuple[int, str]] = set()
        local: list[ActiveBinding] = []
        global_: list[ActiveBinding] = []
        pinned: dict[str, ActiveBinding] = {}
        for key, active in self.screen.active_bindings.items():
            binding = active.binding
            ident = binding.id or ""
            if active.node is self.app and binding.action == "quit" and not ident:
                # Textual's ctrl+q: shown only while `q` types into a field instead of quitting
                pinned.setdefault("ctrl+q", active)
                continue
            if key == palette or (id(active.node), binding.action) in seen:
                continue
            if active.node is self.app and not ident:
                continue  # Textual's own app keys (ctrl+c): ours have ids, and `?` lists everything
            seen.add((id(active.node), binding.action))
            if active.node is self.app and ident in PINNED:
                pinned.setdefault(ident, active)
            elif active.node is self.app and ident.startswith(GLOBAL_PREFIX):
                global_.append(active)
            elif binding.show and active.node is not self.app:
                local.append(active)
        if "app.quit" not in pinned and "ctrl+q" in pinned:
            pinned["app.quit"] = pinned["ctrl+q"]
        return local, global_, [pinned[i] for i in PINNED if i in pinned]

    def shown_bindings(self) -> list[ActiveBinding]:
        """Every binding the bar offers at full width (for tests), screen keys first."""
        local, global_, pinned = self.groups()
        return [*local, *global_, *pinned]

    # -- drawing -------------------------------------------------------------------------------------------

    def _named(self, active: ActiveBinding) -> Piece:
        binding = active.binding
        style = "bold $accent" if active.enabled else "dim"
        # styled, not markup: a key such as "[" must not be read as a tag
        text = Content.styled(f" {self.app.get_key_display(binding)}", style) + Content(f" {binding.description} ")
        return Piece(text, active)

    def _letter(self, active: ActiveBinding, here: bool) -> Piece:
        key = self.app.get_key_display(active.binding)
        style = "bold reverse $accent" if here else "bold $accent"
        return Piece(Content(" ") + Content.styled(key, style), active)

    def _here(self, active: ActiveBinding) -> bool:
        return active.binding.action == f"goto('{getattr(self.app, 'current_mode', '')}')"

    def layout(self, width: int) -> tuple[list[Piece], list[Piece]]:
        """The pieces left and right for `width` cells, by the rules in the module doc."""
        local, global_, pinned = self.groups()
        right = [self._named(a) for a in pinned]
        if self.app.ENABLE_COMMAND_PALETTE:
            right.append(Piece(Content.styled(" ^p", "bold $accent") + Content(" palette "), None))
        local_pieces = [self._named(a) for a in local]
        named_globals = [self._named(a) for a in global_]
        letters = [self._letter(a, self._here(a)) for a in global_]
        if letters:
            letters[-1] = Piece(letters[-1].content + Content(" "), letters[-1].active)

        def room(*groups: list[Piece]) -> int:
            return width - sum(p.width for g in (*groups, right) for p in g) - 1

        if room(local_pieces, named_globals) >= 0:
            return [*local_pieces, *named_globals], right
        if room(local_pieces, letters) >= 0:
            return [*local_pieces, *letters], right
        kept: list[Piece] = []
        for piece in local_pieces:  # in order, stopping at the first that does not fit
            if room(kept, [piece], letters) < 0:
                break
            kept.append(piece)
        if kept or room(letters) >= 0:
            return [*kept, *letters], right
        # very narrow: as many global keys as fit, dropping first the palette hint, then `?`; q stays
        quit_only = [p for p in right if p.active is not None and p.active.binding.action == "quit"]
        without_palette = [p for p in right if p.active is not None]
        for right_now in (right, without_palette, quit_only):
            fitted: list[Piece] = []
            for piece in letters:
                if width - sum(p.width for p in (*fitted, piece, *right_now)) - 1 < 0:
                    break
                fitted.append(piece)
            if fitted:
                return fitted, right_now
        return [], quit_only

    def render(self) -> Content:
        left, right = self.layout(self.size.width)
        hits: list[tuple[int, int, ActiveBinding | None]] = []
        x = 0
        for piece in left:
            hits.append((x, x + piece.width, piece.active))
            x += piece.width
        gap = max(1, self.size.width - x - sum(p.width for p in right))
        x += gap
        for piece in right:
            hits.append((x, x + piece.width, piece.active))
            x += piece.width
        self._hits = hits
        return Content("").join(p.content for p in left) + Content(" " * gap) + Content("").join(p.content for p in right)

    def plain(self) -> str:
        return self.render().plain

    async def on_click(self, event: events.Click) -> None:
        for start, end, active in self._hits:
            if start <= event.x < end:
                if active is None:
                    await self.app.run_action("app.command_palette")
                else:
                    await self.app.run_action(active.binding.action, active.node)
                break
