"""A token pasted into the wrong field is still never shown."""

from __future__ import annotations

from tui.credential.draft import CredentialDraft
from tui.credential.payload import normalized
from tui.credential.rules import validate
from tui.common.masking import mask, scrub_tokens

TOKEN = "9f86d081884c7d659a2feaa0c55ad015"


def test_token_shaped_text_is_masked_but_sids_are_not():
    assert scrub_tokens(f"got {TOKEN} back") == f"got {mask(TOKEN)} back"
    sid = "AC" + TOKEN
    assert scrub_tokens(sid) == sid  # an Account SID ends in 32 hex characters too: it is not a secret


def test_a_token_in_the_sid_or_number_field_never_shows():
    draft = CredentialDraft(accountsid=TOKEN, phonenumbers=(TOKEN,), whitelistedcallers=(TOKEN,))
    shown = repr(normalized(draft)) + " ".join(p.message for p in validate(draft, files=False).problems)
    assert TOKEN not in shown
    assert mask(TOKEN) in shown
