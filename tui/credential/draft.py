"""The twilio-voice credential as the user has it in hand: what the form, a file or Detail holds.

Every value is kept as typed (strings, `maxcallseconds` included) so the rules can say what is wrong
with it. The auth token is None until the user types one: Wiro never returns it (Detail shows the mask
`***encrypted***`), and sending the mask back would overwrite the real token with garbage.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from typing import Any

from ..common.masking import mask
from ..wiro.models import AUTH_TOKEN_MASK, TwilioVoiceCredential
from .phones import split_list

FIELD_NAMES = (
    "accountsid", "authtoken", "phonenumbers", "whitelistedcallers", "maxcallseconds",
    "holdstrategy", "holdtext", "holdvoice", "holdaudio", "holdmusic",
)
LIST_FIELDS = ("phonenumbers", "whitelistedcallers")
DEFAULT_MAXCALLSECONDS = "600"


@dataclass(frozen=True)
class CredentialDraft:
    """Editable values of the credential. `authtoken` None = unchanged / not typed; `token_on_server`
    says Wiro already holds a token (so an empty one is fine). The token never shows in `repr`."""

    accountsid: str = ""
    authtoken: str | None = None
    phonenumbers: tuple[str, ...] = ()
    whitelistedcallers: tuple[str, ...] = ()
    maxcallseconds: str = DEFAULT_MAXCALLSECONDS
    holdstrategy: str = ""
    holdtext: str = ""
    holdvoice: str = ""
    holdaudio: str = ""  # local path or http(s) URL; "" = none
    holdmusic: str = ""  # local path or http(s) URL; "" = none
    token_on_server: bool = False

    def __repr__(self) -> str:
        shown = []
        for f in fields(self):
            value = getattr(self, f.name)
            if f.name == "authtoken":
                shown.append(f"authtoken={'None' if value is None else repr(mask(value.strip()))}")
            else:
                shown.append(f"{f.name}={value!r}")
        return f"CredentialDraft({', '.join(shown)})"

    __str__ = __repr__

    @property
    def token_typed(self) -> bool:
        """A token that would be sent: typed, not blank, and not Wiro's mask."""
        return token_to_send(self.authtoken) is not None

    def replace(self, **changes: Any) -> CredentialDraft:
        """A copy with some values changed (lists may be given as any sequence)."""
        for name in LIST_FIELDS:
            if name in changes:
                changes[name] = tuple(changes[name])
        return replace(self, **changes)

    @classmethod
    def from_credential(cls, credential: TwilioVoiceCredential | None) -> CredentialDraft:
        """The draft for what Detail returned: the token is "unchanged" when Wiro holds one."""
        if credential is None:
            return cls()
        return cls(
            accountsid=credential.accountsid or "",
            authtoken=None,
            phonenumbers=tuple(credential.phonenumbers),
            whitelistedcallers=tuple(credential.whitelistedcallers),
            maxcallseconds=DEFAULT_MAXCALLSECONDS if credential.maxcallseconds is None else str(credential.maxcallseconds),
            holdstrategy=credential.holdstrategy or "",
            holdtext=credential.holdtext or "",
            holdvoice=credential.holdvoice or "",
            holdaudio=credential.holdaudio or "",
            holdmusic=credential.holdmusic or "",
            token_on_server=credential.authtoken_set,
        )

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> CredentialDraft:
        """A draft from a file's mapping with the seed's field names (see `mapping_notes` for what was odd).

        Numbers may be a list or one comma/newline separated string; `maxcallseconds` may be a number;
        the mask `***encrypted***` as authtoken means "Wiro holds a token, leave it". Values of a wrong
        type are turned into text so that the rules can say what is wrong with them.
        """
        def text(name: str, default: str = "") -> str:
            value = data.get(name)
            if value is None:
                return default
            if isinstance(value, bool):
                return str(value).lower()
            if isinstance(value, float) and value.is_integer():
                return str(int(value))
            if isinstance(value, (list, tuple, dict)):
                return ""  # mapping_notes reports it; a list's repr is no value
            return str(value)

        def numbers(name: str) -> tuple[str, ...]:
            value = data.get(name)
            if value is None:
                return ()
            if isinstance(value, str):
                return tuple(split_list(value))
            if isinstance(value, (list, tuple)):
                return tuple(_number_text(v) for v in value if v is not None and not isinstance(v, (list, dict)))
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                return (_number_text(value),)
            return ()

        token_value = data.get("authtoken")
        token = token_value if isinstance(token_value, str) else None
        on_server = token is not None and token.strip() == AUTH_TOKEN_MASK
        if on_server or (token is not None and not token.strip()):
            token = None
        maxcall = DEFAULT_MAXCALLSECONDS if "maxcallseconds" not in data else text("maxcallseconds")
        return cls(
            accountsid=text("accountsid"),
            authtoken=token,
            phonenumbers=numbers("phonenumbers"),
            whitelistedcallers=numbers("whitelistedcallers"),
            maxcallseconds=maxcall,
            holdstrategy=text("holdstrategy"),
            holdtext=text("holdtext"),
            holdvoice=text("holdvoice"),
            holdaudio=text("holdaudio"),
            holdmusic=text("holdmusic"),
            token_on_server=on_server or data.get("token_on_server") is True,
        )

    def to_dict(self) -> dict[str, Any]:
        """Every value, the token masked: safe to print or keep as a draft."""
        return {
            "accountsid": self.accountsid,
            "authtoken": token_display(self),
            "phonenumbers": list(self.phonenumbers),
            "whitelistedcallers": list(self.whitelistedcallers),
            "maxcallseconds": self.maxcallseconds,
            "holdstrategy": self.holdstrategy,
            "holdtext": self.holdtext,
            "holdvoice": self.holdvoice,
            "holdaudio": self.holdaudio,
            "holdmusic": self.holdmusic,
            "token_on_server": self.token_on_server,
        }


