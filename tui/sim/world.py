"""The simulator's state and the rules that change it: agents, their status machine, calls, credits.

Everything here is guarded by ``World.lock``; the HTTP layer holds it for a whole Wiro request,
and tests hold it while they flip switches or add things.
"""

from __future__ import annotations

import bisect
import itertools
import threading
from collections.abc import Callable, Iterator

from . import callgen, ledger
from .calls import Call, CallState, state_at
from .credentials import REGISTRY, TWILIO_KEY, WIRO_KEY, new_group, required_missing
from .files import FileStore
from .ids import IdMint, rng_for
from .timefmt import iso_z
from .twilio_calls import MAX_CALLS_PER_ACCOUNT, TwilioCall, plan_call
from .twilio_world import TwilioWorld
from .webhooks import DEFAULT_VOICE_URL

STOPPED, STOPPING, QUEUED, STARTING, RUNNING, ERROR, SETUP_REQUIRED = range(7)
STATUS_LABELS = ("Stopped", "Stopping", "Queued", "Starting", "Running", "Error", "Setup Required")
NEWEST, OLDER = "newest", "older"
API_SHAPES = (NEWEST, OLDER)

# Simulated seconds each step of a start, stop or restart takes.
QUEUED_SECONDS, STARTING_SECONDS, STOPPING_SECONDS = 2.0, 4.0, 3.0
MAX_CALLS_PER_AGENT = 2000  # old sessions are forgotten so a long demo does not grow without bound
MEAN_TWILIO_ONLY_INTERARRIVAL = 300.0  # calls to the agent's numbers that never reach Wiro
# The lifecycle timestamp each status sets (``createdat``/``updatedat`` are kept apart).
_STAMP = {STOPPED: "stopdat", STOPPING: "stoppingat", QUEUED: "queuedat", STARTING: "startedat",
          RUNNING: "runningat", ERROR: "errordat"}
LIFECYCLE = ("queuedat", "startedat", "runningat", "stoppingat", "stopdat", "errordat")

NO_REMAINING_CREDITS = "Agent has no remaining credits. Renew your subscription or buy a credit pack to continue."
NO_CREDITS = "No credits available. Please renew your subscription or purchase extra credits."
SUBSCRIPTION_REQUIRED = "Subscription required — please subscribe to this agent before starting it."
SUBSCRIPTION_REQUIRED_OLDER = "Active subscription required to start agent. Please renew your subscription."
SETUP_INCOMPLETE = "Agent setup is not complete. Please fill in your credentials before starting."


