"""The twilio-voice field rules, with the seed's examples and the traps people fall into."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tui.credential import probes
from tui.credential.draft import CredentialDraft
from tui.credential.fixes import apply_fix, describe_fix, write_mono_copy
from tui.credential.rules import (
    ADD,
    MONO_COPY,
    REMOVE,
    Finding,
    check_accountsid,
    check_authtoken,
    check_holdaudio,
    check_holdmusic,
    check_holdstrategy,
    check_holdtext,
    check_holdvoice,
    check_maxcallseconds,
    check_phonenumbers,
    check_whitelistedcallers,
    fields_used,
    validate,
    validate_field,
)
from tui.hold import probe as probe_module

from .credential_audio import write_mp3, write_wav

SID = "AC0123456789abcdef0123456789abcdef"
TOKEN = "9e107d9d372bb6826bd81d3542a419d6"
SECRET_LIKE = "Xq7RkP2vLm9TzW4hN8cJ3sB6fY1gD5aE"  # 32 mixed-case alphanumerics, like an API Key Secret


def levels(findings) -> list[tuple[str, str]]:
    return [(f.level, f.field) for f in findings]


def only(findings, level: str = "error") -> Finding:
    chosen = [f for f in findings if f.level == level]
    assert len(chosen) == 1, findings
    return chosen[0]


@pytest.fixture(autouse=True)
def _fresh_probe_cache():
    probes.clear_probe_cache()
    yield
    probes.clear_probe_cache()


# -- accountsid ---------------------------------------------------------------------------------------------


def test_a_good_account_sid_passes_and_surrounding_spaces_are_fine():
    assert check_accountsid(SID) == []
    assert check_accountsid(f"  {SID}\n") == []  # trimmed when saved


def test_an_empty_sid_is_required_and_says_where_to_find_it():
    finding = only(check_accountsid(""))
    assert "Required" in finding.message and "Live credentials" in finding.message


def test_an_api_key_sid_gets_its_own_message():
    finding = only(check_accountsid("SK" + "0123456789abcdef" * 2))
    assert "API Key SID" in finding.message and "not the Account SID" in finding.message
    assert "Live credentials at the top" in finding.message


def test_a_33_character_sid_says_how_long_it_is():
    finding = only(check_accountsid(SID[:-1]))
    assert "33 characters" in finding.message and "34" in finding.message


def test_other_sid_kinds_and_a_pasted_token_are_named():
    assert "phone number SID" in only(check_accountsid("PN" + SID[2:])).message
    finding = only(check_accountsid(TOKEN))
    assert "Auth Token" in finding.message and TOKEN not in finding.message


def test_a_sid_with_inner_spaces_offers_the_squeezed_value():
    finding = only(check_accountsid(SID[:10] + " " + SID[10:]))
    assert finding.fix == SID and finding.fix_action == "replace"


def test_lowercase_prefix_and_a_non_hex_character():
    assert only(check_accountsid("ac" + SID[2:])).fix == SID
    finding = only(check_accountsid(SID[:20] + "g" + SID[21:]))
    assert "Character 21" in finding.message and "'g'" in finding.message


# -- authtoken ---------------------------------------------------------------------------------------------


def test_a_token_is_required_on_the_first_save_only():
    assert "Required for the first save" in only(check_authtoken(None)).message
    assert only(check_authtoken("   ")).level == "error"
    assert check_authtoken(None, token_on_server=True) == []
    assert check_authtoken("", token_on_server=True) == []


def test_a_good_token_passes_even_with_spaces_around_it():
    assert check_authtoken(TOKEN) == []
    assert check_authtoken(f"  {TOKEN}\n") == []


def test_a_token_with_spaces_inside_is_an_error():
    finding = only(check_authtoken(TOKEN[:16] + " " + TOKEN[16:]))
    assert "spaces" in finding.message


def test_a_token_of_the_wrong_length_and_a_key_sid_in_the_token_field():
    assert "31 characters" in only(check_authtoken(TOKEN[:-1])).message
    assert "API Key SID" in only(check_authtoken("SK" + TOKEN)).message
    assert "Account SID" in only(check_authtoken(SID)).message


def test_a_non_hex_token_looks_like_an_api_key_secret():
    finding = only(check_authtoken(SECRET_LIKE), "warning")
    assert "API Key Secret" in finding.message and "signature" in finding.message


def test_the_mask_is_never_a_token():
    assert only(check_authtoken("***encrypted***", token_on_server=True), "warning").field == "authtoken"
    assert only(check_authtoken("***encrypted***")).level == "error"


@pytest.mark.parametrize("token", [TOKEN, SECRET_LIKE, TOKEN[:-1], TOKEN[:16] + " " + TOKEN[16:], "SK" + TOKEN])
def test_no_message_ever_quotes_the_token(token):
    for finding in check_authtoken(token):
        assert token.strip() not in finding.message and finding.fix is None
        for part in token.split():
            assert part not in finding.message


# -- phonenumbers -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("number", ["+14155551234", "+447911123456", "+905551234567", "+5511955256325"])
def test_the_seeds_examples_are_valid(number):
    assert check_phonenumbers([number]) == []


def test_at_least_one_number():
    assert levels(check_phonenumbers([])) == [("error", "phonenumbers")]
    assert ("error", "phonenumbers") in levels(check_phonenumbers(["  "]))


@pytest.mark.parametrize("typed, e164", [
    ("+1 (415) 555-1234", "+14155551234"),
    ("00 44 7911 123456", "+447911123456"),
    ("(415) 555-1234", "+14155551234"),
    ("4155551234", "+14155551234"),
    ("+0044 7911 123456", "+447911123456"),
    (" +14155551234", "+14155551234"),
])
def test_unambiguous_forms_are_errors_that_offer_the_e164_form(typed, e164):
    finding = only(check_phonenumbers([typed]))
    assert finding.field == "phonenumbers[0]" and finding.fix == e164 and finding.fix_action == "replace"
    assert e164 in finding.message


def test_a_national_number_is_read_with_the_default_region():
    assert only(check_phonenumbers(["07911 123456"], default_region="GB")).fix == "+447911123456"
    finding = only(check_phonenumbers(["07911 123456"]))  # not a US number
    assert finding.fix is None


def test_sixteen_digits_is_too_many():
    finding = only(check_phonenumbers(["+1234567890123456"]))
    assert "16 digits" in finding.message and "at most 15" in finding.message and finding.fix is None


def test_a_leading_zero_after_the_plus():
    finding = only(check_phonenumbers(["+04412345678"]))
    assert "never starts with 0" in finding.message


def test_impossible_is_an_error_and_possible_but_not_valid_a_warning():
    assert "too short" in only(check_phonenumbers(["+1415555123"])).message
    assert "+999" in only(check_phonenumbers(["+999123456"])).message
    warning = only(check_phonenumbers(["+447700900123"]), "warning")  # Ofcom's drama range
    assert warning.field == "phonenumbers[0]" and "typo" in warning.message


def test_duplicates_are_errors_that_offer_removal():
    findings = check_phonenumbers(["+14155551234", "+14155550142", "+14155551234"])
    finding = only(findings)
    assert finding.field == "phonenumbers[2]" and finding.fix_action == REMOVE
    # the text counts from 1, as the list on screen and `check`'s lines do; the field keeps the JSON's index
    assert "same number as #1" in finding.message and "phonenumbers[0]" not in finding.message
    # the same number written two ways is a duplicate too
    assert any(f.fix_action == REMOVE for f in check_phonenumbers(["+14155551234", "+1 415 555 1234"]))


def test_an_extension_is_dropped_from_the_suggestion():
    finding = only(check_phonenumbers(["+1 415 555 1234 ext. 12"]))
    assert finding.fix == "+14155551234" and "extension" in finding.message


# -- whitelistedcallers ----------------------------------------------------------------------------------


def test_an_empty_whitelist_lets_everyone_in():
    assert check_whitelistedcallers([]) == []


def test_a_non_empty_whitelist_warns_about_the_busy_signal():
    finding = only(check_whitelistedcallers(["+14155551234"]), "warning")
    assert finding.field == "whitelistedcallers" and "busy signal" in finding.message


def test_digits_only_is_allowed_with_a_warning_that_adds_the_e164_twin():
    draft = CredentialDraft(whitelistedcallers=("4155551234", "+13105550000"))
    finding = next(f for f in check_whitelistedcallers(draft.whitelistedcallers) if f.field == "whitelistedcallers[0]")
    assert finding.level == "warning" and finding.fix == "+14155551234" and finding.fix_action == ADD
    assert "both forms" in finding.message
    fixed = apply_fix(draft, finding)
    assert fixed.whitelistedcallers == ("4155551234", "+14155551234", "+13105550000")
    assert [f.field for f in check_whitelistedcallers(fixed.whitelistedcallers)] == ["whitelistedcallers"]


@pytest.mark.parametrize("sentinel, name", [
    ("+266696687", "ANONYMOUS"), ("+7378742833", "RESTRICTED"), ("+86282452253", "UNAVAILABLE"),
    ("+8656696", "UNKNOWN"), ("+2562533", "BLOCKED"), ("+1266696687", "ANONYMOUS"), ("266696687", "ANONYMOUS"),
    ("anonymous", "ANONYMOUS"),
])
def test_withheld_caller_sentinels_are_warnings(sentinel, name):
    findings = [f for f in check_whitelistedcallers([sentinel]) if f.field == "whitelistedcallers[0]"]
    assert [f.level for f in findings] == ["warning"]
    assert "withheld" in findings[0].message and name in findings[0].message


def test_whitelist_entries_are_parsed_like_numbers():
    findings = check_whitelistedcallers(["+1 (415) 555-1234", "12345", "+14155551234"])
    by_field = {f.field: f for f in findings if f.field != "whitelistedcallers"}
    assert by_field["whitelistedcallers[0]"].fix == "+14155551234"
    assert by_field["whitelistedcallers[1]"].level == "error"  # digits only, but no number
    assert by_field["whitelistedcallers[2]"].fix_action == REMOVE  # the same as [0]


# -- maxcallseconds --------------------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["600", "30", "14400", " 900 ", "", 600])
def test_good_max_call_seconds(text):
    assert check_maxcallseconds(text) == []


@pytest.mark.parametrize("text, fix", [("0", "600"), ("-5", None), ("abc", None), ("10.5", "10"), ("10m", "600"),
                                       ("90s", "90"), ("99999999999", "14400"), ("1e3", "1000")])
def test_bad_max_call_seconds(text, fix):
    finding = only(check_maxcallseconds(text))
    assert finding.fix == fix


@pytest.mark.parametrize("text, fragment", [("29", "29 s"), ("1", "1 s"), ("14401", "4 hours")])
def test_max_call_seconds_warnings(text, fragment):
    assert fragment in only(check_maxcallseconds(text), "warning").message


# -- holdstrategy ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("strategy, needed", [
    ("none", []), ("text", ["holdtext"]), ("audio", ["holdaudio"]), ("music", ["holdmusic"]),
    ("audio_then_music", ["holdaudio", "holdmusic"]), ("text_then_music", ["holdtext", "holdmusic"]),
])
def test_each_strategy_requires_what_it_plays(strategy, needed):
    findings = check_holdstrategy(CredentialDraft(holdstrategy=strategy))
    assert levels(findings) == [("error", name) for name in needed]
    assert all(f"`{strategy}`" in f.message for f in findings)


def test_text_then_music_without_music():
    draft = CredentialDraft(holdstrategy="text_then_music", holdtext="Please hold.")
    finding = only(check_holdstrategy(draft))
    assert finding.field == "holdmusic" and "required with `text_then_music`" in finding.message


def test_ignored_fields_are_warned_about():
    draft = CredentialDraft(holdstrategy="music", holdmusic="https://example.com/m.mp3", holdtext="Hello",
                            holdvoice="Polly.Joanna-Neural")
    findings = check_holdstrategy(draft)
    assert levels(findings) == [("warning", "holdtext"), ("warning", "holdvoice")]
    assert findings[0].message.startswith("holdtext is ignored with `music`")


def test_an_unknown_strategy_offers_the_spelling_it_resembles():
    assert only(check_holdstrategy(CredentialDraft(holdstrategy="Text Then Music"))).fix == "text_then_music"
    assert only(check_holdstrategy(CredentialDraft(holdstrategy="text+music"))).fix is None
    finding = only(check_holdstrategy(CredentialDraft(holdstrategy="ringtone")))
    assert "none, text, audio, music, audio_then_music, text_then_music" in finding.message


def test_no_strategy_with_hold_fields_suggests_one():
    draft = CredentialDraft(holdtext="Hi", holdmusic="https://example.com/m.mp3")
    finding = only(check_holdstrategy(draft), "warning")
    assert finding.field == "holdstrategy" and finding.fix == "text_then_music"
    assert apply_fix(draft, finding).holdstrategy == "text_then_music"


def test_fields_used():
    assert fields_used("text") == ("holdtext", "holdvoice")
    assert fields_used("audio_then_music") == ("holdaudio", "holdmusic")
    assert fields_used("") == () and fields_used("none") == ()
    assert fields_used("bogus") == ("holdtext", "holdvoice", "holdaudio", "holdmusic")


# -- holdtext and holdvoice ------------------------------------------------------------------------------


def test_the_seeds_hold_text_is_fine():
    assert check_holdtext("Please hold while we connect you to our assistant.", "Polly.Joanna-Neural") == []


def test_3000_characters_pass_and_3001_do_not():
    assert not [f for f in check_holdtext("a" * 3000) if f.level == "error"]
    finding = only(check_holdtext("a" * 3001))
    assert "3001/3000" in finding.message


def test_tags_are_not_counted_against_the_cap():
    text = "<s>" + "a" * 2990 + '</s><break time="1s"/>'
    assert len(text) > 3000
    assert not [f for f in check_holdtext(text) if f.level == "error"]


def test_broken_ssml_is_an_error_with_its_position():
    finding = only(check_holdtext("Please hold.\nOne <prosody rate='slow'>moment</s>"))
    assert "line 2, column" in finding.message and "<prosody>" in finding.message
    assert "&amp;" in only(check_holdtext("Smith & Jones <s>will answer</s>")).message


def test_an_unknown_tag_is_a_warning_and_allowed_tags_are_silent():
    finding = only(check_holdtext("Hello <amazon:effect name='whispered'>there</amazon:effect>"), "warning")
    assert "<amazon:effect>" in finding.message and "13520" in finding.message
    text = ('<p><s>Hello <w>there</w>, <say-as interpret-as="digits">12</say-as> <sub alias="W three C">W3C</sub> '
            '<phoneme alphabet="ipa" ph="x">y</phoneme> <prosody rate="fast">quick</prosody> '
            '<lang xml:lang="en-GB">hi</lang><break/> <emphasis>now</emphasis></s></p>')
    assert check_holdtext(text) == []


def test_spoken_time_above_8_seconds_is_a_warning():
    assert check_holdtext("Hello there." + '<break time="6s"/>') == []
    finding = only(check_holdtext("Hello there." + '<break time="8s"/>'), "warning")
    assert "About 9 s spoken" in finding.message
    assert only(check_holdtext("word " * 30), "warning").message.startswith("About 10 s")


def test_emphasis_with_a_polly_voice_and_a_text_with_no_words():
    assert "ignore <emphasis>" in only(check_holdtext("<emphasis>Hi</emphasis>", "Polly.Joanna-Neural"), "warning").message
    assert check_holdtext("<emphasis>Hi</emphasis>", "Google.en-US-Chirp3-HD-Aoede") == []
    assert "no words" in only(check_holdtext('<break time="1s"/>'), "warning").message


def test_voices():
    assert check_holdvoice("") == []
    assert check_holdvoice("Polly.Joanna-Neural") == []
    assert check_holdvoice("Polly.Mía-Generative") == []
    finding = only(check_holdvoice("polly.mia-generative"), "warning")
    assert finding.fix == "Polly.Mía-Generative"
    unknown = only(check_holdvoice("Polly.Nobody-Neural"), "warning")
    assert unknown.fix is None and "20 voices" in unknown.message
    assert only(check_holdvoice(" Polly.Joanna-Neural")).fix == "Polly.Joanna-Neural"


def test_a_lang_tag_in_another_language_than_the_voice():
    text = 'Hello, <lang xml:lang="fr-FR">bonjour</lang> and <lang xml:lang="en-GB">cheerio</lang>.'
    finding = only(check_holdvoice("Polly.Joanna-Neural", text), "warning")
    assert "fr-FR" in finding.message and "en-US" in finding.message
    assert check_holdvoice("Polly.Lea-Neural", '<lang xml:lang="fr-CA">allô</lang>') == []


# -- holdaudio and holdmusic -----------------------------------------------------------------------------


def test_urls_are_accepted_without_network():
    assert check_holdmusic("https://cdn.wiro.ai/uploads/abc/music.mp3") == []
    assert "13420" in only(check_holdmusic("https://example.com/stream?id=4"), "warning").message
    assert only(check_holdmusic("ftp://example.com/m.mp3")).level == "error"
    assert only(check_holdmusic("https://")).level == "error"


def test_a_file_url_offers_the_path(tmp_path):
    assert only(check_holdaudio(f"file://{tmp_path}/a.wav")).fix == f"{tmp_path}/a.wav"


def test_a_mono_wav_of_the_right_length_passes(tmp_path):
    assert check_holdaudio(str(write_wav(tmp_path / "greeting.wav", 10))) == []
    assert check_holdmusic(str(write_wav(tmp_path / "music.wav", 40))) == []


def test_a_missing_file_a_folder_a_device_and_a_nul(tmp_path):
    assert "does not exist" in only(check_holdaudio(str(tmp_path / "nope.wav"))).message
    assert "is a folder" in only(check_holdaudio(str(tmp_path))).message
    assert "not a regular file" in only(check_holdaudio("/dev/null")).message
    assert "NUL" in only(check_holdaudio("a\x00b.wav")).message
    assert "home folder" in only(check_holdaudio("~no-such-user-here/x.wav")).message


def test_a_stereo_wav_is_an_error_whose_fix_writes_a_mono_copy(tmp_path):
    path = write_wav(tmp_path / "greeting.wav", 8, channels=2)
    finding = only(check_holdaudio(str(path)))
    assert "stereo" in finding.message and finding.fix_action == MONO_COPY
    assert finding.fix == str(tmp_path / "greeting-mono.wav")
    before = CredentialDraft(holdstrategy="audio", holdaudio=str(path))
    assert apply_fix(before, finding) is before  # the pure fix writes no file
    draft = write_mono_copy(before, finding)
    assert draft.holdaudio == str(tmp_path / "greeting-mono.wav")
    assert describe_fix(before, draft, finding).startswith("greeting: greeting.wav → greeting-mono.wav (in ")
    assert probe_module.probe(draft.holdaudio).channels == 1
    assert check_holdaudio(draft.holdaudio) == []


def test_a_text_file_named_mp3_is_not_audio(tmp_path):
    path = tmp_path / "music.mp3"
    path.write_text("this is not music\n" * 50)
    finding = only(check_holdmusic(str(path)))
    assert "not MP3 or WAV" in finding.message


def test_an_11_mb_file_is_too_big(tmp_path):
    path = tmp_path / "music.wav"
    with open(path, "wb") as f:
        f.truncate(11 * 1024 * 1024)
    finding = only(check_holdmusic(str(path)))
    assert "11.0 MB" in finding.message and "limit is 10.0 MB" in finding.message


@pytest.mark.parametrize("field, seconds, fragment", [
    ("holdaudio", 2, "2.0 s; 5–15 s"), ("holdaudio", 20, "20 s; 5–15 s"),
    ("holdmusic", 10, "10.0 s; 30–60 s"), ("holdmusic", 90, "90 s; 30–60 s"),
])
def test_duration_advice(tmp_path, field, seconds, fragment):
    path = write_wav(tmp_path / "x.wav", seconds)
    check = check_holdaudio if field == "holdaudio" else check_holdmusic
    assert fragment in only(check(str(path)), "warning").message


def test_an_mp3_is_probed_by_its_content(tmp_path):
    path = write_mp3(tmp_path / "loop.mp3", 40)
    if path is None:
        pytest.skip("ffmpeg is not installed")
    assert check_holdmusic(str(path)) == []
    renamed = path.rename(tmp_path / "loop.wav")  # the name says WAV; the content is still MP3
    assert check_holdmusic(str(renamed)) == []


def test_a_file_is_probed_once_until_it_changes(tmp_path, monkeypatch):
    path = write_wav(tmp_path / "music.wav", 40)
    calls = []
    real = probe_module.probe
    monkeypatch.setattr(probe_module, "probe", lambda p, **kw: calls.append(p) or real(p, **kw))
    draft = CredentialDraft(accountsid=SID, authtoken=TOKEN, phonenumbers=("+14155551234",), holdstrategy="music",
                            holdmusic=str(path))
    for _ in range(50):
        assert validate(draft).ok
    assert len(calls) == 1
    write_wav(path, 20)  # changed: size and mtime differ
    os.utime(path, ns=(os.stat(path).st_atime_ns, os.stat(path).st_mtime_ns + 10**9))
    assert "20.0 s" in validate(draft).for_field("holdmusic")[0].message
    assert len(calls) == 2


def test_files_false_never_touches_the_disk(tmp_path, monkeypatch):
    path = write_wav(tmp_path / "music.wav", 40, channels=2)
    monkeypatch.setattr(probe_module, "probe", lambda *a, **k: pytest.fail("probed"))
    draft = CredentialDraft(holdstrategy="music", holdmusic=str(path))
    assert validate(draft, files=False).for_field("holdmusic") == ()
    monkeypatch.undo()
    assert validate(draft).for_field("holdmusic")[0].fix_action == MONO_COPY  # probed now
    monkeypatch.setattr(probe_module, "probe", lambda *a, **k: pytest.fail("probed again"))
    assert validate(draft, files=False).for_field("holdmusic")[0].fix_action == MONO_COPY  # from the cache


# -- the whole form ----------------------------------------------------------------------------------------


def seed_draft(**changes) -> CredentialDraft:
    """The seed's Detail example, as the form loads it (Wiro holds the token)."""
    base = CredentialDraft(accountsid=SID, phonenumbers=("+14155551234",), maxcallseconds="600",
                           holdstrategy="text_then_music", holdtext="Please hold while we connect you to our assistant.",
                           holdvoice="Polly.Joanna-Neural", holdmusic="https://cdn.wiro.ai/uploads/x/music.mp3",
                           token_on_server=True)
    return base.replace(**changes)


