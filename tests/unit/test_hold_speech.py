"""holdtext spoken locally: SSML reduced to words and pauses, espeak-ng in the voice's language, a stand-in without it."""

from __future__ import annotations

import numpy as np
import pytest

from tui.hold import speech, ssml
from tui.hold.speech import estimate_seconds, speak, voice_language

from .hold_audio import needs_espeak

TEXT = "Please hold while we connect you to our assistant."


def test_ssml_is_reduced_to_words_and_pauses():
    parts = ssml.reduce('<speak>Hello <break time="500ms"/> and <emphasis>welcome</emphasis>.'
                        '<break strength="strong"/><sub alias="World Wide Web">WWW</sub> &amp; more</speak>')
    assert parts == (ssml.Part(text="Hello"), ssml.Part(pause=0.5), ssml.Part(text="and welcome ."),
                     ssml.Part(pause=0.75), ssml.Part(text="World Wide Web & more"))


@pytest.mark.parametrize("attrs, seconds", [('time="2s"', 2.0), ("time='1.5s'", 1.5), ('time="250ms"', 0.25),
                                            ('time="30s"', 10.0), ("", 0.4), ('strength="x-weak"', 0.1),
                                            ('strength="bogus"', 0.4)])
def test_break_lengths(attrs, seconds):
    assert ssml.break_seconds(attrs) == seconds


def test_broken_ssml_still_gives_words():
    assert ssml.plain_text("Hold on <prosody rate='slow'>please <break time='1s'> a < b") == "Hold on please a < b"
    assert ssml.reduce("") == () and ssml.reduce("<break time='1s'/><break time='2s'/>") == (ssml.Part(pause=3.0),)


def test_voice_languages():
    assert voice_language("Polly.Joanna-Neural") == "en-US"
    assert voice_language("Polly.Burcu-Neural") == "tr-TR"
    assert voice_language("Google.de-DE-Chirp3-HD-Aoede") == "de-DE"
    assert voice_language("") == "en-US"  # the account's default voice
    assert voice_language("Polly.Nobody-Neural") is None


@needs_espeak
def test_espeak_speaks_in_the_voices_language_and_is_labelled():
    english = speak(TEXT, "Polly.Joanna-Neural")
    assert english.engine == "espeak-ng" and english.label == "local approximation of Polly.Joanna-Neural"
    assert english.language == "en-US" and english.hint is None
    assert 1.5 < english.duration < 6.0 and np.abs(english.samples).max() > 0.1
    turkish = speak("Lütfen bekleyin, sizi asistanımıza bağlıyoruz.", "Polly.Burcu-Neural")
    assert turkish.language == "tr-TR" and turkish.engine == "espeak-ng"
    assert speak(TEXT, "").label == "local approximation of the account's default voice"


@needs_espeak
def test_a_break_becomes_silence_of_its_length():
    plain = speak("Please hold. Thank you.", "Polly.Joanna-Neural")
    paused = speak('Please hold. <break time="1s"/> Thank you.', "Polly.Joanna-Neural")
    assert paused.duration - plain.duration > 0.8
    quiet = np.abs(paused.samples) < 0.005
    longest, run = 0, 0
    for q in quiet:
        run = run + 1 if q else 0
        longest = max(longest, run)
    assert longest / paused.rate >= 0.95


@needs_espeak
def test_text_that_looks_like_an_option_is_spoken():
    speech = speak("--help me please", "Polly.Joanna-Neural")
    assert speech.engine == "espeak-ng" and speech.duration > 0.5


@needs_espeak
def test_unknown_voice_speaks_english_and_says_so():
    speech = speak(TEXT, "Polly.Nobody-Neural")
    assert speech.language == "en-US" and "not a voice we know" in speech.hint


def test_without_espeak_a_stand_in_of_the_estimated_length(monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))
    speech = speak(TEXT + ' <break time="1s"/> Thanks.', "Polly.Joanna-Neural")
    assert speech.engine == "stand-in"
    assert speech.label.startswith("stand-in for Polly.Joanna-Neural")
    assert "espeak-ng" in speech.hint and "apt install" in speech.hint
    assert abs(speech.duration - estimate_seconds(TEXT + ' <break time="1s"/> Thanks.')) < 0.05
    assert 3.5 < speech.duration < 7 and np.abs(speech.samples).max() > 0.05  # audible, not silence


def test_estimate_counts_words_sentences_and_breaks():
    assert estimate_seconds("") == 0
    one = estimate_seconds("one two three four five six seven eight nine ten")
    assert 3.5 < one < 4.5
    assert abs(estimate_seconds('one <break time="2s"/> two') - (2 + 2 * 0.39)) < 0.01


@needs_espeak
def test_speaking_never_touches_the_sound_system(monkeypatch, tmp_path):
    """espeak-ng opens the audio output even to write to stdout: libpulse then made ~/.config/pulse when Hold opened."""
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.delenv("XDG_RUNTIME_DIR", raising=False)
    monkeypatch.delenv("XDG_CONFIG_HOME", raising=False)
    speech._espeak_languages.cache_clear()
    spoken = speech.speak(f"Checking the sound system stays closed {tmp_path.name}.", "Polly.Joanna-Neural")
    assert spoken.engine == "espeak-ng" and spoken.duration > 1.0  # espeak really ran…
    assert list(tmp_path.iterdir()) == []  # …and made nothing in the home folder (no .config/pulse)
