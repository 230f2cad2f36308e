"""The hold timeline for every strategy: what plays when, measured in the rendered audio itself."""

from __future__ import annotations

import threading

import numpy as np
import pytest

from tui.hold.decode import clear_caches
from tui.hold.errors import HoldError
from tui.hold.probe import probe
from tui.hold.render import STRATEGIES, render

from .hold_audio import level_at, needs_espeak, onsets, silence, tone, write_wav

RATE = 44100
GREETING = 2.5  # seconds of 1 kHz
LOOP_SOUND, LOOP_GAP = 1.2, 0.3  # the music loop: 440 Hz, then a gap that marks each restart
LOOP = LOOP_SOUND + LOOP_GAP
TEXT = "Please hold while we connect you."


@pytest.fixture(autouse=True)
def _fresh():
    clear_caches()


@pytest.fixture
def files(tmp_path):
    greeting = write_wav(tmp_path / "greeting.wav", tone(1000, GREETING, RATE, 0.5), RATE)
    music = write_wav(tmp_path / "music.wav", np.concatenate([tone(440, LOOP_SOUND, RATE, 0.5),
                                                              silence(LOOP_GAP, RATE)]), RATE)
    return greeting, music


def presence(x, rate, freq, step=0.002, win=0.01) -> tuple[float, float]:
    """First and last time the `freq` component is above half its peak (10 ms windows every 2 ms)."""
    times = np.arange(0, len(x) / rate - win, step)
    levels = np.array([level_at(x, rate, freq, t, t + win) for t in times])
    on = times[levels > levels.max() / 2]
    return float(on[0] + win / 2), float(on[-1] + win / 2)


def spans(result) -> list[tuple[str, float, float]]:
    return [(s.kind, round(s.start, 6), round(s.end, 6)) for s in result.segments]


@pytest.mark.parametrize("phone", [True, False])
def test_audio_then_music_greeting_first_then_the_loop(files, phone):
    greeting, music = files
    result = render("audio_then_music", 8.0, audio=greeting, music=music, phone_line=phone)
    assert result.rate == (8000 if phone else RATE) and result.frames == round(8.0 * result.rate)
    assert spans(result) == [("greeting", 0, 2.5), ("music", 2.5, 4.0), ("music", 4.0, 5.5), ("music", 5.5, 7.0),
                             ("music", 7.0, 8.0)]
    assert [s.detail for s in result.segments[1:]] == ["loop 1", "loop 2", "loop 3", "loop 4"]
    x, rate = result.samples, result.rate
    start, end = presence(x, rate, 1000)
    assert abs(start - 0.0) <= 0.01 and abs(end - GREETING) <= 0.01  # the greeting comes first
    first_music, _ = presence(x, rate, 440)
    assert abs(first_music - GREETING) <= 0.01
    restarts = [t for t in onsets(x, rate) if t > GREETING + 0.1]
    assert np.allclose(restarts, [4.0, 5.5, 7.0], atol=0.01), restarts


def test_the_music_really_loops(files):
    _, music = files
    result = render("music", 8.0, music=music, phone_line=False)
    x, n = result.samples, round(LOOP * RATE)
    assert np.array_equal(x[:n], x[n:2 * n]) and np.array_equal(x[:n], x[2 * n:3 * n])
    assert np.abs(x[:n]).max() > 10000  # and it is not silence looping
    assert spans(result)[0] == ("music", 0, 1.5) and len(result.segments) == 6  # 5 full loops and a part
    phone = render("music", 8.0, music=music)  # through the phone line the loops still match
    y, m = phone.samples.astype(float), round(LOOP * 8000)
    assert np.corrcoef(y[m:2 * m], y[2 * m:3 * m])[0, 1] > 0.999
    assert np.allclose(onsets(phone.samples, 8000), [0, 1.5, 3.0, 4.5, 6.0, 7.5], atol=0.01)


def test_audio_alone_is_followed_by_silence(files):
    greeting, _ = files
    result = render("audio", 6.0, audio=greeting)
    assert spans(result) == [("greeting", 0, 2.5), ("silence", 2.5, 6.0)]
    assert result.segments[1].detail == "waiting for the agent"
    assert np.abs(result.samples[round(2.52 * 8000):]).max() < 33  # below -60 dBFS: the filter's faint ringing


def test_none_is_silence(files):
    result = render("none", 5.0)
    assert spans(result) == [("silence", 0, 5.0)] and not result.samples.any()
    assert "none" in result.segments[0].detail


@needs_espeak
@pytest.mark.parametrize("phone", [True, False])
def test_text_then_music_speech_then_loop(files, phone):
    _, music = files
    result = render("text_then_music", 10.0, text=TEXT, voice="Polly.Joanna-Neural", music=music, phone_line=phone)
    speech = result.segments[0]
    assert speech.kind == "speech" and speech.source == "local approximation of Polly.Joanna-Neural"
    assert speech.start == 0 and abs(speech.end - result.speech.duration) < 1e-6
    assert 1.0 < speech.end < 6.0
    assert [s.kind for s in result.segments[1:]] == ["music"] * (len(result.segments) - 1)
    x, rate = result.samples, result.rate
    first_music, _ = presence(x, rate, 440)
    assert abs(first_music - speech.end) <= 0.01
    assert any(np.abs(x[: round(speech.end * rate)]) > 1000)  # words were spoken before it
    restarts = [t for t in onsets(x, rate) if t > speech.end + 0.1]
    assert np.allclose(restarts[:3], [speech.end + LOOP * k for k in (1, 2, 3)], atol=0.01), restarts


