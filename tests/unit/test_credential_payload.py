"""The draft, the CredentialUpsert fields it becomes, and credential files (JSON, TOML, Detail shapes)."""

from __future__ import annotations

import json

import pytest

from tui.credential.draft import CredentialDraft
from tui.credential.files import (
    CredentialFileError,
    load_credential_file,
    read_credential_file,
)
from tui.credential.payload import PayloadError, normalized, upsert_fields
from tui.wiro.models import TwilioVoiceCredential

SID = "AC0123456789abcdef0123456789abcdef"
TOKEN = "9e107d9d372bb6826bd81d3542a419d6"

# The seed's Detail example, exactly (the SID placeholder filled in).
SEED_DETAIL = {
    "_connected": True, "optional": False, "extra": False,
    "accountsid": SID, "authtoken": "***encrypted***",
    "phonenumbers": ["+14155551234"], "maxcallseconds": 600, "whitelistedcallers": [],
    "holdstrategy": "text_then_music", "holdtext": "Please hold while we connect you to our assistant.",
    "holdvoice": "Polly.Joanna-Neural", "holdaudio": None,
    "holdmusic": "https://cdn.wiro.ai/uploads/.../music.mp3",
}


def scalar(name, value):
    return {"credentialkey": "twilio-voice", "fieldname": name, "fieldvalue": value}


def element(parent, ordinal, value):
    return {"credentialkey": "twilio-voice", "parentfield": parent, "ordinal": ordinal, "fieldname": "value",
            "fieldvalue": value}


# -- the draft ----------------------------------------------------------------------------------------------


def test_from_credential_keeps_the_token_on_the_server():
    draft = CredentialDraft.from_credential(TwilioVoiceCredential.parse(SEED_DETAIL))
    assert draft.authtoken is None and draft.token_on_server
    assert draft.phonenumbers == ("+14155551234",) and draft.maxcallseconds == "600"
    assert draft.holdaudio == "" and draft.holdmusic.startswith("https://")
    assert CredentialDraft.from_credential(None) == CredentialDraft()
    empty = CredentialDraft.from_credential(TwilioVoiceCredential.parse({"maxcallseconds": None}))
    assert not empty.token_on_server and empty.maxcallseconds == "600"


def test_from_mapping_accepts_the_shapes_people_write():
    draft = CredentialDraft.from_mapping({
        "accountsid": SID, "authtoken": "***encrypted***", "phonenumbers": "+14155551234, +1 (415) 555-0142\n+447911123456",
        "whitelistedcallers": [4155551234, "+14155551234"], "maxcallseconds": 900.0, "holdaudio": None,
    })
    assert draft.authtoken is None and draft.token_on_server  # the mask is never a value
    assert draft.phonenumbers == ("+14155551234", "+1 (415) 555-0142", "+447911123456")
    assert draft.whitelistedcallers == ("4155551234", "+14155551234")
    assert draft.maxcallseconds == "900" and draft.holdaudio == ""
    assert CredentialDraft.from_mapping({}).maxcallseconds == "600"
    assert CredentialDraft.from_mapping({"maxcallseconds": None}).maxcallseconds == ""


def test_the_token_never_shows_in_repr_str_or_to_dict():
    draft = CredentialDraft(accountsid=SID, authtoken=TOKEN)
    for text in (repr(draft), str(draft), json.dumps(draft.to_dict()), f"{draft}"):
        assert TOKEN not in text
    assert draft.to_dict()["authtoken"] == "••••19d6"
    assert CredentialDraft(token_on_server=True).to_dict()["authtoken"].startswith("(unchanged")


def test_replace_turns_lists_into_tuples():
    draft = CredentialDraft().replace(phonenumbers=["+14155551234"], holdtext="x")
    assert draft.phonenumbers == ("+14155551234",) and draft.holdtext == "x"


# -- the payload --------------------------------------------------------------------------------------------


