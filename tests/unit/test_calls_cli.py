"""`calls` and `session` as functions: text, JSON and CSV against the simulator, watch mode, errors."""

from __future__ import annotations

import csv
import io
import json
import re

import pytest

from tui.cli.calls import run_calls, run_session
from tui.wiro import RetryPolicy, WiroClient


@pytest.fixture
async def client(sim):
    # No retries: a fault should reach the command at once, not after the client's own backoff.
    async with WiroClient(sim.api_key, base_url=sim.wiro_base, retry=RetryPolicy(retries=0)) as c:
        yield c


class Streams:
    def __init__(self) -> None:
        self.out, self.err = io.StringIO(), io.StringIO()

    def __call__(self) -> dict:
        return {"out": self.out, "err": self.err}


async def test_calls_as_an_aligned_text_table(sim, client):
    io_ = Streams()
    assert await run_calls(client, sim.demo_agent_guid, limit=50, fmt="text", watch=False, now=sim.now, **io_()) == 0
    lines = io_.out.getvalue().splitlines()
    header = lines[0].split()
    assert header[:5] == ["started", "age", "channel", "caller", "duration"] and "model" in header
    sessions = await client.call_history(sim.demo_agent_guid, 50)
    table = lines[1 : 1 + len(sessions)]
    assert len(table) == len(sessions) and lines[len(sessions) + 1] == ""
    assert lines[-1].startswith(f"{len(sessions)} calls · ")
    status_at = lines[0].index("status")
    assert all(len(line) > status_at and line[status_at - 2 : status_at] == "  " for line in table)  # aligned
    assert any("withheld" in line for line in table) and any("hit the time limit" in line for line in table)
    assert io_.err.getvalue() == ""


async def test_calls_json_is_one_document_with_labels(sim, client):
    io_ = Streams()
    assert await run_calls(client, sim.demo_agent_guid, limit=10, fmt="json", watch=False, now=sim.now, **io_()) == 0
    document = json.loads(io_.out.getvalue())
    assert len(document["sessions"]) == 10
    assert all({"messageguid", "status", "statusLabel", "endReasonLabel", "callerInfo"} <= set(r) for r in document["sessions"])


async def test_calls_csv_parses_back(sim, client):
    io_ = Streams()
    assert await run_calls(client, sim.demo_agent_guid, limit=20, fmt="csv", watch=False, now=sim.now, **io_()) == 0
    rows = list(csv.DictReader(io.StringIO(io_.out.getvalue(), newline="")))
    assert len(rows) == 20 and rows[0]["statusLabel"]


async def test_a_limit_above_200_is_capped_with_a_note(sim, client, clock):
    clock.advance(3 * 3600)  # enough live calls for more than 200 rows
    io_ = Streams()
    assert await run_calls(client, sim.demo_agent_guid, limit=500, fmt="json", watch=False, now=sim.now, **io_()) == 0
    assert len(json.loads(io_.out.getvalue())["sessions"]) == 200
    assert "--limit 500" in io_.err.getvalue() and "200" in io_.err.getvalue()


async def test_server_text_is_stripped_of_control_characters(sim, client):
    with sim.world.lock:
        sim.world.add_call(sim.stopped_agent_guid, channel="web",
                           caller={"page_url": "https://evil.example/\x1b[2J", "display_identifier": "\x1b]0;pwned\x07x"})
    io_ = Streams()
    assert await run_calls(client, sim.stopped_agent_guid, fmt="text", watch=False, now=sim.now, **io_()) == 0
    text = io_.out.getvalue()
    assert "\x1b" not in text and "\x07" not in text and " ]0;pwned x" in text


