"""The twilio-voice field rules: one plain function per field, each returning findings (errors block
saving, warnings inform) whose message says what to do. The form, `wiro-voice check` and the tests all
use these functions.

A finding may offer a fix: `fix` is the suggested value (the E.164 form of a number, the table's
spelling of a voice, the path of a mono copy to write) and `fix_action` says how `tui.credential.fixes`
applies it. Nothing here touches the network or writes a file; local hold files are read through the probe
cache of `tui.credential.probes`.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urlsplit

from ..hold.probe import AudioInfo, ProbeError, mono_copy_path
from ..common.masking import scrub_tokens
from ..problems import Problem
from ..wiro.models import AUTH_TOKEN_MASK
from .draft import FIELD_NAMES, CredentialDraft, token_to_send
from .phones import NumberCheck, check_number, is_digits_only, withheld_name
from .probes import cached_probe, probe_cached
from .ssml import ALLOWED_TAGS, broken_message, parse_ssml
from .voices import closest_name, voice_by_name

# -- findings ---------------------------------------------------------------------------------------------

REPLACE, ADD, REMOVE, MONO_COPY = "replace", "add", "remove", "mono_copy"


@dataclass(frozen=True)
class Finding(Problem):
    """A Problem that may carry a fix.

    `fix_action`: "replace" (put `fix` in place of the value, or of the list element `field[i]`),
    "add" (add `fix` to the list after element i — the whitelist's E.164 twin of a digits-only entry),
    "remove" (drop element i), "mono_copy" (write a mono copy of the file; `fix` is where it goes).
    """

    fix: str | None = None
    fix_action: str | None = None
    fix_label: str = ""  # "use +14155551234", for a key hint or a button


def _error(field: str, message: str, fix: str | None = None, action: str | None = None, label: str = "") -> Finding:
    return Finding("error", message, field, fix, action or (REPLACE if fix is not None else None), label)


def _warning(field: str, message: str, fix: str | None = None, action: str | None = None, label: str = "") -> Finding:
    return Finding("warning", message, field, fix, action or (REPLACE if fix is not None else None), label)


def _show(value: str, limit: int = 40) -> str:
    """A user value quoted in a message, shortened so one bad paste can't flood the screen."""
    value = scrub_tokens(value.strip())  # a token pasted into the wrong field is still a secret
    return value if len(value) <= limit else value[: limit - 1] + "…"


# -- hold strategies ---------------------------------------------------------------------------------------

STRATEGIES: dict[str, tuple[str, ...]] = {
    "none": (),
    "text": ("holdtext",),
    "audio": ("holdaudio",),
    "music": ("holdmusic",),
    "audio_then_music": ("holdaudio", "holdmusic"),
    "text_then_music": ("holdtext", "holdmusic"),
}
HOLD_FIELDS = ("holdtext", "holdvoice", "holdaudio", "holdmusic")
_WHAT = {
    "holdtext": "type the sentence callers hear while the agent connects",
    "holdaudio": "choose the greeting (an MP3/WAV file or an https URL)",
    "holdmusic": "choose the music loop (an MP3/WAV file or an https URL)",
}
TEXT_CAP = 3000  # Wiro's cap; Polly counts without tags
GOOGLE_CAP = 5000  # Google voices count the tags too
SPOKEN_WARNING_SECONDS = 8.0
MAXCALL_LOW, MAXCALL_HIGH = 30, 14400
_MAXCALL_STORABLE = 2**31 - 1
GREETING_SECONDS = (5.0, 15.0)
MUSIC_SECONDS = (30.0, 60.0)


def fields_used(strategy: str) -> tuple[str, ...]:
    """The hold fields a strategy plays (holdvoice with holdtext); every hold field for an unknown one."""
    name = strategy.strip() or "none"
    if name not in STRATEGIES:
        return HOLD_FIELDS
    used = STRATEGIES[name]
    return tuple(f for f in HOLD_FIELDS if f in used or (f == "holdvoice" and "holdtext" in used))


def required_fields(strategy: str) -> tuple[str, ...]:
    return STRATEGIES.get(strategy.strip() or "none", ())


def _strategy_for(fields: Iterable[str]) -> str | None:
    present = set(fields)
    if "holdtext" in present:
        return "text_then_music" if "holdmusic" in present else "text"
    if "holdaudio" in present:
        return "audio_then_music" if "holdmusic" in present else "audio"
    if "holdmusic" in present:
        return "music"
    return None


# -- accountsid -----------------------------------------------------------------------------------------------

_HEX = re.compile(r"^[0-9a-fA-F]+$")
_OTHER_SIDS = {"PN": "phone number", "AP": "TwiML App", "TK": "SIP Trunk", "CA": "call", "FW": "Studio Flow",
               "MG": "Messaging Service", "US": "user", "SM": "message", "RE": "recording"}
_SID_HOME = "the Live credentials at the top of Twilio's API keys & tokens page"


def check_accountsid(value: str | None) -> list[Finding]:
    """Required; `AC` + 32 hex characters (34 in all); surrounding spaces are trimmed when saving."""
    field = "accountsid"
    v = (value or "").strip()
    if not v:
        return [_error(field, f"Required: paste the Account SID from {_SID_HOME} (34 characters, starting AC).")]
    if any(c.isspace() for c in v):
        squeezed = "".join(v.split())
        fix = squeezed if _is_account_sid(squeezed) else None
        return [_error(field, "The Account SID has spaces or line breaks inside it: paste it again "
                              "(34 characters: AC and 32 hex digits).", fix, label="remove the spaces" if fix else "")]
    prefix = v[:2].upper()
    if prefix == "SK":
        return [_error(field, "This is an API Key SID (SK…), not the Account SID. Use the Account SID from "
                              f"{_SID_HOME} — it starts with AC. Wiro does not use API keys.")]
    if prefix in _OTHER_SIDS and len(v) == 34 and _HEX.match(v[2:]):
        return [_error(field, f"This is a {_OTHER_SIDS[prefix]} SID ({prefix}…), not the Account SID. "
                              f"Use the Account SID from {_SID_HOME} — it starts with AC.")]
    if len(v) == 32 and _HEX.match(v):
        return [_error(field, "This looks like an Auth Token (32 hex characters), not the Account SID, which "
                              "starts with AC. Put the token in the Auth Token field and keep it secret.")]
    if not v.startswith("AC"):
        if prefix == "AC" and _is_account_sid("AC" + v[2:]):
            return [_error(field, "An Account SID starts with a capital AC.", "AC" + v[2:], label="use capital AC")]
        return [_error(field, f"An Account SID starts with AC (then 32 hex digits); this starts with {_show(v[:2])!r}. "
                              f"Copy it from {_SID_HOME}.")]
    if len(v) != 34:
        what = "missing" if len(v) < 34 else "too many"
        return [_error(field, f"The Account SID is {len(v)} characters; it has 34 (AC and 32 hex digits). "
                              f"Characters are {what}: copy it again.")]
    for i, c in enumerate(v[2:], start=3):
        if c not in "0123456789abcdefABCDEF":
            return [_error(field, f"Character {i} ({c!r}) is not a hex digit (0-9, a-f): an Account SID is AC and "
                                  "32 hex digits. Copy it again.")]
    return []


def _is_account_sid(text: str) -> bool:
    return len(text) == 34 and text.startswith("AC") and bool(_HEX.match(text[2:]))


# -- authtoken ------------------------------------------------------------------------------------------------


def check_authtoken(value: str | None, *, token_on_server: bool = False) -> list[Finding]:
    """Required on the first save; 32 characters; non-hex → warning (an API Key Secret?). Never quotes it."""
    field = "authtoken"
    if value is not None and value.strip() == AUTH_TOKEN_MASK:
        if token_on_server:
            return [_warning(field, "That is Wiro's mask for the saved token, not a token: it is not sent, and "
                                    "Wiro keeps the saved one. Clear the field, or paste a new Live Auth Token.")]
        return [_error(field, "That is Wiro's mask (***encrypted***), not a token: paste the Live Auth Token.")]
    token = token_to_send(value)
    if token is None:
        if token_on_server:
            return []
        return [_error(field, f"Required for the first save: paste the Live Auth Token (click Show in {_SID_HOME}). "
                              "Wiro stores it encrypted and never shows it again.")]
    if any(c.isspace() for c in token):
        return [_error(field, "The Auth Token has spaces or line breaks inside it: paste it again "
                              "(32 characters, nothing else).")]
    if len(token) != 32:
        if len(token) == 34 and token[:2] == "SK":
            return [_error(field, "This is an API Key SID (SK…), not the Auth Token: use the Live Auth Token "
                                  f"from {_SID_HOME}.")]
        if len(token) == 34 and token[:2] == "AC":
            return [_error(field, "This is the Account SID, not the Auth Token: the token is the 32-character "
                                  "secret shown after clicking Show.")]
        return [_error(field, f"The Auth Token is {len(token)} characters; the Live Auth Token has 32. Copy it again.")]
    if not _HEX.match(token):
        return [_warning(field, "This does not look like a Live Auth Token (32 hex digits): it looks like an API Key "
                                "Secret. With an API Key Secret every call fails Twilio's signature check — use the "
                                f"Live Auth Token from {_SID_HOME}.")]
    return []


# -- phone numbers --------------------------------------------------------------------------------------------


def _number_findings(field: str, value: str, check: NumberCheck, default_region: str) -> list[Finding]:
    shown = _show(value)
    if check.strict:
        if check.e164 is None or not check.possible:
            return [_error(field, f"{shown} can't be a phone number: {check.problem}. Check the digits.")]
        if not check.valid:
            where = check.region or "its country"
            return [_warning(field, f"{shown} is not in a range {where} has assigned, as far as the phone-number "
                                    "database knows: check it for a typo (a number Twilio sold you is fine).")]
        return []
    national = not value.strip().startswith(("+", "00"))
    read_as = f"read as a {default_region} number, " if national else ""
    if check.e164 and check.possible:
        extra = ""
        if check.extension:
            extra = f" (without the extension {check.extension}: a Twilio number has none)"
        if not check.valid:
            extra += f"; then check it: it is not in a range {check.region or 'its country'} has assigned"
        return [_error(field, f"Not in E.164 form: {read_as}it is {check.e164}{extra}. Use that form "
                              "(+, country code, digits only).", check.e164, label=f"use {check.e164}")]
    rule = "+, a country code without a leading 0, digits only, at most 15 digits"
    if national and check.e164:
        return [_error(field, f"{shown} is not in E.164 form ({rule}), and {read_as}{check.problem}. "
                              "Write it with + and its country code.")]
    return [_error(field, f"{shown} is not a phone number in E.164 form ({rule}): {check.problem}.")]


def _duplicate(field: str, first: int) -> Finding:
    """The later copy of a number; `first` is the index of the earlier one, shown counted from 1 as the lists
    (and `check`'s lines) count their items, while `field` keeps the JSON's `name[i]` from 0."""
    return _error(field, f"Listed twice (same number as #{first + 1}): remove this one.", action=REMOVE,
                  label="remove it")


def check_phonenumbers(values: Sequence[str], default_region: str = "US") -> list[Finding]:
    """At least one; each strict E.164 (unambiguous other forms → error offering the E.164 form);
    impossible → error, possible but not valid → warning; no duplicates."""
    values = tuple(values)
    out: list[Finding] = []
    if not any(v.strip() for v in values):
        out.append(_error("phonenumbers", "Add at least one number: the Twilio number(s) this agent answers, "
                                          "in E.164 form such as +14155551234."))
    seen: dict[str, int] = {}
    for i, value in enumerate(values):
        field = f"phonenumbers[{i}]"
        if not value.strip():
            out.append(_error(field, "This entry is empty: type a number or remove it.", action=REMOVE, label="remove it"))
            continue
        check = check_number(value, default_region)
        out.extend(_number_findings(field, value, check, default_region))
        key = check.e164 or value.strip()
        if key in seen:
            out.append(_duplicate(field, seen[key]))
        else:
            seen[key] = i
    return out


def check_whitelistedcallers(values: Sequence[str], default_region: str = "US") -> list[Finding]:
    """Same parsing as the numbers, except: digits-only is allowed with a warning (Twilio may present
    caller ID without +; list both forms while testing), withheld-caller spellings → warning, and a
    non-empty list → a warning that every other caller gets a busy signal."""
    values = tuple(values)
    out: list[Finding] = []
    listed = [v for v in values if v.strip()]
    if listed:
        who = "the listed caller reaches" if len(listed) == 1 else f"the {len(listed)} listed callers reach"
        out.append(_warning("whitelistedcallers", f"Only {who} the agent: every other caller gets a busy "
                                                  "signal. Empty the list for production."))
    present = {v.strip() for v in values}
    seen: dict[str, int] = {}
    for i, value in enumerate(values):
        field = f"whitelistedcallers[{i}]"
        v = value.strip()
        if not v:
            out.append(_error(field, "This entry is empty: type a number or remove it.", action=REMOVE, label="remove it"))
            continue
        withheld = withheld_name(v)
        if withheld:
            out.append(_warning(field, f"{_show(v)} is how Twilio shows a withheld caller ID ({withheld}): listing it "
                                       "lets in every caller who hides their number. Remove it unless that is the "
                                       "point.", action=REMOVE, label="remove it"))
            key = v
        elif is_digits_only(v):
            check = check_number(v, default_region)
            if check.e164 and check.possible:
                if check.e164 not in present:
                    out.append(_warning(field, f"{v} is digits only: it matches only when Twilio presents the caller "
                                               f"without + (it may). Add {check.e164} too — the seed advises listing "
                                               "both forms while testing.", check.e164, ADD, f"add {check.e164}"))
            else:
                out.append(_error(field, f"{v} is not a phone number: read as a {default_region} number, "
                                         f"{check.problem}."))
            key = v  # the digits-only and E.164 forms are listed side by side on purpose
        else:
            check = check_number(value, default_region)
            out.extend(_number_findings(field, value, check, default_region))
            key = check.e164 or v
        if key in seen:
            out.append(_duplicate(field, seen[key]))
        else:
            seen[key] = i
    return out


# -- maxcallseconds -------------------------------------------------------------------------------------------

_WHOLE = re.compile(r"^\+?[0-9]{1,15}$")
_WITH_UNIT = re.compile(r"^([0-9]+(?:\.[0-9]+)?)\s*(s|sec|secs|seconds?|m|min|mins|minutes?|h|hours?)$", re.IGNORECASE)


def check_maxcallseconds(text: str | int | None) -> list[Finding]:
    """A positive whole number of seconds (empty = Wiro's default, 600); warnings below 30 and above 14400."""
    field = "maxcallseconds"
    if isinstance(text, bool):
        text = str(text)
    s = str(text).strip() if text is not None else ""
    if not s:
        return []
    if not _WHOLE.match(s):
        unit = _WITH_UNIT.match(s)
        if unit:
            factor = {"s": 1, "m": 60, "h": 3600}[unit.group(2)[0].lower()]
            seconds = round(float(unit.group(1)) * factor)
            if seconds > 0:
                return [_error(field, f"Seconds only, as a whole number: {s} is {seconds}.", str(seconds),
                               label=f"use {seconds}")]
        try:
            number = float(s)
        except (ValueError, OverflowError):
            number = None
        if number is not None and not math.isnan(number) and 0 < number < _MAXCALL_STORABLE:
            seconds = max(1, round(number))
            return [_error(field, f"A whole number of seconds, please: {seconds}?", str(seconds), label=f"use {seconds}")]
        return [_error(field, f"Must be a whole number of seconds, such as 600 (10 minutes, the default); got {_show(s)!r}.")]
    n = int(s)
    if n <= 0:
        return [_error(field, "Must be at least 1 second; 600 (10 minutes) is the default.", "600", label="use 600")]
    if n > _MAXCALL_STORABLE:
        return [_error(field, f"{n} is too large to store; Twilio ends every call at {MAXCALL_HIGH} s (4 hours) anyway.",
                       str(MAXCALL_HIGH), label=f"use {MAXCALL_HIGH}")]
    if n < MAXCALL_LOW:
        return [_warning(field, f"Calls end after {n} s: the hold alone takes ~5–8 s, so callers barely reach the "
                                "agent. 600 is the default.")]
    if n > MAXCALL_HIGH:
        return [_warning(field, f"{n} s is more than 4 hours: Twilio ends every call at {MAXCALL_HIGH} s anyway, and "
                                "a stuck call is billed up to the cap.")]
    return []


# -- holdstrategy ---------------------------------------------------------------------------------------------


def check_holdstrategy(draft: CredentialDraft) -> list[Finding]:
    """One of the six; the fields it plays are required; fields it ignores get a warning."""
    field = "holdstrategy"
    strategy = draft.holdstrategy.strip()
    filled = [f for f in HOLD_FIELDS if getattr(draft, f).strip()]
    if not strategy:
        playable = [f for f in filled if f != "holdvoice"]
        if not playable:
            return []
        suggestion = _strategy_for(playable)
        names = " and ".join(playable)
        return [_warning(field, f"{names} {'is' if len(playable) == 1 else 'are'} set but no hold strategy is chosen "
                                f"(so none: callers hear silence). Choose {suggestion} to play "
                                f"{'it' if len(playable) == 1 else 'them'}.", suggestion, label=f"use {suggestion}")]
    if strategy not in STRATEGIES:
        key = re.sub(r"[\s+\-]+", "_", strategy.lower()).strip("_").replace("_and_", "_then_")
        fix = key if key in STRATEGIES else None
        hint = f" ({fix}?)" if fix else ""
        return [_error(field, f"{_show(strategy)!r} is not a hold strategy{hint}: use one of "
                              f"{', '.join(STRATEGIES)}.", fix, label=f"use {fix}" if fix else "")]
    out: list[Finding] = []
    for name in STRATEGIES[strategy]:
        if not getattr(draft, name).strip():
            out.append(_error(name, f"{name} is required with `{strategy}`: {_WHAT[name]}."))
    used = fields_used(strategy)
    for name in filled:
        if name not in used:
            users = [s for s in STRATEGIES if name in fields_used(s)]
            out.append(_warning(name, f"{name} is ignored with `{strategy}` ({' or '.join(users)} would use it)."))
    return out


# -- holdtext and holdvoice -----------------------------------------------------------------------------------


def check_holdtext(text: str, voice: str = "") -> list[Finding]:
    """≤ 3000 characters (tags not counted, as Polly counts); well-formed SSML with Twilio's tags only;
    a warning when it takes more than ~8 s to speak (estimated: see `tui.credential.ssml`)."""
    field = "holdtext"
    if not text.strip():
        return []
    info = parse_ssml(text)
    out: list[Finding] = []
    voice = voice.strip()
    known = voice_by_name(voice) if voice else None
    if info.characters > TEXT_CAP:
        out.append(_error(field, f"{info.characters}/{TEXT_CAP} characters (tags not counted): shorten it. One "
                                 "sentence of 5–8 s is what callers hear before the agent answers."))
    if voice.startswith("Google.") and len(text) > GOOGLE_CAP:
        out.append(_error(field, f"{len(text)}/{GOOGLE_CAP} characters with the tags, which Google voices count: "
                                 "shorten it."))
    if info.error is not None:
        out.append(_error(field, broken_message(info.error)))
    reported: set[str] = set()
    for tag in info.unknown_tags:
        if tag.name in reported:
            continue
        reported.add(tag.name)
        out.append(_warning(field, f"<{_show(tag.name, 30)}> (at {tag.position}) is not a tag Twilio's <Say> "
                                   f"supports ({', '.join(sorted(ALLOWED_TAGS))}): Twilio may read it out or refuse "
                                   "the text (error 13520). Remove it."))
    for note in info.notes:
        out.append(_warning(field, f"{note.message} (at {note.position})."))
    if info.has_markup and info.error is None and not info.plain_text.strip():
        out.append(_warning(field, "The text has tags but no words: Twilio refuses an empty <Say> (error 13520)."))
    if "emphasis" in info.tag_names and known is not None and known.engine.startswith("polly"):
        out.append(_warning(field, f"{known.engine_label} voices ignore <emphasis>: it changes nothing with {voice}."))
    if info.seconds > SPOKEN_WARNING_SECONDS:
        out.append(_warning(field, f"About {info.seconds:.0f} s spoken (estimated at 15 characters a second plus "
                                   "breaks): the agent usually connects in 5–8 s, so callers may not hear the end. "
                                   "Keep it to one short sentence."))
    return out


def _primary(language: str) -> str:
    return language.replace("_", "-").split("-")[0].casefold()


def check_holdvoice(voice: str, text: str = "") -> list[Finding]:
    """"" (the account's default) or a voice name; unknown → warning (Wiro's 20 are not public);
    `<lang>` tags in the text in another language than the voice's → warning."""
    field = "holdvoice"
    if not voice.strip():
        return []
    if voice != voice.strip():
        return [_error(field, "Remove the spaces around the voice name.", voice.strip(), label="trim it")]
    known = voice_by_name(voice)
    if known is None:
        close = closest_name(voice)
        if close and close != voice:
            return [_warning(field, f"{_show(voice)} is not a Twilio voice name; did you mean {close}? Names are "
                                    "exact, with their case and accents.", close, label=f"use {close}")]
        return [_warning(field, f"{_show(voice)} is not one of the Twilio voices this tool knows "
                                "(Polly.<Name>-Neural, Polly.<Name>-Generative, Google.<locale>-Chirp3-HD-<Voice>). "
                                "Wiro offers 20 voices and does not list them: if Wiro refuses it, pick another.")]
    out: list[Finding] = []
    if text.strip():
        seen: set[str] = set()
        for language, where in parse_ssml(text).languages:
            if _primary(language) == _primary(known.language) or language in seen:
                continue
            seen.add(language)
            out.append(_warning(field, f'<lang xml:lang="{_show(language, 20)}"> (at {where}) is not the language of '
                                       f"{voice} ({known.language}): the voice reads that part with its own accent. "
                                       f"Pick a {_show(language, 20)} voice, or drop the tag."))
    return out


# -- holdaudio and holdmusic ----------------------------------------------------------------------------------

def is_url(value: str) -> bool:
    return value.strip().lower().startswith(("http://", "https://"))


_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*://")


def check_holdaudio(value: str, *, files: bool = True) -> list[Finding]:
    """The greeting: an http(s) URL, or a local MP3/WAV (≤ 10 MB, really audio, mono); 5–15 s advised."""
    return _check_hold_file("holdaudio", value, files, GREETING_SECONDS)


def check_holdmusic(value: str, *, files: bool = True) -> list[Finding]:
    """The music loop: an http(s) URL, or a local MP3/WAV (≤ 10 MB, really audio, mono); 30–60 s advised."""
    return _check_hold_file("holdmusic", value, files, MUSIC_SECONDS)


def _check_hold_file(field: str, value: str, files: bool, advised: tuple[float, float]) -> list[Finding]:
    v = value.strip()
    if not v:
        return []
    out: list[Finding] = []
    if v != value:
        out.append(_error(field, "Remove the spaces around the path or URL.", v, label="trim it"))
    if is_url(v):
        try:
            parts = urlsplit(v)
        except ValueError:  # e.g. an unclosed [ of an IPv6 host
            parts = None
        if parts is None or not parts.netloc or any(c.isspace() for c in v):
            return out + [_error(field, "This is not a complete URL: it should look like https://host/path/file.mp3.")]
        if PurePosixPath(parts.path).suffix.lower() not in (".mp3", ".wav", ".wave"):
            out.append(_warning(field, "Twilio plays a URL only if its server answers with an audio type "
                                       "(audio/mpeg or audio/wav; error 13420 otherwise), and nothing in this URL says "
                                       "MP3 or WAV. Check that it plays, or choose a local file to upload."))
        return out
    if v.lower().startswith("file://"):
        rest = unquote(v[len("file://"):].split("?", 1)[0].split("#", 1)[0])
        if not rest.startswith("/"):  # file://host/path
            _host, slash, tail = rest.partition("/")
            rest = "/" + tail if slash else ""
        if rest.strip("/"):
            return out + [_error(field, f"Give the file as a path: {rest}.", rest, label="use the path")]
        return out + [_error(field, "Give the file as a path (an MP3 or WAV file), not as a file:// URL.")]
    if _SCHEME.match(v):
        return out + [_error(field, "Use an http(s) URL or the path of a local MP3/WAV file.")]
    if files:
        try:
            info: AudioInfo | ProbeError | None = probe_cached(v)
        except ProbeError as err:
            info = err
    else:
        info = cached_probe(v)
    if info is None:
        return out
    if isinstance(info, ProbeError):
        return out + [_error(field, _sentence(info.message))]
    name = Path(v).name
    if info.channels >= 2:
        copy = str(mono_copy_path(v))
        layout = "stereo" if info.channels == 2 else f"{info.channels} channels"
        out.append(_error(field, f"{name} is {layout}: Wiro needs mono. Write a mono copy "
                                 f"({Path(copy).name}, beside it) and use that.", copy, MONO_COPY, "write a mono copy"))
    if info.codec.startswith("float"):
        out.append(_warning(field, f"{name} is a {info.bits or 32}-bit float WAV, which phone systems and many "
                                   "players can't read: export it as 16-bit PCM WAV or MP3."))
    low, high = advised
    what = "greeting" if field == "holdaudio" else "music loop"
    if info.duration < low:
        tail = ("a very short one leaves silence before the agent answers" if field == "holdaudio"
                else "a short loop repeats audibly")
        out.append(_warning(field, f"The {what} is {info.duration:.1f} s; {low:.0f}–{high:.0f} s is advised: {tail}."))
    elif info.duration > high:
        tail = ("callers hear only the first 5–8 s before the agent answers" if field == "holdaudio"
                else "callers rarely hear more than the first minute, and a longer file is a bigger upload")
        out.append(_warning(field, f"The {what} is {info.duration:.0f} s; {low:.0f}–{high:.0f} s is advised: {tail}."))
    return out


def _sentence(message: str) -> str:
    """The probe's message as a sentence (not capitalised: it often starts with a file name)."""
    message = message.strip()
    return message + ("" if message.endswith((".", "!", "?")) else ".")


# -- the whole form ---------------------------------------------------------------------------------------------

_FIELD_RANK = {name: i for i, name in enumerate(FIELD_NAMES)}
_INDEXED = re.compile(r"^(\w+)\[(\d+)\]$")


def split_field(field: str) -> tuple[str, int | None]:
    """("phonenumbers", 1) for "phonenumbers[1]"; (field, None) for a plain field name."""
    match = _INDEXED.match(field)
    if match:
        return match.group(1), int(match.group(2))
    return field, None


def item_label(field: str) -> str:
    """How people read a field name: "phonenumbers #1" for "phonenumbers[0]" (lists count from 1 on screen and in
    `check`'s lines; `name[i]` from 0 stays the JSON's field scheme)."""
    base, index = split_field(field)
    return base if index is None else f"{base} #{index + 1}"


@dataclass(frozen=True)
class Validation:
    """Every finding for a draft, in field order (list elements in order, right after their list)."""

    problems: tuple[Finding, ...] = ()

    @property
    def errors(self) -> tuple[Finding, ...]:
        return tuple(p for p in self.problems if p.level == "error")

    @property
    def warnings(self) -> tuple[Finding, ...]:
        return tuple(p for p in self.problems if p.level == "warning")

    @property
    def ok(self) -> bool:
        """No errors: the draft can be saved (warnings don't block)."""
        return not any(p.level == "error" for p in self.problems)

    def for_field(self, name: str) -> tuple[Finding, ...]:
        """Findings of `name` itself, and of its elements when it is a list ("phonenumbers" → also [i])."""
        prefix = name + "["
        return tuple(p for p in self.problems if p.field == name or p.field.startswith(prefix))

    @property
    def fixes(self) -> tuple[Finding, ...]:
        return tuple(p for p in self.problems if p.fix_action is not None)


def _ordered(findings: list[Finding]) -> tuple[Finding, ...]:
    def key(item: tuple[int, Finding]) -> tuple[int, int, int]:
        position, finding = item
        base, index = split_field(finding.field)
        return (_FIELD_RANK.get(base, len(_FIELD_RANK)), -1 if index is None else index, position)

    return tuple(f for _, f in sorted(enumerate(findings), key=key))


def _field_findings(draft: CredentialDraft, name: str, default_region: str, files: bool) -> list[Finding]:
    if name == "accountsid":
        return check_accountsid(draft.accountsid)
    if name == "authtoken":
        return check_authtoken(draft.authtoken, token_on_server=draft.token_on_server)
    if name == "phonenumbers":
        return check_phonenumbers(draft.phonenumbers, default_region)
    if name == "whitelistedcallers":
        return check_whitelistedcallers(draft.whitelistedcallers, default_region)
    if name == "maxcallseconds":
        return check_maxcallseconds(draft.maxcallseconds)
    if name == "holdstrategy":
        return [f for f in check_holdstrategy(draft) if f.field == "holdstrategy"]
    if name in HOLD_FIELDS:
        found = [f for f in check_holdstrategy(draft) if f.field == name]
        if name in fields_used(draft.holdstrategy):  # an ignored field's content does not block the save
            if name == "holdtext":
                found += check_holdtext(draft.holdtext, draft.holdvoice)
            elif name == "holdvoice":
                found += check_holdvoice(draft.holdvoice, draft.holdtext)
            elif name == "holdaudio":
                found += check_holdaudio(draft.holdaudio, files=files)
            else:
                found += check_holdmusic(draft.holdmusic, files=files)
        return found
    raise ValueError(f"{name!r} is not a twilio-voice field (fields: {', '.join(FIELD_NAMES)})")


def validate(draft: CredentialDraft, *, default_region: str = "US", files: bool = True) -> Validation:
    """Every rule over the whole draft. `files=False` never touches the disk: local hold files are judged
    from an earlier probe if there was one (the form can probe in a worker and validate again)."""
    findings: list[Finding] = []
    findings += check_accountsid(draft.accountsid)
    findings += check_authtoken(draft.authtoken, token_on_server=draft.token_on_server)
    findings += check_phonenumbers(draft.phonenumbers, default_region)
    findings += check_whitelistedcallers(draft.whitelistedcallers, default_region)
    findings += check_maxcallseconds(draft.maxcallseconds)
    findings += check_holdstrategy(draft)
    used = fields_used(draft.holdstrategy)
    if "holdtext" in used:
        findings += check_holdtext(draft.holdtext, draft.holdvoice)
    if "holdvoice" in used:
        findings += check_holdvoice(draft.holdvoice, draft.holdtext)
    if "holdaudio" in used:
        findings += check_holdaudio(draft.holdaudio, files=files)
    if "holdmusic" in used:
        findings += check_holdmusic(draft.holdmusic, files=files)
    return Validation(_ordered(findings))


def validate_field(draft: CredentialDraft, name: str, *, default_region: str = "US", files: bool = True) -> Validation:
    """The findings of one field (its elements included), cross-field ones too: what to show beside it
    after a keystroke. `name` may be "phonenumbers[2]" (then that element's findings)."""
    base, index = split_field(name)
    found = _field_findings(draft, base, default_region, files)
    if index is not None:
        found = [f for f in found if f.field == name]
    return Validation(_ordered(found))
