"""Simulator: MyAgents paging, Detail masking, Start/Stop transitions and refusals."""

from __future__ import annotations

import pytest

from tui.sim import DEMO_API_KEY, Simulator
from tui.sim.testing import FakeClock

from tests.conftest import START_EPOCH as EPOCH

from .sim_http import http, post


def status(sim, guid):
    return post(sim, "/UserAgent/Detail", {"guid": guid})["useragents"][0]["status"]


def test_my_agents_pages_by_start_and_limit(sim):
    everyone = post(sim, "/UserAgent/MyAgents", {"limit": 1000})["useragents"]
    assert len(everyone) == 3
    for a in everyone:
        assert {"guid", "title", "status", "setuprequired", "agent", "createdat"} <= a.keys()
        assert {"title", "slug"} <= a["agent"].keys()
    pages = [post(sim, "/UserAgent/MyAgents", {"limit": 1, "start": i})["useragents"] for i in range(4)]
    assert [len(p) for p in pages] == [1, 1, 1, 0]
    assert [p[0]["guid"] for p in pages[:3]] == [a["guid"] for a in everyone]
    asc = post(sim, "/UserAgent/MyAgents", {"sort": "id", "order": "ASC"})["useragents"]
    assert [a["guid"] for a in asc] == [a["guid"] for a in reversed(everyone)]
    assert len(post(sim, "/UserAgent/MyAgents", {"limit": 5000})["useragents"]) == 3


def test_demo_agents_have_the_documented_statuses(sim):
    by_guid = {a["guid"]: a for a in post(sim, "/UserAgent/MyAgents")["useragents"]}
    demo = by_guid[sim.demo_agent_guid]
    assert demo["status"] == 4 and demo["title"] == "Front Desk — Bosphorus Dental"
    assert demo["agent"] == {"id": 7, "title": "Voice Receptionist", "slug": "voice-receptionist"}
    assert by_guid[sim.stopped_agent_guid]["status"] == 0
    assert by_guid[sim.setup_agent_guid]["status"] == 6 and by_guid[sim.setup_agent_guid]["setuprequired"] is True


def test_detail_credential_shape_and_mask(sim):
    raw = http.post(sim.wiro_base + "/UserAgent/Detail", json={"guid": sim.demo_agent_guid},
                     headers={"x-api-key": DEMO_API_KEY}).text
    assert sim.twilio_auth_token not in raw
    cred = post(sim, "/UserAgent/Detail", {"guid": sim.demo_agent_guid})["useragents"][0][
        "configuration"]["credentials"]["twilio-voice"]
    assert list(cred) == ["_connected", "optional", "extra", "accountsid", "authtoken", "phonenumbers",
                          "maxcallseconds", "whitelistedcallers", "holdstrategy", "holdtext", "holdvoice",
                          "holdaudio", "holdmusic"]
    assert cred["_connected"] is True and cred["authtoken"] == "***encrypted***"
    assert cred["accountsid"] == sim.twilio_account_sid
    assert cred["maxcallseconds"] == 600 and cred["whitelistedcallers"] == []
    assert cred["holdstrategy"] == "text_then_music" and cred["holdvoice"] == "Polly.Joanna-Neural"
    assert cred["holdaudio"] is None and cred["holdmusic"].startswith(sim.base_url + "/files/")
    assert len(cred["phonenumbers"]) == 5


def test_no_detail_ever_shows_a_real_token(sim):
    with sim.world.lock:
        tokens = [a.twilio["authtoken"] for a in sim.world.agents.values() if a.twilio["authtoken"]]
    assert len(tokens) == 2
    for guid in (sim.demo_agent_guid, sim.stopped_agent_guid, sim.setup_agent_guid):
        raw = http.post(sim.wiro_base + "/UserAgent/Detail", json={"guid": guid},
                         headers={"x-api-key": DEMO_API_KEY}).text
        assert not any(t in raw for t in tokens)
    setup = post(sim, "/UserAgent/Detail", {"guid": sim.setup_agent_guid})["useragents"][0]
    assert setup["configuration"]["credentials"]["twilio-voice"]["_connected"] is False


