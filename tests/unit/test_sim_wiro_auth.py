"""Simulator: Wiro auth modes, the three 401 messages, routing errors, malformed JSON."""

from __future__ import annotations

import json

import httpx
import pytest

from tui.sim import (DEMO_API_KEY, DEMO_REVOKED_API_KEY, DEMO_SIG_API_KEY, DEMO_SIG_API_SECRET, DEMO_TEAM_API_KEY,
                     Simulator, sign)
from tui.sim.testing import FakeClock

EPOCH = 1_777_000_000.0
http = httpx.Client(timeout=5, verify=False)  # one client: creating one costs ~20 ms (the CA bundle: not read, all http)


@pytest.fixture(scope="module")
def sim():
    with Simulator(seed=7, clock=FakeClock(), start_epoch=EPOCH) as s:
        yield s


def post(sim, path, body=None, headers=None, content=None):
    kwargs = {"content": content} if content is not None else {"json": {} if body is None else body}
    return http.post(sim.wiro_base + path, headers=headers or {}, timeout=5, **kwargs)


def test_key_only_project_accepts_x_api_key_and_bearer(sim):
    for headers in ({"x-api-key": DEMO_API_KEY}, {"Authorization": f"Bearer {DEMO_API_KEY}"}):
        r = post(sim, "/UserAgent/MyAgents", headers=headers)
        assert r.status_code == 200
        assert r.json()["result"] is True
        assert len(r.json()["useragents"]) == 4


@pytest.mark.parametrize("headers", [{}, {"x-api-key": "nope"}, {"Authorization": "Bearer nope"}])
def test_missing_or_unknown_key_is_not_founded(sim, headers):
    r = post(sim, "/UserAgent/MyAgents", headers=headers)
    assert r.status_code == 401
    assert r.json() == {"result": False, "errors": [{"code": 0, "message": "Project authorization is not founded."}]}


def test_signature_project_requires_nonce_and_signature(sim):
    r = post(sim, "/UserAgent/MyAgents", headers={"x-api-key": DEMO_SIG_API_KEY})
    assert r.status_code == 401
    assert r.json()["errors"][0]["message"] == (
        "Project requires signature authentication. x-signature and x-nonce headers are required.")
    r = post(sim, "/UserAgent/MyAgents", headers={"x-api-key": DEMO_SIG_API_KEY, "x-nonce": "123"})
    assert r.status_code == 401 and "x-nonce headers are required" in r.json()["errors"][0]["message"]


def test_signature_project_rejects_bad_signature(sim):
    headers = {"x-api-key": DEMO_SIG_API_KEY, "x-nonce": "1730000000",
               "x-signature": sign(DEMO_SIG_API_KEY, "wrong-secret", "1730000000")}
    r = post(sim, "/UserAgent/MyAgents", headers=headers)
    assert r.status_code == 401
    assert r.json() == {"result": False, "errors": [{"code": 0, "message": "Project authorization is not valid."}]}


def test_signature_project_sees_the_same_agents(sim):
    nonce = "987654321"
    import hashlib
    import hmac

    # Computed here independently of tui.sim.sign: key = API key, message = secret + nonce.
    sig = hmac.new(DEMO_SIG_API_KEY.encode(), (DEMO_SIG_API_SECRET + nonce).encode(), hashlib.sha256).hexdigest()
    r = post(sim, "/UserAgent/MyAgents",
             headers={"x-api-key": DEMO_SIG_API_KEY, "x-nonce": nonce, "x-signature": sig})
    assert r.status_code == 200 and r.json()["result"] is True
    keyed = post(sim, "/UserAgent/MyAgents", headers={"x-api-key": DEMO_API_KEY}).json()
    assert r.json()["useragents"] == keyed["useragents"]


@pytest.mark.parametrize("path", ["/UserAgent/MyAgents", "/UserAgent/Detail", "/UserAgent/CredentialFileUpload"])
def test_a_revoked_project_is_refused_with_http_200(sim, path):
    r = post(sim, path, headers={"x-api-key": DEMO_REVOKED_API_KEY})
    assert r.status_code == 200
    assert r.json() == {"result": False, "errors": [{"code": 0, "message": "Project authorization is not valid."}]}


def test_a_team_project_key_sees_the_team_workspace(sim):
    r = post(sim, "/UserAgent/MyAgents", headers={"x-api-key": DEMO_TEAM_API_KEY})
    assert r.status_code == 200 and [a["guid"] for a in r.json()["useragents"]] == [sim.team_agent_guid]
    # A teamGUID header changes nothing: the key's project decides the workspace.
    r = post(sim, "/UserAgent/MyAgents", headers={"x-api-key": DEMO_API_KEY, "teamGUID": "team-x"})
    assert sim.team_agent_guid not in [a["guid"] for a in r.json()["useragents"]]


@pytest.mark.parametrize("path", ["/UserAgent/Nope", "/Nope", ""])
def test_unknown_path_is_error_parsing_url(sim, path):
    r = post(sim, path, headers={"x-api-key": DEMO_API_KEY})
    assert r.status_code == 404
    assert r.json() == {"result": False, "errors": [{"code": 0, "message": "Error parsing url."}]}


def test_non_post_under_v1_is_404(sim):
    r = http.get(sim.wiro_base + "/UserAgent/MyAgents", headers={"x-api-key": DEMO_API_KEY})
    assert r.status_code == 404
    assert r.json()["errors"][0]["message"] == "Error parsing url."


def test_invalid_json_is_http_200_result_false(sim):
    r = post(sim, "/UserAgent/Detail", headers={"x-api-key": DEMO_API_KEY, "Content-Type": "application/json"},
             content=b'{"guid": ')
    assert r.status_code == 200
    body = r.json()
    assert body["result"] is False and body["errors"][0]["code"] == 0
    r = post(sim, "/UserAgent/Detail", headers={"x-api-key": DEMO_API_KEY}, content=json.dumps([1]).encode())
    assert r.status_code == 200 and r.json()["result"] is False
