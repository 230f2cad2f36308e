"""Gather the evidence once: the agent, the last save report, Twilio's view of the numbers, the hold files,
recent sessions with their rejection reasons, and today's activity log.

The agent's Detail comes first (it names the numbers and hold files); the rest runs side by side with at
most `concurrency` Wiro requests in flight (Twilio's own client keeps to five). A source that cannot be read
is recorded with the reason, never raised: only a Detail that fails leaves nothing to check.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from ..activity.explain import explain_logs_error
from ..calls.catalog import REJECTED
from ..common.coerce import as_str
from ..credential.rules import fields_used
from ..hold.errors import HoldError
from ..hold.probe import ProbeError, probe_bytes
from ..hold.sources import fetch, is_url, url_label
from ..twilio.access import NoAccess, TwilioAccess
from ..twilio.verify import verify_numbers, wiro_hosts_for
from ..webhooks.store import load_report, report_path, reports_dir
from ..wiro.errors import NotFoundError, WiroError
from .evidence import LOG_LINES, REJECTION_DETAILS, SESSION_LIMIT, Evidence, HoldFile

#: the reason given when no Twilio credentials are at hand (the doctor never asks for them)
SKIP_TWILIO = ("set TWILIO_ACCOUNT_SID/TWILIO_AUTH_TOKEN to check where each number's calls really go (TwiML App, "
               "SIP Trunk, Studio Flow, not on the account)")

Progress = Callable[[str], None]


def _agent_problem(err: WiroError, guid: str) -> str:
    if isinstance(err, NotFoundError) and err.status != 404:
        return (f"Wiro does not know the agent {guid}: pick another one (`wiro-voice agents` lists them, or "
                "choose one on the Overview).")
    return f"Could not read the agent from Wiro: {err.message}"


TwilioSource = TwilioAccess | Callable[[str | None], "TwilioAccess | NoAccess | str"] | None


async def gather(client: Any, guid: str, settings: Any, *, twilio: TwilioSource = None,
                 twilio_skipped: str | None = None, now: Callable[[], float] = time.time,
                 progress: Progress | None = None, concurrency: int = 4, history: Any = None) -> Evidence:
    """Everything the checks need, read once. `client` is a WiroClient; `settings` gives the config path (for
    the stored save report), the Twilio API base and the Wiro API base (whose host counts as Wiro's).

    `twilio` is the access to check the numbers with, or a function of the credential's Account SID that
    returns one (`tui.twilio.access.twilio_access`), or a NoAccess or the reason there is none. Without it
    the routing checks are skipped with `twilio_skipped` (default: what to set). `progress(text)` hears what is being read.
    `history` (a `tui.history.keeper.History`) is brought up to date for the last day and its joined calls read,
    for the missed-call checks."""
    say = progress or (lambda _text: None)
    say("reading the agent")
    try:
        agent = await client.detail(guid)
    except WiroError as err:
        return Evidence(guid, now(), agent_error=_agent_problem(err, guid))
    cred = agent.credential
    if callable(twilio) and not isinstance(twilio, TwilioAccess):
        found = twilio(cred.accountsid if cred is not None else None)
        if isinstance(found, TwilioAccess):
            twilio, twilio_skipped = found, None
        else:  # the doctor never asks for a token: a missing one is a skip that says what to set
            twilio, twilio_skipped = None, SKIP_TWILIO if isinstance(found, NoAccess) else found
    wiro_slots = asyncio.Semaphore(max(1, concurrency))

    async def limited(call: Callable[[], Awaitable[Any]]) -> Any:
        async with wiro_slots:
            return await call()

    parts: dict[str, Awaitable[Any]] = {
        "the last save report": asyncio.to_thread(_load_report, settings.config_path, guid),
        "the call history": _sessions(client, guid, limited),
        "the activity log": _logs(client, guid, limited),
        "the hold files": _hold(cred),
    }
    numbers = tuple(cred.phonenumbers) if cred is not None else ()
    if twilio is not None and numbers:
        parts["the numbers on Twilio"] = _twilio(numbers, twilio, settings, guid)
    if history is not None and numbers and twilio is not None:
        parts["Twilio's call log"] = _call_log(history, client, guid, numbers, twilio, settings, now)
    say("reading " + ", ".join(parts))
    done = 0

    async def track(name: str, job: Awaitable[Any]) -> Any:
        nonlocal done
        result = await job
        done += 1
        say(f"read {name} ({done} of {len(parts)})")
        return result

    results = dict(zip(parts, await asyncio.gather(*(track(n, j) for n, j in parts.items()))))
    report, report_warning = results["the last save report"]
    sessions, sessions_error, rejections = results["the call history"]
    logs, logs_error = results["the activity log"]
    check = results.get("the numbers on Twilio")
    history_calls, history_error = await _joined(history, results.get("Twilio's call log"), check, guid, numbers,
                                                 now, twilio, twilio_skipped)
    if not numbers:
        skipped_why = "the credential lists no phone numbers"
    elif twilio is None:
        skipped_why = twilio_skipped or SKIP_TWILIO
    else:
        skipped_why = None
    return Evidence(
        guid, now(), agent,
        report=report, report_warning=report_warning,
        twilio=check, twilio_skipped=skipped_why, twilio_source=twilio.source if twilio else "",
        hold=results["the hold files"],
        sessions=sessions, sessions_error=sessions_error, rejections=rejections,
        logs=logs, logs_error=logs_error,
        history_calls=history_calls, history_error=history_error,
    )


# -- the parts ----------------------------------------------------------------------------------------


def _load_report(config_path: Path, guid: str) -> tuple[Any, str | None]:
    loaded = load_report(report_path(reports_dir(config_path), guid))
    return loaded.report, loaded.warning


async def _sessions(client: Any, guid: str, limited: Callable) -> tuple[Any, str | None, dict[str, str | None]]:
    try:
        sessions = tuple(await limited(lambda: client.call_history(guid, SESSION_LIMIT)))
    except WiroError as err:
        return None, f"the call history could not be read: {err.message}", {}
    rejected = [s for s in sessions if s.status == REJECTED][:REJECTION_DETAILS]

    async def reason(messageguid: str) -> tuple[str, str | None] | None:
        try:
            detail = await limited(lambda: client.message_detail(messageguid=messageguid))
        except WiroError:
            return None  # counted as "reason not read"; the rest still tells the story
        return messageguid, as_str(detail.metadata.get("reason"))

    found = await asyncio.gather(*(reason(s.messageguid) for s in rejected))
    return sessions, None, dict(pair for pair in found if pair is not None)


async def _logs(client: Any, guid: str, limited: Callable) -> tuple[Any, str | None]:
    try:
        tail = await limited(lambda: client.logs(guid, lines=LOG_LINES))
    except WiroError as err:
        return None, explain_logs_error(err)
    return tuple(tail.events), None


async def _twilio(numbers: tuple[str, ...], access: TwilioAccess, settings: Any, guid: str) -> Any:
    return await verify_numbers(numbers, access.account_sid, access.token, settings.twilio_base,
                                wiro_hosts=wiro_hosts_for(settings.api_base), agent_guid=guid)


#: the stretch of history the missed-call checks look at
HISTORY_DAY_S = 86_400


async def _call_log(history: Any, client: Any, guid: str, numbers: tuple[str, ...], access: TwilioAccess,
                    settings: Any, now: Callable[[], float]) -> Any:
    from ..history.feed import refresh
    from ..twilio.verify import wiro_hosts_for

    return await refresh(history, client, guid, numbers=numbers, since_ms=int((now() - HISTORY_DAY_S) * 1000),
                         access=access, twilio_base=settings.twilio_base, wiro_hosts=wiro_hosts_for(settings.api_base),
                         routing=False)


async def _joined(history: Any, fed: Any, check: Any, guid: str, numbers: tuple[str, ...],
                  now: Callable[[], float], twilio: Any, twilio_skipped: str | None) -> tuple[Any, str | None]:
    """The last day's joined calls from the history, or why there are none."""
    if history is None:
        return None, None  # not asked for: nothing to say
    if not numbers:
        return None, "the credential lists no phone numbers"
    if twilio is None or fed is None:
        if twilio_skipped:  # said in full beside Twilio routing: not twice
            return None, "they need Twilio's call log, so the same Twilio credentials as the routing check"
        return None, "Twilio's call log is needed to see calls that never reached Wiro: " + SKIP_TWILIO
    if fed.twilio_error:
        return None, fed.twilio_error
    from ..history.feed import record_routing
    from ..history.insights import Scope, load_joined, period

    if check is not None and check.checked:
        await record_routing(history, check)  # the routing just checked explains today's missed calls
    scope = Scope(period("1d", int(now() * 1000)), agent_guid=guid, numbers=numbers)
    read = await asyncio.to_thread(history.read, lambda store: load_joined(store, scope), "reading the last day")
    if read.value is None:
        return None, read.problem.message if read.problem else "the local call history could not be read"
    return tuple(read.value), None


async def _hold(cred: Any) -> tuple[HoldFile, ...]:
    if cred is None:
        return ()
    wanted = [(name, value.strip()) for name in ("holdaudio", "holdmusic")
              if name in fields_used(cred.holdstrategy or "none")
              and isinstance(value := getattr(cred, name), str) and value.strip()]
    return tuple(await asyncio.gather(*(asyncio.to_thread(probe_hold_file, name, src) for name, src in wanted)))


def probe_hold_file(field_name: str, source: str) -> HoldFile:
    """Fetch one hold file (a URL is downloaded, at most 10 MB) and say what it is, or why it can't be used."""
    label = url_label(source) if is_url(source) else (Path(source).name or source)
    try:
        fetched = fetch(source, field=field_name)
        info = probe_bytes(fetched.data, name=fetched.label)
    except HoldError as err:
        return HoldFile(field_name, label, problem=err.message, problem_kind=err.kind)
    except ProbeError as err:
        return HoldFile(field_name, label, problem=err.message, problem_kind=err.kind)
    return HoldFile(field_name, fetched.label, info)
