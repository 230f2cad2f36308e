"""Simulator worlds for the Doctor's tests: the demo agent made healthy, and single faults on top of it.

Every change goes through the simulator's own state (under `world.lock`), so the doctor reads it back over
loopback exactly as it would read Wiro and Twilio.
"""

from __future__ import annotations

import io
import math
import struct
import wave

from tui.config import Settings
from tui.doctor.diagnose import diagnose
from tui.doctor.gather import gather
from tui.sim.demo import NUMBER_OK
from tui.twilio.access import TwilioAccess
from tui.wiro.client import WiroClient


def wav_bytes(seconds: float, *, channels: int = 1, rate: int = 8000) -> bytes:
    """A 440 Hz tone as 16-bit PCM WAV, made in memory (8 kHz keeps long files small)."""
    frames = int(seconds * rate)
    second = b"".join(struct.pack("<h", int(6000 * math.sin(2 * math.pi * 440 * i / rate))) * channels
                      for i in range(rate))
    whole, part = divmod(frames, rate)
    body = second * whole + second[: part * 2 * channels]
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(channels)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(body)
    return buf.getvalue()


def host_file(sim, name: str, data: bytes) -> str:
    """Serve `data` from the simulator (as an upload would) and return its URL."""
    with sim.world.lock:
        return sim.world.files.add(name, data, sim.now()).url


def demo_agent(sim):
    return sim.world.agents[sim.demo_agent_guid]


def make_healthy(sim) -> None:
    """The demo agent with nothing to fix: only the number routed to Wiro, an empty whitelist, a 40 s mono
    music loop, and a history of calls that all went well."""
    music = host_file(sim, "loop-40s.wav", wav_bytes(40))
    with sim.world.lock:
        agent = demo_agent(sim)
        cred = agent.twilio
        cred["phonenumbers"] = [NUMBER_OK]
        cred["whitelistedcallers"] = []
        cred["holdstrategy"] = "text_then_music"
        cred["holdmusic"] = music
        agent.calls.clear()
        now = sim.now()
        for i in range(6):
            sim.world.add_call(agent.guid, started=now - 3 * 3600 + i * 900, end_reason="wiro_completed", duration=120)


def sim_twilio(sim) -> TwilioAccess:
    """The demo Twilio account's own credentials (as TWILIO_ACCOUNT_SID/TWILIO_AUTH_TOKEN would give them)."""
    return TwilioAccess(sim.twilio_account_sid, sim.twilio_auth_token, "TWILIO_ACCOUNT_SID/TWILIO_AUTH_TOKEN")


async def run_doctor(sim, settings: Settings, *, guid: str | None = None, twilio: TwilioAccess | None | str = "sim"):
    """Gather over loopback and diagnose; returns (evidence, findings)."""
    access = sim_twilio(sim) if twilio == "sim" else twilio
    async with WiroClient(sim.api_key, None, sim.wiro_base) as client:
        evidence = await gather(client, guid or sim.demo_agent_guid, settings, twilio=access, now=sim.now)
    return evidence, diagnose(evidence)


def by_id(findings) -> dict:
    return {f.id: f for f in findings}


def problems(findings) -> list:
    return [f for f in findings if f.severity != "info"]
