"""Wiro endpoint handlers: ``(world, body) -> payload``, called with ``world.lock`` held.

Failures are HTTP 200 with ``result: false`` as on the real API; only routing and auth errors
(decided in server.py) use other HTTP statuses.
"""

from __future__ import annotations

from collections.abc import Callable

from .calls import history_row
from .calls import message_detail as detail_data
from .credentials import TWILIO_KEY, UpsertError, masked, merge, parse_fields
from .files import MAX_UPLOAD_BYTES, parse_multipart
from .logs import CACHE_SECONDS, call_events, cron_events, day_bounds
from .timefmt import unix_str, utc_date
from .webhooks import configure_numbers
from .world import RUNNING, Agent, World

AGENT_NOT_FOUND = "User agent not found"
NOT_ON_WORKER = "Agent is not assigned to a worker. It may not be running."


class Refusal(Exception):
    """Ends a handler with ``result: false``; ``code`` as in Wiro's error reference."""

    def __init__(self, message: str, code: int = 0) -> None:
        super().__init__(message)
        self.code = code


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


def _agent(world: World, body: dict, field: str) -> Agent:
    guid = body.get(field)
    if not guid or not isinstance(guid, str):
        raise Refusal(f"{field} is required")
    agent = world.agents.get(guid)
    if agent is None:
        raise Refusal(AGENT_NOT_FOUND, 1)
    return agent


def agent_json(agent: Agent, *, detail: bool = False) -> dict:
    """A ``useragents`` item; Detail adds the configuration with every secret masked."""
    item = {
        "id": agent.id,
        "guid": agent.guid,
        "title": agent.title,
        "status": agent.status,
        "setuprequired": agent.setuprequired,
        "restartafter": agent.restartafter,
        "agentid": 7,
        "agent": {"id": 7, "title": agent.agent_title, "slug": agent.agent_slug},
        "useruuid": agent.owner_uuid,
        "createdat": unix_str(agent.created),
        "updatedat": unix_str(agent.updated),
    }
    if detail:
        item["configuration"] = {
            "credentials": masked(agent.credentials),
            "timezone": "Europe/Istanbul",
            "skills": ["int-twilio-channel", "util-voice-receptionist", "util-voice-call-prep"],
        }
    return item


def my_agents(world: World, body: dict) -> dict:
    """MyAgents: paged by ``start``/``limit`` (≤1000, default 20), sorted by ``sort``/``order``."""
    world.advance()
    limit = _int(body, "limit", 20, 1, 1000)
    start = _int(body, "start", 0, 0, 10**9)
    sort = body.get("sort") if body.get("sort") in ("id", "title", "status", "createdat", "updatedat") else "id"
    desc = str(body.get("order") or "DESC").upper() != "ASC"
    keys = {"id": lambda a: a.id, "title": lambda a: a.title.lower(), "status": lambda a: (a.status, a.id),
            "createdat": lambda a: a.created, "updatedat": lambda a: a.updated}
    agents = sorted(world.agents.values(), key=keys[sort], reverse=desc)
    return ok(useragents=[agent_json(a) for a in agents[start:start + limit]])


def detail(world: World, body: dict) -> dict:
    """Detail: one agent, credentials masked."""
    world.advance()
    return ok(useragents=[agent_json(_agent(world, body, "guid"), detail=True)])


def start(world: World, body: dict) -> dict:
    """Start: queue the agent, or refuse with Wiro's message."""
    world.advance()
    refusal = world.start(_agent(world, body, "guid"))
    return failure(refusal) if refusal else ok(useragents=[])


def stop(world: World, body: dict) -> dict:
    """Stop: begin stopping the agent, or refuse with Wiro's message."""
    world.advance()
    refusal = world.stop(_agent(world, body, "guid"))
    return failure(refusal) if refusal else ok(useragents=[])


def credential_upsert(world: World, body: dict) -> dict:
    """CredentialUpsert: merge fields, apply side effects, then configure Twilio webhooks."""
    now = world.advance()
    if not body.get("useragentguid"):
        raise Refusal("useragentguid is required")
    if "fields" not in body:
        raise Refusal("fields is required")
    try:
        updates = parse_fields(body["fields"])
    except UpsertError as e:
        raise Refusal(str(e)) from None
    agent = _agent(world, body, "useragentguid")
    if not updates:
        raise Refusal("fields must not be empty")
    merge(agent.credentials, updates)
    world.after_credential_save(agent, list(updates))
    answer = {}
    if TWILIO_KEY in updates:
        answer = configure_numbers(world.twilio, agent.twilio, agent.guid, outage=world.twilio_outage, now=now)
    return ok(**answer)


