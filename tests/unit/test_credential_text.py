"""SSML parsing, phone-number parsing and list splitting, and the voice table."""

from __future__ import annotations

import pytest

from tui.credential.phones import check_number, split_list, withheld_name
from tui.credential.ssml import CHARS_PER_SECOND, parse_ssml, summarize
from tui.credential.voices import (
    SEED_VOICES,
    closest_name,
    language_of,
    load_voices,
    search,
    voice_by_name,
)

# -- SSML ---------------------------------------------------------------------------------------------------


def test_plain_text_is_counted_and_estimated_at_15_characters_a_second():
    text = "Please hold while we connect you to our assistant."
    info = summarize(text)
    assert not info.has_markup and info.error is None
    assert info.characters == len(text)
    assert info.seconds == pytest.approx(len(text) / CHARS_PER_SECOND)


def test_a_lone_less_than_is_not_markup():
    assert not parse_ssml("if x < 5 we wait").has_markup


def test_tags_are_not_counted_and_breaks_are_added():
    info = parse_ssml('Hello <break time="1500ms"/> <s>world</s> <break strength="strong"/><break/>')
    assert info.plain_text == "Hello  world "
    assert info.break_seconds == pytest.approx(1.5 + 0.75 + 0.4)
    assert [t.name for t in info.tags] == ["break", "s", "break", "break"]


def test_rate_spelling_and_sub_change_the_estimate():
    normal = parse_ssml("<s>abcdefghijklmno</s>").seconds
    assert parse_ssml('<prosody rate="50%">abcdefghijklmno</prosody>').seconds == pytest.approx(2 * normal)
    assert parse_ssml('<say-as interpret-as="digits">4155551234</say-as>').seconds == pytest.approx(10 / 4)
    sub = parse_ssml('<sub alias="World Wide Web Consortium">W3C</sub>')
    assert sub.characters == 3 and sub.seconds == pytest.approx(len("World Wide Web Consortium") / CHARS_PER_SECOND)


def test_lang_tags_are_collected_with_their_position():
    info = parse_ssml('Hi\n<lang xml:lang="fr-FR">bonjour</lang>')
    assert [(lang, str(pos)) for lang, pos in info.languages] == [("fr-FR", "line 2, column 1")]
    assert "needs a language" in parse_ssml("<lang>x</lang>").notes[0].message


@pytest.mark.parametrize("text, position, fragment", [
    ("Hi <s>unclosed", "line 1, column 4", "<s> is never closed"),
    ("Hello</s>", "line 1, column 6", "never opened"),
    ("<s>a</p></s>", "line 1, column 5", "</p> does not match the open <s>"),
    ("çok güzel\n  <s>x</p>", "line 2, column 7", "</p> does not match"),
    ("a & b <s>x</s>", "line 1, column 3", "&amp;"),
    ("x < 5 and <s>y</s>", "line 1, column 3", "&lt;"),
    ("text <b", "line 1, column 8", "ends inside a tag"),
    ("&nbsp; <s/>", "line 1, column 1", "not an XML entity"),
    ("<s a='1' a='2'/>", "line 1", "same attribute twice"),
])
def test_broken_markup_is_located_in_the_users_own_text(text, position, fragment):
    error = parse_ssml(text).error
    assert error is not None and str(error.position).startswith(position) and fragment in error.message


def test_bad_attributes_become_notes():
    assert "not a duration" in parse_ssml('<break time="2 sec"/>').notes[0].message
    long = parse_ssml('<break time="20s"/>')
    assert long.break_seconds == 10 and "10 s" in long.notes[0].message
    assert "not a rate" in parse_ssml('<prosody rate="zoom">x</prosody>').notes[0].message


def test_entity_expansion_is_not_an_attack_surface():
    bomb = '<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa">]><s>&a;</s>'
    assert parse_ssml(bomb).error is not None  # a DOCTYPE inside the text is not well-formed


# -- phone numbers -------------------------------------------------------------------------------------------


def test_check_number_reports_strictness_possibility_and_validity():
    strict = check_number("+14155551234")
    assert strict.strict and strict.possible and strict.valid and strict.region == "US"
    loose = check_number("+1 (415) 555-1234")
    assert not loose.strict and loose.e164 == "+14155551234"
    assert not check_number("+٤١٥٥٥٥١٢٣٤").strict  # digits of another script are not E.164 digits
    assert check_number("+447700900123").possible and not check_number("+447700900123").valid


def test_withheld_spellings():
    assert withheld_name("+266696687") == "ANONYMOUS"
    assert withheld_name("+1 737 874 2833") == "RESTRICTED"
    assert withheld_name("Unavailable") == "UNAVAILABLE"
    assert withheld_name("+14155551234") is None


@pytest.mark.parametrize("text, expected", [
    ("+1 (415) 555-1234", ["+1 (415) 555-1234"]),
    ("+1 (415) 555-1234, +44 7911 123456\n4155559876", ["+1 (415) 555-1234", "+44 7911 123456", "4155559876"]),
    ("+14155551234 +447911123456", ["+14155551234", "+447911123456"]),
    ("4155551234 4155559876", ["4155551234", "4155559876"]),
    ("415 555 1234", ["415 555 1234"]),
    ("00 44 7911 123456 00 90 555 123 45 67", ["00 44 7911 123456", "00 90 555 123 45 67"]),
    ("+14155551234;+14155550142\t+14155550163", ["+14155551234", "+14155550142", "+14155550163"]),
    (" , \n ,", []),
])
def test_split_list_keeps_numbers_written_with_spaces_together(text, expected):
    assert split_list(text) == expected


# -- voices --------------------------------------------------------------------------------------------------


def test_the_voice_table_ships_in_the_package():
    voices = load_voices()
    assert len(voices) == 319
    assert {v.engine for v in voices} == {"polly-neural", "polly-generative", "google-chirp3-hd"}
    assert all(voice_by_name(name) for name in SEED_VOICES)
    assert language_of("Polly.Burcu-Neural") == "tr-TR" and language_of("Polly.Lea-Neural") == "fr-FR"
    assert language_of("Nobody") is None


def test_the_accented_generative_voices():
    assert language_of("Polly.Mía-Generative") == "es-MX" and language_of("Polly.Rémi-Generative") == "fr-FR"
    assert closest_name("polly.remi-generative") == "Polly.Rémi-Generative"
    assert closest_name("Joanna") == "Polly.Joanna-Neural"
    assert closest_name("zzz") is None


def test_search_ranks_names_then_languages():
    assert search("Polly.Joanna-Neural")[0].name == "Polly.Joanna-Neural"
    assert search("joa")[0].name.startswith("Polly.Joanna")
    assert {v.name for v in search("mia")[:2]} == {"Polly.Mia-Neural", "Polly.Mía-Generative"}  # accents folded
    assert {v.language for v in search("tr-TR")} == {"tr-TR"}
    french = search("french")
    assert french and all(v.language.startswith("fr") for v in french)
    assert [v.name for v in search("")[:3]] == list(SEED_VOICES)
    assert search("", limit=5) == search("")[:5] and len(search("")) == 319
    assert search("no such voice at all") == []


def test_voice_labels():
    voice = voice_by_name("Google.tr-TR-Chirp3-HD-Aoede")
    assert voice.language_name == "Turkish (TR)" and voice.engine_label == "Google Chirp3-HD" and voice.person == "Aoede"
    assert voice_by_name("Polly.Mía-Generative").person == "Mía"