@needs_espeak
def test_text_alone_then_silence():
    result = render("text", 8.0, text=TEXT, voice="Polly.Joanna-Neural")
    speech, rest = result.segments
    assert (speech.kind, rest.kind) == ("speech", "silence") and rest.start == speech.end
    assert np.abs(result.samples[round((speech.end + 0.02) * 8000):]).max() < 33  # below -60 dBFS: the filter's faint ringing


def test_text_without_espeak_gets_a_labelled_stand_in(files, monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))  # no espeak-ng to be found
    result = render("text", 8.0, text=TEXT, voice="Polly.Joanna-Neural")
    assert result.speech.engine == "stand-in"
    assert "stand-in for Polly.Joanna-Neural" in result.segments[0].source
    assert any("espeak-ng" in n.message for n in result.notes)


def test_greeting_longer_than_the_window_is_cut_with_a_note(tmp_path):
    long = write_wav(tmp_path / "long.wav", tone(1000, 12, 8000, 0.3), 8000)
    result = render("audio_then_music", 8.0, audio=long, music=long)
    assert spans(result) == [("greeting", 0, 8.0)] and result.segments[0].detail == "cut at 8 s"
    assert any("12.0 s" in n.message and "first 8 s" in n.message for n in result.notes)


def test_stereo_is_mixed_down_with_a_note(tmp_path, files):
    greeting, _ = files
    stereo = write_wav(tmp_path / "stereo.wav", tone(440, 2, 8000, 0.3), 8000, channels=2)
    result = render("audio_then_music", 8.0, audio=greeting, music=stereo)
    assert any(n.field == "holdmusic" and "mono" in n.message for n in result.notes)


@pytest.mark.parametrize("window, words", [(2.9, "outside 3–30 s"), (31, "outside 3–30 s"), ("abc", "not a number"),
                                           (float("nan"), "outside"), (None, "not a number")])
def test_window_is_validated_with_a_message(window, words):
    with pytest.raises(HoldError) as caught:
        render("none", window)
    assert caught.value.field == "window" and words in caught.value.message and "5–8 s" in caught.value.message


@pytest.mark.parametrize("strategy, kwargs, field", [
    ("text", {}, "holdtext"), ("text", {"text": "   "}, "holdtext"), ("audio", {}, "holdaudio"),
    ("music", {}, "holdmusic"), ("audio_then_music", {"audio": "x.wav"}, "holdmusic"),
    ("text_then_music", {"music": "x.wav"}, "holdtext"),
])
def test_missing_inputs_name_the_field(strategy, kwargs, field):
    with pytest.raises(HoldError) as caught:
        render(strategy, **kwargs)
    assert caught.value.field == field and f"strategy {strategy} needs {field}" in caught.value.message


def test_unknown_strategy_lists_the_choices():
    with pytest.raises(HoldError) as caught:
        render("jazz")
    assert caught.value.field == "holdstrategy" and all(s in caught.value.message for s in STRATEGIES)


def test_bad_music_file_is_a_hold_error(tmp_path, files):
    greeting, _ = files
    bad = tmp_path / "bad.mp3"
    bad.write_text("not audio")
    with pytest.raises(HoldError) as caught:
        render("audio_then_music", audio=greeting, music=bad)
    assert caught.value.field == "holdmusic" and caught.value.kind == "not_audio"


def test_result_is_immutable_and_screen_friendly(files, tmp_path):
    greeting, music = files
    seen = []
    result = render("audio_then_music", audio=greeting, music=music, progress=lambda f, what: seen.append((f, what)))
    fractions = [f for f, _ in seen]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0 and len(seen) >= 4
    with pytest.raises(ValueError):
        result.samples[0] = 1
    assert result.segment_at(1.0).kind == "greeting" and result.segment_at(3.0).detail == "loop 1"
    assert result.segment_at(99).end == 8.0
    strip = result.envelope(80)
    assert len(strip) == 80 and all(0 <= v <= 1 for v in strip) and max(strip) > 0.3
    assert result.describe() == "audio_then_music · 8 s · phone line (8 kHz, µ-law)"
    out = result.write_wav(tmp_path / "hold.wav")
    info = probe(out)
    assert (info.channels, info.sample_rate, info.codec, round(info.duration, 3)) == (1, 8000, "pcm_s16le", 8.0)
    assert probe(result.write_wav(tmp_path / "hold-ulaw.wav", "mulaw")).codec == "mulaw"


def test_renders_in_parallel_threads_agree(files):
    greeting, music = files
    results: list = [None] * 4

    def work(i: int) -> None:
        results[i] = render("audio_then_music", 8.0, audio=greeting, music=music)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert all(r is not None and np.array_equal(r.samples, results[0].samples) for r in results)


def test_mixed_rates_are_placed_exactly(tmp_path):
    greeting = write_wav(tmp_path / "g.wav", tone(1000, 2.0, 22050, 0.5), 22050)
    music = write_wav(tmp_path / "m.wav", np.concatenate([tone(440, 1.0, 8000, 0.5), silence(0.5, 8000)]), 8000)
    result = render("audio_then_music", 6.0, audio=greeting, music=music, phone_line=False)
    assert result.rate == 22050
    assert np.allclose(onsets(result.samples, 22050, 0.1)[1:], [3.5, 5.0], atol=0.01)
