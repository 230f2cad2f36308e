"""Everything the checks look at, gathered once (see `gather`) and never changed afterwards.

Each source that could not be read keeps the reason instead, so a check can say "skipped, because…" rather
than report a problem that was never seen. Nothing here holds a secret: the Twilio token is used while
gathering and dropped, the credential never carries the Auth Token, and server text is scrubbed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the types only: importing them would load the checks' modules at start-up
    from ..history.join import JoinedCall
    from ..hold.probe import AudioInfo
    from ..twilio.verify import NumbersCheck
    from ..webhooks.report import SaveReport
    from ..wiro.models import Agent, CallSession, LogEvent, TwilioVoiceCredential

#: the newest sessions the call checks read (the API's cap is 200)
SESSION_LIMIT = 100
#: rejected sessions whose reason is read (one Message/Detail each)
REJECTION_DETAILS = 20
#: activity-log events read (today's, newest last)
LOG_LINES = 1000


@dataclass(frozen=True)
class HoldFile:
    """One hold file the strategy plays, as fetched and probed. `label` names it without a URL's query string
    (signed links carry tokens there). `problem` says why it could not be read (`problem_kind` as HoldError's:
    missing, download, too_big, not_audio, …); otherwise `info` says what it is."""

    field: str
    label: str
    info: AudioInfo | None = None
    problem: str | None = None
    problem_kind: str | None = None


@dataclass(frozen=True)
class Evidence:
    """What the doctor saw of one agent at `taken_at` (epoch seconds, the app's or the simulator's clock).

    `*_error` / `*_skipped` say why a source is missing. `rejections` maps a rejected session's messageguid to
    its `metadata.reason` (None when Wiro gave none); sessions whose detail was not read are absent from it.
    """

    guid: str
    taken_at: float
    agent: Agent | None = None
    agent_error: str | None = None
    report: SaveReport | None = None
    report_warning: str | None = None
    twilio: NumbersCheck | None = None
    twilio_skipped: str | None = None
    twilio_source: str = ""
    hold: tuple[HoldFile, ...] = ()
    sessions: tuple[CallSession, ...] | None = None
    sessions_error: str | None = None
    rejections: Mapping[str, str | None] = field(default_factory=dict)
    logs: tuple[LogEvent, ...] | None = None
    logs_error: str | None = None
    #: the last day's calls from the local history, Twilio's call log joined with Wiro's sessions
    history_calls: tuple[JoinedCall, ...] | None = None
    history_error: str | None = None

    @property
    def credential(self) -> TwilioVoiceCredential | None:
        """The agent's twilio-voice credential (None when the agent has none, or was not read)."""
        return self.agent.credential if self.agent is not None else None

    @property
    def numbers(self) -> tuple[str, ...]:
        cred = self.credential
        return tuple(cred.phonenumbers) if cred is not None else ()


@dataclass(frozen=True)
class Skip:
    """A check that did not run, and why, in words for the "skipped" line."""

    area: str
    reason: str


def skipped(evidence: Evidence) -> tuple[Skip, ...]:
    """The checks that could not run for this evidence, each with the reason and what to do."""
    out: list[Skip] = []
    if evidence.agent is None:
        return (Skip("everything", evidence.agent_error or "the agent could not be read"),)
    if evidence.twilio_skipped:
        out.append(Skip("Twilio routing", evidence.twilio_skipped))
    elif evidence.twilio is not None and not evidence.twilio.checked:
        out.append(Skip("Twilio routing", evidence.twilio.error or "Twilio could not be asked"))
    if evidence.sessions is None:
        out.append(Skip("recent calls", evidence.sessions_error or "the call history could not be read"))
    if evidence.logs is None:
        out.append(Skip("activity log", evidence.logs_error or "the activity log could not be read"))
    if evidence.history_error:
        out.append(Skip("missed calls", evidence.history_error))
    return tuple(out)
