"""The simulator must speak the documented shapes: every endpoint's answer in each `--api-shape` passes the same
checkers as the contract payloads (a test fails when the simulator and the contract disagree), and the
issue's flows run against it in both shapes."""

from __future__ import annotations

import json

import httpx
import pytest

from tui.cli import main
from tui.credential import probes
from tui.sim import DEMO_API_KEY, Simulator

from ..conftest import START_EPOCH
from ..unit.credential_audio import write_wav
from . import payloads as p

http = httpx.Client(timeout=5, verify=False)  # plain http to the simulator: no CA bundle to read


@pytest.fixture(params=["newest", "older"])
def shaped(request, clock):
    with Simulator(seed=7, clock=clock, start_epoch=START_EPOCH, timeout_hold=0.5, api_shape=request.param) as s:
        yield s


def post(sim, endpoint: str, body: dict) -> dict:
    answer = http.post(f"{sim.wiro_base}/{endpoint}", json=body, headers={"x-api-key": DEMO_API_KEY})
    return answer.json()


def checked(sim, endpoint: str, body: dict) -> dict:
    answer = post(sim, endpoint, body)
    assert p.CHECKERS[endpoint](answer, sim.api_shape) == [], (endpoint, sim.api_shape, answer)
    return answer


def test_every_endpoint_answers_in_its_documented_shape(shaped, tmp_path):
    sim = shaped
    guid = sim.demo_agent_guid
    checked(sim, "UserAgent/MyAgents", {})
    checked(sim, "UserAgent/Detail", {"guid": guid})
    checked(sim, "UserAgent/Detail", {"guid": sim.setup_agent_guid})
    rows = [{"credentialkey": "twilio-voice", "fieldname": "maxcallseconds", "fieldvalue": "900"}]
    checked(sim, "UserAgent/CredentialUpsert", {"useragentguid": guid, "fields": rows})
    bad = [{"credentialkey": "twilio-voice", "fieldname": "maxcallseconds", "fieldvalue": "soon"}]
    checked(sim, "UserAgent/CredentialUpsert", {"useragentguid": guid, "fields": bad})
    checked(sim, "UserAgent/Update", {"guid": sim.setup_agent_guid})
    checked(sim, "UserAgent/Start", {"guid": sim.stopped_agent_guid})
    checked(sim, "UserAgent/Stop", {"guid": sim.stopped_agent_guid})
    history = checked(sim, "UserAgent/TwilioCallHistory/List", {"useragentguid": guid, "limit": 50})
    checked(sim, "UserAgent/Message/Detail", {"messageguid": history["data"][0]["messageguid"]})
    checked(sim, "UserAgent/Logs", {"useragentguid": guid, "lines": 500})
    checked(sim, "UserAgent/TransactionList", {"useragentguid": guid})
    wav = write_wav(tmp_path / "m.wav", 2).read_bytes()
    files = {"file": ("m.wav", wav, "audio/wav")}
    data = {"useragentguid": guid, "credentialkey": "twilio-voice", "fieldname": "holdmusic"}
    answer = http.post(f"{sim.wiro_base}/UserAgent/CredentialFileUpload", data=data, files=files,
                       headers={"x-api-key": DEMO_API_KEY}).json()
    assert p.check_credential_file_upload(answer, sim.api_shape) == [], answer


def test_the_newest_shape_is_not_the_older_one(clock):
    """The checkers can tell the two modes apart on the simulator too (so a mode that drifted is caught)."""
    with Simulator(seed=7, clock=clock, start_epoch=START_EPOCH, api_shape="newest") as newest:
        detail = post(newest, "UserAgent/Detail", {"guid": newest.demo_agent_guid})
        logs = post(newest, "UserAgent/Logs", {"useragentguid": newest.demo_agent_guid, "lines": 500})
    with Simulator(seed=7, clock=clock, start_epoch=START_EPOCH, api_shape="older") as older:
        old_detail = post(older, "UserAgent/Detail", {"guid": older.demo_agent_guid})
        old_logs = post(older, "UserAgent/Logs", {"useragentguid": older.demo_agent_guid, "lines": 500})
    assert p.check_detail(detail, "older") and p.check_detail(old_detail, "newest")
    assert p.check_logs(logs, "older") and p.check_logs(old_logs, "newest")


