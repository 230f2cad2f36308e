"""Live checks against Twilio: is the credential pair accepted, and where does each number's call go.

Both return immutable results a screen can render directly and a script can print as JSON. Nothing here
raises for a bad pair, a bad base URL or a network failure: those become a result with a message that
says what to do. No result holds the token or the account body's auth_token.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from .classify import NumberVerdict, classify, handler_hosts
from .client import TwilioClient, check_twilio_base
from .errors import ForbiddenError, RejectedError, TransientError, TwilioError
from .models import IncomingNumber, TwiMLApp

ACCOUNT_SID = re.compile(r"^AC[0-9a-fA-F]{32}$")
KEY_SID = re.compile(r"^SK[0-9a-fA-F]{32}$")
_HEX32 = re.compile(r"^[0-9a-f]{32}$")
NOT_A_TOKEN = ("This does not look like a Live Auth Token (32 lowercase hex characters); an API Key Secret "
               "pasted here makes every call fail with a signature error.")

State = Literal["valid", "rejected", "inactive", "unreachable", "invalid_input", "error"]


@dataclass(frozen=True)
class AccountCheck:
    """Whether Twilio accepts the pair. `state` is one of valid, rejected (401/20003), inactive (suspended or
    closed), unreachable (network/5xx), invalid_input (checked before any request), error (anything else)."""

    state: State
    message: str
    account_sid: str = ""
    friendly_name: str | None = None
    type: str | None = None  # Trial | Full
    status: str | None = None  # active | suspended | closed
    via_key: bool = False
    warnings: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return self.state == "valid"

    def to_json(self) -> dict[str, Any]:
        return {"state": self.state, "ok": self.ok, "message": self.message, "account_sid": self.account_sid,
                "friendly_name": self.friendly_name, "type": self.type, "status": self.status,
                "via_key": self.via_key, "warnings": list(self.warnings)}


def check_inputs(sid: str, secret: str, key_sid: str | None = None) -> AccountCheck | None:
    """An `invalid_input` result when the values cannot be right, else None. No I/O, so it can run per keystroke."""
    sid, secret = (sid or "").strip(), (secret or "").strip()
    if not sid:
        return AccountCheck("invalid_input", "Enter the Account SID (Twilio Console → Account → Keys & Credentials "
                            "→ Live credentials; 34 characters starting with AC).")
    if KEY_SID.match(sid):
        return AccountCheck("invalid_input", "That is an API Key SID (SK…), not the Account SID. The Account SID "
                            "starts with AC and is in the Live credentials section.", sid)
    if not ACCOUNT_SID.match(sid):
        return AccountCheck("invalid_input", "The Account SID is AC followed by 32 hexadecimal characters (34 in "
                            "all); check that all of it was copied.", sid)
    if not secret:
        what = "API key secret" if key_sid else "Auth Token"
        return AccountCheck("invalid_input", f"Enter the {what} (click Show next to it in the Twilio Console).", sid)
    if any(c.isspace() for c in secret):
        return AccountCheck("invalid_input", "The token has spaces or line breaks inside; paste it again in one piece.", sid)
    if key_sid is not None and not KEY_SID.match(key_sid.strip()):
        return AccountCheck("invalid_input", "An API Key SID is SK followed by 32 hexadecimal characters.", sid)
    return None


def token_warnings(secret: str) -> tuple[str, ...]:
    """Format hints (unverified heuristic): Live Auth Tokens look like 32 lowercase hex characters."""
    if _HEX32.match((secret or "").strip()):
        return ()
    return (NOT_A_TOKEN,)


async def verify_pair(sid: str, token_or_key_secret: str, base: str, key_sid: str | None = None, *,
                      client: Any = None) -> AccountCheck:
    """Ask Twilio whether the pair works. With `key_sid` (SK…) the key is checked through the number list
    (`PageSize=1`), since API keys are refused on the account resource. `client` reuses an open TwilioClient."""
    bad = check_inputs(sid, token_or_key_secret, key_sid)
    if bad is not None:
        return bad
    problem = check_twilio_base(base)
    if problem:
        return AccountCheck("invalid_input", problem, sid.strip())
    if client is not None:
        return await _verify_with(client, key_sid is not None, token_or_key_secret)
    async with TwilioClient(sid, token_or_key_secret, base, key_sid=key_sid) as own:
        return await _verify_with(own, key_sid is not None, token_or_key_secret)


async def _verify_with(client: Any, via_key: bool, secret: str) -> AccountCheck:
    sid = client.account_sid
    try:
        if via_key:
            await client.first_number_page()
            return AccountCheck("valid", "The API key can read this account's numbers. Wiro itself needs the "
                                "Account SID and the Live Auth Token, not an API key.", sid, via_key=True)
        account = await client.account()
    except RejectedError as err:
        message = err.message
        # the token's shape may say more (an API Key Secret is mixed-case): said as a warning, not as the cause
        return AccountCheck("rejected", message, sid, via_key=via_key,
                            warnings=() if via_key else token_warnings(secret))
    except ForbiddenError as err:
        # with the account's own token a 403 means the account is suspended or closed, not a bad secret
        return AccountCheck("rejected" if via_key else "inactive", err.message, sid, via_key=via_key)
    except TransientError as err:
        return AccountCheck("unreachable", f"{err.message} Check the network or the Twilio API base, then verify again.",
                            sid, via_key=via_key)
    except TwilioError as err:
        return AccountCheck("error", err.message, sid, via_key=via_key)
    name = account.friendly_name or account.sid
    common = {"account_sid": account.sid or sid, "friendly_name": account.friendly_name, "type": account.type,
              "status": account.status, "warnings": token_warnings(secret)}
    if account.status in ("suspended", "closed"):
        return AccountCheck("inactive", f"The Twilio account {name} is {account.status}: Twilio does not route calls "
                            "on it. This is not a credentials problem; reactivate it in the Twilio Console (Billing) "
                            "or use an active account.", **common)
    kind = f"{account.type} account" if account.type else "account"
    trial = " Trial accounts only take calls from verified caller IDs and play a trial notice first." \
        if (account.type or "").lower() == "trial" else ""
    sub = " (a subaccount: its own Auth Token is the one to use)" if account.is_subaccount else ""
    return AccountCheck("valid", f"Twilio accepts the pair: {name}, {kind}, {account.status or 'status unknown'}{sub}.{trial}",
                        **common)


# -- numbers --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class NumbersCheck:
    """The live verification: the account check, one verdict per configured number (in the credential's
    order), and the account's other numbers ("on Twilio, not answered by this agent"). `error` says why
    nothing could be checked; then both lists are empty."""

    account: AccountCheck
    numbers: tuple[NumberVerdict, ...] = ()
    unlisted: tuple[NumberVerdict, ...] = ()
    error: str | None = None

    @property
    def checked(self) -> bool:
        return self.error is None

    @property
    def ok(self) -> bool:
        """The account is active and every configured number rings the agent with nothing to fix."""
        return self.checked and self.account.ok and bool(self.numbers) and all(v.ok for v in self.numbers)

    @property
    def problem_count(self) -> int:
        return sum(1 for v in self.numbers if not v.ok)

    def to_json(self) -> dict[str, Any]:
        return {
            "numbers": [v.to_json() for v in self.numbers],
            "unlisted": [v.to_json() for v in self.unlisted],
            "account": self.account.to_json(),
            "error": self.error,
        }


def _e164_key(number: str) -> str | None:
    """The number in E.164 for matching spellings (default region US, as Twilio's console shows numbers)."""
    import phonenumbers

    text = number.strip()
    try:
        parsed = phonenumbers.parse(text, None if text.startswith("+") else "US")
    except phonenumbers.NumberParseException:
        return None
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


async def verify_numbers(
    configured_numbers: Sequence[str],
    sid: str,
    token: str,
    base: str,
    *,
    key_sid: str | None = None,
    wiro_hosts: Iterable[str] = (),
    agent_guid: str | None = None,
    client: Any = None,
    page_size: int = 1000,
) -> NumbersCheck:
    """Verify the pair, list every number on the account (paging), fetch the TwiML Apps in use, and classify
    each configured number plus every number on the account the credential does not list."""
    hosts = tuple(wiro_hosts)
    if client is None:
        bad = check_inputs(sid, token, key_sid)
        if bad is not None:
            return NumbersCheck(bad, error=bad.message)
        problem = check_twilio_base(base)
        if problem:
            return NumbersCheck(AccountCheck("invalid_input", problem, sid.strip()), error=problem)
        async with TwilioClient(sid, token, base, key_sid=key_sid) as own:
            return await _verify_numbers(own, configured_numbers, key_sid is not None, token, hosts, agent_guid, page_size)
    return await _verify_numbers(client, configured_numbers, key_sid is not None, token, hosts, agent_guid, page_size)


async def _verify_numbers(client: Any, configured: Sequence[str], via_key: bool, token: str,
                          hosts: tuple[str, ...], agent_guid: str | None, page_size: int) -> NumbersCheck:
    account = await _verify_with(client, via_key, token)
    if account.state not in ("valid", "inactive"):
        return NumbersCheck(account, error=account.message)
    try:
        on_account = await client.numbers(page_size=page_size)
    except TwilioError as err:
        return NumbersCheck(account, error=f"Could not list the account's numbers: {err.message}")
    by_number: dict[str, IncomingNumber] = {}
    by_key: dict[str, IncomingNumber] = {}
    for res in on_account:
        by_number.setdefault(res.phone_number, res)
        key = _e164_key(res.phone_number)
        if key:
            by_key.setdefault(key, res)
    apps = await _applications(client, {r.voice_application_sid for r in on_account
                                        if r.voice_application_sid and not r.trunk_sid})
    wanted = list(dict.fromkeys(n for n in (str(x) for x in configured) if n.strip()))
    matched: set[str] = set()
    verdicts: list[NumberVerdict] = []
    for number in wanted:
        res = by_number.get(number)  # Wiro matches exactly, so only an exact match counts
        alt = None
        if res is None:
            key = _e164_key(number)
            alt = by_key[key].phone_number if key and key in by_key else None
        else:
            matched.add(res.phone_number)
        verdicts.append(classify(number, res, application=_app_for(res, apps), wiro_hosts=hosts,
                                 agent_guid=agent_guid, same_number_as=alt))
    unlisted = tuple(
        classify(res.phone_number, res, application=_app_for(res, apps), wiro_hosts=hosts, agent_guid=agent_guid,
                 in_credential=False)
        for res in on_account if res.phone_number not in matched and res.phone_number not in wanted
    )
    return NumbersCheck(account, tuple(verdicts), unlisted)


def _app_for(res: IncomingNumber | None, apps: dict[str, TwiMLApp | None]) -> TwiMLApp | None:
    return apps.get(res.voice_application_sid) if res and res.voice_application_sid else None


async def _applications(client: Any, sids: set[str]) -> dict[str, TwiMLApp | None]:
    """Each TwiML App once (the client keeps at most 5 requests in flight); an unreadable app maps to None."""
    ordered = sorted(sids)

    async def one(app_sid: str) -> TwiMLApp | None:
        try:
            return await client.application(app_sid)
        except TwilioError:
            return None  # the verdict still stands; it just cannot show the app's URL

    found = await asyncio.gather(*(one(s) for s in ordered))
    return dict(zip(ordered, found))


def wiro_hosts_for(api_base: str | None, *extra: str | None, env: Mapping[str, str] | None = None) -> tuple[str, ...]:
    """Hosts whose URLs count as Wiro's besides *.wiro.ai: see `tui.twilio.classify.handler_hosts`."""
    return handler_hosts(api_base, *extra, env=env)
