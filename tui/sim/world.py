"""The simulator's state and the rules that change it: agents, their status machine, calls.

Everything here is guarded by ``World.lock``; the HTTP layer holds it for a whole Wiro request,
and tests hold it while they flip switches or add things.
"""

from __future__ import annotations

import bisect
import itertools
import threading
from collections.abc import Callable, Iterator

from . import callgen
from .calls import Call, CallState, state_at
from .credentials import TWILIO_KEY, new_group, twilio_complete
from .files import FileStore
from .ids import IdMint, rng_for
from .timefmt import iso_z
from .twilio_world import TwilioWorld

STOPPED, STOPPING, QUEUED, STARTING, RUNNING, ERROR, SETUP_REQUIRED = range(7)
STATUS_LABELS = ("Stopped", "Stopping", "Queued", "Starting", "Running", "Error", "Setup Required")

# Simulated seconds each step of a start, stop or restart takes.
QUEUED_SECONDS, STARTING_SECONDS, STOPPING_SECONDS = 2.0, 4.0, 3.0
MAX_CALLS_PER_AGENT = 2000  # old sessions are forgotten so a long demo does not grow without bound


class Agent:
    """One agent instance ("useragent").

    Switches tests may set (under ``World.lock``):
      - ``status = N`` forces a status at once (e.g. 5 Error) and cancels pending transitions;
      - ``no_subscription`` / ``no_credits``: Start is refused with Wiro's message;
      - ``setuprequired``: Start is refused as for status 6;
      - ``credentials[...]`` may be edited directly (the real token lives there unmasked).
    """

    def __init__(self, *, id: int, guid: str, title: str, agent_title: str, agent_slug: str,
                 created: float, status: int, owner_uuid: str, clock: Callable[[], float],
                 setuprequired: bool = False, ever_started: bool = False) -> None:
        self.id = id
        self.guid = guid
        self.title = title
        self.agent_title = agent_title
        self.agent_slug = agent_slug
        self.created = created
        self.updated = created
        self.owner_uuid = owner_uuid
        self.setuprequired = setuprequired
        self.restartafter = False
        self.no_subscription = False
        self.no_credits = False
        self.ever_started = ever_started or status in (STOPPING, QUEUED, STARTING, RUNNING)
        self.credentials: dict[str, dict] = {}
        self.calls: list[Call] = []
        self.log_events: list[tuple[float, dict]] = []  # extra activity-log events (see World.add_log_event)
        self._clock = clock
        self._status = status
        # (time, status) history, so "was it running at t" has an answer for lazy call generation.
        self.timeline: list[tuple[float, int]] = [(float("-inf"), status)]
        self.pending: list[tuple[float, int, bool]] = []  # (due, status, restartafter) in time order
        self._arrivals: Iterator[float] | None = None
        self._next_arrival = float("inf")
        self._arrival_index = 0

    @property
    def status(self) -> int:
        """The current status code (0–6)."""
        return self._status

    @status.setter
    def status(self, value: int) -> None:
        # A forced status wins over whatever transition was still to come (earlier ones happened).
        now = self._clock()
        self.apply_due(now)
        self.pending.clear()
        self.restartafter = False
        self._set(now, int(value))

    def _set(self, t: float, status: int) -> None:
        self._status = status
        self.timeline.append((t, status))
        self.updated = max(self.updated, t)

    def schedule(self, now: float, first: int, steps: list[tuple[float, int]], *, restart: bool = False) -> None:
        """Go to ``first`` now, then to each ``(delay, status)`` in turn, delays counted from the previous step."""
        self.pending.clear()
        self.restartafter = restart
        self._set(now, first)
        t = now
        for delay, status in steps:
            t += delay
            self.pending.append((t, status, False))

    def apply_due(self, now: float) -> None:
        """Apply every scheduled transition whose time has come, at its scheduled time."""
        while self.pending and self.pending[0][0] <= now:
            t, status, restart = self.pending.pop(0)
            self.restartafter = restart
            self._set(t, status)

    def status_at(self, t: float) -> int:
        """The status the agent had at simulated time ``t`` (as far as known)."""
        i = bisect.bisect_right(self.timeline, (t, 99)) - 1
        return self.timeline[max(i, 0)][1]

    def left_running(self, since: float) -> tuple[float, int] | None:
        """``(time, status)`` of the first moment at or after ``since`` the agent was not Running, or None."""
        status = self.status_at(since)
        if status != RUNNING:
            return since, status
        i = bisect.bisect_right(self.timeline, (since, 99))
        for t, status in self.timeline[i:]:
            if status != RUNNING:
                return t, status
        return None

    @property
    def twilio(self) -> dict:
        """The twilio-voice credential group (created empty if missing)."""
        return self.credentials.setdefault(TWILIO_KEY, new_group(TWILIO_KEY))


