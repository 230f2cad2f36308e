"""Raw HTTP against the simulator, for the tests of its rules (no client in between), and a simulator per API shape."""

from __future__ import annotations

import httpx
import pytest

from tui.sim import DEMO_API_KEY, Simulator

from tests.conftest import START_EPOCH

http = httpx.Client(timeout=5, verify=False)  # one client: creating one costs ~20 ms (the CA bundle: not read, all http)


def post(sim, path: str, body: dict | None = None, *, key: str = DEMO_API_KEY, status: int = 200) -> dict:
    """POST a Wiro endpoint (demo key by default); the answer must come with HTTP ``status``."""
    r = http.post(sim.wiro_base + path, json=body or {}, headers={"x-api-key": key})
    assert r.status_code == status, (r.status_code, r.text[:300])
    return r.json()


def refused(sim, path: str, body: dict, *, status: int = 200, key: str = DEMO_API_KEY) -> tuple[int, str]:
    """POST expecting ``result: false``; returns the one error's (code, message)."""
    answer = post(sim, path, body, key=key, status=status)
    assert answer["result"] is False, answer
    assert len(answer["errors"]) == 1, answer
    return answer["errors"][0]["code"], answer["errors"][0]["message"]


def detail(sim, guid: str) -> dict:
    """The Detail item of one agent."""
    answer = post(sim, "/UserAgent/Detail", {"guid": guid})
    assert answer["result"] is True, answer
    return answer["useragents"][0]


def twilio_cred(sim, guid: str) -> dict:
    """The twilio-voice credential as Detail shows it, wherever the shape puts it."""
    item = detail(sim, guid)
    creds = item["configuration"]["credentials"] if sim.api_shape == "older" else item["credentials"]
    return creds["twilio-voice"]


def stored(sim, guid: str) -> dict:
    """The twilio-voice values the simulator holds (real token included)."""
    with sim.world.lock:
        return dict(sim.world.agents[guid].twilio)


def scalar(name: str, value, key: str = "twilio-voice") -> dict:
    return {"credentialkey": key, "fieldname": name, "fieldvalue": value}


def element(parent: str, ordinal, value) -> dict:
    return {"credentialkey": "twilio-voice", "parentfield": parent, "ordinal": ordinal, "fieldname": "value",
            "fieldvalue": value}


def upsert(sim, guid: str, fields: list, **kwargs) -> dict:
    return post(sim, "/UserAgent/CredentialUpsert", {"useragentguid": guid, "fields": fields}, **kwargs)


def make_sim(clock, shape: str = "newest", **kwargs) -> Simulator:
    return Simulator(seed=7, clock=clock, start_epoch=START_EPOCH, timeout_hold=0.5, api_shape=shape, **kwargs)


@pytest.fixture(params=["newest", "older"])
def shaped(request, clock):
    """The demo simulator in each API shape."""
    with make_sim(clock, request.param) as s:
        yield s


@pytest.fixture
def older(clock):
    """The demo simulator answering in the older shapes."""
    with make_sim(clock, "older") as s:
        yield s
