"""Pick one of your agents (MyAgents, every page)."""

from __future__ import annotations

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.markup import escape
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from ...wiro import Agent, WiroError
from ..widgets.header import status_class


class AgentPicker(ModalScreen[str | None]):
    BINDINGS = [Binding("escape", "dismiss(None)", "Cancel", id="picker.cancel")]

    def compose(self) -> ComposeResult:
        with Vertical(id="picker", classes="panel"):
            yield Static("Loading your agents…", id="picker-status")
            yield OptionList(id="picker-list")

    def on_mount(self) -> None:
        self.query_one("#picker").border_title = "Pick an agent"
        self.query_one("#picker-list").display = False
        self.load()

    @work(exclusive=True, group="agent-picker")
    async def load(self) -> None:
        client = self.app.client
        if client is None:
            self._show_error("Not connected: press n to enter your Wiro API key.")
            return
        try:
            agents = await client.my_agents()
        except WiroError as err:
            self._show_error(f"Could not list your agents: {err.message}")
            return
        self._show(agents)

    def _show_error(self, text: str) -> None:
        self.query_one("#picker-status", Static).update(escape(text) + "\nPress Escape to close.")

    def _show(self, agents: list[Agent]) -> None:
        status = self.query_one("#picker-status", Static)
        if not agents:
            status.update("This project has no agents yet. Deploy a Voice Receptionist in the Wiro panel first.")
            return
        status.update(f"{len(agents)} agent(s). Enter picks, Escape cancels.")
        options = self.query_one("#picker-list", OptionList)
        options.clear_options()
        for agent in agents:
            cls = status_class(agent.status)
            label = f"{escape(agent.title)}  [$agent-{cls}]{escape(agent.status_name)}[/]  [dim]{escape(agent.guid)}[/dim]"
            options.add_option(Option(label, id=agent.guid))
        options.display = True
        options.highlighted = 0
        options.focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)
