"""Wiro endpoint handlers: ``(world, body, ctx) -> payload``, called with ``world.lock`` held.

Refusals are HTTP 200 with ``result: false`` as on the real API, except the access refusals (403, codes 96
and 97); routing and authentication errors are decided in server.py.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from . import views
from .auth import TEAM, Project
from .calls import history_row
from .calls import message_detail as detail_data
from .credentials import (FILE_MAX_KB, FILE_REF, FILE_TYPES, REGISTRY, TWILIO_KEY, UpsertError, apply_rows,
                          check_rows, label_of, merge_values, public_detail)
from .files import AUDIO_ALIASES, MAX_UPLOAD_BYTES, content_type_for, parse_multipart
from .logs import CACHE_SECONDS, call_events, cron_events, day_bounds, to_older, user_object
from .ledger import by_model
from .timefmt import iso_z, utc_date
from .webhooks import answer_newest, answer_older, configure_numbers, wiro_status_url, wiro_voice_url
from .world import RUNNING, Agent, World

AGENT_NOT_FOUND = "User agent not found"
NOT_FOUND_CODE = "useragent-not-found"
ACCESS_DENIED = "useragent-access-denied"
TEAM_ADMIN_REQUIRED = "useragent-team-admin-required"
TEAM_ADMIN_ONLY = "Only a team admin can perform this action on a team-owned agent."
NOT_ON_WORKER = "Agent is not assigned to a worker. It may not be running."
READ, ADMIN, LOGS = "read", "admin", "logs"


class Refusal(Exception):
    """Ends a handler with ``result: false``; ``code`` as in Wiro's error reference, ``status`` the HTTP status,
    ``extra`` more top-level keys (e.g. ``agentbalance``)."""

    def __init__(self, message: str, code: int = 0, status: int = 200, extra: dict | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.status = status
        self.extra = extra or {}


@dataclass(frozen=True)
class Ctx:
    """Who is asking (the project behind the API key) and the fault rolled for this request, if any."""

    project: Project = Project()
    fault: str | None = None


def ok(**payload) -> dict:
    """A successful envelope."""
    return {"result": True, "errors": [], **payload}


def failure(message: str, code: int = 0) -> dict:
    """A ``result: false`` envelope."""
    return {"result": False, "errors": [{"code": code, "message": message}]}


def _int(body: dict, name: str, default: int, lo: int, hi: int) -> int:
    value = body.get(name, default)
    if value is None or value == "":
        return default
    try:
        n = int(value)
    except (TypeError, ValueError, OverflowError):  # OverflowError: Infinity, 1e400
        raise Refusal(f"{name} must be a number") from None
    return max(lo, min(hi, n))


def access(world: World, guid: object, field: str, need: str) -> Agent:
    """The agent named by ``guid`` if the caller may ``need`` (read / admin / logs) it, else Wiro's refusal.

    Detail and the call history: owner or team member. Start, Stop, Update and credential writes: owner or
    team admin (members: 97). Logs and TransactionList: owner or team admin (older docs: any team member).
    Unknown or soft-deleted agents: 95; someone else's agent: 403 with 96.
    """
    if not guid or not isinstance(guid, str):
        raise Refusal(f"{field} is required")
    agent = world.agents.get(guid)
    if agent is None or agent.deleted:
        raise Refusal(NOT_FOUND_CODE if need == LOGS else AGENT_NOT_FOUND, 95)
    if agent.foreign:
        raise Refusal(ACCESS_DENIED, 96, 403)
    if agent.teamguid and not agent.team_admin:
        if need == ADMIN:
            raise Refusal(TEAM_ADMIN_ONLY, 97, 403)
        if need == LOGS and not world.older:
            raise Refusal(TEAM_ADMIN_REQUIRED, 97, 403)
    return agent


# -- agents ------------------------------------------------------------------------------------------


def my_agents(world: World, body: dict, ctx: Ctx) -> dict:
    """MyAgents: the key's workspace only, paged by ``start``/``limit`` (≤1000, default 20), sorted."""
    now = world.advance()
    limit = _int(body, "limit", 20, 1, 1000)
    start = _int(body, "start", 0, 0, 10**9)
    sorts = {"id": lambda a: a.id, "title": lambda a: a.title.lower(), "status": lambda a: (a.status, a.id),
             "createdat": lambda a: a.created, "updatedat": lambda a: a.updated,
             "startedat": lambda a: a.stamps["startedat"] or 0, "runningat": lambda a: a.stamps["runningat"] or 0,
             "stopdat": lambda a: a.stamps["stopdat"] or 0}
    sort = body.get("sort") if body.get("sort") in sorts else "id"
    desc = str(body.get("order") or "DESC").upper() != "ASC"
    team = ctx.project.workspace == TEAM
    mine = [a for a in world.agents.values()
            if not a.deleted and not a.foreign and (a.teamguid is not None) == team]
    agents = sorted(mine, key=sorts[sort], reverse=desc)[start:start + limit]
    if world.older:
        return ok(useragents=[views.row_older(a) for a in agents])
    return ok(useragents=[views.row_newest(world, a, world.ledger(a, now), now) for a in agents])


