"""Every endpoint's answers as the Wiro docs describe them, written from the facts in
../shared/docs/wiro-api.md (newest = the `651c97b` snapshot, older = the superseded pages it quotes), and a
shape checker per endpoint.

The payloads are ours, built from the documented field names, types and examples; the edge values the doc
lists are variants of their own (null, numbers sent as strings, milliseconds, an empty or absent or masked
`authtoken`). The checkers say whether an answer has a documented shape — the newest, the older, or either —
so the same checkers can judge the simulator's answers in both `--api-shape` modes.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable
from typing import Any

GUID = "0b7c5d2e-1f3a-4b6c-8d9e-0a1b2c3d4e5f"
OTHER_GUID = "9a8b7c6d-5e4f-4a3b-2c1d-0e9f8a7b6c5d"
SID = "AC0123456789abcdef0123456789abcdef"
TOKEN = "9e107d9d372bb6826bd81d3542a419d6"  # a token the user types; never in an answer
MASK = "***encrypted***"
NUMBERS = ["+442071234567", "+442071234568"]
ABSENT = object()  # "leave the key out"
T0 = 1760000000  # unix seconds, 2025-10-09
ENVELOPE_OK: dict[str, Any] = {"result": True, "errors": []}


def _ok(**payload: Any) -> dict[str, Any]:
    return {"result": True, "errors": [], **payload}


def refusal(message: str, code: int = 0, **extra: Any) -> dict[str, Any]:
    """`result:false` with one error: how Wiro refuses at HTTP 200 (§3)."""
    return {"result": False, "errors": [{"code": code, "message": message}], **extra}


# -- 5.2 Detail: the twilio-voice credential ------------------------------------------------------------


def twilio_credential(*, authtoken: Any = MASK, required_missing: bool | None = False, **fields: Any) -> dict:
    """The `twilio-voice` object of Detail (§5.2 example): flags, then the field values."""
    cred: dict[str, Any] = {"_connected": False, "optional": False, "extra": False}
    if required_missing is not None:
        cred["_required_missing"] = required_missing
    cred.update({
        "accountsid": SID, "authtoken": authtoken, "phonenumbers": list(NUMBERS), "maxcallseconds": 900,
        "whitelistedcallers": [], "holdstrategy": "text", "holdtext": "Please hold, connecting you now.",
        "holdvoice": "Polly.Joanna-Neural", "holdaudio": None, "holdmusic": None,
    })
    cred.update(fields)
    if authtoken is ABSENT:
        del cred["authtoken"]
    return cred


def useragent_newest(*, status: int = 4, setuprequired: bool = False, credential: dict | None = None,
                     wiro_apikey: str = "", **extra: Any) -> dict[str, Any]:
    """A Detail useragent in the newest shape: credentials at top level, numeric lifecycle times (§4, §5.1, §5.2)."""
    agent = {
        "guid": GUID, "uuid": "u-1", "agentguid": "t-9", "teamguid": None, "title": "Front desk",
        "status": status, "setuprequired": setuprequired, "tier": "starter", "monthlycredits": 400,
        "extracredits": 0, "usedcredits": 37, "remainingcredits": 363, "creditperiod": "2026-09",
        "subscription": {"plan": "agent", "status": "active", "provider": "prepaid", "daysremaining": 12},
        "agent": {"slug": "voice-receptionist", "title": "Voice Receptionist"},
        "createdat": T0, "updatedat": T0 + 60, "queuedat": T0 + 300, "startedat": T0 + 330,
        "runningat": T0 + 400 if status == 4 else None, "stoppingat": None, "stopdat": None, "errordat": None,
        "credentials": {
            "twilio-voice": credential if credential is not None else twilio_credential(),
            "wiro": {"_connected": False, "optional": False, "extra": False, "_required_missing": False,
                     "apikey": wiro_apikey},
        },
    }
    agent.update(extra)
    return agent


def detail_newest(**kwargs: Any) -> dict[str, Any]:
    return _ok(useragents=[useragent_newest(**kwargs)])


def detail_setup_required(*, authtoken: Any = ABSENT) -> dict[str, Any]:
    """A freshly deployed agent: status 6, `setuprequired`, the card needs attention, nothing filled in."""
    cred = twilio_credential(authtoken=authtoken, required_missing=True, accountsid="", phonenumbers=[],
                             holdstrategy="none", holdtext="", holdvoice="")
    return detail_newest(status=6, setuprequired=True, credential=cred)


def detail_older(*, status: int = 4, restartafter: bool = False, **cred_fields: Any) -> dict[str, Any]:
    """Detail in the older shape (agent-overview.md 49e7c86): `configuration.credentials`, timestamps as numeric
    strings, `id`/`agentid`, `restartafter`, the token as the mask."""
    cred = twilio_credential(required_missing=None, **cred_fields)
    return _ok(useragents=[{
        "id": 81, "agentid": 9, "guid": GUID, "title": "Front desk", "status": status, "setuprequired": False,
        "restartafter": restartafter, "createdat": str(T0), "updatedat": str(T0 + 60),
        "agent": {"slug": "voice-receptionist", "title": "Voice Receptionist"},
        "configuration": {"credentials": {"twilio-voice": cred}, "custom_skills": [], "skills": []},
    }])


def detail_restarting() -> dict[str, Any]:
    """The restart the newest docs describe (no flag): status 1, `queuedat` set at the `stoppingat` instant."""
    return detail_newest(status=1, stoppingat=T0 + 900, queuedat=T0 + 900, runningat=None)


# -- 5.1 MyAgents ------------------------------------------------------------------------------------------


def my_agents_newest() -> dict[str, Any]:
    row = useragent_newest()
    del row["credentials"]  # MyAgents carries no credentials (§5.1)
    second = {**row, "guid": OTHER_GUID, "title": "Night line", "status": 6, "setuprequired": True,
              "runningat": None}
    return _ok(useragents=[row, second])


def my_agents_older() -> dict[str, Any]:
    return _ok(useragents=[{"id": 81, "agentid": 9, "guid": GUID, "title": "Front desk", "status": "4",
                            "createdat": str(T0), "startedat": str(T0 + 330)}])


# -- 5.3 Update ---------------------------------------------------------------------------------------------


def update_left_setup() -> dict[str, Any]:
    """Update's answer once Wiro re-checked setup: 6 → 0 (§5.3 example)."""
    return _ok(useragents=[{"guid": GUID, "status": 0, "setuprequired": False, "title": "Front desk",
                            "credentials": {"twilio-voice": {"_connected": False, "optional": False}},
                            "queuedat": None, "stoppingat": None}])


