"""Which Twilio Account SID and Auth Token the Twilio checks use: the rule, written once.

- The Account SID is TWILIO_ACCOUNT_SID when it is set, else the credential's own.
- The Auth Token is the one typed for this session, else TWILIO_AUTH_TOKEN, else (in the demo, and only
  for the simulator's own account) the simulator's token. Wiro never sends a saved token back, so there
  is no fourth source.

The environment values are read once into `Settings` (`twilio_account_sid`, `twilio_auth_token`); the
command line, the doctor and every screen ask this module, and word a missing part their own way
(`NoAccess` says which part is missing). The token never shows in a repr or a message.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..config import ENV_TWILIO_SID, ENV_TWILIO_TOKEN
from ..common.masking import mask

FROM_ENV = f"{ENV_TWILIO_SID}/{ENV_TWILIO_TOKEN}"
FROM_ENV_TOKEN = ENV_TWILIO_TOKEN
TYPED = "the token typed for this session"
DEMO = "the demo's Twilio account"


@dataclass(frozen=True)
class TwilioAccess:
    """The Account SID and token to talk to Twilio with, and where they came from (for wording)."""

    account_sid: str
    token: str = field(repr=False)
    source: str = FROM_ENV

    def __repr__(self) -> str:
        return f"TwilioAccess({self.account_sid!r}, token={mask(self.token)!r}, source={self.source!r})"


@dataclass(frozen=True)
class NoAccess:
    """What is missing: `"sid"` (no Account SID anywhere) or `"token"` (a SID, but no token for it)."""

    missing: str
    account_sid: str = ""

    @property
    def message(self) -> str:
        """A plain sentence for the command line; screens say it in their own words."""
        if self.missing == "sid":
            return (f"The agent's credential has no Account SID. Set {ENV_TWILIO_SID} and {ENV_TWILIO_TOKEN}, "
                    "or fill in the credential first.")
        return (f"No Twilio Auth Token: set {ENV_TWILIO_TOKEN} (and {ENV_TWILIO_SID} to check another account), "
                "or run this in a terminal to be asked for it.")


def twilio_access(credential_sid: str | None, settings: Any, *, typed_token: str | None = None, demo: Any = None,
                  sid_from_env: bool = True) -> TwilioAccess | NoAccess:
    """The access to use for the credential whose Account SID is `credential_sid`.

    `settings` carries `twilio_account_sid` / `twilio_auth_token` (from the environment); `demo` is the
    running simulator, if any (its token opens its own account only). `sid_from_env=False` is for checking
    a pair as typed in the credential form: the form's SID is what is being checked, so TWILIO_ACCOUNT_SID
    does not replace it, and TWILIO_AUTH_TOKEN is used only when it belongs to that SID (TWILIO_ACCOUNT_SID
    unset or the same).
    """
    env_sid = (getattr(settings, "twilio_account_sid", None) or "").strip()
    env_secret = getattr(settings, "twilio_auth_token", None)
    env_token = (env_secret.reveal() if env_secret else "").strip()
    typed = (typed_token or "").strip()
    own_sid = (credential_sid or "").strip()

    sid = (env_sid or own_sid) if sid_from_env else own_sid
    if not sid_from_env and env_sid and env_sid != own_sid:
        env_token = ""  # that token belongs to another account
    if not sid and demo is not None and not typed and not env_token:
        sid = demo.twilio_account_sid  # nothing named an account: the demo's own
    if not sid:
        return NoAccess("sid")
    if typed:
        return TwilioAccess(sid, typed, TYPED)
    if env_token:
        return TwilioAccess(sid, env_token, FROM_ENV if env_sid and sid_from_env else FROM_ENV_TOKEN)
    if demo is not None and sid == demo.twilio_account_sid:
        return TwilioAccess(sid, demo.twilio_auth_token, DEMO)
    return NoAccess("token", sid)


__all__ = ["DEMO", "FROM_ENV", "FROM_ENV_TOKEN", "NoAccess", "TYPED", "TwilioAccess", "twilio_access"]