def _detail_item(world: World, agent: Agent, now: float, *, for_update: bool = False) -> dict:
    if world.older:
        return views.detail_older(world, agent)
    return views.detail_newest(world, agent, world.ledger(agent, now), now, for_update=for_update)


def detail(world: World, body: dict, ctx: Ctx) -> dict:
    """Detail: one agent, secrets masked, hold files as freshly composed URLs."""
    now = world.advance()
    agent = access(world, body.get("guid"), "guid", READ)
    return ok(useragents=[_detail_item(world, agent, now)])


def update(world: World, body: dict, ctx: Ctx) -> dict:
    """Update: scalar fields; re-checks setup (6 → 0 when complete); restarts a starting/running agent.

    Older shape: also accepts ``configuration.credentials`` (whole values; the mask keeps the stored secret)
    and runs the Twilio webhook step for a twilio-voice change.
    """
    now = world.advance()
    agent = access(world, body.get("guid"), "guid", ADMIN)
    if "categories" in body and (not isinstance(body["categories"], list) or not body["categories"]):
        raise Refusal("Categories cannot be empty")
    for name in ("title", "description", "cover"):
        if name in body and body[name] is not None and not isinstance(body[name], str):
            raise Refusal(f"{name} must be text")
    if isinstance(body.get("title"), str) and body["title"].strip():
        agent.title = body["title"].strip()
    if "description" in body:
        agent.description = body["description"] or ""
    if "cover" in body:
        agent.cover = body["cover"] or None
    if "categories" in body:
        agent.categories = [str(c) for c in body["categories"]]
    extra: dict = {}
    if world.older:
        configuration = body.get("configuration")
        creds = configuration.get("credentials") if isinstance(configuration, dict) else None
        if isinstance(creds, dict):
            written = merge_values(agent.credentials, creds)
            for key in written:
                agent.connected_at.setdefault(key, now)
                agent.credentials[key]["_connected"] = True
            if TWILIO_KEY in written:
                extra = _webhooks(world, agent, now)
    agent.updated = now
    world.leave_setup(agent)
    world.restart_if_live(agent)
    return ok(useragents=[_detail_item(world, agent, now, for_update=True)], **extra)


def start(world: World, body: dict, ctx: Ctx) -> dict:
    """Start: queue the agent, or refuse with Wiro's message (credits refusals may carry ``agentbalance``)."""
    world.advance()
    refusal = world.start(access(world, body.get("guid"), "guid", ADMIN))
    if refusal:
        message, extra = refusal
        raise Refusal(message, extra=extra)
    return ok(useragents=[])


def stop(world: World, body: dict, ctx: Ctx) -> dict:
    """Stop: begin stopping the agent, or refuse with Wiro's message."""
    world.advance()
    refusal = world.stop(access(world, body.get("guid"), "guid", ADMIN))
    if refusal:
        raise Refusal(refusal)
    return ok(useragents=[])


# -- credentials -------------------------------------------------------------------------------------


