"""The Simulator: builds the demo world, serves it over loopback HTTP, stops cleanly."""

from __future__ import annotations

import threading
from collections.abc import Callable

from .auth import DEMO_API_KEY, DEMO_REVOKED_API_KEY, DEMO_SIG_API_KEY, DEMO_SIG_API_SECRET, DEMO_TEAM_API_KEY
from .clock import SimClock
from .demo import DemoIds, build_demo
from .faults import FaultRoller, parse_faults
from .ids import rng_for
from .requestlog import RequestLog
from .server import SimServer
from .twilio_api import InFlight
from .webhooks import DEFAULT_VOICE_URL, wiro_status_url, wiro_voice_url
from .world import API_SHAPES, NEWEST, World


class Simulator:
    """A real HTTP server on 127.0.0.1 speaking the Wiro (``/v1``) and Twilio (``/twilio``) APIs.

    ``seed`` fixes every agent, guid, number, SID and call; ``speed`` scales simulated time;
    ``faults`` is a spec such as ``"500:0.1,drop:0.02"`` (ValueError if malformed); ``port`` 0 picks
    a free port; ``clock`` is a zero-argument monotonic clock (tests pass a fake one);
    ``start_epoch`` fixes simulated time's origin (default: wall time at start); ``timeout_hold`` is
    how many real seconds a ``timeout`` fault holds a request. ``api_shape`` picks the Wiro answers' shapes:
    ``newest`` (the newest docs) or ``older`` (the superseded ones, same world). ``voice_url`` is the voice-handler
    URL a credential save writes on Twilio numbers (undocumented by Wiro; ``{guid}`` in it becomes the agent guid;
    the status callback is it plus ``/StatusCallback``). Use ``start()``/``stop()`` or ``with``.
    """

    def __init__(self, seed: int = 7, speed: float = 1.0, faults: str | None = None, port: int = 0,
                 clock: Callable[[], float] | None = None, timeout_hold: float = 30.0,
                 start_epoch: float | None = None, log_requests: bool = False, api_shape: str = NEWEST,
                 voice_url: str = DEFAULT_VOICE_URL) -> None:
        if speed < 0:
            raise ValueError(f"speed must be >= 0, got {speed!r}")
        if api_shape not in API_SHAPES:
            raise ValueError(f"api shape must be newest or older, got {api_shape!r}")
        if not voice_url.startswith(("https://", "http://")):
            raise ValueError(f"voice URL must start with https:// or http://, got {voice_url!r}")
        self.api_shape = api_shape
        self.voice_url = voice_url
        self.seed = seed
        self.speed = speed
        self.port = port
        self.timeout_hold = timeout_hold
        self.log_requests = log_requests
        self.api_key = DEMO_API_KEY
        self.sig_api_key = DEMO_SIG_API_KEY
        self.sig_api_secret = DEMO_SIG_API_SECRET
        self.team_api_key = DEMO_TEAM_API_KEY
        self.revoked_api_key = DEMO_REVOKED_API_KEY
        self.faults = FaultRoller(parse_faults(faults), rng_for(seed, "faults"))
        self.inflight = InFlight()
        self.requests = RequestLog()  # what was received, per endpoint and fault (tests count writes)
        self.stopping = threading.Event()
        self._clock_fn = clock
        self._start_epoch = start_epoch
        self._server: SimServer | None = None
        self._thread: threading.Thread | None = None
        self._ids: DemoIds | None = None
        self.world: World
        self.clock: SimClock

    # -- lifecycle ------------------------------------------------------------------------------

    def start(self) -> Simulator:
        """Bind, build the demo world and serve in a daemon thread; returns self."""
        if self._server is not None:
            return self
        self._server = SimServer(("127.0.0.1", self.port), self)
        self.port = self._server.server_address[1]
        self.clock = SimClock(self.speed, self._clock_fn, self._start_epoch)
        self.world = World(self.seed, self.clock.now, self.base_url, api_shape=self.api_shape,
                           voice_url=self.voice_url)
        with self.world.lock:
            self._ids = build_demo(self.world)
        self.stopping.clear()
        self._thread = threading.Thread(target=self._server.serve, name=f"wiro-sim:{self.port}", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and close the socket; held (timeout-fault) requests are released."""
        if self._server is None:
            return
        self.stopping.set()
        self._server.leave()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server.server_close()
        self._server.close_connections()
        self._server = None
        self._thread = None

    def __enter__(self) -> Simulator:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- run-time controls ----------------------------------------------------------------------

    def set_faults(self, spec: str | None) -> None:
        """Replace the fault spec while running (None or "" turns faults off); ValueError if malformed."""
        self.faults.spec = parse_faults(spec)

    def now(self) -> float:
        """Simulated epoch seconds."""
        return self.clock.now()

    # -- addresses and demo ids ------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:PORT``."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def wiro_base(self) -> str:
        """The Wiro API base a client uses (``…/v1``)."""
        return self.base_url + "/v1"

    @property
    def twilio_base(self) -> str:
        """The Twilio API base; paths then are ``/2010-04-01/Accounts/…``."""
        return self.base_url + "/twilio"

    def _demo(self) -> DemoIds:
        if self._ids is None:
            raise RuntimeError("the simulator is not started")
        return self._ids

    @property
    def demo_agent_guid(self) -> str:
        """The running Front Desk agent with every webhook verdict and the call history."""
        return self._demo().demo_agent_guid

    @property
    def stopped_agent_guid(self) -> str:
        """The stopped agent with a complete credential."""
        return self._demo().stopped_agent_guid

    @property
    def setup_agent_guid(self) -> str:
        """The agent in status 6 (setup required): its twilio-voice credential has the Account SID and number of
        ``setup_account_sid`` but no auth token yet (``setup_auth_token`` completes it)."""
        return self._demo().setup_agent_guid

    @property
    def setup_account_sid(self) -> str:
        """The Twilio account of the setup-required agent's credential."""
        return self._demo().setup_account_sid

    @property
    def setup_auth_token(self) -> str:
        """That account's auth token: what a first-time setup types in."""
        return self._demo().setup_auth_token

    @property
    def nocredit_agent_guid(self) -> str:
        """A stopped agent whose credit pool is empty: Start is refused for credits (with ``agentbalance``)."""
        return self._demo().nocredit_agent_guid

    @property
    def team_agent_guid(self) -> str:
        """A team agent the key's owner may read (Detail, call history) but not start, update or read logs of
        (403, code 97); listed by MyAgents only for ``team_api_key``."""
        return self._demo().team_agent_guid

    @property
    def deleted_agent_guid(self) -> str:
        """A soft-deleted agent: ``User agent not found`` / ``useragent-not-found`` with code 95."""
        return self._demo().deleted_agent_guid

    @property
    def foreign_agent_guid(self) -> str:
        """Someone else's agent: 403 ``useragent-access-denied`` (code 96) everywhere."""
        return self._demo().foreign_agent_guid

    @property
    def voice_handler_base(self) -> str:
        """The configured voice-handler URL up to any ``{guid}`` placeholder (its host is what a client needs)."""
        return self.voice_url.split("{guid}")[0]

    def wiro_voice_url(self, agent_guid: str = "") -> str:
        """The VoiceUrl a credential save writes for ``agent_guid``."""
        return wiro_voice_url(agent_guid, self.voice_url)

    def wiro_status_url(self, agent_guid: str = "") -> str:
        """The StatusCallback a credential save writes for ``agent_guid``."""
        return wiro_status_url(agent_guid, self.voice_url)

    @property
    def twilio_account_sid(self) -> str:
        """The demo Twilio account (the demo agent's credential)."""
        return self._demo().twilio_account_sid

    @property
    def twilio_auth_token(self) -> str:
        """The demo Twilio account's live auth token (simulated)."""
        return self._demo().twilio_auth_token

    @property
    def hold_music_url(self) -> str:
        """URL of the bundled hold-music WAV served by the sim (Detail shows it with a fresh access token
        appended on every read)."""
        return self._demo().hold_music_url


def serve_forever(port: int = 0, seed: int = 7, speed: float = 1.0, faults: str | None = None,
                  api_shape: str = NEWEST, voice_url: str = DEFAULT_VOICE_URL) -> None:
    """Run the simulator alone: print how to reach it, block until Ctrl-C, then stop cleanly."""
    sim = Simulator(seed=seed, speed=speed, faults=faults, port=port, log_requests=True, api_shape=api_shape,
                    voice_url=voice_url).start()
    try:
        lines = [
            ("Wiro API base", sim.wiro_base),
            ("Twilio API base", sim.twilio_base),
            ("Wiro API key (key-only project)", sim.api_key),
            ("Wiro API key (signature project)", sim.sig_api_key),
            ("Wiro API secret (signature project)", sim.sig_api_secret),
            ("Wiro API key (team project, member)", sim.team_api_key),
            ("Wiro API key (revoked: HTTP 200 refusal)", sim.revoked_api_key),
            ("demo agent guid", sim.demo_agent_guid),
            ("stopped agent guid", sim.stopped_agent_guid),
            ("setup-required agent guid", sim.setup_agent_guid),
            ("out-of-credits agent guid", sim.nocredit_agent_guid),
            ("team agent guid (read-only)", sim.team_agent_guid),
            ("deleted agent guid (95)", sim.deleted_agent_guid),
            ("someone else's agent guid (96)", sim.foreign_agent_guid),
            ("demo Twilio Account SID", sim.twilio_account_sid),
            ("demo Twilio auth token (simulated)", sim.twilio_auth_token),
            ("setup agent's Twilio auth token (simulated)", sim.setup_auth_token),
            ("voice handler URL written on save", sim.voice_url),
        ]
        width = max(len(k) for k, _ in lines)
        print(f"wiro-voice simulator (seed {seed}, speed {speed:g}x, faults {str(sim.faults.spec) or 'none'}, "
              f"API shape {api_shape})")
        for label, value in lines:
            print(f"  {label:<{width}}  {value}")
        print("Try it:")
        print(
            f"  curl -s -X POST {sim.wiro_base}/UserAgent/MyAgents -H 'Content-Type: application/json' "
            f"-H 'x-api-key: {sim.api_key}' -d '{{}}'"
        )
        print(f"  curl -s -u {sim.twilio_account_sid}:{sim.twilio_auth_token} "
              f"'{sim.twilio_base}/2010-04-01/Accounts/{sim.twilio_account_sid}/Calls.json?PageSize=20'")
        print("Press Ctrl-C to stop.", flush=True)
        while not sim.stopping.wait(0.5):
            pass
    except KeyboardInterrupt:
        print("\nstopping simulator", flush=True)
    finally:
        sim.stop()