def test_the_seeds_example_becomes_the_seeds_fields():
    draft = CredentialDraft(accountsid=SID, authtoken=TOKEN, phonenumbers=("+14155551234",), maxcallseconds="600",
                            holdstrategy="text_then_music", holdtext="Please hold while we connect you to our assistant.",
                            holdvoice="Polly.Joanna-Neural", holdmusic="https://cdn.wiro.ai/m.mp3")
    assert upsert_fields(draft) == [
        scalar("accountsid", SID),
        scalar("authtoken", TOKEN),
        element("phonenumbers", 0, "+14155551234"),
        scalar("maxcallseconds", "600"),
        scalar("holdstrategy", "text_then_music"),
        scalar("holdtext", "Please hold while we connect you to our assistant."),
        scalar("holdvoice", "Polly.Joanna-Neural"),
        scalar("holdaudio", ""),
        scalar("holdmusic", "https://cdn.wiro.ai/m.mp3"),
    ]


def test_every_value_is_a_string_and_lists_are_elements():
    draft = CredentialDraft(accountsid=f" {SID} ", phonenumbers=("+14155551234", " ", "+14155550142 "),
                            whitelistedcallers=("4155551234", "+14155551234"), maxcallseconds="+0900")
    fields = upsert_fields(draft)
    assert all(isinstance(f["fieldvalue"], str) for f in fields)
    assert fields[0]["fieldvalue"] == SID
    assert [f for f in fields if f.get("parentfield") == "phonenumbers"] == [
        element("phonenumbers", 0, "+14155551234"), element("phonenumbers", 1, "+14155550142")]
    assert [f["ordinal"] for f in fields if f.get("parentfield") == "whitelistedcallers"] == [0, 1]
    assert scalar("maxcallseconds", "900") in fields
    assert not any(f["fieldname"] == "holdstrategy" for f in fields)  # empty: Wiro keeps its own


@pytest.mark.parametrize("token, on_server", [(None, True), ("", True), ("***encrypted***", True), ("  ", False)])
def test_the_token_is_sent_only_when_typed_and_never_the_mask(token, on_server):
    fields = upsert_fields(CredentialDraft(accountsid=SID, authtoken=token, token_on_server=on_server))
    assert not any(f["fieldname"] == "authtoken" for f in fields)
    assert "***encrypted***" not in json.dumps(fields)


def test_a_typed_token_is_trimmed():
    fields = upsert_fields(CredentialDraft(authtoken=f"  {TOKEN}\n"))
    assert scalar("authtoken", TOKEN) in fields


def test_local_hold_files_must_be_uploaded_first(tmp_path):
    draft = CredentialDraft(holdstrategy="music", holdmusic=str(tmp_path / "m.wav"))
    with pytest.raises(PayloadError, match="holdmusic"):
        upsert_fields(draft)
    fields = upsert_fields(draft, {str(tmp_path / "m.wav"): "https://cdn.example/m.wav"})
    assert scalar("holdmusic", "https://cdn.example/m.wav") in fields