def test_the_seeds_credential_is_valid():
    validation = validate(seed_draft())
    assert validation.ok and validation.problems == ()


def test_validation_groups_and_orders_findings():
    draft = seed_draft(accountsid="SK" + SID[2:], phonenumbers=("4155551234", "+14155550142", "+14155550142"),
                       whitelistedcallers=("4155551234",), holdmusic="")
    validation = validate(draft)
    assert not validation.ok
    assert [f.field for f in validation.errors] == ["accountsid", "phonenumbers[0]", "phonenumbers[2]", "holdmusic"]
    assert [f.field for f in validation.for_field("phonenumbers")] == ["phonenumbers[0]", "phonenumbers[2]"]
    assert [f.field for f in validation.for_field("whitelistedcallers")] == ["whitelistedcallers", "whitelistedcallers[0]"]
    assert {f.fix_action for f in validation.fixes} == {"replace", "remove", "add"}


def test_an_ignored_field_does_not_block_saving(tmp_path):
    stereo = write_wav(tmp_path / "s.wav", 3, channels=2)
    validation = validate(seed_draft(holdstrategy="text", holdmusic=str(stereo)))
    assert validation.ok
    assert [(f.level, f.field) for f in validation.problems] == [("warning", "holdmusic")]


@pytest.mark.parametrize("name", ["accountsid", "authtoken", "phonenumbers", "whitelistedcallers", "maxcallseconds",
                                  "holdstrategy", "holdtext", "holdvoice", "holdaudio", "holdmusic"])