def update_still_setup() -> dict[str, Any]:
    return _ok(useragents=[{"guid": GUID, "status": 6, "setuprequired": True, "title": "Front desk",
                            "credentials": {"twilio-voice": {"_required_missing": False},
                                            "wiro": {"_required_missing": True, "apikey": ""}}}])


# -- 5.5 CredentialUpsert -------------------------------------------------------------------------------------

NO_MATCH = "no matching IncomingPhoneNumber on Twilio account"


def upsert_updated(numbers: list[str] | None = None, applied: int = 8) -> dict[str, Any]:
    return _ok(applied=applied, twilioWebhooksUpdated=list(NUMBERS if numbers is None else numbers))


def upsert_skipped(reason: str = NO_MATCH, applied: int = 8) -> dict[str, Any]:
    """Newest: one reason string, sent INSTEAD of twilioWebhooksUpdated."""
    return _ok(applied=applied, twilioWebhookSkipped=reason)


def upsert_failed(applied: int = 8) -> dict[str, Any]:
    """Newest: failed numbers as {phoneNumber, error} objects, beside the updated ones."""
    return _ok(applied=applied, twilioWebhooksUpdated=[NUMBERS[0]],
               twilioWebhooksFailed=[{"phoneNumber": NUMBERS[1], "error": "Twilio error 21452: number not owned"}])


def upsert_webhook_error(applied: int = 8) -> dict[str, Any]:
    return _ok(applied=applied, twilioWebhookError="Twilio authentication failed")


def upsert_rejected() -> dict[str, Any]:
    """Newest all-or-nothing validation: a bad row rejects the request; no `applied`, nothing saved."""
    return {"result": False, "errors": [{"code": 0, "message": "Account SID is managed by Wiro"}]}


def upsert_partial() -> dict[str, Any]:
    """Newest post-validation failure: the other rows stay saved (`applied` present, result false)."""
    return {"result": False, "applied": 6, "errors": [{"code": 0, "message": "row 3 failed: maxcallseconds could not be stored"}],
            "twilioWebhooksUpdated": list(NUMBERS)}


def upsert_older_skipped_numbers() -> dict[str, Any]:
    """Older (1b53047): `twilioWebhookSkipped` as numbers, `twilioWebhooksFailed` as numbers."""
    return _ok(twilioWebhooksUpdated=[NUMBERS[0]], twilioWebhookSkipped=[NUMBERS[1]], twilioWebhooksFailed=[])


