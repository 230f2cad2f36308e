"""The credential itself: the field rules (the same ones the form and `wiro-voice check` use), the whitelist,
and the hold: text length, and the files the strategy plays as they really are.
"""

from __future__ import annotations

import re

from ..credential.draft import CredentialDraft
from ..credential.rules import (
    ADD,
    SPOKEN_WARNING_SECONDS,
    fields_used,
    split_field,
    validate,
)
from ..credential.ssml import summarize
from ..twilio.callerid import to_e164, whitelist_forms, withheld_word
from .evidence import Evidence, HoldFile
from .findings import Finding
from .text import plural, quote, short

FIELD_LABELS = {
    "accountsid": "Account SID", "authtoken": "Auth Token", "phonenumbers": "Phone numbers",
    "whitelistedcallers": "Whitelist", "maxcallseconds": "Max call seconds", "holdstrategy": "Hold strategy",
    "holdtext": "Hold text", "holdvoice": "Hold voice", "holdaudio": "Hold greeting", "holdmusic": "Hold music",
}
EDIT_HOW = "the Credentials screen (e) or your credential file (`wiro-voice save FILE`)"
GREETING_MAX_SECONDS = 15.0  # the seed's advice (5–15 s); callers hear only the first 5–8 s anyway
MUSIC_SECONDS = (30.0, 60.0)
_FIRST_PART = re.compile(r"(?<=[.:;])\s")


def check_credential(ev: Evidence) -> list[Finding]:
    """Every rule finding of the saved credential, except those the whitelist and hold checks tell better."""
    if ev.agent is None or (ev.agent.needs_setup and (ev.credential is None or ev.credential.is_empty)):
        return []  # the agent check already says: fill in the credential
    cred = ev.credential
    if cred is None or cred.is_empty:
        return [Finding("credential.missing", "error", "The agent has no Twilio credential",
                        "Without the Account SID, the Auth Token and the phone numbers Wiro cannot route any call "
                        "to the agent.", f"Fill it in on {EDIT_HOW}, then save.")]
    out: list[Finding] = []
    in_setup = ev.agent.needs_setup
    for problem in validate(CredentialDraft.from_credential(cred), files=False).problems:
        if _told_elsewhere(problem) or (in_setup and _missing_required(problem, cred)):
            continue
        base, index = split_field(problem.field)
        label = FIELD_LABELS.get(base, base) + (f" [{index + 1}]" if index is not None else "")
        first = _FIRST_PART.split(problem.message, maxsplit=1)[0].rstrip(".:;")
        title = f"{label}: {short(first, 80)}"
        how = f"{problem.fix_label[0].upper()}{problem.fix_label[1:]} (ctrl+f on the Credentials screen applies it)" \
            if problem.fix_label else "Correct it"
        out.append(Finding(f"credential.{problem.field}", problem.level, quote(title, 120), quote(problem.message, 600),
                           f"{how} on {EDIT_HOW}, then save."))
    return out


def _missing_required(problem, cred) -> bool:
    """A required field left empty: the setup finding (check_agent) already names it."""
    base, _ = split_field(problem.field)
    if base == "authtoken":
        return not cred.authtoken_set
    if base == "accountsid":
        return not (cred.accountsid or "").strip()
    if base == "phonenumbers":
        return not cred.phonenumbers
    return False


def _told_elsewhere(problem) -> bool:
    base, _ = split_field(problem.field)
    if base == "whitelistedcallers" and problem.level == "warning" and (problem.field == base or problem.fix_action == ADD):
        return True  # check_whitelist: the list is on, entries in one form only
    # check_hold: the text is too long to say
    return base == "holdtext" and problem.level == "warning" and "spoken" in problem.message.lower()


