"""Credentials: the twilio-voice form, checked on every keystroke, verified with Twilio, saved through Wiro.

The screen wires three things: the `CredentialForm` widget (the fields and what is wrong with them), the app's
`CredentialEdits` (what Wiro has and what the user made of it, per agent, kept as a draft on disk without the
token) and the workers that load, verify and save. The rules, the fixes and the save flow live in
`tui.credential`; words in `credentials_text`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable

from textual import on, work
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.markup import escape
from textual.reactive import reactive
from textual.screen import Screen
from textual.widgets import Button, Input, ProgressBar, Static, TextArea
from textual.worker import Worker, WorkerState

from ...credential.draft import CredentialDraft
from ...credential.edits import AgentEdits, changed_fields
from ...credential.fixes import apply_fix, can_apply, describe_fix, field_label
from ...credential.rules import MONO_COPY, split_field, validate
from ...problems import Problem
from ...twilio.access import NoAccess, twilio_access
from ..credential_edits import edits_of
from ..failures import ReportsWorkerFailures
from ..fresh_styles import FirstShowingKeepsStyles
from ..readiness import readiness
from ..state import Change, subscribe_changes
from ..stylesheets import sheet
from ..widgets.credential_form import REQUIRED, CredentialForm, Findings
from ..widgets.header import AppHeader
from ..widgets.key_bar import KeyBar
from ..widgets.list_editor import ListEditor
from ..widgets.scroll_body import ScrollBody
from . import credentials_jobs as jobs
from . import credentials_text as text
from .confirm import Confirm
from .credentials_jobs import CredentialLoaded, FileFixed, FilesProbed, SaveFinished, SaveProgress, VerifyFinished


@dataclass(frozen=True)
class FormState:
    """What the state line and the Save/Revert buttons show."""

    title: str = ""
    changed: tuple[str, ...] = ()
    errors: tuple[Problem, ...] = ()
    loaded: bool = False


class CredentialsScreen(FirstShowingKeepsStyles, ReportsWorkerFailures, Screen):
    CSS_PATH = sheet("credentials")
    BINDINGS = [
        Binding("ctrl+s", "save", "Save", id="credentials.save", priority=True),
        Binding("ctrl+t", "verify", "Verify with Twilio", id="credentials.verify"),
        Binding("ctrl+r", "revert", "Revert", id="credentials.revert"),
        Binding("f2", "toggle_token", "Show/hide token", id="credentials.toggle"),
        Binding("f3", "pick", "Pick voice/file", id="credentials.pick"),
        Binding("ctrl+f", "fix", "Apply fix", id="credentials.fix"),
        Binding("escape", "leave", "Back", id="credentials.back"),
        Binding("pageup", "scroll('page_up')", "Page up", id="credentials.page_up", show=False),
        Binding("pagedown", "scroll('page_down')", "Page down", id="credentials.page_down", show=False),
        Binding("home", "scroll('home')", "Top", id="credentials.top", show=False),
        Binding("end", "scroll('end')", "Bottom", id="credentials.bottom", show=False),
    ]

    saving: reactive[bool] = reactive(False, init=False)
    state: reactive[FormState] = reactive(FormState, always_update=True, init=False)

    def __init__(self) -> None:
        super().__init__(id="credentials")
        self._guid: str | None = None  # the agent the form shows
        self._shown_version = -1  # the edits' version the form shows
        self._problems: tuple[Problem, ...] = ()

    # -- layout -----------------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield AppHeader()
        with ScrollBody(id="cred-body"):
            yield Static("Loading the credential…", id="cred-state")
            with Horizontal(id="cred-draft"):
                yield Static("", id="cred-draft-text")
                yield Button("Restore", id="draft-restore", variant="primary", compact=True)
                yield Button("Discard", id="draft-discard", compact=True)
            yield CredentialForm(id="cred-form")
            with Horizontal(id="cred-buttons", classes="button-row"):
                yield Button("Save", id="save", variant="success", compact=True)
                yield Button("Revert", id="revert", compact=True)
                yield Static("", id="save-reason")
            yield ProgressBar(id="save-progress", show_eta=False)
            yield Static("", id="save-result")
        yield KeyBar()

    @property
    def form(self) -> CredentialForm:
        return self.query_one(CredentialForm)

    def on_mount(self) -> None:
        for hidden in ("#cred-draft", "#save-progress", "#save-result"):
            self.query_one(hidden).display = False
        subscribe_changes(self, self._changed)
        self._validate()

    def on_screen_resume(self) -> None:
        edits = edits_of(self.app).get(self.app.agent_guid)
        if edits is None or edits.generation != self.app.generation or not edits.offer_checked:
            self.call_after_refresh(self._load)  # not read here yet (Hold may have read it: the draft offer was not)
        elif edits.guid != self._guid or edits.version != self._shown_version:
            self._guid = edits.guid
            self._show_edits(edits)  # changed elsewhere (a premix from Hold) while this screen was away

    def on_screen_suspend(self) -> None:
        self.form.token_shown = False  # never leave the token shown for the next visit or a screenshot

    def _changed(self, _change: Change) -> None:
        """Another connection or agent: this agent's edits stay in the app's model (and its draft); the form,
        the banners and the save result now belong to the new one."""
        self._guid = None
        self._shown_version = -1
        # a save still running for the previous agent goes on (cancelling it could leave Wiro half-written);
        # `saving` stays set until it ends, and its result goes to that agent's edits
        self.query_one("#save-progress").display = False
        self.query_one("#cred-draft").display = False
        self._save_result("", "")
        self.form.verify_result("", "")
        if self.is_current:
            self._load()
        else:
            self._state_line("Loading the credential…")

    # -- the model ------------------------------------------------------------------------------------------

    def _edits(self) -> AgentEdits | None:
        edits = edits_of(self.app).get(self.app.agent_guid)
        return edits if edits is not None and edits.guid == self._guid else None

    @property
    def dirty(self) -> bool:
        edits = self._edits()
        return edits is not None and edits.dirty

    @property
    def loaded(self) -> bool:
        return self._edits() is not None

    def changed_fields(self) -> list[str]:
        edits = self._edits()
        return changed_fields(edits.loaded, self.current_draft()) if edits is not None else []

    def current_draft(self) -> CredentialDraft:
        """The form as it stands, including list text typed but not added yet."""
        edits = self._edits()
        return self.form.draft(edits.loaded if edits is not None else CredentialDraft())

    def keep_draft(self) -> None:
        """Write the draft now (the app is quitting)."""
        edits_of(self.app).keep_all()

    # -- loading ------------------------------------------------------------------------------------------

    def _load(self) -> None:
        ready = readiness(self.app)
        if not ready.ready:
            self._state_line(ready.text)
            return
        self._state_line("Loading the credential…")
        self._fetch(self.app.client, self.app.agent_guid, self.app.generation)

    @work(exclusive=True, group="credentials-load", exit_on_error=False)
    async def _fetch(self, client: Any, guid: str, generation: int) -> None:
        self.post_message(CredentialLoaded(await jobs.load(client, guid, generation, self.app.settings.config_path)))

    def on_credential_loaded(self, message: CredentialLoaded) -> None:
        loaded = message.loaded
        if loaded.generation != self.app.generation or loaded.guid != self.app.agent_guid:
            return
        if loaded.draft is None:
            if self._edits() is None:
                self._state_line(f"✖ Could not load the credential: {escape(loaded.error or '')} "
                                 "Press Ctrl+R to try again.", "error")
            else:  # keep what is on screen; say the refresh failed
                self.notify(f"Could not reload the credential: {loaded.error}", severity="warning")
            return
        model = edits_of(self.app)
        edits = model.loaded(loaded.guid, loaded.draft, title=loaded.title, agent=loaded.agent,
                             generation=loaded.generation)
        model.consider_offer(loaded.guid, loaded.stored)
        self._guid = loaded.guid
        self._show_edits(edits)

    def _show_edits(self, edits: AgentEdits) -> None:
        """Fill the form from the model and show its draft offer."""
        self.form.fill(edits.current)
        self._shown_version = edits.version
        self._show_offer(edits)
        self._validate()

    # -- validation on every keystroke ------------------------------------------------------------------------

    @on(CredentialForm.Edited)
    def _edited(self, event: CredentialForm.Edited) -> None:
        event.stop()
        edits = self._edits()
        draft = self.current_draft()
        if edits is not None:
            model = edits_of(self.app)
            by_user = event.by_user and event.name in changed_fields(edits.current, draft)
            if by_user:
                model.answer_refusals(edits.guid, {event.name})  # Wiro's refusal was of the value it was sent
            changed = model.edit(edits.guid, draft, touched={event.name} if by_user else ())
            self._shown_version = edits.version
            if not (changed or event.by_user):  # a field being filled in with what the form was checked with
                return
        self._validate(draft)

    def _validate(self, draft: CredentialDraft | None = None) -> tuple[Problem, ...]:
        draft = draft or self.current_draft()
        problems = tuple(validate(draft, files=self._files_ready(draft)).problems)
        self._problems = problems
        edits = self._edits()
        self.form.findings = Findings(problems, frozenset(edits.touched if edits else ()),
                                      dict(edits.refused) if edits else {}, draft)
        self.state = FormState(edits.title if edits else "", tuple(changed_fields(edits.loaded, draft)) if edits else (),
                               tuple(p for p in problems if p.blocks), edits is not None)
        return problems

    def _files_ready(self, draft: CredentialDraft) -> bool:
        """True when validating reads no file; else the new files are probed in a thread and the form is
        checked again when they have been (FilesProbed)."""
        fresh = jobs.unprobed_files(draft)
        if fresh:
            self._probe_files(fresh)
        return not fresh

    @work(exclusive=True, group="credentials-probe", thread=True, exit_on_error=False)
    def _probe_files(self, paths: tuple[str, ...]) -> None:
        jobs.probe(paths)
        self.post_message(FilesProbed())

    def on_files_probed(self, _message: FilesProbed) -> None:
        self._validate()

    # -- the state line, Save and Revert ----------------------------------------------------------------------

    def watch_state(self, state: FormState) -> None:
        if not state.loaded:
            return
        self._state_line(text.state_line(state.title, list(state.changed)))
        self._show_buttons()

    def watch_saving(self, _saving: bool) -> None:
        self._show_buttons()

    def _show_buttons(self) -> None:
        state = self.state
        self.query_one("#save", Button).disabled = bool(state.errors) or self.saving or not state.loaded
        self.query_one("#revert", Button).disabled = not state.changed or self.saving
        self.query_one("#save-reason", Static).update(
            text.save_reason(list(state.errors), list(state.changed), self.saving) if state.loaded else "")

    def _state_line(self, line: str, level: str = "") -> None:
        box = self.query_one("#cred-state", Static)
        box.update(line)
        box.set_classes(level)

    # -- drafts of earlier sessions ---------------------------------------------------------------------------

    def _show_offer(self, edits: AgentEdits) -> None:
        bar = self.query_one("#cred-draft")
        if edits.offer is None:
            bar.display = False
            return
        self.query_one("#cred-draft-text", Static).update(text.draft_offer(edits.offer, edits.loaded, self.app.local_time))
        bar.display = True

    def action_restore_draft(self) -> None:
        edits = self._edits()
        if edits is None:
            return
        stored = edits_of(self.app).restore_offer(edits.guid)
        if stored is None:
            return
        self._show_edits(edits)
        if stored.token_was_typed:
            self.notify("The Auth Token you typed was not kept (secrets never go to disk): type it again before saving.",
                        title="Draft restored", timeout=8)

    def action_discard_draft(self) -> None:
        edits = self._edits()
        if edits is not None:
            edits_of(self.app).drop_offer(edits.guid)
            self._show_offer(edits)

    # -- buttons and keys -----------------------------------------------------------------------------------

    def on_button_pressed(self, event: Button.Pressed) -> None:
        actions = {"save": self.action_save, "revert": self.action_revert, "verify": self.action_verify,
                   "toggle-token": self.action_toggle_token, "draft-restore": self.action_restore_draft,
                   "draft-discard": self.action_discard_draft}
        action = actions.get(event.button.id or "")
        if action is not None:
            event.stop()
            action()

    def action_toggle_token(self) -> None:
        self.form.token_shown = not self.form.token_shown

    def action_scroll(self, where: str) -> None:
        """PageUp/PageDown/Home/End move the form once no field has the keys (Escape left it)."""
        body = self.query_one("#cred-body", VerticalScroll)
        {"page_up": body.scroll_page_up, "page_down": body.scroll_page_down,
         "home": body.scroll_home, "end": body.scroll_end}[where](animate=False)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "scroll":
            # a text field keeps its own Home/End (and a list its PageUp/PageDown, bound on the list itself)
            return not isinstance(self.focused, (Input, TextArea))
        return True

    def action_leave(self) -> None:
        """Escape: out of a field first, then back where the user came from (asking first when there are edits)."""
        focused = self.focused
        if focused is not None and isinstance(focused.parent, ListEditor) and focused.parent.cancel_edit():
            return
        if isinstance(focused, (Input, TextArea)):
            self.set_focus(None)
            return
        if not self.dirty:
            self.app.go_back()
            return

        def answered(answer: str | None) -> None:
            edits = self._edits()
            if answer == "discard" and edits is not None:
                edits_of(self.app).revert(edits.guid)
                self._show_edits(edits)
            if answer in ("leave", "discard"):
                self.app.go_back()

        self.app.push_screen(
            Confirm("Unsaved edits", text.leave_question(self.changed_fields()),
                    [("Keep editing", "cancel", "primary"), ("Leave (keep the draft)", "leave", "default"),
                     ("Discard edits", "discard", "error")]),
            answered,
        )

    def action_revert(self) -> None:
        edits = self._edits()
        if edits is None:
            self._load()
            return
        if not self.changed_fields():
            return

        def answered(answer: str | None) -> None:
            current = self._edits()
            if answer == "revert" and current is not None:
                edits_of(self.app).revert(current.guid)
                self._show_edits(current)
                self.notify("Back to what Wiro has.", title="Reverted")

        self.app.push_screen(
            Confirm("Revert", text.revert_question(self.changed_fields()),
                    [("Keep editing", "cancel", "primary"), ("Revert", "revert", "error")]),
            answered,
        )

    def action_pick(self) -> None:
        name = self.form.focused_field()
        if name == "holdvoice":
            from .voice_picker import VoicePicker

            self.app.push_screen(VoicePicker(self.current_draft().holdvoice),
                                 lambda chosen: self._set_field("holdvoice", chosen))
        elif name in ("holdaudio", "holdmusic"):
            from .file_picker import FilePicker

            title = "Choose the greeting" if name == "holdaudio" else "Choose the hold music"
            current = getattr(self.current_draft(), name)
            self.app.push_screen(FilePicker(title, current), lambda chosen: self._set_field(name, chosen))
        else:
            self.notify("F3 picks a voice (in the Voice field) or a file (in the Greeting or Music field).")

    def _set_field(self, name: str, value: str | None) -> None:
        if value is not None:
            self.form.set_field(name, value)

    # -- fixes ----------------------------------------------------------------------------------------------

    def action_fix(self) -> None:
        """Apply the fix offered for what has focus, only there, and say what it changed (or that there is
        nothing to fix there)."""
        edits = self._edits()
        where = self.form.focused_field()
        if edits is None:
            self.notify("The credential has not loaded yet.", severity="warning")
            return
        if not where:
            self.notify("Ctrl+F fixes the field (or list item) that has focus: move to one that shows a fix first.",
                        title="Nothing to fix")
            return
        self._validate()
        finding = next((p for p in self._problems if p.field == where and can_apply(p)), None)
        if finding is None:
            self.notify(f"Nothing to fix in {field_label(where)}.", title="Nothing to fix")
            return
        before = self.current_draft()
        if finding.fix_action == MONO_COPY:
            self._state_line("Writing a mono copy…")
            self._mono_copy(edits.guid, before, finding)
            return
        after = apply_fix(before, finding)
        self._use_fix(edits, before, after, finding)
        self.notify(describe_fix(before, after, finding) or f"Nothing changed in {field_label(where)}.", title="Fixed")

    def _use_fix(self, edits: AgentEdits, before: CredentialDraft, after: CredentialDraft, finding: Any) -> None:
        base, _ = split_field(finding.field)
        edits_of(self.app).edit(edits.guid, after.replace(authtoken=before.authtoken), touched={base})
        focused_list = self.form.editor(base) if base in ("phonenumbers", "whitelistedcallers") else None
        self._show_edits(edits)
        if focused_list is not None:
            focused_list.query_one(".list-items").focus()

    @work(exclusive=True, group="credentials-mono", exit_on_error=False)
    async def _mono_copy(self, guid: str, before: CredentialDraft, finding: Any) -> None:
        self.post_message(await jobs.mono_copy(guid, before, finding))

    def on_file_fixed(self, message: FileFixed) -> None:
        edits = self._edits()
        if message.after is None:
            self.notify(f"No mono copy was written: {message.error}", severity="error")
        elif edits is not None and edits.guid == message.guid:
            self._use_fix(edits, message.before, message.after, message.finding)
            self.notify(describe_fix(message.before, message.after, message.finding), title="Mono copy written")
        self._validate()

    # -- verify with Twilio ----------------------------------------------------------------------------------

    def action_verify(self) -> None:
        draft = self.current_draft()
        sid_problems = [p for p in self._problems if p.field == "accountsid" and p.blocks]
        if not draft.accountsid.strip() or sid_problems:
            self.form.verify_result("✖ Fix the Account SID first.", "error")
            return
        # the pair in the form is what is checked: TWILIO_ACCOUNT_SID does not replace the form's SID
        access = twilio_access(draft.accountsid, self.app.settings, typed_token=draft.authtoken, demo=self.app.sim,
                               sid_from_env=False)
        if isinstance(access, NoAccess):
            self.form.verify_result("Type the Auth Token to verify: Wiro never sends the saved one back.", "warning")
            return
        self.form.verify_result("Asking Twilio…", "")
        self._verify(access.account_sid, access.token, self.app.settings.twilio_base)

    @work(exclusive=True, group="credentials-verify", exit_on_error=False)
    async def _verify(self, sid: str, token: str, base: str) -> None:
        self.post_message(await jobs.verify(sid, token, base))

    def on_verify_finished(self, message: VerifyFinished) -> None:
        self.form.verify_result(message.text, message.level)

    # -- save ------------------------------------------------------------------------------------------------

    def action_save(self) -> None:
        """Ctrl+S from anywhere in the form: save, or say why not in a notification (Save may be below the fold)."""
        if self.saving:
            self.notify("A save is running already.")
            return
        edits = self._edits()
        if edits is None:
            self.notify("The credential has not loaded yet.", severity="warning")
            return
        self.form.commit_lists()  # typed but not added: keep it
        draft = self.current_draft()
        edits_of(self.app).edit(edits.guid, draft, touched=REQUIRED)
        self._shown_version = edits.version
        errors = [p for p in self._validate(draft) if p.blocks]
        if errors:
            self._save_result(text.blocked_line(errors), "error")
            self.notify(text.save_reason(errors, [], False), title="Not saved", severity="error", timeout=8)
            return
        client = self.app.client
        if client is None:
            self._save_result("✖ Not connected to Wiro.", "error")
            self.notify("Not saved: not connected to Wiro.", severity="error")
            return
        self.saving = True
        self._save_result("Saving…", "")
        access = twilio_access(draft.accountsid, self.app.settings, typed_token=draft.authtoken, demo=self.app.sim,
                               sid_from_env=False)
        self._save(client, edits.guid, draft, edits.agent, edits.loaded,
                   None if isinstance(access, NoAccess) else access)

    @work(exclusive=True, group="credentials-save", exit_on_error=False)
    async def _save(self, client: Any, guid: str, draft: CredentialDraft, agent: Any, loaded: CredentialDraft,
                    access: Any) -> None:
        def progress(label: str, done: int, total: int | None) -> None:
            self.post_message(SaveProgress(guid, label, done, total))

        self.post_message(await jobs.save(client, guid, draft, agent=agent, loaded=loaded, access=access,
                                          settings=self.app.settings, clock=self.app.clock, progress=progress))

    def on_save_progress(self, message: SaveProgress) -> None:
        if message.guid != self._guid:
            return  # the save of the agent shown before: its progress is not this one's
        bar = self.query_one("#save-progress", ProgressBar)
        bar.display = True
        bar.update(total=message.total, progress=message.done)
        self._save_result(escape(message.label), "")

    def on_save_finished(self, message: SaveFinished) -> None:
        outcome, model = message.outcome, edits_of(self.app)
        self.saving = False
        refused = text.row_messages(outcome)
        general = refused.pop("", [])
        agent_after = getattr(outcome, "agent_after", None)
        if text.outcome_saved(outcome):
            partly = bool(refused) or outcome.failure is not None
            model.saved(message.guid, text.saved_draft(message.draft, outcome), message.draft,
                        keep_all_edits=partly, refused=refused, agent=agent_after)
            if outcome.report_problem:  # the save kept the webhook report itself; say when it could not
                self.notify(outcome.report_problem, severity="warning")
        else:
            model.refusals(message.guid, refused)
        if agent_after is not None and message.guid == self.app.agent_guid:
            self.app.agent = agent_after  # the header shows the status the save left (e.g. out of setup)
        edits = self._edits()
        if edits is None or edits.guid != message.guid:  # another agent by now: its banner is not this one's
            if text.outcome_saved(outcome):
                self.notify(text.save_toast(outcome, message.routing), title="Credential saved (previous agent)")
            return
        self.query_one("#save-progress").display = False
        line, level = text.save_outcome_line(outcome, message.routing)
        self._save_result(line + "".join(f"\n✖ Wiro: {escape(m)}" for m in general), level)
        self._show_edits(edits)
        if text.outcome_saved(outcome):
            self.notify(text.save_toast(outcome, message.routing), title="Credential saved", timeout=8)

    def _save_result(self, line: str, level: str) -> None:
        box = self.query_one("#save-result", Static)
        box.update(line)
        box.set_classes(level)
        box.display = bool(line)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """What a failed worker leaves on this screen. The notification itself comes from ReportsWorkerFailures,
        whose handler Textual calls on its own (calling it here too showed every failure twice)."""
        group, state = event.worker.group, event.state
        if group == "credentials-verify" and state == WorkerState.ERROR:
            self.form.verify_result("✖ The check could not be made (see the notification).", "error")
        if group == "credentials-save" and state in (WorkerState.ERROR, WorkerState.CANCELLED):
            self.saving = False
            self.query_one("#save-progress").display = False
            self._save_result("✖ The save did not finish. Your edits are all still here; try again.", "error")
            self._validate()

    def commands(self) -> Iterable[SystemCommand]:
        yield SystemCommand("credentials: save", "Upload hold files and save the credential to Wiro", self.action_save)
        yield SystemCommand("credentials: verify with Twilio", "Check the Account SID and Auth Token pair", self.action_verify)
        yield SystemCommand("credentials: revert", "Go back to what Wiro has", self.action_revert)
        yield SystemCommand("credentials: apply fix", "Use the suggested fix of the field that has focus", self.action_fix)
        yield SystemCommand("credentials: show/hide token", "Reveal the Auth Token you typed", self.action_toggle_token)
        if self.query_one("#cred-draft").display:
            yield SystemCommand("credentials: restore draft", "Bring back the unsaved edits", self.action_restore_draft)