# -- the flows, against the simulator in both shapes ---------------------------------------------------------


@pytest.fixture
def run(shaped, monkeypatch, tmp_path, capsys):
    for name in ("WIRO_API_SECRET", "WIRO_AGENT_GUID", "WIRO_API_BASE", "TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("WIRO_API_KEY", shaped.api_key)
    monkeypatch.setenv("WIRO_VOICE_CONFIG", str(tmp_path / "config.toml"))
    probes.clear_probe_cache()

    def go(*argv: str, agent: str) -> tuple[int, str, str]:
        code = main([*argv, "--api-base", shaped.wiro_base, "--twilio-base", shaped.twilio_base, "--agent", agent])
        out = capsys.readouterr()
        return code, out.out, out.err

    return go


def test_a_setup_agent_is_saved_leaves_setup_and_starts(shaped, run, tmp_path):
    sim = shaped
    with sim.world.lock:
        cred = dict(sim.world.agents[sim.setup_agent_guid].twilio)
    numbers = list(cred.get("phonenumbers") or ["+14155550155"])
    path = tmp_path / "cred.json"
    path.write_text(json.dumps({"accountsid": cred.get("accountsid") or sim.setup_account_sid,
                                "authtoken": sim.setup_auth_token, "phonenumbers": numbers, "holdstrategy": "none"}))
    code, out, err = run("save", str(path), "--json", agent=sim.setup_agent_guid)
    doc = json.loads(out)
    assert doc["saved"] is True and doc["status"]["before"] == 6 and doc["status"]["after"] == 0, (out, err)
    assert sim.setup_auth_token not in out + err
    code, out, err = run("start", agent=sim.setup_agent_guid)
    assert code == 0, err


def test_hold_files_arrive_through_credential_file_upload(shaped, run, tmp_path):
    sim = shaped
    write_wav(tmp_path / "greeting.wav", 8)
    path = tmp_path / "cred.json"
    with sim.world.lock:
        cred = dict(sim.world.agents[sim.demo_agent_guid].twilio)
    path.write_text(json.dumps({"accountsid": cred["accountsid"], "phonenumbers": cred["phonenumbers"],
                                "holdstrategy": "audio", "holdaudio": "greeting.wav"}))
    sim.requests.clear()
    code, out, err = run("save", str(path), "--json", agent=sim.demo_agent_guid)
    assert json.loads(out)["files"] == ["holdaudio"], (out, err)
    assert sim.requests.count("UserAgent/CredentialFileUpload") == 1 and sim.requests.count("File/Upload") == 0


def test_credits_refusal_says_credits(shaped, run):
    code, out, err = run("start", agent=shaped.nocredit_agent_guid)
    assert code == 1 and "credits" in err and "subscription is not active" not in err


@pytest.mark.parametrize("which", ["foreign_agent_guid", "deleted_agent_guid"])
def test_403_and_95_exit_2_with_their_own_message(shaped, run, which):
    code, out, err = run("status", agent=getattr(shaped, which))
    assert code == 2
    assert ("not the agent's owner" if which == "foreign_agent_guid" else "deleted") in err


def test_a_revoked_key_exits_2(shaped, run, monkeypatch):
    monkeypatch.setenv("WIRO_API_KEY", shaped.revoked_api_key)
    code, out, err = run("status", agent=shaped.demo_agent_guid)
    assert code == 2 and "Wiro refused the API key: Project authorization is not valid" in err


def test_logs_newest_first_and_kind_tool(shaped, run):
    code, out, err = run("logs", "--lines", "2000", "--json", agent=shaped.demo_agent_guid)
    events = json.loads(out)["events"]
    from tui.common.coerce import epoch_time

    times = [epoch_time(e["ts"]) for e in events]
    assert events and times == sorted(times, reverse=True)
    code, out, err = run("logs", "--lines", "2000", "--kind", "tool", "--json", agent=shaped.demo_agent_guid)
    kinds = {e["kind"] for e in json.loads(out)["events"]}
    assert kinds and kinds <= {"tool", "tool_started", "tool_completed", "tool_failed"}
