"""A screen's first showing without styling it twice.

Textual styles every widget as it is mounted, then, each time the screen is shown (ScreenResume), styles the
whole screen again in case something changed while it was hidden. A screen opened for the first time is sent
two of those before it has even been mounted (one as its mode starts, one as the app switches to it), and both
were handled after its widgets had been styled: on the Credentials form (about 80 widgets) the two passes were
a third of the CPU time its first opening took (cProfile). A ScreenResume posted before the screen is mounted
now leaves the styles as mounting made them; every later showing is styled again as Textual does.
"""

from __future__ import annotations

from textual import events
from textual.message import Message


class FirstShowingKeepsStyles:
    """Mixin for screens: a ScreenResume posted before they are mounted does not refresh their styles."""

    def post_message(self, message: Message) -> bool:
        mounted = self.is_mounted  # type: ignore[attr-defined]
        if isinstance(message, events.ScreenResume) and message.refresh_styles and not mounted:
            message = events.ScreenResume(refresh_styles=False)
        return super().post_message(message)  # type: ignore[misc]
