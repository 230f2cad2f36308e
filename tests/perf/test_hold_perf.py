"""Hold audio benchmarks, each measured side by side with its anchor in one run (interleaved, medians).

- an 8 s `audio_then_music` window from WAV inputs with the phone line, written as a µ-law WAV, against the
  ffmpeg CLI doing the same job in one command (budget <= 0.5x);
- MP3 decoding in process (miniaudio) against `ffmpeg` decoding to PCM;
- key press (the call to `Player.play`) to the first audio callback, through PortAudio into an ALSA file
  device, against a bare sounddevice stream doing nothing else (budget < 100 ms, reported, not asserted).
"""

from __future__ import annotations

import shutil
import statistics
import subprocess
import time

import pytest

from tests.unit.hold_audio import (
    HAVE_PORTAUDIO,
    alsa_file_env,
    mp3_from,
    noise,
    run_python,
    tone,
    write_wav,
)
from tui.hold.decode import clear_caches, decode
from tui.hold.render import render

ROUNDS = 9
HAVE_FFMPEG = shutil.which("ffmpeg") is not None
needs_ffmpeg = pytest.mark.skipif(not HAVE_FFMPEG, reason="ffmpeg is not installed: the anchor can't run")


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


@pytest.fixture
def wavs(tmp_path):
    rate = 44100
    greeting = write_wav(tmp_path / "greeting.wav", tone(1000, 3.0, rate, 0.3) + noise(3.0, rate, 0.02), rate)
    music = write_wav(tmp_path / "music.wav", tone(440, 4.0, rate, 0.3) + noise(4.0, rate, 0.02, seed=2), rate)
    return greeting, music


@pytest.mark.perf
@needs_ffmpeg
def test_render_8s_phone_line_against_ffmpeg(wavs, tmp_path, report):
    greeting, music = wavs
    ours_out, ffmpeg_out = tmp_path / "ours.wav", tmp_path / "ffmpeg.wav"
    command = ["ffmpeg", "-nostdin", "-loglevel", "error", "-y", "-i", str(greeting), "-stream_loop", "-1",
               "-i", str(music), "-filter_complex",
               "[0:a][1:a]concat=n=2:v=0:a=1,atrim=0:8,highpass=f=300,lowpass=f=3400,aresample=8000",
               "-ac", "1", "-c:a", "pcm_mulaw", str(ffmpeg_out)]

    def ours() -> float:
        clear_caches()  # decode the files every time, as ffmpeg must
        t0 = time.perf_counter()
        render("audio_then_music", 8.0, audio=greeting, music=music, phone_line=True).write_wav(ours_out, "mulaw")
        return time.perf_counter() - t0

    def anchor() -> float:
        t0 = time.perf_counter()
        subprocess.run(command, check=True)
        return time.perf_counter() - t0

    ours(), anchor()  # warm both (imports, FFT plans, the disk cache)
    mine, theirs = [], []
    for _ in range(ROUNDS):
        theirs.append(anchor())
        mine.append(ours())
    ratio = statistics.median(mine) / statistics.median(theirs)
    report("hold render, 8 s, WAV inputs, phone line", _ms(statistics.median(mine)),
           f"{_ms(statistics.median(theirs))} ffmpeg CLI", f"{ratio:.2f}x (budget <= 0.5x)", was="hold_render")
    from tui.hold.probe import probe

    assert probe(ours_out).duration == probe(ffmpeg_out).duration == 8.0  # the same job, the same output
    assert ratio <= 0.5, f"render costs {ratio:.2f}x the ffmpeg CLI (budget 0.5x)"


@pytest.mark.perf
@needs_ffmpeg
def test_mp3_decode_against_ffmpeg(tmp_path, report):
    rate = 44100
    wav = write_wav(tmp_path / "music.wav", tone(440, 30.0, rate, 0.3) + noise(30.0, rate, 0.05), rate)
    mp3 = mp3_from(wav, tmp_path / "music.mp3")
    data = mp3.read_bytes()
    command = ["ffmpeg", "-nostdin", "-loglevel", "error", "-i", str(mp3), "-f", "s16le", "-ac", "1", "-"]
    frames = {}

    def ours() -> float:
        clear_caches()
        t0 = time.perf_counter()
        frames["ours"] = decode(data).frames
        return time.perf_counter() - t0

    def anchor() -> float:
        t0 = time.perf_counter()
        frames["ffmpeg"] = len(subprocess.run(command, check=True, capture_output=True).stdout) // 2
        return time.perf_counter() - t0

    ours(), anchor()
    mine, theirs = [], []
    for _ in range(ROUNDS):
        theirs.append(anchor())
        mine.append(ours())
    ratio = statistics.median(mine) / statistics.median(theirs)
    report("MP3 decode, 30 s, 128 kbit/s", _ms(statistics.median(mine)), f"{_ms(statistics.median(theirs))} ffmpeg",
           f"{ratio:.2f}x (no budget)", was="mp3_decode")
    assert abs(frames["ours"] - frames["ffmpeg"]) < rate * 0.1  # both decoded the whole file


KEY_TO_CALLBACK = """
import json, statistics, threading, time
import numpy as np
from tui.hold.player import Player

samples = (np.sin(np.arange(8000 * 8) * 2 * np.pi * 440 / 8000) * 8000).astype(np.int16)

def ours():
    player = Player(samples, 8000)
    t0 = time.perf_counter()
    player.play()
    while player.first_callback_at is None:
        time.sleep(0.0002)
    seconds = player.first_callback_at - t0
    player.close()
    return seconds

cold = ours()  # the first key press also imports sounddevice and starts PortAudio

import sounddevice as sd

def bare():
    first = []
    def callback(outdata, frames, time_info, status):
        if not first:
            first.append(time.perf_counter())
        outdata.fill(0)
    t0 = time.perf_counter()
    stream = sd.OutputStream(samplerate=8000, channels=1, dtype="int16", callback=callback)
    stream.start()
    while not first:
        time.sleep(0.0002)
    stream.abort(); stream.close()
    return first[0] - t0

mine, theirs = [], []
for _ in range(%d):
    theirs.append(bare())
    mine.append(ours())
print(json.dumps({"cold": cold, "ours": statistics.median(mine), "bare": statistics.median(theirs)}))
"""


@pytest.mark.perf
@pytest.mark.skipif(not HAVE_PORTAUDIO, reason="libportaudio2 is not installed: nothing can play")
def test_key_press_to_first_audio_callback(tmp_path, report):
    env, _ = alsa_file_env(tmp_path)
    result = run_python(KEY_TO_CALLBACK % 15, env=env)
    ratio = result["ours"] / result["bare"]
    report("key press to first audio callback", f"{_ms(result['ours'])} ({_ms(result['cold'])} first press)",
           f"{_ms(result['bare'])} bare OutputStream", f"{ratio:.2f}x (budget < 100 ms)", was="audio_key")
    assert result["ours"] > 0 and result["bare"] > 0 and result["cold"] > 0