async def test_errors_go_to_stderr_with_exit_2(sim, client):
    io_ = Streams()
    assert await run_calls(client, "no-such-agent", fmt="json", watch=False, now=sim.now, **io_()) == 2
    # code 95: a deleted or unknown agent, said as such with Wiro's words and what to do
    assert "User agent not found" in io_.err.getvalue() and "deleted" in io_.err.getvalue()
    assert "wiro-voice agents" in json.loads(io_.out.getvalue())["error"]
    io_ = Streams()
    assert await run_calls(client, sim.demo_agent_guid, fmt="json", watch=True, now=sim.now, **io_()) == 2
    assert "--watch" in io_.err.getvalue() and "--watch" in json.loads(io_.out.getvalue())["error"]


def split_blocks(text: str) -> list[str]:
    """The repeated blocks of a watch without a TTY: each starts with its "Calls — " heading."""
    return [b for b in re.split(r"(?m)^(?=Calls — )", text) if b.strip()]


class SimSleep:
    """Stands in for asyncio.sleep in watch mode: records each wait and moves the simulator's clock by it."""

    def __init__(self, clock, on_sleep=None) -> None:
        self.clock, self.waits, self.on_sleep = clock, [], on_sleep

    async def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)
        self.clock.advance(seconds)
        if self.on_sleep:
            self.on_sleep(len(self.waits))


async def test_watch_without_a_tty_prints_plain_blocks(sim, client, clock):
    sleep, io_ = SimSleep(clock), Streams()
    code = await run_calls(client, sim.demo_agent_guid, limit=5, fmt="text", watch=True, now=sim.now, interval=5.0,
                           isatty=False, max_iterations=3, sleep=sleep, **io_())
    assert code == 0 and sleep.waits == [5.0, 5.0]
    text = io_.out.getvalue()
    assert "\x1b" not in text
    blocks = split_blocks(text)
    assert len(blocks) == 3 and all(b.startswith("Calls — ") for b in blocks)
    assert "03:06:40" in blocks[0] and "03:06:45" in blocks[1] and "03:06:50" in blocks[2]


async def test_watch_in_a_tty_redraws_in_place_within_the_screen(sim, client, clock):
    io_ = Streams()
    code = await run_calls(client, sim.demo_agent_guid, limit=50, fmt="text", watch=True, now=sim.now,
                           isatty=True, max_iterations=2, sleep=SimSleep(clock), terminal_size=(60, 12), **io_())
    assert code == 0
    frames = io_.out.getvalue().split("\x1b[H")
    assert frames[0] == "\x1b[2J" and len(frames) == 3  # one clear, then home before each frame
    for frame in frames[1:]:
        assert frame.endswith("\x1b[J")
        lines = frame.split("\n")[:-1]
        assert len(lines) <= 11 and "more lines" in lines[-1]
        assert all(len(line.replace("\x1b[K", "")) <= 59 for line in lines)


async def test_watch_goes_stale_on_failures_backs_off_and_recovers(sim, client, clock):
    def faults(sleeps: int) -> None:
        sim.set_faults("500:1" if sleeps in (1, 2) else None)  # polls 2 and 3 fail

    sleep, io_ = SimSleep(clock, faults), Streams()
    code = await run_calls(client, sim.demo_agent_guid, limit=3, fmt="text", watch=True, now=sim.now, interval=5.0,
                           isatty=False, max_iterations=4, sleep=sleep, **io_())
    assert code == 0 and sleep.waits == [5.0, 10.0, 20.0]
    blocks = split_blocks(io_.out.getvalue())
    assert len(blocks) == 4
    assert "stale" not in blocks[0] and "stale" not in blocks[3]
    for block in blocks[1:3]:
        assert "stale since 03:06:45 — 500 from Wiro; " in block
        assert block.count("\n") >= 5  # the last good rows stay
    assert "retrying in 10 s" in blocks[1] and "retrying in 20 s" in blocks[2]


async def test_watch_stops_at_once_when_the_first_poll_is_refused(sim, client, clock):
    io_ = Streams()
    code = await run_calls(client, "no-such-agent", fmt="text", watch=True, now=sim.now, isatty=False,
                           max_iterations=5, sleep=SimSleep(clock), **io_())
    assert code == 2 and "User agent not found" in io_.err.getvalue()


