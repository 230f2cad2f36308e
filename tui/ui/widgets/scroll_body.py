"""A screen's scrolling body, restyled alone when it gains or loses focus.

Textual restyles a widget and everything inside it whenever the widget's focus changes, in case a rule such as
`Body:focus Label { … }` styles its contents by that focus. A screen's body holds the whole screen (Credentials'
is 81 widgets: ~20 ms of CPU each time it gains or loses focus, and it does both on every opening). No rule of
ours styles a body's contents by its focus, so here the body alone is restyled, unless the app's stylesheet
has such a rule for it (checked at each change, so one added later is honoured).
"""

from __future__ import annotations

from textual._context import NoActiveAppError
from textual.containers import VerticalScroll
from textual.css.model import CombinatorType
from textual.dom import DOMNode

#: pseudo-classes that change when a widget gains or loses focus
FOCUS_STATES = frozenset({"focus", "blur", "focus-within"})


def contents_follow_focus(node: DOMNode) -> bool:
    """Whether a rule of the app's stylesheet styles something inside `node` by `node`'s focus: a focus state
    on a part of a selector before its last part, on a part that `node` matches by type, class and id."""
    for rule in node.app.stylesheet.rules:
        for selector_set in rule.selector_set:
            selectors = selector_set.selectors
            last = len(selectors) - 1  # the compound the styled widget itself must match starts here
            while last > 0 and selectors[last].combinator == CombinatorType.SAME:
                last -= 1
            compound: list = []
            for selector in selectors[:last]:
                if selector.combinator != CombinatorType.SAME:
                    compound = []
                compound.append(selector)
                if any(FOCUS_STATES & part.pseudo_classes for part in compound) and \
                        all(part._check(node) for part in compound):
                    return True
    return False


class ScrollBody(VerticalScroll):
    """What a screen scrolls: restyled alone on focus changes (see the module doc)."""

    def watch_has_focus(self, has_focus: bool) -> None:
        try:
            if contents_follow_focus(self):
                super().watch_has_focus(has_focus)
            else:
                self.app.stylesheet.update_nodes([self], animate=True)  # and its scrollbars
        except NoActiveAppError:
            pass
