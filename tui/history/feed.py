"""Filling the history: what a refresh fetches (Wiro's sessions, the credit ledger, Twilio's call log and each
number's routing) and records, with every failure turned into words.

The screens' polls record what they fetched through the app (one call site); `refresh()` is the full fetch the
Insights screen and `wiro-voice insights` make before computing the figures. Writing to the file happens in a
thread (`asyncio.to_thread`), never on the event loop. Nothing here raises for a refused key, an unreachable
server or a damaged file: the outcome says what was recorded and what was not, and why.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from .keeper import History, WriteOutcome

if TYPE_CHECKING:
    from ..twilio.access import NoAccess, TwilioAccess

#: How many sessions Wiro's history gives at most (TwilioCallHistory/List's cap).
HISTORY_LIMIT = 200
#: TransactionList rows per page (the API's cap) and the most pages read per refresh.
CREDIT_PAGE = 500
CREDIT_PAGES = 4
#: Call-log pages read per number per refresh (1000 calls each).
CALL_LOG_PAGES = 20
#: Rejected sessions whose reason is asked of Message/Detail per refresh (the list rows do not carry it).
REASONS_PER_REFRESH = 20


@dataclass(frozen=True)
class FeedOutcome:
    """What a refresh recorded and what it could not. `twilio_note` says why Twilio's call log was not read
    (no token…) — without it missed calls cannot be seen; `twilio_error` why reading it failed, naming whose
    credentials were refused and what to do."""

    sessions: WriteOutcome | None = None
    credits: WriteOutcome | None = None
    calls: WriteOutcome | None = None
    routing: WriteOutcome | None = None
    wiro_error: str | None = None
    credits_error: str | None = None
    twilio_error: str | None = None
    twilio_note: str | None = None

    @property
    def history_problem(self) -> Any:
        """The first problem the history file reported, if any (a HistoryProblem)."""
        for outcome in (self.sessions, self.credits, self.calls, self.routing):
            if outcome is not None and outcome.problem is not None:
                return outcome.problem
        return None

    @property
    def messages(self) -> list[str]:
        """Everything worth telling the user, worst first."""
        out = [m for m in (self.wiro_error, self.twilio_error) if m]
        problem = self.history_problem
        if problem is not None:
            out.append(problem.message)
        out += [m for m in (self.twilio_note, self.credits_error) if m]
        return out


def record_now(history: History, kind: str, rows: Iterable[Any], agent_guid: str | None = None) -> WriteOutcome:
    """Record raw API rows (or models carrying `.raw`), in the calling thread. `kind`: "sessions", "calls",
    "credits", or "reasons" (Message/Detail answers: {messageguid: reason})."""
    if kind == "reasons":
        raws = [{"messageguid": guid, "reason": reason} for guid, reason in dict(rows).items() if reason]
        return history.record_sessions(raws, agent_guid, reasons=True)
    raws = [getattr(row, "raw", row) for row in rows]
    if kind == "sessions":
        return history.record_sessions(raws, agent_guid)
    if kind == "calls":
        return history.record_calls(raws)
    if kind == "credits":
        return history.record_credits(raws)
    raise ValueError(f"unknown kind of rows: {kind}")


async def record(history: History, kind: str, rows: Iterable[Any], agent_guid: str | None = None) -> WriteOutcome:
    """`record_now` in a thread, off the event loop."""
    return await asyncio.to_thread(record_now, history, kind, list(rows) if kind != "reasons" else dict(rows),
                                   agent_guid)


async def refresh(
    history: History,
    wiro: Any,
    agent_guid: str,
    *,
    numbers: Sequence[str] = (),
    since_ms: int,
    access: "TwilioAccess | NoAccess | str | None" = None,
    twilio_base: str | None = None,
    wiro_hosts: Sequence[str] = (),
    twilio: Any = None,
    routing: bool = True,
) -> FeedOutcome:
    """Fetch and record what the figures of the period since `since_ms` need.

    `access` is the Twilio access (`tui.twilio.access.twilio_access`), a NoAccess, or a sentence saying why
    there is none; `twilio` an open TwilioClient to use instead of making one (tests). `routing=False` leaves
    the numbers' routing to the caller (the doctor checks it anyway and records its verdicts).
    """
    from ..wiro.errors import WiroError

    sessions = credits = None
    wiro_error = credits_error = None
    try:
        rows = await wiro.call_history(agent_guid, limit=HISTORY_LIMIT)
        sessions = await record(history, "sessions", rows, agent_guid)
        await _explain_rejections(history, wiro, agent_guid, since_ms)
    except WiroError as err:
        wiro_error = f"Wiro's call history could not be read: {err.message}"
    try:
        credits = await record(history, "credits", await _credit_rows(wiro, agent_guid, since_ms))
    except WiroError as err:
        credits_error = f"Post-call credits were not read (TransactionList): {err.message}"
    calls, routed, twilio_error, twilio_note = await _twilio(history, agent_guid, numbers, since_ms, access,
                                                            twilio_base, wiro_hosts, twilio, routing)
    return FeedOutcome(sessions, credits, calls, routed, wiro_error=wiro_error, credits_error=credits_error,
                       twilio_error=twilio_error, twilio_note=twilio_note)


async def _explain_rejections(history: History, wiro: Any, agent_guid: str, since_ms: int) -> None:
    """Ask Message/Detail why recent rejected sessions were refused (a few per refresh) and record the reasons."""
    from ..wiro.errors import WiroError

    asked = history.read(lambda store: store.unexplained_rejections(since_ms, REASONS_PER_REFRESH)).value or []
    if not asked:
        return
    answers = await asyncio.gather(*(wiro.message_detail(messageguid=g) for g in asked), return_exceptions=True)
    reasons = {}
    for guid, answer in zip(asked, answers):
        if isinstance(answer, WiroError) or isinstance(answer, BaseException):
            continue  # asked again next time
        reason = answer.metadata.get("reason") if isinstance(answer.metadata, dict) else None
        if isinstance(reason, str) and reason.strip():
            reasons[guid] = reason.strip()
    if reasons:
        await record(history, "reasons", reasons, agent_guid)


async def _credit_rows(wiro: Any, agent_guid: str, since_ms: int) -> list[Any]:
    """The ledger's rows back to `since_ms` (newest first, a few pages at most)."""
    rows: list[Any] = []
    for page in range(CREDIT_PAGES):
        answer = await wiro.transaction_list(agent_guid, CREDIT_PAGE, page * CREDIT_PAGE)
        rows += answer.transactions
        oldest = min((t.created_at for t in answer.transactions if t.created_at), default=None)
        total = answer.total if answer.total is not None else 0
        if not answer.transactions or (page + 1) * CREDIT_PAGE >= total or (oldest and oldest * 1000 < since_ms):
            break
    return rows


