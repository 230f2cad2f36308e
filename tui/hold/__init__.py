"""Hold audio: what a caller hears while the agent connects. No Textual here; heavy imports on first use.

probe      what a file really is (format, channels, rate, length), and the mono copy
sources    bytes from a path, bytes or an http(s) URL (10 MB cap, downloads kept per process)
decode     WAV/MP3 to samples in process (miniaudio), handed to pydub on request
checks     findings about one holdaudio/holdmusic file, each saying what to do
speech     holdtext spoken with espeak-ng in the voice's language, or a labelled stand-in
ssml       SSML reduced to words and pauses
dsp        resampling, the phone line (300–3400 Hz, 8 kHz, µ-law), levels
render     the timeline for each holdstrategy over the connect window
premix     a voice over ducked music in one upload-ready file
export     WAV files (16-bit PCM or 8 kHz µ-law), written atomically, under 10 MB
player     playback through PortAudio with a playhead and a level meter
errors     HoldError (bad input) and PlaybackUnavailable (no way to play here)
"""
