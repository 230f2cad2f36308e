"""`wiro-voice hold play|render|premix`: hear the hold experience from the shell.

`render` writes what a caller hears to a WAV; `play` renders and plays it with a one-line progress bar
(Ctrl-C stops; without PortAudio or a sound device it writes the WAV and says where); `premix` puts a
voice recording over ducked music in one upload-ready file. Exit 0 on success, 1 on bad input, with the
finding on stderr and nothing half-written at `--out`.

`run(args, out=, err=)` takes the parsed options (any object with their attributes) and the streams, so
tests call it without a command line. Only the standard library loads with this module: the audio engine
(numpy and friends) loads when a hold command actually runs, not when the parser is built.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

if TYPE_CHECKING:
    import argparse

EXIT_OK, EXIT_BAD_INPUT = 0, 1
#: what `--config` on a hold verb is told: the option names the settings file everywhere else
CONFIG_IS_SETTINGS = ("--config names wiro-voice's settings file (config.toml), which hold does not read; "
                      "take the hold fields from a twilio-voice credential file with --credential FILE")
STRATEGIES = ("none", "text", "audio", "music", "audio_then_music", "text_then_music")
_BAR = 24


def add_parsers(subparsers: Any) -> argparse.ArgumentParser:
    """Register `hold` and its verbs on the top-level parser's subparsers."""
    import argparse

    hold = subparsers.add_parser("hold", help="hear the hold experience: render, play, premix",
                                 description="Hear what callers hear while the agent connects.")
    verbs = hold.add_subparsers(dest="hold_command", metavar="VERB")
    for verb, text in (("play", "render and play it here (no sound device: writes the WAV instead)"),
                       ("render", "render the hold experience to a WAV")):
        p = verbs.add_parser(verb, help=text, description=text)
        p.add_argument("--strategy", metavar="S", help=f"holdstrategy: {', '.join(STRATEGIES)}")
        p.add_argument("--text", metavar="T", help="holdtext, plain or SSML (spoken locally with espeak-ng)")
        p.add_argument("--voice", metavar="V", help="holdvoice, e.g. Polly.Joanna-Neural (sets the language)")
        p.add_argument("--audio", metavar="F|URL", help="holdaudio: the greeting, MP3 or WAV")
        p.add_argument("--music", metavar="F|URL", help="holdmusic: the loop, MP3 or WAV")
        p.add_argument("--window", metavar="SECONDS", default="8", help="the connect window, 3–30 s (default 8)")
        line = p.add_mutually_exclusive_group()
        line.add_argument("--phone-line", dest="phone_line", action="store_true", default=True,
                          help="as a caller hears it: 300–3400 Hz, 8 kHz, µ-law (the default)")
        line.add_argument("--full-band", dest="phone_line", action="store_false", help="the files as they are")
        p.add_argument("--credential", dest="credential_file", metavar="FILE",
                       help="take the hold fields from a twilio-voice credential file (JSON or TOML); "
                            "options given here win")
        p.add_argument("--config", dest="settings_file", metavar="FILE", help=argparse.SUPPRESS)  # see run()
        p.add_argument("--encoding", choices=("pcm16", "mulaw"), default="pcm16",
                       help="WAV encoding of --out (default pcm16)")
        p.add_argument("--mono-copy", action="store_true",
                       help="for a stereo file: write <name>-mono.wav beside it and use that")
        p.add_argument("--out", metavar="OUT.wav", required=verb == "render",
                       help="where to write the WAV" + (" (also written when playing)" if verb == "play" else ""))
    p = verbs.add_parser("premix", help="voice over ducked music in one upload-ready WAV",
                         description="Pre-mix a voice recording over music (Twilio can't mix them live); "
                                     "upload the result as holdaudio with strategy audio or audio_then_music.")
    p.add_argument("--voice", metavar="F|URL", required=True, help="the voice recording, MP3 or WAV")
    p.add_argument("--music", metavar="F|URL", required=True, help="the music, MP3 or WAV (loops if short)")
    p.add_argument("--duck", metavar="DB", default="-15", help="music level under the voice (default -15 dB)")
    p.add_argument("--length", metavar="SECONDS", help="total length (default: the voice plus 3 s of music)")
    p.add_argument("--encoding", choices=("mulaw", "pcm16"), default="mulaw",
                   help="8 kHz µ-law (default, what the phone line uses) or 8 kHz 16-bit PCM")
    p.add_argument("--mono-copy", action="store_true",
                   help="for a stereo file: write <name>-mono.wav beside it and use that")
    p.add_argument("--out", metavar="OUT.wav", required=True, help="where to write the WAV")
    hold.set_defaults(hold_parser=hold)
    return hold