class Agent:
    """One agent instance ("useragent").

    Switches tests may set (under ``World.lock``):
      - ``status = N`` forces a status at once (e.g. 5 Error) and cancels pending transitions;
      - ``no_subscription`` / ``no_credits``: Start is refused with Wiro's message;
      - ``setuprequired = True``: the setup counts as incomplete whatever the credentials say;
      - ``credentials[...]`` may be edited directly (the real token lives there unmasked);
      - ``teamguid`` / ``team_admin`` / ``foreign`` / ``deleted``: who may do what (see wiro_api.access).
    """

    def __init__(self, *, id: int, guid: str, title: str, agent_title: str, agent_slug: str,
                 created: float, status: int, owner_uuid: str, clock: Callable[[], float],
                 setuprequired: bool = False, ever_started: bool = False) -> None:
        self.id = id
        self.guid = guid
        self.uuid = owner_uuid
        self.title = title
        self.description = ""
        self.categories = ["customer-support"]
        self.cover = None
        self.agent_title = agent_title
        self.agent_slug = agent_slug
        self.created = created
        self.updated = created
        self.owner_uuid = owner_uuid
        self.setuprequired = setuprequired
        self.restartafter = False
        self.no_subscription = False
        self.no_credits = False
        self.teamguid: str | None = None
        self.team_admin = True  # the key owner's role in the agent's team (ignored for personal agents)
        self.foreign = False  # owned by someone else, in no team of the key owner
        self.deleted = False  # soft-deleted
        self.plan = ledger.Plan(anchor=created)
        self.pool: ledger.Pool | None = None  # built from ``plan`` on first use
        self.timezone: str | None = "Europe/Istanbul"
        self.models = {"chatModel": "openai/gpt-5.6-sol", "cronModel": "openai/gpt-5.4-mini",
                       "voicePrepModel": "openai/gpt-5.4-mini", "voicePostcallModel": "openai/gpt-5.4"}
        self.ever_started = ever_started or status in (STOPPING, QUEUED, STARTING, RUNNING)
        self.credentials: dict[str, dict] = {}
        self.connected_at: dict[str, float] = {}
        self.calls: list[Call] = []
        self.log_events: list[tuple[float, dict]] = []  # extra activity-log events (see World.add_log_event)
        self.stamps: dict[str, float | None] = dict.fromkeys(LIFECYCLE)
        if status in _STAMP:
            self.stamps[_STAMP[status]] = created
        self._clock = clock
        self._status = status
        # (time, status) history, so "was it running at t" has an answer for lazy call generation.
        self.timeline: list[tuple[float, int]] = [(float("-inf"), status)]
        self.pending: list[tuple[float, int, bool]] = []  # (due, status, restartafter) in time order
        self._arrivals: Iterator[float] | None = None
        self._next_arrival = float("inf")
        self._arrival_index = 0
        self._extra_arrivals: Iterator[float] | None = None
        self._next_extra = float("inf")
        self._extra_index = 0

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
        if status in _STAMP:
            self.stamps[_STAMP[status]] = t
        if status == STOPPING:
            self.stamps["runningat"] = None

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

    def setup_complete(self) -> bool:
        """Every non-optional credential has its required values (and no test forced setup on)."""
        if self.setuprequired:
            return False
        return not any(required_missing(key, group) for key, group in self.credentials.items()
                       if key in REGISTRY and not group.get("optional"))