def check_whitelist(ev: Evidence) -> list[Finding]:
    """A non-empty whitelist turns every other caller away; an entry in one form misses callers in the other."""
    cred = ev.credential
    if cred is None:
        return []
    entries = [e.strip() for e in cred.whitelistedcallers if e and e.strip()]
    if not entries:
        return []
    shown = ", ".join(entries[:4]) + (f" and {len(entries) - 4} more" if len(entries) > 4 else "")
    out = [Finding("whitelist.on", "warning",
                   f"The whitelist is on: only {plural(len(entries), 'listed caller')} reach the agent",
                   f"whitelistedcallers holds {quote(shown, 300)}. Every other caller gets a busy signal — right "
                   "while testing, wrong in production.",
                   f"When testing is over, empty the whitelist on {EDIT_HOW} and save.")]
    groups: dict[str, list[str]] = {}
    for entry in entries:
        if withheld_word(entry) or entry.lower().startswith(("client:", "sip:", "sips:")):
            continue
        e164 = to_e164(entry)
        if e164:
            groups.setdefault(e164, []).append(entry)
    for e164, listed in groups.items():
        missing = [f for f in whitelist_forms(e164) if f not in listed]
        if not missing:
            continue
        have = " and ".join(listed)
        out.append(Finding(
            f"whitelist.one_form:{e164}", "warning", f"{have} is on the whitelist in one form only",
            f"Twilio may present this caller as {' or '.join(dict.fromkeys((*listed, *missing)))}; Wiro compares "
            f"exactly, so a call arriving as {' or '.join(missing)} gets a busy signal although the caller is "
            "whitelisted.",
            f"Add {' and '.join(missing)} too (Credentials → Whitelist) and save: the seed advises listing both "
            "forms while testing."))
    return out


def check_hold(ev: Evidence) -> list[Finding]:
    """The hold text's spoken length, and each hold file the strategy plays: missing, too big, stereo, too long."""
    cred = ev.credential
    if cred is None:
        return []
    out: list[Finding] = []
    used = fields_used(cred.holdstrategy or "none")
    text = (cred.holdtext or "").strip()
    if "holdtext" in used and text:
        seconds = summarize(text).seconds
        if seconds > SPOKEN_WARNING_SECONDS:
            then = " and the music starts only after it" if (cred.holdstrategy or "").endswith("music") else ""
            out.append(Finding("hold.text_long", "warning", f"The hold text takes about {seconds:.0f} s to say",
                               "Estimated at 15 characters a second plus breaks. The agent usually connects in "
                               f"5–8 s, so callers are cut off mid-sentence{then}.",
                               "Shorten it to one sentence (5–8 s) on the Credentials screen; the Hold screen (h) "
                               "or `wiro-voice hold play` lets you hear it."))
    for item in ev.hold:
        out += _hold_file(item)
    return out


def _hold_file(item: HoldFile) -> list[Finding]:
    what = "greeting (holdaudio)" if item.field == "holdaudio" else "hold music (holdmusic)"
    upload = ("Export a mono MP3 or WAV under 10 MB and choose it on the Credentials screen (f3); saving "
              "uploads it.")
    if item.problem is not None:
        if item.problem_kind == "too_big":
            return [Finding(f"hold.too_big:{item.field}", "error", f"The {what} is over 10 MB",
                            f"{quote(item.problem, 400)}. Wiro refuses hold files over 10 MB.",
                            "Shorten it, make it mono, or export at a lower bitrate; then choose it again and save.")]
        return [Finding(f"hold.missing:{item.field}", "error", f"The {what} can't be played",
                        f"{quote(item.problem, 400)}. Callers hear silence where it should play.", upload)]
    info = item.info
    if info is None:
        return []
    out: list[Finding] = []
    if info.channels >= 2:
        layout = "stereo" if info.channels == 2 else f"{info.channels} channels"
        out.append(Finding(f"hold.stereo:{item.field}", "error", f"The {what} is {layout}",
                           f"{quote(item.label)}: {info.summary()}. Wiro needs mono hold files.",
                           "Make a mono copy (the Credentials screen writes one for a local file: ctrl+f; or "
                           "`ffmpeg -i in.mp3 -ac 1 mono.mp3`), choose it and save."))
    if item.field == "holdaudio" and info.duration > GREETING_MAX_SECONDS:
        out.append(Finding("hold.too_long:holdaudio", "warning",
                           f"The greeting lasts {info.duration:.0f} s: longer than the connect window",
                           f"{quote(item.label)} lasts {info.duration:.1f} s, but the agent answers after ~5–8 s and "
                           "cuts it off.", "Trim it to 5–15 s (what fits in 8 s is heard in full) and upload it again."))
    if item.field == "holdmusic" and not MUSIC_SECONDS[0] <= info.duration <= MUSIC_SECONDS[1]:
        short = info.duration < MUSIC_SECONDS[0]
        out.append(Finding("hold.music_length", "info", f"The hold music loop is {info.duration:.0f} s",
                           f"{quote(item.label)} lasts {info.duration:.1f} s; 30–60 s is the sweet spot"
                           + (": a short loop repeats audibly if the wait is long." if short
                              else ": callers rarely hear more than the first seconds."),
                           "Nothing urgent: a 30–60 s loop sounds best."))
    return out
