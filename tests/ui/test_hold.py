"""The Hold screen: renders the saved credential or the form's edits, timeline, toggles, export, premix."""

from __future__ import annotations

import wave

from textual.widgets import Input, Select, TextArea

from .helpers import demo_app, goto, notifications, settle, text_of

SIZE = (120, 45)


async def test_the_saved_strategy_renders_as_a_timeline(sim, sim_settings):
    app = demo_app(sim, sim_settings)
    async with app.run_test(size=SIZE) as pilot:
        await goto(app, pilot, "hold", rounds=6)
        assert "saved credential" in text_of(app, "#hold-source")
        segments = text_of(app, "#hold-segments")
        assert "spoken text" in segments and "music" in segments
        assert segments.index("spoken text") < segments.index("music")  # the text comes first
        result = app.screen._result
        assert result.phone_line and result.rate == 8000 and abs(result.duration - 8.0) < 0.01
        await pilot.press("right_square_bracket", "p")
        await settle(app, pilot, rounds=6)
        result = app.screen._result
        assert not result.phone_line and abs(result.duration - 9.0) < 0.01
        assert "Window 9 s" in text_of(app, "#hold-settings") and "full band" in text_of(app, "#hold-settings")


async def test_the_form_edits_are_what_is_rendered(sim, sim_settings):
    app = demo_app(sim, sim_settings)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("e")
        await settle(app, pilot, rounds=4)
        app.screen.query_one("#in-holdstrategy", Select).value = "text"
        app.screen.query_one("#in-holdtext", TextArea).text = "One moment please."
        await pilot.pause()
        await goto(app, pilot, "hold", rounds=6)
        assert "unsaved edits" in text_of(app, "#hold-source")
        segments = text_of(app, "#hold-segments")
        assert "spoken text" in segments and "silence" in segments and "music" not in segments


async def test_export_writes_the_rendered_wav_into_the_export_folder(sim, sim_settings, tmp_path, monkeypatch):
    """Issue 14.4: exports go to the export folder (no Downloads here: `exports/` beside the config file), not
    into the folder the app was started from; the toast names the whole path."""
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    started_in = tmp_path / "cwd"
    started_in.mkdir()
    monkeypatch.chdir(started_in)
    app = demo_app(sim, sim_settings)
    async with app.run_test(size=SIZE) as pilot:
        await goto(app, pilot, "hold", rounds=6)
        await pilot.press("x")
        await settle(app, pilot)
        written = list((sim_settings.config_path.parent / "exports").glob("hold-preview-*.wav"))
        assert len(written) == 1 and list(started_in.iterdir()) == []
        assert any(str(written[0]) in n for n in notifications(app))
        with wave.open(str(written[0])) as w:
            assert w.getframerate() == 8000 and w.getnchannels() == 1
            assert abs(w.getnframes() / 8000 - 8.0) < 0.01
        assert any("Hold preview exported" in n for n in notifications(app))


async def test_play_without_a_sound_device_says_so_and_never_crashes(sim, sim_settings):
    app = demo_app(sim, sim_settings)
    async with app.run_test(size=SIZE) as pilot:
        await goto(app, pilot, "hold", rounds=6)
        await pilot.press("space")
        await settle(app, pilot)
        line = text_of(app, "#hold-player")
        # either it plays (a machine with sound) or it says why not and what to do instead
        assert "playing" in line or ("🔇" in line and "WAV" in line)
        await pilot.press("s")
        await pilot.pause()


async def test_premix_writes_a_file_and_offers_it_as_the_greeting(sim, sim_settings, tmp_path):
    from tests.unit.hold_audio import tone, write_wav

    voice = write_wav(tmp_path / "voice.wav", tone(440, 2.0))
    music = write_wav(tmp_path / "music.wav", tone(220, 5.0))
    app = demo_app(sim, sim_settings)
    async with app.run_test(size=SIZE) as pilot:
        await goto(app, pilot, "hold", rounds=6)  # Credentials was never opened: the app's edits take the premix
        await pilot.press("m")
        await settle(app, pilot)
        app.screen.query_one("#premix-voice", Input).value = str(voice)
        app.screen.query_one("#premix-music", Input).value = str(music)
        await pilot.click("#premix-go")
        await settle(app, pilot, rounds=6)
        out = tmp_path / "voice-premix.wav"
        assert out.exists()
        assert app.screen.__class__.__name__ == "Confirm"
        await pilot.click("#answer-audio_then_music")
        await settle(app, pilot, rounds=6)
        edits = app.credential_edits.get(sim.demo_agent_guid)
        assert edits.current.holdaudio == str(out) and edits.current.holdstrategy == "audio_then_music"
        assert edits.dirty and "unsaved edits" in text_of(app, "#hold-source")
        assert "premix" in text_of(app, "#hold-segments").lower() or "greeting" in text_of(app, "#hold-segments")
        # the form, opened now, shows the premix as an unsaved edit…
        await pilot.press("e")
        await settle(app, pilot, rounds=6)
        assert app.screen.query_one("#in-holdaudio", Input).value == str(out)
        assert app.screen.query_one("#in-holdstrategy", Select).value == "audio_then_music"
        assert "greeting" in text_of(app, "#cred-state") and app.screen.dirty
        # …and saved from it, the premix reaches Wiro through CredentialFileUpload, as the greeting
        sim.requests.clear()
        await pilot.press("ctrl+s")
        await settle(app, pilot, rounds=8)
        assert sim.requests.count("UserAgent/CredentialFileUpload") == 1 and sim.requests.count("File/Upload") == 0
        with sim.world.lock:
            stored = dict(sim.world.agents[sim.demo_agent_guid].twilio)
        assert stored["holdaudio"].startswith("upload:") and stored["holdstrategy"] == "audio_then_music"
        assert "greeting: stored by Wiro" in text_of(app, "#save-result")