async def _twilio(history: History, agent_guid: str, numbers: Sequence[str], since_ms: int, access: Any,
                  base: str | None, wiro_hosts: Sequence[str], client: Any, routing: bool) -> tuple:
    """(calls outcome, routing outcome, error, note) for Twilio's side."""
    from ..twilio.access import NoAccess, TwilioAccess
    from ..twilio.errors import ForbiddenError, RejectedError, TwilioError

    if not numbers:
        return None, None, None, "The agent's credential lists no phone numbers, so there is no call log to read."
    if isinstance(access, str) or access is None:
        return None, None, None, access or "Twilio's call log was not read (no Twilio access)."
    if isinstance(access, NoAccess):
        return None, None, None, (f"Twilio's call log was not read: {access.message} Without it, calls that never "
                                  "reached Wiro (missed calls) are not counted.")
    assert isinstance(access, TwilioAccess)
    since_day = datetime.fromtimestamp(since_ms / 1000, tz=timezone.utc).date()
    try:
        if client is None:
            from ..twilio.client import TwilioClient

            async with TwilioClient(access.account_sid, access.token, base or "https://api.twilio.com") as own:
                return await _read_twilio(history, own, access, numbers, since_day, agent_guid, wiro_hosts, base,
                                          routing)
        return await _read_twilio(history, client, access, numbers, since_day, agent_guid, wiro_hosts, base, routing)
    except (RejectedError, ForbiddenError) as err:
        return None, None, (f"Twilio refused {access.whose} while reading the call log: {err.message}"), None
    except TwilioError as err:
        return None, None, f"Twilio's call log could not be read: {err.message}", None
    except ValueError as err:  # a base URL or a pair the client refuses before any request
        return None, None, f"Twilio's call log could not be read: {err}", None


async def _read_twilio(history: History, client: Any, access: Any, numbers: Sequence[str], since_day: Any,
                       agent_guid: str, wiro_hosts: Sequence[str], base: str | None, routing: bool) -> tuple:
    from ..twilio.verify import verify_numbers

    calls = await client.call_log(numbers, started_since=since_day, max_pages=CALL_LOG_PAGES)
    calls_outcome = await record(history, "calls", calls)
    routing_outcome = None
    if routing:
        check = await verify_numbers(list(numbers), access.account_sid, access.token, base or "", client=client,
                                     wiro_hosts=wiro_hosts, agent_guid=agent_guid)
        if check.checked:
            routing_outcome = await record_routing(history, check)
    return calls_outcome, routing_outcome, None, None


async def record_routing(history: History, check: Any) -> WriteOutcome:
    """Record each configured number's verdict from a NumbersCheck (`tui.twilio.verify`), in a thread."""
    verdicts = {v.number: v.verdict for v in check.numbers}
    return await asyncio.to_thread(history.record_routing, verdicts)