def test_normalized_masks_the_token_and_resolves_paths(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    document = normalized(CredentialDraft(accountsid=f"{SID} ", authtoken=TOKEN, phonenumbers=(" +14155551234",),
                                          maxcallseconds="900", holdaudio="greeting.wav"))
    assert document["authtoken"] == "••••19d6" and TOKEN not in json.dumps(document)
    assert document["accountsid"] == SID and document["phonenumbers"] == ["+14155551234"]
    assert document["maxcallseconds"] == 900 and document["holdstrategy"] == "none"
    assert document["holdaudio"] == str(tmp_path / "greeting.wav") and document["holdmusic"] is None


# -- files --------------------------------------------------------------------------------------------------


def test_json_and_toml_files(tmp_path):
    (tmp_path / "c.json").write_text(json.dumps({"accountsid": SID, "phonenumbers": ["+14155551234"]}))
    (tmp_path / "c.toml").write_text(f'accountsid = "{SID}"\nphonenumbers = ["+14155551234"]\nmaxcallseconds = 900\n')
    assert load_credential_file(tmp_path / "c.json").accountsid == SID
    toml = read_credential_file(tmp_path / "c.toml")
    assert toml.format == "toml" and toml.draft.maxcallseconds == "900"


def test_no_extension_tries_json_then_toml(tmp_path):
    (tmp_path / "a").write_text(json.dumps({"accountsid": SID}))
    (tmp_path / "b").write_text(f'accountsid = "{SID}"\n')
    assert read_credential_file(tmp_path / "a").format == "json"
    assert read_credential_file(tmp_path / "b").format == "toml"


@pytest.mark.parametrize("shape", [
    {"twilio-voice": SEED_DETAIL},
    {"credentials": {"wiro-aimodels": {}, "twilio-voice": SEED_DETAIL}},
    {"useragents": [{"guid": "g", "configuration": {"credentials": {"twilio-voice": SEED_DETAIL}}}], "result": True},
])
def test_detail_shapes_are_accepted(tmp_path, shape):
    path = tmp_path / "detail.json"
    path.write_text(json.dumps(shape))
    loaded = read_credential_file(path)
    assert loaded.draft.accountsid == SID and loaded.draft.token_on_server and loaded.notes == ()


def test_relative_hold_paths_are_relative_to_the_file(tmp_path):
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "c.toml").write_text('holdmusic = "music/loop.wav"\nholdaudio = "https://x.example/a.mp3"\n')
    draft = load_credential_file(tmp_path / "sub" / "c.toml")
    assert draft.holdmusic == str(tmp_path / "sub" / "music" / "loop.wav")
    assert draft.holdaudio == "https://x.example/a.mp3"


def test_unknown_keys_and_wrong_types_are_noted(tmp_path):
    path = tmp_path / "c.json"
    path.write_text(json.dumps({"accountsid": SID, "phonenumber": "+1", "holdtext": ["a"], "phonenumbers": {"a": 1}}))
    notes = dict(read_credential_file(path).notes)
    assert "did you mean phonenumbers" in notes["phonenumber"]
    assert "single value" in notes["holdtext"] and "list" in notes["phonenumbers"]


@pytest.mark.parametrize("name, content, fragment", [
    ("c.json", '{"accountsid": ', "not valid JSON: Expecting value at line 1"),
    ("c.toml", "accountsid = ", "not valid TOML"),
    ("c.txt", "{{{", "neither JSON nor TOML"),
    ("c.json", "[1, 2]", "no twilio-voice credential"),
    ("c.json", '{"hello": 1}', "no twilio-voice credential"),
])
def test_unusable_files_say_why(tmp_path, name, content, fragment):
    path = tmp_path / name
    path.write_text(content)
    with pytest.raises(CredentialFileError) as caught:
        load_credential_file(path)
    assert fragment in caught.value.message


def test_missing_folder_binary_and_huge_files(tmp_path):
    with pytest.raises(CredentialFileError, match="does not exist"):
        load_credential_file(tmp_path / "nope.json")
    with pytest.raises(CredentialFileError, match="folder"):
        load_credential_file(tmp_path)
    (tmp_path / "bin.json").write_bytes(b"\xff\xfe\x00bad")
    with pytest.raises(CredentialFileError, match="UTF-8"):
        load_credential_file(tmp_path / "bin.json")
    (tmp_path / "big.json").write_bytes(b" " * (2 * 1024 * 1024))
    with pytest.raises(CredentialFileError, match="too big"):
        load_credential_file(tmp_path / "big.json")


def test_a_byte_order_mark_is_fine(tmp_path):
    (tmp_path / "c.json").write_bytes("\ufeff".encode() + json.dumps({"accountsid": SID}).encode())
    assert load_credential_file(tmp_path / "c.json").accountsid == SID
