"""Simulator: File/Upload round trip and the bundled hold music."""

from __future__ import annotations

import io
import random
import wave

import httpx
import pytest

from tui.sim import DEMO_API_KEY, Simulator
from tui.sim.testing import FakeClock

http = httpx.Client(timeout=5, verify=False)  # plain http to the simulator: no CA bundle to read


@pytest.fixture(scope="module")
def sim():
    with Simulator(seed=7, clock=FakeClock(), start_epoch=1_777_000_000.0) as s:
        yield s


def upload(sim, files, data=None, headers=None):
    return http.post(sim.wiro_base + "/File/Upload", files=files, data=data,
                     headers={"x-api-key": DEMO_API_KEY} if headers is None else headers)


@pytest.mark.parametrize("name, ctype", [("greeting.wav", "audio/wav"), ("loop.mp3", "audio/mpeg")])
def test_upload_round_trip(sim, name, ctype):
    # Binary with CRLFs and boundary-like bytes inside, so a sloppy multipart parser would corrupt it.
    payload = bytes(random.Random(1).getrandbits(8) for _ in range(50_000)) + b"\r\n--\r\n\r\n" + b"\x00" * 10
    r = upload(sim, {"file": (name, payload, "application/octet-stream")}, data={"folderid": "f-1"})
    assert r.status_code == 200
    body = r.json()
    assert body["result"] is True
    item = body["list"][0]
    assert set(item) == {"id", "name", "contenttype", "size", "parentid", "url", "addedtime", "accesskey"}
    assert item["parentid"] == "f-1" and item["addedtime"].isdigit()
    assert item["name"] == name and item["contenttype"] == ctype and int(item["size"]) == len(payload)
    assert item["url"] == f"{sim.base_url}/files/{item['id']}/{name}"
    got = http.get(item["url"])
    assert got.status_code == 200 and got.content == payload
    assert got.headers["content-type"] == ctype


def test_upload_needs_a_file_part_and_auth(sim):
    r = upload(sim, None, data={"folderid": "x"})
    assert r.status_code == 200 and r.json()["result"] is False and r.json()["errors"][0]["code"] == 0
    r = upload(sim, {"other": ("a.wav", b"123", "audio/wav")})
    assert r.json()["result"] is False
    r = upload(sim, {"file": ("a.wav", b"123", "audio/wav")}, headers={})
    assert r.status_code == 401


def test_unknown_file_is_404(sim):
    assert http.get(sim.base_url + "/files/nope/x.wav").status_code == 404


def test_hold_music_is_a_small_mono_8k_wav(sim):
    r = http.get(sim.hold_music_url)
    assert r.status_code == 200 and r.headers["content-type"] == "audio/wav"
    with wave.open(io.BytesIO(r.content)) as w:
        assert (w.getnchannels(), w.getframerate(), w.getsampwidth()) == (1, 8000, 2)
        assert 3.5 <= w.getnframes() / 8000 <= 5.0


def test_the_hold_music_is_made_at_its_first_read_and_then_kept():
    """Synthesising the loop takes ~0.1 s of CPU: not at the demo's start, but when the file is first read."""
    with Simulator(seed=7, clock=FakeClock(), start_epoch=1_777_000_000.0) as fresh:
        music = next(f for f in fresh.world.files.files.values() if fresh.hold_music_url.startswith(f.url))
        assert callable(music.source)  # not made yet
        served = http.get(fresh.hold_music_url).content
        assert served == music.source == music.data and served.startswith(b"RIFF")
        assert http.get(fresh.hold_music_url).content == served


# -- CredentialFileUpload -------------------------------------------------------------------------------

from tests.conftest import START_EPOCH  # noqa: E402

from .sim_http import detail, make_sim, post, scalar, twilio_cred, upsert  # noqa: E402

WAV = b"RIFF\x24\x00\x00\x00WAVEfmt " + bytes(range(256)) * 4


def cfu(sim, fields, file=("hold.wav", WAV, "audio/wav"), headers=None):
    files = {"file": file} if file is not None else None
    return http.post(sim.wiro_base + "/UserAgent/CredentialFileUpload", data=fields, files=files,
                     headers={"x-api-key": DEMO_API_KEY} if headers is None else headers)


def hold_fields(sim, guid=None, field="holdaudio", key="twilio-voice"):
    return {"useragentguid": guid or sim.demo_agent_guid, "credentialkey": key, "fieldname": field}


@pytest.fixture
def upsim():
    """A fresh newest-shape simulator per test (the module's ``sim`` is shared)."""
    with make_sim(FakeClock()) as s:
        yield s


@pytest.fixture(params=["newest", "older"])
def fresh(request):
    clock = FakeClock()
    with make_sim(clock, request.param) as s:
        yield s, clock