class World:
    """All simulated state.

    ``api_shape`` is ``newest`` (the newest Wiro docs) or ``older`` (the superseded shapes); ``voice_url`` is
    the voice-handler URL a credential save writes on Twilio numbers (``{guid}`` in it becomes the agent guid).

    World-wide switches (set under ``lock``):
      - ``twilio_outage``: Twilio is down — CredentialUpsert answers twilioWebhookError and the
        Twilio endpoints answer 503;
      - ``no_subscription`` / ``no_credits``: Start is refused for every agent;
      - ``stuck_incoming``: live calls generated from now on stay realtime_session_incoming forever
        (read when calls are generated, which is lazily, at the next request);
      - ``twilio_latency``: real seconds each Twilio HTTP request takes (makes concurrency testable);
      - ``upsert_fail_fields``: field names whose CredentialUpsert rows fail *after* validation (a partial save);
      - ``file_upload_error``: CredentialFileUpload answers this transient error (e.g. "Upload failed");
      - ``twilio_reject_numbers``: ``{e164: error}`` numbers whose VoiceUrl update Twilio refuses.
    Helpers: ``add_agent``, ``add_call``, ``add_number``, ``add_log_event``, ``add_twilio_call``.
    """

    def __init__(self, seed: int, clock: Callable[[], float], base_url: str, *, api_shape: str = NEWEST,
                 voice_url: str = DEFAULT_VOICE_URL) -> None:
        if api_shape not in API_SHAPES:
            raise ValueError(f"api shape must be newest or older, got {api_shape!r}")
        self.lock = threading.RLock()
        self.seed = seed
        self.now = clock
        self.base_url = base_url
        self.api_shape = api_shape
        self.voice_url = voice_url
        self.mint = IdMint(rng_for(seed, "world"))
        self.twilio = TwilioWorld(IdMint(rng_for(seed, "twilio")))
        self.files = FileStore(IdMint(rng_for(seed, "files")), base_url)
        self.agents: dict[str, Agent] = {}
        self.twilio_outage = False
        self.no_subscription = False
        self.no_credits = False
        self.stuck_incoming = False
        self.twilio_latency = 0.0
        self.upsert_fail_fields: set[str] = set()
        self.file_upload_error: str | None = None
        self.twilio_reject_numbers: dict[str, str] = {}
        self.logs_cache: dict[tuple, tuple[float, dict]] = {}
        self.owner_uuid = self.mint.uuid()
        self.owner_name = "bosphorus-dental"
        self.team_guid = "team-" + rng_for(seed, "team").getrandbits(64).to_bytes(8, "big").hex()
        self._seq = itertools.count(10_000)
        self._added = itertools.count()
        self._twilio_added = itertools.count()

    @property
    def older(self) -> bool:
        return self.api_shape == OLDER

    # -- building -------------------------------------------------------------------------------

    def add_agent(self, title: str, *, status: int = STOPPED, agent_title: str = "Voice Receptionist",
                  agent_slug: str = "voice-receptionist", created: float | None = None,
                  setuprequired: bool = False, live_calls: bool = True, id: int | None = None) -> Agent:
        """Add an agent with a seeded guid; ``live_calls`` makes calls arrive while it runs."""
        now = self.now()
        agent = Agent(
            id=id if id is not None else 100 + len(self.agents) + 1, guid=self.mint.uuid(), title=title,
            agent_title=agent_title, agent_slug=agent_slug, created=now - 86400 if created is None else created,
            status=status, owner_uuid=self.owner_uuid, clock=self.now, setuprequired=setuprequired,
        )
        # The Voice Receptionist template's two credentials, empty until written.
        agent.credentials[TWILIO_KEY] = new_group(TWILIO_KEY)
        agent.credentials[WIRO_KEY] = new_group(WIRO_KEY)
        if live_calls:
            agent._arrivals = callgen.arrival_times(self.seed, agent.guid, now)
            agent._next_arrival = next(agent._arrivals)
            r = rng_for(self.seed, agent.guid, "twilio-only-arrivals")
            agent._extra_arrivals = _poisson(r, now, MEAN_TWILIO_ONLY_INTERARRIVAL)
            agent._next_extra = next(agent._extra_arrivals)
        self.agents[agent.guid] = agent
        return agent

    def add_log_event(self, agent_guid: str, kind: str, title: str, *, at: float | None = None, **more) -> dict:
        """Add an activity-log event in the newest shape (``ts`` from ``at``, default now; ``more`` keys such as
        ``ok``/``error`` as Wiro sends them), for failures the generated sessions never produce. The older API
        shape converts it like every other event."""
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
                 caller: dict | None = None, dialled: str | None = None, postcall_credits: int | None = None) -> Call:
        """Add a session to an agent's history (seeded ids; defaults to starting now).

        ``outcome``: ``ended`` (incoming for ``prep`` s, active, then ended with ``end_reason`` after
        ``duration`` s), ``rejected`` (with ``reject_reason``) or ``stuck`` (incoming forever).
        ``dialled``: the agent's number it came in on (it then shows in that Twilio account's call log).
        Added calls are not cut short when the agent stops.
        """
        n = next(self._added)
        call = callgen.make_call(
            self.seed, f"added-{n}", next(self._seq), agent_guid, self.now() if started is None else started,
            channel=channel, outcome=outcome, end_reason=end_reason, reject_reason=reject_reason,
            duration=duration, prep=prep, caller=caller, dialled=dialled, follows_agent=False,
            postcall_credits=postcall_credits)
        self.agents[agent_guid].calls.append(call)
        return call

    def add_twilio_call(self, to: str, from_: str, *, routing: str = "busy", started: float | None = None) -> TwilioCall:
        """Add a call that never reaches Wiro to the log of the account owning ``to`` (KeyError if none owns it).

        ``routing``: ``busy`` (refused by the whitelist), ``app``/``studio`` (answered elsewhere) or ``webhook``
        (failed, unanswered or cancelled, drawn from the seed).
        """
        holder = self.twilio.holder_of(to)
        if holder is None:
            raise KeyError(f"no Twilio account owns {to}")
        acct, res = holder
        r = rng_for(self.seed, "twilio-added", next(self._twilio_added))
        call = plan_call(r, acct.sid, to, from_, res["sid"], self.now() if started is None else started, routing)
        acct.calls.append(call)
        return call

    # -- time -----------------------------------------------------------------------------------

    def advance(self) -> float:
        """Bring every agent up to now: due status transitions, then live call arrivals. Returns now."""
        now = self.now()
        for agent in self.agents.values():
            agent.apply_due(now)
            self._arrive(agent, now)
            self._arrive_twilio_only(agent, now)
        return now

    def _arrive(self, agent: Agent, now: float) -> None:
        while agent._arrivals is not None and agent._next_arrival <= now:
            t = agent._next_arrival
            if agent.status_at(t) == RUNNING:
                cred = agent.credentials.get(TWILIO_KEY) or {}
                call = callgen.live_call(
                    self.seed, agent.guid, agent._arrival_index, next(self._seq), t,
                    max_seconds=int(cred.get("maxcallseconds") or 600),
                    dialled=list(cred.get("phonenumbers") or [])[:1], stuck=self.stuck_incoming)
                caller = call.caller_info.get("number")
                if call.channel == "twilio" and call.dialled and not _whitelisted(caller, cred):
                    self._busy(call)  # Wiro refuses the caller: Twilio says busy, no session is recorded
                else:
                    agent.calls.append(call)
            agent._arrival_index += 1
            agent._next_arrival = next(agent._arrivals)
        if len(agent.calls) > MAX_CALLS_PER_AGENT:
            del agent.calls[: len(agent.calls) - MAX_CALLS_PER_AGENT]

    def _busy(self, call: Call) -> None:
        holder = self.twilio.holder_of(call.dialled or "")
        if holder is None:
            return
        acct, res = holder
        acct.calls.append(TwilioCall(call.callsid, acct.sid, call.dialled or "", call.caller_info.get("number") or "",
                                     res["sid"], call.started, "busy", cause="caller not on the whitelist"))
        _trim(acct.calls)

    def _arrive_twilio_only(self, agent: Agent, now: float) -> None:
        """Calls to the agent's numbers that Wiro never sees, as their routing on Twilio decides at the time."""
        while agent._extra_arrivals is not None and agent._next_extra <= now:
            t = agent._next_extra
            r = rng_for(self.seed, agent.guid, "twilio-only", agent._extra_index)
            numbers = list((agent.credentials.get(TWILIO_KEY) or {}).get("phonenumbers") or [])
            if numbers:
                self.twilio_only_call(r, r.choice(numbers), callgen.random_caller(r), t)
            agent._extra_index += 1
            agent._next_extra = next(agent._extra_arrivals)

    def twilio_only_call(self, r, to: str, caller: str, t: float, outcome: str | None = None) -> TwilioCall | None:
        """Plan a call to ``to`` that does not reach Wiro, routed as the number is now (None when the number
        is on no account, or on a SIP Trunk whose calls do not show as calls to the number)."""
        holder = self.twilio.holder_of(to)
        if holder is None:
            return None
        acct, res = holder
        if res.get("trunk_sid"):
            return None
        if res.get("voice_application_sid"):
            routing = "app"
        elif "/Flows/FW" in (res.get("voice_url") or ""):
            routing = "studio"
        else:
            routing = "webhook"
        call = plan_call(r, acct.sid, to, caller, res["sid"], t, routing, outcome if routing == "webhook" else None)
        acct.calls.append(call)
        _trim(acct.calls)
        return call

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

    def ledger(self, agent: Agent, now: float) -> ledger.Ledger:
        """The agent's credit pool at ``now`` (its plan is read when the pool is first needed)."""
        if agent.pool is None:
            agent.pool = ledger.Pool(self.seed, agent.guid, agent.plan)
        return agent.pool.update(now, agent.calls, lambda c: self.call_state(c, now),
                                 lambda t: agent.status_at(t) == RUNNING, agent.models["voicePostcallModel"])

    # -- rules ----------------------------------------------------------------------------------

    def start(self, agent: Agent) -> tuple[str, dict] | None:
        """Start an agent (0/5 → 2 → 3 → 4); returns Wiro's refusal (message, extra payload), or None."""
        s = agent.status
        if s == RUNNING:
            return "Agent is already running", {}
        if s in (QUEUED, STARTING):
            return "Agent is already queued to start", {}
        if s == STOPPING:
            return "Agent is currently stopping, please wait", {}
        if s == SETUP_REQUIRED or not agent.setup_complete():
            return SETUP_INCOMPLETE, {}
        now = self.now()
        pool = self.ledger(agent, now)
        subscribed = agent.plan.status == "active" and not (agent.no_subscription or self.no_subscription)
        if not subscribed and pool.extracredits <= 0:
            return (SUBSCRIPTION_REQUIRED_OLDER if self.older else SUBSCRIPTION_REQUIRED), {}
        if agent.no_credits or self.no_credits:
            return NO_CREDITS, {}
        if pool.remaining <= 0:
            if self.older:
                return NO_CREDITS, {}
            return NO_REMAINING_CREDITS, {"agentbalance": pool.balance()}
        agent.ever_started = True
        agent.schedule(now, QUEUED, [(QUEUED_SECONDS, STARTING), (STARTING_SECONDS, RUNNING)])
        return None

    def stop(self, agent: Agent) -> str | None:
        """Stop an agent (2 → 0 at once; 3/4 → 1 → 0); returns Wiro's refusal message, or None when stopping."""
        s = agent.status
        if s in (STOPPED, SETUP_REQUIRED):
            return "Agent is already stopped"
        if s == ERROR:
            return "Agent is in error state, use Start to retry"
        if s == STOPPING:
            return "Agent is currently stopping, please wait"
        if s == QUEUED:
            agent.schedule(self.now(), STOPPED, [])
            return None
        agent.schedule(self.now(), STOPPING, [(STOPPING_SECONDS, STOPPED)])
        return None

    def restart_if_live(self, agent: Agent) -> bool:
        """A mutation on a starting or running agent: Stopping now (``stoppingat`` and ``queuedat`` = now,
        ``runningat`` cleared), then queued again with the new configuration. True when it restarted."""
        if agent.status not in (STARTING, RUNNING):
            return False
        now = self.now()
        agent.schedule(now, STOPPING, [(STOPPING_SECONDS, QUEUED), (QUEUED_SECONDS, STARTING),
                                       (STARTING_SECONDS, RUNNING)], restart=True)
        agent.stamps["queuedat"] = now
        return True

    def leave_setup(self, agent: Agent) -> bool:
        """Update's re-check: a Setup Required agent whose credentials are complete goes to Stopped."""
        if agent.status == SETUP_REQUIRED and agent.setup_complete():
            agent.status = STOPPED
            return True
        return False

    def after_credential_save(self, agent: Agent, keys: list[str]) -> None:
        """Wiro's side effects of writing credential groups ``keys``.

        Newest: no 6 → 0 here (``Update`` does that), a live agent restarts, ``_connected`` is left alone (it
        means something only for OAuth providers). Older: ``_connected`` turns true and a complete credential
        takes the agent out of setup, as the older docs described.
        """
        now = self.now()
        for key in keys:
            agent.connected_at.setdefault(key, now)
            if self.older and key in agent.credentials:
                agent.credentials[key]["_connected"] = True
        agent.updated = now
        if self.older and self.leave_setup(agent):
            return
        self.restart_if_live(agent)


def _poisson(r, start: float, mean: float) -> Iterator[float]:
    t = start
    while True:
        t += r.expovariate(1.0 / mean)
        yield round(t, 3)


def _digits(number: str) -> str:
    return number[1:] if number.startswith("+") else number


def _whitelisted(caller: str | None, cred: dict) -> bool:
    """Does Wiro let this caller through? An empty whitelist lets everyone through; entries may lack the ``+``."""
    allowed = [str(n) for n in (cred.get("whitelistedcallers") or [])]
    if not allowed:
        return True
    return bool(caller) and _digits(caller) in {_digits(n) for n in allowed}


def _trim(calls: list) -> None:
    if len(calls) > MAX_CALLS_PER_ACCOUNT:
        del calls[: len(calls) - MAX_CALLS_PER_ACCOUNT]
