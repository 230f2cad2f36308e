"""`wiro-voice hold render|play|premix`: exit codes, findings on stderr, nothing half-written, real playback."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time

import numpy as np
import pytest

from tui.cli import main
from tui.hold.decode import clear_caches
from tui.hold.probe import probe

from .hold_audio import (
    NO_PORTAUDIO_PRELUDE,
    alsa_file_env,
    find_samples,
    needs_portaudio,
    no_device_env,
    read_played,
    read_wav,
    silence,
    tone,
    write_wav,
)


@pytest.fixture(autouse=True)
def _fresh():
    clear_caches()


@pytest.fixture
def files(tmp_path):
    greeting = write_wav(tmp_path / "greeting.wav", tone(1000, 2.0, 16000, 0.3), 16000)
    music = write_wav(tmp_path / "music.wav", np.concatenate([tone(440, 0.8, 16000, 0.3), silence(0.2, 16000)]),
                      16000)
    stereo = write_wav(tmp_path / "stereo.wav", tone(440, 1.0, 16000, 0.3), 16000, channels=2)
    return {"greeting": greeting, "music": music, "stereo": stereo}


def test_render_writes_the_wav_and_lists_the_timeline(files, tmp_path, capsys):
    out = tmp_path / "hold.wav"
    code = main(["hold", "render", "--strategy", "audio_then_music", "--audio", str(files["greeting"]),
                 "--music", str(files["music"]), "--window", "5", "--out", str(out)])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    info = probe(out)
    assert (info.sample_rate, info.channels, info.duration) == (8000, 1, 5.0)
    assert f"wrote {out}" in captured.out and "phone line" in captured.out
    assert " 0.00– 2.00 s  greeting · greeting.wav" in captured.out
    assert "music · music.wav (loop 3)" in captured.out
    assert "100%  rendered" in captured.err  # the progress line
    assert "Traceback" not in captured.err


def test_full_band_and_mu_law_options(files, tmp_path, capsys):
    out = tmp_path / "full.wav"
    assert main(["hold", "render", "--strategy", "music", "--music", str(files["music"]), "--full-band",
                 "--out", str(out)]) == 0
    assert probe(out).sample_rate == 16000
    assert main(["hold", "render", "--strategy", "music", "--music", str(files["music"]), "--encoding", "mulaw",
                 "--out", str(tmp_path / "u.wav")]) == 0
    assert probe(tmp_path / "u.wav").codec == "mulaw"


@pytest.mark.parametrize("argv, words", [
    (["--strategy", "music", "--music", "missing.wav"], "holdmusic: missing.wav does not exist"),
    (["--strategy", "music"], "strategy music needs holdmusic"),
    (["--strategy", "jazz"], "unknown hold strategy 'jazz'"),
    ([], "give --strategy"),
    (["--strategy", "none", "--window", "40"], "wiro-voice: window 40 s is outside 3–30 s"),
    (["--strategy", "none", "--window", "soon"], "is not a number"),
    (["--strategy", "music", "--music", "{stereo}"], "is stereo; Wiro needs mono"),
    (["--strategy", "music", "--music", "{text}"], "is not MP3 or WAV"),
])
def test_bad_input_exits_1_with_the_finding_and_leaves_out_untouched(files, tmp_path, capsys, argv, words):
    text = tmp_path / "notes.mp3"
    text.write_text("just words")
    out = tmp_path / "hold.wav"
    out.write_bytes(b"previous file")
    argv = [a.format(stereo=files["stereo"], text=text) for a in argv]
    code = main(["hold", "render", *argv, "--out", str(out)])
    err = capsys.readouterr().err
    assert code == 1 and words in err and "Traceback" not in err
    assert out.read_bytes() == b"previous file"
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []  # no .part left behind


@pytest.mark.parametrize("verb", ["render", "play"])
def test_broken_ssml_is_refused_in_the_words_check_uses(verb, tmp_path, capsys):
    """`hold render --text` wrote a file and exited 0 while `check` called the same text broken."""
    out = tmp_path / "hold.wav"
    code = main(["hold", verb, "--strategy", "text", "--text", "Hi <s>there", "--out", str(out)])
    err = capsys.readouterr().err
    assert code == 1 and not out.exists() and "Traceback" not in err
    refused = "holdtext: The SSML is broken at line 1, column 4: <s> is never closed: add </s>."
    assert f"wiro-voice: {refused}" in err
    credential = tmp_path / "c.json"
    credential.write_text(json.dumps({"accountsid": "AC0123456789abcdef0123456789abcdef",
                                      "authtoken": "9e107d9d372bb6826bd81d3542a419d6",
                                      "phonenumbers": ["+14155551234"], "holdstrategy": "text",
                                      "holdtext": "Hi <s>there"}))
    assert main(["check", str(credential)]) == 1
    assert refused.replace("holdtext: ", "holdtext: error: ") in capsys.readouterr().out
    # the same text from the credential file is refused too; well-formed SSML renders
    assert main(["hold", "render", "--credential", str(credential), "--out", str(out)]) == 1 and not out.exists()
    capsys.readouterr()
    assert main(["hold", "render", "--strategy", "text", "--text", "Hi <s>there</s>", "--out", str(out)]) == 0
    assert out.exists()


def test_stereo_with_mono_copy_writes_it_and_goes_on(files, tmp_path, capsys):
    code = main(["hold", "render", "--strategy", "music", "--music", str(files["stereo"]), "--out",
                 str(tmp_path / "x.wav")])
    err_first = capsys.readouterr().err
    assert code == 1 and "--mono-copy" in err_first
    code = main(["hold", "render", "--strategy", "music", "--music", str(files["stereo"]), "--mono-copy",
                 "--out", str(tmp_path / "x.wav")])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    copy = tmp_path / "stereo-mono.wav"
    assert probe(copy).channels == 1 and "wrote a mono copy" in captured.err
    assert "stereo-mono.wav" in captured.out


def test_url_answering_404(sim, tmp_path, capsys):
    code = main(["hold", "render", "--strategy", "music", "--music", f"{sim.base_url}/files/x/gone.wav",
                 "--out", str(tmp_path / "x.wav")])
    err = capsys.readouterr().err
    assert code == 1 and "404" in err and not (tmp_path / "x.wav").exists()


def test_music_from_the_simulators_url(sim, tmp_path, capsys):
    code = main(["hold", "render", "--strategy", "music", "--music", sim.hold_music_url, "--out",
                 str(tmp_path / "x.wav")])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    assert "bosphorus-hold-loop.wav" in captured.out


@pytest.mark.parametrize("kind", ["json", "toml", "nested"])
def test_hold_fields_from_a_credential_file(files, tmp_path, capsys, kind):
    fields = {"holdstrategy": "audio_then_music", "holdaudio": "greeting.wav", "holdmusic": "music.wav",
              "holdtext": "", "holdvoice": "Polly.Joanna-Neural", "accountsid": "AC" + "0" * 32}
    if kind == "toml":
        path = tmp_path / "cred.toml"
        path.write_text("\n".join(f'{k} = "{v}"' for k, v in fields.items()))
    else:
        path = tmp_path / "cred.json"
        path.write_text(json.dumps({"twilio-voice": fields} if kind == "nested" else fields))
    out = tmp_path / "x.wav"
    code = main(["hold", "render", "--credential", str(path), "--window", "4", "--out", str(out)])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    assert "audio_then_music · 4 s" in captured.out and "greeting · greeting.wav" in captured.out
    # an option given on the command line wins over the file
    assert main(["hold", "render", "--credential", str(path), "--strategy", "music", "--out", str(out)]) == 0
    assert "greeting" not in capsys.readouterr().out


def test_broken_credential_file(tmp_path, capsys):
    path = tmp_path / "cred.json"
    path.write_text('{"holdstrategy": ')
    assert main(["hold", "render", "--credential", str(path), "--out", str(tmp_path / "x.wav")]) == 1
    assert "neither valid JSON nor TOML" in capsys.readouterr().err
    assert main(["hold", "render", "--credential", str(tmp_path / "none.json"), "--out", str(tmp_path / "x.wav")]) == 1
    assert "does not exist" in capsys.readouterr().err


def test_config_on_a_hold_verb_points_to_credential_and_writes_nothing(files, tmp_path, capsys):
    # --config is wiro-voice's settings file everywhere; the credential file is --credential
    path = tmp_path / "cred.json"
    path.write_text(json.dumps({"holdstrategy": "music", "holdmusic": str(files["music"])}))
    out = tmp_path / "x.wav"
    assert main(["hold", "render", "--config", str(path), "--out", str(out)]) == 1
    err = capsys.readouterr().err
    assert "--credential FILE" in err and "settings file" in err and not out.exists()
    assert main(["hold", "play", "--config", str(path)]) == 1
    assert "--credential FILE" in capsys.readouterr().err


def test_a_credential_file_given_as_the_global_config_is_named_as_such(tmp_path, capsys):
    path = tmp_path / "cred.toml"
    path.write_text('accountsid = "AC' + "0" * 32 + '"\nholdstrategy = "music"\n')
    assert main(["--config", str(path), "agents"]) == 2
    err = capsys.readouterr().err
    assert "twilio-voice credential file" in err and "--credential FILE" in err and "Traceback" not in err
    as_json = tmp_path / "cred.json"
    as_json.write_text('{"accountsid": "AC' + "0" * 32 + '"}')
    assert main(["agents", "--config", str(as_json)]) == 2
    assert "is JSON, not TOML" in capsys.readouterr().err


def test_premix_writes_upload_ready_mu_law(files, tmp_path, capsys):
    out = tmp_path / "intro.wav"
    code = main(["hold", "premix", "--voice", str(files["greeting"]), "--music", str(files["music"]),
                 "--duck", "-12", "--length", "6", "--out", str(out)])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    info = probe(out)
    assert (info.codec, info.sample_rate, info.channels, info.duration) == ("mulaw", 8000, 1, 6.0)
    assert "music -12 dB under it" in captured.out and "holdaudio" in captured.out
    assert main(["hold", "premix", "--voice", str(files["greeting"]), "--music", str(files["music"]),
                 "--encoding", "pcm16", "--out", str(out)]) == 0
    assert probe(out).codec == "pcm_s16le"


@pytest.mark.parametrize("extra, words", [(["--duck", "-70"], "outside 0 to -40 dB"),
                                          (["--length", "1"], "would cut the voice"),
                                          (["--length", "long"], "not a number of seconds")])
def test_premix_bad_input(files, tmp_path, capsys, extra, words):
    out = tmp_path / "intro.wav"
    code = main(["hold", "premix", "--voice", str(files["greeting"]), "--music", str(files["music"]), *extra,
                 "--out", str(out)])
    assert code == 1 and words in capsys.readouterr().err and not out.exists()


@pytest.mark.parametrize("duck", ["5", "-5"])
def test_premix_duck_is_said_as_minus_5_db_whichever_sign_is_given(files, tmp_path, capsys, duck):
    out = tmp_path / "intro.wav"
    assert main(["hold", "premix", "--voice", str(files["greeting"]), "--music", str(files["music"]),
                 "--duck", duck, "--out", str(out)]) == 0
    captured = capsys.readouterr()
    assert "music -5 dB under it" in captured.out and "+5" not in captured.out and " 5 dB" not in captured.out
    noted = "duck: 5 read as -5 dB" in captured.err
    assert noted == (duck == "5")  # a positive duck is read as attenuation, and the CLI says so once


def test_premix_duck_out_of_range_names_the_negative_value(files, tmp_path, capsys):
    code = main(["hold", "premix", "--voice", str(files["greeting"]), "--music", str(files["music"]),
                 "--duck", "50", "--out", str(tmp_path / "intro.wav")])
    assert code == 1 and "duck -50 dB is outside 0 to -40 dB" in capsys.readouterr().err


def test_hold_without_a_verb(capsys):
    assert main(["hold"]) == 1
    assert "hold play" in capsys.readouterr().err


# -- play, in a fresh interpreter (ALSA reads its configuration once) -------------------------------


def _play(argv: list[str], env: dict, cwd) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "tui", "hold", "play", *argv], check=False, capture_output=True, text=True,
                          env=env, cwd=cwd, timeout=60)


@needs_portaudio
def test_play_without_a_device_writes_the_wav_and_says_where(files, tmp_path):
    probe_devices = subprocess.run([sys.executable, "-c", "import sounddevice as sd; print(len(sd.query_devices()))"],
                                   check=False, capture_output=True, text=True, env=no_device_env(tmp_path))
    if probe_devices.stdout.strip() != "0":
        pytest.skip("this machine has a sound card, so ALSA still lists devices")
    argv = ["--strategy", "music", "--music", str(files["music"]), "--window", "4"]
    first = _play(argv, no_device_env(tmp_path), tmp_path)
    assert first.returncode == 0, first.stderr
    assert "no audio output device" in first.stderr
    assert f"wrote the hold preview to {tmp_path / 'hold-music.wav'}" in first.stdout
    assert probe(tmp_path / "hold-music.wav").duration == 4.0
    second = _play(argv, no_device_env(tmp_path), tmp_path)  # never over the first one
    assert second.returncode == 0 and (tmp_path / "hold-music-2.wav").exists()


def test_play_without_portaudio_writes_the_wav(files, tmp_path):
    code = NO_PORTAUDIO_PRELUDE + "import sys\nfrom tui.cli import main\nsys.exit(main(sys.argv[1:]))\n"
    done = subprocess.run([sys.executable, "-c", code, "hold", "play", "--strategy", "music", "--music",
                           str(files["music"]), "--window", "3"], check=False, capture_output=True, text=True, cwd=tmp_path,
                          timeout=60)
    assert done.returncode == 0, done.stderr
    assert "PortAudio library is not installed" in done.stderr and "hold-music.wav" in done.stdout
    assert probe(tmp_path / "hold-music.wav").duration == 3.0


@needs_portaudio
def test_play_sends_the_rendered_mix_to_the_device(files, tmp_path):
    env, played = alsa_file_env(tmp_path)
    out = tmp_path / "also.wav"
    done = _play(["--strategy", "audio_then_music", "--audio", str(files["greeting"]), "--music",
                  str(files["music"]), "--window", "4", "--out", str(out)], env, tmp_path)
    assert done.returncode == 0, done.stderr
    assert "4.0/4.0 s" in done.stderr  # the progress bar reached the end
    expected, rate = read_wav(out)
    assert rate == 8000
    assert find_samples(read_played(played), expected) is not None


@needs_portaudio
def test_ctrl_c_stops_playing_cleanly(files, tmp_path):
    # The device writes into a FIFO that this test reads at about real time, so playback lasts long
    # enough to interrupt it.
    env, fifo = alsa_file_env(tmp_path, fifo=True)
    proc = subprocess.Popen([sys.executable, "-m", "tui", "hold", "play", "--strategy", "music", "--music",
                             str(files["music"]), "--window", "30"], env=env, cwd=tmp_path,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    received = [0]
    interrupted = threading.Event()

    def drain() -> None:
        fd = os.open(fifo, os.O_RDONLY)  # blocks until PortAudio opens the device
        try:
            while True:
                chunk = os.read(fd, 1600)
                if not chunk:
                    return
                received[0] += len(chunk)
                time.sleep(0.05 if proc.poll() is None and not interrupted.is_set() else 0)
        finally:
            os.close(fd)

    reader = threading.Thread(target=drain, daemon=True)
    reader.start()
    deadline = time.monotonic() + 30
    while received[0] < 16000 and time.monotonic() < deadline:  # a second or so has played
        time.sleep(0.05)
    assert received[0] >= 16000, "playback did not start"
    proc.send_signal(signal.SIGINT)
    interrupted.set()
    _out, err = proc.communicate(timeout=30)
    reader.join(10)
    assert proc.returncode == 0, err
    assert "stopped at" in err and "Traceback" not in err
    assert received[0] < 30 * 8000 * 2  # stopped well before the end of the 30 s window


def test_registering_the_hold_commands_loads_no_audio_library():
    code = ("import sys, json, tui.cli as m; m.build_parser()\n"
            "import tui.hold.render, tui.hold.player, tui.hold.checks, tui.hold.premix\n"
            "print(json.dumps(sorted(n for n in sys.modules if n.split('.')[0] in "
            "('numpy', 'pydub', 'miniaudio', 'sounddevice', 'httpx'))))")
    done = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)
    assert json.loads(done.stdout) == []