def run(args: argparse.Namespace, *, out: TextIO | None = None, err: TextIO | None = None) -> int:
    """Run a parsed `hold` command. Returns the exit code."""
    out = out or sys.stdout
    err = err or sys.stderr
    verb = getattr(args, "hold_command", None)
    if verb is None:
        parser = getattr(args, "hold_parser", None)
        if parser is not None:
            parser.print_help(err)
        _say(err, "which one? `hold play`, `hold render` or `hold premix`")
        return EXIT_BAD_INPUT
    from ..hold.errors import HoldError

    if getattr(args, "settings_file", None):
        _say(err, CONFIG_IS_SETTINGS)
        return EXIT_BAD_INPUT
    try:
        if verb == "premix":
            return _premix(args, out, err)
        return _render_or_play(args, out, err, play=verb == "play")
    except HoldError as problem:
        named = problem.field and not problem.message.startswith(problem.field)
        _say(err, f"{problem.field}: {problem.message}" if named else problem.message)
        return EXIT_BAD_INPUT


# -- render and play ------------------------------------------------------------------------------


def _render_or_play(args: argparse.Namespace, out: TextIO, err: TextIO, *, play: bool) -> int:
    from ..hold.errors import HoldError
    from ..hold.render import needs, render

    fields = _credential_fields(args.credential_file) if args.credential_file else {}
    strategy = args.strategy or fields.get("holdstrategy")
    if not strategy:
        raise HoldError(f"give --strategy ({', '.join(STRATEGIES)}) or a credential file with --credential",
                        field="holdstrategy")
    if strategy not in STRATEGIES:
        raise HoldError(f"unknown hold strategy {strategy!r} — choose one of {', '.join(STRATEGIES)}",
                        field="holdstrategy")
    text = args.text if args.text is not None else fields.get("holdtext")
    voice = args.voice if args.voice is not None else fields.get("holdvoice")
    audio = args.audio or fields.get("holdaudio")
    music = args.music or fields.get("holdmusic")
    used = needs(strategy)
    if "text" in used:
        from ..credential.ssml import ssml_problem

        broken = ssml_problem(text)
        if broken:  # refused as `check` refuses it, in the same words, before anything is written
            raise HoldError(broken, field="holdtext")
    files = {"holdaudio": audio if "audio" in used else None, "holdmusic": music if "music" in used else None}
    ready = _checked_files(files, {"holdaudio": "greeting", "holdmusic": "music"}, args.mono_copy, err)
    if ready is None:
        return EXIT_BAD_INPUT
    progress = ProgressLine(err)
    result = render(strategy, args.window, text=text, voice=voice, audio=ready.get("holdaudio"),
                    music=ready.get("holdmusic"), phone_line=args.phone_line, progress=progress.stage)
    progress.done()
    for note in result.notes:
        _say(err, f"{note.field}: {note.message}" if note.field else note.message)
    written = result.write_wav(args.out, args.encoding) if args.out else None
    if not play:
        assert written is not None
        out.write(_summary(result, written))
        return EXIT_OK
    return _play(result, written, args, out, err)