def test_validate_field_is_the_whole_forms_findings_for_that_field(name, tmp_path):
    draft = CredentialDraft(accountsid="SK1", authtoken=SECRET_LIKE, phonenumbers=("4155551234", "+1415"),
                            whitelistedcallers=("+266696687",), maxcallseconds="5", holdstrategy="audio_then_music",
                            holdtext="<b>", holdvoice="Polly.X", holdaudio=str(write_wav(tmp_path / "a.wav", 1, channels=2)))
    assert validate_field(draft, name) == type(validate(draft))(validate(draft).for_field(name))
    assert validate_field(draft, "phonenumbers[1]").problems == tuple(
        f for f in validate(draft).problems if f.field == "phonenumbers[1]")


def test_apply_fix_replaces_removes_and_leaves_the_token_alone():
    draft = seed_draft(phonenumbers=("+1 415 555 1234", "+14155550142", "+14155550142"))
    findings = validate(draft).for_field("phonenumbers")
    fixed = apply_fix(apply_fix(draft, findings[0]), findings[1])
    assert fixed.phonenumbers == ("+14155551234", "+14155550142")
    assert apply_fix(draft, Finding("error", "x", "authtoken", "y", "replace")) is draft
    assert apply_fix(draft, Finding("error", "x", "accountsid")) is draft