def upsert_older_skipped_rows() -> dict[str, Any]:
    """Older, as a refusal: a bad row skipped (result false, no `applied`) while the rest was written — told
    apart from the newest all-or-nothing rejection by the webhook lists, which only a save produces."""
    return {"result": False, "errors": [{"code": 0, "message": "Max call seconds (maxcallseconds): must be a number"}],
            "twilioWebhooksUpdated": list(NUMBERS), "twilioWebhookSkipped": [], "twilioWebhooksFailed": []}


def upsert_older_partial() -> dict[str, Any]:
    """Older: invalid rows skipped and reported, the rest written (result true, errors present)."""
    return {"result": True, "errors": [{"code": 0, "message": "Invalid value for maxcallseconds"}],
            "twilioWebhooksUpdated": list(NUMBERS)}


# -- 5.6 CredentialFileUpload ------------------------------------------------------------------------------

FILE_UPLOAD_ERRORS = (
    "File required (form field name: file)", "Unknown credential: twilio-voice", "Unknown field: holdmusic",
    "Field is not a fileinput type", "Invalid file type. Allowed: audio/mpeg, audio/wav",
    "File too large. Max: 10240 KB", "Could not resolve upload folder", "Upload failed",
)


def file_upload_ok(fieldname: str = "holdmusic") -> dict[str, Any]:
    return _ok(url=f"https://cdn.wiro.ai/uploads/users/u-1/{fieldname}_1760000000_12345.wav",
               credentialkey="twilio-voice", fieldname=fieldname)


# -- 5.7 / 5.8 Start and Stop ---------------------------------------------------------------------------------

START_OK = _ok(useragents=[])
START_REFUSALS = {
    "running": "Agent is already running",
    "queued": "Agent is already queued to start",
    "stopping": "Agent is currently stopping, please wait",
    "setup": "Agent setup is not complete. Please fill in your credentials before starting.",
    "subscription": "Subscription required — please subscribe to this agent before starting it.",
    "subscription_older": "Active subscription required to start agent. Please renew your subscription.",
    "credits_table": "No credits available. Please renew your subscription or purchase extra credits.",
    "credits_prose": "Agent has no remaining credits. Renew your subscription or buy a credit pack to continue.",
}
AGENTBALANCE = {"monthlycredits": 400, "extracredits": 0, "usedcredits": 400, "remainingcredits": 0}


def start_refused(key: str) -> dict[str, Any]:
    extra = {"agentbalance": dict(AGENTBALANCE)} if key == "credits_prose" else {}
    return refusal(START_REFUSALS[key], **extra)


# -- errors of every endpoint (§3, §13) ------------------------------------------------------------------------

AUTH_401_MESSAGES = (
    "Project authorization is not founded.",
    "Project requires signature authentication. x-signature and x-nonce headers are required.",
    "Project authorization is not valid.",
    "Requested ip 203.0.113.7 is not allowed.",
)
AUTH_AT_200 = refusal("Project authorization is not valid.")
ACCESS_DENIED_403 = refusal("useragent-access-denied", 96)
TEAM_ADMIN_403 = refusal("useragent-team-admin-required", 97)
AGENT_GONE = refusal("useragent-not-found", 95)
AGENT_GONE_TEXT = refusal("User agent not found")


# -- 5.9 TwilioCallHistory/List ---------------------------------------------------------------------------------

MS0 = T0 * 1000


def history_newest() -> dict[str, Any]:
    """Rows newest first; `startedAt`/`endedAt` epoch milliseconds; a rejected row with nulls (§5.9 example)."""
    return _ok(data=[
        {"messageguid": "7e0f-1", "agenttoken": "c91d", "channel": "twilio", "callsid": "CA5f0e",
         "callerInfo": {"number": "+447700900123", "country": "GB"},
         "callerProfile": "New caller asking about opening hours.", "status": "realtime_session",
         "endReason": "twilio_disconnect", "durationSeconds": 64, "modelSlug": "gpt-realtime-mini",
         "startedAt": MS0 + 1_000_000, "endedAt": MS0 + 1_064_000},
        {"messageguid": "a3b2-2", "agenttoken": "c91e", "channel": "twilio", "callsid": "CA77aa",
         "callerInfo": {"number": "+447700900456", "country": "GB"}, "callerProfile": None,
         "status": "realtime_session_rejected", "endReason": None, "durationSeconds": None,
         "modelSlug": None, "startedAt": MS0 + 900_000, "endedAt": None},
    ])