def _play(result: Any, written: Path | None, args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from ..hold.errors import PlaybackUnavailable
    from ..hold.player import Player

    player = Player(result.samples, result.rate)
    try:
        try:
            player.play()
        except PlaybackUnavailable as why:
            target = written or result.write_wav(_fallback_path(result.strategy), args.encoding)
            _say(err, why.message)
            out.write(_summary(result, target, wrote="wrote the hold preview to"))
            return EXIT_OK
        bar = ProgressLine(err)
        try:
            while not player.wait(0.1):
                bar.playhead(player.position, result)
            bar.playhead(result.duration, result)
            bar.done()
        except KeyboardInterrupt:
            position = player.position
            player.stop()
            bar.done()
            _say(err, f"stopped at {position:.1f} s")
            return EXIT_OK
    finally:
        player.close()
    if written:
        out.write(_summary(result, written))
    return EXIT_OK


def _fallback_path(strategy: str) -> Path:
    """`hold-<strategy>.wav` in the current folder (never over an existing file), else in the temp folder."""
    for folder in (Path.cwd(), Path(tempfile.gettempdir())):
        if not os.access(folder, os.W_OK):
            continue
        for n in range(1, 1000):
            candidate = folder / (f"hold-{strategy}.wav" if n == 1 else f"hold-{strategy}-{n}.wav")
            if not candidate.exists():
                return candidate
    return Path(tempfile.mkstemp(prefix=f"hold-{strategy}-", suffix=".wav")[1])


def _summary(result: Any, path: Path, wrote: str = "wrote") -> str:
    lines = [f"{wrote} {path} — {result.describe()}"]
    for s in result.segments:
        lines.append(f"  {s.start:5.2f}–{s.end:5.2f} s  {s.label}")
    return "\n".join(lines) + "\n"


# -- premix -----------------------------------------------------------------------------------------


def _premix(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from ..hold.premix import check_duck, premix

    duck = check_duck(args.duck)  # before any decoding: a typo costs nothing
    if duck and _positive(args.duck):
        _say(err, f"duck: {args.duck} read as {duck:g} dB (the music drops under the voice; the sign is optional)")
    # no length advice here: it is about holdaudio and holdmusic, not the parts of a premix
    ready = _checked_files({"voice": args.voice, "music": args.music}, {"voice": None, "music": None},
                           args.mono_copy, err)
    if ready is None:
        return EXIT_BAD_INPUT
    length = None if args.length is None else _seconds(args.length, "length")
    progress = ProgressLine(err)
    mixed = premix(ready["voice"], ready["music"], duck_db=duck, length=length, progress=progress.stage)
    progress.done()
    for note in mixed.notes:
        _say(err, f"{note.field}: {note.message}")
    target = mixed.write_wav(args.out, args.encoding)
    encoding = "8 kHz µ-law" if args.encoding == "mulaw" else "8 kHz 16-bit PCM"
    lines = [f"wrote {target} — {mixed.duration:.1f} s, mono, {encoding}, {target.stat().st_size / 1024:.0f} KB"]
    lines += [f"  {s.start:5.2f}–{s.end:5.2f} s  {s.label}" for s in mixed.segments]
    lines.append(mixed.suggestion)
    out.write("\n".join(lines) + "\n")
    return EXIT_OK


def _positive(text: Any) -> bool:
    try:
        return float(text) > 0
    except (TypeError, ValueError):
        return False


def _seconds(text: str, field: str) -> float:
    from ..hold.errors import HoldError

    try:
        return float(text)
    except ValueError:
        raise HoldError(f"{text!r} is not a number of seconds", field=field) from None


# -- shared -----------------------------------------------------------------------------------------


def _checked_files(files: dict[str, Any], roles: dict[str, str | None], mono_copy: bool,
                   err: TextIO) -> dict[str, Any] | None:
    """Check each given file; print findings. None when an error blocks; else the sources to use.

    The decoded audio is handed on, so nothing is downloaded or decoded twice.
    """
    from ..hold.checks import check_file
    from ..hold.probe import ProbeError, write_mono_copy
    from ..hold.sources import is_url

    ready: dict[str, Any] = {}
    blocked = False
    for field, source in files.items():
        if source is None or (isinstance(source, str) and not source.strip()):
            continue
        result = check_file(source, roles[field], field=field)
        if mono_copy and result.mono_copy is not None and not is_url(source):
            try:
                copy = write_mono_copy(source, result.mono_copy)
            except ProbeError as why:
                _say(err, f"{field}: {why.message}")
                blocked = True
                continue
            _say(err, f"{field}: wrote a mono copy, {copy}; using it")
            result = check_file(copy, roles[field], field=field)
        for problem in result.problems:
            message = problem.message
            if problem.level == "error" and result.mono_copy is not None and "mono" in message:
                message += " (add --mono-copy to do that now)"
            _say(err, f"{field}: {message}" if problem.level == "error" else f"{field}: warning: {message}")
        if not result.ok:
            blocked = True
        ready[field] = result.decoded
    return None if blocked else ready


def _credential_fields(path_text: str) -> dict[str, Any]:
    """The hold fields of a twilio-voice credential file (JSON or TOML; flat, or under "twilio-voice")."""
    from ..hold.errors import HoldError

    path = Path(path_text).expanduser()
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise HoldError(f"{path} does not exist — check the path", field="credential") from None
    except OSError as why:
        raise HoldError(f"{path} can't be read ({why.strerror or why})", field="credential") from None
    document: Any
    try:
        text = raw.decode("utf-8-sig")
        if text.lstrip().startswith(("{", "[")):
            document = json.loads(text)
        else:
            import tomllib

            document = tomllib.loads(text)
    except (UnicodeDecodeError, ValueError) as why:  # JSONDecodeError and TOMLDecodeError are ValueErrors
        raise HoldError(f"{path.name} is neither valid JSON nor TOML ({why}) — fix it, or pass the hold options "
                        "directly", field="credential") from None
    if isinstance(document, dict) and isinstance(document.get("twilio-voice"), dict):
        document = document["twilio-voice"]
    if not isinstance(document, dict):
        raise HoldError(f"{path.name} should hold the credential's fields (holdstrategy, holdtext, …) as an object",
                        field="credential")
    fields: dict[str, Any] = {}
    for name in ("holdstrategy", "holdtext", "holdvoice", "holdaudio", "holdmusic"):
        value = document.get(name)
        if value is None or value == "":
            continue
        if not isinstance(value, str):
            raise HoldError(f"{name} in {path.name} should be text, not {type(value).__name__}", field=name)
        fields[name] = value
    for name in ("holdaudio", "holdmusic"):  # relative paths are relative to the credential file
        value = fields.get(name)
        if value and "://" not in value and not Path(value).expanduser().is_absolute():
            fields[name] = str(path.parent / value)
    return fields


def _say(err: TextIO, message: str) -> None:
    err.write(f"wiro-voice: {message}\n")
    err.flush()


class ProgressLine:
    """One line on stderr: redrawn in place on a terminal, one line per change otherwise (logs stay short)."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.tty = bool(getattr(stream, "isatty", lambda: False)())
        self._last = ""
        self._drawn = False

    def _show(self, text: str, key: str) -> None:
        if self.tty:
            self.stream.write("\r\x1b[K" + text)
            self._drawn = True
        elif key != self._last:
            self.stream.write(text + "\n")
        self._last = key
        self.stream.flush()

    def stage(self, fraction: float, what: str) -> None:
        """A `progress` callback for the engine."""
        self._show(f"{_bar(fraction)} {fraction * 100:3.0f}%  {what}", what)

    def playhead(self, seconds: float, result: Any) -> None:
        segment = result.segment_at(seconds)
        caption = segment.label if segment else ""
        fraction = seconds / result.duration if result.duration else 1.0
        self._show(f"▶ {_bar(fraction)} {seconds:4.1f}/{result.duration:.1f} s  {caption}", caption)

    def done(self) -> None:
        if self.tty and self._drawn:
            self.stream.write("\n")
            self.stream.flush()
        self._drawn = False


def _bar(fraction: float) -> str:
    filled = max(0, min(_BAR, round(fraction * _BAR)))
    return "[" + "#" * filled + "-" * (_BAR - filled) + "]"