def _webhooks(world: World, agent: Agent, now: float) -> dict:
    cred = agent.twilio
    numbers = [str(n) for n in (cred.get("phonenumbers") or [])]
    outcome = configure_numbers(
        world.twilio, cred, wiro_voice_url(agent.guid, world.voice_url), wiro_status_url(agent.guid, world.voice_url),
        outage=world.twilio_outage, rejected=world.twilio_reject_numbers, now=now, rewrite_correct=not world.older)
    return answer_older(outcome, numbers) if world.older else answer_newest(outcome, numbers)


def credential_upsert(world: World, body: dict, ctx: Ctx) -> dict:
    """CredentialUpsert.

    Newest: every row is validated first and one bad row rejects the request (nothing saved, no ``applied``);
    rows that fail after validation leave the others saved (``result: false`` with ``applied``). Older: bad
    rows are skipped and reported, the others written. Any saved twilio-voice row runs the webhook step.
    """
    now = world.advance()
    agent = access(world, body.get("useragentguid"), "useragentguid", ADMIN)
    if "fields" not in body:
        raise Refusal("fields is required")
    try:
        checked = check_rows(body["fields"], agent.credentials, files_by_upload_only=not world.older)
    except UpsertError as e:
        raise Refusal(str(e)) from None
    if checked.errors and not world.older:
        return {"result": False, "errors": [{"code": 0, "message": m} for _, m in checked.errors]}
    failing = set(world.upsert_fail_fields)
    last = checked.rows[-1].index if (ctx.fault == "partial" and checked.rows) else None
    saved, errors = [], [m for _, m in checked.errors]
    for row in checked.rows:
        if row.name in failing or row.index == last:
            errors.append(f"{label_of(row.key, row.name)}: could not be saved (storage write failed); "
                          "send the request again")
        else:
            saved.append(row)
    apply_rows(agent.credentials, saved)
    keys = sorted({row.key for row in saved})
    if keys:
        world.after_credential_save(agent, keys)
    answer: dict = {"result": not errors, "errors": [{"code": 0, "message": m} for m in errors]}
    if not world.older:
        answer["applied"] = len(saved)
    if TWILIO_KEY in keys:
        answer.update(_webhooks(world, agent, now))
    return answer


def credential_file_upload(world: World, body: bytes, content_type: str, ctx: Ctx) -> dict:
    """CredentialFileUpload: store a hold file and write its reference into a ``fileinput`` field."""
    now = world.advance()
    try:
        parts = parse_multipart(body, content_type)
    except ValueError:
        raise Refusal("File required (form field name: file)") from None
    text = {p.name: p.data.decode("utf-8", "replace").strip() for p in parts if p.filename is None}
    upload = next((p for p in parts if p.name == "file" and p.filename is not None), None)
    agent = access(world, text.get("useragentguid"), "useragentguid", ADMIN)
    key, name = text.get("credentialkey") or "", text.get("fieldname") or ""
    spec = REGISTRY.get(key)
    if spec is None or key not in agent.credentials:
        raise Refusal(f"Unknown credential: {key[:60]}")
    f = spec.field(name)
    if f is None:
        raise Refusal(f"Unknown field: {name[:60]}")
    if f.type != "fileinput":
        raise Refusal("Field is not a fileinput type")
    if upload is None:
        raise Refusal("File required (form field name: file)")
    declared = (upload.content_type or "").split(";")[0].strip().lower()
    mime = AUDIO_ALIASES.get(declared) or AUDIO_ALIASES.get(content_type_for(upload.filename or ""))
    if mime not in FILE_TYPES:
        raise Refusal(f"Invalid file type. Allowed: {', '.join(FILE_TYPES)}")
    if len(upload.data) > FILE_MAX_KB * 1024:
        raise Refusal(f"File too large. Max: {FILE_MAX_KB} KB")
    if world.file_upload_error:
        raise Refusal(world.file_upload_error)
    ext = "mp3" if mime == "audio/mpeg" else "wav"
    stored = world.files.add(f"{name}_{int(now)}_{len(world.files.files) + 1}.{ext}", upload.data, now,
                             declared_type=mime, folder_id="myuploads")
    agent.credentials[key][name] = FILE_REF + stored.id
    agent.updated = now
    world.restart_if_live(agent)
    return ok(url=world.files.public_url(stored.id), credentialkey=key, fieldname=name)