def history_edges() -> dict[str, Any]:
    """Edge values: numbers as strings, a null `callsid` (C16), a web row, times in seconds by mistake."""
    return _ok(data=[
        {"messageguid": "w-3", "agenttoken": "c91f", "channel": "web", "callsid": None,
         "callerInfo": {"page_url": "https://example.com/contact"}, "callerProfile": None,
         "status": "realtime_session", "endReason": "browser_disconnect", "durationSeconds": "30",
         "modelSlug": "gpt-realtime-mini", "startedAt": str(MS0 + 2_000_000), "endedAt": str(MS0 + 2_030_000)},
        {"messageguid": "s-4", "agenttoken": "c920", "channel": "twilio", "callsid": "CA88bb",
         "callerInfo": {"number": "+447700900789", "country": "GB"}, "callerProfile": None,
         "status": "realtime_session", "endReason": "wiro_completed", "durationSeconds": 12,
         "modelSlug": None, "startedAt": T0 + 1500, "endedAt": T0 + 1512},
    ])


# -- 5.11 Message/Detail --------------------------------------------------------------------------------------


def message_detail_newest() -> dict[str, Any]:
    return _ok(data={"guid": "7e0f-1", "uuid": "u-1", "agenttoken": "c91d", "user": None,
                     "sessionkey": "voice-call-CA5f0e", "content": "", "response": "", "status": "agent_end",
                     "metadata": {"type": "realtime_session", "callsid": "CA5f0e",
                                  "callerInfo": {"number": "+447700900123", "country": "GB"},
                                  "startedAt": MS0 + 1_000_000, "transcript": [{"role": "user", "text": "Hi"}]},
                     "timeline": [], "attachments": [], "createdat": T0 + 1000, "startedat": T0 + 1000,
                     "endedat": T0 + 1064, "inputtokens": None, "tokencost": None})


def message_detail_older() -> dict[str, Any]:
    """Older (agent-messaging.md 49e7c86): the times as numeric strings."""
    answer = message_detail_newest()
    data = answer["data"]
    for key in ("createdat", "startedat", "endedat"):
        data[key] = str(data[key])
    return answer


# -- 5.12 / §8 Logs -------------------------------------------------------------------------------------------

NEWEST_KINDS = ("tool_started", "tool_completed", "turn_started", "turn_ended", "cron_started", "cron_finished",
                "session_start", "session_end", "user_message", "agent_reply", "token_usage",
                "token_usage_idempotent", "balance_gate_blocked")
OLDER_KINDS = ("tool", "turn", "session", "message", "cron", "deduct", "system")


def logs_newest() -> dict[str, Any]:
    """Newest (651c97b): ISO `ts`, newest first (`events[0]` is the latest), fine kinds incl. token usage."""
    return _ok(date="2026-09-02", totalLines=311, events=[
        {"ts": "2026-09-02T10:15:04.120Z", "kind": "token_usage", "title": "Turn billed — 3 credits",
         "summary": {"trigger": "chat"}, "model": "openai/gpt-5.4",
         "tokens": {"input": 1200, "output": 300, "cacheRead": 800, "cacheWrite": 0, "total": 2300},
         "tokencost": 3, "durationMs": 2900, "calls": 1, "remainingcredits": 360, "ok": True,
         "userUuid": "system", "user": None},
        {"ts": "2026-09-02T10:14:58.004Z", "kind": "tool_completed", "tool": "exec", "title": "Checked calendar",
         "summary": {"skill": "int-google-calendar"}, "durationMs": 640, "ok": True, "userUuid": "system",
         "user": None},
        {"ts": "2026-09-02T10:14:57.364Z", "kind": "tool_started", "tool": "exec", "title": "Checking calendar",
         "summary": {"skill": "int-google-calendar"}, "userUuid": "system", "user": None},
        {"ts": "2026-09-02T10:14:50.000Z", "kind": "balance_gate_blocked", "title": "Turn refused: pool empty",
         "ok": False, "userUuid": "system", "user": None},
        {"ts": "2026-09-02T10:14:40.500Z", "kind": "reflection_saved", "title": "A kind no doc lists",
         "summary": {"notes": 2}},
    ])


def logs_iso_ascending() -> dict[str, Any]:
    """1b53047: ISO `ts` and fine kinds already, but still oldest first."""
    answer = logs_newest()
    answer["events"] = list(reversed(answer["events"]))
    return answer


def logs_older() -> dict[str, Any]:
    """Older (dc61d74): numeric `ts` (unix seconds), ascending, coarse kinds with action/skill/details."""
    return _ok(date="2026-04-17", totalLines=5, events=[
        {"ts": T0 + 10, "kind": "session", "action": "session_start", "skill": None, "session": "s-1",
         "userUuid": "system", "user": None, "details": {}},
        {"ts": T0 + 20, "kind": "tool", "action": "wordpress-publish", "skill": "int-wordpress", "session": "s-1",
         "userUuid": "system", "user": None, "details": {"postId": 17, "ok": True}},
        {"ts": T0 + 30, "kind": "cron", "action": "cron-tick", "skill": None, "session": None, "details": {}},
        {"ts": T0 + 40, "kind": "deduct", "action": "message", "skill": None, "session": "s-1",
         "details": {"credits": 3}},
        {"ts": str(T0 + 50), "kind": "turn", "action": "agent_end", "skill": None, "session": "s-1",
         "details": {"durationMs": 1200}},
    ])


