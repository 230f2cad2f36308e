"""Drawing one table cell that holds one line of text, without Rich's general machinery.

Textual's DataTable draws every cell the general way: the cell is wrapped in `Padding` and a `Styled` sandwich,
and Rich's console renders that through fresh console options, a word wrapper and two passes of line
splitting. The live tables hold one-line `Text` cells, and drawing a screen of new ones (the Logs table at
120x40: 148 cells, 21-26 ms) spent over half its time there, a key press waiting behind it.

`one_line_cell` produces the same segments for the common case (a one-line row, a `Text` with no line
break or tab, justified "default" or "left", any overflow but "ignore") by calling the same Rich steps in the
same order: truncating like `Text.wrap`, joining like `Text.__rich_console__`, rendering with `Text.render`,
cropping and padding with `Segment.adjust_line_length` as `Padding` does, and the pre- and post-styles applied
as `Styled` does. Anything else returns None and the caller draws the cell Textual's way. Equality with
Textual's own drawing is checked over 3000 generated cells (tests/ui/test_table_cell.py).
"""

from __future__ import annotations

from typing import Iterable

from rich.cells import cell_len
from rich.console import Console, ConsoleOptions
from rich.segment import Segment
from rich.style import Style
from rich.text import Text

_LINE_JOIN = Text("\n")  # what Text.__rich_console__ joins its lines with (its style applies to none of them)


def one_line_cell(console: Console, options: ConsoleOptions, cell: object, width: int, padding: int,
                  pre_style: Style, post_style: Style) -> list[list[Segment]] | None:
    """The lines Textual's DataTable draws for `cell` in a one-line row `width` cells wide, `padding` cells
    each side, or None when the cell is not the simple case (the caller then draws it Textual's way).
    `options`: the app's console options (their justify and overflow apply where the text sets none)."""
    if not isinstance(cell, Text):
        return None
    inner = width - 2 * padding
    plain = cell.plain
    if inner < 1 or padding < 0 or "\n" in plain or "\t" in plain or cell.no_wrap is False:
        return None
    justify = cell.justify or options.justify or "default"
    overflow = cell.overflow or options.overflow or "fold"
    if justify not in ("default", "left") or overflow == "ignore":
        return None
    line = cell
    if justify == "left" or cell_len(plain) > inner:  # Text.wrap on one line that is not wrapped
        line = cell.copy()
        if justify == "left":  # (Lines.justify)
            line.truncate(inner, overflow=overflow, pad=True)
        line.truncate(inner, overflow=overflow)
    rendered = _LINE_JOIN.join((line,)).render(console, end=cell.end)

    # Padding: the first line cropped or padded to the inner width with its style, then a pad each side
    pad_style = console.get_style("none")
    segments = Segment.adjust_line_length(_first_line(rendered), inner, style=pad_style, pad=True)
    if padding:
        segments = [Segment(" " * padding, pad_style), *segments, Segment(" " * padding, pad_style)]
    # Styled, then the console's final crop to the cell's width (the end of the line is where it splits)
    styled = list(Segment.apply_style(segments, style=console.get_style(pre_style),
                                      post_style=console.get_style(post_style)))
    return [Segment.adjust_line_length(styled, width, pad=True)]


def _first_line(rendered: Iterable[Segment]) -> list[Segment]:
    """The segments of the first line, split off as `Segment.split_and_crop_lines` splits them."""
    line: list[Segment] = []
    for segment in rendered:
        if "\n" in segment.text and not segment.control:
            text, style, _ = segment
            while text:
                before, new_line, text = text.partition("\n")
                if before:
                    line.append(Segment(before, style))
                if new_line:
                    return line
        else:
            line.append(segment)
    return line