def credentials_detail(world: World, body: dict, ctx: Ctx) -> dict:
    """Credentials/Detail (public): the registry schema of one credential."""
    key = body.get("key")
    credential = public_detail(key) if isinstance(key, str) else None
    if credential is None:
        raise Refusal(f"Credential not found: {str(key)[:60]}", 404)
    return ok(credential=credential)


# -- calls, logs, credits ----------------------------------------------------------------------------


def call_history(world: World, body: dict, ctx: Ctx) -> dict:
    """TwilioCallHistory/List: newest first, ``limit`` default 50, capped at 200."""
    agent = access(world, body.get("useragentguid"), "useragentguid", READ)
    limit = _int(body, "limit", 50, 1, 200)
    now = world.advance()
    calls = sorted((c for c in agent.calls if c.started <= now), key=lambda c: (c.started, c.seq), reverse=True)
    return ok(data=[history_row(c, world.call_state(c, now)) for c in calls[:limit]])


def message_detail(world: World, body: dict, ctx: Ctx) -> dict:
    """Message/Detail by ``messageguid`` or ``agenttoken`` (only the key owner's agents' messages)."""
    guid, token = body.get("messageguid"), body.get("agenttoken")
    if not guid and not token:
        raise Refusal("messageguid or agenttoken is required")
    now = world.advance()
    call = world.find_call(guid=guid, token=token)
    owner = world.agents.get(call.agent_guid) if call else None
    if call is None or call.started > now or owner is None or owner.foreign:
        raise Refusal("Message not found", 1)
    return ok(data=detail_data(call, world.call_state(call, now), now, older=world.older))


def logs(world: World, body: dict, ctx: Ctx) -> dict:
    """Logs: the day's events, newest first (older shape: ascending, numeric ``ts``, coarse kinds), ``lines``
    of them; answers are cached 30 simulated seconds per (agent, date, lines)."""
    agent = access(world, body.get("useragentguid"), "useragentguid", LOGS)
    now = world.advance()
    if not agent.ever_started:
        raise Refusal(NOT_ON_WORKER)
    date = body.get("date") or "today"
    if date == "today":
        date = utc_date(now)
    try:
        day_start, day_end = day_bounds(str(date))
    except ValueError:
        raise Refusal("date must be YYYY-MM-DD or today") from None
    lines = _int(body, "lines", 200, 1, 5000)
    key = (agent.guid, date, lines)
    hit = world.logs_cache.get(key)
    if hit and now - hit[0] < CACHE_SECONDS:
        return hit[1]
    owner = (agent.owner_uuid, user_object(agent.owner_uuid, world.owner_name))
    turns = world.ledger(agent, now).turns
    events = []
    for call in agent.calls:
        # Sessions last at most an hour or so; earlier ones cannot reach into this day.
        if day_start - 7200 <= call.started < day_end:
            events.extend(call_events(call, world.call_state(call, now), now, owner, turns.get(call.guid)))
    events.extend(cron_events(day_start, min(now, day_end), lambda t: agent.status_at(t) == RUNNING))
    events.extend((t, dict(ev)) for t, ev in agent.log_events if t <= now)
    events = [e for e in events if day_start <= e[0] < day_end]
    events.sort(key=lambda e: e[0])
    if world.older:
        shown = [to_older(t, ev) for t, ev in events[-lines:]]
    else:
        shown = [ev for _, ev in reversed(events[-lines:])]
    answer = ok(date=str(date), totalLines=len(events), events=shown)
    for k in [k for k, (t, _) in world.logs_cache.items() if now - t >= CACHE_SECONDS]:
        del world.logs_cache[k]
    world.logs_cache[key] = (now, answer)
    return answer