# -- 5.14 TransactionList -------------------------------------------------------------------------------------


def transactions_newest() -> dict[str, Any]:
    return _ok(total=42, summary={"monthlycredits": 400, "extracredits": 0, "usedcredits": 37,
                                  "remainingcredits": 363, "creditperiod": "2026-09", "creditsyncat": T0 + 1100,
                                  "byModel": [{"model": "openai/gpt-5.4", "totaltokens": 18400, "tokencost": 21,
                                               "turncount": 7}]},
               transactions=[{"guid": "t-1", "type": "deduct", "action": "tokens", "amount": -3, "balanceafter": 363,
                              "messageguid": "7e0f-1", "model": "openai/gpt-5.4", "tokencost": 3, "provider": "agent",
                              "uuid": "system", "user": None, "createdat": T0 + 1070}])


def transactions_legacy() -> dict[str, Any]:
    """Legacy rows the newest docs tolerate (C9, C25): `realtime`, `cancel`, strings for numbers."""
    return _ok(total="2", summary={}, transactions=[
        {"guid": "t-2", "type": "deduct", "action": "realtime", "amount": "-1.5", "balanceafter": "361.5",
         "messageguid": "7e0f-1", "createdat": str(T0 + 1064)},
        {"guid": "t-3", "type": "cancel", "action": None, "amount": 0, "createdat": (T0 + 1000) * 1000}])


# -- Twilio (twilio.md) for the webhook verdicts ------------------------------------------------------------------

WIRO_VOICE_URL = f"https://api.wiro.ai/v1/AgentRealtime/Twilio?agent={GUID}"  # a guess: the URL is undocumented


def twilio_account(status: str = "active") -> dict[str, Any]:
    return {"sid": SID, "friendly_name": "Front desk Ltd", "status": status, "type": "Full",
            "owner_account_sid": SID, "auth_token": "never-shown-0123456789abcdef01", "uri": f"/2010-04-01/Accounts/{SID}.json"}


def twilio_numbers(voice_url: str = WIRO_VOICE_URL) -> dict[str, Any]:
    def number(e164: str, i: int) -> dict[str, Any]:
        return {"sid": f"PN{i:032x}", "phone_number": e164, "friendly_name": f"Line {i}", "voice_url": voice_url,
                "voice_method": "POST", "status_callback": "https://api.wiro.ai/v1/Twilio/Status",
                "status_callback_method": "POST", "voice_application_sid": None, "trunk_sid": None,
                "voice_receive_mode": "voice", "capabilities": {"voice": True, "sms": True, "mms": False, "fax": False}}

    return {"incoming_phone_numbers": [number(n, i) for i, n in enumerate(NUMBERS, 1)], "page": 0, "page_size": 1000,
            "next_page_uri": None, "uri": f"/2010-04-01/Accounts/{SID}/IncomingPhoneNumbers.json"}


def twilio_error(status: int, code: int, message: str) -> dict[str, Any]:
    return {"code": code, "message": message, "more_info": f"https://www.twilio.com/docs/errors/{code}", "status": status}


# -- shape checkers --------------------------------------------------------------------------------------------
#
# Each returns the problems it found ([] = a documented shape). `shape` picks "newest" or "older"; None accepts
# either. They check what the client relies on, not every field.

_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:?\d{2})$")


def _envelope(body: Any) -> list[str]:
    if not isinstance(body, dict):
        return ["the answer is not a JSON object"]
    problems = []
    if not isinstance(body.get("result"), bool):
        problems.append("`result` is not a boolean")
    if not isinstance(body.get("errors", []), list):
        problems.append("`errors` is not a list")
    return problems


def _number_or_null(value: Any) -> bool:
    return value is None or (isinstance(value, (int, float)) and not isinstance(value, bool))


def _numeric_string_or_null(value: Any) -> bool:
    return value is None or (isinstance(value, str) and value.strip().lstrip("-").isdigit())


def _useragents(body: Any) -> list[Any]:
    items = body.get("useragents") if isinstance(body, dict) else None
    return items if isinstance(items, list) else []


LIFECYCLE = ("createdat", "updatedat", "queuedat", "startedat", "runningat", "stoppingat", "stopdat", "errordat")


