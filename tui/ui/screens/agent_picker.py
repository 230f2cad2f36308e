"""Pick one of your agents (MyAgents, every page)."""

from __future__ import annotations

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.markup import escape
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from ...common.text import plural
from ...wiro import Agent, WiroError
from ..failures import ReportsWorkerFailures
from ..widgets.header import status_class
from ..widgets.key_bar import KeyBar


class AgentsLoaded(Message):
    def __init__(self, agents: list[Agent] | None, error: str | None) -> None:
        super().__init__()
        self.agents = agents
        self.error = error


class AgentPicker(ReportsWorkerFailures, ModalScreen[str | None]):
    BINDINGS = [
        Binding("escape", "dismiss(None)", "Cancel", id="agent_picker.cancel"),
        Binding("enter", "pick", "Pick", id="agent_picker.pick", show=True),
    ]

    def __init__(self, current: str | None = None) -> None:
        super().__init__()
        self.current = current

    def compose(self) -> ComposeResult:
        with Vertical(id="picker", classes="panel"):
            yield Static("Loading your agents…", id="picker-status")
            yield OptionList(id="picker-list")
        yield KeyBar()

    def action_pick(self) -> None:
        options = self.query_one("#picker-list", OptionList)
        if options.display and options.highlighted is not None:
            self.dismiss(options.get_option_at_index(options.highlighted).id)

    def on_mount(self) -> None:
        self.query_one("#picker").border_title = "Pick an agent"
        self.query_one("#picker-list").display = False
        self.load()

    @work(exclusive=True, group="agent-picker", exit_on_error=False)
    async def load(self) -> None:
        client = self.app.client
        if client is None:
            self.post_message(AgentsLoaded(None, "Not connected: press n to enter your Wiro API key."))
            return
        try:
            agents = await client.my_agents()
        except WiroError as err:
            self.post_message(AgentsLoaded(None, f"Could not list your agents: {err.message}"))
            return
        self.post_message(AgentsLoaded(agents, None))

    def on_agents_loaded(self, message: AgentsLoaded) -> None:
        if message.error is not None:
            self._show_error(message.error)
        else:
            self._show(message.agents or [])

    def _show_error(self, text: str) -> None:
        self.query_one("#picker-status", Static).update(escape(text) + "\nPress Escape to close.")

    def _show(self, agents: list[Agent]) -> None:
        status = self.query_one("#picker-status", Static)
        if not agents:
            status.update("This project has no agents yet. Deploy a Voice Receptionist in the Wiro panel first.")
            return
        status.update(f"{plural(len(agents), 'agent')}. Enter picks, Escape cancels.")
        options = self.query_one("#picker-list", OptionList)
        options.clear_options()
        for agent in agents:
            cls = status_class(agent.status)
            label = f"{escape(agent.title)}  [$agent-{cls}]{escape(agent.status_name)}[/]  [dim]{escape(agent.guid)}[/dim]"
            options.add_option(Option(label, id=agent.guid))
        options.display = True
        guids = [agent.guid for agent in agents]
        options.highlighted = guids.index(self.current) if self.current in guids else 0
        options.focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)