def test_detail_unknown_and_missing_guid(sim):
    assert post(sim, "/UserAgent/Detail", {"guid": "nope"}) == {
        "result": False, "errors": [{"code": 1, "message": "User agent not found"}]}
    r = post(sim, "/UserAgent/Detail", {})
    assert r["result"] is False and r["errors"][0]["code"] == 0


def test_stop_then_start_follow_simulated_time(sim, clock):
    g = sim.demo_agent_guid
    assert post(sim, "/UserAgent/Stop", {"guid": g}) == {"result": True, "errors": [], "useragents": []}
    assert status(sim, g) == 1
    clock.advance(2.9)
    assert status(sim, g) == 1
    clock.advance(0.2)
    assert status(sim, g) == 0
    assert post(sim, "/UserAgent/Start", {"guid": g})["result"] is True
    assert status(sim, g) == 2
    clock.advance(1.9)
    assert status(sim, g) == 2
    clock.advance(0.2)
    assert status(sim, g) == 3
    clock.advance(3.8)
    assert status(sim, g) == 3
    clock.advance(0.2)
    assert status(sim, g) == 4


def test_speed_scales_transitions():
    clock = FakeClock()
    with Simulator(seed=7, clock=clock, start_epoch=EPOCH, speed=10.0) as sim:
        post(sim, "/UserAgent/Stop", {"guid": sim.demo_agent_guid})
        clock.advance(0.31)  # 3.1 simulated seconds
        assert status(sim, sim.demo_agent_guid) == 0
        assert sim.now() == pytest.approx(EPOCH + 3.1)


def refusal(sim, action, guid):
    r = post(sim, f"/UserAgent/{action}", {"guid": guid})
    assert r["result"] is False
    return r["errors"][0]["code"], r["errors"][0]["message"]


def test_start_refusals(sim, clock):
    g = sim.demo_agent_guid
    assert refusal(sim, "Start", g) == (0, "Agent is already running")
    post(sim, "/UserAgent/Stop", {"guid": g})
    assert refusal(sim, "Start", g) == (0, "Agent is currently stopping, please wait")
    clock.advance(3)
    post(sim, "/UserAgent/Start", {"guid": g})
    assert refusal(sim, "Start", g) == (0, "Agent is already queued to start")  # queued
    clock.advance(2)
    assert status(sim, g) == 3
    assert refusal(sim, "Start", g) == (0, "Agent is already queued to start")  # starting
    assert refusal(sim, "Start", sim.setup_agent_guid) == (
        0, "Agent setup is not complete. Please fill in your credentials before starting.")
    s = sim.stopped_agent_guid
    with sim.world.lock:
        sim.world.agents[s].no_subscription = True
    assert refusal(sim, "Start", s) == (
        0, "Active subscription required to start agent. Please renew your subscription.")
    with sim.world.lock:
        sim.world.agents[s].no_subscription = False
        sim.world.agents[s].no_credits = True
    assert refusal(sim, "Start", s) == (
        0, "No credits available. Please renew your subscription or purchase extra credits.")
    assert refusal(sim, "Start", "nope") == (1, "User agent not found")


def test_setuprequired_flag_alone_refuses_start(sim):
    with sim.world.lock:
        sim.world.agents[sim.stopped_agent_guid].setuprequired = True
    assert refusal(sim, "Start", sim.stopped_agent_guid)[1].startswith("Agent setup is not complete.")


def test_stop_refusals_and_start_from_error(sim):
    assert refusal(sim, "Stop", sim.stopped_agent_guid) == (0, "Agent is already stopped")
    post(sim, "/UserAgent/Stop", {"guid": sim.demo_agent_guid})
    assert refusal(sim, "Stop", sim.demo_agent_guid) == (0, "Agent is currently stopping, please wait")
    with sim.world.lock:
        sim.world.agents[sim.stopped_agent_guid].status = 5
    assert refusal(sim, "Stop", sim.stopped_agent_guid) == (0, "Agent is in error state, use Start to retry")
    assert post(sim, "/UserAgent/Start", {"guid": sim.stopped_agent_guid})["result"] is True
    assert status(sim, sim.stopped_agent_guid) == 2
    assert refusal(sim, "Stop", "nope") == (1, "User agent not found")