async def test_broken_ssml_in_the_edits_is_shown_on_hold(sim, sim_settings):
    app = demo_app(sim, sim_settings)
    async with app.run_test(size=SIZE) as pilot:
        await goto(app, pilot, "credentials", rounds=6)
        app.screen.query_one("#in-holdstrategy", Select).value = "text"
        app.screen.query_one("#in-holdtext", TextArea).text = "One <s>moment please."
        await pilot.pause()
        await goto(app, pilot, "hold", rounds=6)
        notes = text_of(app, "#hold-notes")
        assert "✖ The SSML is broken at line 1, column 5: <s> is never closed: add </s>." in notes
        assert "spoken text" in text_of(app, "#hold-segments")  # the preview still says what it can read


async def test_without_sound_the_screen_says_so_and_x_writes_the_wav(sim, sim_settings, tmp_path, monkeypatch):
    """README: "without either the Hold screen says so and `x` writes the preview as a WAV instead"."""
    from pathlib import Path

    from tui.hold import player
    from tui.hold.errors import PlaybackUnavailable

    def no_portaudio():  # what sounddevice's import does on a machine without libportaudio2
        raise PlaybackUnavailable("no_portaudio", "Sound can't play here: the PortAudio library is not installed "
                                  f"(Debian/Ubuntu: sudo apt install libportaudio2). {player.EXPORT_HINT}")

    monkeypatch.setattr(player, "sounddevice", no_portaudio)
    monkeypatch.setenv("HOME", str(tmp_path))
    readme = (Path(__file__).parents[2] / "README.md").read_text()
    assert "the Hold screen says so and `x` writes the preview as a WAV instead" in readme
    app = demo_app(sim, sim_settings)
    async with app.run_test(size=SIZE) as pilot:
        await goto(app, pilot, "hold", rounds=6)
        await pilot.press("space")
        await settle(app, pilot)
        line = text_of(app, "#hold-player")
        assert line.startswith("🔇 Sound can't play here: the PortAudio library is not installed")
        assert line.endswith("Press x to write the preview as a WAV instead.") and "Export a WAV" not in line
        await pilot.press("x")
        await settle(app, pilot)
        assert len(list((sim_settings.config_path.parent / "exports").glob("hold-preview-*.wav"))) == 1


async def test_opening_hold_leaves_the_home_folder_alone(sim, sim_settings, tmp_path, monkeypatch):
    """Opening Hold made ~/.config/pulse: the local speech opened the sound system to write a WAV to stdout."""
    from tui.hold import speech

    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.delenv("XDG_RUNTIME_DIR", raising=False)
    monkeypatch.delenv("XDG_CONFIG_HOME", raising=False)
    speech._cache.clear()  # speak for real in this test
    speech._espeak_languages.cache_clear()
    app = demo_app(sim, sim_settings)
    async with app.run_test(size=SIZE) as pilot:
        await goto(app, pilot, "hold", rounds=6)
        assert "spoken text" in text_of(app, "#hold-segments")
    assert list(home.iterdir()) == []


async def test_the_premix_dialog_fits_80_columns_and_a_url_voice_mixes_into_the_export_folder(sim, sim_settings,
                                                                                            tmp_path, monkeypatch):
    from tui.ui.screens.premix_dialog import default_out

    exports = tmp_path / "exports"
    assert default_out("https://example.com/hello.mp3", exports) == exports / "hello-premix.wav"
    assert default_out(str(tmp_path / "v.wav"), exports) == tmp_path / "v-premix.wav"  # a file: beside it
    app = demo_app(sim, sim_settings)
    async with app.run_test(size=(80, 24)) as pilot:
        await goto(app, pilot, "hold", rounds=6)
        await pilot.press("m")
        await settle(app, pilot)
        shown = "\n".join(strip.text for strip in app.screen._compositor.render_strips())
        assert "one file and use it as the greeting." in shown  # wrapped, not cut at the edge
        assert app.screen.query_one("#premix").region.right <= 80


async def test_the_configured_export_folder_is_used(sim, sim_settings, tmp_path):
    chosen = tmp_path / "my exports"
    app = demo_app(sim, sim_settings, export_dir=chosen)
    async with app.run_test(size=SIZE) as pilot:
        await goto(app, pilot, "hold", rounds=6)
        await pilot.press("x")
        await settle(app, pilot)
        assert len(list(chosen.glob("hold-preview-*.wav"))) == 1


async def test_switching_agent_renders_the_new_agents_hold(sim, sim_settings):
    app = demo_app(sim, sim_settings)
    async with app.run_test(size=SIZE) as pilot:
        await goto(app, pilot, "hold", rounds=6)
        assert "text_then_music" in text_of(app, "#hold-source")
        app.use_agent(sim.stopped_agent_guid)
        await settle(app, pilot, rounds=8)
        assert "strategy text" in text_of(app, "#hold-source") and "text_then_music" not in text_of(app, "#hold-source")
        segments = text_of(app, "#hold-segments")
        assert "Polly.Lea-Neural" in segments and "music" not in segments
