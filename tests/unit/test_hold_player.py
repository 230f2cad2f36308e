"""Real playback through PortAudio into an ALSA `file` device (audio.md), and the ways it can't play.

Each case runs in a fresh interpreter: ALSA reads ALSA_CONFIG_PATH once, when PortAudio starts.
"""

from __future__ import annotations

import json
import textwrap

import numpy as np
import pytest

from .hold_audio import (
    NO_PORTAUDIO_PRELUDE,
    alsa_file_env,
    find_samples,
    needs_portaudio,
    no_device_env,
    read_played,
    run_python,
    silence,
    tone,
    write_wav,
)


def _child(body: str, **values) -> str:
    """A child script: `values` arrive as JSON in `V`, the body prints one JSON line."""
    return f"import json, sys, time\nV = json.loads({json.dumps(values)!r})\n" + textwrap.dedent(body)


@pytest.fixture
def inputs(tmp_path):
    greeting = write_wav(tmp_path / "greeting.wav", tone(1000, 1.5, 22050, 0.4), 22050)
    music = write_wav(tmp_path / "music.wav", np.concatenate([tone(440, 0.8, 22050, 0.4), silence(0.2, 22050)]),
                      22050)
    return {"greeting": str(greeting), "music": str(music), "expected": str(tmp_path / "expected.npy")}


PLAY = """
    import numpy as np
    from tui.hold.render import render
    from tui.hold.player import Player
    result = render("audio_then_music", 4.0, audio=V["greeting"], music=V["music"], phone_line=V["phone"])
    np.save(V["expected"], result.samples)
    player = Player(result.samples, result.rate)
    player.play()
    finished = player.wait(30)
    state, position = player.state, player.position
    first = player.first_callback_at - player.played_from
    player.close()
    print(json.dumps({"finished": finished, "state": state, "position": position, "duration": result.duration,
                      "first_callback": first, "closed": player.state}))
"""


@needs_portaudio
@pytest.mark.parametrize("phone", [True, False])
def test_what_portaudio_played_is_the_rendered_mix(tmp_path, inputs, phone):
    env, played = alsa_file_env(tmp_path)
    report = run_python(_child(PLAY, phone=phone, **inputs), env=env)
    assert report["finished"] and report["state"] == "finished" and report["closed"] == "closed"
    assert report["position"] == pytest.approx(report["duration"])  # the playhead counted every frame
    assert report["first_callback"] >= 0
    expected = np.load(inputs["expected"])
    captured = read_played(played)
    offset = find_samples(captured, expected)
    assert offset is not None, "the rendered samples were not found in what the device received"
    assert np.array_equal(captured[offset:offset + len(expected)], expected)  # bit-exact
    assert not captured[:offset].any()  # only PortAudio's leading silence before it


CONTROLS = """
    import numpy as np
    from tui.hold.player import Player
    samples = (np.sin(np.arange(8000 * 3) * 2 * np.pi * 440 / 8000) * 8000).astype(np.int16)
    done = []
    player = Player(samples, 8000, on_finished=lambda: done.append(True))
    # the file device runs far faster than real time: slow each block down so there is time to pause
    original = player._callback
    def paced(*args):
        time.sleep(0.003)
        original(*args)
    player._callback = paced
    log = {"initial": player.state}
    player.play(); player.pause()
    paused_at = player.position
    time.sleep(0.2)
    log["paused"] = [player.state, player.position == paused_at, player.level]
    player.resume(); player.wait(30)
    log["after_resume"] = [player.state, player.position]
    player.stop()
    log["stopped"] = [player.state, player.position]
    player.seek(2.0); player.play(); player.wait(30)
    log["seeked"] = [player.state, player.position]
    player.toggle(); player.wait(30)  # toggle from finished plays again from the start
    log["again"] = [player.state, player.position, bool(done)]
    player.close(); player.close()
    log["closed"] = player.state
    print(json.dumps(log))
"""


@needs_portaudio
def test_pause_resume_stop_seek_close(tmp_path):
    env, _ = alsa_file_env(tmp_path)
    log = run_python(_child(CONTROLS), env=env)
    assert log["initial"] == "stopped"
    assert log["paused"] == ["paused", True, 0.0]  # paused: the playhead holds still, the meter drops
    assert log["after_resume"] == ["finished", 3.0]
    assert log["stopped"] == ["stopped", 0.0]
    assert log["seeked"] == ["finished", 3.0]
    assert log["again"] == ["finished", 3.0, True]
    assert log["closed"] == "closed"


LEVEL = """
    import numpy as np
    from tui.hold.player import Player
    samples = (np.sin(np.arange(8000 * 2) * 2 * np.pi * 440 / 8000) * 16384).astype(np.int16)
    levels = []
    player = Player(samples, 8000)
    original = player._callback
    def spy(outdata, frames, time_info, status):
        original(outdata, frames, time_info, status)
        levels.append(player.level)
    player._callback = spy
    player.play(); player.wait(30); player.close()
    print(json.dumps({"levels": levels}))
"""


@needs_portaudio
def test_level_meter_follows_the_audio(tmp_path):
    env, _ = alsa_file_env(tmp_path)
    levels = run_python(_child(LEVEL), env=env)["levels"]
    assert levels and max(levels) == pytest.approx(0.5, abs=0.01)


UNAVAILABLE = """
    from tui.hold.player import Player, output_problem
    from tui.hold.errors import PlaybackUnavailable
    report = {"problem": output_problem()}
    player = Player([0, 1, 2, 3] * 100, 8000, device=V.get("device"))
    started = time.perf_counter()
    try:
        player.play()
        report["played"] = True
    except PlaybackUnavailable as err:
        report.update(reason=err.reason, message=err.message)
    report["seconds"] = time.perf_counter() - started
    report["wait_returns"] = player.wait(1)  # nothing started, so nothing to wait for
    player.close()
    report["state"] = player.state
    print(json.dumps(report))
"""


def test_without_portaudio_a_clear_message(tmp_path):
    report = run_python(NO_PORTAUDIO_PRELUDE + _child(UNAVAILABLE))
    assert report["reason"] == "no_portaudio"
    assert "PortAudio" in report["message"] and "libportaudio2" in report["message"]
    assert "Export a WAV" in report["message"] and report["problem"] == report["message"]
    assert report["state"] == "closed" and report["wait_returns"]


@needs_portaudio
def test_without_an_output_device_a_clear_message(tmp_path):
    probe = run_python("import json, sounddevice as sd; print(json.dumps(len(sd.query_devices())))",
                       env=no_device_env(tmp_path))
    if probe:
        pytest.skip("this machine has a sound card, so ALSA still lists devices")
    report = run_python(_child(UNAVAILABLE), env=no_device_env(tmp_path))
    assert report["reason"] == "no_device" and "no audio output device" in report["message"]
    assert "Export a WAV" in report["message"] and report["problem"] == report["message"]
    assert report["seconds"] < 5  # never a hang


@needs_portaudio
def test_a_named_device_that_is_not_there(tmp_path):
    env, _ = alsa_file_env(tmp_path)
    report = run_python(_child(UNAVAILABLE, device="no such speaker"), env=env)
    assert report["reason"] == "device_error" and "no such speaker" in report["message"]
    assert report["problem"] is None  # the default device is fine; only the named one is missing