def check_my_agents(body: Any, shape: str | None = None) -> list[str]:
    problems = _envelope(body)
    items = _useragents(body)
    if not isinstance(body, dict) or not isinstance(body.get("useragents"), list):
        return problems + ["no `useragents` list"]
    for i, row in enumerate(items):
        if not isinstance(row, dict) or not isinstance(row.get("guid"), str):
            problems.append(f"useragents[{i}] has no guid")
            continue
        times = [row[k] for k in LIFECYCLE if k in row]
        if shape == "newest":
            if "credentials" in row:
                problems.append(f"useragents[{i}] carries `credentials` (MyAgents does not)")
            if not all(_number_or_null(t) for t in times):
                problems.append(f"useragents[{i}] lifecycle times are not numbers or null")
            if not isinstance(row.get("setuprequired"), bool):
                problems.append(f"useragents[{i}] has no boolean `setuprequired`")
        elif shape == "older":
            if not all(_numeric_string_or_null(t) or _number_or_null(t) for t in times):
                problems.append(f"useragents[{i}] lifecycle times are neither numbers nor numeric strings")
        elif not all(_number_or_null(t) or _numeric_string_or_null(t) for t in times):
            problems.append(f"useragents[{i}] lifecycle times are neither numbers nor numeric strings")
    return problems


def _twilio_card(card: Any, where: str, shape: str | None) -> list[str]:
    if not isinstance(card, dict):
        return [f"{where} is not an object"]
    problems = []
    if shape == "newest" and not isinstance(card.get("_required_missing"), bool):
        problems.append(f"{where} has no boolean `_required_missing`")
    token = card.get("authtoken", None)
    if token not in (None, "", MASK):
        problems.append(f"{where}.authtoken is neither absent, null, empty nor the mask")
    if "phonenumbers" in card and not isinstance(card["phonenumbers"], list):
        problems.append(f"{where}.phonenumbers is not a list")
    return problems


def check_detail(body: Any, shape: str | None = None) -> list[str]:
    problems = _envelope(body)
    items = _useragents(body)
    if len(items) != 1 or not isinstance(items[0], dict):
        return problems + ["`useragents` does not hold exactly one agent"]
    agent = items[0]
    top = agent.get("credentials")
    older = agent.get("configuration", {}).get("credentials") if isinstance(agent.get("configuration"), dict) else None
    if shape == "newest":
        if not isinstance(top, dict):
            problems.append("no top-level `credentials` object")
        else:
            if "twilio-voice" in top:
                problems += _twilio_card(top["twilio-voice"], "credentials.twilio-voice", "newest")
        if not isinstance(agent.get("setuprequired"), bool):
            problems.append("no boolean `setuprequired`")
        if not all(_number_or_null(agent[k]) for k in LIFECYCLE if k in agent):
            problems.append("lifecycle times are not numbers or null")
        if "restartafter" in agent:
            problems.append("`restartafter` is named (the newest docs no longer show it)")
    elif shape == "older":
        if not isinstance(older, dict):
            problems.append("no `configuration.credentials` object")
        elif "twilio-voice" in older:
            problems += _twilio_card(older["twilio-voice"], "configuration.credentials.twilio-voice", "older")
    else:
        creds = top if isinstance(top, dict) else older
        if not isinstance(creds, dict):
            problems.append("no credentials object (top level or under configuration)")
        elif "twilio-voice" in creds:
            problems += _twilio_card(creds["twilio-voice"], "credentials.twilio-voice", None)
    return problems


def check_update(body: Any, shape: str | None = None) -> list[str]:
    problems = _envelope(body)
    items = _useragents(body)
    if body.get("result") is True and (len(items) != 1 or not isinstance(items[0], dict)
                                       or not isinstance(items[0].get("status"), int)):
        problems.append("`useragents` does not hold one agent with a numeric status")
    return problems