def call_history(world: World, body: dict) -> dict:
    """TwilioCallHistory/List: newest first, ``limit`` default 50, capped at 200."""
    agent = _agent(world, body, "useragentguid")
    limit = _int(body, "limit", 50, 1, 200)
    now = world.advance()
    calls = sorted((c for c in agent.calls if c.started <= now), key=lambda c: (c.started, c.seq), reverse=True)
    return ok(data=[history_row(c, world.call_state(c, now)) for c in calls[:limit]])


def message_detail(world: World, body: dict) -> dict:
    """Message/Detail by ``messageguid`` or ``agenttoken``."""
    guid, token = body.get("messageguid"), body.get("agenttoken")
    if not guid and not token:
        raise Refusal("messageguid or agenttoken is required")
    now = world.advance()
    call = world.find_call(guid=guid, token=token)
    if call is None or call.started > now:
        raise Refusal("Message not found", 1)
    return ok(data=detail_data(call, world.call_state(call, now), now))


def logs(world: World, body: dict) -> dict:
    """Logs: the day's events ascending by ``ts``, last ``lines`` of them; cached 30 simulated seconds."""
    agent = _agent(world, body, "useragentguid")
    now = world.advance()
    if not agent.ever_started:
        raise Refusal(NOT_ON_WORKER)
    date = body.get("date") or utc_date(now)
    try:
        day_start, day_end = day_bounds(str(date))
    except ValueError:
        raise Refusal("date must be YYYY-MM-DD") from None
    lines = _int(body, "lines", 200, 1, 5000)
    key = (agent.guid, date, lines)
    hit = world.logs_cache.get(key)
    if hit and now - hit[0] < CACHE_SECONDS:
        return hit[1]
    owner = (agent.owner_uuid, world.owner_name)
    events = []
    for call in agent.calls:
        # Sessions last at most an hour or so; earlier ones cannot reach into this day.
        if day_start - 7200 <= call.started < day_end:
            events.extend(call_events(call, world.call_state(call, now), now, owner))
    events.extend(cron_events(day_start, min(now, day_end), lambda t: agent.status_at(t) == RUNNING))
    events.extend((t, dict(ev)) for t, ev in agent.log_events if t <= now)
    events = [e for e in events if day_start <= e[0] < day_end]
    events.sort(key=lambda e: e[0])
    answer = ok(date=str(date), totalLines=len(events), events=[ev for _, ev in events[-lines:]])
    for k in [k for k, (t, _) in world.logs_cache.items() if now - t >= CACHE_SECONDS]:
        del world.logs_cache[k]
    world.logs_cache[key] = (now, answer)
    return answer


def upload(world: World, body: bytes, content_type: str) -> dict:
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


# Path (lower-case, under /v1) -> JSON handler. File/Upload is routed separately (multipart).
ROUTES: dict[str, Callable[[World, dict], dict]] = {
    "/v1/useragent/myagents": my_agents,
    "/v1/useragent/detail": detail,
    "/v1/useragent/start": start,
    "/v1/useragent/stop": stop,
    "/v1/useragent/credentialupsert": credential_upsert,
    "/v1/useragent/twiliocallhistory/list": call_history,
    "/v1/useragent/message/detail": message_detail,
    "/v1/useragent/logs": logs,
}
UPLOAD_PATH = "/v1/file/upload"


def handle_json(world: World, route: Callable[[World, dict], dict], body: dict) -> dict:
    """Run a JSON handler, turning a Refusal into a ``result: false`` answer."""
    try:
        return route(world, body)
    except Refusal as r:
        return failure(str(r), r.code)


def handle_upload(world: World, body: bytes, content_type: str) -> dict:
    """Run File/Upload, turning a Refusal into a ``result: false`` answer."""
    try:
        return upload(world, body, content_type)
    except Refusal as r:
        return failure(str(r), r.code)
