"""Fixtures of the contract suite: a scripted server (not the simulator) and the command line against it."""

from __future__ import annotations

import json
from dataclasses import dataclass

import pytest

from tui.cli import main

from .payloads import GUID
from .server import ScriptedServer

API_KEY = "wk_contract_0123456789abcdef"  # recognisable, so a test can prove it never shows


@pytest.fixture
def server():
    with ScriptedServer() as s:
        yield s


@pytest.fixture
def env(monkeypatch, tmp_path):
    """A clean environment: the API key set, a private config file, no Twilio or agent variables."""
    for name in ("WIRO_API_SECRET", "WIRO_AGENT_GUID", "WIRO_API_BASE", "TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN",
                 "TWILIO_API_BASE", "WIRO_VOICE_HANDLER_HOSTS"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("WIRO_API_KEY", API_KEY)
    monkeypatch.setenv("WIRO_VOICE_CONFIG", str(tmp_path / "config.toml"))
    return monkeypatch


@dataclass
class Ran:
    code: int
    out: str
    err: str

    @property
    def json(self):
        return json.loads(self.out)


@pytest.fixture
def cli(server, env, capsys):
    """Run `wiro-voice …` against the scripted server (its API base, the contract agent)."""

    def run(*argv: str, agent: str | None = GUID) -> Ran:
        extra = ["--api-base", server.wiro_base, "--twilio-base", server.twilio_base]
        if agent:
            extra += ["--agent", agent]
        code = main([*argv, *extra])
        captured = capsys.readouterr()
        assert API_KEY not in captured.out + captured.err
        return Ran(code, captured.out, captured.err)

    return run