def _number_text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def token_to_send(token: str | None) -> str | None:
    """The token as it would be sent (trimmed), or None: not typed, blank, or Wiro's mask."""
    if token is None:
        return None
    trimmed = token.strip()
    if not trimmed or trimmed == AUTH_TOKEN_MASK:
        return None
    return trimmed


def token_display(draft: CredentialDraft) -> str:
    """How the token may be shown: masked when typed, else whether Wiro keeps one."""
    typed = token_to_send(draft.authtoken)
    if typed is not None:
        return mask(typed)
    return "(unchanged: Wiro keeps the saved token)" if draft.token_on_server else "(not set)"


def mapping_notes(data: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(field, message) for keys a credential file should not have and values of the wrong type."""
    known = set(FIELD_NAMES) | {"token_on_server", "_connected", "optional", "extra"}
    notes: list[tuple[str, str]] = []
    for key in data:
        if key in known:
            continue
        guess = difflib.get_close_matches(str(key), FIELD_NAMES, n=1, cutoff=0.6)
        hint = f" — did you mean {guess[0]}?" if guess else f" (the fields are {', '.join(FIELD_NAMES)})"
        notes.append((str(key), f"unknown field {str(key)!r} is ignored{hint}"))
    for name in FIELD_NAMES:
        if name not in data or data[name] is None:
            continue
        value = data[name]
        if name in LIST_FIELDS:
            if isinstance(value, (list, tuple)):
                odd = [i for i, v in enumerate(value) if v is None or isinstance(v, (list, dict, bool))]
                if odd:
                    notes.append((f"{name}[{odd[0]}]", f"{name} should hold phone numbers as text; item #{odd[0] + 1} is not "
                                                       "one and is ignored"))
            elif not isinstance(value, (str, int, float)) or isinstance(value, bool):
                notes.append((name, f"{name} should be a list of numbers (or one comma-separated text); it is ignored"))
        elif name == "authtoken":
            if not isinstance(value, str):
                notes.append((name, "authtoken should be text; it is ignored"))
        elif isinstance(value, (list, tuple, dict)):
            notes.append((name, f"{name} should be a single value, not a {'list' if isinstance(value, (list, tuple)) else 'table'}; it is ignored"))
        elif isinstance(value, bool):
            notes.append((name, f"{name} should not be true/false"))
    return notes
