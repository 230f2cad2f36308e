"""Twilio REST endpoints (2010-04-01): account, incoming numbers (list, fetch, update), applications, calls.

``handle`` returns ``(http_status, extra_headers, json_payload)``; server.py writes it out.
"""

from __future__ import annotations

import base64
import copy
import re
import threading
import time
from datetime import date, datetime, timezone
from urllib.parse import parse_qs, urlencode

from .twilio_calls import CallView, resource, session_view, view_of
from .twilio_world import API_VERSION, TwilioAccount, account_path
from .world import World

MAX_CONCURRENT = 5  # per account; the sixth simultaneous request gets 429/20429

_ROUTES = (
    ("account", re.compile(rf"^/{API_VERSION}/Accounts/(?P<sid>[^/]+)\.json$")),
    ("numbers", re.compile(rf"^/{API_VERSION}/Accounts/(?P<sid>[^/]+)/IncomingPhoneNumbers\.json$")),
    ("number", re.compile(rf"^/{API_VERSION}/Accounts/(?P<sid>[^/]+)/IncomingPhoneNumbers/(?P<id>[^/]+)\.json$")),
    ("application", re.compile(rf"^/{API_VERSION}/Accounts/(?P<sid>[^/]+)/Applications/(?P<id>[^/]+)\.json$")),
    ("calls", re.compile(rf"^/{API_VERSION}/Accounts/(?P<sid>[^/]+)/Calls\.json$")),
    ("call", re.compile(rf"^/{API_VERSION}/Accounts/(?P<sid>[^/]+)/Calls/(?P<id>[^/]+)\.json$")),
)


def error(status: int, code: int, message: str) -> dict:
    """Twilio's error body."""
    return {"code": code, "message": message, "more_info": f"https://www.twilio.com/docs/errors/{code}",
            "status": status}


