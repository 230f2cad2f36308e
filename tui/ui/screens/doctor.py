"""Doctor: every check that can be made from here, findings grouped by severity, each with what was seen and the fix.

The diagnosis runs in a worker (gather → diagnose) and arrives in one Message; progress lines arrive on the way.
Twilio's routing is checked with TWILIO_ACCOUNT_SID/TWILIO_AUTH_TOKEN from the environment (or the demo's own
account); without them those checks are skipped, and the screen says so.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from typing import Any, ClassVar

from textual import events, on, work
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.markup import escape
from textual.message import Message
from textual.screen import Screen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from ...doctor.diagnose import diagnose
from ...doctor.evidence import skipped
from ...doctor.findings import SEVERITIES, ordered
from ...doctor.gather import gather
from ...twilio.access import twilio_access
from ..failures import ReportsWorkerFailures
from ..fresh_styles import FirstShowingKeepsStyles
from ..readiness import readiness
from ..state import Change, subscribe_changes
from ..stylesheets import sheet
from ..widgets.header import AppHeader
from ..widgets.key_bar import KeyBar
from ..widgets.scroll_body import ScrollBody
from . import doctor_text as text


#: below this many rows the findings list gives the detail more room
SHORT_HEIGHT = 32


class DoctorProgress(Message):
    def __init__(self, generation: int, line: str) -> None:
        super().__init__()
        self.generation, self.line = generation, line

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, DoctorProgress)


class DoctorDone(Message):
    def __init__(self, generation: int, evidence: Any, findings: tuple[Any, ...]) -> None:
        super().__init__()
        self.generation, self.evidence, self.findings = generation, evidence, findings


class DoctorScreen(FirstShowingKeepsStyles, ReportsWorkerFailures, Screen):
    CSS_PATH = sheet("doctor")
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("r", "run", "Run again", id="doctor.run"),
        Binding("escape", "leave", "Back", id="doctor.back"),
    ]

    def __init__(self) -> None:
        super().__init__(id="doctor")
        self.findings: tuple[Any, ...] = ()
        self.evidence: Any = None
        self.running = False
        self._generation: int | None = None  # the app generation the findings belong to
        self._run = 0  # bumped per run, so a cancelled run's end does not mark a newer one finished

    def compose(self) -> ComposeResult:
        yield AppHeader()
        with Vertical(id="doctor-body"):
            yield Static(text.INTRO, id="doctor-state")
            yield Static("", id="doctor-skipped")
            yield OptionList(id="doctor-list")
            with ScrollBody(id="doctor-detail-panel", classes="panel"):
                yield Static("", id="doctor-detail")
        yield KeyBar()

    def on_mount(self) -> None:
        self.query_one("#doctor-detail-panel").border_title = "What was seen, and the fix"
        subscribe_changes(self, self._app_changed)

    def on_resize(self, event: events.Resize) -> None:
        self.set_class(event.size.height < SHORT_HEIGHT, "short")

    def on_screen_resume(self) -> None:
        if not self.running and self._generation != self.app.generation:
            self.call_after_refresh(self.action_run)

    def _app_changed(self, _change: Change) -> None:
        """Another connection or agent: the findings were about the old one."""
        self.findings, self.evidence, self._generation = (), None, None
        self.query_one("#doctor-list", OptionList).clear_options()
        self.query_one("#doctor-detail", Static).update("")
        self.query_one("#doctor-skipped", Static).update("")
        self._state(text.INTRO)
        if self.is_current:
            self.action_run()

    def action_leave(self) -> None:
        self.app.go_back()

    # -- running ---------------------------------------------------------------------------------------

    def action_run(self) -> None:
        ready = readiness(self.app)
        if not ready.ready:
            self._state(ready.text)
            return
        client, guid = self.app.client, self.app.agent_guid
        self.running = True
        self._run += 1
        self._state("[b]Running the checks…[/] reading the agent")
        self._diagnose(client, guid, self.app.generation, self._run)

    @work(exclusive=True, group="doctor-run", exit_on_error=False)
    async def _diagnose(self, client: Any, guid: str, generation: int, run: int) -> None:
        sim, settings = self.app.sim, self.app.settings
        history = await asyncio.to_thread(lambda: self.app.history)  # opening the file is disk work
        try:
            evidence = await gather(
                client, guid, settings,
                twilio=lambda sid: twilio_access(sid, settings, demo=sim),
                now=self.app.clock, progress=lambda line: self.post_message(DoctorProgress(generation, line)),
                history=history)
        finally:
            if run == self._run:
                self.running = False
        findings = diagnose(evidence)
        if settings.keymap:  # the keymap check reads every screen's bindings: only when there is one
            from ..keymap import keymap_findings  # imports every screen: only for a keymap

            extra = await asyncio.to_thread(keymap_findings, dict(settings.keymap), str(settings.config_path))
            findings = ordered([*findings, *extra])
        self.post_message(DoctorDone(generation, evidence, tuple(findings)))

    def on_doctor_progress(self, message: DoctorProgress) -> None:
        if message.generation == self.app.generation and self.running:
            self._state(f"[b]Running the checks…[/] {escape(message.line)}")

    def on_doctor_done(self, message: DoctorDone) -> None:
        if message.generation != self.app.generation:
            return
        self._generation = message.generation
        self.evidence, self.findings = message.evidence, message.findings
        self._redraw()

    # -- rendering ---------------------------------------------------------------------------------------

    def _redraw(self) -> None:
        self._state(text.state_line(self.findings, self.evidence.taken_at, self.app.local_time))
        self.query_one("#doctor-skipped", Static).update(text.skipped_line(skipped(self.evidence)))
        listing = self.query_one("#doctor-list", OptionList)
        kept = self.highlighted_finding()
        listing.clear_options()
        options: list[Option] = []
        for severity in SEVERITIES:
            group = [(i, f) for i, f in enumerate(self.findings) if f.severity == severity]
            if group:
                options.append(Option(text.heading(severity, len(group)), disabled=True))
                options.extend(Option(text.prompt(f), id=f"finding-{i}") for i, f in group)
        listing.add_options(options)
        targets = [o.id for o in options if o.id is not None]
        if targets:
            # the same finding again (by id) keeps the cursor; a fixed one gives way to the worst left
            again = next((f"finding-{i}" for i, f in enumerate(self.findings) if kept is not None and f.id == kept.id),
                         None)
            listing.highlighted = listing.get_option_index(again or targets[0])
        self._show(self.highlighted_finding())

    def highlighted_finding(self) -> Any:
        """The finding under the list's cursor, or None."""
        listing = self.query_one("#doctor-list", OptionList)
        if listing.highlighted is None or listing.option_count == 0:
            return None
        option = listing.get_option_at_index(listing.highlighted)
        if option.id is None or not option.id.startswith("finding-"):
            return None
        index = int(option.id.removeprefix("finding-"))
        return self.findings[index] if index < len(self.findings) else None

    @on(OptionList.OptionHighlighted, "#doctor-list")
    def _highlighted(self, _event: OptionList.OptionHighlighted) -> None:
        self._show(self.highlighted_finding())

    @on(OptionList.OptionSelected, "#doctor-list")
    def _selected(self, _event: OptionList.OptionSelected) -> None:
        self._show(self.highlighted_finding())
        self.query_one("#doctor-detail-panel", VerticalScroll).scroll_home(animate=False)

    def _show(self, finding: Any) -> None:
        self.query_one("#doctor-detail", Static).update(text.detail(finding) if finding is not None else "")

    def _state(self, line: str) -> None:
        self.query_one("#doctor-state", Static).update(line)

    def commands(self) -> Iterable[SystemCommand]:
        yield SystemCommand("doctor: run", "Run every check again: agent, numbers, credential, hold, calls, log",
                            self.action_run)