def test_each_fix_says_what_it_changed():
    draft = seed_draft(phonenumbers=("+1 (415) 555-0142", "+14155550173", "+14155550173"),
                       whitelistedcallers=("4155550100",))
    findings = {f.field: f for f in validate(draft).problems if f.fix_action}
    first = apply_fix(draft, findings["phonenumbers[0]"])
    assert first.phonenumbers == ("+14155550142", "+14155550173", "+14155550173")
    assert describe_fix(draft, first, findings["phonenumbers[0]"]) == "phone number #1: +1 (415) 555-0142 → +14155550142"
    removed = apply_fix(draft, findings["phonenumbers[2]"])
    assert removed.phonenumbers == draft.phonenumbers[:2]
    assert describe_fix(draft, removed, findings["phonenumbers[2]"]) == "phone number #3: removed +14155550173"
    added = apply_fix(draft, findings["whitelistedcallers[0]"])
    assert added.whitelistedcallers == ("4155550100", "+14155550100")
    assert describe_fix(draft, added, findings["whitelistedcallers[0]"]) == "whitelist: added +14155550100 after 4155550100"
    # each fix touches its own element only: the rest of the draft is as it was
    assert added.phonenumbers == draft.phonenumbers and removed.whitelistedcallers == draft.whitelistedcallers
    assert describe_fix(draft, draft, findings["phonenumbers[0]"]) == ""


def test_a_finding_is_a_problem():
    from tui.problems import Problem

    finding = only(check_accountsid(""))
    assert isinstance(finding, Problem) and finding.blocks


def test_the_rules_module_is_light(tmp_path):
    # the rules load Textual-free and without audio libraries (probing a WAV needs none)
    import json
    import subprocess
    import sys

    code = ("import sys, json; import tui.credential.rules, tui.cli.credential, tui.credential.save; "
            "print(json.dumps(sorted(sys.modules)))")
    loaded = set(json.loads(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                                           cwd=Path(__file__).resolve().parents[2]).stdout))
    assert not loaded & {"textual", "numpy", "pydub", "sounddevice", "miniaudio"}
