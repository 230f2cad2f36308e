"""TextLine: a change repaints the line; the screen is laid out again only when the line's size can change."""

from __future__ import annotations

from textual.app import App

from tui.ui.widgets.text_line import TextLine


class Lines(App):
    CSS = """
    #fixed { width: 1fr; height: 3; }
    #one { width: 1fr; text-wrap: nowrap; }
    #wraps { width: 1fr; }
    #auto-width { width: auto; height: 1; }
    """

    def compose(self):
        for name in ("fixed", "one", "wraps", "auto-width"):
            yield TextLine("first", id=name)


async def test_only_a_line_whose_size_can_change_asks_for_a_layout(monkeypatch):
    app = Lines()
    async with app.run_test(size=(40, 12)) as pilot:
        asked: list[tuple[str, bool]] = []
        for line in app.query(TextLine):
            original = line.refresh

            def refresh(*regions, line=line, original=original, **options):
                asked.append((line.id, options.get("layout", False)))
                return original(*regions, **options)

            monkeypatch.setattr(line, "refresh", refresh)
        for name in ("fixed", "one", "wraps", "auto-width"):
            assert app.query_one(f"#{name}", TextLine).show("second, longer than the first")
        assert not app.query_one("#one", TextLine).show("second, longer than the first")  # the same: nothing
        assert dict(asked) == {"fixed": False, "one": False, "wraps": True, "auto-width": True}
        # an empty line may have no height, and a new line adds one: both are laid out
        asked.clear()
        app.query_one("#one", TextLine).show("")
        app.query_one("#fixed", TextLine).show("two\nlines")
        assert dict(asked) == {"one": True, "fixed": False}
        await pilot.pause()
        assert app.query_one("#one", TextLine).markup_text == ""
