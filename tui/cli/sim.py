"""`wiro-voice sim [--port N] [--seed N] [--speed X] [--faults SPEC] [--api-shape newest|older] [--voice-url URL]`: the simulator alone, for curl,
scripts and tests. It prints its URLs, keys and a curl line, and serves until Ctrl-C."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from . import common

if TYPE_CHECKING:
    import argparse

#: The real voice-handler URL is undocumented (wiro-api.md §10); the simulator's default sits under wiro.ai.
DEFAULT_VOICE_URL = "https://api.wiro.ai/v1/AgentRealtime/Twilio"


def add_parsers(subparsers: Any) -> None:
    """Register `sim`."""
    import argparse

    sim = subparsers.add_parser("sim", help="run the simulator alone (for curl, scripts and tests)")
    sim.add_argument("--port", type=common.port, default=0, help="port on 127.0.0.1 (default: a free one)")
    sim.add_argument("--seed", type=int, default=argparse.SUPPRESS, help="default 7")
    sim.add_argument("--speed", type=common.speed, default=argparse.SUPPRESS, help="simulated seconds per real second (default 1)")
    sim.add_argument("--faults", metavar="SPEC", help="e.g. 500:0.1,429:0.05,timeout:0.05,garbage:0.05,drop:0.02,partial:0.1")
    sim.add_argument("--api-shape", type=common.api_shape, default="newest",
                     help="the Wiro answers' shapes: newest docs (default) or the older ones")
    sim.add_argument("--voice-url", metavar="URL", default=DEFAULT_VOICE_URL,
                     help="voice-handler URL a credential save writes on Twilio numbers ({guid} = the agent)")


def serve_simulator(*, port: int = 0, seed: int = 7, speed: float = 1.0, faults: str | None = None,
                    api_shape: str = "newest", voice_url: str = DEFAULT_VOICE_URL) -> int:
    """Run the simulator until Ctrl-C; a bad option or a port in use raises CliError."""
    from ..sim import serve_forever

    try:
        serve_forever(port=port, seed=seed, speed=speed, faults=faults, api_shape=api_shape, voice_url=voice_url)
    except ValueError as err:
        raise common.CliError(f"Bad simulator option: {err}") from None
    except OSError as err:
        raise common.CliError(f"Could not start the simulator on port {port}: {err.strerror or err}") from None
    return common.EXIT_OK


def run(args: argparse.Namespace) -> int:
    """`sim` from parsed options."""
    return serve_simulator(port=args.port, seed=args.seed, speed=args.speed, faults=args.faults,
                           api_shape=args.api_shape, voice_url=args.voice_url)
