"""Simulator: fault spec parsing and each injected fault kind."""

from __future__ import annotations

import json

import httpx
import pytest

from tui.sim import DEMO_API_KEY, Simulator, parse_faults
from tui.sim.testing import FakeClock


@pytest.fixture(scope="module")
def sim():
    with Simulator(seed=7, clock=FakeClock(), start_epoch=1_777_000_000.0, timeout_hold=0.3) as s:
        yield s
        s.set_faults(None)


def agents(sim, client=None, timeout=5.0):
    c = client or httpx
    return c.post(sim.wiro_base + "/UserAgent/MyAgents", json={}, headers={"x-api-key": DEMO_API_KEY},
                  timeout=timeout)


def test_parse_valid_spec():
    spec = parse_faults("500:0.1,429:0.05,timeout:0.05,garbage:0.05,drop:0.02,partial:0.1")
    assert dict(spec.weights) == {"500": 0.1, "429": 0.05, "timeout": 0.05, "garbage": 0.05, "drop": 0.02,
                                  "partial": 0.1}
    assert str(spec) == "500:0.1,429:0.05,timeout:0.05,garbage:0.05,drop:0.02,partial:0.1"
    assert parse_faults(None).weights == () and parse_faults("").weights == ()


@pytest.mark.parametrize("text, fragment", [
    ("boom:0.1", "unknown kind"),
    ("500:1.5", "between 0 and 1"),
    ("500:-0.1", "between 0 and 1"),
    ("500:0.6,429:0.6", "more than 1"),
    ("500", "kind:probability"),
    ("500:abc", "not a number"),
    ("500:0.1,500:0.2", "twice"),
])
def test_bad_spec_raises_value_error(text, fragment):
    with pytest.raises(ValueError, match=fragment):
        parse_faults(text)


def test_simulator_rejects_a_bad_spec():
    with pytest.raises(ValueError):
        Simulator(faults="nope:1")


@pytest.mark.parametrize("kind", ["500", "503"])
def test_server_errors(sim, kind):
    sim.set_faults(f"{kind}:1")
    for _ in range(3):
        assert agents(sim).status_code == int(kind)


def test_429_has_retry_after(sim):
    sim.set_faults("429:1.0")
    r = agents(sim)
    assert r.status_code == 429 and r.headers["Retry-After"] == "1"


def test_garbage_is_not_json(sim):
    sim.set_faults("garbage:1.0")
    r = agents(sim)
    assert r.status_code == 200
    with pytest.raises(json.JSONDecodeError):
        json.loads(r.content)


def test_html_is_a_502_page(sim):
    sim.set_faults("html:1.0")
    r = agents(sim)
    assert r.status_code == 502 and r.headers["content-type"].startswith("text/html")


def test_drop_closes_without_answer(sim):
    sim.set_faults("drop:1.0")
    with pytest.raises(httpx.TransportError):
        agents(sim)


def test_timeout_holds_past_the_client_read_timeout(sim):
    sim.set_faults("timeout:1.0")
    with pytest.raises(httpx.ReadTimeout):
        agents(sim, timeout=httpx.Timeout(5.0, read=0.1))


def test_faults_apply_before_auth_and_to_twilio_but_not_files(sim):
    sim.set_faults("500:1.0")
    r = httpx.post(sim.wiro_base + "/UserAgent/MyAgents", json={})  # no key at all
    assert r.status_code == 500
    assert httpx.get(sim.twilio_base + f"/2010-04-01/Accounts/{sim.twilio_account_sid}.json").status_code == 500
    assert httpx.get(sim.hold_music_url).status_code == 200


def test_the_partial_fault_leaves_other_requests_alone(sim):
    sim.set_faults("partial:1.0")
    r = agents(sim)
    assert r.status_code == 200 and r.json()["result"] is True
    assert httpx.get(sim.twilio_base + f"/2010-04-01/Accounts/{sim.twilio_account_sid}.json",
                     auth=(sim.twilio_account_sid, sim.twilio_auth_token)).status_code == 200
    assert sim.requests.count("/UserAgent/MyAgents", fault="partial") >= 1


def test_set_faults_none_restores_normal_answers(sim):
    sim.set_faults("drop:1.0")
    sim.set_faults(None)
    assert agents(sim).status_code == 200


def test_partial_probability_mixes_faults_and_answers(sim):
    sim.set_faults("500:0.5")
    with httpx.Client(timeout=5, verify=False) as c:
        codes = {agents(sim, c).status_code for _ in range(40)}
    assert codes == {200, 500}