class World:
    """All simulated state.

    World-wide switches (set under ``lock``):
      - ``twilio_outage``: Twilio is down — CredentialUpsert answers twilioWebhookError and the
        Twilio endpoints answer 503;
      - ``no_subscription`` / ``no_credits``: Start is refused for every agent;
      - ``stuck_incoming``: live calls generated from now on stay realtime_session_incoming forever
        (read when calls are generated, which is lazily, at the next request);
      - ``twilio_latency``: real seconds each Twilio HTTP request takes (makes concurrency testable).
    Helpers: ``add_agent``, ``add_call``, ``add_number``, ``add_log_event``.
    """

    def __init__(self, seed: int, clock: Callable[[], float], base_url: str) -> None:
        self.lock = threading.RLock()
        self.seed = seed
        self.now = clock
        self.base_url = base_url
        self.mint = IdMint(rng_for(seed, "world"))
        self.twilio = TwilioWorld(IdMint(rng_for(seed, "twilio")))
        self.files = FileStore(IdMint(rng_for(seed, "files")), base_url)
        self.agents: dict[str, Agent] = {}
        self.twilio_outage = False
        self.no_subscription = False
        self.no_credits = False
        self.stuck_incoming = False
        self.twilio_latency = 0.0
        self.logs_cache: dict[tuple, tuple[float, dict]] = {}
        self.owner_uuid = self.mint.uuid()
        self.owner_name = "bosphorus-dental"
        self._seq = itertools.count(10_000)
        self._added = itertools.count()

    # -- building -------------------------------------------------------------------------------

    def add_agent(self, title: str, *, status: int = STOPPED, agent_title: str = "Voice Receptionist",
                  agent_slug: str = "voice-receptionist", created: float | None = None,
                  setuprequired: bool | None = None, live_calls: bool = True) -> Agent:
        """Add an agent with a seeded guid; ``live_calls`` makes calls arrive while it runs."""
        now = self.now()
        agent = Agent(
            id=100 + len(self.agents) + 1, guid=self.mint.uuid(), title=title, agent_title=agent_title,
            agent_slug=agent_slug, created=now - 86400 if created is None else created, status=status,
            owner_uuid=self.owner_uuid, clock=self.now,
            setuprequired=(status == SETUP_REQUIRED) if setuprequired is None else setuprequired,
        )
        if live_calls:
            agent._arrivals = callgen.arrival_times(self.seed, agent.guid, now)
            agent._next_arrival = next(agent._arrivals)
        self.agents[agent.guid] = agent
        return agent

    def add_log_event(self, agent_guid: str, kind: str, title: str, *, at: float | None = None, **more) -> dict:
        """Add an activity-log event (``ts`` from ``at``, default now; ``more`` keys such as ``ok``/``error``
        as Wiro sends them), for failures the generated sessions never produce (e.g. a signature error)."""
        t = self.now() if at is None else at
        event = {"ts": iso_z(t), "kind": kind, "title": title, **more}
        self.agents[agent_guid].log_events.append((t, event))
        return event

    def add_number(self, account_sid: str, phone_number: str, **fields) -> dict:
        """Add an IncomingPhoneNumber to a Twilio account (fields as in the resource JSON)."""
        return self.twilio.add_number(account_sid, phone_number, self.now(), **fields)

    def add_call(self, agent_guid: str, *, started: float | None = None, channel: str = "twilio",
                 outcome: str = "ended", end_reason: str | None = "wiro_completed",
                 reject_reason: str | None = None, duration: int | None = 60, prep: float | None = 3.0,
                 caller: dict | None = None) -> Call:
        """Add a session to an agent's history (seeded ids; defaults to starting now).

        ``outcome``: ``ended`` (incoming for ``prep`` s, active, then ended with ``end_reason`` after
        ``duration`` s), ``rejected`` (with ``reject_reason``) or ``stuck`` (incoming forever).
        Added calls are not cut short when the agent stops.
        """
        n = next(self._added)
        call = callgen.make_call(
            self.seed, f"added-{n}", next(self._seq), agent_guid, self.now() if started is None else started,
            channel=channel, outcome=outcome, end_reason=end_reason, reject_reason=reject_reason,
            duration=duration, prep=prep, caller=caller, follows_agent=False)
        self.agents[agent_guid].calls.append(call)
        return call

    # -- time -----------------------------------------------------------------------------------

    def advance(self) -> float:
        """Bring every agent up to now: due status transitions, then live call arrivals. Returns now."""
        now = self.now()
        for agent in self.agents.values():
            agent.apply_due(now)
            self._arrive(agent, now)
        return now

    def _arrive(self, agent: Agent, now: float) -> None:
        while agent._arrivals is not None and agent._next_arrival <= now:
            t = agent._next_arrival
            if agent.status_at(t) == RUNNING:
                cred = agent.credentials.get(TWILIO_KEY) or {}
                agent.calls.append(callgen.live_call(
                    self.seed, agent.guid, agent._arrival_index, next(self._seq), t,
                    max_seconds=int(cred.get("maxcallseconds") or 600),
                    dialled=list(cred.get("phonenumbers") or [])[:1], stuck=self.stuck_incoming))
            agent._arrival_index += 1
            agent._next_arrival = next(agent._arrivals)
        if len(agent.calls) > MAX_CALLS_PER_AGENT:
            del agent.calls[: len(agent.calls) - MAX_CALLS_PER_AGENT]

    def call_state(self, call: Call, now: float) -> CallState:
        """How ``call`` looks at ``now``, cut short if its agent stopped running mid-call."""
        agent = self.agents.get(call.agent_guid)
        left = agent.left_running(call.started) if (agent and call.follows_agent) else None
        if left is None:
            return state_at(call, now)
        return state_at(call, now, left[0], crashed=left[1] == ERROR)

    def find_call(self, *, guid: str | None = None, token: str | None = None) -> Call | None:
        """A session by messageguid or agenttoken, across all agents."""
        for agent in self.agents.values():
            for call in agent.calls:
                if (guid and call.guid == guid) or (token and call.agenttoken == token):
                    return call
        return None

    # -- rules ----------------------------------------------------------------------------------

    def start(self, agent: Agent) -> str | None:
        """Start an agent (0/5 → 2 → 3 → 4); returns Wiro's refusal message, or None when started."""
        s = agent.status
        if s == RUNNING:
            return "Agent is already running"
        if s in (QUEUED, STARTING):
            return "Agent is already queued to start"
        if s == STOPPING:
            return "Agent is currently stopping, please wait"
        if s == SETUP_REQUIRED or agent.setuprequired:
            return "Agent setup is not complete. Please fill in your credentials before starting."
        if agent.no_subscription or self.no_subscription:
            return "Active subscription required to start agent. Please renew your subscription."
        if agent.no_credits or self.no_credits:
            return "No credits available. Please renew your subscription or purchase extra credits."
        agent.ever_started = True
        agent.schedule(self.now(), QUEUED, [(QUEUED_SECONDS, STARTING), (STARTING_SECONDS, RUNNING)])
        return None

    def stop(self, agent: Agent) -> str | None:
        """Stop an agent (→ 1 → 0); returns Wiro's refusal message, or None when stopping."""
        s = agent.status
        if s in (STOPPED, SETUP_REQUIRED):
            return "Agent is already stopped"
        if s == ERROR:
            return "Agent is in error state, use Start to retry"
        if s == STOPPING:
            return "Agent is currently stopping, please wait"
        agent.schedule(self.now(), STOPPING, [(STOPPING_SECONDS, STOPPED)])
        return None

    def after_credential_save(self, agent: Agent, keys: list[str]) -> None:
        """Wiro's side effects of saving credential groups ``keys``: leave setup, or restart a live agent."""
        for key in keys:
            agent.credentials[key]["_connected"] = True
        agent.updated = self.now()
        if (agent.status == SETUP_REQUIRED or agent.setuprequired) and twilio_complete(agent.credentials.get(TWILIO_KEY)):
            agent.setuprequired = False
            if agent.status == SETUP_REQUIRED:
                agent.status = STOPPED
        elif agent.status in (QUEUED, STARTING, RUNNING):
            agent.schedule(self.now(), STOPPING, [(STOPPING_SECONDS, QUEUED), (QUEUED_SECONDS, STARTING),
                                                  (STARTING_SECONDS, RUNNING)], restart=True)