async def test_session_of_a_rejected_call_shows_its_reason_and_advice(sim, client):
    sessions = await client.call_history(sim.demo_agent_guid, 200)
    rejected = next(s for s in sessions if s.status == "realtime_session_rejected")
    io_ = Streams()
    assert await run_session(client, rejected.messageguid, as_json=False, now=sim.now, **io_()) == 0
    text = io_.out.getvalue()
    detail = await client.message_detail(messageguid=rejected.messageguid)
    reason = detail.metadata["reason"]
    assert "rejected because: " in text and f"({reason})" in text and "what to do: " in text
    assert rejected.callsid in text and rejected.messageguid in text and "other details:" in text
    io_ = Streams()
    assert await run_session(client, rejected.messageguid, as_json=True, now=sim.now, **io_()) == 0
    document = json.loads(io_.out.getvalue())
    assert document["guid"] == rejected.messageguid and document["metadata"]["reason"] == reason
    assert document["rejectionReason"] == reason and document["statusLabel"] == "rejected"
    assert document["explanations"]["rejection"]["advice"] and document["explanations"]["endReason"] is None


async def test_session_fills_the_end_reason_from_the_history_when_asked(sim, client):
    sessions = await client.call_history(sim.demo_agent_guid, 200)
    ended = next(s for s in sessions if s.end_reason == "wiro_error")
    io_ = Streams()
    assert await run_session(client, ended.messageguid, agent_guid=sim.demo_agent_guid, now=sim.now, **io_()) == 0
    text = io_.out.getvalue()
    assert "end reason: agent error (wiro_error)" in text and "activity log" in text and "transcript (" in text


async def test_an_unknown_session_exits_2(sim, client):
    io_ = Streams()
    assert await run_session(client, "no-such-session", as_json=False, **io_()) == 2
    assert "no session no-such-session" in io_.err.getvalue() and io_.out.getvalue() == ""
    io_ = Streams()
    assert await run_session(client, "no-such-session", as_json=True, **io_()) == 2
    assert "no session" in json.loads(io_.out.getvalue())["error"]
    io_ = Streams()
    assert await run_session(client, "  ", as_json=False, **io_()) == 2


async def test_watch_waits_for_a_first_answer_through_transient_failures(sim, client, clock):
    sim.set_faults("503:1")
    sleep, io_ = SimSleep(clock, lambda n: sim.set_faults(None)), Streams()
    code = await run_calls(client, sim.demo_agent_guid, limit=2, fmt="text", watch=True, now=sim.now, interval=2.0,
                           isatty=False, max_iterations=2, sleep=sleep, **io_())
    assert code == 0 and sleep.waits == [4.0]
    first, second = split_blocks(io_.out.getvalue())
    assert "no answer yet since 03:06:40 — 503 from Wiro; retrying in 4 s" in first and "started" not in first
    assert "started" in second and "since" not in second


# -- fitting the terminal, plurals, Call SIDs ---------------------------------------------------------------


def table_part(text: str) -> list[str]:
    """The header and rows of a printed table (up to the blank line before the figures)."""
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("started"))
    end = lines.index("", start)
    return lines[start:end]


@pytest.mark.parametrize("columns", [80, 120])
async def test_calls_fit_the_terminal_without_cutting_the_status(sim, client, clock, columns):
    clock.advance(1800)  # live calls too: the longest status texts
    sessions = await client.call_history(sim.demo_agent_guid, 50)
    io_ = Streams()
    assert await run_calls(client, sim.demo_agent_guid, limit=50, fmt="text", now=sim.now, isatty=True,
                           terminal_size=(columns, 40), **io_()) == 0
    text = io_.out.getvalue()
    assert all(len(line) <= columns for line in text.splitlines())
    table = table_part(text)
    header = table[0]
    for title in ("started", "caller", "duration", "status", "end reason"):
        assert title in header, (columns, header)
    status_at = header.index("status")
    from tui.calls.rows import rows_for

    for line, row in zip(table[1:], rows_for(sessions, int(sim.now() * 1000))):
        assert line[status_at:].startswith(row.status)  # whole, in its column
    if columns == 80:
        assert "model" not in header and "age" not in header.split()
    else:
        assert "age" in header.split()  # more room: more columns come back
    # the same table in a pipe keeps every column (scripts read it whole)
    piped = Streams()
    assert await run_calls(client, sim.demo_agent_guid, limit=50, fmt="text", now=sim.now, isatty=False, **piped()) == 0
    assert "model" in table_part(piped.out.getvalue())[0]