def check_credential_upsert(body: Any, shape: str | None = None) -> list[str]:
    problems = _envelope(body)
    if problems:
        return problems
    if body["result"] is True and shape == "newest" and not isinstance(body.get("applied"), int):
        problems.append("a success without a numeric `applied`")
    updated = body.get("twilioWebhooksUpdated")
    skipped = body.get("twilioWebhookSkipped")
    failed = body.get("twilioWebhooksFailed")
    error = body.get("twilioWebhookError")
    if updated is not None and not (isinstance(updated, list) and all(isinstance(n, str) for n in updated)):
        problems.append("`twilioWebhooksUpdated` is not a list of numbers")
    if error is not None and not isinstance(error, str):
        problems.append("`twilioWebhookError` is not a string")
    newest_skip = skipped is None or isinstance(skipped, str)
    older_skip = skipped is None or (isinstance(skipped, list) and all(isinstance(n, str) for n in skipped))
    newest_fail = failed is None or (isinstance(failed, list) and all(
        isinstance(f, dict) and isinstance(f.get("phoneNumber"), str) and isinstance(f.get("error"), str) for f in failed))
    older_fail = failed is None or (isinstance(failed, list) and all(isinstance(f, str) for f in failed))
    if shape == "newest":
        if not newest_skip:
            problems.append("`twilioWebhookSkipped` is not one reason string")
        if not newest_fail:
            problems.append("`twilioWebhooksFailed` is not a list of {phoneNumber, error}")
        if isinstance(skipped, str) and updated:
            problems.append("`twilioWebhookSkipped` came beside `twilioWebhooksUpdated` (it replaces it)")
    elif shape == "older":
        if not older_skip:
            problems.append("`twilioWebhookSkipped` is not a list of numbers")
        if not older_fail:
            problems.append("`twilioWebhooksFailed` is not a list of numbers")
    else:
        if not (newest_skip or older_skip):
            problems.append("`twilioWebhookSkipped` is neither a string nor a list of strings")
        if not (newest_fail or older_fail):
            problems.append("`twilioWebhooksFailed` is neither objects nor numbers")
    if body["result"] is False and shape == "newest" and "applied" in body and not isinstance(body["applied"], int):
        problems.append("`applied` is not a number")
    return problems


def check_credential_file_upload(body: Any, shape: str | None = None) -> list[str]:
    problems = _envelope(body)
    if not problems and body["result"] is True:
        for key in ("url", "credentialkey", "fieldname"):
            if not isinstance(body.get(key), str):
                problems.append(f"no `{key}` string")
    if not problems and body["result"] is False:
        messages = [e.get("message") for e in body.get("errors", []) if isinstance(e, dict)]
        known = [m for m in messages if isinstance(m, str) and any(m.startswith(p.split(":")[0]) for p in FILE_UPLOAD_ERRORS)]
        if not known:
            problems.append("a refusal that is none of the seven documented messages")
    return problems


def check_start_stop(body: Any, shape: str | None = None) -> list[str]:
    problems = _envelope(body)
    if not problems and body["result"] is True and body.get("useragents") != []:
        problems.append("a success whose `useragents` is not the empty list")
    return problems


def check_call_history(body: Any, shape: str | None = None) -> list[str]:
    problems = _envelope(body)
    rows = body.get("data") if isinstance(body, dict) else None
    if not isinstance(rows, list):
        return problems + ["no `data` list"]
    statuses = {"realtime_session_incoming", "realtime_session_active", "realtime_session", "realtime_session_rejected"}
    last = None
    for i, row in enumerate(rows):
        if not isinstance(row, dict) or not isinstance(row.get("messageguid"), str):
            problems.append(f"data[{i}] has no messageguid")
            continue
        if row.get("status") not in statuses:
            problems.append(f"data[{i}].status {row.get('status')!r} is not a documented status")
        started = row.get("startedAt")
        if not _number_or_null(started):
            problems.append(f"data[{i}].startedAt is not a number (epoch ms) or null")
        elif started is not None and started < 1e11:
            problems.append(f"data[{i}].startedAt looks like seconds, not milliseconds")
        if started is not None and last is not None and isinstance(started, (int, float)) and started > last:
            problems.append(f"data[{i}] is newer than the row before it (newest first)")
        last = started if isinstance(started, (int, float)) else last
    return problems


def check_message_detail(body: Any, shape: str | None = None) -> list[str]:
    problems = _envelope(body)
    data = body.get("data") if isinstance(body, dict) else None
    if not isinstance(data, dict):
        return problems + ["no `data` object"]
    times = [data[k] for k in ("createdat", "startedat", "endedat") if k in data and data[k] not in (None, "")]
    if shape == "newest" and not all(_number_or_null(t) for t in times):
        problems.append("times are not numbers (epoch seconds)")
    if shape == "older" and not all(_numeric_string_or_null(t) for t in times):
        problems.append("times are not numeric strings")
    if shape is None and not all(_number_or_null(t) or _numeric_string_or_null(t) for t in times):
        problems.append("times are neither numbers nor numeric strings")
    if not isinstance(data.get("metadata", {}), dict):
        problems.append("`metadata` is not an object")
    return problems