def test_credential_file_upload_stores_the_file_and_writes_the_field(fresh):
    upsim, clock = fresh
    r = cfu(upsim, hold_fields(upsim, field="holdmusic"), file=("loop.mp3", b"ID3" + bytes(5000), "audio/mpeg"))
    assert r.status_code == 200
    answer = r.json()
    assert set(answer) == {"result", "errors", "url", "credentialkey", "fieldname"}
    assert answer["result"] is True and answer["credentialkey"] == "twilio-voice" and answer["fieldname"] == "holdmusic"
    assert http.get(answer["url"]).content == b"ID3" + bytes(5000)
    assert f"holdmusic_{int(START_EPOCH)}_" in answer["url"] and ".mp3?k=" in answer["url"]
    shown = twilio_cred(upsim, upsim.demo_agent_guid)["holdmusic"]
    assert shown.split("?")[0] == answer["url"].split("?")[0]
    # A running agent restarts; a CredentialFileUpload never runs the Twilio step.
    assert "twilioWebhooksUpdated" not in answer
    assert detail(upsim, upsim.demo_agent_guid)["status"] == 1


def test_the_url_is_recomposed_on_every_read(fresh):
    upsim, _ = fresh
    url = cfu(upsim, hold_fields(upsim)).json()["url"]
    reads = [twilio_cred(upsim, upsim.demo_agent_guid)["holdaudio"] for _ in range(3)]
    assert len({url, *reads}) == 4, "each read gives a new access token"
    assert len({u.split("?")[0] for u in [url, *reads]}) == 1
    assert all(http.get(u).content == WAV for u in reads)
    music = [twilio_cred(upsim, upsim.demo_agent_guid)["holdmusic"] for _ in range(2)]
    assert music[0] != music[1] and music[0].split("?")[0] == upsim.hold_music_url


def test_writing_a_read_back_url_through_upsert_is_refused(upsim):
    cfu(upsim, hold_fields(upsim))
    url = twilio_cred(upsim, upsim.demo_agent_guid)["holdaudio"]
    answer = upsert(upsim, upsim.demo_agent_guid, [scalar("holdaudio", url)])
    assert answer["result"] is False and "upload the file with CredentialFileUpload" in answer["errors"][0]["message"]


def test_an_upload_does_not_leave_setup(upsim):
    r = cfu(upsim, hold_fields(upsim, upsim.setup_agent_guid))
    assert r.json()["result"] is True
    assert detail(upsim, upsim.setup_agent_guid)["status"] == 6


@pytest.mark.parametrize("change, message", [
    ({"file": None}, "File required (form field name: file)"),
    ({"credentialkey": "hubspot"}, "Unknown credential: hubspot"),
    ({"fieldname": "holdposter"}, "Unknown field: holdposter"),
    ({"fieldname": "holdtext"}, "Field is not a fileinput type"),
    ({"file": ("notes.txt", b"hello", "text/plain")}, "Invalid file type. Allowed: audio/mpeg, audio/wav"),
    ({"file": ("big.wav", b"\0" * (10240 * 1024 + 1), "audio/wav")}, "File too large. Max: 10240 KB"),
    ({"error": "Upload failed"}, "Upload failed"),
    ({"error": "Could not resolve upload folder"}, "Could not resolve upload folder"),
])
def test_credential_file_upload_refusals(upsim, change, message):
    fields = hold_fields(upsim)
    fields.update({k: v for k, v in change.items() if k in ("credentialkey", "fieldname")})
    if "error" in change:
        with upsim.world.lock:
            upsim.world.file_upload_error = change["error"]
    file = change.get("file", ("hold.wav", WAV, "audio/wav"))
    before = dict(upsim.world.agents[upsim.demo_agent_guid].twilio)
    r = cfu(upsim, fields, file=file)
    assert r.status_code == 200
    assert r.json() == {"result": False, "errors": [{"code": 0, "message": message}]}
    assert dict(upsim.world.agents[upsim.demo_agent_guid].twilio) == before


def test_the_type_comes_from_the_declared_type_or_the_name(upsim):
    assert cfu(upsim, hold_fields(upsim), file=("greeting.wav", WAV, "application/octet-stream")).json()["result"]
    assert cfu(upsim, hold_fields(upsim), file=("greeting", WAV, "audio/x-wav")).json()["result"]
    assert not cfu(upsim, hold_fields(upsim), file=("greeting.ogg", WAV, "audio/ogg")).json()["result"]


def test_credential_file_upload_access(upsim):
    assert cfu(upsim, hold_fields(upsim), headers={}).status_code == 401
    r = cfu(upsim, hold_fields(upsim, "nope"))
    assert r.json()["errors"] == [{"code": 95, "message": "User agent not found"}]
    r = cfu(upsim, hold_fields(upsim, upsim.team_agent_guid))
    assert r.status_code == 403 and r.json()["errors"][0]["code"] == 97
    r = cfu(upsim, hold_fields(upsim, upsim.foreign_agent_guid))
    assert r.status_code == 403 and r.json()["errors"][0]["code"] == 96
    assert post(upsim, "/UserAgent/Detail", {"guid": upsim.demo_agent_guid})["result"] is True