def transaction_list(world: World, body: dict, ctx: Ctx) -> dict:
    """TransactionList: the agent's credit ledger newest first, ``limit`` (50, ≤500) from ``start``."""
    agent = access(world, body.get("useragentguid"), "useragentguid", LOGS)
    now = world.advance()
    limit = _int(body, "limit", 50, 1, 500)
    start = _int(body, "start", 0, 0, 10**9)
    pool = world.ledger(agent, now)
    summary = {"monthlycredits": pool.monthlycredits, "extracredits": pool.extracredits,
               "usedcredits": pool.usedcredits, "remainingcredits": pool.remaining,
               "creditperiod": iso_z(pool.period_start)[:7], "creditsyncat": int(pool.syncat),
               "byModel": by_model(pool)}
    return ok(total=len(pool.rows), summary=summary, transactions=pool.rows[start:start + limit])


def upload(world: World, body: bytes, content_type: str, ctx: Ctx) -> dict:
    """File/Upload: store the ``file`` part and list it with a URL served by the sim."""
    now = world.advance()
    if len(body) > MAX_UPLOAD_BYTES + 64 * 1024:
        raise Refusal("File is too large (maximum 100 MB)")
    try:
        parts = parse_multipart(body, content_type)
    except ValueError as e:
        raise Refusal(f"Invalid upload: {e}") from None
    file_part = next((p for p in parts if p.name == "file" and p.filename is not None), None)
    if file_part is None:
        raise Refusal("No file uploaded: send a multipart/form-data part named \"file\"")
    if len(file_part.data) > MAX_UPLOAD_BYTES:
        raise Refusal("File is too large (maximum 100 MB)")
    folder = next((p.data.decode("utf-8", "replace") for p in parts if p.name == "folderid"), None)
    stored = world.files.add(file_part.filename or "upload.bin", file_part.data, now,
                             declared_type=file_part.content_type, folder_id=folder or None)
    return ok(list=[stored.listing()])


# Path (lower-case, under /v1) -> handler.
ROUTES: dict[str, Callable[[World, dict, Ctx], dict]] = {
    "/v1/useragent/myagents": my_agents,
    "/v1/useragent/detail": detail,
    "/v1/useragent/update": update,
    "/v1/useragent/start": start,
    "/v1/useragent/stop": stop,
    "/v1/useragent/credentialupsert": credential_upsert,
    "/v1/useragent/twiliocallhistory/list": call_history,
    "/v1/useragent/message/detail": message_detail,
    "/v1/useragent/logs": logs,
    "/v1/useragent/transactionlist": transaction_list,
}
PUBLIC_ROUTES: dict[str, Callable[[World, dict, Ctx], dict]] = {
    "/v1/credentials/detail": credentials_detail,
}
MULTIPART_ROUTES: dict[str, Callable[[World, bytes, str, Ctx], dict]] = {
    "/v1/file/upload": upload,
    "/v1/useragent/credentialfileupload": credential_file_upload,
}


def _answer(call: Callable[[], dict]) -> tuple[int, dict]:
    try:
        return 200, call()
    except Refusal as r:
        return r.status, {**failure(str(r), r.code), **r.extra}


def respond_json(world: World, route: Callable[[World, dict, Ctx], dict], body: dict,
                 ctx: Ctx | None = None) -> tuple[int, dict]:
    """Run a JSON handler: ``(http status, payload)``, a Refusal turned into a ``result: false`` answer."""
    return _answer(lambda: route(world, body, ctx or Ctx()))


def respond_multipart(world: World, route: Callable[[World, bytes, str, Ctx], dict], body: bytes,
                      content_type: str, ctx: Ctx | None = None) -> tuple[int, dict]:
    """Run a multipart handler the same way."""
    return _answer(lambda: route(world, body, content_type, ctx or Ctx()))


def handle_json(world: World, route: Callable[[World, dict, Ctx], dict], body: dict, ctx: Ctx | None = None) -> dict:
    """The payload alone (for tests that call a handler in-process, without HTTP)."""
    return respond_json(world, route, body, ctx)[1]
