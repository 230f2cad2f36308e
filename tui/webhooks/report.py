"""What Wiro said on the last save, per number: updated, skipped (reason), failed (error), not in the save.

Built from CredentialUpsert's answer (`UpsertResult`): numbers updated, failed (`{phoneNumber, error}` in the
newest docs, plain numbers in older ones), or skipped — the newest docs send one reason for the whole step
instead of the updated list, and every number then reads "skipped: <reason>". Anything unrecognised is kept as
text rather than dropped. When Wiro answered `twilioWebhookError` instead, no number was configured that round:
the report then carries a banner and every number reads "not in the last save".
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ..common.coerce import as_dict, as_list, as_str
from ..common.masking import scrub_tokens
from ..wiro.models import UpsertResult

UPDATED, SKIPPED, FAILED, NOT_IN_SAVE = "updated", "skipped", "failed", "not_in_save"
STATES = (UPDATED, SKIPPED, FAILED, NOT_IN_SAVE)
LABELS = {UPDATED: "updated", SKIPPED: "skipped", FAILED: "failed", NOT_IN_SAVE: "not in the last save"}
# When a number shows up in more than one list, the worst one wins.
_RANK = {FAILED: 3, SKIPPED: 2, UPDATED: 1, NOT_IN_SAVE: 0}

SAVE_AGAIN_HINT = "Save again: it re-sends the saved fields and re-runs the webhook setup (the token is not needed)."

# Server text that echoes an Auth Token must not reach the screen or disk.
scrub = scrub_tokens


@dataclass(frozen=True)
class NumberState:
    """One number's state from the last save. `detail` is Wiro's reason (skipped) or Twilio's error (failed)."""

    number: str
    state: str
    detail: str | None = None
    in_credential: bool = True

    @property
    def ok(self) -> bool:
        return self.state == UPDATED

    @property
    def label(self) -> str:
        return f"{LABELS[self.state]}: {self.detail}" if self.detail else LABELS[self.state]


@dataclass(frozen=True)
class SaveReport:
    """The webhook side of one CredentialUpsert answer, for one agent, made at `made_at` (epoch seconds)."""

    agent_guid: str
    made_at: float
    numbers: tuple[NumberState, ...] = ()
    error: str | None = None
    unknown: tuple[str, ...] = ()

    @property
    def banner(self) -> str | None:
        """The lead line when the whole webhook flow failed (`twilioWebhookError`), else None."""
        if self.error is None:
            return None
        return f"Wiro could not set up the webhooks: {self.error.rstrip('. ')}. No number was configured this round. {SAVE_AGAIN_HINT}"

    @property
    def ok(self) -> bool:
        """No flow error, nothing unrecognised, and every number of the credential updated."""
        listed = [n for n in self.numbers if n.in_credential]
        return self.error is None and not self.unknown and bool(listed) and all(n.ok for n in listed)

    def state_of(self, number: str) -> NumberState:
        """This number's state; one the save did not mention (e.g. added since) is "not in the last save"."""
        for state in self.numbers:
            if state.number == number:
                return state
        return NumberState(number, NOT_IN_SAVE)

    def states_for(self, configured: Sequence[str]) -> tuple[NumberState, ...]:
        """The current credential's numbers in order, then numbers the save mentioned that it no longer has."""
        wanted = list(dict.fromkeys(configured))
        rows = [self.state_of(n) for n in wanted]
        rows += [NumberState(s.number, s.state, s.detail, in_credential=False) for s in self.numbers if s.number not in wanted]
        return tuple(rows)

    def to_json(self) -> dict[str, Any]:
        """The `save` command's `webhooks` shape, plus per-number states, unknown items and when it was made."""
        return {
            "updated": [n.number for n in self.numbers if n.state == UPDATED],
            "skipped": [{"number": n.number, "reason": n.detail} for n in self.numbers if n.state == SKIPPED],
            "failed": [{"number": n.number, "error": n.detail} for n in self.numbers if n.state == FAILED],
            "error": self.error,
            "numbers": [{"number": n.number, "state": n.state, "detail": n.detail, "in_credential": n.in_credential}
                        for n in self.numbers],
            "unknown": list(self.unknown),
            "agent_guid": self.agent_guid,
            "made_at": self.made_at,
        }

    @classmethod
    def from_json(cls, data: Any) -> SaveReport | None:
        """Read `to_json`'s output back; None when it is not a report at all. Bad elements are skipped."""
        d = as_dict(data)
        guid = as_str(d.get("agent_guid"))
        made = d.get("made_at")
        if not guid or not isinstance(made, (int, float)) or isinstance(made, bool):
            return None
        numbers = []
        for item in as_list(d.get("numbers")):
            item = as_dict(item)
            number, state = as_str(item.get("number")), as_str(item.get("state"))
            if number and state in STATES:
                numbers.append(NumberState(number, state, as_str(item.get("detail")), item.get("in_credential") is not False))
        error = as_str(d.get("error"))
        return cls(guid, float(made), tuple(numbers), error or None,
                   tuple(t for t in (as_str(u) for u in as_list(d.get("unknown"))) if t))


def build_report(result: UpsertResult, configured: Sequence[str], *, agent_guid: str,
                 now: float | None = None) -> SaveReport:
    """The report for a save of `configured` numbers (the credential as sent), made now."""
    made = time.time() if now is None else now
    wanted = [str(n) for n in dict.fromkeys(configured)]
    if result.error is not None:
        return SaveReport(agent_guid, made, tuple(NumberState(n, NOT_IN_SAVE) for n in wanted), scrub(result.error))
    if result.skipped_reason is not None and not result.updated:
        # newest docs: one reason for the whole step, sent instead of the updated list: every number skipped
        reason = scrub(result.skipped_reason)
        return SaveReport(agent_guid, made, tuple(NumberState(n, SKIPPED, reason) for n in wanted))
    found: dict[str, NumberState] = {}
    unknown: list[str] = []
    for state, items in ((UPDATED, result.updated), (SKIPPED, result.skipped), (FAILED, result.failed)):
        for item in items:
            if item.number is None:
                unknown.append(f"{LABELS[state]}: {scrub(item.text or '(empty)')}")
                continue
            number = _match(item.number, wanted)
            candidate = NumberState(number, state, scrub(item.text) if item.text else None, number in wanted)
            if number not in found or _RANK[state] > _RANK[found[number].state]:
                found[number] = candidate
    rows = [found.pop(n, NumberState(n, NOT_IN_SAVE)) for n in wanted]
    rows += found.values()  # numbers Wiro mentioned that were not sent: shown, never dropped
    return SaveReport(agent_guid, made, tuple(rows), None, tuple(unknown))


def _match(number: str, wanted: Sequence[str]) -> str:
    """The configured spelling of `number`: exact, else the same digits (Wiro may echo it reformatted)."""
    if number in wanted:
        return number
    digits = _digits(number)
    for candidate in wanted:
        if digits and _digits(candidate) == digits:
            return candidate
    return number


def _digits(number: str) -> str:
    return "".join(c for c in number if c.isdigit())
