"""A screen's body is restyled alone when its focus changes, unless a rule styles its contents by that focus."""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.color import Color
from textual.widgets import Label, Select

from tui.ui.widgets.scroll_body import ScrollBody, contents_follow_focus


class Body(App):
    CSS = "Label { color: green; }"
    AUTO_FOCUS = None  # nothing focused at start: the tests give the body focus

    def compose(self) -> ComposeResult:
        with ScrollBody(id="body"):
            yield Label("one", classes="x")
            yield Label("two")
            yield Select([("a", 1)], id="pick")


class FocusedBodyPaints(Body):
    CSS = Body.CSS + " ScrollBody:focus .x { color: red; }"


def restyled_on_focus(app: App) -> list[list[str]]:
    """The widgets each restyle asked for (by type), while it runs."""
    batches: list[list[str]] = []
    update_nodes = app.stylesheet.update_nodes

    def counting(nodes, animate=False):
        nodes = list(nodes)
        batches.append([type(node).__name__ for node in nodes])
        return update_nodes(nodes, animate=animate)

    app.stylesheet.update_nodes = counting
    return batches


async def test_the_body_alone_is_restyled_when_nothing_inside_follows_its_focus():
    app = Body()
    async with app.run_test() as pilot:
        body = app.query_one("#body", ScrollBody)
        assert not contents_follow_focus(body) and not contents_follow_focus(app.query_one(Label))
        assert contents_follow_focus(app.query_one("#pick"))  # Textual's `Select:focus > SelectCurrent`
        batches = restyled_on_focus(app)
        body.focus()
        await pilot.pause()
        assert app.focused is body and body.has_pseudo_class("focus")
        assert ["ScrollBody"] in batches and not any("Label" in batch for batch in batches)


async def test_a_rule_that_styles_the_contents_by_the_bodys_focus_still_applies():
    app = FocusedBodyPaints()
    async with app.run_test() as pilot:
        body, label = app.query_one("#body", ScrollBody), app.query_one(".x", Label)
        assert contents_follow_focus(body)
        assert label.styles.color == Color.parse("green")
        body.focus()
        await pilot.pause()
        assert label.styles.color == Color.parse("red")
        app.set_focus(None)
        await pilot.pause()
        assert label.styles.color == Color.parse("green")