@pytest.mark.parametrize("columns", [80, 120])
async def test_calls_watch_fits_the_terminal_without_cutting_the_status(sim, client, clock, columns):
    clock.advance(1800)
    io_ = Streams()
    assert await run_calls(client, sim.demo_agent_guid, limit=30, fmt="text", watch=True, now=sim.now, isatty=True,
                           max_iterations=1, sleep=SimSleep(clock), terminal_size=(columns, 60), **io_()) == 0
    lines = [line.replace("\x1b[K", "").replace("\x1b[2J", "").replace("\x1b[H", "").replace("\x1b[J", "")
             for line in io_.out.getvalue().split("\n")]
    assert all(len(line) <= columns - 1 for line in lines)
    assert not any(line.endswith("…") for line in lines)  # fitted, not cut at the edge
    table = table_part("\n".join(lines))
    status_at = table[0].index("status")
    sessions = await client.call_history(sim.demo_agent_guid, 30)
    from tui.calls.rows import rows_for

    for line, row in zip(table[1:], rows_for(sessions, int(sim.now() * 1000))):
        assert line[status_at:].startswith(row.status)


async def test_one_call_is_one_call(sim, client):
    assert await client.call_history(sim.stopped_agent_guid, 200) == []  # the stopped demo agent has none
    with sim.world.lock:
        sim.world.add_call(sim.stopped_agent_guid, end_reason="wiro_error", duration=30, started=sim.now() - 600)
    io_ = Streams()
    assert await run_calls(client, sim.stopped_agent_guid, fmt="text", now=sim.now, **io_()) == 0
    summary = io_.out.getvalue().splitlines()[-1]
    assert summary.startswith("1 call · ") and "1 agent error" in summary and "errors" not in summary


async def test_session_takes_a_twilio_call_sid(sim, client):
    sessions = await client.call_history(sim.demo_agent_guid, 200)
    call = next(s for s in sessions if s.callsid and s.status == "realtime_session_rejected")
    by_guid, by_sid = Streams(), Streams()
    assert await run_session(client, call.messageguid, agent_guid=sim.demo_agent_guid, now=sim.now, **by_guid()) == 0
    assert await run_session(client, call.callsid, agent_guid=sim.demo_agent_guid, now=sim.now, **by_sid()) == 0
    assert by_sid.out.getvalue() == by_guid.out.getvalue() and call.messageguid in by_sid.out.getvalue()
    # JSON too, and in any letter case of the hex part
    io_ = Streams()
    sid = call.callsid[:2] + call.callsid[2:].upper()
    assert await run_session(client, sid, agent_guid=sim.demo_agent_guid, as_json=True, now=sim.now, **io_()) == 0
    assert json.loads(io_.out.getvalue())["guid"] == call.messageguid


async def test_an_unknown_or_agentless_call_sid_says_what_to_do(sim, client):
    unknown = "CA" + "0" * 32
    io_ = Streams()
    assert await run_session(client, unknown, agent_guid=sim.demo_agent_guid, as_json=True, **io_()) == 2
    assert f"no call {unknown}" in io_.err.getvalue() and "messageguid" in json.loads(io_.out.getvalue())["error"]
    io_ = Streams()
    assert await run_session(client, unknown, **io_()) == 2
    assert "--agent" in io_.err.getvalue() and io_.out.getvalue() == ""
