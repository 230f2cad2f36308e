"""Simulator: File/Upload round trip and the bundled hold music."""

from __future__ import annotations

import io
import random
import wave

import httpx
import pytest

from tui.sim import DEMO_API_KEY, Simulator
from tui.sim.testing import FakeClock

http = httpx.Client(timeout=5)


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
    assert {"id", "name", "contenttype", "size", "url"} <= item.keys()
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
