"""Every rule over arbitrary text returns findings and never raises; the payload never carries the mask."""

from __future__ import annotations

import json

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from tui.credential import rules
from tui.credential.draft import CredentialDraft
from tui.credential.files import CredentialFileError, load_credential_file
from tui.credential.payload import normalized, upsert_fields
from tui.credential.phones import check_number, split_list
from tui.credential.ssml import parse_ssml
from tui.problems import Problem

# Text that reaches the interesting branches: markup, digits, pluses, separators, and anything at all.
pieces = st.sampled_from(["<", ">", "</", "/>", "&", ";", "<s>", "</s>", '<break time="2s"/>', '<lang xml:lang="fr-FR">',
                          "</lang>", "+", "00", "0", "1", "415", "555", "1234", " ", "\n", ",", "(", ")", "-", "x", "AC",
                          "SK", "***encrypted***", "é", "٤", "\x00", "\x1b[2J", "http://", "https://a.b/c.mp3",
                          "file:///x", "~/", ".wav", "ext. 9", "anonymous"])
texts = st.one_of(st.text(max_size=60), st.lists(st.one_of(pieces, st.text(max_size=4)), max_size=12).map("".join))
options = {"max_examples": 150, "deadline": None, "suppress_health_check": [HealthCheck.too_slow]}


def findings_only(result) -> None:
    assert isinstance(result, list) and all(isinstance(p, Problem) for p in result)
    for p in result:
        assert p.level in ("error", "warning") and isinstance(p.message, str) and p.message


@settings(**options)
@given(texts, texts)
def test_every_text_rule_returns_findings(a, b):
    findings_only(rules.check_accountsid(a))
    findings_only(rules.check_authtoken(a))
    findings_only(rules.check_authtoken(a, token_on_server=True))
    findings_only(rules.check_maxcallseconds(a))
    findings_only(rules.check_holdtext(a, b))
    findings_only(rules.check_holdvoice(a, b))
    findings_only(rules.check_holdaudio(a, files=False))
    findings_only(rules.check_holdmusic(a))  # on the disk: relative to the checkout, or wherever it points
    findings_only(rules.check_holdstrategy(CredentialDraft(holdstrategy=a, holdtext=b)))
    parse_ssml(a)
    check_number(a)
    try:
        load_credential_file(a)
    except CredentialFileError:
        pass
    assert all(isinstance(s, str) and s for s in split_list(a))


@settings(**options)
@given(st.lists(texts, max_size=5), st.sampled_from(["US", "GB", "TR", "BR"]))
def test_number_lists_return_findings(values, region):
    findings_only(rules.check_phonenumbers(values, region))
    findings_only(rules.check_whitelistedcallers(values, region))


# Auth Tokens for the leak check, from alphabets no message can spell: a token generated from free text, such as
# 'Auth T', can be part of a rule's own message ("The Auth Token has…"), and finding it there proves nothing.
HEX = "0123456789abcdef"
UNSPELLABLE = "ΑΒΓΔΘΛΞΠΣΦΨΩ "  # Greek capitals (no message, field name or fix uses one) and spaces
tokens = st.one_of(
    st.text(HEX, min_size=32, max_size=32),  # the shape of a Live Auth Token
    st.tuples(st.sampled_from(["SK", "AC"]), st.text(HEX, min_size=32, max_size=32)).map("".join),  # a SID instead
    st.text(UNSPELLABLE, min_size=6, max_size=40),  # wrong lengths, not hex, spaces inside
)


def drafts(authtoken) -> st.SearchStrategy[CredentialDraft]:
    return st.builds(
        CredentialDraft,
        accountsid=texts, authtoken=authtoken, phonenumbers=st.lists(texts, max_size=3).map(tuple),
        whitelistedcallers=st.lists(texts, max_size=3).map(tuple), maxcallseconds=texts,
        holdstrategy=st.one_of(st.sampled_from(list(rules.STRATEGIES)), texts), holdtext=texts, holdvoice=texts,
        holdaudio=st.sampled_from(["", "https://cdn.example/a.mp3", "http://x"]),
        holdmusic=st.sampled_from(["", "https://cdn.example/m.wav", "ftp://x"]), token_on_server=st.booleans(),
    )


@settings(**options)
@given(drafts(st.one_of(st.none(), texts, tokens)))
def test_the_whole_form_validates_and_the_payload_never_carries_the_mask(draft):
    validation = rules.validate(draft, files=False)
    assert all(isinstance(p, rules.Finding) for p in validation.problems)
    for name in ("accountsid", "authtoken", "phonenumbers", "holdtext"):
        rules.validate_field(draft, name, files=False)
    fields = upsert_fields(draft)
    assert all(isinstance(f["fieldvalue"], str) for f in fields)
    assert not any(f["fieldname"] == "authtoken" and f["fieldvalue"] == "***encrypted***" for f in fields)


@settings(**options)
@given(drafts(tokens))
def test_the_token_shows_nowhere(draft):
    token = draft.authtoken.strip()
    assume(len(token) >= 6)
    validation = rules.validate(draft, files=False)
    # the token may show nowhere it would not show anyway (say, because the SID field holds the same text)
    assert token not in shown(draft, validation) or token in shown(draft.replace(authtoken=None), None)


def shown(draft, validation) -> str:
    validation = validation or rules.validate(draft, files=False)
    return json.dumps(normalized(draft)) + repr(draft) + json.dumps([p.message for p in validation.problems])