class InFlight:
    """Counts concurrent requests per account (Twilio limits concurrency, not rate)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._count: dict[str, int] = {}

    def enter(self, sid: str) -> bool:
        """Count a request in; False (and not counted) when the account is at its limit."""
        with self._lock:
            n = self._count.get(sid, 0)
            if n >= MAX_CONCURRENT:
                return False
            self._count[sid] = n + 1
            return True

    def leave(self, sid: str) -> None:
        with self._lock:
            self._count[sid] -= 1


def _basic_auth(header: str | None) -> tuple[str, str] | None:
    if not header or not header.lower().startswith("basic "):
        return None
    try:
        raw = base64.b64decode(header[6:].strip(), validate=True).decode("utf-8")
    except (ValueError, UnicodeDecodeError):
        return None
    user, sep, password = raw.partition(":")
    return (user, password) if sep else None


def handle(world: World, inflight: InFlight, method: str, path: str, query: str,
           auth_header: str | None, body: bytes) -> tuple[int, dict[str, str], dict]:
    """Answer one Twilio request; ``path`` starts at ``/2010-04-01``."""
    with world.lock:
        outage = world.twilio_outage
        latency = world.twilio_latency
        creds = _basic_auth(auth_header)
        acct = world.twilio.authenticate(*creds) if creds else None
    if outage:
        return 503, {}, error(503, 20503, "Service Unavailable")
    if acct is None:
        return 401, {"WWW-Authenticate": 'Basic realm="Twilio API"'}, error(401, 20003, "Authenticate")
    if not inflight.enter(acct.sid):
        return 429, {"Retry-After": "1"}, error(429, 20429, "Too Many Requests")
    try:
        if latency > 0:
            time.sleep(latency)  # outside the world lock: only this request waits
        with world.lock:
            return _route(world, acct, method, path, query, body)
    finally:
        inflight.leave(acct.sid)


def _not_found(path: str) -> tuple[int, dict[str, str], dict]:
    return 404, {}, error(404, 20404, f"The requested resource {path} was not found")


def _route(world: World, acct: TwilioAccount, method: str, path: str, query: str,
           body: bytes) -> tuple[int, dict[str, str], dict]:
    for name, pattern in _ROUTES:
        m = pattern.match(path)
        if m:
            break
    else:
        return _not_found(path)
    # Another account's resources do not exist as far as these credentials can tell.
    if m["sid"] != acct.sid:
        return _not_found(path)
    allowed = ("GET", "POST") if name == "number" else ("GET",)
    if method not in allowed:
        return 405, {}, error(405, 20004, "Method not allowed")
    if name == "account":
        return 200, {}, acct.resource()
    if name == "numbers":
        return _list_numbers(acct, query)
    if name == "calls":
        return _list_calls(world, acct, query)
    if name == "call":
        now = world.advance()
        view = next((v for v in _call_views(world, acct, now) if v.sid == m["id"]), None)
        return (200, {}, resource(view, now)) if view else _not_found(path)
    if name == "application":
        app = acct.applications.get(m["id"])
        return (200, {}, copy.deepcopy(app)) if app else _not_found(path)
    res = acct.numbers.get(m["id"])
    if res is None:
        return _not_found(path)
    if method == "GET":
        return 200, {}, copy.deepcopy(res)
    form = {k: v[-1] for k, v in parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True).items()}
    return 200, {}, world.twilio.update_number(res, form, world.now())


def _matches(phone: str, pattern: str) -> bool:
    # Partial match; "*" stands for any run of characters.
    if "*" in pattern:
        return re.search(".*".join(map(re.escape, pattern.split("*"))), phone) is not None
    return pattern in phone


def _query(query: str) -> dict[str, str]:
    # parse_qs turns a raw "+" into a space, as Twilio does: clients must send %2B.
    return {k: v[-1] for k, v in parse_qs(query, keep_blank_values=True).items()}


def _page(q: dict[str, str], items: list, key: str, base: str, filters: dict[str, str],
          render=copy.deepcopy) -> tuple[int, dict[str, str], dict]:
    """One page of a list resource: ``PageSize`` (1–1000, default 50), ``Page``, ``PageToken`` (``PA<offset>``),
    with ``next_page_uri`` and the other paging links relative to the API root, filters kept."""
    try:
        size = max(1, min(1000, int(q.get("PageSize") or 50)))
        page = max(0, int(q.get("Page") or 0))
        token = q.get("PageToken") or ""
        offset = max(0, int(token[2:])) if token.startswith("PA") else page * size
    except ValueError:
        return 400, {}, error(400, 20001, "Invalid paging parameter")
    chunk = items[offset:offset + size]

    def uri(pg: int, off: int | None) -> str:
        params = {**filters, "PageSize": size, "Page": pg}
        if off is not None:
            params["PageToken"] = f"PA{off}"
        return base + "?" + urlencode(params)

    has_next = offset + size < len(items)
    return 200, {}, {
        key: [render(item) for item in chunk],
        "page": page,
        "page_size": size,
        "start": offset,
        "end": offset + max(len(chunk) - 1, 0),
        "uri": uri(page, offset if token else None),
        "first_page_uri": uri(0, None),
        "next_page_uri": uri(page + 1, offset + size) if has_next else None,
        "previous_page_uri": uri(page - 1, max(0, offset - size)) if page > 0 else None,
    }


def _list_numbers(acct: TwilioAccount, query: str) -> tuple[int, dict[str, str], dict]:
    q = _query(query)
    numbers = list(acct.numbers.values())
    if "PhoneNumber" in q:
        numbers = [n for n in numbers if _matches(n["phone_number"], q["PhoneNumber"])]
    if "FriendlyName" in q:
        numbers = [n for n in numbers if n["friendly_name"] == q["FriendlyName"]]
    filters = {k: q[k] for k in ("PhoneNumber", "FriendlyName") if k in q}
    return _page(q, numbers, "incoming_phone_numbers", f"{account_path(acct.sid)}/IncomingPhoneNumbers.json", filters)


def _call_views(world: World, acct: TwilioAccount, now: float) -> list[CallView]:
    """Every call of the account visible at ``now``: Twilio-only ones and the Twilio side of Wiro sessions."""
    views = [v for v in (view_of(c, now) for c in acct.calls) if v is not None]
    number_sids = {res["phone_number"]: sid for sid, res in acct.numbers.items()}
    for agent in world.agents.values():
        for call in agent.calls:
            if call.channel != "twilio" or call.dialled not in number_sids or call.started > now:
                continue
            views.append(session_view(call, world.call_state(call, now), now, acct.sid, number_sids[call.dialled]))
    views.sort(key=lambda v: (v.started, v.sid), reverse=True)  # newest first
    return views


class _BadDate(ValueError):
    pass


def _bound(text: str) -> tuple[float, bool]:
    """Epoch seconds of a date (its midnight, UTC) or date-time; True when only a date was given."""
    text = text.strip()
    try:
        return datetime.combine(date.fromisoformat(text), datetime.min.time(), timezone.utc).timestamp(), True
    except ValueError:
        pass
    from email.utils import parsedate_to_datetime  # here: the email package costs the demo 0.25 MiB at import

    for parse in (lambda t: datetime.fromisoformat(t.replace(" ", "T", 1)), parsedate_to_datetime):
        try:
            moment = parse(text)
        except (ValueError, TypeError, IndexError):
            continue
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=timezone.utc)
        return moment.timestamp(), False
    raise _BadDate(text)


_TIME_FILTERS = {"StartTime": "start", "EndTime": "end"}


def _time_ok(view: CallView, field: str, op: str, bound: float, date_only: bool) -> bool:
    t = view.started if field == "start" else view.ended
    if t is None:
        return False
    if op == "=":
        return (bound <= t < bound + 86400) if date_only else int(t) == int(bound)
    if op == ">":
        return t >= bound
    return t <= bound


def _list_calls(world: World, acct: TwilioAccount, query: str) -> tuple[int, dict[str, str], dict]:
    """Calls.json: filters ``To``, ``From``, ``Status``, ``ParentCallSid`` and ``StartTime``/``EndTime`` with
    ``>``/``<`` (also sent as ``>=``/``<=``): on or after / on or before the moment (a bare date means its
    midnight UTC); a plain ``StartTime=DATE`` means that whole day. Newest first."""
    now = world.advance()
    q = _query(query)
    views = _call_views(world, acct, now)
    for key, attr in (("To", "to"), ("From", "from_"), ("Status", "status")):
        if key in q:
            views = [v for v in views if getattr(v, attr) == q[key]]
    if "ParentCallSid" in q:
        views = []  # inbound calls are never child legs
    filters = {k: q[k] for k in ("To", "From", "Status", "ParentCallSid") if k in q}
    for raw, value in q.items():
        name = raw.rstrip("<>=")
        if name not in _TIME_FILTERS:
            continue
        op = ">" if ">" in raw else "<" if "<" in raw else "="
        try:
            bound, date_only = _bound(value)
        except _BadDate:
            return 400, {}, error(400, 20001, f"Invalid value for {raw}: {value[:40]}")
        views = [v for v in views if _time_ok(v, _TIME_FILTERS[name], op, bound, date_only)]
        filters[raw] = value
    return _page(q, views, "calls", f"{account_path(acct.sid)}/Calls.json", filters,
                 render=lambda v: resource(v, now))