def check_logs(body: Any, shape: str | None = None) -> list[str]:
    problems = _envelope(body)
    events = body.get("events") if isinstance(body, dict) else None
    if not isinstance(events, list):
        return problems + ["no `events` list"]
    iso = all(isinstance(e, dict) and isinstance(e.get("ts"), str) and _ISO.match(e["ts"]) for e in events)
    numeric = all(isinstance(e, dict) and e.get("ts") is not None
                  and (_number_or_null(e["ts"]) or _numeric_string_or_null(e["ts"])) for e in events)
    stamps = [e.get("ts") for e in events if isinstance(e, dict)]
    if shape == "newest":
        if not iso:
            problems.append("`ts` is not ISO 8601 on every event")
        elif stamps != sorted(stamps, reverse=True):
            problems.append("events are not newest first")
        if not all(isinstance(e.get("title"), str) for e in events if isinstance(e, dict)):
            problems.append("an event has no `title`")
    elif shape == "older":
        if not numeric:
            problems.append("`ts` is not a number on every event")
        elif [float(t) for t in stamps] != sorted(float(t) for t in stamps):
            problems.append("events are not oldest first")
        unknown = {e.get("kind") for e in events if isinstance(e, dict)} - set(OLDER_KINDS)
        if unknown:
            problems.append(f"kinds outside the older set: {sorted(map(str, unknown))}")
    elif not (iso or numeric):
        problems.append("`ts` is neither ISO 8601 nor a number on every event")
    return problems


def check_transaction_list(body: Any, shape: str | None = None) -> list[str]:
    problems = _envelope(body)
    if not isinstance(body, dict) or not isinstance(body.get("transactions"), list):
        return problems + ["no `transactions` list"]
    if shape == "newest" and not isinstance(body.get("total"), int):
        problems.append("no numeric `total`")
    for i, row in enumerate(body["transactions"]):
        if not isinstance(row, dict) or not isinstance(row.get("type"), str):
            problems.append(f"transactions[{i}] has no type")
    return problems


CHECKERS: dict[str, Callable[..., list[str]]] = {
    "UserAgent/MyAgents": check_my_agents,
    "UserAgent/Detail": check_detail,
    "UserAgent/Update": check_update,
    "UserAgent/CredentialUpsert": check_credential_upsert,
    "UserAgent/CredentialFileUpload": check_credential_file_upload,
    "UserAgent/Start": check_start_stop,
    "UserAgent/Stop": check_start_stop,
    "UserAgent/TwilioCallHistory/List": check_call_history,
    "UserAgent/Message/Detail": check_message_detail,
    "UserAgent/Logs": check_logs,
    "UserAgent/TransactionList": check_transaction_list,
}

#: every documented variant, by endpoint: (name, the shape it is, the answer)
VARIANTS: dict[str, list[tuple[str, str | None, Callable[[], Any]]]] = {
    "UserAgent/MyAgents": [("newest", "newest", my_agents_newest), ("older", "older", my_agents_older)],
    "UserAgent/Detail": [
        ("newest", "newest", detail_newest),
        ("token empty", "newest", lambda: detail_newest(credential=twilio_credential(authtoken=""))),
        ("token absent", "newest", lambda: detail_newest(credential=twilio_credential(authtoken=ABSENT))),
        ("token null", "newest", lambda: detail_newest(credential=twilio_credential(authtoken=None))),
        ("setup required", "newest", detail_setup_required),
        ("restarting", "newest", detail_restarting),
        ("older", "older", detail_older),
    ],
    "UserAgent/Update": [("left setup", "newest", update_left_setup), ("still setup", "newest", update_still_setup)],
    "UserAgent/CredentialUpsert": [
        ("updated", "newest", upsert_updated), ("skipped", "newest", upsert_skipped),
        ("failed", "newest", upsert_failed), ("webhook error", "newest", upsert_webhook_error),
        ("rejected", "newest", upsert_rejected), ("partial", "newest", upsert_partial),
        ("older skipped numbers", "older", upsert_older_skipped_numbers),
        ("older partial", "older", upsert_older_partial),
        ("older skipped rows", "older", upsert_older_skipped_rows),
    ],
    "UserAgent/CredentialFileUpload": [("ok", "newest", file_upload_ok)] + [
        (message, "newest", (lambda m=message: refusal(m))) for message in FILE_UPLOAD_ERRORS],
    "UserAgent/Start": [("ok", "newest", lambda: copy.deepcopy(START_OK))] + [
        (key, "newest", (lambda k=key: start_refused(k))) for key in START_REFUSALS],
    "UserAgent/TwilioCallHistory/List": [("newest", "newest", history_newest)],
    "UserAgent/Message/Detail": [("newest", "newest", message_detail_newest), ("older", "older", message_detail_older)],
    "UserAgent/Logs": [("newest", "newest", logs_newest), ("1b53047", None, logs_iso_ascending),
                       ("older", "older", logs_older)],
    "UserAgent/TransactionList": [("newest", "newest", transactions_newest), ("legacy", None, transactions_legacy)],
}
